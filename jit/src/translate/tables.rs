//! Table operators, each a call into the runtime, where core's `TableEntity` does the
//! work and the bounds checks (one place for each operation).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};

use super::Translator;
use crate::libcalls::Libcall;

impl Translator<'_, '_> {
    /// Calls `libcall` with `args` and, last, the address of a stack slot for its result
    /// of type `ty`; a failed status goes to the failure exit. Returns the result.
    pub(super) fn call_checked_out(&mut self, libcall: Libcall, args: &[Value], ty: Type) -> Value {
        let slot = self.scratch(ty.bytes());
        let out = self.b.ins().stack_addr(self.env.ptr, slot, 0);
        let mut args = args.to_vec();
        args.push(out);
        self.call_checked(libcall, &args);
        self.b.ins().stack_load(self.env.ptr, ty, slot, 0)
    }

    /// Whether table `table` is indexed by `i64` (table64).
    pub(super) fn table64(&self, table: u32) -> bool {
        self.env.module.tables[table as usize].table64
    }

    /// A table index or count operand as the `i32` the table entity takes: where `table64`,
    /// the `i64` saturated, as `wisp_core::ops::table_index` does for the interpreter (a
    /// table never reaches `u32::MAX` elements, so the saturated value stays out of range).
    pub(super) fn table_operand(&mut self, table64: bool, v: Value) -> Value {
        if !table64 {
            return v;
        }
        let max = self.b.ins().iconst(types::I64, i64::from(u32::MAX));
        let v = self.b.ins().umin(v, max);
        self.b.ins().ireduce(types::I32, v)
    }

    pub(super) fn op_table_get(&mut self, table: u32) {
        let index = self.pop();
        let index = self.table_operand(self.table64(table), index);
        let table = self.i32_const(i64::from(table));
        let v = self.call_checked_out(Libcall::TableGet, &[self.vmctx, table, index], types::I64);
        self.push(v);
    }

    pub(super) fn op_table_set(&mut self, table: u32) {
        let (index, value) = self.pop2();
        let index = self.table_operand(self.table64(table), index);
        let table = self.i32_const(i64::from(table));
        self.call_checked(Libcall::TableSet, &[self.vmctx, table, index, value]);
    }

    pub(super) fn op_table_size(&mut self, table: u32) {
        let table64 = self.table64(table);
        let table = self.i32_const(i64::from(table));
        let r = self.call_libcall(Libcall::TableSize, &[self.vmctx, table])[0];
        let r = match table64 {
            true => self.b.ins().uextend(types::I64, r),
            false => r,
        };
        self.push(r);
    }

    pub(super) fn op_table_grow(&mut self, table: u32) {
        let table64 = self.table64(table);
        let (init, delta) = self.pop2();
        let delta = self.table_operand(table64, delta);
        let table = self.i32_const(i64::from(table));
        let args = [self.vmctx, table, init, delta];
        let r = self.call_checked_out(Libcall::TableGrow, &args, types::I32);
        let r = match table64 {
            // -1 stays -1; a size is zero-extended (sizes stay below `u32::MAX`).
            true => {
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
                let minus_one = self.b.ins().iconst(types::I64, -1);
                let size = self.b.ins().uextend(types::I64, r);
                self.b.ins().select(failed, minus_one, size)
            }
            false => r,
        };
        self.push(r);
    }

    pub(super) fn op_table_fill(&mut self, table: u32) {
        let (dst, value, len) = self.pop3();
        let table64 = self.table64(table);
        let (dst, len) = (
            self.table_operand(table64, dst),
            self.table_operand(table64, len),
        );
        let table = self.i32_const(i64::from(table));
        self.call_checked(Libcall::TableFill, &[self.vmctx, table, dst, value, len]);
    }

    pub(super) fn op_table_copy(&mut self, dst_table: u32, src_table: u32) {
        let (dst, src, len) = self.pop3();
        let (dst64, src64) = (self.table64(dst_table), self.table64(src_table));
        let dst = self.table_operand(dst64, dst);
        let src = self.table_operand(src64, src);
        let len = self.table_operand(dst64 && src64, len);
        let dst_table = self.i32_const(i64::from(dst_table));
        let src_table = self.i32_const(i64::from(src_table));
        self.call_checked(
            Libcall::TableCopy,
            &[self.vmctx, dst_table, src_table, dst, src, len],
        );
    }

    pub(super) fn op_table_init(&mut self, elem: u32, table: u32) {
        let (dst, src, len) = self.pop3();
        let dst = self.table_operand(self.table64(table), dst);
        let table = self.i32_const(i64::from(table));
        let elem = self.i32_const(i64::from(elem));
        self.call_checked(
            Libcall::TableInit,
            &[self.vmctx, table, elem, dst, src, len],
        );
    }

    pub(super) fn op_elem_drop(&mut self, elem: u32) {
        let elem = self.i32_const(i64::from(elem));
        self.call_libcall(Libcall::ElemDrop, &[self.vmctx, elem]);
    }
}
