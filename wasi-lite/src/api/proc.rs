//! `proc_raise` and `sched_yield`. (`proc_exit` traps, so it lives with the linker glue.)

use crate::errno::{Errno, WasiResult};

/// Signals are not offered: a guest cannot raise one on itself.
pub(crate) fn proc_raise(_signal: u32) -> WasiResult {
    Err(Errno::NoSys)
}

/// A guest runs on the thread that called it, and wisp has nothing else to schedule in
/// its place: yielding is done by returning.
pub(crate) fn sched_yield() -> WasiResult {
    Ok(())
}
