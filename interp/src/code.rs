//! Per-module translated code: one lazily filled cell per defined function, shared by all
//! instances of the module (and all threads using it).

use alloc::boxed::Box;
use alloc::vec::Vec;

use wisp_core::module::ModuleInner;

use crate::bytecode::{CompiledFunc, Instr};
use crate::translate::translate;

pub struct ModuleCode {
    funcs: Box<[spin::Once<CompiledFunc>]>,
    fuel: bool,
}

/// The interpreter's code for `module`, created on first use.
pub fn module_code(module: &ModuleInner) -> &ModuleCode {
    let data = module.tier_data.call_once(|| {
        Box::new(ModuleCode {
            funcs: (0..module.bodies.len())
                .map(|_| spin::Once::new())
                .collect(),
            fuel: module.engine.config().get_consume_fuel(),
        })
    });
    // An engine has one executor, so a module's tier data is always the interpreter's.
    data.downcast_ref::<ModuleCode>()
        .expect("module tier data belongs to the interpreter")
}

/// Defined function `def`, translated on first call.
pub fn compiled<'a>(code: &'a ModuleCode, module: &ModuleInner, def: u32) -> &'a CompiledFunc {
    code.funcs[def as usize].call_once(|| {
        translate(module, def, code.fuel).unwrap_or_else(|_| {
            // Unreachable for validated modules; if it happens, the function traps rather
            // than the host failing.
            CompiledFunc {
                code: Vec::from([Instr::Unreachable]).into(),
                frame_size: module.bodies[def as usize].num_locals + 1,
                num_params: module
                    .func_type(module.num_imported_funcs + def)
                    .params()
                    .len() as u32,
                num_locals: module.bodies[def as usize].num_locals,
            }
        })
    })
}

/// Translates every function now (for eager mode).
pub fn translate_all(module: &ModuleInner) {
    let code = module_code(module);
    for def in 0..module.bodies.len() as u32 {
        compiled(code, module, def);
    }
}
