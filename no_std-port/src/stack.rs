//! Native stack high-water mark: paint the unused stack with a pattern at start-up, and
//! later find the lowest word the pattern no longer covers.
//!
//! This undercounts only if a frame reserves stack it never writes at its far end, which
//! makes it a close lower bound; the report says "peak stack" for what it finds.

use crate::arch;

const PAINT: u32 = 0x5717_C0DE;
/// Left unpainted below the painter's own stack pointer: its frame and anything a
/// compiler-inserted call (none expected) would push.
const MARGIN: usize = 256;

/// Paints the stack from its lowest address up to just below the current frame.
#[inline(never)]
pub fn paint() {
    let (bottom, _) = arch::stack_bounds();
    let end = (arch::stack_pointer() - MARGIN) & !3;
    let mut addr = (bottom + 3) & !3;
    while addr < end {
        // SAFETY: [bottom, end) is the part of the stack region below every live frame,
        // owned by no Rust object; the writes are volatile, so they are neither elided nor
        // assumed to alias anything.
        unsafe { (addr as *mut u32).write_volatile(PAINT) };
        addr += 4;
    }
}

/// The deepest the stack has reached since `paint`, in bytes below its top.
#[inline(never)]
pub fn high_water() -> usize {
    let (bottom, top) = arch::stack_bounds();
    let mut addr = (bottom + 3) & !3;
    // SAFETY: reads within the stack region, below the current frame or of words the
    // program itself wrote; volatile, as they read memory Rust does not track.
    while addr < top && unsafe { (addr as *const u32).read_volatile() } == PAINT {
        addr += 4;
    }
    top - addr
}
