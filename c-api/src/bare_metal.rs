//! Without `std` (firmware): memory comes from the C side's `malloc` and `free`, whose
//! heap the firmware sets up (newlib's, a static arena's, an RTOS's), and a panic, which
//! wisp does not do on any input by design, ends in the C side's `abort`.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn abort() -> !;
}

/// C's allocator. `malloc` aligns for any C object (8 bytes on the targets this serves);
/// a larger alignment is served by over-allocating and keeping the block's own address
/// in the word before the aligned one.
struct CAllocator;

/// What `malloc` guarantees.
const MALLOC_ALIGN: usize = 8;

unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: C's malloc; null on failure, which the caller handles.
            return unsafe { malloc(layout.size()) }.cast();
        }
        let Some(size) = layout.size().checked_add(layout.align() + MALLOC_ALIGN) else {
            return core::ptr::null_mut();
        };
        // SAFETY: as above.
        let block = unsafe { malloc(size) }.cast::<u8>();
        if block.is_null() {
            return block;
        }
        // Past the block's start by at least one word, aligned: the block's address fits
        // in the word before it.
        let start = block as usize + MALLOC_ALIGN;
        let aligned = (start + layout.align() - 1) & !(layout.align() - 1);
        let ptr = block.wrapping_add(aligned - block as usize);
        // SAFETY: `ptr - 8` lies within the block (aligned >= start = block + 8).
        unsafe { ptr.cast::<*mut u8>().sub(1).write_unaligned(block) };
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let block = if layout.align() <= MALLOC_ALIGN {
            ptr
        } else {
            // SAFETY: written by `alloc` for this alignment.
            unsafe { ptr.cast::<*mut u8>().sub(1).read_unaligned() }
        };
        // SAFETY: a block from `malloc`.
        unsafe { free(block.cast()) };
    }
}

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: C's abort never returns.
    unsafe { abort() }
}
