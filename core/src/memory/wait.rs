//! `memory.atomic.wait32/64` and `memory.atomic.notify` on shared memories: one parking
//! lot for the process, keyed by the cell's host address (a shared memory never moves,
//! and no two memories overlap, so the address names the cell wherever it is imported).
//!
//! Invariant: a waiter checks the cell and lists itself under the lot's lock, which
//! `notify` takes too; so a store and a `notify` from another thread either come before
//! the check (the waiter sees the new value and returns 1) or find the waiter listed.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use std::vec::Vec;

use crate::wasm::atomic;
use crate::TrapCode;

/// How long a waiter sleeps at most before it looks at its store's interrupt flag.
const INTERRUPT_POLL: Duration = Duration::from_millis(10);

#[derive(Default)]
struct Lot {
    /// The waiters, in arrival order (`notify` wakes the oldest first): cell, id.
    waiting: Vec<(usize, u64)>,
    /// Waiters a `notify` woke that have not yet seen it.
    woken: BTreeSet<u64>,
    next_id: u64,
}

static LOT: Mutex<Lot> = Mutex::new(Lot {
    waiting: Vec::new(),
    woken: BTreeSet::new(),
    next_id: 0,
});
static WAKE: Condvar = Condvar::new();

fn lot() -> MutexGuard<'static, Lot> {
    // A panic elsewhere leaves the lists consistent: every change is one call.
    LOT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits on the `bytes`-byte cell at `cell` of a shared memory while it holds `expected`
/// (truncated to the width): 0 when a `notify` woke it, 1 when the cell held another
/// value, 2 when `timeout_ns` (negative: forever) passed. `interrupt` is the store's
/// interrupt flag: when it is raised the wait ends in an `Interrupted` trap, consuming
/// the flag as the tiers' checks do.
///
/// # Safety
/// `cell` is valid for `bytes` bytes, aligned to them, in a shared memory (accessed
/// atomically by every thread).
pub unsafe fn wait(
    cell: *mut u8,
    bytes: u64,
    expected: u64,
    timeout_ns: i64,
    interrupt: &AtomicBool,
) -> Result<u32, TrapCode> {
    let mask = u64::MAX >> (64 - 8 * bytes);
    let mut lot = lot();
    // SAFETY: the contract.
    if unsafe { atomic::load(cell, bytes, true) } != expected & mask {
        return Ok(1);
    }
    let key = cell as usize;
    let id = lot.next_id;
    lot.next_id += 1;
    lot.waiting.push((key, id));
    let deadline = u64::try_from(timeout_ns)
        .ok()
        .map(|ns| Instant::now() + Duration::from_nanos(ns));
    loop {
        if lot.woken.remove(&id) {
            return Ok(0);
        }
        let now = Instant::now();
        let timed_out = deadline.is_some_and(|d| now >= d);
        let interrupted = interrupt.swap(false, Ordering::Relaxed);
        if timed_out || interrupted {
            lot.waiting.retain(|&(_, w)| w != id);
            return if interrupted {
                Err(TrapCode::Interrupted)
            } else {
                Ok(2)
            };
        }
        let slice = deadline.map_or(INTERRUPT_POLL, |d| (d - now).min(INTERRUPT_POLL));
        lot = WAKE
            .wait_timeout(lot, slice)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Wakes up to `count` waiters of the cell at `cell`, the oldest first; returns how many.
pub fn notify(cell: *mut u8, count: u32) -> u32 {
    let key = cell as usize;
    let mut lot = lot();
    let mut woken = 0u32;
    let Lot {
        waiting,
        woken: set,
        ..
    } = &mut *lot;
    waiting.retain(|&(k, id)| {
        if k == key && woken < count {
            woken += 1;
            set.insert(id);
            false
        } else {
            true
        }
    });
    if woken > 0 {
        WAKE.notify_all();
    }
    woken
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;
    use std::sync::Arc;

    #[test]
    fn a_wait_returns_not_equal_timed_out_or_woken() {
        let cell = Arc::new(AtomicU32::new(7));
        let p = cell.as_ptr().cast::<u8>();
        let flag = AtomicBool::new(false);
        // SAFETY: `cell` is an aligned atomic 4-byte cell.
        unsafe {
            assert_eq!(wait(p, 4, 8, -1, &flag), Ok(1));
            assert_eq!(wait(p, 4, 7, 1_000_000, &flag), Ok(2));
        }
        assert_eq!(notify(p, 1), 0);
        let address = p as usize;
        let waiter = std::thread::spawn(move || {
            let flag = AtomicBool::new(false);
            // SAFETY: as above; the main thread keeps `cell` alive until this joins.
            unsafe { wait(address as *mut u8, 4, 7, 10_000_000_000, &flag) }
        });
        while notify(p, 1) == 0 {
            std::thread::yield_now();
        }
        assert_eq!(waiter.join().unwrap(), Ok(0));
        // An interrupt ends a wait with no timeout.
        flag.store(true, Ordering::Relaxed);
        // SAFETY: as above.
        assert_eq!(
            unsafe { wait(p, 4, 7, -1, &flag) },
            Err(TrapCode::Interrupted)
        );
        assert!(!flag.load(Ordering::Relaxed));
    }
}
