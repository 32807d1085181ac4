//! wisp-interp: wisp's register-based interpreter, `no_std` + `alloc`.
//!
//! - [`bytecode`]: the register instruction set.
//! - `translate`: wasm operators to bytecode, lazily per function.
//! - `exec`: the executor loop; wasm calls never recurse on the native stack.
//! - `code`: per-module translated code shared by instances.
//! - `float`: IEEE details the hardware operators don't give directly.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod bytecode;
mod code;
mod exec;
mod float;
mod translate;

use alloc::sync::Arc;

use wisp_core::module::ModuleInner;
use wisp_core::{StoreInner, Trap};

/// The interpreter tier. Stateless: per-module code lives in each module, per-call state in
/// each store.
#[derive(Debug, Default, Clone, Copy)]
pub struct Interpreter;

impl Interpreter {
    pub fn new() -> Self {
        Interpreter
    }
}

impl wisp_core::vm::Executor for Interpreter {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn prepare_module(&self, module: &Arc<ModuleInner>) -> wisp_core::Result<()> {
        code::translate_all(module);
        Ok(())
    }

    unsafe fn call(
        &self,
        store: *mut StoreInner,
        func: u32,
        slots: &mut [u64],
    ) -> Result<(), Trap> {
        // SAFETY: forwarded contract.
        unsafe { exec::call(store, func, slots) }
    }
}

pub use code::TranslationStats;

/// How this build dispatches instructions: `"tail"` (handlers jump to each other) or
/// `"loop"` (a loop calls them). Chosen at build time; see `build.rs`.
pub const DISPATCH: &str = if cfg!(wisp_tail_dispatch) {
    "tail"
} else {
    "loop"
};

/// What translation has done for `module` so far (functions, bytes in and out, time).
pub fn translation_stats(module: &wisp_core::Module) -> TranslationStats {
    code::stats(module.inner())
}

/// A translated function as inspection sees it.
#[derive(Debug, Clone)]
pub struct Bytecode {
    pub code: alloc::vec::Vec<bytecode::Instr>,
    /// Slots the frame needs (locals, operand stack, constant pool).
    pub frame_size: u32,
    /// The constant pool, at slots `const_base..` of the frame.
    pub const_base: u32,
    pub consts: alloc::vec::Vec<u64>,
}

/// The translated bytecode of defined function `def` of `module`, for inspection and tests.
pub fn bytecode_of(module: &wisp_core::Module, def: u32) -> Option<Bytecode> {
    let inner = module.inner();
    if def as usize >= inner.bodies.len() {
        return None;
    }
    // Translated again, as the executor's encoding keeps no `Instr`s; with the options
    // the module's engine translates with, so the code is the same.
    let options = code::module_code(inner).options();
    let (code, func) = translate::translate_instrs(inner, def, options).ok()?;
    Some(Bytecode {
        code,
        frame_size: func.frame_size,
        const_base: func.const_base,
        consts: func.consts.to_vec(),
    })
}
