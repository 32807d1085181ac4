//! The threads proposal's atomic memory operators (`wisp_core::wasm::atomic`, the one
//! table every tier reads): the interpreter's checks in its order (the alignment of
//! `addr + offset`, then the bounds, explicitly even in a guarded memory, so that no
//! atomic instruction is a trap site), then Cranelift's atomic instructions, which are
//! sequentially consistent on every architecture as the proposal's operators are. `wait`
//! and `notify` call the runtime (core's parking lot).

use cranelift_codegen::ir::{types, AtomicRmwOp, InstBuilder, Type, Value};
use wisp_core::wasm::atomic::{Atomic, AtomicOp, Rmw};
use wisp_core::TrapCode;

use super::Translator;
use crate::libcalls::Libcall;

/// The Cranelift type of an access of `bytes` bytes.
fn cell_type(bytes: u8) -> Type {
    match bytes {
        1 => types::I8,
        2 => types::I16,
        4 => types::I32,
        _ => types::I64,
    }
}

impl Translator<'_, '_> {
    /// An atomic memory operator.
    pub(super) fn op_atomic(&mut self, atomic: Atomic) {
        let operands = match atomic.op {
            AtomicOp::Load => 0,
            AtomicOp::Store | AtomicOp::Rmw(_) | AtomicOp::Notify => 1,
            AtomicOp::Cmpxchg | AtomicOp::Wait => 2,
        };
        let values = self.popn(operands);
        let addr = self.pop();
        let memarg = atomic.memarg;
        let mem = super::memory::memory_of(&memarg);
        let ty = self.env.module.memories[mem as usize];
        let bytes = atomic.bytes;
        // The alignment of `addr + offset` (modulo 2^64) first, as `effective_address`.
        if bytes > 1 {
            let wide = match ty.memory64 {
                true => addr,
                false => self.b.ins().uextend(types::I64, addr),
            };
            let ea = self.b.ins().iadd_imm_u(wide, memarg.offset as i64);
            let misaligned = self.b.ins().band_imm_u(ea, i64::from(bytes - 1));
            self.trap_if(misaligned, TrapCode::UnalignedAtomic);
        }
        let (p, flags) = self.heap_addr_checked(memarg, addr, u32::from(bytes));
        let cell = cell_type(bytes);
        let value_type = if atomic.wide { types::I64 } else { types::I32 };
        let result = match atomic.op {
            AtomicOp::Load => {
                let v = self.b.ins().atomic_load(cell, flags, p);
                Some(self.widen_to(v, value_type))
            }
            AtomicOp::Store => {
                let v = self.narrow_to(values[0], cell);
                self.b.ins().atomic_store(flags, v, p);
                None
            }
            AtomicOp::Rmw(op) => {
                let v = self.narrow_to(values[0], cell);
                let op = match op {
                    Rmw::Add => AtomicRmwOp::Add,
                    Rmw::Sub => AtomicRmwOp::Sub,
                    Rmw::And => AtomicRmwOp::And,
                    Rmw::Or => AtomicRmwOp::Or,
                    Rmw::Xor => AtomicRmwOp::Xor,
                    Rmw::Xchg => AtomicRmwOp::Xchg,
                };
                let old = self.b.ins().atomic_rmw(cell, flags, op, p, v);
                Some(self.widen_to(old, value_type))
            }
            AtomicOp::Cmpxchg => {
                let expected = self.narrow_to(values[0], cell);
                let replacement = self.narrow_to(values[1], cell);
                let old = self.b.ins().atomic_cas(flags, p, expected, replacement);
                Some(self.widen_to(old, value_type))
            }
            AtomicOp::Wait if !ty.shared => {
                // After the checks, as the interpreter: what follows is unreachable.
                self.trap(TrapCode::AtomicWaitNonSharedMemory);
                self.reachable = false;
                None
            }
            AtomicOp::Wait => {
                let expected = match atomic.wide {
                    true => values[0],
                    false => self.b.ins().uextend(types::I64, values[0]),
                };
                let bytes = self.i32_const(i64::from(bytes));
                let args = [self.vmctx, p, bytes, expected, values[1]];
                Some(self.call_checked_out(Libcall::AtomicWait, &args, types::I32))
            }
            // No waiter can be on an unshared memory.
            AtomicOp::Notify if !ty.shared => Some(self.i32_const(0)),
            AtomicOp::Notify => Some(self.call_libcall(Libcall::AtomicNotify, &[p, values[0]])[0]),
        };
        if let Some(v) = result {
            self.push(v);
        }
    }

    /// `v` (an `i32` or `i64`) truncated to `to`, the cell's type.
    fn narrow_to(&mut self, v: Value, to: Type) -> Value {
        match self.b.func.dfg.value_type(v) == to {
            true => v,
            false => self.b.ins().ireduce(to, v),
        }
    }

    /// `v` (a cell's value) zero-extended to `to`, the operator's value type.
    fn widen_to(&mut self, v: Value, to: Type) -> Value {
        match self.b.func.dfg.value_type(v) == to {
            true => v,
            false => self.b.ins().uextend(to, v),
        }
    }
}
