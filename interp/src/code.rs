//! Per-module translated code: one lazily filled cell per defined function, shared by all
//! instances of the module (and all threads using it).

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use wisp_core::module::ModuleInner;
use wisp_core::vm::ArrayCallFn;
use wisp_core::Tier;

use crate::bytecode::{encode, CompiledFunc, Instr};
use crate::translate::{translate, Options};

pub struct ModuleCode {
    /// Each defined function's code once translated, null before. One pointer a function,
    /// allocated zeroed: a module of ten thousand functions costs 80 KB of address space
    /// whose pages the system supplies only when a function is first translated, not a
    /// table initialised up front (which the first call of a large module paid for).
    /// Published with a compare-and-swap: two threads translating one function at once
    /// both do the work, and the loser drops its copy.
    funcs: Box<[AtomicPtr<CompiledFunc>]>,
    options: Options,
    /// Per defined function, what the profiling instructions counted (empty unless the
    /// engine tiers up).
    heat: Box<[Heat]>,
    /// Code replaced by `install_native`: frames may still be running it, so it lives as
    /// long as the table.
    retired: spin::Mutex<Vec<*mut CompiledFunc>>,
    /// Touched once per translated function, so a lock costs nothing measurable (and
    /// 32-bit microcontrollers have no 64-bit atomics).
    stats: spin::Mutex<TranslationStats>,
}

/// What translation has done for a module so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TranslationStats {
    /// Functions translated (lazily, each on its first call, or eagerly).
    pub functions: u32,
    /// Of those, how many were translated in the loader's pass as they were validated
    /// (single-pass loading, `translate::stream`), their bodies decoded once.
    pub in_load_pass: u32,
    /// Size of their wasm bodies.
    pub wasm_bytes: u64,
    /// Size of the bytecode made from them.
    pub bytecode_bytes: u64,
    /// Time spent translating, in nanoseconds (`None` without `std`, which has no clock).
    pub nanos: Option<u64>,
}

/// What the profiling instructions have counted for one function: the tiered engine's
/// view of how hot it is. Counted with relaxed loads and stores rather than atomic
/// increments: the counts steer a heuristic, and a lost update between threads sharing
/// the module costs nothing but a slightly later tier-up.
#[derive(Default)]
pub struct Heat {
    /// Interpreted calls (`Hot`).
    pub calls: AtomicU32,
    /// Interpreted loop header entries (`HotLoop`), all loops of the function together.
    pub loops: AtomicU32,
}

impl Heat {
    /// Adds one to `counter`; returns the new count.
    #[cfg(feature = "tier-up")]
    #[inline(always)]
    pub fn bump(counter: &AtomicU32) -> u32 {
        let n = counter.load(Ordering::Relaxed).wrapping_add(1);
        counter.store(n, Ordering::Relaxed);
        n
    }
}

/// What `module`'s functions are translated for: its engine's configuration's checks.
pub fn options(module: &ModuleInner) -> Options {
    let config = module.engine.config();
    Options {
        fuel: config.get_consume_fuel(),
        interruptible: config.get_interruptible(),
        // Without a native tier to hand hot code to, there is nothing to profile for.
        profile: cfg!(feature = "tier-up") && config.get_tier() == Some(Tier::Tiered),
    }
}

/// The interpreter's code for `module`, created on first use.
pub fn module_code(module: &ModuleInner) -> &ModuleCode {
    let data = module.interp_data.call_once(|| {
        let options = options(module);
        let profile = options.profile;
        Box::new(ModuleCode {
            funcs: null_table(module.bodies.len()),
            options,
            heat: if profile {
                (0..module.bodies.len()).map(|_| Heat::default()).collect()
            } else {
                Box::default()
            },
            retired: spin::Mutex::new(Vec::new()),
            stats: spin::Mutex::new(TranslationStats::default()),
        })
    });
    data.downcast_ref::<ModuleCode>()
        .expect("the interpreter's slot holds its code")
}

impl ModuleCode {
    /// What the module's functions are translated for.
    pub fn options(&self) -> Options {
        self.options
    }

    /// The profile of defined function `def` (only with `options().profile`).
    #[inline(always)]
    pub fn heat(&self, def: u32) -> Option<&Heat> {
        self.heat.get(def as usize)
    }

    /// Makes every later call of defined function `def` run `native` (an array-call
    /// entry for this module's function `def`, valid as long as the module): the
    /// function's code becomes a stub whose one instruction calls it. One atomic store;
    /// frames already running the interpreted code finish there.
    pub fn install_native(&self, module: &ModuleInner, def: u32, native: ArrayCallFn) {
        let ty = module.func_type(module.num_imported_funcs + def);
        // The array holds the parameters on entry and the results on return.
        let slots = ty.slots_len().max(1) as u32;
        let stub = Box::into_raw(Box::new(CompiledFunc {
            code: encode(Vec::from([Instr::EnterNative]), &[]),
            frame_size: slots,
            const_base: slots,
            consts: Box::default(),
            // Slots, as the array lays the parameters out: none to zero.
            num_params: ty.param_slots() as u32,
            num_locals: ty.param_slots() as u32,
            native: Some(native),
            regions: Box::default(),
            clauses: Box::default(),
        }));
        let old = self.funcs[def as usize].swap(stub, Ordering::AcqRel);
        if !old.is_null() {
            self.retired.lock().push(old);
        }
    }
}

/// `len` null pointers, from zeroed memory.
fn null_table(len: usize) -> Box<[AtomicPtr<CompiledFunc>]> {
    // `vec!` of null pointers allocates zeroed memory rather than writing each element.
    let table: Box<[*mut CompiledFunc]> = vec![ptr::null_mut(); len].into_boxed_slice();
    // SAFETY: `AtomicPtr<T>` has the size, alignment and bit validity of `*mut T`.
    unsafe {
        core::mem::transmute::<Box<[*mut CompiledFunc]>, Box<[AtomicPtr<CompiledFunc>]>>(table)
    }
}

// SAFETY: the retired pointers are owned boxes of `CompiledFunc` (itself `Send + Sync`),
// only freed when the table drops.
unsafe impl Send for ModuleCode {}
unsafe impl Sync for ModuleCode {}

impl Drop for ModuleCode {
    fn drop(&mut self) {
        let retired = core::mem::take(self.retired.get_mut());
        for func in self.funcs.iter_mut().map(|c| *c.get_mut()).chain(retired) {
            if !func.is_null() {
                // SAFETY: non-null cells and retired entries hold pointers from
                // `Box::into_raw` (`compiled`, `install_native`), owned by this table.
                drop(unsafe { Box::from_raw(func) });
            }
        }
    }
}

/// Defined function `def` if it has been translated: the calls' fast path.
#[inline(always)]
pub fn translated(code: &ModuleCode, def: u32) -> Option<&CompiledFunc> {
    let func = code.funcs.get(def as usize)?.load(Ordering::Acquire);
    // SAFETY: a published function lives as long as the table (it is freed only when the
    // `ModuleCode` drops), and is never written again.
    unsafe { func.as_ref() }
}

/// Defined function `def`, translated on first call.
pub fn compiled<'a>(code: &'a ModuleCode, module: &ModuleInner, def: u32) -> &'a CompiledFunc {
    if let Some(func) = translated(code, def) {
        return func;
    }
    #[cfg(feature = "std")]
    let start = std::time::Instant::now();
    let func = translate_or_trap(code, module, def);
    #[cfg(feature = "std")]
    let nanos = Some(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX));
    #[cfg(not(feature = "std"))]
    let nanos = None;
    publish(code, module, def, func, nanos)
}

/// Publishes `func` as defined function `def`'s code, translated in `nanos` (if timed),
/// unless another thread published first: the code published either way.
fn publish<'a>(
    code: &'a ModuleCode,
    module: &ModuleInner,
    def: u32,
    func: CompiledFunc,
    nanos: Option<u64>,
) -> &'a CompiledFunc {
    let func = Box::into_raw(Box::new(func));
    let cell = &code.funcs[def as usize];
    match cell.compare_exchange(ptr::null_mut(), func, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            // SAFETY: just published; see `translated`.
            let func = unsafe { &*func };
            let mut stats = code.stats.lock();
            stats.functions += 1;
            stats.wasm_bytes += module.bodies[def as usize].range.len() as u64;
            stats.bytecode_bytes += core::mem::size_of_val(&*func.code) as u64;
            if let Some(nanos) = nanos {
                stats.nanos = Some(stats.nanos.unwrap_or(0).saturating_add(nanos));
            }
            func
        }
        Err(theirs) => {
            // Another thread published first: keep its copy.
            // SAFETY: ours was never shared.
            drop(unsafe { Box::from_raw(func) });
            // SAFETY: see `translated`.
            unsafe { &*theirs }
        }
    }
}

/// Translates defined function `def`; a function that fails to translate (unreachable for
/// validated modules) traps when called rather than failing the host.
fn translate_or_trap(code: &ModuleCode, module: &ModuleInner, def: u32) -> CompiledFunc {
    translate(module, def, code.options).unwrap_or_else(|_| {
        let ty = module.func_type(module.num_imported_funcs + def);
        // In slots: the parameters' width beyond one slot each widens the locals too.
        let num_params = ty.param_slots() as u32;
        let num_locals =
            module.bodies[def as usize].num_locals + num_params - ty.params().len() as u32;
        CompiledFunc {
            code: encode(Vec::from([Instr::Unreachable]), &[]),
            frame_size: num_locals + 1,
            const_base: num_locals + 1,
            consts: Box::default(),
            num_params,
            num_locals,
            native: None,
            regions: Box::default(),
            clauses: Box::default(),
        }
    })
}

/// Translation statistics of `module` so far.
pub fn stats(module: &ModuleInner) -> TranslationStats {
    *module_code(module).stats.lock()
}

/// Modules with less code than this are translated eagerly on one thread: more would
/// cost more to start than they save (a thread costs tens of microseconds; this much code
/// takes about a millisecond and a half to translate).
#[cfg(feature = "std")]
const PARALLEL_BYTES: usize = 64 << 10;

/// Translates every function now (for eager mode): with `std`, on every core (up to 8)
/// for modules of `PARALLEL_BYTES` of code or more. Translation is per function and
/// publishes by compare-and-swap (`compiled`), so workers need nothing but a shared
/// counter of the next function to take.
pub fn translate_all(module: &ModuleInner) {
    let code = module_code(module);
    // What single-pass loading translated already (`translate::stream`), published first.
    let at_load = core::mem::take(&mut *module.translated_at_load.lock());
    for (def, func) in at_load.into_iter().enumerate() {
        if let Some(Ok(func)) = func.map(|f| f.downcast::<CompiledFunc>()) {
            publish(code, module, def as u32, *func, None);
            code.stats.lock().in_load_pass += 1;
        }
    }
    let count = module.bodies.len();
    let next = core::sync::atomic::AtomicUsize::new(0);
    let work = || loop {
        let def = next.fetch_add(1, Ordering::Relaxed);
        if def >= count {
            return;
        }
        compiled(code, module, def as u32);
    };
    #[cfg(feature = "std")]
    {
        let bytes: usize = module.bodies.iter().map(|b| b.range.len()).sum();
        let threads = if bytes < PARALLEL_BYTES {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
        };
        std::thread::scope(|scope| {
            for _ in 1..threads {
                // A thread that cannot start leaves its share to the others.
                let _ = std::thread::Builder::new().spawn_scoped(scope, work);
            }
            work();
        });
    }
    #[cfg(not(feature = "std"))]
    work();
}
