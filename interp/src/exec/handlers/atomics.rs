//! The handlers of the threads proposal's instructions: `Atomic`, every atomic memory
//! operator by its `kind` (`bytecode::AtomicKind`), computed by `wisp_core::wasm::atomic`
//! with its checks in its order; and `AtomicFence`. Built always, linked only with the
//! `threads` feature (`Tag::built`).

use core::sync::atomic::{fence, Ordering};

use wisp_core::wasm::atomic::{self, AtomicOp};
use wisp_core::TrapCode;

use super::super::{trap, Accs, Done, Exec, Ip, Sp};
use super::handler::{step, HandlerOf, Variants};
use super::operands::*;
use crate::bytecode::{payload, words_for, AtomicKind, Slot};

handler!([ip, sp, mem_base, mem_len, ex, fw] fallible Atomic { dst, addr, a, b, offset, kind } =>
    run(sp, mem_base, mem_len, ex, [dst, addr, a, b], get::<u64>(sp, offset), AtomicKind(kind)));

handler!([ip, sp, mem_base, mem_len, ex, fw] plain AtomicFence {} => fence(Ordering::SeqCst));

/// `Instr::Atomic` on the current memory (`mem_base`, `mem_len`).
///
/// # Safety
/// The bytecode contract: the slots are the frame's, `mem_base..mem_base + mem_len` the
/// current memory, and the memory is shared exactly when `kind` says so.
#[inline(always)]
unsafe fn run(
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    [dst, addr, a, b]: [Slot; 4],
    offset: u64,
    kind: AtomicKind,
) -> Result<(), TrapCode> {
    let bytes = kind.bytes();
    // SAFETY (every block below): the contract.
    let base = unsafe { index(sp, addr, kind.index64()) };
    let ea = atomic::effective_address(base, offset, bytes, mem_len as u64)?;
    // SAFETY: `ea + bytes <= mem_len`, aligned to `bytes` (as `mem_base` is to pages).
    let p = unsafe { mem_base.add(ea as usize) };
    let shared = kind.shared();
    let value = |s: Slot| unsafe { index(sp, s, kind.wide()) };
    // SAFETY: `p` is valid and aligned for `bytes`, and atomic where the memory is shared.
    let result = unsafe {
        match kind.op() {
            AtomicOp::Load => atomic::load(p, bytes, shared),
            AtomicOp::Store => {
                atomic::store(p, bytes, value(a), shared);
                return Ok(());
            }
            AtomicOp::Rmw(op) => atomic::rmw(p, bytes, op, value(a), shared),
            AtomicOp::Cmpxchg => atomic::cmpxchg(p, bytes, value(a), value(b), shared),
            AtomicOp::Wait => u64::from(wait(p, bytes, value(a), get::<i64>(sp, b), shared, ex)?),
            AtomicOp::Notify => u64::from(notify(p, get::<u32>(sp, a), shared)),
        }
    };
    // SAFETY: the contract.
    unsafe { set(sp, dst, result) };
    Ok(())
}

/// `memory.atomic.wait32/64`: traps on an unshared memory (no other thread could ever
/// wake it); on a shared one, waits in core's parking lot, stopped by the store's
/// interrupt.
///
/// # Safety
/// `p` is a valid, aligned cell of a memory that is shared exactly when `shared`.
unsafe fn wait(
    p: *mut u8,
    bytes: u64,
    expected: u64,
    timeout: i64,
    shared: bool,
    ex: &mut Exec,
) -> Result<u32, TrapCode> {
    if !shared {
        return Err(TrapCode::AtomicWaitNonSharedMemory);
    }
    #[cfg(feature = "std")]
    {
        // SAFETY: the contract; the store is live while its code runs.
        unsafe { wisp_core::ops::atomic_wait(p, bytes, expected, timeout, &(*ex.store).interrupt) }
    }
    // Without `std` modules with shared memories do not load.
    #[cfg(not(feature = "std"))]
    {
        let _ = (p, bytes, expected, timeout, ex);
        Err(TrapCode::AtomicWaitNonSharedMemory)
    }
}

/// `memory.atomic.notify`: no waiter can be on an unshared memory.
fn notify(p: *mut u8, count: u32, shared: bool) -> u32 {
    if !shared {
        return 0;
    }
    #[cfg(feature = "std")]
    {
        wisp_core::ops::atomic_notify(p, count)
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = (p, count);
        0
    }
}
