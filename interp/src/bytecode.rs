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

/// A frame-relative slot index.
pub type Slot = u16;

macro_rules! define_instrs {
    (
        binary: [$($bin:ident),* $(,)?],
        binary_imm: [$($bimm:ident),* $(,)?],
        unary: [$($un:ident),* $(,)?],
        moves: [$($mv:ident),* $(,)?],
        load: [$($load:ident),* $(,)?],
        load_add: [$($loadadd:ident),* $(,)?],
        store: [$($store:ident),* $(,)?],
        branch_cmp: [$($brc:ident),* $(,)?],
        branch_cmp_imm: [$($brci:ident),* $(,)?],
        other: {
            $( $(#[$meta:meta])* $other:ident $({ $($of:ident : $ot:ty),* $(,)? })? ),* $(,)?
        }
    ) => {
        /// One instruction, as the translator builds it (`encode` packs it for the executor).
        #[derive(Debug, Copy, Clone, PartialEq)]
        pub enum Instr {
            $($bin { dst: Slot, a: Slot, b: Slot },)*
            $($bimm { dst: Slot, a: Slot, imm: i32 },)*
            $($un { dst: Slot, src: Slot },)*
            $($mv { dst: Slot, src: Slot },)*
            $($load { dst: Slot, addr: Slot, offset: u32 },)*
            $($loadadd { dst: Slot, a: Slot, imm: i32, offset: u32 },)*
            $($store { addr: Slot, value: Slot, offset: u32 },)*
            $($brc { a: Slot, b: Slot, offset: i32 },)*
            $($brci { a: Slot, imm: i32, offset: i32 },)*
            $( $(#[$meta])* $other $({ $($of: $ot),* })?, )*
        }

        /// Each instruction's operands as the executor reads them: in declaration order,
        /// each at its natural alignment (`repr(C)`; the words they start at are 8-byte
        /// aligned, so every field is read with one aligned load, on every target), in the
        /// words after its handler (see [`encode`]).
        #[allow(non_camel_case_types, dead_code)]
        pub mod payload {
            use super::Slot;
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $bin { pub dst: Slot, pub a: Slot, pub b: Slot } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $bimm { pub dst: Slot, pub a: Slot, pub imm: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $un { pub dst: Slot, pub src: Slot } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $mv { pub dst: Slot, pub src: Slot } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $load { pub dst: Slot, pub addr: Slot, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $loadadd { pub dst: Slot, pub a: Slot, pub imm: i32, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $store { pub addr: Slot, pub value: Slot, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $brc { pub a: Slot, pub b: Slot, pub offset: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $brci { pub a: Slot, pub imm: i32, pub offset: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy)] pub struct $other { $($(pub $of: $ot),*)? } )*
        }

        impl Instr {
            /// How many bytes the operands take (`payload`).
            #[inline]
            fn payload_len(&self) -> usize {
                use core::mem::size_of;
                match self {
                    $(Instr::$bin { .. } => size_of::<payload::$bin>(),)*
                    $(Instr::$bimm { .. } => size_of::<payload::$bimm>(),)*
                    $(Instr::$un { .. } => size_of::<payload::$un>(),)*
                    $(Instr::$mv { .. } => size_of::<payload::$mv>(),)*
                    $(Instr::$load { .. } => size_of::<payload::$load>(),)*
                    $(Instr::$loadadd { .. } => size_of::<payload::$loadadd>(),)*
                    $(Instr::$store { .. } => size_of::<payload::$store>(),)*
                    $(Instr::$brc { .. } => size_of::<payload::$brc>(),)*
                    $(Instr::$brci { .. } => size_of::<payload::$brci>(),)*
                    $(Instr::$other { .. } => size_of::<payload::$other>(),)*
                }
            }

            /// Appends the operands (see [`payload`]) to `out`, in as many words as
            /// they need.
            #[inline]
            fn write_payload(&self, out: &mut alloc::vec::Vec<Word>) {
                match *self {
                    $(Instr::$bin { dst, a, b } => put(out, payload::$bin { dst, a, b }),)*
                    $(Instr::$bimm { dst, a, imm } => put(out, payload::$bimm { dst, a, imm }),)*
                    $(Instr::$un { dst, src } => put(out, payload::$un { dst, src }),)*
                    $(Instr::$mv { dst, src } => put(out, payload::$mv { dst, src }),)*
                    $(Instr::$load { dst, addr, offset } => put(out, payload::$load { dst, addr, offset }),)*
                    $(Instr::$loadadd { dst, a, imm, offset } => put(out, payload::$loadadd { dst, a, imm, offset }),)*
                    $(Instr::$store { addr, value, offset } => put(out, payload::$store { addr, value, offset }),)*
                    $(Instr::$brc { a, b, offset } => put(out, payload::$brc { a, b, offset }),)*
                    $(Instr::$brci { a, imm, offset } => put(out, payload::$brci { a, imm, offset }),)*
                    $(Instr::$other $({ $($of),* })? => put(out, payload::$other { $($($of),*)? }),)*
                }
            }

            /// The instruction for a wasm operator that maps one to one onto a unary
            /// instruction of the same name (numeric operators, conversions, `ref.is_null`).
            pub fn for_unary_operator(op: &wasmparser::Operator<'_>) -> Option<fn(Slot, Slot) -> Instr> {
                match op {
                    $(wasmparser::Operator::$un => Some(|dst, src| Instr::$un { dst, src }),)*
                    _ => None,
                }
            }

            /// The operands that may come from the previous instruction's result register
            /// instead of their slot: `(first, second)` for binary operators and compares,
            /// `(operand, None)` for the rest. See `Op::forward`.
            #[inline]
            pub fn forwardable_operands(&self) -> (Option<Slot>, Option<Slot>) {
                match *self {
                    $(Instr::$bin { a, b, .. } => (Some(a), Some(b)),)*
                    $(Instr::$bimm { a, .. } => (Some(a), None),)*
                    $(Instr::$un { src, .. } => (Some(src), None),)*
                    $(Instr::$mv { src, .. } => (Some(src), None),)*
                    $(Instr::$load { addr, .. } => (Some(addr), None),)*
                    $(Instr::$loadadd { a, .. } => (Some(a), None),)*
                    $(Instr::$store { value, .. } => (Some(value), None),)*
                    $(Instr::$brc { a, b, .. } => (Some(a), Some(b)),)*
                    $(Instr::$brci { a, .. } => (Some(a), None),)*
                    Instr::BrIfNez { cond, .. } | Instr::BrIfEqz { cond, .. } => (Some(cond), None),
                    Instr::GlobalSet { src, .. } => (Some(src), None),
                    _ => (None, None),
                }
            }

            /// The relative target of a branch instruction.
            pub fn branch_offset(&self) -> Option<i32> {
                let mut copy = *self;
                copy.branch_offset_mut().map(|o| *o)
            }

            /// The relative target of a branch instruction, to patch.
            #[inline]
            pub fn branch_offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    $(Instr::$brc { offset, .. })|*
                    | $(Instr::$brci { offset, .. })|*
                    | Instr::Br { offset } | Instr::BrIfNez { offset, .. } | Instr::BrIfEqz { offset, .. } => Some(offset),
                    _ => None,
                }
            }

            /// The slot this instruction writes its only result to, for instructions that
            /// read all their operands before writing it (so it may be any slot).
            #[inline]
            pub fn result_slot_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $(Instr::$bin { dst, .. })|*
                    | $(Instr::$bimm { dst, .. })|*
                    | $(Instr::$un { dst, .. })|*
                    | $(Instr::$mv { dst, .. })|*
                    | $(Instr::$load { dst, .. })|*
                    | $(Instr::$loadadd { dst, .. })|*
                    | Instr::Const32 { dst, .. }
                    | Instr::Const64 { dst, .. }
                    | Instr::Select { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::RefFunc { dst, .. }
                    | Instr::TableGet { dst, .. }
                    | Instr::TableSize { dst, .. }
                    | Instr::MemorySize { dst }
                    | Instr::MemoryGrow { dst, .. } => Some(dst),
                    _ => None,
                }
            }
        }
    };
}

define_instrs! {
    binary: [
        I32Add, I32Sub, I32Mul, I32DivS, I32DivU, I32RemS, I32RemU, I32And, I32Or, I32Xor,
        I32Shl, I32ShrS, I32ShrU, I32Rotl, I32Rotr,
        I32Eq, I32Ne, I32LtS, I32LtU, I32GtS, I32GtU, I32LeS, I32LeU, I32GeS, I32GeU,
        I64Add, I64Sub, I64Mul, I64DivS, I64DivU, I64RemS, I64RemU, I64And, I64Or, I64Xor,
        I64Shl, I64ShrS, I64ShrU, I64Rotl, I64Rotr,
        I64Eq, I64Ne, I64LtS, I64LtU, I64GtS, I64GtU, I64LeS, I64LeU, I64GeS, I64GeU,
        F32Add, F32Sub, F32Mul, F32Div, F32Min, F32Max, F32Copysign,
        F32Eq, F32Ne, F32Lt, F32Gt, F32Le, F32Ge,
        F64Add, F64Sub, F64Mul, F64Div, F64Min, F64Max, F64Copysign,
        F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge,
    ],
    // `a op imm`; for i64 ops the immediate is sign-extended.
    binary_imm: [
        I32AddImm, I32SubImm, I32MulImm, I32AndImm, I32OrImm, I32XorImm,
        I32ShlImm, I32ShrSImm, I32ShrUImm, I32RotlImm, I32RotrImm,
        I32EqImm, I32NeImm, I32LtSImm, I32LtUImm, I32GtSImm, I32GtUImm,
        I32LeSImm, I32LeUImm, I32GeSImm, I32GeUImm,
        I64AddImm, I64SubImm, I64MulImm, I64AndImm, I64OrImm, I64XorImm,
        I64ShlImm, I64ShrSImm, I64ShrUImm, I64RotlImm, I64RotrImm,
        I64EqImm, I64NeImm, I64LtSImm, I64LtUImm, I64GtSImm, I64GtUImm,
        I64LeSImm, I64LeUImm, I64GeSImm, I64GeUImm,
    ],
    unary: [
        I32Clz, I32Ctz, I32Popcnt, I32Eqz, I64Clz, I64Ctz, I64Popcnt, I64Eqz,
        F32Abs, F32Neg, F32Ceil, F32Floor, F32Trunc, F32Nearest, F32Sqrt,
        F64Abs, F64Neg, F64Ceil, F64Floor, F64Trunc, F64Nearest, F64Sqrt,
        I32TruncF32S, I32TruncF32U, I32TruncF64S, I32TruncF64U,
        I64ExtendI32S, I64ExtendI32U,
        I64TruncF32S, I64TruncF32U, I64TruncF64S, I64TruncF64U,
        F32ConvertI32S, F32ConvertI32U, F32ConvertI64S, F32ConvertI64U, F32DemoteF64,
        F64ConvertI32S, F64ConvertI32U, F64ConvertI64S, F64ConvertI64U, F64PromoteF32,
        I32Extend8S, I32Extend16S, I64Extend8S, I64Extend16S, I64Extend32S,
        I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,
        I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,
        RefIsNull,
    ],
    // `Copy`: dst = src, a whole slot (no wasm operator of its own).
    moves: [Copy],
    load: [
        I32Load, I64Load, F32Load, F64Load,
        I32Load8S, I32Load8U, I32Load16S, I32Load16U,
        I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    ],
    // The same from address `a + imm` (wrapping, as the `i32.add` it replaces), then
    // `offset`: an `i32.add` of a constant whose only use is a load's address.
    load_add: [
        I32LoadAdd, I64LoadAdd, F32LoadAdd, F64LoadAdd,
        I32Load8SAdd, I32Load8UAdd, I32Load16SAdd, I32Load16UAdd,
        I64Load8SAdd, I64Load8UAdd, I64Load16SAdd, I64Load16UAdd, I64Load32SAdd, I64Load32UAdd,
    ],
    store: [
        I32Store, I64Store, F32Store, F64Store,
        I32Store8, I32Store16, I64Store8, I64Store16, I64Store32,
    ],
    // Fused compare-and-branch: branch if `a cmp b` (`Not*`: if not; `And*`: if `a & b` is
    // non-zero or zero).
    branch_cmp: [
        BrI32Eq, BrI32Ne, BrI32LtS, BrI32LtU, BrI32GtS, BrI32GtU,
        BrI32LeS, BrI32LeU, BrI32GeS, BrI32GeU, BrI32AndNez, BrI32AndEqz,
        BrI64Eq, BrI64Ne, BrI64LtS, BrI64LtU, BrI64GtS, BrI64GtU,
        BrI64LeS, BrI64LeU, BrI64GeS, BrI64GeU,
        BrF32Eq, BrF32Ne, BrF32Lt, BrF32Gt, BrF32Le, BrF32Ge,
        BrF32NotLt, BrF32NotGt, BrF32NotLe, BrF32NotGe,
        BrF64Eq, BrF64Ne, BrF64Lt, BrF64Gt, BrF64Le, BrF64Ge,
        BrF64NotLt, BrF64NotGt, BrF64NotLe, BrF64NotGe,
    ],
    // The same against an immediate (sign-extended for i64).
    branch_cmp_imm: [
        BrI32EqImm, BrI32NeImm, BrI32LtSImm, BrI32LtUImm, BrI32GtSImm, BrI32GtUImm,
        BrI32LeSImm, BrI32LeUImm, BrI32GeSImm, BrI32GeUImm, BrI32AndImmNez, BrI32AndImmEqz,
        BrI64EqImm, BrI64NeImm, BrI64LtSImm, BrI64LtUImm, BrI64GtSImm, BrI64GtUImm,
        BrI64LeSImm, BrI64LeUImm, BrI64GeSImm, BrI64GeUImm,
    ],
    other: {
        Unreachable,
        /// Charges `amount` fuel for the basic block it starts (only emitted with fuel on).
        ConsumeFuel { amount: u32 },
        /// Traps if the store was interrupted (only emitted for interruptible engines).
        CheckInterrupt,
        Br { offset: i32 },
        BrIfNez { cond: Slot, offset: i32 },
        BrIfEqz { cond: Slot, offset: i32 },
        /// Jumps to the `index`-th of the `len` `Br`s that follow (the last one when
        /// `index >= len - 1`; `len` counts the default).
        BrTable { index: Slot, len: u32 },
        /// `dst0 = src0`, then `dst1 = src1` (in that order: `src1` may be `dst0`).
        Copy2 { dst0: Slot, src0: Slot, dst1: Slot, src1: Slot },
        /// `dst[0..len] = src[0..len]`, as `memmove`.
        CopyMany { dst: Slot, src: Slot, len: u16 },
        Const32 { dst: Slot, value: u32 },
        Const64 { dst: Slot, value: u64 },
        Select { dst: Slot, cond: Slot, a: Slot, b: Slot },
        Return0,
        /// Returns one result from `src`.
        Return1 { src: Slot },
        /// Returns `len` results from `src..src + len`.
        ReturnMany { src: Slot, len: u16 },
        /// Calls defined function `def` (index among the module's defined functions).
        CallInternal { def: u32, base: Slot },
        /// Calls function `func` of the instance's index space (imports, or anything).
        Call { func: u32, base: Slot },
        CallIndirect { ty: u32, table: u32, index: Slot, base: Slot },
        GlobalGet { dst: Slot, global: u32 },
        GlobalSet { src: Slot, global: u32 },
        RefFunc { dst: Slot, func: u32 },
        TableGet { dst: Slot, index: Slot, table: u32 },
        TableSet { index: Slot, value: Slot, table: u32 },
        TableSize { dst: Slot, table: u32 },
        /// `dst = table.grow(init, delta)`; `dst` also holds `init` on entry.
        TableGrow { dst: Slot, delta: Slot, table: u32 },
        TableFill { dst: Slot, value: Slot, len: Slot, table: u32 },
        TableCopy { dst: Slot, src: Slot, len: Slot, dst_table: u16, src_table: u16 },
        TableInit { dst: Slot, src: Slot, len: Slot, table: u16, elem: u32 },
        ElemDrop { elem: u32 },
        /// Makes memory `mem` the one the following memory instruction uses. Emitted only
        /// around instructions on memories other than 0, and reset to 0 right after.
        UseMemory { mem: u32 },
        /// `memory.copy` between two distinct memories.
        MemoryCopyBetween { dst: Slot, src: Slot, len: Slot, dst_mem: u16, src_mem: u16 },
        MemorySize { dst: Slot },
        MemoryGrow { dst: Slot, delta: Slot },
        MemoryFill { dst: Slot, value: Slot, len: Slot },
        MemoryCopy { dst: Slot, src: Slot, len: Slot },
        MemoryInit { dst: Slot, src: Slot, len: Slot, data: u32 },
        DataDrop { data: u32 },
    }
}

/// The most operand bytes an instruction has (`CallIndirect`, `TableInit`: 12).
const MAX_PAYLOAD: usize = 16;

/// One word of encoded code. An instruction is its handler's word followed by its
/// operands packed into as few words as they need ([`words_for`]): none for `Return0`,
/// one for most, two for the widest. Dispatch is one indirect call (or jump) through the
/// handler word, and the handler reads its operands at fixed offsets from it: no decoding.
#[derive(Copy, Clone)]
#[repr(C, align(8))]
pub union Word {
    pub handler: crate::exec::Handler,
    pub bits: [u8; 8],
}

impl core::fmt::Debug for Word {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Word")
    }
}

/// The words an instruction whose operands take `payload` bytes occupies.
pub const fn words_for(payload: usize) -> usize {
    1 + payload.div_ceil(8)
}

/// Appends payload `p` to `out` (zero-filled to whole words), for
/// [`Instr::write_payload`].
#[inline(always)]
fn put<P: Copy>(out: &mut alloc::vec::Vec<Word>, p: P) {
    const { assert!(core::mem::size_of::<P>() <= MAX_PAYLOAD) };
    let n = core::mem::size_of::<P>().div_ceil(8);
    for _ in 0..n {
        out.push(Word { bits: [0; 8] });
    }
    const { assert!(core::mem::align_of::<P>() <= core::mem::align_of::<Word>()) };
    // SAFETY: the `n` words just pushed hold `size_of::<P>()` bytes at `Word`'s alignment,
    // which is at least `P`'s; `P` is a `repr(C)` struct of integers (its padding bytes
    // stay uninitialised, and nothing reads them).
    unsafe { core::ptr::write(out.as_mut_ptr().add(out.len() - n).cast::<P>(), p) }
}

/// Which accumulator register a value travels in between two handlers (see `exec`):
/// integers and references in a general-purpose register, `f32` and `f64` each in a
/// float register of their own, so float chains never cross between register files and an
/// `f32` keeps its exact bits (NaN payloads included).
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum Kind {
    Int,
    F32,
    F64,
}

/// The instructions with `f32` results, operands, or both.
macro_rules! f32_instrs {
    (results) => {
        Instr::F32Add { .. }
            | Instr::F32Sub { .. }
            | Instr::F32Mul { .. }
            | Instr::F32Div { .. }
            | Instr::F32Min { .. }
            | Instr::F32Max { .. }
            | Instr::F32Copysign { .. }
            | Instr::F32Abs { .. }
            | Instr::F32Neg { .. }
            | Instr::F32Ceil { .. }
            | Instr::F32Floor { .. }
            | Instr::F32Trunc { .. }
            | Instr::F32Nearest { .. }
            | Instr::F32Sqrt { .. }
    };
    (compares_and_conversions_from) => {
        Instr::F32Eq { .. }
            | Instr::F32Ne { .. }
            | Instr::F32Lt { .. }
            | Instr::F32Gt { .. }
            | Instr::F32Le { .. }
            | Instr::F32Ge { .. }
            | Instr::I32TruncF32S { .. }
            | Instr::I32TruncF32U { .. }
            | Instr::I64TruncF32S { .. }
            | Instr::I64TruncF32U { .. }
            | Instr::I32TruncSatF32S { .. }
            | Instr::I32TruncSatF32U { .. }
            | Instr::I64TruncSatF32S { .. }
            | Instr::I64TruncSatF32U { .. }
            | Instr::F64PromoteF32 { .. }
            | Instr::F32Store { .. }
            | Instr::BrF32Eq { .. }
            | Instr::BrF32Ne { .. }
            | Instr::BrF32Lt { .. }
            | Instr::BrF32Gt { .. }
            | Instr::BrF32Le { .. }
            | Instr::BrF32Ge { .. }
            | Instr::BrF32NotLt { .. }
            | Instr::BrF32NotGt { .. }
            | Instr::BrF32NotLe { .. }
            | Instr::BrF32NotGe { .. }
    };
    (conversions_to) => {
        Instr::F32ConvertI32S { .. }
            | Instr::F32ConvertI32U { .. }
            | Instr::F32ConvertI64S { .. }
            | Instr::F32ConvertI64U { .. }
            | Instr::F32DemoteF64 { .. }
            | Instr::F32Load { .. }
            | Instr::F32LoadAdd { .. }
    };
}

/// The same for `f64`.
macro_rules! f64_instrs {
    (results) => {
        Instr::F64Add { .. }
            | Instr::F64Sub { .. }
            | Instr::F64Mul { .. }
            | Instr::F64Div { .. }
            | Instr::F64Min { .. }
            | Instr::F64Max { .. }
            | Instr::F64Copysign { .. }
            | Instr::F64Abs { .. }
            | Instr::F64Neg { .. }
            | Instr::F64Ceil { .. }
            | Instr::F64Floor { .. }
            | Instr::F64Trunc { .. }
            | Instr::F64Nearest { .. }
            | Instr::F64Sqrt { .. }
    };
    (compares_and_conversions_from) => {
        Instr::F64Eq { .. }
            | Instr::F64Ne { .. }
            | Instr::F64Lt { .. }
            | Instr::F64Gt { .. }
            | Instr::F64Le { .. }
            | Instr::F64Ge { .. }
            | Instr::I32TruncF64S { .. }
            | Instr::I32TruncF64U { .. }
            | Instr::I64TruncF64S { .. }
            | Instr::I64TruncF64U { .. }
            | Instr::I32TruncSatF64S { .. }
            | Instr::I32TruncSatF64U { .. }
            | Instr::I64TruncSatF64S { .. }
            | Instr::I64TruncSatF64U { .. }
            | Instr::F32DemoteF64 { .. }
            | Instr::F64Store { .. }
            | Instr::BrF64Eq { .. }
            | Instr::BrF64Ne { .. }
            | Instr::BrF64Lt { .. }
            | Instr::BrF64Gt { .. }
            | Instr::BrF64Le { .. }
            | Instr::BrF64Ge { .. }
            | Instr::BrF64NotLt { .. }
            | Instr::BrF64NotGt { .. }
            | Instr::BrF64NotLe { .. }
            | Instr::BrF64NotGe { .. }
    };
    (conversions_to) => {
        Instr::F64ConvertI32S { .. }
            | Instr::F64ConvertI32U { .. }
            | Instr::F64ConvertI64S { .. }
            | Instr::F64ConvertI64U { .. }
            | Instr::F64PromoteF32 { .. }
            | Instr::F64Load { .. }
            | Instr::F64LoadAdd { .. }
    };
}

impl Instr {
    /// The kind of the value `result_slot_mut` names: the accumulator the handler leaves
    /// it in. The handlers' result and operand types must agree with these two lists;
    /// debug builds check every handler run against them (`exec::handlers::checked`).
    #[inline]
    pub fn result_kind(&self) -> Kind {
        match self {
            f32_instrs!(results) | f32_instrs!(conversions_to) => Kind::F32,
            f64_instrs!(results) | f64_instrs!(conversions_to) => Kind::F64,
            _ => Kind::Int,
        }
    }

    /// The kind of the operands `forwardable_operands` names (both, for binary ones).
    #[inline]
    pub fn operand_kind(&self) -> Kind {
        match self {
            f32_instrs!(results) | f32_instrs!(compares_and_conversions_from) => Kind::F32,
            f64_instrs!(results) | f64_instrs!(compares_and_conversions_from) => Kind::F64,
            _ => Kind::Int,
        }
    }
}

/// Which operand of an instruction arrives in an accumulator register, the result of the
/// instruction before it (see `encode`): every value-producing handler passes its result
/// along, so a consumer right after it need not reload the slot just written.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
#[repr(u8)]
pub enum Forward {
    None = 0,
    First = 1,
    Second = 2,
}

/// Loads of floats and of integers of the same width load the same bits; they differ only
/// in the accumulator the value goes to. When the next instruction reads a loaded value
/// as the other kind (`f32.load` then `i32.reinterpret_f32` and integer work, say), the
/// load is swapped for its twin, so that the value is forwarded instead of reread from
/// the slot it was just written to.
fn retype_loads(code: &mut [Instr]) {
    for i in 0..code.len().saturating_sub(1) {
        let Some(dst) = result_slot(&code[i]) else {
            continue;
        };
        let next = &code[i + 1];
        let (a, b) = next.forwardable_operands();
        let reads_it = a == Some(dst) || b == Some(dst);
        if !reads_it || next.operand_kind() == code[i].result_kind() {
            continue;
        }
        let want = next.operand_kind();
        code[i] = match (code[i], want) {
            (Instr::F32Load { dst, addr, offset }, Kind::Int) => {
                Instr::I32Load { dst, addr, offset }
            }
            (Instr::F64Load { dst, addr, offset }, Kind::Int) => {
                Instr::I64Load { dst, addr, offset }
            }
            (Instr::I32Load { dst, addr, offset }, Kind::F32) => {
                Instr::F32Load { dst, addr, offset }
            }
            (Instr::I64Load { dst, addr, offset }, Kind::F64) => {
                Instr::F64Load { dst, addr, offset }
            }
            (
                Instr::F32LoadAdd {
                    dst,
                    a,
                    imm,
                    offset,
                },
                Kind::Int,
            ) => Instr::I32LoadAdd {
                dst,
                a,
                imm,
                offset,
            },
            (
                Instr::F64LoadAdd {
                    dst,
                    a,
                    imm,
                    offset,
                },
                Kind::Int,
            ) => Instr::I64LoadAdd {
                dst,
                a,
                imm,
                offset,
            },
            (
                Instr::I32LoadAdd {
                    dst,
                    a,
                    imm,
                    offset,
                },
                Kind::F32,
            ) => Instr::F32LoadAdd {
                dst,
                a,
                imm,
                offset,
            },
            (
                Instr::I64LoadAdd {
                    dst,
                    a,
                    imm,
                    offset,
                },
                Kind::F64,
            ) => Instr::F64LoadAdd {
                dst,
                a,
                imm,
                offset,
            },
            (same, _) => same,
        };
    }
}

/// The slot `instr` writes its one result to, if it has one (see `Instr::result_slot_mut`).
fn result_slot(instr: &Instr) -> Option<Slot> {
    let mut copy = *instr;
    copy.result_slot_mut().map(|s| *s)
}

/// Encodes translated code into words, choosing for each instruction whether an operand
/// comes from the previous instruction's result register. It may when the previous
/// instruction produced that slot, as a value of the operand's kind (so that it sits in
/// the accumulator the operand is read from: a `Copy` or a reinterpretation leaves its
/// value in the integer one), and falls through into this one with nothing else jumping in
/// between: so no branch target, and the first instruction never. Branch offsets, counted
/// in instructions by the translator, become offsets in words.
pub fn encode(code: alloc::vec::Vec<Instr>) -> alloc::boxed::Box<[Word]> {
    // (And whether its result is stored, or only passed on: see `store` below.)
    //
    // One pass gathers what the decisions need about each instruction (each query is a
    // `match` over the instruction set: asked once), where it starts in words, and which
    // instructions are branch targets.
    struct Facts {
        result: Option<(Slot, Kind)>,
        operands: (Option<Slot>, Option<Slot>),
        operand_kind: Kind,
    }
    let mut code = code;
    retype_loads(&mut code);
    let mut at = alloc::vec::Vec::with_capacity(code.len() + 1);
    let mut facts = alloc::vec::Vec::with_capacity(code.len());
    let mut target = alloc::vec![false; code.len() + 1];
    target[0] = true;
    let mut words = 0;
    for (i, instr) in code.iter().enumerate() {
        at.push(words);
        words += words_for(instr.payload_len());
        if let Some(offset) = instr.branch_offset() {
            if let Some(t) = target.get_mut((i as i64 + i64::from(offset)) as usize) {
                *t = true;
            }
        }
        facts.push(Facts {
            result: result_slot(instr).map(|s| (s, instr.result_kind())),
            operands: instr.forwardable_operands(),
            operand_kind: instr.operand_kind(),
        });
    }
    at.push(words);
    // Which operand each instruction takes from an accumulator.
    let mut forwards = alloc::vec::Vec::with_capacity(code.len() + 1);
    forwards.push(Forward::None);
    for i in 1..code.len() {
        let f = &facts[i];
        let forward = match facts[i - 1].result {
            Some((r, kind)) if !target[i] && kind == f.operand_kind => match f.operands {
                (Some(a), _) if a == r => Forward::First,
                (_, Some(b)) if b == r => Forward::Second,
                _ => Forward::None,
            },
            _ => Forward::None,
        };
        forwards.push(forward);
    }
    forwards.push(Forward::None);
    let mut out = alloc::vec::Vec::with_capacity(words);
    for (i, mut instr) in code.into_iter().enumerate() {
        // A result the next instruction takes from the accumulator and then overwrites
        // (reading no other operand from that slot) need not be stored: skip the store.
        let store = match (facts[i].result, facts.get(i + 1), forwards[i + 1]) {
            (Some((r, _)), Some(next), forward) if forward != Forward::None => {
                let other = if forward == Forward::First {
                    next.operands.1
                } else {
                    next.operands.0
                };
                !(next.result.map(|(s, _)| s) == Some(r) && other != Some(r))
            }
            _ => true,
        };
        let handler = crate::exec::handler_for(&instr, forwards[i], store);
        if let Some(offset) = instr.branch_offset_mut() {
            let to = (i as i64 + i64::from(*offset)) as usize;
            *offset = (at[to] as i64 - at[i] as i64) as i32;
        }
        out.push(Word { handler });
        instr.write_payload(&mut out);
    }
    debug_assert_eq!(out.len(), words);
    out.into_boxed_slice()
}

/// A translated function.
#[derive(Debug)]
pub struct CompiledFunc {
    pub code: alloc::boxed::Box<[Word]>,
    /// Slots the frame needs: locals, the deepest operand stack, one spare, the constants.
    pub frame_size: u32,
    /// Where the constant pool starts in the frame.
    pub const_base: u32,
    /// Constants instructions read from slots `const_base..`, copied in when a frame is
    /// pushed.
    pub consts: alloc::boxed::Box<[u64]>,
    pub num_params: u32,
    /// Parameters plus declared locals; slots `num_params..num_locals` start zeroed.
    pub num_locals: u32,
}
