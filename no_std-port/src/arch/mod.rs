//! The board: everything the shared firmware needs from the hardware, one module per target.
//!
//! Each module provides the same items: `BOARD` (a name for the report), the reset entry
//! (which calls [`crate::firmware_main`]), `init`, `write` (console bytes), `millis`,
//! `led_set`, `led_is_on`, `stack_pointer`, `stack_bounds` (the stack region from the linker script) and
//! `exit` (ends the emulator with the firmware's status).

#[cfg(target_arch = "arm")]
mod cortex_m;
#[cfg(target_arch = "arm")]
pub use self::cortex_m::*;

#[cfg(target_arch = "riscv32")]
mod riscv;
#[cfg(target_arch = "riscv32")]
pub use self::riscv::*;

/// User LEDs the `led_set` host function can address. The MPS2 board has two (FPGAIO
/// LED0 bits 0 and 1); the virt machine has none, so there they are only remembered.
pub const LEDS: u32 = 2;
