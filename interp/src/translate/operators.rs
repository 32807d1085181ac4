//! The operator switch: each wasm operator to the translator's handling of it; locals
//! and globals; what happens inside unreachable code.

use super::*;

impl Translator<'_> {
    pub(super) fn op_local_set(&mut self, local: u32, tee: bool) {
        let (op, pos) = self.pop();
        self.preserve_locals(Some(local));
        let dst = self.local_slot(local);
        let retargeted = match (op, self.producer_of(self.slot_at(pos))) {
            (Operand::Temp, Some(at)) => {
                // The result now lives on in the local.
                self.dying[at] = false;
                fusion::set_result_slot(&mut self.code[at], dst)
            }
            _ => false,
        };
        if !retargeted {
            self.emit_copy_to(dst, op, pos, Some(local));
        }
        self.last_result = None;
        if tee {
            self.stack.push(Operand::Local(local));
        }
    }

    pub(super) fn op_global_get(&mut self, global: u32) {
        // An immutable global the module defines with a constant initialiser has the same
        // value in every instance: it is a constant.
        if let Some((value, wide)) = self.module.constant_global(global) {
            return self.push_const(value, wide);
        }
        let dst = self.slot_at(self.height());
        self.stack.push(Operand::Temp);
        #[cfg(feature = "simd")]
        if self.global_is_v128(global) {
            self.emit(Instr::GlobalGetV128 { dst, global });
            return;
        }
        self.emit_result(Instr::GlobalGet { dst, global }, dst);
    }

    pub(super) fn op(&mut self, op: Operator<'_>) -> Result<()> {
        let dead = self.ctrl.last().is_none_or(|c| c.dead);
        if dead {
            return self.dead_op(op);
        }
        self.charge_fuel();
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.mark_dead();
            }
            O::Nop => {}
            O::Block { blockty } => self.op_block(blockty),
            O::Loop { blockty } => self.op_loop(blockty),
            O::If { blockty } => self.op_if(blockty),
            O::Else => self.op_else(),
            O::End => self.op_end(),
            O::Br { relative_depth } => self.op_br(relative_depth),
            O::BrIf { relative_depth } => self.op_br_if(relative_depth),
            O::BrTable { targets } => self.op_br_table(&targets)?,
            O::Return => self.op_return(),
            O::Call { function_index } => self.op_call(function_index),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.op_call_indirect(type_index, table_index),
            // Each proposal's operators only with its feature: without it the engine
            // refuses such modules at load (`Interpreter::left_out`).
            #[cfg(feature = "function-references")]
            O::CallRef { type_index } => self.op_call_ref(type_index),
            #[cfg(feature = "tail-call")]
            O::ReturnCall { function_index } => self.op_return_call(function_index),
            #[cfg(feature = "tail-call")]
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.op_return_call_indirect(type_index, table_index),
            #[cfg(all(feature = "tail-call", feature = "function-references"))]
            O::ReturnCallRef { type_index } => self.op_return_call_ref(type_index),
            #[cfg(feature = "function-references")]
            O::RefAsNonNull => {
                let (src, pos) = self.pop_read();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::RefAsNonNull { dst, src }, dst);
            }
            #[cfg(feature = "function-references")]
            O::BrOnNull { relative_depth } => self.op_br_on_null(relative_depth),
            #[cfg(feature = "function-references")]
            O::BrOnNonNull { relative_depth } => self.op_br_on_non_null(relative_depth),
            // Without the feature, the engine refuses these modules at load (`left_out`).
            #[cfg(feature = "exceptions")]
            O::TryTable { try_table } => self.op_try_table(&try_table),
            #[cfg(feature = "exceptions")]
            O::Throw { tag_index } => self.op_throw(tag_index),
            #[cfg(feature = "exceptions")]
            O::ThrowRef => self.op_throw_ref(),
            #[cfg(feature = "exceptions")]
            O::Try { .. } if self.reserved_catch_slots == 0 => {
                return Err(TranslateError::NeedsCatchSlots)
            }
            #[cfg(feature = "exceptions")]
            O::Try { blockty } => self.op_try(blockty),
            #[cfg(feature = "exceptions")]
            O::Catch { tag_index } => self.op_catch(Some(tag_index)),
            #[cfg(feature = "exceptions")]
            O::CatchAll => self.op_catch(None),
            #[cfg(feature = "exceptions")]
            O::Delegate { relative_depth } => self.op_delegate(relative_depth),
            #[cfg(feature = "exceptions")]
            O::Rethrow { relative_depth } => self.op_rethrow(relative_depth),
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } if !self.vector() => {
                let ([a, b, cond], pos) = self.pop_n::<3>();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::Select { dst, cond, a, b }, dst);
            }
            #[cfg(feature = "simd")]
            O::Select | O::TypedSelect { .. } => {
                let (cond, _) = self.pop_read();
                let (b_op, b_pos) = self.pop();
                let (a_op, pos) = self.pop();
                // A constant is a scalar; otherwise the value may be a `v128`.
                let whole = !matches!(a_op, Operand::Const { .. })
                    && !matches!(b_op, Operand::Const { .. });
                let b = self.read(b_op, b_pos);
                let a = self.read(a_op, pos);
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                if whole {
                    // Both slots of the position. The result's slots are the first
                    // operand's, read by the first select alone, and `cond` sits above
                    // both operands, so neither select clobbers what the other reads.
                    self.emit(Instr::Select { dst, cond, a, b });
                    self.emit(Instr::Select {
                        dst: dst + 1,
                        cond,
                        a: a + 1,
                        b: b + 1,
                    });
                } else {
                    self.emit_result(Instr::Select { dst, cond, a, b }, dst);
                }
            }
            O::LocalGet { local_index } => self.stack.push(Operand::Local(local_index)),
            O::LocalSet { local_index } => self.op_local_set(local_index, false),
            O::LocalTee { local_index } => self.op_local_set(local_index, true),
            O::GlobalGet { global_index } => self.op_global_get(global_index),
            O::GlobalSet { global_index } => {
                let (src, _) = self.pop_read();
                #[cfg(feature = "simd")]
                if self.global_is_v128(global_index) {
                    self.emit(Instr::GlobalSetV128 {
                        src,
                        global: global_index,
                    });
                    return Ok(());
                }
                self.emit(Instr::GlobalSet {
                    src,
                    global: global_index,
                });
            }

            O::I32Const { value } => self.push_const(value as u32 as u64, false),
            O::I64Const { value } => self.push_const(value as u64, true),
            O::F32Const { value } => self.push_const(u64::from(value.bits()), false),
            O::F64Const { value } => self.push_const(value.bits(), true),
            O::RefNull { .. } => self.push_const(0, true),
            O::RefFunc { function_index } => {
                let dst = self.push_temp();
                self.emit_result(
                    Instr::RefFunc {
                        dst,
                        func: function_index,
                    },
                    dst,
                );
            }

            // Conversions that only change how the bits are read: the slot already holds
            // the right bits (i32 readers look at the low half only).
            O::I32WrapI64
            | O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}

            O::MemorySize { mem } => {
                let dst = self.push_temp();
                self.on_memory(mem, |t| t.emit_result(Instr::MemorySize { dst }, dst));
            }
            O::MemoryGrow { mem } => {
                let (delta, pos) = self.pop_read();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                let index64 = u16::from(self.memory64(mem));
                self.on_memory(mem, |t| {
                    t.emit_result(
                        Instr::MemoryGrow {
                            dst,
                            delta,
                            index64,
                        },
                        dst,
                    )
                });
            }
            O::MemoryFill { mem } => {
                let ([dst, value, len], _) = self.pop_n::<3>();
                let index64 = u16::from(self.memory64(mem));
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryFill {
                        dst,
                        value,
                        len,
                        index64,
                    });
                });
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                let (dst64, src64) = (self.memory64(dst_mem), self.memory64(src_mem));
                if dst_mem == src_mem {
                    let index64 = u16::from(dst64);
                    self.on_memory(dst_mem, |t| {
                        t.emit(Instr::MemoryCopy {
                            dst,
                            src,
                            len,
                            index64,
                        });
                    });
                } else {
                    // Module loading caps memories well below `u16::MAX`.
                    self.emit(Instr::MemoryCopyBetween {
                        dst,
                        src,
                        len,
                        dst_mem: dst_mem as u16,
                        src_mem: src_mem as u16,
                        index64: u16::from(dst64) | u16::from(src64) << 1,
                    });
                }
            }
            O::MemoryInit { data_index, mem } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                let index64 = u16::from(self.memory64(mem));
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryInit {
                        dst,
                        src,
                        len,
                        data: data_index,
                        index64,
                    });
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }

            O::TableGet { table } => {
                let (index, pos) = self.pop_read();
                let index = self.table_operand(self.table64(table), index, pos);
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::TableGet { dst, index, table }, dst);
            }
            O::TableSet { table } => {
                let ([index, value], pos) = self.pop_n::<2>();
                let index = self.table_operand(self.table64(table), index, pos);
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            O::TableSize { table } => {
                let dst = self.push_temp();
                self.emit_result(Instr::TableSize { dst, table }, dst);
            }
            O::TableGrow { table } => {
                let table64 = self.table64(table);
                let (delta, delta_pos) = self.pop_read();
                let delta = self.table_operand(table64, delta, delta_pos);
                let (init, pos) = self.pop();
                let dst = self.slot_at(pos);
                self.emit_copy(dst, init, pos);
                self.stack.push(Operand::Temp);
                if table64 {
                    self.emit(Instr::TableGrow { dst, delta, table });
                    self.emit(Instr::TableGrown64 { dst });
                } else {
                    self.emit_result(Instr::TableGrow { dst, delta, table }, dst);
                }
            }
            O::TableFill { table } => {
                let ([dst, value, len], pos) = self.pop_n::<3>();
                let table64 = self.table64(table);
                let dst = self.table_operand(table64, dst, pos);
                let len = self.table_operand(table64, len, pos + 2);
                self.emit(Instr::TableFill {
                    dst,
                    value,
                    len,
                    table,
                });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let ([dst, src, len], pos) = self.pop_n::<3>();
                let (dst64, src64) = (self.table64(dst_table), self.table64(src_table));
                let dst = self.table_operand(dst64, dst, pos);
                let src = self.table_operand(src64, src, pos + 1);
                let len = self.table_operand(dst64 && src64, len, pos + 2);
                self.emit(Instr::TableCopy {
                    dst,
                    src,
                    len,
                    dst_table: dst_table as u16,
                    src_table: src_table as u16,
                });
            }
            O::TableInit { elem_index, table } => {
                let ([dst, src, len], pos) = self.pop_n::<3>();
                let dst = self.table_operand(self.table64(table), dst, pos);
                self.emit(Instr::TableInit {
                    dst,
                    src,
                    len,
                    table: table as u16,
                    elem: elem_index,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }

            #[cfg(feature = "wide-arithmetic")]
            O::I64Add128 | O::I64Sub128 => {
                let ([a_lo, a_hi, b_lo, b_hi], _) = self.pop_n::<4>();
                let [lo, hi] = [self.push_temp(), self.push_temp()];
                self.emit(match op {
                    O::I64Add128 => Instr::I64Add128 {
                        lo,
                        hi,
                        a_lo,
                        a_hi,
                        b_lo,
                        b_hi,
                    },
                    _ => Instr::I64Sub128 {
                        lo,
                        hi,
                        a_lo,
                        a_hi,
                        b_lo,
                        b_hi,
                    },
                });
            }
            #[cfg(feature = "wide-arithmetic")]
            O::I64MulWideS | O::I64MulWideU => {
                let ([a, b], _) = self.pop_n::<2>();
                let [lo, hi] = [self.push_temp(), self.push_temp()];
                self.emit(match op {
                    O::I64MulWideS => Instr::I64MulWideS { lo, hi, a, b },
                    _ => Instr::I64MulWideU { lo, hi, a, b },
                });
            }

            #[cfg(feature = "threads")]
            O::AtomicFence { .. } => {
                self.emit(Instr::AtomicFence);
            }

            // The operators that are one instruction of the table, by their group.
            #[cfg(feature = "simd")]
            O::V128Const { value } => self.op_v128_const(value.i128() as u128),
            #[cfg(feature = "threads")]
            other if wisp_core::wasm::atomic::Atomic::of(&other).is_some() => {
                // Decoded twice (no `if let` guards on stable): the table is a match.
                if let Some(atomic) = wisp_core::wasm::atomic::Atomic::of(&other) {
                    self.op_atomic(atomic);
                }
            }
            other => match operator_instr(&other) {
                Some((op, None)) if op.group() == Group::Binary => self.binary(op),
                Some((op, None)) => self.unary(op),
                Some((op, Some(memarg))) if op.group() == Group::Load => self.load(memarg, op),
                Some((op, Some(memarg))) => self.store(memarg, op),
                #[cfg(feature = "simd")]
                None => match crate::bytecode::simd_instr(&other) {
                    Some((tag, shape, imm)) => self.op_simd(tag, shape, imm),
                    None => return Err(TranslateError::Unsupported),
                },
                // Validation admits only the enabled features, all handled above.
                #[cfg(not(feature = "simd"))]
                None => return Err(TranslateError::Unsupported),
            },
        }
        Ok(())
    }

    /// Inside unreachable code only the block structure matters (`wisp_core::dead_code`).
    pub(super) fn dead_op(&mut self, op: Operator<'_>) -> Result<()> {
        // Even a dead `try` counts (`ModuleInner::legacy_catch_slots` does, and the JIT
        // reads an on-stack replacement frame by it).
        #[cfg(feature = "exceptions")]
        if matches!(op, Operator::Try { .. }) && self.reserved_catch_slots == 0 {
            return Err(TranslateError::NeedsCatchSlots);
        }
        match self.dead_code.step(&op) {
            Step::Else => {
                self.charge_fuel();
                self.op_else();
            }
            #[cfg(feature = "exceptions")]
            Step::Catch => {
                self.charge_fuel();
                match op {
                    Operator::Catch { tag_index } => self.op_catch(Some(tag_index)),
                    _ => self.op_catch(None),
                }
            }
            #[cfg(not(feature = "exceptions"))]
            Step::Catch => return Err(TranslateError::Unsupported),
            Step::End => match op {
                #[cfg(feature = "exceptions")]
                Operator::Delegate { relative_depth } => self.op_delegate(relative_depth),
                _ => self.op_end(),
            },
            Step::Skip => {}
        }
        Ok(())
    }
}
