//! Traps: how wasm execution fails. A trap is a value returned up the call chain by every
//! tier (`Err(Trap)`); nothing unwinds.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::any::Any;
use core::fmt;

use crate::display_by_text;
use crate::exception::ExnRef;
use crate::text::{Out, Text};

/// Why execution trapped. The `Display` text matches the official testsuite's wording.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable,
    /// A load, store or bulk memory operation went outside linear memory.
    MemoryOutOfBounds,
    /// A table access or bulk table operation went outside the table.
    TableOutOfBounds,
    /// `call_indirect` found a null entry.
    IndirectCallToNull,
    /// `call_indirect` found a function of another type.
    BadSignature,
    /// Signed division overflowed (`i32::MIN / -1`).
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// A float-to-int conversion got NaN or an out-of-range value.
    BadConversionToInteger,
    /// A null reference was dereferenced.
    NullReference,
    /// The call stack or value stack limit was reached.
    StackExhausted,
    /// The store ran out of fuel.
    OutOfFuel,
    /// The embedder interrupted execution.
    Interrupted,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// `throw_ref` of a null reference.
    NullExceptionReference,
    /// A `throw` found the store holding as many exceptions as it may
    /// (`Config::max_exceptions`): exceptions kept as values are never freed, so a guest
    /// that keeps throwing and keeping them is stopped here.
    TooManyExceptions,
    /// An atomic memory operator's address was not a multiple of its width.
    UnalignedAtomic,
    /// `memory.atomic.wait32/64` on a memory that is not shared.
    AtomicWaitNonSharedMemory,
}

impl TrapCode {
    /// Every code, in the order of their array-call statuses (`vm::status`).
    const ALL: [TrapCode; 17] = [
        TrapCode::Unreachable,
        TrapCode::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::NullReference,
        TrapCode::StackExhausted,
        TrapCode::OutOfFuel,
        TrapCode::Interrupted,
        TrapCode::NullFunctionReference,
        TrapCode::NullExceptionReference,
        TrapCode::TooManyExceptions,
        TrapCode::UnalignedAtomic,
        TrapCode::AtomicWaitNonSharedMemory,
    ];

    /// The array-call status (`vm::status`) that reports this trap: never `OK` (0) nor
    /// `TRAP_PENDING`. It is the code's place in this enum's declaration, counting from 1,
    /// and what a build without the `messages` feature shows (`trap 2`).
    pub fn status(self) -> u32 {
        // The position in `ALL`, plus one; `ALL` lists every variant.
        Self::ALL
            .iter()
            .position(|&c| c == self)
            .map_or(1, |i| i as u32 + 1)
    }

    /// The trap an array-call status reports, if it is one of [`TrapCode::status`]'s.
    pub fn from_status(status: u32) -> Option<TrapCode> {
        Self::ALL.get((status as usize).checked_sub(1)?).copied()
    }

    /// The trap's message, as the spec tests' `assert_trap` words it (the `messages`
    /// feature's; without it a trap is its [`status`](Self::status)).
    #[cfg(feature = "messages")]
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::NullReference => "null reference",
            TrapCode::StackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullExceptionReference => "null exception reference",
            TrapCode::TooManyExceptions => "too many exceptions alive",
            TrapCode::UnalignedAtomic => "unaligned atomic",
            TrapCode::AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
        }
    }
}

impl Text for TrapCode {
    #[cfg(feature = "messages")]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put(self.message())
    }

    #[cfg(not(feature = "messages"))]
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        crate::put!(f, "trap {}", self.status())
    }
}

/// An error a host function returns to stop the guest. Any `Debug + Display` type that is
/// `Send + Sync` qualifies; the embedder gets it back through [`Trap::downcast_ref`].
pub trait HostError: fmt::Debug + fmt::Display + Any + Send + Sync {}
impl<E: fmt::Debug + fmt::Display + Any + Send + Sync> HostError for E {}

/// One frame of a wasm backtrace: the function index in its module and its name, if the
/// module's name section gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module's function index space.
    pub func_index: u32,
    /// The function's name from the module's name section, if it has one.
    pub func_name: Option<String>,
}

enum Reason {
    Code(TrapCode),
    Host(Box<dyn HostError>),
    Message(String),
    /// An exception: thrown by wasm and caught by nothing, or thrown by a host function
    /// (which wasm may catch).
    Exception(ExnRef),
}

struct Inner {
    reason: Reason,
    backtrace: Vec<FrameInfo>,
}

/// A trap. Boxed so that `Result<T, Trap>` stays one word on the hot path.
pub struct Trap {
    inner: Box<Inner>,
}

impl Trap {
    fn from_reason(reason: Reason) -> Trap {
        Trap {
            inner: Box::new(Inner {
                reason,
                backtrace: Vec::new(),
            }),
        }
    }

    /// A trap carrying a host-defined error value.
    pub fn host(error: impl HostError) -> Trap {
        Trap::from_reason(Reason::Host(Box::new(error)))
    }

    /// A host trap with just a message.
    pub fn msg(message: impl Into<String>) -> Trap {
        Trap::from_reason(Reason::Message(message.into()))
    }

    /// A wasm exception: what a host function returns to throw `exn` into the wasm that
    /// called it (where a handler may catch it), and what the host gets back when an
    /// exception leaves wasm uncaught.
    pub fn throw(exn: ExnRef) -> Trap {
        Trap::from_reason(Reason::Exception(exn))
    }

    /// The exception, if this is an uncaught (or host-thrown) exception rather than a trap.
    pub fn exception(&self) -> Option<ExnRef> {
        match self.inner.reason {
            Reason::Exception(e) => Some(e),
            _ => None,
        }
    }

    /// The trap code, if wasm execution (rather than a host function) trapped.
    pub fn code(&self) -> Option<TrapCode> {
        match self.inner.reason {
            Reason::Code(c) => Some(c),
            _ => None,
        }
    }

    /// The host error inside this trap, if it is an `E`.
    pub fn downcast_ref<E: HostError>(&self) -> Option<&E> {
        match &self.inner.reason {
            Reason::Host(e) => (&**e as &dyn Any).downcast_ref::<E>(),
            _ => None,
        }
    }

    /// How many frames a backtrace keeps (the innermost): a runaway recursion would
    /// otherwise make it as long as the stack.
    pub const MAX_FRAMES: usize = 64;

    /// The wasm frames active when the trap happened, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.inner.backtrace
    }

    /// Appends a frame (the tiers call this as the trap passes each frame outward).
    #[doc(hidden)]
    pub fn push_frame(&mut self, frame: FrameInfo) {
        if self.inner.backtrace.len() < Self::MAX_FRAMES {
            self.inner.backtrace.push(frame);
        }
    }
}

impl From<TrapCode> for Trap {
    #[cold]
    fn from(code: TrapCode) -> Trap {
        Trap::from_reason(Reason::Code(code))
    }
}

impl Text for Trap {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match &self.inner.reason {
            Reason::Code(c) => c.write_to(f),
            // The host's error is the embedder's type: its `Display`, whatever that links.
            #[cfg(feature = "messages")]
            Reason::Host(e) => crate::text::display(f, e),
            // Without words, not even the host's: `core::fmt::write` stays out.
            #[cfg(not(feature = "messages"))]
            Reason::Host(_) => f.put("host error"),
            Reason::Message(m) => f.put(m),
            Reason::Exception(_) => f.put("uncaught wasm exception"),
        }
    }
}

display_by_text!(TrapCode, Trap);

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Trap");
        match &self.inner.reason {
            Reason::Code(c) => d.field("code", c),
            Reason::Host(e) => d.field("host", e),
            Reason::Message(m) => d.field("message", m),
            Reason::Exception(e) => d.field("exception", e),
        };
        if !self.inner.backtrace.is_empty() {
            d.field("backtrace", &self.inner.backtrace);
        }
        d.finish()
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::TrapCode;

    /// The status is the declaration's order, which the docs promise and a build without
    /// words shows; every code round-trips through it.
    #[test]
    fn status_is_the_place_in_the_declaration() {
        for (i, &code) in TrapCode::ALL.iter().enumerate() {
            assert_eq!(code.status(), code as u32 + 1);
            assert_eq!(code.status(), i as u32 + 1);
            assert_eq!(TrapCode::from_status(code.status()), Some(code));
        }
        assert_eq!(TrapCode::from_status(0), None);
    }
}
