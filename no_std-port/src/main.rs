//! wisp on a microcontroller: firmware that embeds wasm guests, runs them on wisp's
//! interpreter with fuel metering, gives them a device's host functions, and reports what
//! they compute, how they fail, and what it all cost in heap and stack.
//!
//! Boards (see `arch/`): QEMU's `mps2-an386` (Cortex-M4F) and riscv32 `virt`. The run ends
//! the emulator with the firmware's status: 0 when every check passed, otherwise the
//! number of failed checks; 101 after a panic and 102 after a CPU fault.
//!
//! Report lines that start with `~` carry timings and byte counts that move with the host
//! and the code; the rest of the output is deterministic and compared against
//! `expected/<board>.txt` by `run.sh`.

#![no_std]
#![no_main]

extern crate alloc;

#[macro_use]
mod console;
mod arch;
#[macro_use]
mod checks;
mod demos;
mod device;
mod heap;
mod stack;

use wisp::{Config, Engine};

use crate::checks::Checks;

/// Exit status after a panic, which no guest should be able to cause.
pub const STATUS_PANIC: u8 = 101;
/// Exit status after a CPU fault.
pub const STATUS_FAULT: u8 = 102;

/// Called by the board's reset entry; returns the exit status.
pub fn firmware_main() -> u8 {
    // First, while the stack is shallow: everything below this frame gets the paint.
    stack::paint();
    heap::init();
    arch::init();

    println!("wisp firmware on {}", arch::BOARD);
    println!(
        "interpreter dispatch: {}; floats {}; fuel metering on; heap arena {} KiB",
        wisp::interp::DISPATCH,
        if cfg!(feature = "no-float") {
            "left out (no-float)"
        } else {
            "on"
        },
        heap::ARENA_SIZE / 1024
    );

    let mut config = Config::new();
    config
        .consume_fuel(true)
        .wasm_custom_page_sizes(true)
        // Limits for a device rather than a server: a guest may not take more than a few
        // KiB of memory or a few KiB of value stack, whatever it declares or recurses.
        .max_memory_bytes(16 * 1024)
        .max_table_elements(256)
        .max_call_depth(200)
        .max_stack_slots(4096)
        // Single-pass loading: each body is translated as wisp's own validator reads it,
        // decoded once (the `own-validator` build's loader; `translate::stream`).
        .lazy_translation(false);
    let engine = Engine::new(&config);

    let mut checks = Checks::new();
    let compute_heap = demos::compute::run(&engine, &mut checks);
    demos::floats::run(&engine, &mut checks);
    demos::traps::run(&engine, &mut checks);
    demos::fuel::run(&engine, &mut checks);
    drop(engine);

    println!();
    println!("== resources");
    let (bottom, top) = arch::stack_bounds();
    let stack = stack::high_water();
    println!(
        "~    peak native stack {} B of a {} B region",
        stack,
        top - bottom
    );
    check!(checks, stack <= 8 * 1024, "peak native stack within 8 KiB");
    // Issue 21's RAM figure: what wisp takes beyond the guest's memory, stack and heap.
    let ram = stack + compute_heap;
    println!("~    RAM beyond the guest's memory: {} B of stack + {} B of heap for the compute demo = {} B", stack, compute_heap, ram);
    check!(
        checks,
        ram <= 16 * 1024,
        "stack and heap beyond the guest's memory within 16 KiB"
    );
    let heap = heap::usage();
    println!(
        "~    peak heap over the whole run {} B held by the allocator, of a {} B arena",
        heap.peak_used_ever,
        heap::ARENA_SIZE
    );
    check!(
        checks,
        heap.live == 0,
        "every guest's heap returned once its store was dropped"
    );
    checks.finish()
}

/// A panic is a bug (wisp never panics on any input), and the board only needs to know
/// that one happened: the handler ignores `PanicInfo`, so no panic message, source
/// location or the formatting code that would print them is linked.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    println!("panic");
    arch::exit(STATUS_PANIC)
}
