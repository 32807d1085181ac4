//! The operators that are one instruction of the table, by group (unary, binary, loads,
//! stores), and the fusions of their operands: immediates (by the table's `imm` and
//! `swapped` forms), the scaled index of an array access, a load's address sum.

use super::*;

impl Translator<'_> {
    pub(super) fn unary(&mut self, op: Tag) {
        let (src, pos) = self.pop_read();
        let dst = self.slot_at(pos);
        self.stack.push(Operand::Temp);
        self.emit_result(Instr::unary(op, dst, src), dst);
    }

    pub(super) fn binary(&mut self, op: Tag) {
        let forms = op.binary_forms().expect("a binary operator");
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let dst = self.slot_at(apos);
        if let Some(imm) = forms.imm {
            if let Some(v) = fusion::imm_of(b, forms.wide) {
                let a = self.read(a, apos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::binary_imm(imm, dst, a, v), dst);
                return;
            }
        }
        if let Some(swapped) = forms.swapped {
            if let Some(v) = fusion::imm_of(a, forms.wide) {
                let b = self.read(b, bpos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::binary_imm(swapped, dst, b, v), dst);
                return;
            }
        }
        let a_slot = self.read(a, apos);
        let b_slot = self.read(b, bpos);
        self.stack.push(Operand::Temp);
        if op == Tag::I32Add {
            if let Some(fused) = self.fuse_scaled_index(dst, (a, a_slot), (b, b_slot)) {
                return self.emit_result(fused, dst);
            }
        }
        self.emit_result(Instr::binary(op, dst, a_slot, b_slot), dst);
    }

    /// `i32.add` of an `i32.shl` by a constant just computed for it alone (array
    /// indexing: `base + (i << 2)`): takes the shift back and returns the one instruction
    /// doing both. Reading the other operand emits nothing (it is a local or a temporary),
    /// so the shift is still the last instruction and its input slot unchanged since.
    pub(super) fn fuse_scaled_index(
        &mut self,
        dst: Slot,
        a: (Operand, Slot),
        b: (Operand, Slot),
    ) -> Option<Instr> {
        // The shift may be either operand; the other is the base.
        let (at, base) = [(b, a.1), (a, b.1)]
            .into_iter()
            .find_map(|((op, slot), base)| {
                let at = self.producer_of(slot).filter(|_| op == Operand::Temp)?;
                Some((at, base))
            })?;
        let Instr::I32ShlImm { a: index, imm, .. } = self.code[at] else {
            return None;
        };
        self.take_back_last();
        Some(Instr::I32AddShl {
            dst,
            a: base,
            b: index,
            // wasm shifts by the count modulo 32.
            shift: (imm & 31) as u16,
        })
    }

    /// Runs `emit` with memory `mem` selected (see `Instr::UseMemory`).
    pub(super) fn on_memory(&mut self, mem: u32, emit: impl FnOnce(&mut Self)) {
        if mem == 0 {
            return emit(self);
        }
        self.emit(Instr::UseMemory { mem });
        emit(self);
        self.emit(Instr::UseMemory { mem: 0 });
    }

    pub(super) fn load(&mut self, memarg: wasmparser::MemArg, op: Tag) {
        let (addr_op, pos) = self.pop();
        let dst = self.slot_at(pos);
        let mem = memory_of(&memarg);
        // `i32.add x imm` computed just before, only for this address: one instruction.
        if let (Operand::Temp, Some(at), 0) = (addr_op, self.producer_of(dst), mem) {
            if let Instr::I32AddImm { dst: s, a, imm } = self.code[at] {
                let load = Instr::load(op, dst, dst, memarg.offset as u32);
                if s == dst {
                    if let Some(fused) = fusion::load_from_sum(load, a, imm) {
                        self.take_back_last();
                        self.stack.push(Operand::Temp);
                        self.emit_result(fused, dst);
                        return;
                    }
                }
            }
        }
        let addr = self.read(addr_op, pos);
        self.stack.push(Operand::Temp);
        self.on_memory(mem, |t| {
            t.emit_result(Instr::load(op, dst, addr, memarg.offset as u32), dst)
        });
    }

    pub(super) fn store(&mut self, memarg: wasmparser::MemArg, op: Tag) {
        let (value, _) = self.pop_read();
        let (addr, _) = self.pop_read();
        self.on_memory(memory_of(&memarg), |t| {
            t.emit(Instr::store(op, addr, value, memarg.offset as u32));
        });
    }

    /// Pops `n` operands, materialising constants, and returns their slots bottom-first.
    pub(super) fn pop_n<const N: usize>(&mut self) -> ([Slot; N], usize) {
        let mut slots = [0; N];
        let mut pos = 0;
        for i in (0..N).rev() {
            let (s, p) = self.pop_read();
            slots[i] = s;
            pos = p;
        }
        (slots, pos)
    }
}
