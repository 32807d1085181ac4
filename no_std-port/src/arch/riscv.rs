//! QEMU's riscv32 `virt` machine, started with `-bios none` (the firmware runs in M-mode).
//!
//! - console: the NS16550A UART at 0x1000_0000 (`-serial stdio`);
//! - exit: the SiFive test device at 0x10_0000, which ends QEMU with a status;
//! - time: the CLINT's `mtime` counter (10 MHz on virt), read directly, so no interrupts;
//! - LEDs: the machine has none; their state is only remembered.

use core::sync::atomic::{AtomicU32, Ordering};

pub const BOARD: &str = "qemu virt (riscv32imac)";

/// NS16550A registers: transmit holding (offset 0) and line status (offset 5).
const UART_THR: *mut u8 = 0x1000_0000 as *mut u8;
const UART_LSR: *const u8 = 0x1000_0005 as *const u8;
/// Line status bit: the transmit holding register is empty.
const LSR_THRE: u8 = 1 << 5;
/// SiFive test device: `0x5555` ends QEMU with status 0, `code << 16 | 0x3333` with `code`.
const TEST_DEVICE: *mut u32 = 0x0010_0000 as *mut u32;
const TEST_PASS: u32 = 0x5555;
const TEST_FAIL: u32 = 0x3333;
/// CLINT `mtime`, low and high words, and its rate on virt.
const MTIME_LO: *const u32 = 0x0200_bff8 as *const u32;
const MTIME_HI: *const u32 = 0x0200_bffc as *const u32;
const MTIME_HZ: u64 = 10_000_000;

static LED_BITS: AtomicU32 = AtomicU32::new(0);

#[riscv_rt::entry]
fn reset() -> ! {
    exit(crate::firmware_main())
}

/// A CPU exception (a fault, not a wasm trap: wasm traps are values): report it and end
/// the run with status 102 rather than hang.
#[export_name = "ExceptionHandler"]
fn exception_handler(_frame: &riscv_rt::TrapFrame) -> ! {
    use crate::console::Bits;
    println!(
        "cpu exception: mcause {} at mepc {}, mtval {}",
        Bits(riscv::register::mcause::read().bits() as u64, 1),
        Bits(riscv::register::mepc::read() as u64, 8),
        Bits(riscv::register::mtval::read() as u64, 8)
    );
    exit(crate::STATUS_FAULT)
}

pub fn init() {
    // QEMU's UART needs no setup (no baud rate or FIFO configuration), and nothing here
    // uses interrupts.
}

pub fn write(bytes: &[u8]) {
    for &b in bytes {
        // SAFETY: the UART's registers on this machine; polling LSR before each byte.
        unsafe {
            while UART_LSR.read_volatile() & LSR_THRE == 0 {}
            UART_THR.write_volatile(b);
        }
    }
}

pub fn millis() -> u64 {
    // A 64-bit counter read as two words: retry if the high word moved in between.
    loop {
        // SAFETY: CLINT registers on this machine; reads have no side effects.
        let (hi, lo, hi2) = unsafe {
            (
                MTIME_HI.read_volatile(),
                MTIME_LO.read_volatile(),
                MTIME_HI.read_volatile(),
            )
        };
        if hi == hi2 {
            return (u64::from(hi) << 32 | u64::from(lo)) / (MTIME_HZ / 1000);
        }
    }
}

pub fn led_set(index: u32, on: bool) {
    let bit = 1 << index;
    if on {
        LED_BITS.fetch_or(bit, Ordering::Relaxed);
    } else {
        LED_BITS.fetch_and(!bit, Ordering::Relaxed);
    }
}

pub fn led_is_on(index: u32) -> bool {
    LED_BITS.load(Ordering::Relaxed) & (1 << index) != 0
}

#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer register; no memory is touched.
    unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack)) };
    sp
}

/// The hart's stack: riscv-rt's `.stack` region, from the end of the (empty) `.heap` section
/// up to `_stack_start` at the top of RAM.
pub fn stack_bounds() -> (usize, usize) {
    extern "C" {
        static __estack: u32;
        static _stack_start: u32;
    }
    // Only the symbols' addresses are taken; they are never read.
    (
        &raw const __estack as usize,
        &raw const _stack_start as usize,
    )
}

pub fn exit(status: u8) -> ! {
    let word = match status {
        0 => TEST_PASS,
        code => u32::from(code) << 16 | TEST_FAIL,
    };
    // SAFETY: the test device's register on this machine; the write ends the emulator.
    unsafe { TEST_DEVICE.write_volatile(word) };
    loop {
        riscv::asm::wfi();
    }
}
