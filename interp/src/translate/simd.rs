//! SIMD operators: each is one instruction of the table's SIMD part, emitted by its shape
//! (`bytecode::SimdShape`); `v128.const` and `i8x16.shuffle`'s lanes are constants of the
//! pool, two slots each. Only vector functions (`width` 2) meet them.

use super::*;
use crate::bytecode::{SimdImm, SimdOperands, SimdShape};

impl Translator<'_> {
    /// Whether global `global` is a `v128`.
    pub(super) fn global_is_v128(&self, global: u32) -> bool {
        self.module
            .globals
            .get(global as usize)
            .is_some_and(|g| g.content == ValType::V128)
    }

    /// `v128.const`: the value from the pool into a fresh temp.
    pub(super) fn op_v128_const(&mut self, value: u128) {
        let dst = self.push_temp();
        let src = self.v128_const_slot(value, dst);
        self.emit_wide_copy(dst, src);
    }

    /// Two consecutive slots holding the constant `value`: a pool pair, or, once the pool
    /// is full, the free slots at `spare`, written with two `Const64`s.
    fn v128_const_slot(&mut self, value: u128, spare: Slot) -> Slot {
        if let Some(slot) = self.pool_pair(value) {
            return slot;
        }
        for (dst, half) in [(spare, value as u64), (spare + 1, (value >> 64) as u64)] {
            self.emit(Instr::Const64 { dst, value: half });
        }
        spare
    }

    /// The first of two consecutive pool slots holding `value`, low half first; `None`
    /// once the frame would outgrow 16-bit slot indices.
    fn pool_pair(&mut self, value: u128) -> Option<Slot> {
        let (lo, hi) = (value as u64, (value >> 64) as u64);
        // Shuffle masks and constants repeat within a function: look for the pair in a
        // small pool, else append it (the index of single constants is kept in step).
        const SMALL_POOL: usize = 64;
        let found = (self.consts.len() <= SMALL_POOL)
            .then(|| self.consts.windows(2).position(|w| w == [lo, hi]))
            .flatten();
        let index = found.unwrap_or(self.consts.len());
        let slot = self.const_base as usize + index;
        if slot + 1 > usize::from(Slot::MAX) {
            return None;
        }
        if found.is_none() {
            for half in [lo, hi] {
                self.consts.push(half);
                if !self.const_index.is_empty() {
                    self.const_index.insert(half, self.consts.len() as u32 - 1);
                }
            }
        }
        Some(slot as Slot)
    }

    /// A SIMD operator of shape `shape` (`simd_instr`), with immediates `imm`.
    pub(super) fn op_simd(&mut self, tag: Tag, shape: SimdShape, imm: SimdImm) {
        let lane = u16::from(imm.lane);
        let mem = imm.memarg.as_ref().map_or(0, memory_of);
        // On a 64-bit memory the access goes through a window (`Mem64Window`) at its
        // address, whose start it takes as address 0.
        let mem64 = imm.memarg.filter(|_| self.memory64(mem));
        let offset = match mem64 {
            Some(_) => 0,
            None => imm.memarg.map_or(0, |m| m.offset as u32),
        };
        let mut o = SimdOperands {
            lane,
            offset,
            ..SimdOperands::default()
        };
        // Operands are popped last first; the result goes to the first's position.
        let result = match shape {
            SimdShape::Unary | SimdShape::Lane | SimdShape::Load => {
                let (a, pos) = self.pop_read();
                o.a = a;
                Some(pos)
            }
            SimdShape::Binary | SimdShape::Replace | SimdShape::LoadLane => {
                let ([a, b], pos) = self.pop_n::<2>();
                (o.a, o.b) = (a, b);
                Some(pos)
            }
            SimdShape::Ternary => {
                let ([a, b, c], pos) = self.pop_n::<3>();
                (o.a, o.b, o.c) = (a, b, c);
                Some(pos)
            }
            SimdShape::Shuffle => {
                let ([a, b], pos) = self.pop_n::<2>();
                (o.a, o.b) = (a, b);
                // Above both operands' positions (the spare one at most): free.
                let spare = self.slot_at(pos + 2);
                o.c = self.v128_const_slot(u128::from_le_bytes(imm.lanes), spare);
                Some(pos)
            }
            SimdShape::Store | SimdShape::StoreLane => {
                let ([a, b], pos) = self.pop_n::<2>();
                (o.a, o.b) = (a, b);
                // Where `Mem64Window` may leave the address: the operand's own position.
                o.dst = self.slot_at(pos);
                None
            }
            SimdShape::Other => unreachable!("not an operator"),
        };
        if let Some(pos) = result {
            o.dst = self.slot_at(pos);
            self.stack.push(Operand::Temp);
        }
        // The address operand is `a`; its position's slot (the result's, for the shapes
        // with one) is free for the window's address, which is read before any result is
        // written.
        let window = mem64.map(|memarg| {
            let at = o.dst;
            let window = Instr::Mem64Window {
                dst: at,
                addr: o.a,
                offset: memarg.offset,
            };
            o.a = at;
            window
        });
        let instr = Instr::simd(tag, shape, o);
        self.on_memory(mem, |t| {
            if let Some(window) = window {
                t.emit(window);
            }
            match result {
                // A fresh temp: `local.set` may retarget it to the local.
                Some(_) => t.emit_result(instr, o.dst),
                None => {
                    t.emit(instr);
                }
            }
            if window.is_some() {
                // The whole memory again (`on_memory` restores memory 0's itself).
                if mem == 0 {
                    t.emit(Instr::UseMemory { mem });
                }
            }
        });
    }
}
