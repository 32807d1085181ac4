//! Where a linear memory's bytes live.
//!
//! On `std` unix hosts a memory is a reservation of address space for everything it may
//! grow to (its maximum within the engine's limit), mapped inaccessible; its live part is
//! made read-write as it grows. The OS hands out zero pages lazily, on first touch, so
//! growth costs address space and a system call, not memory: a guest that grows to 4 GiB
//! and touches one page holds one page. The bytes never move, which lets a tier keep a
//! memory's base where it likes.
//!
//! Elsewhere (`no_std`, other hosts, Miri, or when the reservation cannot be had) the bytes are
//! a heap allocation: allocated zeroed (the allocator may map fresh pages lazily too) and
//! grown by reallocation, which moves them and writes the zeros of every new byte.
//!
//! Invariant, on both paths: `ptr..ptr + len` is initialised (zero or written) memory that
//! this value owns, readable and writable, and nothing else of it is.

use alloc::vec::Vec;

/// The bytes of one linear memory.
pub(crate) enum Storage {
    Heap(Vec<u8>),
    #[cfg(all(feature = "std", unix, not(miri)))]
    Reserved(reserved::Reserved),
}

impl Storage {
    /// `len` zeroed bytes that may grow to `reserve` bytes, in reserved address space where
    /// that is asked for and available (`None` if allocation fails).
    pub(crate) fn new(len: usize, reserve: Option<u64>) -> Option<Storage> {
        #[cfg(all(feature = "std", unix, not(miri)))]
        if let Some(r) = reserve.and_then(|max| reserved::Reserved::new(len, max)) {
            return Some(Storage::Reserved(r));
        }
        let _ = reserve;
        zeroed_vec(len).map(Storage::Heap)
    }

    /// `len` zeroed bytes in a reservation of exactly `reserve` bytes (4 GiB and a guard
    /// region), or `None`: a guarded memory has no fallback.
    #[cfg(all(feature = "std", unix, not(miri)))]
    pub(crate) fn guarded(len: usize, reserve: u64) -> Option<Storage> {
        reserved::Reserved::new(len, reserve).map(Storage::Reserved)
    }

    /// Whether growing to `max` bytes can never move the bytes: a reservation's never
    /// do; a heap allocation's do unless it is already that long.
    pub(crate) fn never_moves(&self, max: u64) -> bool {
        match self {
            Storage::Heap(v) => v.len() as u64 >= max,
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(_) => true,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Storage::Heap(v) => v.len(),
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(r) => r.len,
        }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        match self {
            Storage::Heap(v) => v.as_mut_ptr(),
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(r) => r.base,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Storage::Heap(v) => v,
            // SAFETY: the invariant: `base..base + len` is initialised, readable memory
            // this value owns.
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(r) => unsafe { core::slice::from_raw_parts(r.base, r.len) },
        }
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Storage::Heap(v) => v,
            // SAFETY: as in `bytes`, and writable; `&mut self` makes the slice unique.
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(r) => unsafe { core::slice::from_raw_parts_mut(r.base, r.len) },
        }
    }

    /// Grows to `new_len` zeroed bytes (never shrinks); false if the bytes cannot be had.
    /// The caller checked `new_len` against the memory's maximum.
    pub(crate) fn grow_to(&mut self, new_len: usize) -> bool {
        match self {
            Storage::Heap(v) => {
                let more = new_len.saturating_sub(v.len());
                if v.try_reserve_exact(more).is_err() {
                    return false;
                }
                v.resize(new_len.max(v.len()), 0);
                true
            }
            #[cfg(all(feature = "std", unix, not(miri)))]
            Storage::Reserved(r) => r.grow_to(new_len),
        }
    }
}

/// A zeroed buffer of `len` bytes, or `None` if allocation fails. Allocated zeroed (not
/// filled), so the OS can hand out untouched pages lazily: a large initial memory costs
/// address space, not time.
fn zeroed_vec(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = core::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size. On success the allocation holds `len`
    // initialised (zero) bytes with the global allocator's layout for a `Vec<u8>` of
    // capacity `len`, which is what `from_raw_parts` requires.
    unsafe {
        let ptr = alloc::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return None;
        }
        Some(Vec::from_raw_parts(ptr, len, len))
    }
}

#[cfg(all(feature = "std", unix, not(miri)))]
mod reserved {
    use core::ffi::c_void;
    use core::ptr::null_mut;

    use rustix::mm::{self, MapFlags, MprotectFlags, ProtFlags};

    /// Address space for `reserved` bytes, of which the first `committed` are read-write
    /// and hold the memory's `len` bytes (the rest of the last page is beyond the memory).
    pub(crate) struct Reserved {
        pub(super) base: *mut u8,
        pub(super) len: usize,
        committed: usize,
        reserved: usize,
    }

    fn page_size() -> usize {
        rustix::param::page_size()
    }

    fn round_up(n: usize) -> Option<usize> {
        let page = page_size();
        n.checked_add(page - 1).map(|n| n & !(page - 1))
    }

    impl Reserved {
        /// Reserves room for `max` bytes and commits the first `len`; `None` when the
        /// address space cannot be had (a 32-bit host asked for gigabytes, say), and the
        /// caller falls back to the heap.
        pub(crate) fn new(len: usize, max: u64) -> Option<Reserved> {
            let reserved = round_up(usize::try_from(max).ok()?.max(len))?;
            if reserved == 0 {
                return None;
            }
            // PROT_NONE with NORESERVE: address space only, neither memory nor swap is set
            // aside for it. (The BSDs have no NORESERVE: they set no swap aside for a
            // mapping nothing can write.)
            #[cfg(not(any(target_os = "freebsd", target_os = "dragonfly")))]
            let flags = MapFlags::PRIVATE | MapFlags::NORESERVE;
            #[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
            let flags = MapFlags::PRIVATE;
            // SAFETY: a fresh anonymous mapping at an address the kernel picks: nothing
            // existing is replaced.
            let base =
                unsafe { mm::mmap_anonymous(null_mut(), reserved, ProtFlags::empty(), flags) }
                    .ok()?;
            let mut r = Reserved {
                base: base.cast(),
                len: 0,
                committed: 0,
                reserved,
            };
            // Dropping `r` on failure unmaps the reservation.
            r.grow_to(len).then_some(r)
        }

        pub(crate) fn grow_to(&mut self, new_len: usize) -> bool {
            let Some(committed) = round_up(new_len) else {
                return false;
            };
            if committed > self.reserved {
                return false;
            }
            if committed > self.committed {
                // SAFETY: `committed..` lies inside the reservation, which this value owns;
                // the pages there were never accessible, so no reference points into them.
                // Pages that become readable read as zero until written (anonymous memory).
                let more = unsafe {
                    mm::mprotect(
                        self.base.add(self.committed).cast::<c_void>(),
                        committed - self.committed,
                        MprotectFlags::READ | MprotectFlags::WRITE,
                    )
                };
                if more.is_err() {
                    return false;
                }
                self.committed = committed;
            }
            self.len = self.len.max(new_len);
            true
        }
    }

    impl Drop for Reserved {
        fn drop(&mut self) {
            // SAFETY: the whole reservation is this value's, and the memory entity that
            // owns it is dropped only with its store, after every tier has stopped using
            // it. An error here would mean the mapping was not ours: nothing to do.
            let _ = unsafe { mm::munmap(self.base.cast::<c_void>(), self.reserved) };
        }
    }
}
