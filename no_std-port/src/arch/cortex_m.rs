//! Arm MPS2 with the AN386 image (Cortex-M4F), as QEMU's `mps2-an386` models it.
//!
//! - console: semihosting `SYS_WRITE` to the host's stdout (`-semihosting-config
//!   enable=on,target=native`), so no UART driver is needed;
//! - exit: semihosting `SYS_EXIT_EXTENDED`, which lets QEMU exit with the firmware's status
//!   (plain `SYS_EXIT` on 32-bit Arm only says success or failure);
//! - time: SysTick interrupts every millisecond from the 25 MHz core clock;
//! - LEDs: the FPGAIO LED0 register.

use core::cell::Cell;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::hio::{self, HostStream};
use critical_section::Mutex;

pub const BOARD: &str = "mps2-an386 (Cortex-M4F)";

/// The board's core and SysTick clock (QEMU's `SYSCLK_FRQ` for the MPS2 images).
const CORE_HZ: u32 = 25_000_000;
/// FPGAIO LED0 register: bit n drives user LED n.
const FPGAIO_LED0: *mut u32 = 0x4002_8000 as *mut u32;
/// `SYS_EXIT_EXTENDED` (semihosting v2), not among `cortex_m_semihosting::nr`.
const SYS_EXIT_EXTENDED: usize = 0x20;
/// `ADP_Stopped_ApplicationExit`: a normal exit; the subcode is the status.
const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;

static STDOUT: Mutex<Cell<Option<HostStream>>> = Mutex::new(Cell::new(None));
static MILLIS: AtomicU32 = AtomicU32::new(0);
static LED_BITS: AtomicU32 = AtomicU32::new(0);

/// External interrupts of the MPS2 AN386 image (and QEMU's model of it).
const IRQS: usize = 32;

/// The interrupt vectors after the exceptions': one per interrupt the board has, all to
/// cortex-m-rt's `DefaultHandler` (the firmware enables none; SysTick is an exception).
/// cortex-m-rt's generic table, without its `device` feature, has 240 entries whatever the
/// chip: 832 bytes of flash more. A board support crate provides this table; build.rs
/// provides the empty `device.x` that cortex-m-rt's `device` feature includes.
#[link_section = ".vector_table.interrupts"]
#[no_mangle]
static __INTERRUPTS: [unsafe extern "C" fn(); IRQS] = [DefaultHandler; IRQS];

extern "C" {
    /// cortex-m-rt's handler for exceptions and interrupts with none of their own.
    fn DefaultHandler();
}

#[entry]
fn reset() -> ! {
    exit(crate::firmware_main())
}

pub fn init() {
    // `take` succeeds exactly once; `init` is called once, first thing.
    if let Some(mut p) = cortex_m::Peripherals::take() {
        p.SYST.set_clock_source(SystClkSource::Core);
        p.SYST.set_reload(CORE_HZ / 1000 - 1);
        p.SYST.clear_current();
        p.SYST.enable_interrupt();
        p.SYST.enable_counter();
    }
    let stdout = hio::hstdout().ok();
    critical_section::with(|cs| STDOUT.borrow(cs).set(stdout));
}

/// A CPU fault (not a wasm trap: wasm traps are values): report it and end the run with
/// status 102 rather than hang.
#[exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    println!(
        "hard fault at pc {}",
        crate::console::Bits(u64::from(frame.pc()), 8)
    );
    exit(crate::STATUS_FAULT)
}

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

pub fn write(bytes: &[u8]) {
    if let Some(mut out) = critical_section::with(|cs| STDOUT.borrow(cs).get()) {
        // Nothing useful can be done if the host refuses output.
        let _ = out.write_all(bytes);
    }
}

pub fn millis() -> u64 {
    u64::from(MILLIS.load(Ordering::Relaxed))
}

pub fn led_set(index: u32, on: bool) {
    let bit = 1 << index;
    let bits = if on {
        LED_BITS.fetch_or(bit, Ordering::Relaxed) | bit
    } else {
        LED_BITS.fetch_and(!bit, Ordering::Relaxed) & !bit
    };
    // SAFETY: FPGAIO LED0 is a device register on this board; writing any value is defined
    // (bits above the LED count are ignored).
    unsafe { FPGAIO_LED0.write_volatile(bits) };
}

pub fn led_is_on(index: u32) -> bool {
    LED_BITS.load(Ordering::Relaxed) & (1 << index) != 0
}

#[inline(always)]
pub fn stack_pointer() -> usize {
    cortex_m::register::msp::read() as usize
}

/// The main stack: from the end of `.bss`/`.uninit` up to the top of RAM (cortex-m-rt's
/// `_stack_end` and `_stack_start`).
pub fn stack_bounds() -> (usize, usize) {
    extern "C" {
        static _stack_end: u32;
        static _stack_start: u32;
    }
    // Only the symbols' addresses are taken; they are never read.
    (
        &raw const _stack_end as usize,
        &raw const _stack_start as usize,
    )
}

pub fn exit(status: u8) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, usize::from(status)];
    // SAFETY: SYS_EXIT_EXTENDED takes a pointer to a two-word block (reason, subcode);
    // QEMU ends the process with the subcode. (On hardware without a debugger attached the
    // semihosting `bkpt` faults: this exit is for the emulator.)
    unsafe { cortex_m_semihosting::syscall(SYS_EXIT_EXTENDED, &block) };
    loop {
        cortex_m::asm::wfi();
    }
}
