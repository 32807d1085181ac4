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
        ///
        /// `repr(C, u16)`: a `u16` tag (the same number as the variant's [`Tag`]) and then,
        /// at [`PAYLOAD_OFFSET`], a `repr(C)` union of the variants' fields, each laid out
        /// exactly as its [`payload`] struct. So `encode` copies the operands out as bytes
        /// and finds result, operands and branch offset at offsets from [`INFO`].
        #[derive(Debug, Copy, Clone, PartialEq)]
        #[repr(C, u16)]
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

        /// Which instruction an [`Instr`] is, without its operands; the same numbering.
        #[derive(Debug, Copy, Clone, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Tag {
            $($bin,)* $($bimm,)* $($un,)* $($mv,)* $($load,)* $($loadadd,)* $($store,)*
            $($brc,)* $($brci,)* $($other,)*
        }

        /// The tags of each group are consecutive: where the groups end.
        const BIN_END: u16 = [$(Tag::$bin),*].len() as u16;
        const BIMM_END: u16 = BIN_END + [$(Tag::$bimm),*].len() as u16;
        const UN_END: u16 = BIMM_END + [$(Tag::$un),*].len() as u16;
        const MV_END: u16 = UN_END + [$(Tag::$mv),*].len() as u16;
        const LOAD_END: u16 = MV_END + [$(Tag::$load),*].len() as u16;
        const LOADADD_END: u16 = LOAD_END + [$(Tag::$loadadd),*].len() as u16;
        const STORE_END: u16 = LOADADD_END + [$(Tag::$store),*].len() as u16;

        impl Instr {
            /// Binary operator `tag` (of the `binary` group).
            #[inline(always)]
            pub fn binary(tag: Tag, dst: Slot, a: Slot, b: Slot) -> Instr {
                assert!((tag as u16) < BIN_END);
                // SAFETY: checked: the group's fields are `dst, a, b`.
                unsafe { Instr::from_parts(tag, payload::I32Add { dst, a, b }) }
            }

            /// Binary operator `tag` with an immediate (of the `binary_imm` group).
            #[inline(always)]
            pub fn binary_imm(tag: Tag, dst: Slot, a: Slot, imm: i32) -> Instr {
                assert!((BIN_END..BIMM_END).contains(&(tag as u16)));
                // SAFETY: checked: the group's fields are `dst, a, imm`.
                unsafe { Instr::from_parts(tag, payload::I32AddImm { dst, a, imm }) }
            }

            /// Unary operator `tag` (of the `unary` group).
            #[inline(always)]
            pub fn unary(tag: Tag, dst: Slot, src: Slot) -> Instr {
                assert!((BIMM_END..UN_END).contains(&(tag as u16)));
                // SAFETY: checked: the group's fields are `dst, src`.
                unsafe { Instr::from_parts(tag, payload::I32Clz { dst, src }) }
            }

            /// Load `tag` (of the `load` group).
            #[inline(always)]
            pub fn load(tag: Tag, dst: Slot, addr: Slot, offset: u32) -> Instr {
                assert!((MV_END..LOAD_END).contains(&(tag as u16)));
                // SAFETY: checked: the group's fields are `dst, addr, offset`.
                unsafe { Instr::from_parts(tag, payload::I32Load { dst, addr, offset }) }
            }

            /// Store `tag` (of the `store` group).
            #[inline(always)]
            pub fn store(tag: Tag, addr: Slot, value: Slot, offset: u32) -> Instr {
                assert!((LOADADD_END..STORE_END).contains(&(tag as u16)));
                // SAFETY: checked: the group's fields are `addr, value, offset`.
                unsafe { Instr::from_parts(tag, payload::I32Store { addr, value, offset }) }
            }
        }

        /// How many instructions there are.
        pub const NUM_TAGS: usize = [$(Tag::$bin,)* $(Tag::$bimm,)* $(Tag::$un,)* $(Tag::$mv,)*
            $(Tag::$load,)* $(Tag::$loadadd,)* $(Tag::$store,)* $(Tag::$brc,)* $(Tag::$brci,)*
            $(Tag::$other,)*].len();

        /// Each instruction's [`Info`], indexed by tag.
        pub static INFO: [Info; NUM_TAGS] = {
            use core::mem::{offset_of, size_of};
            use payload as p;
            [
                $(Info::new(Tag::$bin, size_of::<p::$bin>(), Some(offset_of!(p::$bin, dst)), Some(offset_of!(p::$bin, a)), Some(offset_of!(p::$bin, b)), None),)*
                $(Info::new(Tag::$bimm, size_of::<p::$bimm>(), Some(offset_of!(p::$bimm, dst)), Some(offset_of!(p::$bimm, a)), None, None),)*
                $(Info::new(Tag::$un, size_of::<p::$un>(), Some(offset_of!(p::$un, dst)), Some(offset_of!(p::$un, src)), None, None),)*
                $(Info::new(Tag::$mv, size_of::<p::$mv>(), Some(offset_of!(p::$mv, dst)), Some(offset_of!(p::$mv, src)), None, None),)*
                $(Info::new(Tag::$load, size_of::<p::$load>(), Some(offset_of!(p::$load, dst)), Some(offset_of!(p::$load, addr)), None, None),)*
                $(Info::new(Tag::$loadadd, size_of::<p::$loadadd>(), Some(offset_of!(p::$loadadd, dst)), Some(offset_of!(p::$loadadd, a)), None, None),)*
                $(Info::new(Tag::$store, size_of::<p::$store>(), None, Some(offset_of!(p::$store, value)), None, None),)*
                $(Info::new(Tag::$brc, size_of::<p::$brc>(), None, Some(offset_of!(p::$brc, a)), Some(offset_of!(p::$brc, b)), Some(offset_of!(p::$brc, offset))),)*
                $(Info::new(Tag::$brci, size_of::<p::$brci>(), None, Some(offset_of!(p::$brci, a)), None, Some(offset_of!(p::$brci, offset))),)*
                $(other_info(Tag::$other, size_of::<p::$other>()),)*
            ]
        };

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
            /// The instruction for a wasm operator that maps one to one onto a unary
            /// instruction of the same name (numeric operators, conversions, `ref.is_null`).
            pub fn for_unary_operator(op: &wasmparser::Operator<'_>) -> Option<Tag> {
                match op {
                    $(wasmparser::Operator::$un => Some(Tag::$un),)*
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
        /// Counts a call of defined function `def` for tier-up (only emitted when the
        /// engine tiers up; the first instruction of such a function).
        Hot { def: u32 },
        /// Counts an entry into the loop header at wasm byte `offset` of defined function
        /// `def`, and past the threshold moves the frame to native code there if the JIT
        /// has it ready (on-stack replacement). Only emitted when the engine tiers up, as
        /// the first instruction of every loop header.
        HotLoop { def: u32, offset: u32 },
        /// The whole body of a function the JIT has compiled (`CompiledFunc::native`):
        /// runs the native code on the frame's slots and returns its results.
        EnterNative,
        Br { offset: i32 },
        BrIfNez { cond: Slot, offset: i32 },
        BrIfEqz { cond: Slot, offset: i32 },
        /// Jumps to the `index`-th of the `len` `Br`s that follow (the last one when
        /// `index >= len - 1`; `len` counts the default).
        BrTable { index: Slot, len: u32 },
        /// `dst0 = src0` and `dst1 = src1`, `dst1` last where they are the same slot.
        /// `src1` is never `dst0` (the translator reads `src0` instead), so the handler may
        /// load both before it stores either.
        Copy2 { dst0: Slot, src0: Slot, dst1: Slot, src1: Slot },
        /// `dst[0..len] = src[0..len]`, as `memmove`.
        CopyMany { dst: Slot, src: Slot, len: u16 },
        Const32 { dst: Slot, value: u32 },
        Const64 { dst: Slot, value: u64 },
        Select { dst: Slot, cond: Slot, a: Slot, b: Slot },
        /// `dst = a + (b << shift)` in i32 (`shift < 32`): an `i32.shl` by a constant whose
        /// only use is an `i32.add`, the scaled index of an array access.
        I32AddShl { dst: Slot, a: Slot, b: Slot, shift: u16 },
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
        /// Calls the function reference in slot `func` (trapping if null).
        CallRef { func: Slot, base: Slot },
        /// Tail calls: the callee takes the place of the running frame. Its `len`
        /// arguments, at `base`, move to the frame's first slots, and its results are the
        /// frame's. (The same callees as the calls above.)
        ReturnCallInternal { def: u32, base: Slot, len: u16 },
        ReturnCall { func: u32, base: Slot, len: u16 },
        ReturnCallIndirect { ty: u32, table: u32, index: Slot, base: Slot, len: u16 },
        ReturnCallRef { func: Slot, base: Slot, len: u16 },
        /// `dst = src`, trapping if it is a null reference (`ref.as_non_null`).
        RefAsNonNull { dst: Slot, src: Slot },
        /// Throws a new exception of the instance's tag `tag` with the `len` values at
        /// `base`.
        Throw { tag: u32, base: Slot, len: u16 },
        /// Throws the exception in slot `src` again (`throw_ref`; trapping if it is null),
        /// or, for a legacy `rethrow`, the one a `catch` block keeps in its slot.
        ThrowRef { src: Slot },
        /// The first instruction of a handler (`CompiledFunc::regions`): takes the
        /// exception being handled, writing its `len` values to `dst..`, and then as
        /// `mode` says: 0, nothing (a plain `catch`, which frees it if it was never a
        /// value); 1, its `exnref` to slot `dst + len` (`catch_ref`); 2, its `exnref` to
        /// slot `exn`, where a legacy `catch` block holds it for `rethrow`.
        Caught { dst: Slot, len: u16, exn: Slot, mode: u16 },
        /// A legacy `catch` block ends normally: it no longer holds the exception in slot
        /// `exn`.
        CatchEnd { exn: Slot },
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

/// The most operand bytes an instruction has (`Const64`: 16).
const MAX_PAYLOAD: usize = 16;

/// Where an [`Instr`]'s fields start: after the `u16` tag, at the alignment of the union
/// of the variants' fields, which is the enum's own (`repr(C, u16)`).
const PAYLOAD_OFFSET: usize = core::mem::align_of::<Instr>();

const _: () = {
    assert!(core::mem::size_of::<Instr>() >= PAYLOAD_OFFSET + MAX_PAYLOAD);
    let mut t = 0;
    while t < NUM_TAGS {
        assert!(INFO[t].len as usize <= MAX_PAYLOAD);
        t += 1;
    }
};

/// What encoding needs to know of an instruction, by its [`Tag`]: one table load, where a
/// `match` for each question would be an indirect jump the branch predictor mostly misses
/// on a stream of mixed instructions (which made encoding the costliest part of eager
/// translation).
///
/// Offsets are bytes into the payload (and into the variant's fields, laid out alike);
/// `NONE` where there is no such field.
#[derive(Debug, Clone, Copy)]
pub struct Info {
    /// Operand bytes ([`payload`]).
    pub len: u8,
    /// Words the encoded instruction takes: [`words_for`] `len`.
    pub words: u8,
    /// The slot the instruction writes its only result to, for instructions that read all
    /// their operands before writing it (so that it may be any slot).
    pub result: u8,
    /// The operands that may come from the previous instruction's result register
    /// instead of their slot: both of a binary operator or compare, else the first only.
    pub first: u8,
    pub second: u8,
    /// The `i32` branch offset, for branches.
    pub branch: u8,
    pub result_kind: Kind,
    pub operand_kind: Kind,
}

impl Info {
    pub const NONE: u8 = u8::MAX;

    const fn new(
        tag: Tag,
        len: usize,
        result: Option<usize>,
        first: Option<usize>,
        second: Option<usize>,
        branch: Option<usize>,
    ) -> Info {
        const fn byte(offset: Option<usize>) -> u8 {
            match offset {
                Some(o) => o as u8,
                None => Info::NONE,
            }
        }
        Info {
            len: len as u8,
            words: words_for(len) as u8,
            result: byte(result),
            first: byte(first),
            second: byte(second),
            branch: byte(branch),
            result_kind: result_kind_of(tag),
            operand_kind: operand_kind_of(tag),
        }
    }
}

/// [`Info`] for the instructions outside the regular groups.
const fn other_info(tag: Tag, len: usize) -> Info {
    use core::mem::offset_of;
    use payload as p;
    let (result, first, second, branch) = match tag {
        Tag::Const32
        | Tag::Const64
        | Tag::Select
        | Tag::GlobalGet
        | Tag::RefFunc
        | Tag::TableGet
        | Tag::TableSize
        | Tag::MemorySize
        | Tag::MemoryGrow => {
            // `dst` comes first in all of them.
            const _: () = assert!(
                offset_of!(p::Const64, dst) == 0
                    && offset_of!(p::Select, dst) == 0
                    && offset_of!(p::TableGet, dst) == 0
                    && offset_of!(p::MemoryGrow, dst) == 0
            );
            (Some(0), None, None, None)
        }
        Tag::RefAsNonNull => (
            Some(offset_of!(p::RefAsNonNull, dst)),
            Some(offset_of!(p::RefAsNonNull, src)),
            None,
            None,
        ),
        Tag::I32AddShl => (
            Some(offset_of!(p::I32AddShl, dst)),
            Some(offset_of!(p::I32AddShl, a)),
            Some(offset_of!(p::I32AddShl, b)),
            None,
        ),
        Tag::GlobalSet => (None, Some(offset_of!(p::GlobalSet, src)), None, None),
        Tag::BrIfNez | Tag::BrIfEqz => {
            const _: () = assert!(
                offset_of!(p::BrIfNez, cond) == offset_of!(p::BrIfEqz, cond)
                    && offset_of!(p::BrIfNez, offset) == offset_of!(p::BrIfEqz, offset)
            );
            (
                None,
                Some(offset_of!(p::BrIfNez, cond)),
                None,
                Some(offset_of!(p::BrIfNez, offset)),
            )
        }
        Tag::Br => (None, None, None, Some(offset_of!(p::Br, offset))),
        // Its targets are the `Br`s that follow it.
        Tag::BrTable => (None, Some(offset_of!(p::BrTable, index)), None, None),
        _ => (None, None, None, None),
    };
    Info::new(tag, len, result, first, second, branch)
}

impl Instr {
    /// The instruction's tag.
    #[inline(always)]
    pub fn tag(&self) -> Tag {
        // SAFETY: `Instr` is `repr(C, u16)`: it starts with its `u16` discriminant, and
        // `Tag` is a `repr(u16)` enum of the same variants in the same order.
        unsafe { *(self as *const Instr).cast::<Tag>() }
    }

    /// The instruction `tag` with fields `fields`.
    ///
    /// # Safety
    /// `P` must be the payload struct of a variant with `tag`'s group's fields (the same
    /// types in the same order, so the same `repr(C)` layout).
    #[inline(always)]
    unsafe fn from_parts<P: Copy>(tag: Tag, fields: P) -> Instr {
        let mut instr = core::mem::MaybeUninit::<Instr>::uninit();
        let ptr = instr.as_mut_ptr().cast::<u8>();
        // SAFETY: `repr(C, u16)`: the tag first, then the variant's fields laid out as
        // `P` at `PAYLOAD_OFFSET`, which the contract makes `tag`'s. Those are all the
        // bytes the variant has that are not padding.
        unsafe {
            ptr.cast::<Tag>().write(tag);
            ptr.add(PAYLOAD_OFFSET).cast::<P>().write_unaligned(fields);
            instr.assume_init()
        }
    }

    /// The instruction's [`Info`].
    #[inline(always)]
    pub fn info(&self) -> &'static Info {
        &INFO[self.tag() as usize]
    }

    /// The field of type `T` at byte `offset` of the variant's fields.
    ///
    /// # Safety
    /// `offset` comes from this instruction's `Info` and names a field of type `T`.
    #[inline(always)]
    unsafe fn field<T: Copy>(&self, offset: u8) -> *const T {
        // SAFETY: per the contract, in bounds of `self` (see `PAYLOAD_OFFSET`).
        unsafe {
            (self as *const Instr)
                .cast::<u8>()
                .add(PAYLOAD_OFFSET + offset as usize)
                .cast::<T>()
        }
    }

    /// The same, to write.
    ///
    /// # Safety
    /// As for `field`.
    #[inline(always)]
    unsafe fn field_mut<T: Copy>(&mut self, offset: u8) -> &mut T {
        // SAFETY: per the contract the field exists, is initialised and of type `T`; the
        // variant's fields are `repr(C)`, so naturally aligned within the `Instr`.
        unsafe {
            &mut *(self as *mut Instr)
                .cast::<u8>()
                .add(PAYLOAD_OFFSET + offset as usize)
                .cast::<T>()
        }
    }

    /// The field of type `T` at `offset` of [`Info`], or zero if there is none
    /// (`Info::NONE`): chosen without a branch, which would be mispredicted often on a
    /// stream of mixed instructions (see `encode`).
    #[inline(always)]
    fn field_or_zero<T: Copy>(&self, offset: u8) -> T {
        /// Zeros to read instead, with room for any offset (`NONE` included).
        #[repr(C, align(8))]
        struct Zeros([u8; PAYLOAD_OFFSET + 256 + 8]);
        static ZEROS: Zeros = Zeros([0; PAYLOAD_OFFSET + 256 + 8]);
        let base = core::hint::select_unpredictable(
            offset != Info::NONE,
            (self as *const Instr).cast::<u8>(),
            ZEROS.0.as_ptr(),
        );
        // SAFETY: either `offset` names a field of type `T` of this instruction (`Info`'s
        // contract), or `base` is `ZEROS`, which has initialised bytes at every offset
        // up to `NONE` plus the size of a field. `T` is a field type (an integer).
        unsafe {
            base.add(PAYLOAD_OFFSET + offset as usize)
                .cast::<T>()
                .read_unaligned()
        }
    }

    /// The `Slot` field at `offset` of [`Info`], if the instruction has it.
    #[inline(always)]
    fn slot_field(&self, offset: u8) -> Option<Slot> {
        // SAFETY: `Info` offsets name `Slot` fields of the instruction's variant.
        (offset != Info::NONE).then(|| unsafe { *self.field::<Slot>(offset) })
    }

    /// See [`Info::result`].
    #[inline]
    pub fn result_slot(&self) -> Option<Slot> {
        self.slot_field(self.info().result)
    }

    /// See [`Info::result`].
    #[inline]
    pub fn result_slot_mut(&mut self) -> Option<&mut Slot> {
        let offset = self.info().result;
        // SAFETY: as in `slot_field`.
        (offset != Info::NONE).then(|| unsafe { self.field_mut::<Slot>(offset) })
    }

    /// See [`Info::first`] and [`Info::second`].
    #[inline]
    pub fn forwardable_operands(&self) -> (Option<Slot>, Option<Slot>) {
        let info = self.info();
        (self.slot_field(info.first), self.slot_field(info.second))
    }

    /// The relative target of a branch instruction.
    #[inline]
    pub fn branch_offset(&self) -> Option<i32> {
        let offset = self.info().branch;
        // SAFETY: `Info::branch` names the variant's `i32` offset.
        (offset != Info::NONE).then(|| unsafe { *self.field::<i32>(offset) })
    }

    /// The relative target of a branch instruction, to patch.
    #[inline]
    pub fn branch_offset_mut(&mut self) -> Option<&mut i32> {
        let offset = self.info().branch;
        // SAFETY: as in `branch_offset`.
        (offset != Info::NONE).then(|| unsafe { self.field_mut::<i32>(offset) })
    }

    /// See [`result_kind_of`].
    #[inline]
    pub fn result_kind(&self) -> Kind {
        self.info().result_kind
    }

    /// See [`operand_kind_of`].
    #[inline]
    pub fn operand_kind(&self) -> Kind {
        self.info().operand_kind
    }

    /// Appends the encoded instruction: `handler`, then the operands (see [`payload`]) in
    /// as many words as they need.
    #[inline(always)]
    fn write_to(&self, handler: crate::exec::Handler, out: &mut alloc::vec::Vec<Word>) {
        let words = usize::from(self.info().words);
        out.reserve(1 + MAX_PAYLOAD / 8);
        let end = out.len();
        // SAFETY: the capacity was reserved; `MAX_PAYLOAD` bytes from `PAYLOAD_OFFSET` are
        // inside the `Instr` (checked above). The copy is untyped, so the bytes past the
        // variant's fields (which may be uninitialised) are copied as they are, into words
        // past its operands or into bytes nothing reads; the length is then set to the
        // words the instruction takes.
        unsafe {
            let dst = out.as_mut_ptr().add(end);
            dst.write(Word { handler });
            let bytes = self
                .field::<core::mem::MaybeUninit<[u8; MAX_PAYLOAD]>>(0)
                .read_unaligned();
            dst.add(1)
                .cast::<core::mem::MaybeUninit<[u8; MAX_PAYLOAD]>>()
                .write_unaligned(bytes);
            out.set_len(end + words);
        }
    }
}

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
        Tag::F32Add
            | Tag::F32Sub
            | Tag::F32Mul
            | Tag::F32Div
            | Tag::F32Min
            | Tag::F32Max
            | Tag::F32Copysign
            | Tag::F32Abs
            | Tag::F32Neg
            | Tag::F32Ceil
            | Tag::F32Floor
            | Tag::F32Trunc
            | Tag::F32Nearest
            | Tag::F32Sqrt
    };
    (compares_and_conversions_from) => {
        Tag::F32Eq
            | Tag::F32Ne
            | Tag::F32Lt
            | Tag::F32Gt
            | Tag::F32Le
            | Tag::F32Ge
            | Tag::I32TruncF32S
            | Tag::I32TruncF32U
            | Tag::I64TruncF32S
            | Tag::I64TruncF32U
            | Tag::I32TruncSatF32S
            | Tag::I32TruncSatF32U
            | Tag::I64TruncSatF32S
            | Tag::I64TruncSatF32U
            | Tag::F64PromoteF32
            | Tag::F32Store
            | Tag::BrF32Eq
            | Tag::BrF32Ne
            | Tag::BrF32Lt
            | Tag::BrF32Gt
            | Tag::BrF32Le
            | Tag::BrF32Ge
            | Tag::BrF32NotLt
            | Tag::BrF32NotGt
            | Tag::BrF32NotLe
            | Tag::BrF32NotGe
    };
    (conversions_to) => {
        Tag::F32ConvertI32S
            | Tag::F32ConvertI32U
            | Tag::F32ConvertI64S
            | Tag::F32ConvertI64U
            | Tag::F32DemoteF64
            | Tag::F32Load
            | Tag::F32LoadAdd
    };
}

/// The same for `f64`.
macro_rules! f64_instrs {
    (results) => {
        Tag::F64Add
            | Tag::F64Sub
            | Tag::F64Mul
            | Tag::F64Div
            | Tag::F64Min
            | Tag::F64Max
            | Tag::F64Copysign
            | Tag::F64Abs
            | Tag::F64Neg
            | Tag::F64Ceil
            | Tag::F64Floor
            | Tag::F64Trunc
            | Tag::F64Nearest
            | Tag::F64Sqrt
    };
    (compares_and_conversions_from) => {
        Tag::F64Eq
            | Tag::F64Ne
            | Tag::F64Lt
            | Tag::F64Gt
            | Tag::F64Le
            | Tag::F64Ge
            | Tag::I32TruncF64S
            | Tag::I32TruncF64U
            | Tag::I64TruncF64S
            | Tag::I64TruncF64U
            | Tag::I32TruncSatF64S
            | Tag::I32TruncSatF64U
            | Tag::I64TruncSatF64S
            | Tag::I64TruncSatF64U
            | Tag::F32DemoteF64
            | Tag::F64Store
            | Tag::BrF64Eq
            | Tag::BrF64Ne
            | Tag::BrF64Lt
            | Tag::BrF64Gt
            | Tag::BrF64Le
            | Tag::BrF64Ge
            | Tag::BrF64NotLt
            | Tag::BrF64NotGt
            | Tag::BrF64NotLe
            | Tag::BrF64NotGe
    };
    (conversions_to) => {
        Tag::F64ConvertI32S
            | Tag::F64ConvertI32U
            | Tag::F64ConvertI64S
            | Tag::F64ConvertI64U
            | Tag::F64PromoteF32
            | Tag::F64Load
            | Tag::F64LoadAdd
    };
}

/// The kind of the value an instruction's result slot (`Info::result`) receives: the
/// accumulator its handler leaves it in. The handlers' result and operand types must
/// agree with these two lists; debug builds check every handler run against them
/// (`exec::handlers::checked`).
const fn result_kind_of(tag: Tag) -> Kind {
    match tag {
        f32_instrs!(results) | f32_instrs!(conversions_to) => Kind::F32,
        f64_instrs!(results) | f64_instrs!(conversions_to) => Kind::F64,
        _ => Kind::Int,
    }
}

/// The kind of the operands `Info::first` and `Info::second` name.
const fn operand_kind_of(tag: Tag) -> Kind {
    match tag {
        f32_instrs!(results) | f32_instrs!(compares_and_conversions_from) => Kind::F32,
        f64_instrs!(results) | f64_instrs!(compares_and_conversions_from) => Kind::F64,
        _ => Kind::Int,
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

/// What `encode` decides from about each instruction.
struct Facts {
    /// The result slot (`NO_RESULT` if none), and the kind of value it receives.
    result: u32,
    result_kind: Kind,
    /// The forwardable operands' slots (`NO_OPERAND` where there is none). The two
    /// sentinels differ, so an operand never matches an absent result.
    first: u32,
    second: u32,
    operand_kind: Kind,
}

const NO_RESULT: u32 = u32::MAX;
const NO_OPERAND: u32 = u32::MAX - 1;

impl Facts {
    /// What `encode` needs of `instr`, gathered without branching on the instruction.
    #[inline(always)]
    fn of(instr: &Instr) -> Facts {
        let info = instr.info();
        /// `slot`, or `none` when `offset` says there is no such field.
        fn or_none(slot: Slot, offset: u8, none: u32) -> u32 {
            core::hint::select_unpredictable(offset == Info::NONE, none, u32::from(slot))
        }
        Facts {
            result: or_none(instr.field_or_zero(info.result), info.result, NO_RESULT),
            result_kind: info.result_kind,
            first: or_none(instr.field_or_zero(info.first), info.first, NO_OPERAND),
            second: or_none(instr.field_or_zero(info.second), info.second, NO_OPERAND),
            operand_kind: info.operand_kind,
        }
    }

    /// Facts for past the end: nothing to forward to.
    const END: Facts = Facts {
        result: NO_RESULT,
        result_kind: Kind::Int,
        first: NO_OPERAND,
        second: NO_OPERAND,
        operand_kind: Kind::Int,
    };
}

/// Loads of floats and of integers of the same width load the same bits; they differ only
/// in the accumulator the value goes to. When the next instruction reads a loaded value
/// as the other kind (`f32.load` then `i32.reinterpret_f32` and integer work, say), the
/// load is swapped for its twin, so that the value is forwarded instead of reread from
/// the slot it was just written to.
fn retype_loads(code: &mut [Instr], facts: &mut [Facts]) {
    for i in 0..code.len().saturating_sub(1) {
        let (this, next) = (&facts[i], &facts[i + 1]);
        // (Non-short-circuiting: one rarely taken branch, not three data-dependent ones.)
        let reads_it = (next.first == this.result) | (next.second == this.result);
        if !(reads_it & (next.operand_kind != this.result_kind)) {
            continue;
        }
        let want = next.operand_kind;
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
        facts[i].result_kind = code[i].result_kind();
    }
}

/// Encodes translated code into words, choosing for each instruction whether an operand
/// comes from the previous instruction's result register. It may when the previous
/// instruction produced that slot, as a value of the operand's kind (so that it sits in
/// the accumulator the operand is read from: a `Copy` or a reinterpretation leaves its
/// value in the integer one), and falls through into this one with nothing else jumping in
/// between: so no branch target, and the first instruction never. Branch offsets, counted
/// in instructions by the translator, become offsets in words.
///
/// `dying` (empty, or one entry per instruction) marks results that are temps no
/// instruction reads after the next one (`translate::Translation::dying`).
pub fn encode(code: alloc::vec::Vec<Instr>, dying: &[bool]) -> alloc::boxed::Box<[Word]> {
    encode_with_targets(code, dying, &[]).0
}

/// `encode`, with `targets` (instruction indices) also counted as branch targets (a
/// handler's pad, which unwinding jumps to); returns beside the words each instruction's
/// word offset (and the end's), for whoever kept instruction indices.
pub fn encode_with_targets(
    code: alloc::vec::Vec<Instr>,
    dying: &[bool],
    targets: &[usize],
) -> (alloc::boxed::Box<[Word]>, alloc::vec::Vec<usize>) {
    // (And whether its result is stored, or only passed on: see `store` below.)
    //
    // One pass gathers what the decisions need about each instruction (from its `Info`),
    // where it starts in words, and which instructions are branch targets.
    //
    // The decisions are made with selects and bitwise logic rather than branches: they
    // depend on each instruction and its neighbours, so a branch predictor mostly misses
    // them, and encoding was the costliest part of eager translation.
    let mut code = code;
    let n = code.len();
    let mut at = alloc::vec::Vec::with_capacity(n + 1);
    let mut facts = alloc::vec::Vec::with_capacity(n + 1);
    // One spare entry past the end, which non-branches mark.
    let mut target = alloc::vec![false; n + 2];
    target[0] = true;
    for &t in targets {
        target[t] = true;
    }
    let mut words = 0;
    for (i, instr) in code.iter().enumerate() {
        let info = instr.info();
        at.push(words);
        words += usize::from(info.words);
        let offset = i64::from(instr.field_or_zero::<i32>(info.branch));
        let to = (i as i64).wrapping_add(offset) as usize;
        let to = core::hint::select_unpredictable(info.branch != Info::NONE, to, n + 1);
        if let Some(t) = target.get_mut(to) {
            *t = true;
        }
        facts.push(Facts::of(instr));
    }
    facts.push(Facts::END);
    retype_loads(&mut code, &mut facts);
    at.push(words);
    // Which operand each instruction takes from an accumulator: the first or else the
    // second that is the previous instruction's result, when the kinds agree and nothing
    // jumps in between.
    const FORWARD: [Forward; 4] = [
        Forward::None,
        Forward::First,
        Forward::Second,
        Forward::None,
    ];
    let mut forwards = alloc::vec::Vec::with_capacity(n + 1);
    forwards.push(Forward::None);
    for i in 1..n {
        let (prev, f) = (&facts[i - 1], &facts[i]);
        let ok = !target[i] & (prev.result_kind == f.operand_kind);
        let first = ok & (f.first == prev.result);
        let second = ok & !first & (f.second == prev.result);
        forwards.push(FORWARD[usize::from(first) | usize::from(second) << 1]);
    }
    forwards.push(Forward::None);
    let mut out = alloc::vec::Vec::with_capacity(words);
    for (i, mut instr) in code.into_iter().enumerate() {
        // A result the next instruction takes from the accumulator (reading no other
        // operand from that slot) need not be stored when nothing reads the slot after:
        // the next instruction overwrites it, or it is a dying temp. Skip the store.
        let (this, next, forward) = (&facts[i], &facts[i + 1], forwards[i + 1]);
        let other =
            core::hint::select_unpredictable(forward == Forward::First, next.second, next.first);
        let dies = (next.result == this.result) | dying.get(i).copied().unwrap_or(false);
        let store = !((forward != Forward::None) & dies & (other != this.result));
        let handler = crate::exec::handler_for(instr.tag(), forwards[i], store);
        if let Some(offset) = instr.branch_offset_mut() {
            let to = (i as i64 + i64::from(*offset)) as usize;
            *offset = (at[to] as i64 - at[i] as i64) as i32;
        }
        instr.write_to(handler, &mut out);
    }
    debug_assert_eq!(out.len(), words);
    (out.into_boxed_slice(), at)
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
    /// For the stub that stands for a function the JIT compiled (`EnterNative`): its
    /// array-call entry.
    pub native: Option<wisp_core::vm::ArrayCallFn>,
    /// Where exceptions raised in the function are handled (exception handling; empty for
    /// functions without `try_table` or `try`), and the handlers' clauses.
    pub regions: alloc::boxed::Box<[Region]>,
    pub clauses: alloc::boxed::Box<[Clause]>,
}

/// A protected range of a function's code: a `try_table`'s body, or a legacy `try`'s
/// (not its `catch` blocks). An exception raised by an instruction in it is offered to
/// the region's clauses in order; if none takes it, to the region in effect around this
/// one (`parent`). A legacy `try` ending in `delegate` has no clauses, and its `parent`
/// is the region its label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The protected words, `start..end`, by offset in the function's code.
    pub start: u32,
    pub end: u32,
    /// The next region to try, or [`Region::NONE`]: the exception leaves the function.
    pub parent: u32,
    /// `clauses[first..first + count]`.
    pub first: u32,
    pub count: u32,
}

impl Region {
    pub const NONE: u32 = u32::MAX;
}

/// One way a region catches: an exception of a tag, or any (`catch_all`), and where its
/// handler starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    /// The instance's tag index, or [`Clause::ANY`].
    pub tag: u32,
    /// The handler's first word (a `Caught`), by offset in the function's code.
    pub pad: u32,
}

impl Clause {
    pub const ANY: u32 = u32::MAX;
    /// Not a handler: a legacy catch block's region, which an exception passing out of
    /// it makes let go of the exception in catch slot `pad`.
    pub const RELEASE: u32 = u32::MAX - 1;
}

impl CompiledFunc {
    /// Where an exception raised at word `at` of the code is handled: the pad of the first
    /// clause, innermost region first, for which `catches(tag)` says yes; `None` when the
    /// exception leaves the function. `release(slot)` is called for each catch block it
    /// leaves on the way (`Clause::RELEASE`).
    pub fn handler(
        &self,
        at: u32,
        mut catches: impl FnMut(u32) -> bool,
        mut release: impl FnMut(u32),
    ) -> Option<u32> {
        // The innermost region holding `at`: regions nest, so the one starting last.
        let mut region = self
            .regions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.start <= at && at < r.end)
            .max_by_key(|(_, r)| r.start)
            .map_or(Region::NONE, |(i, _)| i as u32);
        while let Some(r) = self.regions.get(region as usize) {
            let clauses = &self.clauses[r.first as usize..(r.first + r.count) as usize];
            for c in clauses {
                match c.tag {
                    Clause::RELEASE => release(c.pad),
                    Clause::ANY => return Some(c.pad),
                    tag if catches(tag) => return Some(c.pad),
                    _ => {}
                }
            }
            region = r.parent;
        }
        None
    }
}

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
