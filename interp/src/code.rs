//! Per-module translated code: one lazily filled cell per defined function, shared by all
//! instances of the module (and all threads using it).

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use wisp_core::module::ModuleInner;

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
    /// Touched once per translated function, so a lock costs nothing measurable (and
    /// 32-bit microcontrollers have no 64-bit atomics).
    stats: spin::Mutex<TranslationStats>,
}

/// What translation has done for a module so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TranslationStats {
    /// Functions translated (lazily, each on its first call).
    pub functions: u32,
    /// Size of their wasm bodies.
    pub wasm_bytes: u64,
    /// Size of the bytecode made from them.
    pub bytecode_bytes: u64,
    /// Time spent translating, in nanoseconds (`None` without `std`, which has no clock).
    pub nanos: Option<u64>,
}

/// The interpreter's code for `module`, created on first use.
pub fn module_code(module: &ModuleInner) -> &ModuleCode {
    let data = module.tier_data.call_once(|| {
        Box::new(ModuleCode {
            funcs: null_table(module.bodies.len()),
            options: Options {
                fuel: module.engine.config().get_consume_fuel(),
                interruptible: module.engine.config().get_interruptible(),
            },
            stats: spin::Mutex::new(TranslationStats::default()),
        })
    });
    // An engine has one executor, so a module's tier data is always the interpreter's.
    data.downcast_ref::<ModuleCode>()
        .expect("module tier data belongs to the interpreter")
}

impl ModuleCode {
    /// What the module's functions are translated for.
    pub fn options(&self) -> Options {
        self.options
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

impl Drop for ModuleCode {
    fn drop(&mut self) {
        for cell in self.funcs.iter_mut() {
            let func = *cell.get_mut();
            if !func.is_null() {
                // SAFETY: non-null cells hold pointers from `Box::into_raw` in `compiled`,
                // owned by this table.
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
    let func = Box::into_raw(Box::new(translate_or_trap(code, module, def)));
    let cell = &code.funcs[def as usize];
    match cell.compare_exchange(ptr::null_mut(), func, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            // SAFETY: just published; see `translated`.
            let func = unsafe { &*func };
            let mut stats = code.stats.lock();
            stats.functions += 1;
            stats.wasm_bytes += module.bodies[def as usize].range.len() as u64;
            stats.bytecode_bytes += core::mem::size_of_val(&*func.code) as u64;
            #[cfg(feature = "std")]
            {
                let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
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
    translate(module, def, code.options).unwrap_or_else(|_| CompiledFunc {
        code: encode(Vec::from([Instr::Unreachable])),
        frame_size: module.bodies[def as usize].num_locals + 1,
        const_base: module.bodies[def as usize].num_locals + 1,
        consts: Box::default(),
        num_params: module
            .func_type(module.num_imported_funcs + def)
            .params()
            .len() as u32,
        num_locals: module.bodies[def as usize].num_locals,
    })
}

/// Translation statistics of `module` so far.
pub fn stats(module: &ModuleInner) -> TranslationStats {
    *module_code(module).stats.lock()
}

/// Translates every function now (for eager mode).
pub fn translate_all(module: &ModuleInner) {
    let code = module_code(module);
    for def in 0..module.bodies.len() as u32 {
        compiled(code, module, def);
    }
}
