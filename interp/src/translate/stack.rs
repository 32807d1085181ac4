//! The virtual operand stack: where each operand's value is (a slot, a local, a
//! constant), reading operands into slots, materialising them before their slots or
//! locals are written, the constant pool, and emitting instructions with results.

use super::*;

impl Translator<'_> {
    /// The slot of operand stack position `pos`: `width` slots per position, as
    /// `OsrFrame::operands_layout` places them.
    #[inline(always)]
    pub(super) fn slot_at(&self, pos: usize) -> Slot {
        // Fits: module loading refused frames larger than `Slot` can index.
        let width = if self.vector() { 2 } else { 1 };
        (self.locals as usize + pos * width) as Slot
    }

    /// Whether this is a vector function (`width` 2). Always false in a build without
    /// SIMD, so that none of the vector paths is linked there.
    #[inline(always)]
    pub(super) fn vector(&self) -> bool {
        cfg!(feature = "simd") && self.width == 2
    }

    /// Whether local `local` is a `v128` (two slots).
    #[inline(always)]
    pub(super) fn local_is_wide(&self, local: u32) -> bool {
        cfg!(feature = "simd") && self.locals_layout.range(local as usize).len() > 1
    }

    /// Emits a copy of the two slots of a `v128` (or of a whole position in a vector
    /// function), which reads both before it writes, so the ranges may overlap.
    pub(super) fn emit_wide_copy(&mut self, dst: Slot, src: Slot) {
        if dst != src {
            #[cfg(feature = "simd")]
            self.emit(Instr::Copy128 { dst, src });
            #[cfg(not(feature = "simd"))]
            self.emit(Instr::Copy2 {
                dst0: dst,
                src0: src,
                dst1: dst + 1,
                src1: src + 1,
            });
            self.copy_mergeable = false;
        }
    }

    /// The slot of local `local` (`locals_layout`).
    pub(super) fn local_slot(&self, local: u32) -> Slot {
        // Fits: as `slot_at`.
        self.locals_layout.offset(local as usize) as Slot
    }

    pub(super) fn height(&self) -> usize {
        self.stack.len()
    }

    pub(super) fn push_temp(&mut self) -> Slot {
        let s = self.slot_at(self.stack.len());
        self.stack.push(Operand::Temp);
        s
    }

    pub(super) fn pop(&mut self) -> (Operand, usize) {
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.stack.len();
        if op == Operand::Temp {
            if let Some(at) = self.producer_of(self.slot_at(pos)) {
                self.dying[at] = true;
            }
        }
        (op, pos)
    }

    pub(super) fn emit(&mut self, instr: Instr) -> usize {
        self.code.push(instr);
        self.dying.push(false);
        self.last_result = None;
        self.code.len() - 1
    }

    /// Emits `dst = src`, merged into the previous instruction when that is a lone copy
    /// and no label lies between them. A second copy reading what the first wrote reads
    /// the first's source instead, as `Copy2` requires; the two still run as in sequence.
    pub(super) fn emit_slot_copy(&mut self, dst: Slot, src: Slot) {
        if self.copy_mergeable {
            if let Some(Instr::Copy {
                dst: dst0,
                src: src0,
            }) = self.code.last().copied()
            {
                *self.code.last_mut().expect("checked above") = Instr::Copy2 {
                    dst0,
                    src0,
                    dst1: dst,
                    src1: if src == dst0 { src0 } else { src },
                };
                self.copy_mergeable = false;
                self.last_result = None;
                return;
            }
        }
        self.emit(Instr::Copy { dst, src });
        self.copy_mergeable = true;
    }

    /// Emits an instruction whose result is the fresh temp in `dst`.
    pub(super) fn emit_result(&mut self, instr: Instr, dst: Slot) {
        let before = self.last_result;
        let at = self.emit(instr);
        self.prev_result = before;
        self.last_result = Some((at, dst));
    }

    /// Where the last instruction is, if it computed the fresh temp in `slot`, the
    /// operand about to be consumed: a fusion may rewrite it or take it back.
    pub(super) fn producer_of(&self, slot: Slot) -> Option<usize> {
        let (at, dst) = self.last_result?;
        (at + 1 == self.code.len() && dst == slot).then_some(at)
    }

    /// Removes the last instruction, which a fusion has folded into the next one.
    pub(super) fn take_back_last(&mut self) {
        self.code.pop();
        self.dying.pop();
        self.last_result = None;
        self.prev_result = None;
    }

    /// Writes `op` (found at stack position `pos`) into slot `dst`: a position's slots
    /// (`to_local` `None`) or local `to_local`'s.
    pub(super) fn emit_copy_to(
        &mut self,
        dst: Slot,
        op: Operand,
        pos: usize,
        to_local: Option<u32>,
    ) {
        match op {
            Operand::Temp => {
                let src = self.slot_at(pos);
                let wide = match to_local {
                    Some(l) => self.local_is_wide(l),
                    None => self.vector(),
                };
                if wide {
                    self.emit_wide_copy(dst, src);
                } else if src != dst {
                    self.emit_slot_copy(dst, src);
                }
            }
            Operand::Local(l) => {
                let wide = self.local_is_wide(l);
                let l = self.local_slot(l);
                if wide {
                    self.emit_wide_copy(dst, l);
                } else if l != dst {
                    self.emit_slot_copy(dst, l);
                }
            }
            Operand::Const { value, wide } => {
                self.emit(if wide {
                    Instr::Const64 { dst, value }
                } else {
                    Instr::Const32 {
                        dst,
                        value: value as u32,
                    }
                });
            }
        }
    }

    /// Writes `op` (found at stack position `pos`) into the slots of a position at `dst`.
    pub(super) fn emit_copy(&mut self, dst: Slot, op: Operand, pos: usize) {
        self.emit_copy_to(dst, op, pos, None)
    }

    /// Moves the entry at `pos` into its canonical slot.
    pub(super) fn materialize(&mut self, pos: usize) {
        let op = self.stack[pos];
        if op != Operand::Temp {
            let dst = self.slot_at(pos);
            self.emit_copy(dst, op, pos);
            self.stack[pos] = Operand::Temp;
        }
    }

    pub(super) fn materialize_top(&mut self, n: usize) {
        let h = self.height();
        for pos in h - n..h {
            self.materialize(pos);
        }
    }

    /// Copies every `Local` entry (of `local`, or of any local) to its own slot.
    pub(super) fn preserve_locals(&mut self, local: Option<u32>) {
        for pos in 0..self.stack.len() {
            if let Operand::Local(l) = self.stack[pos] {
                if local.is_none() || local == Some(l) {
                    self.materialize(pos);
                }
            }
        }
    }

    /// The slot an operand can be read from: constants come from the pool.
    pub(super) fn read(&mut self, op: Operand, pos: usize) -> Slot {
        match op {
            Operand::Temp => self.slot_at(pos),
            Operand::Local(l) => self.local_slot(l),
            Operand::Const { value, .. } => match self.pool_slot(value) {
                Some(slot) => slot,
                None => {
                    let dst = self.slot_at(pos);
                    self.emit_copy(dst, op, pos);
                    dst
                }
            },
        }
    }

    /// The pool slot holding `value`, added if new; `None` once the frame would outgrow
    /// 16-bit slot indices (the constant is then materialised where it is used).
    pub(super) fn pool_slot(&mut self, value: u64) -> Option<Slot> {
        const SMALL_POOL: usize = 16;
        let found = if self.consts.len() <= SMALL_POOL {
            self.consts.iter().position(|&c| c == value)
        } else {
            if self.const_index.is_empty() {
                for (i, &c) in self.consts.iter().enumerate() {
                    self.const_index.insert(c, i as u32);
                }
            }
            self.const_index.get(&value).map(|&i| i as usize)
        };
        let index = match found {
            Some(i) => i,
            None => {
                self.consts.push(value);
                if !self.const_index.is_empty() {
                    self.const_index.insert(value, self.consts.len() as u32 - 1);
                }
                self.consts.len() - 1
            }
        };
        let slot = self.const_base as usize + index;
        if slot > usize::from(Slot::MAX) {
            self.consts.truncate(
                self.consts
                    .len()
                    .min(usize::from(Slot::MAX) + 1 - self.const_base as usize),
            );
            return None;
        }
        Some(slot as Slot)
    }

    pub(super) fn pop_read(&mut self) -> (Slot, usize) {
        let (op, pos) = self.pop();
        (self.read(op, pos), pos)
    }

    pub(super) fn push_const(&mut self, value: u64, wide: bool) {
        self.stack.push(Operand::Const { value, wide });
    }
}
