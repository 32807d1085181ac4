//! What the firmware offers its guests: the host functions a small device would, in the
//! import module `env`.
//!
//! | import | type | what |
//! |---|---|---|
//! | `log` | `(ptr: i32, len: i32)` | prints `len` bytes of the guest's `memory` export |
//! | `millis` | `() -> i64` | milliseconds since start-up |
//! | `led_set` | `(index: i32, on: i32)` | switches user LED `index` |
//! | `sensor_read` | `(channel: i32) -> i32` | the channel's next 12-bit ADC reading |
//!
//! A guest's mistakes (an LED or channel that doesn't exist, a log range outside its
//! memory) end the guest with a [`DeviceError`] trap; they never reach the firmware as a
//! panic. The sensors are simulated, deterministically, so the guests' results can be
//! checked against the same computation done natively.

use core::fmt;

use wisp::text::Text;

use wisp::{Caller, Extern, Linker, Trap};

use crate::arch;
use crate::console::Escaped;

/// ADC channels `sensor_read` serves.
pub const SENSORS: u32 = 4;
/// Longest log line printed; the rest is counted, not shown.
const LOG_MAX: usize = 96;

/// The store's data: what the host functions remember between calls.
#[derive(Default)]
pub struct Device {
    /// Readings taken so far, per channel: the index of each channel's next reading.
    pub readings: [u32; SENSORS as usize],
}

/// Why a host function stopped its guest.
pub enum DeviceError {
    NoSuchLed(i32),
    NoSuchSensor(i32),
    /// `log` was given a range outside the guest's memory (or it exports none).
    BadLogRange {
        ptr: u32,
        len: u32,
    },
}

impl Text for DeviceError {
    fn write_to(&self, f: &mut dyn wisp::text::Out) -> fmt::Result {
        match self {
            DeviceError::NoSuchLed(i) => {
                wisp::put!(f, "led_set: no LED {} (the board has {})", i, arch::LEDS)
            }
            DeviceError::NoSuchSensor(c) => wisp::put!(
                f,
                "sensor_read: no channel {} (the board has {})",
                c,
                SENSORS
            ),
            DeviceError::BadLogRange { ptr, len } => wisp::put!(
                f,
                "log: {} bytes at {} are outside the guest's memory",
                len,
                ptr
            ),
        }
    }
}

// A host error is `Debug + Display` (`wisp::HostError`); both print the message, so that
// no derived `Debug` (and its formatting builders) is linked.
impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Debug for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The simulated ADC: reading `n` of `channel`, a 12-bit value. A slow triangle wave around
/// a per-channel level plus a little pseudo-random noise, like a temperature sensor.
pub fn sensor_value(channel: u32, n: u32) -> i32 {
    let level = 880 + 150 * channel;
    let phase = n % 64;
    let wave = if phase < 32 { phase } else { 64 - phase };
    // xorshift32 of the reading's identity: deterministic noise in 0..16.
    let mut x = n.wrapping_mul(0x9e37_79b9) ^ (channel + 1).wrapping_mul(0x85eb_ca6b);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    ((level + wave * 4 + (x & 15)) & 0xfff) as i32
}

/// Puts the outputs in their safe state (every LED off) after a guest has stopped, as a
/// device must whatever the guest left behind.
pub fn safe_state() {
    for i in 0..arch::LEDS {
        if arch::led_is_on(i) {
            arch::led_set(i, false);
            println!("[led {} off: safe state after the guest stopped]", i);
        }
    }
}

pub fn add_to_linker(linker: &mut Linker<Device>) -> wisp::Result<()> {
    linker.func_wrap("env", "log", log)?;
    linker.func_wrap("env", "millis", || -> i64 { arch::millis() as i64 })?;
    linker.func_wrap(
        "env",
        "led_set",
        |index: i32, on: i32| -> Result<(), Trap> {
            match u32::try_from(index) {
                Ok(i) if i < arch::LEDS => {
                    arch::led_set(i, on != 0);
                    println!("[led {}{}", i, if on != 0 { " on]" } else { " off]" });
                    Ok(())
                }
                _ => Err(Trap::host(DeviceError::NoSuchLed(index))),
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "sensor_read",
        |mut caller: Caller<'_, Device>, channel: i32| -> Result<i32, Trap> {
            let reading = u32::try_from(channel).ok().and_then(|c| {
                caller
                    .data_mut()
                    .readings
                    .get_mut(c as usize)
                    .map(|r| (c, r))
            });
            match reading {
                Some((c, next)) => {
                    let value = sensor_value(c, *next);
                    *next += 1;
                    Ok(value)
                }
                None => Err(Trap::host(DeviceError::NoSuchSensor(channel))),
            }
        },
    )?;
    Ok(())
}

/// `log(ptr, len)`: prints the bytes as one line, non-printable ones escaped (a guest must
/// not be able to send control sequences to the console).
fn log(caller: Caller<'_, Device>, ptr: i32, len: i32) -> Result<(), Trap> {
    let (ptr, len) = (ptr as u32, len as u32);
    let bad = || Trap::host(DeviceError::BadLogRange { ptr, len });
    let memory = caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(bad)?;
    let data = memory.data(&caller).map_err(|_| bad())?;
    let start = ptr as usize;
    let bytes = start
        .checked_add(len as usize)
        .and_then(|end| data.get(start..end))
        .ok_or_else(bad)?;
    if bytes.len() <= LOG_MAX {
        println!("[guest] {}", Escaped(bytes));
    } else {
        let more = bytes.len() - LOG_MAX;
        println!(
            "[guest] {} ({} more bytes)",
            Escaped(&bytes[..LOG_MAX]),
            more
        );
    }
    Ok(())
}
