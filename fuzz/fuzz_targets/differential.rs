//! Differential: a wasm-smith module from the input runs on the interpreter (the reference),
//! the JIT, tier-up with switches forced at every first call and loop header, and the mixed
//! tier (seeded from the input), exactly as `jit/tests/differential.rs` runs them: every
//! outcome a guest can observe must be the interpreter's (results with NaNs canonicalised,
//! trap codes, fuel used, exported memories and globals; `test-support/src/oracle.rs`), and no
//! compile may fail. Then wasmi runs the same module as an independent oracle: results, trap
//! codes, globals after each call, and memories and globals at the end must match the
//! interpreter's, up to the first step where either side ran out of fuel or stack (the two
//! runtimes count neither alike, so what follows is not comparable).

#![no_main]


use std::sync::Arc;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wisp_test_support::oracle;
use oracle::{Failures, Outcome, Step, Value};
use wisp_core::{Config, Engine, ExternType, Val};

/// Per memory, on every engine (wasmi's `StoreLimits` the same), so growth is comparable
/// and bounded.
const MAX_MEMORY_BYTES: u64 = 16 << 20;
const MAX_TABLE_ELEMENTS: u32 = 100_000;
/// wasmi charges fuel differently; enough that it rarely stops where wisp does not.
const WASMI_FUEL: u64 = oracle::FUEL * 16;

fn config() -> Config {
    let mut config = oracle::config();
    config
        .max_memory_bytes(MAX_MEMORY_BYTES)
        .max_table_elements(MAX_TABLE_ELEMENTS);
    config
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(seed) = u.arbitrary::<u64>() else {
        return;
    };
    let Ok(module) = wasm_smith::Module::new(oracle::smith_config(), &mut u) else {
        return;
    };
    let wasm = module.to_bytes();
    // Native frames of generated functions can be large: the call-depth bound, not the
    // native stack, must end recursion on every tier (as in the differential test).
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || compare(seed, &wasm))
        .expect("a thread for the run")
        .join()
        .expect("the run does not panic");
});

fn compare(seed: u64, wasm: &[u8]) {
    let reference = Engine::with_executor(config(), Arc::new(wisp_interp::Interpreter::new()));
    let expected = oracle::run(&reference, wasm)
        .unwrap_or_else(|e| panic!("the interpreter refuses a wasm-smith module: {e}"));

    let failures = Failures::default();
    // None where the JIT does not run on this host.
    let engines = oracle::native_engines(config(), seed, &failures).unwrap_or_default();
    for (name, engine) in engines {
        let got = oracle::run(&engine, wasm).unwrap_or_else(|e| panic!("{name}: {e}"));
        let failed = std::mem::take(&mut *failures.lock().unwrap());
        assert!(
            failed.is_empty(),
            "{name}: compiling failed:\n{}",
            failed.join("\n")
        );
        assert!(
            got == expected,
            "{name} differs from the interpreter\n{name}: {got:?}\ninterp: {expected:?}"
        );
    }

    if let Err(difference) = against_wasmi(&reference, wasm, &expected) {
        panic!("wasmi differs from the interpreter: {difference}\ninterp: {expected:?}");
    }
}

/// Traps whose point depends on how a runtime counts fuel and frames.
fn incomparable(step: &Step) -> bool {
    match step {
        Step::Trap(code) => code == "OutOfFuel" || code == "StackExhausted",
        Step::Error(_) => true,
        Step::Ok(_) => false,
    }
}

/// wasmi's trap codes by the names of wisp's (`format!("{:?}", wisp_core::TrapCode)`).
fn trap_name(code: wasmi::TrapCode) -> &'static str {
    use wasmi::TrapCode as T;
    match code {
        T::UnreachableCodeReached => "Unreachable",
        T::MemoryOutOfBounds => "MemoryOutOfBounds",
        T::TableOutOfBounds => "TableOutOfBounds",
        T::IndirectCallToNull => "IndirectCallToNull",
        T::IntegerDivisionByZero => "IntegerDivisionByZero",
        T::IntegerOverflow => "IntegerOverflow",
        T::BadConversionToInteger => "BadConversionToInteger",
        T::StackOverflow => "StackExhausted",
        T::BadSignature => "BadSignature",
        T::OutOfFuel => "OutOfFuel",
        T::GrowthOperationLimited => "GrowthOperationLimited",
        T::OutOfSystemMemory => "OutOfSystemMemory",
    }
}

fn step_of(error: &wasmi::Error) -> Step {
    match error.as_trap_code() {
        Some(code) => Step::Trap(trap_name(code).into()),
        None => Step::Error(error.to_string()),
    }
}

/// A wasmi value as the oracle compares values: NaNs as one, references by nullness.
fn value_of(v: &wasmi::Val) -> Option<Value> {
    Some(match v {
        wasmi::Val::I32(x) => Value::I32(*x),
        wasmi::Val::I64(x) => Value::I64(*x),
        wasmi::Val::F32(f) => {
            let bits = f.to_bits();
            if f32::from_bits(bits).is_nan() {
                Value::NaN
            } else {
                Value::F32(bits)
            }
        }
        wasmi::Val::F64(f) => {
            let bits = f.to_bits();
            if f64::from_bits(bits).is_nan() {
                Value::NaN
            } else {
                Value::F64(bits)
            }
        }
        wasmi::Val::FuncRef(f) => Value::Ref { null: f.is_null() },
        wasmi::Val::ExternRef(r) => Value::Ref { null: r.is_null() },
        // SIMD is off in the generator's configuration.
        wasmi::Val::V128(_) => return None,
    })
}

/// An argument from `oracle::arguments` for wasmi (references there are always null).
fn to_wasmi(v: &Val) -> Option<wasmi::Val> {
    Some(match *v {
        Val::I32(x) => wasmi::Val::I32(x),
        Val::I64(x) => wasmi::Val::I64(x),
        Val::F32(bits) => wasmi::Val::F32(wasmi::F32::from_bits(bits)),
        Val::F64(bits) => wasmi::Val::F64(wasmi::F64::from_bits(bits)),
        Val::FuncRef(None) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Val::ExternRef(None) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
        _ => return None,
    })
}

/// FNV-1a, as the oracle hashes memories (`oracle::fnv`, which is private to it).
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `wasm` on wasmi as `oracle::run` runs it on wisp (same calls, same order, same
/// arguments) and compares with the interpreter's `expected`. `Ok` also when the two stop
/// being comparable.
fn against_wasmi(reference: &Engine, wasm: &[u8], expected: &Outcome) -> Result<(), String> {
    // Export types and order as wisp sees them (`oracle::run` salts arguments by the
    // export's index among all exports).
    let module = wisp_core::Module::new(reference, wasm).map_err(|e| e.to_string())?;

    let mut config = wasmi::Config::default();
    config.consume_fuel(true);
    let engine = wasmi::Engine::new(&config);
    let Ok(wmodule) = wasmi::Module::new(&engine, wasm) else {
        // Refused by wasmi's own validator or limits: nothing to compare.
        return Ok(());
    };
    let limits = wasmi::StoreLimitsBuilder::new()
        .memory_size(MAX_MEMORY_BYTES as usize)
        .table_elements(MAX_TABLE_ELEMENTS as usize)
        .build();
    let mut store = wasmi::Store::new(&engine, limits);
    store.limiter(|limits| limits);
    store.set_fuel(WASMI_FUEL).map_err(|e| e.to_string())?;
    let linker = wasmi::Linker::new(&engine);
    let instantiated = linker.instantiate_and_start(&mut store, &wmodule);

    if incomparable(&expected.instantiate) {
        return Ok(());
    }
    let instance = match instantiated {
        Err(e) if incomparable(&step_of(&e)) => return Ok(()),
        Err(e) => {
            return match expected.instantiate {
                Step::Ok(_) => Err(format!("wasmi did not instantiate: {e}")),
                // Both refused; how each reports it (error or trap) differs.
                _ => Ok(()),
            };
        }
        Ok(instance) => instance,
    };
    if !matches!(expected.instantiate, Step::Ok(_)) {
        return Err(format!(
            "wasmi instantiated, the interpreter: {:?}",
            expected.instantiate
        ));
    }

    let exported_globals = |store: &wasmi::Store<wasmi::StoreLimits>| -> Option<Vec<Value>> {
        module
            .exports()
            .filter(|(_, ty)| matches!(ty, ExternType::Global(_)))
            .map(|(name, _)| value_of(&instance.get_global(store, name)?.get(store)))
            .collect()
    };

    let mut calls = expected.calls.iter();
    for (i, (name, ty)) in module.exports().enumerate() {
        let ExternType::Func(ft) = ty else { continue };
        let Some((expected_name, expected_step, _fuel, expected_globals)) = calls.next() else {
            return Err(format!("the interpreter made no call of {name:?}"));
        };
        if expected_name != name {
            return Err(format!("call order: {expected_name:?} vs {name:?}"));
        }
        if incomparable(expected_step) {
            return Ok(());
        }
        let Some(args) = oracle::arguments(ft.params(), i as u64)
            .iter()
            .map(to_wasmi)
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(());
        };
        let func = instance
            .get_func(&store, name)
            .ok_or_else(|| format!("wasmi has no function export {name:?}"))?;
        let mut results: Vec<wasmi::Val> = func
            .ty(&store)
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        store.set_fuel(WASMI_FUEL).map_err(|e| e.to_string())?;
        let step = match func.call(&mut store, &args, &mut results) {
            Ok(()) => match results.iter().map(value_of).collect::<Option<Vec<_>>>() {
                Some(values) => Step::Ok(values),
                None => return Ok(()),
            },
            Err(e) => step_of(&e),
        };
        if incomparable(&step) {
            return Ok(());
        }
        if step != *expected_step {
            return Err(format!(
                "call {name:?}: wasmi {step:?}, interp {expected_step:?}"
            ));
        }
        let Some(globals) = exported_globals(&store) else {
            return Ok(());
        };
        if globals != *expected_globals {
            return Err(format!(
                "globals after {name:?}: wasmi {globals:?}, interp {expected_globals:?}"
            ));
        }
    }

    for (name, len, hash) in &expected.memories {
        let memory = instance
            .get_memory(&store, name)
            .ok_or_else(|| format!("wasmi has no memory export {name:?}"))?;
        let data = memory.data(&store);
        if data.len() != *len || fnv(data) != *hash {
            return Err(format!(
                "memory {name:?}: wasmi {} bytes, interp {len} bytes, or their contents",
                data.len()
            ));
        }
    }
    for (name, value) in &expected.globals {
        let global = instance
            .get_global(&store, name)
            .ok_or_else(|| format!("wasmi has no global export {name:?}"))?;
        if value_of(&global.get(&store)).as_ref() != Some(value) {
            return Err(format!(
                "global {name:?}: wasmi {:?}, interp {value:?}",
                global.get(&store)
            ));
        }
    }
    Ok(())
}
