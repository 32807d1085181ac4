//! The demonstrations, one module per guest, and what they share: the embedded guests,
//! instantiation, and how a trap is described.

pub mod compute;
pub mod floats;
pub mod fuel;
pub mod traps;

use core::fmt;

use wisp::{Engine, Instance, Linker, Module, Store, Trap};

use crate::device::{self, Device};

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

impl fmt::Display for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_trap() {
            Some(trap) => describe_trap(trap, f),
            None => write!(f, "{}", self.0),
        }
    }
}

fn describe_trap(trap: &Trap, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    /// Frames shown; a runaway recursion would otherwise fill the line.
    const SHOWN: usize = 3;
    write!(f, "{trap}")?;
    let frames = trap.backtrace();
    for (i, frame) in frames.iter().take(SHOWN).enumerate() {
        f.write_str(if i == 0 { " [at " } else { " <- " })?;
        match &frame.func_name {
            Some(name) => f.write_str(name)?,
            None => write!(f, "func {}", frame.func_index)?,
        }
    }
    if frames.len() > SHOWN {
        f.write_str(" <- ...")?;
    }
    if !frames.is_empty() {
        f.write_str("]")?;
    }
    Ok(())
}
