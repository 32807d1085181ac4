//! The global allocator: a linked-list first-fit heap (embedded-alloc's `LlffHeap`) over a
//! static arena, wrapped to count what is live so the report can state the peak.
//!
//! Two figures are kept: bytes requested (what the program asked for) and bytes the
//! allocator had in use (requests rounded up to its block granularity). The second is
//! what the arena must hold, short of fragmentation, which only the arena size proves:
//! every demo runs inside `ARENA_SIZE`.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The heap arena: 32 KiB, the budget the issue sets for the compute demo (which is also
/// checked against it by its own peak). Every demo runs inside it; the report prints the
/// whole run's peak.
pub const ARENA_SIZE: usize = 32 * 1024;

#[global_allocator]
static HEAP: Counting = Counting {
    heap: LlffHeap::empty(),
    live: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
    peak_used: AtomicUsize::new(0),
    peak_used_ever: AtomicUsize::new(0),
};

struct Counting {
    heap: LlffHeap,
    /// Bytes requested and not yet freed.
    live: AtomicUsize,
    /// Highest `live` since the last `reset_peak`.
    peak: AtomicUsize,
    /// Highest `LlffHeap::used` since the last `reset_peak`.
    peak_used: AtomicUsize,
    /// Highest `LlffHeap::used` of the whole run.
    peak_used_ever: AtomicUsize,
}

// SAFETY: forwards to `LlffHeap`, which is a correct allocator; the counters don't change
// what is returned. The firmware is single-threaded and interrupt handlers never allocate,
// so the separate atomic updates cannot interleave with another allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            self.grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { self.heap.dealloc(ptr, layout) };
        self.live.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

impl Counting {
    fn grew(&self, size: usize) {
        let live = self.live.fetch_add(size, Ordering::Relaxed) + size;
        self.peak.fetch_max(live, Ordering::Relaxed);
        let used = self.heap.used();
        self.peak_used.fetch_max(used, Ordering::Relaxed);
        self.peak_used_ever.fetch_max(used, Ordering::Relaxed);
    }
}

/// Hands the arena to the allocator. Call once, before anything allocates.
pub fn init() {
    static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];
    // SAFETY: called once at start-up, before any allocation; the arena is a static used by
    // nothing else.
    unsafe { HEAP.heap.init(&raw mut ARENA as usize, ARENA_SIZE) };
}

/// Heap figures, in bytes.
#[derive(Clone, Copy)]
pub struct Usage {
    /// Requested and live now.
    pub live: usize,
    /// Highest requested-and-live since `reset_peak`.
    pub peak: usize,
    /// Highest in use by the allocator (requests rounded to its blocks) since `reset_peak`.
    pub peak_used: usize,
    /// The same over the whole run.
    pub peak_used_ever: usize,
}

pub fn usage() -> Usage {
    Usage {
        live: HEAP.live.load(Ordering::Relaxed),
        peak: HEAP.peak.load(Ordering::Relaxed),
        peak_used: HEAP.peak_used.load(Ordering::Relaxed),
        peak_used_ever: HEAP.peak_used_ever.load(Ordering::Relaxed),
    }
}

/// Starts a new peak measurement from what is live now.
pub fn reset_peak() {
    HEAP.peak
        .store(HEAP.live.load(Ordering::Relaxed), Ordering::Relaxed);
    HEAP.peak_used.store(HEAP.heap.used(), Ordering::Relaxed);
}
