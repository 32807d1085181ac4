//! Per-module translated code: one lazily filled cell per defined function, shared by all
//! instances of the module (and all threads using it).

use alloc::boxed::Box;
use alloc::vec::Vec;

use wisp_core::module::ModuleInner;

use crate::bytecode::{encode, CompiledFunc, Instr};
use crate::translate::{translate, Options};

pub struct ModuleCode {
    funcs: Box<[spin::Once<CompiledFunc>]>,
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
            funcs: (0..module.bodies.len())
                .map(|_| spin::Once::new())
                .collect(),
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

/// Defined function `def` if it has been translated: the calls' fast path.
#[inline(always)]
pub fn translated(code: &ModuleCode, def: u32) -> Option<&CompiledFunc> {
    code.funcs.get(def as usize)?.get()
}

/// Defined function `def`, translated on first call.
pub fn compiled<'a>(code: &'a ModuleCode, module: &ModuleInner, def: u32) -> &'a CompiledFunc {
    code.funcs[def as usize].call_once(|| {
        #[cfg(feature = "std")]
        let start = std::time::Instant::now();
        let func = translate(module, def, code.options).unwrap_or_else(|_| {
            // Unreachable for validated modules; if it happens, the function traps rather
            // than the host failing.
            CompiledFunc {
                code: encode(Vec::from([Instr::Unreachable])),
                frame_size: module.bodies[def as usize].num_locals + 1,
                const_base: module.bodies[def as usize].num_locals + 1,
                consts: Box::default(),
                num_params: module
                    .func_type(module.num_imported_funcs + def)
                    .params()
                    .len() as u32,
                num_locals: module.bodies[def as usize].num_locals,
            }
        });
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
