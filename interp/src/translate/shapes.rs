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

    /// Whether memory `mem` is a 64-bit one (memory64). Never in a build without the
    /// `memory64` feature, whose engines refuse such modules (`Interpreter::left_out`), so
    /// that none of the `Mem64*` instructions is emitted or linked there.
    pub(super) fn memory64(&self, mem: u32) -> bool {
        cfg!(feature = "memory64") && self.module.memories[mem as usize].memory64
    }

    /// Whether table `table` is indexed by `i64` (table64); as `memory64`.
    pub(super) fn table64(&self, table: u32) -> bool {
        cfg!(feature = "memory64") && self.module.tables[table as usize].table64
    }

    /// The slot of a table index or count operand popped at position `pos` (in `slot`), as
    /// the `u32` the table instructions take: a table64's `i64` saturated
    /// (`TableIndex64`) into the position's own slot, which the operand left free.
    pub(super) fn table_operand(&mut self, table64: bool, slot: Slot, pos: usize) -> Slot {
        if !table64 {
            return slot;
        }
        let dst = self.slot_at(pos);
        self.emit(Instr::TableIndex64 { dst, src: slot });
        dst
    }

    /// An atomic memory operator (`wisp_core::wasm::atomic`): one `Atomic` instruction,
    /// its result (all but a store have one) at the first operand's position.
    #[cfg(feature = "threads")]
    pub(super) fn op_atomic(&mut self, atomic: wisp_core::wasm::atomic::Atomic) {
        use wisp_core::wasm::atomic::AtomicOp;
        let mem = memory_of(&atomic.memarg);
        let ty = self.module.memories[mem as usize];
        let kind = crate::bytecode::AtomicKind::new(&atomic, ty.memory64, ty.shared).0;
        let (result, [addr, a, b], pos, arity) = match atomic.op {
            AtomicOp::Load => {
                let (addr, pos) = self.pop_read();
                (true, [addr; 3], pos, 1)
            }
            AtomicOp::Store => {
                let ([addr, value], pos) = self.pop_n::<2>();
                (false, [addr, value, value], pos, 2)
            }
            AtomicOp::Rmw(_) | AtomicOp::Notify => {
                let ([addr, value], pos) = self.pop_n::<2>();
                (true, [addr, value, value], pos, 2)
            }
            AtomicOp::Cmpxchg | AtomicOp::Wait => {
                let ([addr, x, y], pos) = self.pop_n::<3>();
                (true, [addr, x, y], pos, 3)
            }
        };
        // The offset, from the constant pool (or, past the pool's room, materialised in
        // the position above the operands: the spare one at most, always in the frame).
        let offset = Operand::Const {
            value: atomic.memarg.offset,
            wide: true,
        };
        let offset = self.read(offset, pos + arity);
        // Unused for a store (which writes no slot).
        let dst = match result {
            true => {
                self.stack.push(Operand::Temp);
                self.slot_at(pos)
            }
            false => addr,
        };
        self.on_memory(mem, |t| {
            t.emit(Instr::Atomic {
                dst,
                addr,
                a,
                b,
                offset,
                kind,
            });
        });
    }

    pub(super) fn load(&mut self, memarg: wasmparser::MemArg, op: Tag) {
        let (addr_op, pos) = self.pop();
        let dst = self.slot_at(pos);
        let mem = memory_of(&memarg);
        if self.memory64(mem) {
            let addr = self.read(addr_op, pos);
            self.stack.push(Operand::Temp);
            let load = mem64_load(op, dst, addr, memarg.offset);
            self.on_memory(mem, |t| t.emit_result(load, dst));
            return;
        }
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
        let mem = memory_of(&memarg);
        let store = match self.memory64(mem) {
            true => mem64_store(op, addr, value, memarg.offset),
            false => Instr::store(op, addr, value, memarg.offset as u32),
        };
        self.on_memory(mem, |t| {
            t.emit(store);
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

/// The load `op` (of the `load` group) on a 64-bit memory: its `Mem64*` instruction.
fn mem64_load(op: Tag, dst: Slot, addr: Slot, offset: u64) -> Instr {
    macro_rules! map {
        ($($tag:ident => $instr:ident),*) => {
            match op {
                $(Tag::$tag => Instr::$instr { dst, addr, offset },)*
                _ => unreachable!("{op:?} is not a load"),
            }
        };
    }
    map!(I32Load => Mem64I32Load, I64Load => Mem64I64Load, F32Load => Mem64F32Load,
        F64Load => Mem64F64Load, I32Load8S => Mem64I32Load8S, I32Load8U => Mem64I32Load8U,
        I32Load16S => Mem64I32Load16S, I32Load16U => Mem64I32Load16U,
        I64Load8S => Mem64I64Load8S, I64Load8U => Mem64I64Load8U,
        I64Load16S => Mem64I64Load16S, I64Load16U => Mem64I64Load16U,
        I64Load32S => Mem64I64Load32S, I64Load32U => Mem64I64Load32U)
}

/// The store `op` (of the `store` group) on a 64-bit memory: its `Mem64*` instruction.
fn mem64_store(op: Tag, addr: Slot, value: Slot, offset: u64) -> Instr {
    macro_rules! map {
        ($($tag:ident => $instr:ident),*) => {
            match op {
                $(Tag::$tag => Instr::$instr { addr, value, offset },)*
                _ => unreachable!("{op:?} is not a store"),
            }
        };
    }
    map!(I32Store => Mem64I32Store, I64Store => Mem64I64Store, F32Store => Mem64F32Store,
        F64Store => Mem64F64Store, I32Store8 => Mem64I32Store8, I32Store16 => Mem64I32Store16,
        I64Store8 => Mem64I64Store8, I64Store16 => Mem64I64Store16,
        I64Store32 => Mem64I64Store32)
}
