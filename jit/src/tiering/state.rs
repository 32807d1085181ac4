//! A tiered module's native state: the entry tables native code and the runtime read,
//! what has been compiled, and the statistics `wisp run --tier-stats` prints.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use wisp_core::module::ModuleInner;
use wisp_core::vm::ArrayCallFn;
use wisp_core::{Module, Tier, TierEvent};

use super::manager::Shared;
use crate::code_memory::CodeMemory;
use crate::compile::{compile_unit, Unit};

/// Where a function or an on-stack-replacement entry is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Stage {
    Interpreted = 0,
    Queued = 1,
    Native = 2,
    /// Compilation failed: it stays interpreted.
    Failed = 3,
    /// Never compiled: it may hold a `v128` (`FuncBody::vector`) and this host's JIT has
    /// no SIMD (`executor::simd_unsupported`). It stays interpreted.
    Kept = 4,
}

impl Stage {
    fn from_u8(v: u8) -> Stage {
        match v {
            1 => Stage::Queued,
            2 => Stage::Native,
            3 => Stage::Failed,
            4 => Stage::Kept,
            _ => Stage::Interpreted,
        }
    }
}

/// What tier-up did with one defined function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FuncTierStats {
    /// The function's index in the module's function index space.
    pub func: u32,
    /// Calls the interpreter ran (each native caller's calls are not counted).
    pub interpreted_calls: u32,
    /// Loop header entries the interpreter ran, over all the function's loops.
    pub interpreted_loops: u32,
    /// When its native code was installed, from the module's first use by the engine.
    pub tiered_up_at: Option<Duration>,
    /// Time spent compiling it.
    pub compile_time: Duration,
    /// Frames that moved from the interpreter to native code mid-execution.
    pub osr_entries: u32,
    /// Why compiling failed, if it did (the function then stays interpreted).
    pub failure: Option<String>,
}

/// A compiled function's on-stack-replacement entry (its array is an `OsrFrame`), and the
/// loops, by byte offset, it enters at.
struct OsrEntry {
    entry: ArrayCallFn,
    loops: Box<[u32]>,
}

/// Statistics not derived from the tables.
#[derive(Default)]
struct Record {
    tiered_up_at: Option<Duration>,
    compile_time: Duration,
    osr_entries: u32,
    failure: Option<String>,
}

/// `TierModule::landings` states.
const NO_LANDINGS: u8 = 0;
const LANDINGS_WANTED: u8 = 1;
const LANDINGS_REQUESTED: u8 = 2;
const LANDINGS: u8 = 3;

/// A module's state under a tiered engine, in its `jit_data` slot.
pub(crate) struct TierModule {
    pub shared: Arc<Shared>,
    /// Per defined function, its array-call entry once compiled (null before).
    array: Box<[AtomicPtr<u8>]>,
    stages: Box<[AtomicU8]>,
    /// Per defined function, whether the code in the module's entry table
    /// (`ModuleInner::native_code`) always returns status 0 (`Unit::status_free`): set
    /// before the entry is written, and like it never changed after.
    status_free: Box<[AtomicBool]>,
    /// Per defined function, whether its native code has loop landings: `NO_LANDINGS`,
    /// `LANDINGS_WANTED` (a frame is hot in a loop while the function is not native yet),
    /// `LANDINGS_REQUESTED` (a compile with them is queued) or `LANDINGS`.
    landings: Box<[AtomicU8]>,
    /// Per compiled function, how a frame moves to it.
    osr: Mutex<HashMap<u32, OsrEntry>>,
    /// Every compiled unit's code, mapped as long as the module lives.
    code: Mutex<Vec<CodeMemory>>,
    records: Mutex<Vec<Record>>,
    started: Instant,
    /// `Tier::Mixed`: the seeded choice of native functions, compiled once.
    mixed: Once,
    /// Functions whose compiles fail on purpose (`Tiered::fail_compiles_of`, for tests of
    /// the fallback).
    refused: Mutex<Vec<u32>>,
}

fn null_table(len: usize) -> Box<[AtomicPtr<u8>]> {
    (0..len)
        .map(|_| AtomicPtr::new(std::ptr::null_mut()))
        .collect()
}

impl TierModule {
    /// `module`'s tiered state, created on first use (and for `Tier::Mixed`, its native
    /// half compiled). `None` only if the module's slot holds another tier's state, which
    /// cannot happen: a module belongs to one engine, whose executor fills the slot.
    pub fn of<'m>(module: &'m Arc<ModuleInner>, shared: &Arc<Shared>) -> Option<&'m TierModule> {
        let data = module.jit_data.call_once(|| {
            let n = module.bodies.len();
            Box::new(TierModule {
                shared: shared.clone(),
                array: null_table(n),
                stages: module
                    .bodies
                    .iter()
                    .map(|body| {
                        let kept =
                            body.is_vector() && crate::executor::simd_unsupported().is_some();
                        AtomicU8::new(if kept {
                            Stage::Kept
                        } else {
                            Stage::Interpreted
                        } as u8)
                    })
                    .collect(),
                status_free: (0..n).map(|_| AtomicBool::new(false)).collect(),
                landings: (0..n).map(|_| AtomicU8::new(NO_LANDINGS)).collect(),
                osr: Mutex::new(HashMap::new()),
                code: Mutex::new(Vec::new()),
                records: Mutex::new((0..n).map(|_| Record::default()).collect()),
                started: Instant::now(),
                mixed: Once::new(),
                refused: Mutex::new(Vec::new()),
            })
        });
        let tiers = data.downcast_ref::<TierModule>()?;
        if let Some(Tier::Mixed { seed }) = module.engine.config().get_tier() {
            tiers.mixed.call_once(|| tiers.compile_mixed(module, seed));
        }
        Some(tiers)
    }

    /// The array-call entry of defined function `def`, if it has native code.
    pub fn array_entry(&self, def: u32) -> Option<*mut u8> {
        let entry = self.array.get(def as usize)?.load(Ordering::Acquire);
        (!entry.is_null()).then_some(entry)
    }

    pub fn stage(&self, def: u32) -> Stage {
        Stage::from_u8(self.stages[def as usize].load(Ordering::Acquire))
    }

    /// Claims defined function `def` for compilation: true for the one caller that moves
    /// it from interpreted to queued.
    pub fn claim(&self, def: u32) -> bool {
        self.stages.get(def as usize).is_some_and(|s| {
            s.compare_exchange(
                Stage::Interpreted as u8,
                Stage::Queued as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        })
    }

    /// Asks for `def`'s landings (a frame of it is hot in a loop): true for the one caller
    /// that should request the compile that adds them, once `def` is native without them.
    /// While it is not native yet, the wish is noted, and the request follows the next
    /// time the loop asks once it is (the interpreter asks again while a loop stays hot):
    /// a function hot by its calls is compiled without landings even if a loop of it got
    /// hot while it waited, since landings slow every call (`translate::Calls::Table`),
    /// and code with them then serves only the frames that enter mid-loop (`install`).
    pub fn want_landings(&self, def: u32) -> bool {
        let Some(state) = self.landings.get(def as usize) else {
            return false;
        };
        if self.stage(def) != Stage::Native {
            let _ = state.compare_exchange(
                NO_LANDINGS,
                LANDINGS_WANTED,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            return false;
        }
        [NO_LANDINGS, LANDINGS_WANTED].into_iter().any(|from| {
            state
                .compare_exchange(
                    from,
                    LANDINGS_REQUESTED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        })
    }

    /// The on-stack-replacement entry that continues a frame of `def` at the loop at byte
    /// `offset`, once `def` is compiled.
    pub fn loop_entry(&self, def: u32, offset: u32) -> Option<ArrayCallFn> {
        if self.stage(def) != Stage::Native {
            return None;
        }
        let osr = self.osr.lock().unwrap_or_else(|e| e.into_inner());
        let osr = osr.get(&def)?;
        osr.loops.contains(&offset).then_some(osr.entry)
    }

    /// Makes every later compile of `def` fail.
    pub fn refuse(&self, def: u32) {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(def);
    }

    /// Counts a frame of `def` moving to native code at the loop at byte `offset`.
    pub fn count_osr_entry(&self, module: &Arc<ModuleInner>, def: u32, offset: u32) {
        self.record(def, |r| r.osr_entries += 1);
        report(module, |m| TierEvent::OsrEntered {
            module: m,
            func: module.num_imported_funcs + def,
            loop_offset: offset,
        });
    }

    fn record(&self, def: u32, f: impl FnOnce(&mut Record)) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = records.get_mut(def as usize) {
            f(r);
        }
    }

    /// Compiles defined function `def` (with loop landings if `landings`) and installs
    /// the result; a failure is recorded, and the function stays as it was (interpreted,
    /// or native without landings).
    pub fn compile(&self, module: &Arc<ModuleInner>, def: u32, landings: bool) {
        let state = &self.landings[def as usize];
        if state.load(Ordering::Acquire) == LANDINGS {
            return;
        }
        // Native callers find compiled functions in the module's own entry table, which
        // modules of JIT engines have for every defined function.
        let table = module.native_code.as_ptr() as usize;
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&def);
        let compiled = if refused {
            Err("compile refused (fault injected by Tiered::fail_compiles_of)".into())
        } else if module.native_code.len() == module.bodies.len() {
            // A callee's flag is read after its entry, which is written after the flag.
            let native_free = |f: u32| {
                let installed = !module.native_code[f as usize]
                    .load(Ordering::Acquire)
                    .is_null();
                installed && self.status_free[f as usize].load(Ordering::Relaxed)
            };
            compile_unit(module, def, table, landings, native_free)
        } else {
            Err("the module has no native code table (loaded by an interpreter engine)".into())
        };
        match compiled {
            Ok(unit) => {
                self.install(module, def, unit);
                if landings {
                    state.store(LANDINGS, Ordering::Release);
                }
            }
            Err(message) => {
                // A function native already stays so (without landings).
                let _ = self.stages[def as usize].compare_exchange(
                    Stage::Queued as u8,
                    Stage::Failed as u8,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                report(module, |m| TierEvent::CompileFailed {
                    module: m,
                    func: module.num_imported_funcs + def,
                    message: message.clone(),
                });
                self.record(def, |r| r.failure = Some(message));
            }
        }
    }

    fn install(&self, module: &Arc<ModuleInner>, def: u32, unit: Unit) {
        let Unit {
            code,
            direct,
            array,
            osr,
            loops,
            stats,
            status_free,
        } = unit;
        // Mapped for as long as the module lives, before anything can call into it.
        self.code
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(code);
        // Code with landings for a function already native without them enters frames
        // mid-loop only: calls keep the code without (`want_landings`).
        let calls_too = self.stage(def) != Stage::Native;
        // SAFETY: `array` and `osr` are array-call trampolines (generated with the
        // array-call signature), in code that lives as long as the module.
        let (array_fn, osr_fn) = unsafe {
            (
                std::mem::transmute::<*mut u8, ArrayCallFn>(array),
                osr.map(|osr| std::mem::transmute::<*mut u8, ArrayCallFn>(osr)),
            )
        };
        if let Some(entry) = osr_fn {
            self.osr.lock().unwrap_or_else(|e| e.into_inner()).insert(
                def,
                OsrEntry {
                    entry,
                    loops: loops.into(),
                },
            );
        }
        if calls_too {
            self.status_free[def as usize].store(status_free, Ordering::Relaxed);
            module.native_code[def as usize].store(direct, Ordering::Release);
            self.array[def as usize].store(array, Ordering::Release);
            wisp_interp::install_native(module, def, array_fn);
            self.stages[def as usize].store(Stage::Native as u8, Ordering::Release);
        }
        let at = self.started.elapsed();
        let compile_time = Duration::from_nanos(stats.nanos);
        self.record(def, |r| {
            r.tiered_up_at.get_or_insert(at);
            r.compile_time += compile_time;
        });
        report(module, |m| TierEvent::Compiled {
            module: m,
            func: module.num_imported_funcs + def,
            compile_time,
            at,
        });
    }

    /// `Tier::Mixed`: compiles each defined function that a hash of `seed` and its index
    /// sends to the native tier.
    fn compile_mixed(&self, module: &Arc<ModuleInner>, seed: u64) {
        for def in 0..module.bodies.len() as u32 {
            if mix(seed ^ u64::from(def)) & 1 == 1 && self.claim(def) {
                self.compile(module, def, true);
            }
        }
    }

    pub fn stats(&self, module: &ModuleInner) -> Vec<FuncTierStats> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records
            .iter()
            .enumerate()
            .map(|(def, r)| {
                let def = def as u32;
                let (calls, loops) = wisp_interp::heat(module, def);
                debug_assert!(r.tiered_up_at.is_none() || self.stage(def) == Stage::Native);
                FuncTierStats {
                    func: module.num_imported_funcs + def,
                    interpreted_calls: calls,
                    interpreted_loops: loops,
                    tiered_up_at: r.tiered_up_at,
                    compile_time: r.compile_time,
                    osr_entries: r.osr_entries,
                    failure: r.failure.clone(),
                }
            })
            .collect()
    }
}

/// Tells the engine's tier listener (`Config::on_tier_event`), if it has one, the event
/// `event` makes of the module.
fn report(module: &Arc<ModuleInner>, event: impl FnOnce(Module) -> TierEvent) {
    if let Some(listener) = module.engine.config().get_tier_listener() {
        listener(&event(Module::from_inner(module.clone())));
    }
}

/// SplitMix64's finaliser: a well-spread hash of a 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
