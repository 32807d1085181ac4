//! The native stack limit wasm frames are checked against.
//!
//! Native code recurses on the thread's own stack, so each function compares its stack
//! pointer, after its prologue, with `StoreInner::stack_limit`. The limit is set on the
//! outermost entry into wasm from the thread's actual stack bounds, leaving a reserve
//! below it for what runs past the check: the frame being entered (whose prologue saves
//! registers at its top), runtime calls, and host functions called from wasm.

use std::cell::Cell;

/// The stack a thread keeps for what runs below the limit, at most. Smaller stacks keep
/// an eighth of themselves, and at least `MIN_RESERVE`.
const MAX_RESERVE: usize = 1 << 20;
const MIN_RESERVE: usize = 16 << 10;
/// Where the thread's stack bounds are unknown: how much wasm may use below the entry.
const UNKNOWN_BOUNDS_BUDGET: usize = 512 << 10;

thread_local! {
    /// This thread's lowest usable stack address and its stack size, once looked up.
    static BOUNDS: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The limit for an execution entered now, on this thread.
pub fn limit() -> usize {
    let here = approximate_sp();
    match bounds() {
        Some((low, size)) => {
            let reserve = (size / 8).clamp(MIN_RESERVE, MAX_RESERVE);
            // A limit above the current stack pointer makes the first function trap:
            // right for a thread with less stack left than the reserve.
            low.saturating_add(reserve)
        }
        None => here.saturating_sub(UNKNOWN_BOUNDS_BUDGET),
    }
}

/// An address in the current frame: the stack pointer, near enough.
#[inline(never)]
fn approximate_sp() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

fn bounds() -> Option<(usize, usize)> {
    BOUNDS.with(|b| {
        if b.get().is_none() {
            b.set(query_bounds());
        }
        b.get()
    })
}

/// The current thread's stack (lowest address, size), from pthreads.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn query_bounds() -> Option<(usize, usize)> {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    // SAFETY: `pthread_getattr_np` initialises `attr` on success, and we destroy it after
    // reading; `addr`/`size` are plain out-parameters.
    unsafe {
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size);
        libc::pthread_attr_destroy(attr.as_mut_ptr());
        if rc != 0 || addr.is_null() || size == 0 {
            return None;
        }
        Some((addr as usize, size))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn query_bounds() -> Option<(usize, usize)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_lies_below_the_current_frame() {
        let sp = approximate_sp();
        let limit = limit();
        assert!(limit < sp, "limit {limit:#x} at or above sp {sp:#x}");
        // The main test thread has megabytes of stack: wasm gets most of it.
        assert!(sp - limit > 256 << 10);
    }
}
