//! Calls, tail calls and the null-reference branches: arguments in place for the
//! callee's overlapping frame.

use super::*;

impl Translator<'_> {
    /// In a vector function (`width` 2), packs the `types.len()` values at positions
    /// `from..` into consecutive slots from position `from`'s first, as `SlotLayout` places
    /// them (a scalar in one slot): what a callee, a return or a throw reads. Each value
    /// moves down or stays, and in ascending order none lands on a value still to move.
    #[inline(always)]
    pub(super) fn pack(&mut self, from: usize, types: &[ValType]) {
        if !self.vector() {
            return;
        }
        let base = self.slot_at(from);
        let mut at = base;
        for (i, ty) in types.iter().enumerate() {
            let src = self.slot_at(from + i);
            if ty.slots() == 2 {
                self.emit_wide_copy(at, src);
            } else if at != src {
                self.emit_slot_copy(at, src);
            }
            at += ty.slots() as Slot;
        }
    }

    /// The reverse of `pack`: values laid out from position `from`'s first slot move to
    /// their positions, last first (each moves up or stays).
    #[inline(always)]
    pub(super) fn unpack(&mut self, from: usize, types: &[ValType]) {
        if !self.vector() {
            return;
        }
        let layout = SlotLayout::at(usize::from(self.slot_at(from)), types.iter().copied());
        for (i, ty) in types.iter().enumerate().rev() {
            let src = layout.offset(i) as Slot;
            let dst = self.slot_at(from + i);
            if ty.slots() == 2 {
                self.emit_wide_copy(dst, src);
            } else if dst != src {
                self.emit_slot_copy(dst, src);
            }
        }
    }

    /// The arguments of a call to a function of type `ty` in place: materialised and
    /// packed. Returns the position of the first.
    #[inline(always)]
    fn call_args(&mut self, ty: &wisp_core::FuncType) -> usize {
        let np = ty.params().len();
        self.materialize_top(np);
        let from = self.height() - np;
        self.pack(from, ty.params());
        from
    }

    /// After a call of type `ty` whose arguments started at position `from`: its results
    /// in their positions.
    #[inline(always)]
    fn call_results(&mut self, ty: &wisp_core::FuncType, from: usize) {
        self.stack.truncate(from);
        for _ in 0..ty.results().len() {
            self.push_temp();
        }
        self.unpack(from, ty.results());
    }

    pub(super) fn op_call(&mut self, func: u32) {
        let ty = self.module.func_type(func);
        let from = self.call_args(ty);
        let base = self.slot_at(from);
        self.emit(if func >= self.module.num_imported_funcs {
            Instr::CallInternal {
                def: func - self.module.num_imported_funcs,
                base,
            }
        } else {
            Instr::Call { func, base }
        });
        self.call_results(ty, from);
    }

    pub(super) fn op_call_indirect(&mut self, ty: u32, table: u32) {
        let (index, pos) = self.pop_read();
        let index = self.table_operand(self.table64(table), index, pos);
        let fty = &self.module.types[ty as usize];
        let from = self.call_args(fty);
        let base = self.slot_at(from);
        self.emit(Instr::CallIndirect {
            ty,
            table,
            index,
            base,
        });
        self.call_results(fty, from);
    }

    /// `call_ref`: the reference is on top, the arguments below it.
    pub(super) fn op_call_ref(&mut self, ty: u32) {
        let (func, _) = self.pop_read();
        let fty = &self.module.types[ty as usize];
        let from = self.call_args(fty);
        let base = self.slot_at(from);
        self.emit(Instr::CallRef { func, base });
        self.call_results(fty, from);
    }

    /// The arguments of a tail call to a function of type `ty`, in their slots: their
    /// base and count.
    /// The catch blocks the call leaves are ended.
    pub(super) fn tail_call_args(&mut self, ty: &wisp_core::FuncType) -> (Slot, u16) {
        let from = self.call_args(ty);
        self.emit_catch_exits(None);
        // Fits: the slots are within the frame.
        let len = if self.vector() {
            ty.param_slots()
        } else {
            ty.params().len()
        };
        (self.slot_at(from), len as u16)
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
        let (index, pos) = self.pop_read();
        let index = self.table_operand(self.table64(table), index, pos);
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
