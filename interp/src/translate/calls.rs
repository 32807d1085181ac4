//! Calls, tail calls and the null-reference branches: arguments in place for the
//! callee's overlapping frame.

use super::*;

impl Translator<'_> {
    pub(super) fn op_call(&mut self, func: u32) {
        let ty = self.module.func_type(func);
        let (np, nr) = (ty.params().len(), ty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(if func >= self.module.num_imported_funcs {
            Instr::CallInternal {
                def: func - self.module.num_imported_funcs,
                base,
            }
        } else {
            Instr::Call { func, base }
        });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    pub(super) fn op_call_indirect(&mut self, ty: u32, table: u32) {
        let (index, _) = self.pop_read();
        let fty = &self.module.types[ty as usize];
        let (np, nr) = (fty.params().len(), fty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(Instr::CallIndirect {
            ty,
            table,
            index,
            base,
        });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    /// `call_ref`: the reference is on top, the arguments below it.
    pub(super) fn op_call_ref(&mut self, ty: u32) {
        let (func, _) = self.pop_read();
        let fty = &self.module.types[ty as usize];
        let (np, nr) = (fty.params().len(), fty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(Instr::CallRef { func, base });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    /// The arguments of a tail call to a function of type `ty`, in their slots: their
    /// base and count.
    /// The catch blocks the call leaves are ended.
    pub(super) fn tail_call_args(&mut self, ty: &wisp_core::FuncType) -> (Slot, u16) {
        let np = ty.params().len();
        self.materialize_top(np);
        self.emit_catch_exits(None);
        (self.slot_at(self.height() - np), np as u16)
    }

    pub(super) fn op_return_call(&mut self, func: u32) {
        let ty = self.module.func_type(func);
        let (base, len) = self.tail_call_args(ty);
        self.emit(if func >= self.module.num_imported_funcs {
            Instr::ReturnCallInternal {
                def: func - self.module.num_imported_funcs,
                base,
                len,
            }
        } else {
            Instr::ReturnCall { func, base, len }
        });
        self.mark_dead();
    }

    pub(super) fn op_return_call_indirect(&mut self, ty: u32, table: u32) {
        let (index, _) = self.pop_read();
        let (base, len) = self.tail_call_args(&self.module.types[ty as usize]);
        self.emit(Instr::ReturnCallIndirect {
            ty,
            table,
            index,
            base,
            len,
        });
        self.mark_dead();
    }

    pub(super) fn op_return_call_ref(&mut self, ty: u32) {
        let (func, _) = self.pop_read();
        let (base, len) = self.tail_call_args(&self.module.types[ty as usize]);
        self.emit(Instr::ReturnCallRef { func, base, len });
        self.mark_dead();
    }

    /// `br_on_null $l`: branches with the label's values when the reference on top is
    /// null, which is dropped; else goes on with it.
    pub(super) fn op_br_on_null(&mut self, depth: u32) {
        let depth = depth as usize;
        // Taken off without marking it dying: it is read again after the branch.
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.height();
        let cond = self.read(op, pos);
        if self.branch_is_direct(depth) {
            let at = self.emit(Instr::BrIfEqz { cond, offset: 0 });
            self.link(at, depth);
        } else {
            let skip = self.emit(Instr::BrIfNez { cond, offset: 0 });
            self.emit_branch_out(depth);
            self.bind_label();
            let pc = self.pc();
            self.patch(skip, pc);
        }
        self.stack.push(op);
    }

    /// `br_on_non_null $l`: branches with the label's values, the reference last, when
    /// the reference on top is not null; else drops it and goes on.
    pub(super) fn op_br_on_non_null(&mut self, depth: u32) {
        let depth = depth as usize;
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.height();
        let cond = self.read(op, pos);
        // The reference is the label's last value: back on the stack for the copies.
        self.stack.push(op);
        if self.branch_is_direct(depth) {
            let at = self.emit(Instr::BrIfNez { cond, offset: 0 });
            self.link(at, depth);
        } else {
            let skip = self.emit(Instr::BrIfEqz { cond, offset: 0 });
            self.emit_branch_out(depth);
            self.bind_label();
            let pc = self.pc();
            self.patch(skip, pc);
        }
        self.pop();
    }
}
