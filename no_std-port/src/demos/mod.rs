//! The demonstrations, one module per guest, and what they share: the embedded guests,
//! instantiation, and how a trap is described.

pub mod compute;
pub mod floats;
pub mod fuel;
pub mod traps;

use core::fmt;

use wisp::text::{Out, Text};
use wisp::{Engine, Instance, Linker, Module, Store, Trap};

use crate::device::{self, Device, DeviceError};

/// The guests, compiled from `guests/*.wat` by `build.rs`.
pub const COMPUTE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compute.wasm"));
pub const FLOATS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/floats.wasm"));
pub const TRAP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/trap.wasm"));
pub const FUEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fuel.wasm"));
pub const INVALID: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/invalid.wasm"));

/// Loads (decodes and validates) `wasm` and instantiates it in a new store with the device's
/// host functions. The module reads `wasm` in flash rather than copying it to RAM.
pub fn instantiate(
    engine: &Engine,
    wasm: &'static [u8],
) -> wisp::Result<(Store<Device>, Instance)> {
    let module = Module::from_static(engine, wasm)?;
    let mut linker = Linker::new(engine);
    device::add_to_linker(&mut linker)?;
    let mut store = Store::new(engine, Device::default());
    let instance = linker.instantiate(&mut store, &module)?;
    Ok((store, instance))
}

/// An error as the report shows it. A trap gives its reason, then the wasm frames,
/// innermost first, named from the module's name section; anything else its message.
pub struct Failure<'a>(pub &'a wisp::Error);

impl Text for Failure<'_> {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self.0.as_trap() {
            Some(trap) => describe_trap(trap, f),
            None => self.0.write_to(f),
        }
    }
}

fn describe_trap(trap: &Trap, f: &mut dyn Out) -> fmt::Result {
    /// Frames shown; a runaway recursion would otherwise fill the line.
    const SHOWN: usize = 3;
    // wisp shows a host's error only by its `Display`, and only with its `messages`
    // feature: the board's own errors are written here by their `Text`, without either.
    match trap.downcast_ref::<DeviceError>() {
        Some(device) => device.write_to(f)?,
        None => trap.write_to(f)?,
    }
    let frames = trap.backtrace();
    for (i, frame) in frames.iter().take(SHOWN).enumerate() {
        f.put(if i == 0 { " [at " } else { " <- " })?;
        match &frame.func_name {
            Some(name) => f.put(name)?,
            None => wisp::put!(f, "func {}", frame.func_index)?,
        }
    }
    if frames.len() > SHOWN {
        f.put(" <- ...")?;
    }
    if !frames.is_empty() {
        f.put("]")?;
    }
    Ok(())
}
