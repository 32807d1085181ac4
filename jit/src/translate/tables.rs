//! Table operators, each a call into the runtime, where core's `TableEntity` does the
//! work and the bounds checks (one place for each operation).

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

    pub(super) fn op_table_get(&mut self, table: u32) {
        let index = self.pop();
        let table = self.i32_const(i64::from(table));
        let v = self.call_checked_out(Libcall::TableGet, &[self.vmctx, table, index], types::I64);
        self.push(v);
    }

    pub(super) fn op_table_set(&mut self, table: u32) {
        let (index, value) = self.pop2();
        let table = self.i32_const(i64::from(table));
        self.call_checked(Libcall::TableSet, &[self.vmctx, table, index, value]);
    }

    pub(super) fn op_table_size(&mut self, table: u32) {
        let table = self.i32_const(i64::from(table));
        let r = self.call_libcall(Libcall::TableSize, &[self.vmctx, table]);
        self.push(r[0]);
    }

    pub(super) fn op_table_grow(&mut self, table: u32) {
        let (init, delta) = self.pop2();
        let table = self.i32_const(i64::from(table));
        let args = [self.vmctx, table, init, delta];
        let r = self.call_checked_out(Libcall::TableGrow, &args, types::I32);
        self.push(r);
    }

    pub(super) fn op_table_fill(&mut self, table: u32) {
        let (dst, value, len) = self.pop3();
        let table = self.i32_const(i64::from(table));
        self.call_checked(Libcall::TableFill, &[self.vmctx, table, dst, value, len]);
    }

    pub(super) fn op_table_copy(&mut self, dst_table: u32, src_table: u32) {
        let (dst, src, len) = self.pop3();
        let dst_table = self.i32_const(i64::from(dst_table));
        let src_table = self.i32_const(i64::from(src_table));
        self.call_checked(
            Libcall::TableCopy,
            &[self.vmctx, dst_table, src_table, dst, src, len],
        );
    }

    pub(super) fn op_table_init(&mut self, elem: u32, table: u32) {
        let (dst, src, len) = self.pop3();
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
