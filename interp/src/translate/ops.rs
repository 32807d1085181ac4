//! Operator tables for the translator: which instruction each numeric operator becomes,
//! its immediate forms, and the rewrites used by fusion.

use wasmparser::Operator;

use super::Operand;
use crate::bytecode::{Instr, Slot, Tag};

/// How to emit a binary operator: plain data, so that looking it up is a table load and
/// emitting it calls nothing indirectly.
#[derive(Copy, Clone)]
pub(super) struct Binary {
    pub op: Tag,
    /// `a op imm`, when the right operand is a constant.
    pub imm: Option<Tag>,
    /// `b op' imm` computing `imm op b`, when the left operand is a constant.
    pub imm_swapped: Option<Tag>,
    /// Operates on 64-bit values (so an immediate must fit in `i32` sign-extended).
    pub wide: bool,
}

macro_rules! bin {
    ($wide:expr, $op:ident) => {
        Binary {
            op: Tag::$op,
            imm: None,
            imm_swapped: None,
            wide: $wide,
        }
    };
    ($wide:expr, $op:ident, $imm:ident) => {
        Binary {
            op: Tag::$op,
            imm: Some(Tag::$imm),
            imm_swapped: None,
            wide: $wide,
        }
    };
    ($wide:expr, $op:ident, $imm:ident, $swapped:ident) => {
        Binary {
            op: Tag::$op,
            imm: Some(Tag::$imm),
            imm_swapped: Some(Tag::$swapped),
            wide: $wide,
        }
    };
}

impl Binary {
    pub fn of(op: &Operator<'_>) -> Option<Binary> {
        use Operator as O;
        Some(match op {
            O::I32Add => bin!(false, I32Add, I32AddImm, I32AddImm),
            O::I32Sub => bin!(false, I32Sub, I32SubImm),
            O::I32Mul => bin!(false, I32Mul, I32MulImm, I32MulImm),
            O::I32DivS => bin!(false, I32DivS),
            O::I32DivU => bin!(false, I32DivU),
            O::I32RemS => bin!(false, I32RemS),
            O::I32RemU => bin!(false, I32RemU),
            O::I32And => bin!(false, I32And, I32AndImm, I32AndImm),
            O::I32Or => bin!(false, I32Or, I32OrImm, I32OrImm),
            O::I32Xor => bin!(false, I32Xor, I32XorImm, I32XorImm),
            O::I32Shl => bin!(false, I32Shl, I32ShlImm),
            O::I32ShrS => bin!(false, I32ShrS, I32ShrSImm),
            O::I32ShrU => bin!(false, I32ShrU, I32ShrUImm),
            O::I32Rotl => bin!(false, I32Rotl, I32RotlImm),
            O::I32Rotr => bin!(false, I32Rotr, I32RotrImm),
            O::I32Eq => bin!(false, I32Eq, I32EqImm, I32EqImm),
            O::I32Ne => bin!(false, I32Ne, I32NeImm, I32NeImm),
            O::I32LtS => bin!(false, I32LtS, I32LtSImm, I32GtSImm),
            O::I32LtU => bin!(false, I32LtU, I32LtUImm, I32GtUImm),
            O::I32GtS => bin!(false, I32GtS, I32GtSImm, I32LtSImm),
            O::I32GtU => bin!(false, I32GtU, I32GtUImm, I32LtUImm),
            O::I32LeS => bin!(false, I32LeS, I32LeSImm, I32GeSImm),
            O::I32LeU => bin!(false, I32LeU, I32LeUImm, I32GeUImm),
            O::I32GeS => bin!(false, I32GeS, I32GeSImm, I32LeSImm),
            O::I32GeU => bin!(false, I32GeU, I32GeUImm, I32LeUImm),
            O::I64Add => bin!(true, I64Add, I64AddImm, I64AddImm),
            O::I64Sub => bin!(true, I64Sub, I64SubImm),
            O::I64Mul => bin!(true, I64Mul, I64MulImm, I64MulImm),
            O::I64DivS => bin!(true, I64DivS),
            O::I64DivU => bin!(true, I64DivU),
            O::I64RemS => bin!(true, I64RemS),
            O::I64RemU => bin!(true, I64RemU),
            O::I64And => bin!(true, I64And, I64AndImm, I64AndImm),
            O::I64Or => bin!(true, I64Or, I64OrImm, I64OrImm),
            O::I64Xor => bin!(true, I64Xor, I64XorImm, I64XorImm),
            O::I64Shl => bin!(true, I64Shl, I64ShlImm),
            O::I64ShrS => bin!(true, I64ShrS, I64ShrSImm),
            O::I64ShrU => bin!(true, I64ShrU, I64ShrUImm),
            O::I64Rotl => bin!(true, I64Rotl, I64RotlImm),
            O::I64Rotr => bin!(true, I64Rotr, I64RotrImm),
            O::I64Eq => bin!(true, I64Eq, I64EqImm, I64EqImm),
            O::I64Ne => bin!(true, I64Ne, I64NeImm, I64NeImm),
            O::I64LtS => bin!(true, I64LtS, I64LtSImm, I64GtSImm),
            O::I64LtU => bin!(true, I64LtU, I64LtUImm, I64GtUImm),
            O::I64GtS => bin!(true, I64GtS, I64GtSImm, I64LtSImm),
            O::I64GtU => bin!(true, I64GtU, I64GtUImm, I64LtUImm),
            O::I64LeS => bin!(true, I64LeS, I64LeSImm, I64GeSImm),
            O::I64LeU => bin!(true, I64LeU, I64LeUImm, I64GeUImm),
            O::I64GeS => bin!(true, I64GeS, I64GeSImm, I64LeSImm),
            O::I64GeU => bin!(true, I64GeU, I64GeUImm, I64LeUImm),
            O::F32Add => bin!(false, F32Add),
            O::F32Sub => bin!(false, F32Sub),
            O::F32Mul => bin!(false, F32Mul),
            O::F32Div => bin!(false, F32Div),
            O::F32Min => bin!(false, F32Min),
            O::F32Max => bin!(false, F32Max),
            O::F32Copysign => bin!(false, F32Copysign),
            O::F32Eq => bin!(false, F32Eq),
            O::F32Ne => bin!(false, F32Ne),
            O::F32Lt => bin!(false, F32Lt),
            O::F32Gt => bin!(false, F32Gt),
            O::F32Le => bin!(false, F32Le),
            O::F32Ge => bin!(false, F32Ge),
            O::F64Add => bin!(true, F64Add),
            O::F64Sub => bin!(true, F64Sub),
            O::F64Mul => bin!(true, F64Mul),
            O::F64Div => bin!(true, F64Div),
            O::F64Min => bin!(true, F64Min),
            O::F64Max => bin!(true, F64Max),
            O::F64Copysign => bin!(true, F64Copysign),
            O::F64Eq => bin!(true, F64Eq),
            O::F64Ne => bin!(true, F64Ne),
            O::F64Lt => bin!(true, F64Lt),
            O::F64Gt => bin!(true, F64Gt),
            O::F64Le => bin!(true, F64Le),
            O::F64Ge => bin!(true, F64Ge),
            _ => return None,
        })
    }
}

/// The immediate an operand gives a binary operator, if it is a constant that fits.
pub(super) fn imm_of(op: Operand, wide: bool) -> Option<i32> {
    match op {
        Operand::Const { value, .. } if !wide => Some(value as u32 as i32),
        Operand::Const { value, .. } => i32::try_from(value as i64).ok(),
        _ => None,
    }
}

macro_rules! memory_table {
    ($op:expr, $($name:ident,)*) => {
        match $op {
            $(Operator::$name { memarg } => Some((*memarg, Tag::$name)),)*
            _ => None,
        }
    };
}

/// A load operator's memory argument and instruction (`dst, addr, offset`).
pub(super) fn load(op: &Operator<'_>) -> Option<(wasmparser::MemArg, Tag)> {
    memory_table!(
        op, I32Load, I64Load, F32Load, F64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U,
        I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    )
}

/// `load` reading from `a + imm` instead of its own address operand (see `load_add` in
/// the instruction set); `None` for anything but a load.
pub(super) fn load_from_sum(load: Instr, a: Slot, imm: i32) -> Option<Instr> {
    macro_rules! with_sum {
        ($($plain:ident => $fused:ident,)*) => {
            match load {
                $(Instr::$plain { dst, offset, .. } => Some(Instr::$fused { dst, a, imm, offset }),)*
                _ => None,
            }
        };
    }
    with_sum! {
        I32Load => I32LoadAdd, I64Load => I64LoadAdd, F32Load => F32LoadAdd, F64Load => F64LoadAdd,
        I32Load8S => I32Load8SAdd, I32Load8U => I32Load8UAdd,
        I32Load16S => I32Load16SAdd, I32Load16U => I32Load16UAdd,
        I64Load8S => I64Load8SAdd, I64Load8U => I64Load8UAdd,
        I64Load16S => I64Load16SAdd, I64Load16U => I64Load16UAdd,
        I64Load32S => I64Load32SAdd, I64Load32U => I64Load32UAdd,
    }
}

/// A store operator's memory argument and instruction (`addr, value, offset`). Float
/// stores have instructions of their own only so that a value just computed arrives from
/// the float accumulators; they store the bits, as the integer stores of their width do.
pub(super) fn store(op: &Operator<'_>) -> Option<(wasmparser::MemArg, Tag)> {
    memory_table!(
        op, I32Store, F32Store, I64Store, F64Store, I32Store8, I32Store16, I64Store8, I64Store16,
        I64Store32,
    )
}

/// Rewrites a comparison (or an `i32.and`, as a bit test) into a branch taken when its
/// result is non-zero (`when = true`) or zero.
pub(super) fn fuse_compare_branch(instr: Instr, when: bool) -> Option<Instr> {
    let taken = branch_if_nonzero(instr)?;
    if when {
        Some(taken)
    } else {
        inverted_branch(taken)
    }
}

/// The branch taken when comparison `instr` is true.
fn branch_if_nonzero(instr: Instr) -> Option<Instr> {
    macro_rules! fuse {
        ($($from:ident { $($f:ident),* } => $to:ident { $($t:ident: $e:expr),* };)*) => {
            match instr {
                $(Instr::$from { $($f,)* .. } => Some(Instr::$to { $($t: $e,)* offset: 0 }),)*
                _ => None,
            }
        };
    }
    fuse! {
        I32Eqz { src } => BrIfEqz { cond: src };
        I32Eq { a, b } => BrI32Eq { a: a, b: b };
        I32Ne { a, b } => BrI32Ne { a: a, b: b };
        I32LtS { a, b } => BrI32LtS { a: a, b: b };
        I32LtU { a, b } => BrI32LtU { a: a, b: b };
        I32GtS { a, b } => BrI32GtS { a: a, b: b };
        I32GtU { a, b } => BrI32GtU { a: a, b: b };
        I32LeS { a, b } => BrI32LeS { a: a, b: b };
        I32LeU { a, b } => BrI32LeU { a: a, b: b };
        I32GeS { a, b } => BrI32GeS { a: a, b: b };
        I32GeU { a, b } => BrI32GeU { a: a, b: b };
        I32And { a, b } => BrI32AndNez { a: a, b: b };
        I32EqImm { a, imm } => BrI32EqImm { a: a, imm: imm };
        I32NeImm { a, imm } => BrI32NeImm { a: a, imm: imm };
        I32LtSImm { a, imm } => BrI32LtSImm { a: a, imm: imm };
        I32LtUImm { a, imm } => BrI32LtUImm { a: a, imm: imm };
        I32GtSImm { a, imm } => BrI32GtSImm { a: a, imm: imm };
        I32GtUImm { a, imm } => BrI32GtUImm { a: a, imm: imm };
        I32LeSImm { a, imm } => BrI32LeSImm { a: a, imm: imm };
        I32LeUImm { a, imm } => BrI32LeUImm { a: a, imm: imm };
        I32GeSImm { a, imm } => BrI32GeSImm { a: a, imm: imm };
        I32GeUImm { a, imm } => BrI32GeUImm { a: a, imm: imm };
        I32AndImm { a, imm } => BrI32AndImmNez { a: a, imm: imm };
        I64Eqz { src } => BrI64EqImm { a: src, imm: 0 };
        I64Eq { a, b } => BrI64Eq { a: a, b: b };
        I64Ne { a, b } => BrI64Ne { a: a, b: b };
        I64LtS { a, b } => BrI64LtS { a: a, b: b };
        I64LtU { a, b } => BrI64LtU { a: a, b: b };
        I64GtS { a, b } => BrI64GtS { a: a, b: b };
        I64GtU { a, b } => BrI64GtU { a: a, b: b };
        I64LeS { a, b } => BrI64LeS { a: a, b: b };
        I64LeU { a, b } => BrI64LeU { a: a, b: b };
        I64GeS { a, b } => BrI64GeS { a: a, b: b };
        I64GeU { a, b } => BrI64GeU { a: a, b: b };
        I64EqImm { a, imm } => BrI64EqImm { a: a, imm: imm };
        I64NeImm { a, imm } => BrI64NeImm { a: a, imm: imm };
        I64LtSImm { a, imm } => BrI64LtSImm { a: a, imm: imm };
        I64LtUImm { a, imm } => BrI64LtUImm { a: a, imm: imm };
        I64GtSImm { a, imm } => BrI64GtSImm { a: a, imm: imm };
        I64GtUImm { a, imm } => BrI64GtUImm { a: a, imm: imm };
        I64LeSImm { a, imm } => BrI64LeSImm { a: a, imm: imm };
        I64LeUImm { a, imm } => BrI64LeUImm { a: a, imm: imm };
        I64GeSImm { a, imm } => BrI64GeSImm { a: a, imm: imm };
        I64GeUImm { a, imm } => BrI64GeUImm { a: a, imm: imm };
        F32Eq { a, b } => BrF32Eq { a: a, b: b };
        F32Ne { a, b } => BrF32Ne { a: a, b: b };
        F32Lt { a, b } => BrF32Lt { a: a, b: b };
        F32Gt { a, b } => BrF32Gt { a: a, b: b };
        F32Le { a, b } => BrF32Le { a: a, b: b };
        F32Ge { a, b } => BrF32Ge { a: a, b: b };
        F64Eq { a, b } => BrF64Eq { a: a, b: b };
        F64Ne { a, b } => BrF64Ne { a: a, b: b };
        F64Lt { a, b } => BrF64Lt { a: a, b: b };
        F64Gt { a, b } => BrF64Gt { a: a, b: b };
        F64Le { a, b } => BrF64Le { a: a, b: b };
        F64Ge { a, b } => BrF64Ge { a: a, b: b };
    }
}

/// The conditional branch taken exactly when `branch` is not (same operands and offset).
/// Float comparisons are false on NaN, so "not less than" is not "greater or equal": they
/// have negated forms of their own (equality's is `ne`).
pub(super) fn inverted_branch(branch: Instr) -> Option<Instr> {
    macro_rules! complements {
        ($( $fields:tt $($a:ident <-> $b:ident),*; )*) => {
            match branch {
                $($(
                    Instr::$a $fields => Some(Instr::$b $fields),
                    Instr::$b $fields => Some(Instr::$a $fields),
                )*)*
                _ => None,
            }
        };
    }
    complements! {
        { cond, offset } BrIfNez <-> BrIfEqz;
        { a, b, offset }
            BrI32Eq <-> BrI32Ne, BrI32LtS <-> BrI32GeS, BrI32LtU <-> BrI32GeU,
            BrI32GtS <-> BrI32LeS, BrI32GtU <-> BrI32LeU, BrI32AndNez <-> BrI32AndEqz,
            BrI64Eq <-> BrI64Ne, BrI64LtS <-> BrI64GeS, BrI64LtU <-> BrI64GeU,
            BrI64GtS <-> BrI64LeS, BrI64GtU <-> BrI64LeU,
            BrF32Eq <-> BrF32Ne, BrF32Lt <-> BrF32NotLt, BrF32Gt <-> BrF32NotGt,
            BrF32Le <-> BrF32NotLe, BrF32Ge <-> BrF32NotGe,
            BrF64Eq <-> BrF64Ne, BrF64Lt <-> BrF64NotLt, BrF64Gt <-> BrF64NotGt,
            BrF64Le <-> BrF64NotLe, BrF64Ge <-> BrF64NotGe;
        { a, imm, offset }
            BrI32EqImm <-> BrI32NeImm, BrI32LtSImm <-> BrI32GeSImm, BrI32LtUImm <-> BrI32GeUImm,
            BrI32GtSImm <-> BrI32LeSImm, BrI32GtUImm <-> BrI32LeUImm,
            BrI32AndImmNez <-> BrI32AndImmEqz,
            BrI64EqImm <-> BrI64NeImm, BrI64LtSImm <-> BrI64GeSImm, BrI64LtUImm <-> BrI64GeUImm,
            BrI64GtSImm <-> BrI64LeSImm, BrI64GtUImm <-> BrI64LeUImm;
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
