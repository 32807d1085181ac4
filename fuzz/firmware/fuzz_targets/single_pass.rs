//! The firmware profile's single pass (issue 21) against lazy translation: a module is
//! loaded by two engines with wisp's own validator, one translating each body in the
//! loader's pass (`lazy_translation(false)`, what the firmware runs), one translating on
//! first call. They must accept and refuse the same modules with the same error, and
//! instantiating and calling every export with zero arguments must give the same results,
//! the same traps and the same fuel left, call by call.
//!
//! The first input byte picks the module: even, the rest of the input as bytes (mutated
//! modules from the seeds); odd, a module wasm-smith generates from the rest with the
//! profile's proposals and, when bit 1 is set, invalid function bodies (refused in the
//! middle of the pass, after other bodies were translated).
//!
//! Seeds: `fuzz/corpus/validate_own/` (`cargo +nightly fuzz run --fuzz-dir fuzz/firmware
//! single_pass fuzz/corpus/validate_own`, which adds what it finds there).

#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use wisp::{Config, Engine, Extern, ExternType, Linker, Module, Store, Tier, Val};

/// Fuel for instantiation and for each call.
const FUEL: u64 = 50_000;

fn engine(lazy: bool) -> Engine {
    let mut config = Config::default();
    config
        .own_validator(true)
        .lazy_translation(lazy)
        .consume_fuel(true)
        .max_memory_bytes(4 << 20)
        .max_table_elements(10_000);
    Engine::with_tier(&config, Tier::Interp).expect("the interpreter is always available")
}

/// A module of the firmware profile's proposals, from `data`.
fn generate(data: &[u8], invalid_bodies: bool) -> Option<Vec<u8>> {
    let config = wasm_smith::Config {
        max_imports: 4,
        export_everything: true,
        canonicalize_nans: true,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        threads_enabled: false,
        memory64_enabled: false,
        wide_arithmetic_enabled: false,
        tail_call_enabled: true,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        extended_const_enabled: true,
        custom_page_sizes_enabled: true,
        max_memories: 2,
        max_memory32_bytes: 2 << 16,
        max_tables: 3,
        max_table_elements: 1_000,
        min_funcs: 2,
        max_funcs: 20,
        max_instructions: 1_000,
        allow_invalid_funcs: invalid_bodies,
        ..wasm_smith::Config::default()
    };
    let mut u = arbitrary::Unstructured::new(data);
    Some(wasm_smith::Module::new(config, &mut u).ok()?.to_bytes())
}

/// Loads so far, and bodies translated in the loader's pass: if the second stays zero, the
/// build does not have the pass (a feature turned it off) and the target tests nothing.
static LOADS: AtomicU64 = AtomicU64::new(0);
static STREAMED: AtomicU64 = AtomicU64::new(0);

/// What a load, an instantiation and every call came to, in a form to compare.
fn outcomes(lazy: bool, wasm: &[u8]) -> Vec<String> {
    let engine = engine(lazy);
    let module = match Module::new(&engine, wasm) {
        Ok(module) => module,
        Err(e) => return vec![format!("load: {e}")],
    };
    if !lazy {
        let loads = LOADS.fetch_add(1, Ordering::Relaxed) + 1;
        let streamed = wisp::interp::translation_stats(&module).in_load_pass;
        let streamed = STREAMED.fetch_add(u64::from(streamed), Ordering::Relaxed) + u64::from(streamed);
        assert!(loads < 1_000 || streamed > 0, "no body was translated in the load pass");
    }
    let mut seen = Vec::new();
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL).unwrap();
    // Imported functions return zeros; other imports are left out, so instantiation fails
    // the same way on both sides.
    let mut linker = Linker::new(&engine);
    for (m, n, ty) in module.imports() {
        if let ExternType::Func(ft) = ty {
            let results = ft.results().to_vec();
            let _ = linker.func_new(m, n, ft, move |_, _, out| {
                for (r, t) in out.iter_mut().zip(&results) {
                    *r = Val::default_for(*t);
                }
                Ok(())
            });
        }
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => {
            seen.push(format!("instantiate: {e}"));
            return seen;
        }
    };
    seen.push(format!("instantiated, fuel {:?}", store.get_fuel()));
    for (name, ext) in instance.exports(&store).unwrap() {
        let Extern::Func(f) = ext else { continue };
        let ty = f.ty(&store).unwrap();
        let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        store.set_fuel(FUEL).unwrap();
        let outcome = match f.call(&mut store, &params, &mut results) {
            Ok(()) => format!("{results:?}"),
            Err(e) => {
                assert!(e.as_trap().is_some(), "{name:?} failed without a trap: {e}");
                format!("trap {e}")
            }
        };
        seen.push(format!("{name}: {outcome}, fuel {:?}", store.get_fuel()));
    }
    seen
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let wasm = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        match generate(rest, mode & 2 != 0) {
            Some(bytes) => bytes,
            None => return,
        }
    };
    let in_the_pass = outcomes(false, &wasm);
    let lazily = outcomes(true, &wasm);
    assert_eq!(in_the_pass, lazily, "translating in the load pass differs from translating lazily");
});
