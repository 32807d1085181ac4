//! wisp's own validator (`Config::own_validator`, the firmware profile) against
//! wasmparser's: on every module inside the profile they accept and reject the same; a
//! module outside it may only be refused as outside the profile (`Why::is_outside_profile`:
//! `OutsideProfile` or the proposal it names).
//!
//! The first input byte picks the module: even, the rest of the input as bytes (mutated
//! modules from the seeds); odd, a module wasm-smith generates from the rest, with the
//! profile's proposals and, half the time, invalid function bodies.
//!
//! Seeds: `fuzz/corpus/validate_own/` (the `validate` target's seeds).

#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::validate::Why;
use wisp::{Config, Engine, Error, Module, Tier};

fn engine(own: bool) -> Engine {
    let mut config = Config::default();
    config.own_validator(own);
    Engine::with_tier(&config, Tier::Interp).expect("the interpreter is always available")
}

/// A module of the profile's proposals, from `data`.
fn generate(data: &[u8], invalid_bodies: bool) -> Option<Vec<u8>> {
    // The differential target's generator, without what the profile leaves out.
    let config = wasm_smith::Config {
        max_imports: 4,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        wide_arithmetic_enabled: false,
        memory64_enabled: false,
        threads_enabled: false,
        max_funcs: 20,
        max_instructions: 500,
        allow_invalid_funcs: invalid_bodies,
        ..wisp_test_support::oracle::smith_config()
    };
    let mut u = arbitrary::Unstructured::new(data);
    let module = wasm_smith::Module::new(config, &mut u).ok()?;
    Some(module.to_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        match generate(rest, mode & 2 != 0) {
            Some(bytes) => bytes,
            None => return,
        }
    };
    let theirs = Module::validate(&engine(false), &bytes);
    let ours = Module::validate(&engine(true), &bytes);
    match (&theirs, &ours) {
        (_, Err(Error::Unsupported(e))) if e.code().is_some_and(Why::is_outside_profile) => {}
        (Ok(()), Ok(())) | (Err(_), Err(_)) => {}
        (Ok(()), Err(e)) => panic!("the own validator refuses a valid module: {e}"),
        (Err(e), Ok(())) => panic!("the own validator accepts an invalid module: {e}"),
    }
});
