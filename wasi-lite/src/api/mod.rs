//! The preview1 functions, one module per family. Each takes the context and the guest
//! memory with the raw arguments (pointers as u32) and returns `Ok` or an errno; the
//! linker glue (`linker.rs`) turns that into the i32 the guest receives.

pub(crate) mod args;
pub(crate) mod clock;
pub(crate) mod fd;
pub(crate) mod path;
pub(crate) mod poll;
pub(crate) mod proc;
pub(crate) mod sock;
