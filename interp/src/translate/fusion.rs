//! The translator's rewrites of single instructions, all driven by the relations the
//! instruction table states (`isa.rs`: immediate forms, fused branches, complements, sum
//! forms): no list of instructions is kept here.

use super::Operand;
use crate::bytecode::{Group, Instr, Slot, Tag};

/// The immediate an operand gives a binary operator, if it is a constant that fits.
pub(super) fn imm_of(op: Operand, wide: bool) -> Option<i32> {
    match op {
        Operand::Const { value, .. } if !wide => Some(value as u32 as i32),
        Operand::Const { value, .. } => i32::try_from(value as i64).ok(),
        _ => None,
    }
}

/// `load` reading from `a + imm` instead of its own address operand (its `sum` form);
/// `None` for anything but a load.
pub(super) fn load_from_sum(load: Instr, a: Slot, imm: i32) -> Option<Instr> {
    let sum = load.tag().load_sum()?;
    let (dst, offset) = load.load_parts()?;
    Some(Instr::load_add(sum, dst, a, imm, offset))
}

/// Rewrites a comparison (or an `i32.and`, as a bit test, or an `eqz`) into a branch
/// taken when its result is non-zero (`when = true`) or zero.
pub(super) fn fuse_compare_branch(instr: Instr, when: bool) -> Option<Instr> {
    let to = instr.tag().fused_branch()?;
    let (first, second) = instr.forwardable_operands();
    let a = first?;
    let taken = match (instr.tag().group(), to.group()) {
        (Group::Binary, _) => Instr::branch_cmp(to, a, second?, 0),
        (Group::BinaryImm, _) => Instr::branch_cmp_imm(to, a, instr.imm()?, 0),
        // `eqz`: a test of one operand.
        (Group::Unary, Group::BranchCmpImm) => Instr::branch_cmp_imm(to, a, 0, 0),
        (Group::Unary, _) if to == Tag::BrIfEqz => Instr::BrIfEqz { cond: a, offset: 0 },
        _ => return None,
    };
    if when {
        Some(taken)
    } else {
        taken.inverted_branch()
    }
}

/// Redirects the result of `instr` to `slot`; false if it has no plain result slot.
pub(super) fn set_result_slot(instr: &mut Instr, slot: Slot) -> bool {
    match instr.result_slot_mut() {
        Some(dst) => {
            *dst = slot;
            true
        }
        None => false,
    }
}
