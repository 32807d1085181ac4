//! Errors of loading, linking and instantiating, and of misusing the embedding API.
//! Execution failures are [`Trap`]s; an `Error` wraps one when instantiation traps.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::limits::StoreResource;
use crate::text::{Hex, Out, Text};
use crate::trap::Trap;
use crate::types::ExternType;
use crate::validate::Why;
use crate::{display_by_text, put};

/// A module that failed to decode or validate: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleError {
    /// What is wrong: a rule of wisp's validator by its code, or words (wasmparser's,
    /// or a limit's).
    pub message: Message,
    /// Byte offset into the module where the problem was found.
    pub offset: u64,
}

impl ModuleError {
    /// The rule wisp's own validator found broken, when it was that validator's verdict
    /// (`Config::own_validator`, the firmware's): a code to match on, without parsing words.
    pub fn code(&self) -> Option<Why> {
        match self.message {
            Message::Code(why) => Some(why),
            Message::Text(_) => None,
        }
    }
}

impl Text for ModuleError {
    #[cfg(feature = "messages")]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        put!(f, "{} (at offset {})", self.message, Hex(self.offset))
    }

    #[cfg(not(feature = "messages"))]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        put!(f, "{} at {}", self.message, Hex(self.offset))
    }
}

impl From<wasmparser::BinaryReaderError> for ModuleError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ModuleError {
            message: String::from(e.message()).into(),
            offset: e.offset(),
        }
    }
}

/// What a [`ModuleError`] says: a validator rule's code, whose words are a static string
/// (so refusing a module allocates nothing for its message: the firmware's validator only
/// ever gives these), or words built for the occasion. Reads as a `str` either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A rule of wisp's validator (`Why::describe` words it).
    Code(Why),
    /// Words built for the occasion: wasmparser's, or a limit's with its figures.
    Text(String),
}

#[cfg(feature = "messages")]
impl Message {
    /// The words.
    pub fn as_str(&self) -> &str {
        match self {
            Message::Code(why) => why.describe(),
            Message::Text(text) => text,
        }
    }
}

#[cfg(feature = "messages")]
impl core::ops::Deref for Message {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Text(text.into())
    }
}

impl From<Why> for Message {
    fn from(why: Why) -> Self {
        Message::Code(why)
    }
}

#[cfg(feature = "messages")]
impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(feature = "messages")]
impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Text for Message {
    #[cfg(feature = "messages")]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put(self.as_str())
    }

    /// A rule by its number; words built for the occasion are empty without the feature
    /// (`text!`), so what is left of them is the error's kind and offset.
    #[cfg(not(feature = "messages"))]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self {
            Message::Code(why) => put!(f, "rule {}", why.number()),
            Message::Text(text) => f.put(text),
        }
    }
}

/// Everything that can go wrong outside of executing wasm code.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The module bytes are malformed or the module is invalid.
    Module(ModuleError),
    /// The module is valid but uses something this build does not support (SIMD, say).
    Unsupported(ModuleError),
    /// The module exceeds one of the engine's configured limits.
    Limit(ModuleError),
    /// No definition was supplied for an import.
    UnknownImport {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
    },
    /// An import's definition has the wrong type.
    IncompatibleImport {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
        /// The type the module declares for the import. (Boxed, as `actual`: two extern
        /// types inline would make every `Result` of the API large.)
        expected: Box<ExternType>,
        /// The type of the definition supplied.
        actual: Box<ExternType>,
    },
    /// A value's type does not match what was asked for.
    TypeMismatch(String),
    /// A handle from one store was used with another.
    StoreMismatch,
    /// A linker definition clashes with an existing one.
    Duplicate {
        /// The definition's module name.
        module: String,
        /// The definition's field name.
        name: String,
    },
    /// Something the API was asked for does not exist (an export, a table slot, ...).
    NotFound(String),
    /// Growing a memory or table, or allocating one, failed.
    ResourceExhausted(String),
    /// Creating an instance, memory or table would pass a limit of the store: one of
    /// `Config::max_instances`, `max_memories`, `max_tables` and `max_store_memory_bytes`
    /// (`limit` is that limit), or the store's `ResourceLimiter` said no (`limit` is
    /// `None`). Nothing was created.
    StoreLimit {
        /// What would have passed its limit.
        resource: StoreResource,
        /// What the store would have held (the count, or the memory total), or for the
        /// limiter's refusal, the size of the one memory or table it refused.
        requested: u64,
        /// The limit passed, or `None` when the `ResourceLimiter` refused.
        limit: Option<u64>,
    },
    /// Instantiation trapped (start function, or an out-of-bounds segment).
    Trap(Trap),
}

impl Error {
    /// The trap inside, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error::Trap(t)
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error::Module(e.into())
    }
}

impl Error {
    /// The kind's number, which is what a build without the `messages` feature shows
    /// (`error 1: ...`): the variant's position in this enum's declaration, starting at 1.
    pub fn number(&self) -> u8 {
        match self {
            Error::Module(_) => 1,
            Error::Unsupported(_) => 2,
            Error::Limit(_) => 3,
            Error::UnknownImport { .. } => 4,
            Error::IncompatibleImport { .. } => 5,
            Error::TypeMismatch(_) => 6,
            Error::StoreMismatch => 7,
            Error::Duplicate { .. } => 8,
            Error::NotFound(_) => 9,
            Error::ResourceExhausted(_) => 10,
            Error::StoreLimit { .. } => 11,
            Error::Trap(_) => 12,
        }
    }
}

/// Without words: the kind's number, then what identifies the case (a module error's rule
/// and offset, an import's names, the store resource's number and figures, the trap).
#[cfg(not(feature = "messages"))]
impl Text for Error {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        put!(f, "error {}", self.number())?;
        match self {
            Error::Module(e) | Error::Unsupported(e) | Error::Limit(e) => put!(f, ": {}", e),
            Error::UnknownImport { module, name }
            | Error::IncompatibleImport { module, name, .. }
            | Error::Duplicate { module, name } => put!(f, ": {}::{}", module, name),
            Error::StoreLimit {
                resource,
                requested,
                limit,
            } => put!(
                f,
                ": {} {} of {}",
                *resource as u8,
                requested,
                limit.unwrap_or(u64::MAX)
            ),
            Error::Trap(t) => put!(f, ": {}", t),
            Error::TypeMismatch(m) | Error::NotFound(m) | Error::ResourceExhausted(m) => f.put(m),
            Error::StoreMismatch => Ok(()),
        }
    }
}

#[cfg(feature = "messages")]
impl Text for Error {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self {
            Error::Module(e) => put!(f, "invalid module: {}", e),
            Error::Unsupported(e) => put!(f, "unsupported: {}", e),
            Error::Limit(e) => put!(f, "limit exceeded: {}", e),
            Error::UnknownImport { module, name } => put!(
                f,
                "unknown import: `{}::{}` has not been defined",
                module,
                name
            ),
            Error::IncompatibleImport {
                module,
                name,
                expected,
                actual,
            } => put!(
                f,
                "incompatible import type for `{}::{}`: expected {}, found {}",
                module,
                name,
                &**expected,
                &**actual
            ),
            Error::TypeMismatch(m) => put!(f, "type mismatch: {}", m),
            Error::StoreMismatch => f.put("object used with the wrong store"),
            Error::Duplicate { module, name } => {
                put!(f, "`{}::{}` is already defined", module, name)
            }
            Error::NotFound(m) => put!(f, "not found: {}", m),
            Error::ResourceExhausted(m) => put!(f, "resource exhausted: {}", m),
            Error::StoreLimit {
                resource,
                requested,
                limit: Some(limit),
            } => put!(
                f,
                "store limit: {} {} requested, more than the limit of {}",
                requested,
                resource,
                limit
            ),
            Error::StoreLimit {
                resource,
                requested,
                limit: None,
            } => put!(
                f,
                "store limit: the store's resource limiter refused {} {}",
                requested,
                resource
            ),
            Error::Trap(t) => t.write_to(f),
        }
    }
}

display_by_text!(ModuleError, Message, Error);

#[cfg(feature = "std")]
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

/// wisp's results: [`Error`] unless another error type is named.
pub type Result<T, E = Error> = core::result::Result<T, E>;
