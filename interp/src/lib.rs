//! wisp-interp: the register-based interpreter (placeholder while being written).
#![no_std]
extern crate alloc;

use wisp_core::{StoreInner, Trap, TrapCode};

#[derive(Debug, Default)]
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
    unsafe fn call(&self, _store: *mut StoreInner, _func: u32, _slots: &mut [u64]) -> Result<(), Trap> {
        Err(TrapCode::Unreachable.into())
    }
}
