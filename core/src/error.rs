//! Errors of loading, linking and instantiating, and of misusing the embedding API.
//! Execution failures are [`Trap`]s; an `Error` wraps one when instantiation traps.

use alloc::string::String;
use core::fmt;

use crate::limits::StoreResource;
use crate::trap::Trap;
use crate::types::ExternType;

/// A module that failed to decode or validate: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleError {
    /// What is wrong, in wasmparser's words or wisp's.
    pub message: String,
    /// Byte offset into the module where the problem was found.
    pub offset: u64,
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl From<wasmparser::BinaryReaderError> for ModuleError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ModuleError {
            message: String::from(e.message()),
            offset: e.offset(),
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
        /// The type the module declares for the import.
        expected: ExternType,
        /// The type of the definition supplied.
        actual: ExternType,
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Module(e) => write!(f, "invalid module: {e}"),
            Error::Unsupported(e) => write!(f, "unsupported: {e}"),
            Error::Limit(e) => write!(f, "limit exceeded: {e}"),
            Error::UnknownImport { module, name } => {
                write!(f, "unknown import: `{module}::{name}` has not been defined")
            }
            Error::IncompatibleImport {
                module,
                name,
                expected,
                actual,
            } => write!(
                f,
                "incompatible import type for `{module}::{name}`: expected {expected}, found {actual}"
            ),
            Error::TypeMismatch(m) => write!(f, "type mismatch: {m}"),
            Error::StoreMismatch => f.write_str("object used with the wrong store"),
            Error::Duplicate { module, name } => {
                write!(f, "`{module}::{name}` is already defined")
            }
            Error::NotFound(m) => write!(f, "not found: {m}"),
            Error::ResourceExhausted(m) => write!(f, "resource exhausted: {m}"),
            Error::StoreLimit {
                resource,
                requested,
                limit: Some(limit),
            } => write!(
                f,
                "store limit: {requested} {resource} requested, more than the limit of {limit}"
            ),
            Error::StoreLimit {
                resource,
                requested,
                limit: None,
            } => write!(
                f,
                "store limit: the store's resource limiter refused {requested} {resource}"
            ),
            Error::Trap(t) => write!(f, "{t}"),
        }
    }
}

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
