//! The interpreter's register bytecode.
//!
//! A function's frame is a run of 64-bit slots on the value stack: its locals first
//! (parameters, then declared locals), then one slot per operand stack position. Every
//! operand names a slot (`Slot`, frame-relative) or carries an immediate, so translation
//! folds away the stack traffic of `local.get`/`local.set` and constants.
//!
//! Calls use overlapping frames: `Call { base, .. }` starts the callee's frame at the
//! caller's slot `base`, where the arguments already lie; the callee leaves its results at
//! its slots `0..n`, which are the caller's `base..base + n`. Nothing is copied per call.
//!
//! Branch offsets are relative to the branch instruction's own index.
//!
//! - `instr`: the instructions and what is known about each, derived from the table in
//!   `isa.rs`;
//! - `encode`: instructions into executable words;
//! - `disasm`: executable words back into text, as they run;
//! - `func`: a translated function and its exception regions;
//! - `atomic`: how `Instr::Atomic` names its atomic operator.

/// A frame-relative slot index.
pub type Slot = u16;

mod atomic;
mod disasm;
mod encode;
mod func;
mod instr;

pub use atomic::AtomicKind;
pub use disasm::Disassembly;
pub use encode::{encode, encode_with_targets, words_for, Forward, Word};
pub use func::{Clause, CompiledFunc, Region};
pub use instr::{
    operator_instr, payload, BinaryForms, Group, Info, Instr, Kind, NumericOp, Tag, INFO, NUM_TAGS,
};
#[cfg(feature = "simd")]
pub use instr::{simd_instr, SimdImm, SimdOperands, SimdShape};

#[cfg(test)]
mod tests {
    use super::*;

    /// The group constructors build the same instructions as the enum's literals.
    #[test]
    fn constructors_match_literals() {
        assert_eq!(
            Instr::binary(Tag::I64Sub, 1, 2, 3),
            Instr::I64Sub { dst: 1, a: 2, b: 3 }
        );
        assert_eq!(
            Instr::binary_imm(Tag::I32ShlImm, 4, 5, -6),
            Instr::I32ShlImm {
                dst: 4,
                a: 5,
                imm: -6
            }
        );
        assert_eq!(
            Instr::unary(Tag::F64Sqrt, 7, 8),
            Instr::F64Sqrt { dst: 7, src: 8 }
        );
        assert_eq!(
            Instr::load(Tag::I64Load16S, 9, 10, 0xdead_beef),
            Instr::I64Load16S {
                dst: 9,
                addr: 10,
                offset: 0xdead_beef
            }
        );
        assert_eq!(
            Instr::store(Tag::F32Store, 11, 12, 13),
            Instr::F32Store {
                addr: 11,
                value: 12,
                offset: 13
            }
        );
    }

    #[test]
    #[should_panic]
    fn constructors_check_the_group() {
        let _ = Instr::binary(Tag::I32Clz, 0, 0, 0);
    }

    /// `Info` finds the fields the variants name, in every group and the odd ones.
    #[test]
    fn info_names_the_fields() {
        let mut add = Instr::I32Add { dst: 1, a: 2, b: 3 };
        assert_eq!(add.tag(), Tag::I32Add);
        assert_eq!(add.result_slot(), Some(1));
        assert_eq!(add.forwardable_operands(), (Some(2), Some(3)));
        assert_eq!(add.branch_offset(), None);
        *add.result_slot_mut().unwrap() = 9;
        assert_eq!(add, Instr::I32Add { dst: 9, a: 2, b: 3 });

        let store = Instr::I64Store {
            addr: 4,
            value: 5,
            offset: 6,
        };
        assert_eq!(store.result_slot(), None);
        assert_eq!(store.forwardable_operands(), (Some(5), None));

        let mut br = Instr::BrIfEqz {
            cond: 7,
            offset: -8,
        };
        assert_eq!(br.forwardable_operands(), (Some(7), None));
        assert_eq!(br.branch_offset(), Some(-8));
        *br.branch_offset_mut().unwrap() = 100;
        assert_eq!(
            br,
            Instr::BrIfEqz {
                cond: 7,
                offset: 100
            }
        );
        let cmp = Instr::BrF64NotLe {
            a: 1,
            b: 2,
            offset: 3,
        };
        assert_eq!(cmp.forwardable_operands(), (Some(1), Some(2)));
        assert_eq!(cmp.branch_offset(), Some(3));
        assert_eq!(cmp.operand_kind(), Kind::F64);

        let c = Instr::Const64 {
            dst: 3,
            value: u64::MAX,
        };
        assert_eq!(c.result_slot(), Some(3));
        assert_eq!(c.info().len, 16);
        assert_eq!(c.info().words, 3);
        assert_eq!(Instr::Return0.info().words, 1);
        assert_eq!(Instr::Return0.forwardable_operands(), (None, None));
        let get = Instr::GlobalGet { dst: 2, global: 1 };
        assert_eq!(get.result_slot(), Some(2));
        let set = Instr::GlobalSet { src: 5, global: 1 };
        assert_eq!(set.forwardable_operands(), (Some(5), None));
        assert_eq!(
            Instr::F32ConvertI64U { dst: 0, src: 1 }.result_kind(),
            Kind::F32
        );
    }

    /// Encoding writes the handler word, then exactly the variant's payload.
    #[test]
    fn encode_copies_operands() {
        let code = encode(
            alloc::vec![
                Instr::Const64 {
                    dst: 1,
                    value: 0x0123_4567_89ab_cdef
                },
                Instr::Return1 { src: 1 },
            ],
            &[],
        );
        assert_eq!(code.len(), 3 + 2);
        // SAFETY: the payload words of `Const64`: `dst` at byte 0, `value` at byte 8.
        let (dst, value) = unsafe {
            (
                *code[1].bits.as_ptr().cast::<Slot>(),
                *code[2].bits.as_ptr().cast::<u64>(),
            )
        };
        assert_eq!((dst, value), (1, 0x0123_4567_89ab_cdef));
    }
}
