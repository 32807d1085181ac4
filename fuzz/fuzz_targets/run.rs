//! Instantiate and run on the interpreter: a module (wasm-smith's, from the input, with the
//! differential test's configuration; or the input itself when it is a binary module, as
//! the seeds are) is instantiated with fuel and every exported function is called with
//! zero arguments. Nothing may panic; every call ends in results or a trap; and afterwards
//! the same engine and store still instantiate and run a known module.
//!
//! Seeds: `fuzz/corpus/run/` (small modules from the repository).

#![no_main]


use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wisp_test_support::oracle;
use wisp::{Config, Engine, Extern, ExternType, Linker, Module, Store, Tier, Val};

/// Fuel for instantiation and for each call.
const FUEL: u64 = 100_000;

/// Per memory, so that `memory.grow` cannot take the fuzzer's RSS budget.
const MAX_MEMORY_BYTES: u64 = 16 << 20;

/// A module that needs nothing, to show the engine and store still work.
const GOOD: &str = r#"(module (func (export "answer") (result i32) (i32.const 42)))"#;

fn engine(lazy: bool) -> Engine {
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .wasm_wide_arithmetic(true)
        .lazy_translation(lazy)
        .max_memory_bytes(MAX_MEMORY_BYTES)
        .max_table_elements(100_000);
    Engine::with_tier(&config, Tier::Interp).expect("the interpreter is always available")
}

/// The module to run: the input if it is one, else wasm-smith's from the input.
fn module_bytes(data: &[u8]) -> Option<Vec<u8>> {
    if data.starts_with(b"\0asm") {
        return Some(data.to_vec());
    }
    let mut u = Unstructured::new(data);
    let module = wasm_smith::Module::new(oracle::smith_config(), &mut u).ok()?;
    Some(module.to_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Some(wasm) = module_bytes(data) else {
        return;
    };
    // Lazy (the default) or eager translation, by the input's last byte.
    let lazy = data.last().is_none_or(|b| b & 1 == 0);
    let engine = engine(lazy);
    let Ok(module) = Module::new(&engine, &wasm) else {
        return;
    };
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL).unwrap();

    // Imported functions (only in seeds: generated modules import nothing) return zeros.
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

    if let Ok(instance) = linker.instantiate(&mut store, &module) {
        for (name, ext) in instance.exports(&store).unwrap() {
            let Extern::Func(f) = ext else { continue };
            let ty = f.ty(&store).unwrap();
            let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            store.set_fuel(FUEL).unwrap();
            if let Err(e) = f.call(&mut store, &params, &mut results) {
                assert!(
                    e.as_trap().is_some(),
                    "calling {name:?} with well-typed arguments failed without a trap: {e}"
                );
            }
        }
    }

    // The engine and the store keep working after whatever the module did.
    let good = Module::new(&engine, wisp::wat::parse_str(GOOD).unwrap()).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &good)
        .expect("the store instantiates a good module after the fuzzed one");
    let answer = instance
        .get_typed_func::<(), i32>(&store, "answer")
        .unwrap();
    store.set_fuel(FUEL).unwrap();
    assert_eq!(answer.call(&mut store, ()).unwrap(), 42);
});
