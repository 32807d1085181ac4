//! Differential: a wasm-smith module from the input (SIMD and relaxed SIMD included) runs on
//! the interpreter (the reference), the JIT, tier-up with switches forced at every first call
//! and loop header, and the mixed tier (seeded from the input), exactly as
//! `jit/tests/differential.rs` runs them: every outcome a guest can observe must be the
//! interpreter's, bit for bit (results, `v128`s and their NaN lanes included, with scalar NaNs
//! as one; trap codes, fuel used, exported memories and globals; `test-support/src/oracle.rs`),
//! and no compile may fail. Then wasmi runs the same module as an independent oracle: results,
//! trap codes, globals after each call, and memories and globals at the end must match the
//! interpreter's, up to the first step where the two are not comparable:
//! - either side ran out of fuel or stack (the two runtimes count neither alike);
//! - the call may run an operator wasmi computes otherwise than wisp (`wasmi_incomparable`):
//!   `i32x4.relaxed_dot_i8x16_i7x16_add_s` (wasmi adds the products in `i16` first, wrapping;
//!   wisp sums them exactly in `i32`, Wasmtime's deterministic choice), and the SIMD float
//!   operators whose NaNs wasm-smith does not canonicalise (`relaxed_madd`/`nmadd`,
//!   `relaxed_min`/`max`, `demote`, `promote`: wisp's are canonical, wasmi's the hardware's,
//!   and their bits can reach memory and integers). The other relaxed operators wasmi computes
//!   as wisp's deterministic choice (`relaxed_swizzle` as `swizzle`, `relaxed_trunc` as
//!   `trunc_sat`, `relaxed_laneselect` as `bitselect`, `relaxed_q15mulr_s` as
//!   `q15mulr_sat_s`, `i16x8.relaxed_dot_i8x16_i7x16_s` wrapping in `i16`), so they are
//!   compared.
//! Values are compared with wasmi with every NaN as one: a `v128` agrees if its bits do, or if
//! they do with NaN lanes as one when read as `f32x4` or as `f64x2` (a `v128` has no lane
//! shape of its own). Between wisp's tiers nothing is loosened.

#![no_main]

use std::collections::HashSet;
use std::sync::Arc;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use oracle::{Failures, Outcome, Step, Value};
use wisp_core::{Config, Engine, ExternType, Val};
use wisp_test_support::oracle;

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

/// A wasmi value as the oracle compares values: scalar NaNs as one, `v128`s by bits,
/// references by nullness.
fn value_of(v: &wasmi::Val) -> Value {
    match v {
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
        wasmi::Val::V128(v) => Value::V128(v.as_u128()),
    }
}

/// Whether `lanes` lanes of `bits` each agree with `other`'s: the same bits, or both NaN
/// (a float lane's exponent all ones and its mantissa not zero).
fn lanes_agree(bits: u128, other: u128, lanes: u32) -> bool {
    let width = 128 / lanes;
    let (exponent_bits, mask) = match width {
        32 => (8, u128::from(u32::MAX)),
        _ => (11, u128::from(u64::MAX)),
    };
    let mantissa_bits = width - 1 - exponent_bits;
    let exponent = ((1u128 << exponent_bits) - 1) << mantissa_bits;
    let mantissa = (1u128 << mantissa_bits) - 1;
    let nan = |lane: u128| lane & exponent == exponent && lane & mantissa != 0;
    (0..lanes).all(|i| {
        let (a, b) = ((bits >> (i * width)) & mask, (other >> (i * width)) & mask);
        a == b || (nan(a) && nan(b))
    })
}

/// Whether wasmi's value agrees with wisp's: as the oracle compares (scalar NaNs are one
/// already), and a `v128` also when its NaN lanes, read as `f32x4` or as `f64x2`, are NaN in
/// both: how a runtime may make a NaN is not the spec's to fix.
fn agrees(wasmi: &Value, wisp: &Value) -> bool {
    match (wasmi, wisp) {
        (Value::V128(a), Value::V128(b)) => lanes_agree(*a, *b, 4) || lanes_agree(*a, *b, 2),
        _ => wasmi == wisp,
    }
}

fn all_agree(wasmi: &[Value], wisp: &[Value]) -> bool {
    wasmi.len() == wisp.len() && wasmi.iter().zip(wisp).all(|(a, b)| agrees(a, b))
}

/// Whether `op` is computed otherwise by wasmi than by wisp, bits included, in a module
/// whose NaNs wasm-smith canonicalised (see the module's documentation).
fn diverges_in_wasmi(op: &wasmparser::Operator) -> bool {
    use wasmparser::Operator as O;
    matches!(
        op,
        O::I32x4RelaxedDotI8x16I7x16AddS
            | O::F32x4RelaxedMadd
            | O::F32x4RelaxedNmadd
            | O::F64x2RelaxedMadd
            | O::F64x2RelaxedNmadd
            | O::F32x4RelaxedMin
            | O::F32x4RelaxedMax
            | O::F64x2RelaxedMin
            | O::F64x2RelaxedMax
            | O::F32x4DemoteF64x2Zero
            | O::F64x2PromoteLowF32x4
    )
}

/// What of a module wasmi is not compared on: whether the start function may run an operator
/// that `diverges_in_wasmi`, and the exported functions that may, directly or through calls
/// (a direct call or tail call to such a function, and any indirect call: `call_indirect`,
/// `call_ref` and their tail forms, once the module has one). Conservative: wasmi is compared
/// only up to the first call of one of these, and not at all when the start function is one.
struct WasmiIncomparable {
    start: bool,
    exports: HashSet<String>,
}

fn wasmi_incomparable(wasm: &[u8]) -> Result<WasmiIncomparable, wasmparser::BinaryReaderError> {
    use wasmparser::{ExternalKind, Operator as O, Payload};
    // Per defined function: whether it diverges itself, whether it calls indirectly, and
    // whom it calls directly.
    let mut funcs: Vec<(bool, bool, Vec<u32>)> = Vec::new();
    let mut imported = 0;
    let mut start = None;
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::StartSection { func, .. } => start = Some(func),
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export?;
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let (mut diverges, mut indirect, mut callees) = (false, false, Vec::new());
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let op = ops.read()?;
                    diverges |= diverges_in_wasmi(&op);
                    match op {
                        O::Call { function_index } | O::ReturnCall { function_index } => {
                            callees.push(function_index);
                        }
                        O::CallIndirect { .. }
                        | O::ReturnCallIndirect { .. }
                        | O::CallRef { .. }
                        | O::ReturnCallRef { .. } => indirect = true,
                        _ => {}
                    }
                }
                funcs.push((diverges, indirect, callees));
            }
            _ => {}
        }
    }
    let mut incomparable: HashSet<u32> = (0..funcs.len() as u32)
        .filter(|&i| funcs[i as usize].0)
        .map(|i| i + imported)
        .collect();
    let any = !incomparable.is_empty();
    loop {
        let before = incomparable.len();
        for (i, (_, indirect, callees)) in funcs.iter().enumerate() {
            if (*indirect && any) || callees.iter().any(|c| incomparable.contains(c)) {
                incomparable.insert(i as u32 + imported);
            }
        }
        if incomparable.len() == before {
            break;
        }
    }
    Ok(WasmiIncomparable {
        start: start.is_some_and(|f| incomparable.contains(&f)),
        exports: exports
            .into_iter()
            .filter(|(_, f)| incomparable.contains(f))
            .map(|(name, _)| name)
            .collect(),
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
        Val::V128(x) => wasmi::Val::V128(wasmi::V128::from(x.as_u128())),
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
/// being comparable (see the module's documentation).
fn against_wasmi(reference: &Engine, wasm: &[u8], expected: &Outcome) -> Result<(), String> {
    // Export types and order as wisp sees them (`oracle::run` salts arguments by the
    // export's index among all exports).
    let module = wisp_core::Module::new(reference, wasm).map_err(|e| e.to_string())?;
    let skip = wasmi_incomparable(wasm).map_err(|e| format!("wasmparser: {e}"))?;
    if skip.start {
        return Ok(());
    }

    let mut config = wasmi::Config::default();
    config
        .consume_fuel(true)
        .wasm_wide_arithmetic(true)
        .wasm_memory64(true);
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
            .map(|(name, _)| Some(value_of(&instance.get_global(store, name)?.get(store))))
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
        if incomparable(expected_step) || skip.exports.contains(name) {
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
            Ok(()) => Step::Ok(results.iter().map(value_of).collect()),
            Err(e) => step_of(&e),
        };
        if incomparable(&step) {
            return Ok(());
        }
        let same = match (&step, expected_step) {
            (Step::Ok(got), Step::Ok(want)) => all_agree(got, want),
            _ => step == *expected_step,
        };
        if !same {
            return Err(format!(
                "call {name:?}: wasmi {step:?}, interp {expected_step:?}"
            ));
        }
        let Some(globals) = exported_globals(&store) else {
            return Ok(());
        };
        if !all_agree(&globals, expected_globals) {
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
        if !agrees(&value_of(&global.get(&store)), value) {
            return Err(format!(
                "global {name:?}: wasmi {:?}, interp {value:?}",
                global.get(&store)
            ));
        }
    }
    Ok(())
}
