//! Runs a module and records everything a guest can observe of its run, so that two tiers
//! (or two runtimes) can be compared: the instantiation's outcome, each export's results or
//! trap and the fuel it used, and afterwards every exported memory and global.
//!
//! Shared by the JIT's differential test (`jit/tests/differential.rs`) and the fuzz targets
//! `run` and `differential` (`fuzz/`).

use std::sync::{Arc, Mutex};

use wisp_core::{
    Config, Engine, Error, Extern, Func, Instance, Linker, Module, Store, Tier, TierEvent, TierUp,
    Val, ValType,
};

/// Fuel given to instantiation and to each call: enough for real work, little enough that
/// generated endless loops end quickly (as `OutOfFuel`, at the same point on every tier).
pub const FUEL: u64 = 20_000;

/// Call depth for generated recursion: small, so that it ends in `StackExhausted` long
/// before any native stack limit could.
pub const MAX_CALL_DEPTH: u32 = 300;

/// The configuration every engine under comparison gets.
pub fn config() -> Config {
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .max_call_depth(MAX_CALL_DEPTH)
        .wasm_wide_arithmetic(true);
    config
}

/// Compile failures the native engines reported (`TierEvent::CompileFailed`): each is a
/// JIT bug the interpreter's fallback would otherwise hide.
pub type Failures = Arc<Mutex<Vec<String>>>;

/// The engines compared with the interpreter, each on `base`: the JIT, tier-up with
/// switches forced at every first call and loop header, and the mixed tier seeded with
/// `seed`. Compile failures go to `failures`. An error where the JIT cannot run here.
pub fn native_engines(
    mut base: Config,
    seed: u64,
    failures: &Failures,
) -> Result<Vec<(&'static str, Engine)>, String> {
    let failures = failures.clone();
    base.on_tier_event(move |event| {
        if let TierEvent::CompileFailed { func, message, .. } = event {
            failures
                .lock()
                .unwrap()
                .push(format!("function {func}: {message}"));
        }
    });
    let mut tiered = base.clone();
    tiered.tier(Tier::Tiered).tier_up(TierUp {
        calls: 1,
        loops: 1,
        background: false,
    });
    let mut mixed = base.clone();
    mixed.tier(Tier::Mixed { seed });
    let native = |e: String| format!("no native tier here: {e}");
    Ok(vec![
        (
            "jit",
            Engine::with_executor(base, Arc::new(wisp_jit::Jit::new().map_err(native)?)),
        ),
        (
            "tiered",
            Engine::with_executor(tiered, Arc::new(wisp_jit::Tiered::new().map_err(native)?)),
        ),
        (
            "mixed",
            Engine::with_executor(mixed, Arc::new(wisp_jit::Tiered::new().map_err(native)?)),
        ),
    ])
}

/// How one step (instantiation, or a call) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Results, as canonical raw values.
    Ok(Vec<Value>),
    /// A wasm trap, by code.
    Trap(String),
    /// An error that is not a trap (linking, instantiation limits...).
    Error(String),
}

/// A value as compared: numbers by bits, every scalar NaN as one, `v128`s by all their bits
/// (NaN lanes included), references by nullness.
///
/// Scalar NaNs are one because their bits are the hardware's in wisp (`wisp_core::wasm`):
/// wasm-smith canonicalises the arithmetic's, but not what `demote`, `promote` or a
/// `reinterpret` pass on. SIMD NaNs are canonical on every tier (`wisp_core::wasm::simd`),
/// so a `v128` is compared bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32` that is not a NaN, by bits.
    F32(u32),
    /// An `f64` that is not a NaN, by bits.
    F64(u64),
    /// An `f32` or `f64` NaN, whatever its bits.
    NaN,
    /// A reference of any type, null or not.
    Ref {
        /// Whether it is null.
        null: bool,
    },
    /// A `v128`, by bits (`V128::as_u128`).
    V128(u128),
}

impl Value {
    /// `v` as compared.
    pub fn of(v: &Val) -> Value {
        match *v {
            Val::I32(x) => Value::I32(x),
            Val::I64(x) => Value::I64(x),
            Val::F32(bits) if f32::from_bits(bits).is_nan() => Value::NaN,
            Val::F64(bits) if f64::from_bits(bits).is_nan() => Value::NaN,
            Val::F32(bits) => Value::F32(bits),
            Val::F64(bits) => Value::F64(bits),
            Val::V128(x) => Value::V128(x.as_u128()),
            Val::FuncRef(ref f) => Value::Ref { null: f.is_none() },
            Val::ExternRef(ref r) => Value::Ref { null: r.is_none() },
            Val::ExnRef(ref r) => Value::Ref { null: r.is_none() },
        }
    }
}

/// What a run of a module showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How instantiation (and the start function) ended.
    pub instantiate: Step,
    /// Per exported function, in export order: its name, how the call ended, fuel used,
    /// and the exported globals' values after it (so a difference shows where it began).
    pub calls: Vec<(String, Step, u64, Vec<Value>)>,
    /// Per exported memory: its name, size in bytes and a hash of its contents.
    pub memories: Vec<(String, usize, u64)>,
    /// Per exported global, after the last call: its name and value.
    pub globals: Vec<(String, Value)>,
}

fn step_of(error: &Error) -> Step {
    match error.as_trap() {
        Some(trap) => Step::Trap(match trap.code() {
            Some(code) => format!("{code:?}"),
            None => trap.to_string(),
        }),
        None => Step::Error(error.to_string()),
    }
}

/// Deterministic arguments for a function with `params`: edge values and a mix, chosen by
/// `salt`.
pub fn arguments(params: &[ValType], salt: u64) -> Vec<Val> {
    let mut state = salt;
    params
        .iter()
        .map(|t| {
            state = splitmix(state);
            let pick = state % 8;
            let bits = splitmix(state ^ 0xa5a5);
            match t {
                ValType::I32 => Val::I32(match pick {
                    0 => 0,
                    1 => 1,
                    2 => -1,
                    3 => i32::MIN,
                    4 => i32::MAX,
                    _ => bits as i32,
                }),
                ValType::I64 => Val::I64(match pick {
                    0 => 0,
                    1 => 1,
                    2 => -1,
                    3 => i64::MIN,
                    4 => i64::MAX,
                    _ => bits as i64,
                }),
                ValType::F32 => Val::F32(match pick {
                    0 => 0,
                    1 => (-0.0f32).to_bits(),
                    2 => 1.5f32.to_bits(),
                    3 => f32::INFINITY.to_bits(),
                    4 => f32::NAN.to_bits(),
                    _ => (bits as u32 as f32 / 3.0).to_bits(),
                }),
                ValType::F64 => Val::F64(match pick {
                    0 => 0,
                    1 => (-0.0f64).to_bits(),
                    2 => 1.5f64.to_bits(),
                    3 => f64::NEG_INFINITY.to_bits(),
                    4 => f64::NAN.to_bits(),
                    _ => (bits as i64 as f64 / 7.0).to_bits(),
                }),
                ValType::V128 => Val::from(match pick {
                    0 => 0,
                    1 => u128::MAX,
                    // f32x4: a signalling NaN with a payload, a negative quiet NaN, -0, 1.5.
                    2 => 0x3fc0_0000_8000_0000_ffc0_0001_7f80_0001,
                    // f64x2: a NaN with a payload, -infinity.
                    3 => 0xfff0_0000_0000_0000_7ff4_0000_0000_0001,
                    _ => u128::from(bits) << 64 | u128::from(splitmix(bits)),
                }),
                ValType::Ref(r) => Val::null(*r),
            }
        })
        .collect()
}

/// Instantiates `wasm` (which must import nothing) on `engine` and calls every exported
/// function once, with fresh fuel for each step.
pub fn run(engine: &Engine, wasm: &[u8]) -> Result<Outcome, String> {
    let module = Module::new(engine, wasm).map_err(|e| format!("invalid module: {e}"))?;
    let mut store = Store::new(engine, ());
    store.set_fuel(FUEL).map_err(|e| e.to_string())?;
    let instance = match Linker::new(engine).instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => {
            return Ok(Outcome {
                instantiate: step_of(&e),
                calls: Vec::new(),
                memories: Vec::new(),
                globals: Vec::new(),
            })
        }
    };
    let mut outcome = Outcome {
        instantiate: Step::Ok(Vec::new()),
        calls: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
    };
    let exports = instance.exports(&store).map_err(|e| e.to_string())?;
    for (i, (name, ext)) in exports.iter().enumerate() {
        if let Extern::Func(f) = ext {
            let step = call(&mut store, f, i as u64);
            let used = FUEL - store.get_fuel().map_err(|e| e.to_string())?;
            let globals = exports
                .iter()
                .filter_map(|(_, ext)| match ext {
                    Extern::Global(g) => Some(g.get(&store).map(|v| Value::of(&v))),
                    _ => None,
                })
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            outcome.calls.push((name.clone(), step, used, globals));
        }
    }
    snapshot(&mut outcome, &store, &instance)?;
    Ok(outcome)
}

fn call(store: &mut Store<()>, f: &Func, salt: u64) -> Step {
    let ty = match f.ty(&*store) {
        Ok(ty) => ty,
        Err(e) => return Step::Error(e.to_string()),
    };
    let args = arguments(ty.params(), salt);
    let mut results: Vec<Val> = ty.results().iter().map(|_| Val::I32(0)).collect();
    if let Err(e) = store.set_fuel(FUEL) {
        return Step::Error(e.to_string());
    }
    match f.call(&mut *store, &args, &mut results) {
        Ok(()) => Step::Ok(results.iter().map(Value::of).collect()),
        Err(e) => step_of(&e),
    }
}

fn snapshot(outcome: &mut Outcome, store: &Store<()>, instance: &Instance) -> Result<(), String> {
    for (name, ext) in instance.exports(store).map_err(|e| e.to_string())? {
        match ext {
            Extern::Memory(m) => {
                let data = m.data(store).map_err(|e| e.to_string())?;
                outcome.memories.push((name, data.len(), fnv(data)));
            }
            Extern::Global(g) => {
                let v = g.get(store).map_err(|e| e.to_string())?;
                outcome.globals.push((name, Value::of(&v)));
            }
            _ => {}
        }
    }
    Ok(())
}

/// FNV-1a: enough to tell memories apart.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64: the deterministic byte source for generated modules and arguments.
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `len` pseudo-random bytes from `seed`.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len.div_ceil(8))
        .flat_map(|_| {
            state = splitmix(state);
            state.to_le_bytes()
        })
        .take(len)
        .collect()
}

/// wasm-smith's configuration for what wisp implements (Wasm 2.0 with SIMD, relaxed SIMD,
/// multiple memories, extended constants, tail calls, exception handling), with no imports,
/// everything exported, NaNs canonicalised, and small memories. (wasm-smith generates typed
/// function references only with GC, and exceptions only in the standard encoding: the spec
/// suite covers the rest.)
///
/// NaNs: wasm-smith follows each scalar and SIMD float arithmetic operator it canonicalises
/// (`add`, `sub`, `mul`, `div`, `min`, `max`, `sqrt`, the roundings) with a select of the
/// canonical NaN, so NaN bits never depend on the runtime there; scalar NaNs are otherwise
/// the hardware's in wisp. It leaves the relaxed operators (`relaxed_madd`/`nmadd`,
/// `relaxed_min`/`max`) and SIMD `demote`/`promote` as they are: wisp's tiers agree on them
/// bit for bit anyway (relaxed SIMD deterministic, SIMD NaNs canonical:
/// `wisp_core::wasm::simd`), which is what the comparison between tiers checks; another
/// runtime may not (see `wasmi_incomparable` in the `differential` fuzz target).
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        max_imports: 0,
        export_everything: true,
        canonicalize_nans: true,
        simd_enabled: true,
        relaxed_simd_enabled: true,
        // Atomic operators and shared memories, on one thread: every tier must agree.
        threads_enabled: true,
        exceptions_enabled: true,
        gc_enabled: false,
        tail_call_enabled: true,
        memory64_enabled: true,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: true,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        extended_const_enabled: true,
        max_memories: 2,
        max_memory32_bytes: 4 << 16,
        max_memory64_bytes: 4 << 16,
        max_tables: 3,
        max_table_elements: 1_000,
        min_funcs: 3,
        max_funcs: 30,
        max_instructions: 2_000,
        ..wasm_smith::Config::default()
    }
}

/// A module generated from `seed`.
pub fn generate(seed: u64) -> Result<Vec<u8>, String> {
    let data = bytes(seed, 16 << 10);
    let mut u = arbitrary::Unstructured::new(&data);
    let module = wasm_smith::Module::new(smith_config(), &mut u).map_err(|e| e.to_string())?;
    Ok(module.to_bytes())
}
