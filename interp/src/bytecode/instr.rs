//! Instructions as the translator builds them, and everything known about each: all of
//! it derived from the one table in `isa.rs` by [`define_instrs`].

use super::{words_for, Slot, Word};

/// Expands the instruction table (`for_each_instr!`) into the types and tables of this
/// module. Every group gets its fields; every entry becomes an [`Entry`] (evaluated at
/// compile time), from which the run-time tables are cut.
macro_rules! define_instrs {
    (
        simd { $( $(#[$smeta:meta])* $simd:ident { $($sf:ident : $sft:ident),* } = $sshape:ident [$($smem:ident)?] $($ssem:ident)?; )* }
        binary { $( $bin:ident ($($bin_in:ident),* -> $($bin_out:ident)?) [$($bin_key:ident $(= $bin_val:tt)?),*] = $bin_sem:ident; )* }
        binary_imm { $( $bimm:ident ($($bimm_in:ident),* -> $($bimm_out:ident)?) [$($bimm_key:ident $(= $bimm_val:tt)?),*] = $bimm_sem:ident; )* }
        unary { $( $un:ident ($($un_in:ident),* -> $($un_out:ident)?) [$($un_key:ident $(= $un_val:tt)?),*] = $un_sem:ident; )* }
        load { $( $load:ident ($($load_in:ident),* -> $($load_out:ident)?) [$($load_key:ident $(= $load_val:tt)?),*] = $load_mem:ident; )* }
        load_add { $( $ladd:ident ($($ladd_in:ident),* -> $($ladd_out:ident)?) [$($ladd_key:ident $(= $ladd_val:tt)?),*] = $ladd_mem:ident; )* }
        store { $( $store:ident ($($store_in:ident),* -> $($store_out:ident)?) [$($store_key:ident $(= $store_val:tt)?),*] = $store_mem:ident; )* }
        branch_cmp { $( $brc:ident ($($brc_in:ident),* -> $($brc_out:ident)?) [$($brc_key:ident $(= $brc_val:tt)?),*] = $brc_pol:ident $brc_sem:ident; )* }
        branch_cmp_imm { $( $brci:ident ($($brci_in:ident),* -> $($brci_out:ident)?) [$($brci_key:ident $(= $brci_val:tt)?),*] = $brci_pol:ident $brci_sem:ident; )* }
        other { $( $(#[$meta:meta])* $other:ident $({ $($of:ident : $ot:ident),* })? ($($other_in:ident),* -> $($other_out:ident)?) [$($other_key:ident $(= $other_val:tt)?),*]; )* }
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
            $(
                #[doc = concat!("`", stringify!($bin), "`: `dst = a op b`, the wasm operator of that name.")]
                $bin {
                    /// The result's slot.
                    dst: Slot,
                    /// The left operand's slot.
                    a: Slot,
                    /// The right operand's slot.
                    b: Slot,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($bimm), "`: `dst = a op imm`, the immediate sign-extended for 64-bit operators.")]
                $bimm {
                    /// The result's slot.
                    dst: Slot,
                    /// The left operand's slot.
                    a: Slot,
                    /// The right operand.
                    imm: i32,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($un), "`: `dst = op src`, the wasm operator of that name.")]
                $un {
                    /// The result's slot.
                    dst: Slot,
                    /// The operand's slot.
                    src: Slot,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($load), "`: `dst = memory[addr + offset]`, the wasm operator of that name.")]
                $load {
                    /// The result's slot.
                    dst: Slot,
                    /// The slot of the address.
                    addr: Slot,
                    /// The memory argument's offset, added to the address.
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($ladd), "`: `dst = memory[(a + imm) + offset]`, the load and the `i32.add` of a constant computing its address.")]
                $ladd {
                    /// The result's slot.
                    dst: Slot,
                    /// The slot of the address before the addition.
                    a: Slot,
                    /// The constant added to it (wrapping, as `i32.add`).
                    imm: i32,
                    /// The memory argument's offset.
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($store), "`: `memory[addr + offset] = value`, the wasm operator of that name.")]
                $store {
                    /// The slot of the address.
                    addr: Slot,
                    /// The slot of the value stored.
                    value: Slot,
                    /// The memory argument's offset.
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($brc), "`: jump by `offset` instructions if the comparison of `a` and `b` holds.")]
                $brc {
                    /// The left operand's slot.
                    a: Slot,
                    /// The right operand's slot.
                    b: Slot,
                    /// The branch offset, relative to this instruction.
                    offset: i32,
                },
            )*
            $(
                #[doc = concat!("`", stringify!($brci), "`: jump by `offset` instructions if the comparison of `a` with `imm` holds.")]
                $brci {
                    /// The left operand's slot.
                    a: Slot,
                    /// The right operand.
                    imm: i32,
                    /// The branch offset, relative to this instruction.
                    offset: i32,
                },
            )*
            $(
                $(#[$meta])*
                #[doc = concat!("\n\n(`", stringify!($other), "`, of the table's `other` group; the fields are as the table lists them.)")]
                $other $({
                    $(
                        // Each `other` entry's doc says what its fields are.
                        #[allow(missing_docs)]
                        $of: $ot
                    ),*
                })?,
            )*
            $(
                $(#[$smeta])*
                #[doc = concat!("`", stringify!($simd), "`: a SIMD instruction of shape `", stringify!($sshape), "` (see `with_simd_instrs!`).")]
                $simd {
                    $(
                        // The shape's fields, documented with the shapes.
                        #[allow(missing_docs)]
                        $sf: $sft
                    ),*
                },
            )*
        }

        /// Which instruction an [`Instr`] is, without its operands; the same numbering.
        #[derive(Debug, Copy, Clone, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Tag {
            $(#[doc = concat!("[`Instr::", stringify!($bin), "`]")] $bin,)*
            $(#[doc = concat!("[`Instr::", stringify!($bimm), "`]")] $bimm,)*
            $(#[doc = concat!("[`Instr::", stringify!($un), "`]")] $un,)*
            $(#[doc = concat!("[`Instr::", stringify!($load), "`]")] $load,)*
            $(#[doc = concat!("[`Instr::", stringify!($ladd), "`]")] $ladd,)*
            $(#[doc = concat!("[`Instr::", stringify!($store), "`]")] $store,)*
            $(#[doc = concat!("[`Instr::", stringify!($brc), "`]")] $brc,)*
            $(#[doc = concat!("[`Instr::", stringify!($brci), "`]")] $brci,)*
            $(#[doc = concat!("[`Instr::", stringify!($other), "`]")] $other,)*
            $(#[doc = concat!("[`Instr::", stringify!($simd), "`]")] $simd,)*
        }

        /// Where each group's tags end (they are consecutive, in the table's order).
        const BINARY_END: u16 = [$(Tag::$bin),*].len() as u16;
        const BINARY_IMM_END: u16 = BINARY_END + [$(Tag::$bimm),*].len() as u16;
        const UNARY_END: u16 = BINARY_IMM_END + [$(Tag::$un),*].len() as u16;
        const LOAD_END: u16 = UNARY_END + [$(Tag::$load),*].len() as u16;
        const LOAD_ADD_END: u16 = LOAD_END + [$(Tag::$ladd),*].len() as u16;
        const STORE_END: u16 = LOAD_ADD_END + [$(Tag::$store),*].len() as u16;
        const BRANCH_CMP_END: u16 = STORE_END + [$(Tag::$brc),*].len() as u16;
        const BRANCH_CMP_IMM_END: u16 = BRANCH_CMP_END + [$(Tag::$brci),*].len() as u16;
        /// Where the `other` group ends and the SIMD instructions (if built) start.
        #[allow(dead_code)]
        const OTHER_END: u16 = BRANCH_CMP_IMM_END + [$(Tag::$other),*].len() as u16;

        /// How many instructions there are.
        pub const NUM_TAGS: usize = [$(Tag::$bin,)* $(Tag::$bimm,)* $(Tag::$un,)*
            $(Tag::$load,)* $(Tag::$ladd,)* $(Tag::$store,)* $(Tag::$brc,)* $(Tag::$brci,)*
            $(Tag::$other,)* $(Tag::$simd,)*].len();

        /// Each instruction's operands as the executor reads them: in declaration order,
        /// each at its natural alignment (`repr(C)`; the words they start at are 8-byte
        /// aligned, so every field is read with one aligned load, on every target), in the
        /// words after its handler (see [`encode`](super::encode)).
        // The structs mirror `Instr`'s variants field by field, and `Instr` documents them.
        #[allow(non_camel_case_types, dead_code, missing_docs)]
        pub mod payload {
            use super::Slot;
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $bin { pub dst: Slot, pub a: Slot, pub b: Slot } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $bimm { pub dst: Slot, pub a: Slot, pub imm: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $un { pub dst: Slot, pub src: Slot } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $load { pub dst: Slot, pub addr: Slot, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $ladd { pub dst: Slot, pub a: Slot, pub imm: i32, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $store { pub addr: Slot, pub value: Slot, pub offset: u32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $brc { pub a: Slot, pub b: Slot, pub offset: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $brci { pub a: Slot, pub imm: i32, pub offset: i32 } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $other { $($(pub $of: $ot),*)? } )*
            $( #[repr(C)] #[derive(Clone, Copy, Debug)] pub struct $simd { $(pub $sf: $sft),* } )*
        }

        /// Every instruction's entry, evaluated at compile time; the run-time tables
        /// ([`INFO`], the translator's forms) are cut from it, so that firmware carries
        /// only what is read while translating and running.
        const ENTRIES: [Entry; NUM_TAGS] = Entry::complete([
            $(entry!($bin, Binary, ($($bin_in),* -> $($bin_out)?), [result = dst, first = a, second = b, $($bin_key $(= $bin_val)?),*]),)*
            $(entry!($bimm, BinaryImm, ($($bimm_in),* -> $($bimm_out)?), [result = dst, first = a, $($bimm_key $(= $bimm_val)?),*]),)*
            $(entry!($un, Unary, ($($un_in),* -> $($un_out)?), [result = dst, first = src, $($un_key $(= $un_val)?),*]),)*
            $(entry!($load, Load, ($($load_in),* -> $($load_out)?), [result = dst, first = addr, $($load_key $(= $load_val)?),*]),)*
            $(entry!($ladd, LoadAdd, ($($ladd_in),* -> $($ladd_out)?), [result = dst, first = a, $($ladd_key $(= $ladd_val)?),*]),)*
            $(entry!($store, Store, ($($store_in),* -> $($store_out)?), [first = value, $($store_key $(= $store_val)?),*]),)*
            $(entry!($brc, BranchCmp, ($($brc_in),* -> $($brc_out)?), [first = a, second = b, branch = offset, $($brc_key $(= $brc_val)?),*]),)*
            $(entry!($brci, BranchCmpImm, ($($brci_in),* -> $($brci_out)?), [first = a, branch = offset, $($brci_key $(= $brci_val)?),*]),)*
            $(entry!($other, Other, ($($other_in),* -> $($other_out)?), [$($other_key $(= $other_val)?),*]),)*
            $(simd_entry!($simd, $sshape),)*
        ]);

        impl Instr {
            /// Calls `f` with every slot the instruction names (operands and results,
            /// whatever their role), for passes that move slots after translation
            /// (`translate::relocate_pool`). Other fields are left alone.
            pub fn for_each_slot(&mut self, mut f: impl FnMut(&mut Slot)) {
                match self {
                    $(Instr::$bin { dst, a, b } => { f(dst); f(a); f(b); })*
                    $(Instr::$bimm { dst, a, .. } => { f(dst); f(a); })*
                    $(Instr::$un { dst, src } => { f(dst); f(src); })*
                    $(Instr::$load { dst, addr, .. } => { f(dst); f(addr); })*
                    $(Instr::$ladd { dst, a, .. } => { f(dst); f(a); })*
                    $(Instr::$store { addr, value, .. } => { f(addr); f(value); })*
                    $(Instr::$brc { a, b, .. } => { f(a); f(b); })*
                    $(Instr::$brci { a, .. } => { f(a); })*
                    $(Instr::$other $({ $($of),* })? => { $($(slot_field!($ot, $of, f);)*)? })*
                    $(Instr::$simd { $($sf),* } => { $(slot_field!($sft, $sf, f);)* })*
                }
            }
        }

        /// Each instruction's name, by tag (for disassembly).
        pub static NAMES: [&str; NUM_TAGS] = [
            $(stringify!($bin),)* $(stringify!($bimm),)* $(stringify!($un),)*
            $(stringify!($load),)* $(stringify!($ladd),)* $(stringify!($store),)*
            $(stringify!($brc),)* $(stringify!($brci),)* $(stringify!($other),)*
            $(stringify!($simd),)*
        ];

        /// The operator-to-instruction map: the instruction a numeric or memory operator
        /// of wasm becomes when nothing fuses it (each of these has the operator's name),
        /// with a load's or store's memory argument.
        pub fn operator_instr(op: &crate::translate::input::Operator<'_>) -> Option<(Tag, Option<wasmparser::MemArg>)> {
            use crate::translate::input::Operator as O;
            Some(match op {
                $(O::$bin => (Tag::$bin, None),)*
                $(O::$un => (Tag::$un, None),)*
                $(O::$load { memarg } => (Tag::$load, Some(*memarg)),)*
                $(O::$store { memarg } => (Tag::$store, Some(*memarg)),)*
                _ => return None,
            })
        }

        /// The numeric and memory operators of wasm that map one to one onto an
        /// instruction: the ones each tier implements per operator (the interpreter by the
        /// `wisp_core::wasm` function its entry names, the JIT by one arm each, matched
        /// exhaustively so that a new entry without a lowering does not compile).
        #[derive(Debug, Copy, Clone, PartialEq, Eq)]
        pub enum NumericOp {
            $(#[doc = concat!("Wasm's operator of this name ([`Instr::", stringify!($bin), "`]).")] $bin,)*
            $(#[doc = concat!("Wasm's operator of this name ([`Instr::", stringify!($un), "`]).")] $un,)*
            $(#[doc = concat!("Wasm's operator of this name ([`Instr::", stringify!($load), "`]).")] $load,)*
            $(#[doc = concat!("Wasm's operator of this name ([`Instr::", stringify!($store), "`]).")] $store,)*
        }

        impl NumericOp {
            /// The operator `op` is, if it is one of these, with its memory argument.
            pub fn of(op: &wasmparser::Operator<'_>) -> Option<(NumericOp, Option<wasmparser::MemArg>)> {
                use wasmparser::Operator as O;
                Some(match op {
                    $(O::$bin => (NumericOp::$bin, None),)*
                    $(O::$un => (NumericOp::$un, None),)*
                    $(O::$load { memarg } => (NumericOp::$load, Some(*memarg)),)*
                    $(O::$store { memarg } => (NumericOp::$store, Some(*memarg)),)*
                    _ => return None,
                })
            }

            /// Every one of them, in table order (for tests that cover each).
            pub const ALL: &'static [NumericOp] = &[$(NumericOp::$bin,)* $(NumericOp::$un,)* $(NumericOp::$load,)* $(NumericOp::$store,)*];

            /// The wasm types of its operands and result, as the table gives them (`i32`,
            /// `i64`, `f32`, `f64`, `ref`; a load's operand is its address, a store's its
            /// value, the address before it not counted).
            pub fn signature(self) -> (&'static [&'static str], Option<&'static str>) {
                match self {
                    $(NumericOp::$bin => (&[$(stringify!($bin_in)),*], [$(stringify!($bin_out))?].first().copied()),)*
                    $(NumericOp::$un => (&[$(stringify!($un_in)),*], [$(stringify!($un_out))?].first().copied()),)*
                    $(NumericOp::$load => (&[$(stringify!($load_in)),*], [$(stringify!($load_out))?].first().copied()),)*
                    $(NumericOp::$store => (&[$(stringify!($store_in)),*], [$(stringify!($store_out))?].first().copied()),)*
                }
            }

            /// What it computes, by the `wisp_core::wasm` function its entry names, on raw
            /// slots: the oracle tests hold every tier to. `None` for loads and stores.
            pub fn oracle(self, args: &[u64]) -> Option<Result<u64, wisp_core::TrapCode>> {
                use wisp_core::wasm::{self, Raw, RawOutcome};
                let arg = |i: usize| args.get(i).copied().unwrap_or(0);
                #[allow(unreachable_patterns)]
                match self {
                    $(NumericOp::$bin => Some(wasm::$bin_sem(Raw::from_raw(arg(0)), Raw::from_raw(arg(1))).into_raw()),)*
                    $(NumericOp::$un => Some(wasm::$un_sem(Raw::from_raw(arg(0))).into_raw()),)*
                    _ => None,
                }
            }

            /// Its instruction.
            pub fn tag(self) -> Tag {
                match self {
                    $(NumericOp::$bin => Tag::$bin,)*
                    $(NumericOp::$un => Tag::$un,)*
                    $(NumericOp::$load => Tag::$load,)*
                    $(NumericOp::$store => Tag::$store,)*
                }
            }
        }

        /// Prints the operands of an encoded instruction `tag` whose payload starts at `at`.
        ///
        /// # Safety
        /// `at` is the first payload word of an encoded instruction `tag`.
        pub(super) unsafe fn fmt_payload(tag: Tag, at: *const Word, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            match tag {
                $(Tag::$bin => write!(f, "{:?}", unsafe { at.cast::<payload::$bin>().read() }),)*
                $(Tag::$bimm => write!(f, "{:?}", unsafe { at.cast::<payload::$bimm>().read() }),)*
                $(Tag::$un => write!(f, "{:?}", unsafe { at.cast::<payload::$un>().read() }),)*
                $(Tag::$load => write!(f, "{:?}", unsafe { at.cast::<payload::$load>().read() }),)*
                $(Tag::$ladd => write!(f, "{:?}", unsafe { at.cast::<payload::$ladd>().read() }),)*
                $(Tag::$store => write!(f, "{:?}", unsafe { at.cast::<payload::$store>().read() }),)*
                $(Tag::$brc => write!(f, "{:?}", unsafe { at.cast::<payload::$brc>().read() }),)*
                $(Tag::$brci => write!(f, "{:?}", unsafe { at.cast::<payload::$brci>().read() }),)*
                $(Tag::$other => write!(f, "{:?}", unsafe { at.cast::<payload::$other>().read() }),)*
                $(Tag::$simd => write!(f, "{:?}", unsafe { at.cast::<payload::$simd>().read() }),)*
            }
        }

        /// Each SIMD instruction's shape, by tag from `OTHER_END`.
        #[cfg(feature = "simd")]
        static SIMD_SHAPES: [SimdShape; NUM_TAGS - OTHER_END as usize] = [$(simd_shape_of!($sshape),)*];

        /// The SIMD instruction a wasm SIMD operator becomes, its shape and immediates
        /// (`v128.const` has none: the translator places its value in the constant pool).
        #[cfg(feature = "simd")]
        pub fn simd_instr(op: &wasmparser::Operator<'_>) -> Option<(Tag, SimdShape, SimdImm)> {
            use wasmparser::Operator as O;
            $( simd_arm!(op, $sshape, $simd); )*
            None
        }
    };
}

/// Passes field `$x` to `$f` if its type is `Slot` (`Instr::for_each_slot`): the table
/// writes every field's type as one identifier, so the type's name tells.
macro_rules! slot_field {
    (Slot, $x:ident, $f:ident) => {
        $f($x)
    };
    ($other:ident, $x:ident, $f:ident) => {
        let _ = $x;
    };
}

/// One [`Entry`] of the table: the group's roles and the entry's flags set on a default.
macro_rules! entry {
    ($name:ident, $group:ident, ($($in:ident),* -> $($out:ident)?), [$($key:ident $(= $val:tt)?),* $(,)?]) => {{
        let ins: &[Ty] = &[$(ty!($in)),*];
        #[allow(unused_mut)]
        let mut e = Entry::new(
            Tag::$name,
            Group::$group,
            core::mem::size_of::<payload::$name>(),
            ins,
            ty!($($out)?),
        );
        $( set!(e, $name, $key $(= $val)?); )*
        e
    }};
}

/// A signature's type.
macro_rules! ty {
    () => {
        Ty::None
    };
    (i32) => {
        Ty::I32
    };
    (i64) => {
        Ty::I64
    };
    (f32) => {
        Ty::F32
    };
    (f64) => {
        Ty::F64
    };
    (ref) => {
        Ty::Ref
    };
    (any) => {
        Ty::Any
    };
    (slots) => {
        Ty::Slots
    };
}

/// A SIMD instruction's entry: its result, where it has one, is `dst`, left in its slots
/// (`Kind::Slot`), so that `local.set` can retarget it and nothing forwards it.
#[cfg(feature = "simd")]
macro_rules! simd_entry {
    ($name:ident, store) => { entry!($name, Simd, ( -> ), []) };
    ($name:ident, store_lane) => { entry!($name, Simd, ( -> ), []) };
    ($name:ident, other) => { entry!($name, Simd, ( -> ), []) };
    ($name:ident, $shape:ident) => { entry!($name, Simd, ( -> slots), [result = dst]) };
}

/// One arm of `simd_instr`: operator `$name` of shape `$shape`, with its immediates.
#[cfg(feature = "simd")]
macro_rules! simd_arm {
    ($op:ident, other, $name:ident) => {};
    ($op:ident, shuffle, $name:ident) => {
        if let O::$name { lanes } = $op {
            return Some((Tag::$name, SimdShape::Shuffle, SimdImm { lanes: *lanes, ..SimdImm::NONE }));
        }
    };
    ($op:ident, lane, $name:ident) => {
        simd_arm!(@lane $op, Lane, $name)
    };
    ($op:ident, replace, $name:ident) => {
        simd_arm!(@lane $op, Replace, $name)
    };
    ($op:ident, load, $name:ident) => {
        simd_arm!(@mem $op, Load, $name)
    };
    ($op:ident, store, $name:ident) => {
        simd_arm!(@mem $op, Store, $name)
    };
    ($op:ident, load_lane, $name:ident) => {
        simd_arm!(@mem_lane $op, LoadLane, $name)
    };
    ($op:ident, store_lane, $name:ident) => {
        simd_arm!(@mem_lane $op, StoreLane, $name)
    };
    ($op:ident, unary, $name:ident) => {
        simd_arm!(@plain $op, Unary, $name)
    };
    ($op:ident, binary, $name:ident) => {
        simd_arm!(@plain $op, Binary, $name)
    };
    ($op:ident, ternary, $name:ident) => {
        simd_arm!(@plain $op, Ternary, $name)
    };
    (@plain $op:ident, $shape:ident, $name:ident) => {
        if let O::$name = $op {
            return Some((Tag::$name, SimdShape::$shape, SimdImm::NONE));
        }
    };
    (@lane $op:ident, $shape:ident, $name:ident) => {
        if let O::$name { lane } = $op {
            return Some((Tag::$name, SimdShape::$shape, SimdImm { lane: *lane, ..SimdImm::NONE }));
        }
    };
    (@mem $op:ident, $shape:ident, $name:ident) => {
        if let O::$name { memarg } = $op {
            return Some((Tag::$name, SimdShape::$shape, SimdImm { memarg: Some(*memarg), ..SimdImm::NONE }));
        }
    };
    (@mem_lane $op:ident, $shape:ident, $name:ident) => {
        if let O::$name { memarg, lane } = $op {
            return Some((Tag::$name, SimdShape::$shape, SimdImm { memarg: Some(*memarg), lane: *lane, ..SimdImm::NONE }));
        }
    };
}

/// A shape's name in the table to its `SimdShape`.
#[cfg(feature = "simd")]
macro_rules! simd_shape_of {
    (unary) => {
        SimdShape::Unary
    };
    (binary) => {
        SimdShape::Binary
    };
    (ternary) => {
        SimdShape::Ternary
    };
    (shuffle) => {
        SimdShape::Shuffle
    };
    (lane) => {
        SimdShape::Lane
    };
    (replace) => {
        SimdShape::Replace
    };
    (load) => {
        SimdShape::Load
    };
    (load_lane) => {
        SimdShape::LoadLane
    };
    (store) => {
        SimdShape::Store
    };
    (store_lane) => {
        SimdShape::StoreLane
    };
    (other) => {
        SimdShape::Other
    };
}

/// How a SIMD instruction's operands are laid out and read (the groups of
/// `with_simd_instrs!`).
#[cfg(feature = "simd")]
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum SimdShape {
    /// `dst = f(src)`.
    Unary,
    /// `dst = f(a, b)`.
    Binary,
    /// `dst = f(a, b, c)`.
    Ternary,
    /// `dst = f(a, b, lanes)`.
    Shuffle,
    /// `dst = f(src, lane)`.
    Lane,
    /// `dst = f(a, lane, b)`.
    Replace,
    /// `dst = f(memory[addr + offset])`.
    Load,
    /// `dst = f(src, lane, memory[addr + offset])`.
    LoadLane,
    /// `memory[addr + offset] = f(value)`.
    Store,
    /// `memory[addr + offset] = f(value, lane)`.
    StoreLane,
    /// Fields of its own (the table's SIMD `other` group).
    Other,
}

/// The operands of a SIMD instruction, for `Instr::simd`: each shape uses those its
/// fields name (`dst`; `a`, `b`, `c` for the operands in order, also `src`, `addr`,
/// `value` and `lanes`; `lane`; `offset`), the rest are ignored.
#[cfg(feature = "simd")]
#[derive(Debug, Copy, Clone, Default)]
pub struct SimdOperands {
    /// The result's slot.
    pub dst: Slot,
    /// The first operand's slot (`src` of unary and lane shapes, `addr` of memory ones).
    pub a: Slot,
    /// The second's (`value` of stores, `src` of `load_lane`).
    pub b: Slot,
    /// The third's (`lanes` of `shuffle`).
    pub c: Slot,
    /// A lane operator's lane.
    pub lane: u16,
    /// A memory operator's offset.
    pub offset: u32,
}

#[cfg(feature = "simd")]
impl Tag {
    /// A SIMD instruction's shape (`None` for the others).
    pub fn simd_shape(self) -> Option<SimdShape> {
        SIMD_SHAPES
            .get((self as usize).checked_sub(OTHER_END as usize)?)
            .copied()
    }
}

#[cfg(feature = "simd")]
impl Instr {
    /// SIMD instruction `tag` of shape `shape` on `o` (see `SimdOperands`).
    ///
    /// # Panics
    /// If `tag` is not a SIMD instruction of that shape.
    pub fn simd(tag: Tag, shape: SimdShape, o: SimdOperands) -> Instr {
        assert_eq!(tag.simd_shape(), Some(shape));
        let SimdOperands {
            dst,
            a,
            b,
            c,
            lane,
            offset,
        } = o;
        // SAFETY: checked: every instruction of a shape has that shape's fields, as the
        // representative's below.
        unsafe {
            match shape {
                SimdShape::Unary => Instr::from_parts(tag, payload::V128Not { dst, src: a }),
                SimdShape::Binary => Instr::from_parts(tag, payload::I8x16Add { dst, a, b }),
                SimdShape::Ternary => {
                    Instr::from_parts(tag, payload::V128Bitselect { dst, a, b, c })
                }
                SimdShape::Shuffle => Instr::from_parts(
                    tag,
                    payload::I8x16Shuffle {
                        dst,
                        a,
                        b,
                        lanes: c,
                    },
                ),
                SimdShape::Lane => {
                    Instr::from_parts(tag, payload::I8x16ExtractLaneS { dst, src: a, lane })
                }
                SimdShape::Replace => {
                    Instr::from_parts(tag, payload::I8x16ReplaceLane { dst, a, b, lane })
                }
                SimdShape::Load => Instr::from_parts(
                    tag,
                    payload::V128Load {
                        dst,
                        addr: a,
                        offset,
                    },
                ),
                SimdShape::LoadLane => Instr::from_parts(
                    tag,
                    payload::V128Load8Lane {
                        dst,
                        addr: a,
                        src: b,
                        lane,
                        offset,
                    },
                ),
                SimdShape::Store => Instr::from_parts(
                    tag,
                    payload::V128Store {
                        addr: a,
                        value: b,
                        offset,
                    },
                ),
                SimdShape::StoreLane => Instr::from_parts(
                    tag,
                    payload::V128Store8Lane {
                        addr: a,
                        value: b,
                        lane,
                        offset,
                    },
                ),
                SimdShape::Other => unreachable!("`other` SIMD instructions are built by name"),
            }
        }
    }
}

/// A SIMD operator's immediates.
#[cfg(feature = "simd")]
#[derive(Debug, Copy, Clone)]
pub struct SimdImm {
    /// A memory operator's argument.
    pub memarg: Option<wasmparser::MemArg>,
    /// A lane operator's lane.
    pub lane: u8,
    /// `i8x16.shuffle`'s lanes.
    pub lanes: [u8; 16],
}

#[cfg(feature = "simd")]
impl SimdImm {
    const NONE: SimdImm = SimdImm {
        memarg: None,
        lane: 0,
        lanes: [0; 16],
    };
}

/// One flag of an entry (see `isa.rs`).
macro_rules! set {
    ($e:ident, $name:ident, result = $f:ident) => {
        $e.result = core::mem::offset_of!(payload::$name, $f) as u8
    };
    ($e:ident, $name:ident, first = $f:ident) => {
        $e.first = core::mem::offset_of!(payload::$name, $f) as u8
    };
    ($e:ident, $name:ident, second = $f:ident) => {
        $e.second = core::mem::offset_of!(payload::$name, $f) as u8
    };
    ($e:ident, $name:ident, branch = $f:ident) => {
        $e.branch = core::mem::offset_of!(payload::$name, $f) as u8
    };
    ($e:ident, $name:ident, imm = $t:ident) => {
        $e.imm = Some(Tag::$t)
    };
    ($e:ident, $name:ident, swapped = $t:ident) => {
        $e.swapped = Some(Tag::$t)
    };
    ($e:ident, $name:ident, commutative) => {
        $e.commutative = true
    };
    ($e:ident, $name:ident, br = $t:ident) => {
        $e.br = Some(Tag::$t)
    };
    ($e:ident, $name:ident, not = $t:ident) => {
        $e.not = Some(Tag::$t)
    };
    ($e:ident, $name:ident, twin = $t:ident) => {
        $e.twin = Some(Tag::$t)
    };
    ($e:ident, $name:ident, sum = $t:ident) => {
        $e.sum = Some(Tag::$t)
    };
    ($e:ident, $name:ident, feature = $f:tt) => {
        $e.built = $e.built && cfg!(feature = $f)
    };
}

crate::for_each_instr!(define_instrs);

/// The groups of the table, in its order.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum Group {
    /// `dst = a op b`: wasm's binary numeric operators.
    Binary,
    /// `dst = a op imm`.
    BinaryImm,
    /// `dst = op src`: wasm's unary numeric operators and conversions, and `ref.is_null`.
    Unary,
    /// Wasm's loads.
    Load,
    /// Loads from `a + imm`.
    LoadAdd,
    /// Wasm's stores.
    Store,
    /// Compare-and-branch.
    BranchCmp,
    /// Compare-with-an-immediate-and-branch.
    BranchCmpImm,
    /// Everything else, each with fields of its own.
    Other,
    /// The SIMD instructions (only with the `simd` feature), by shape (`with_simd_instrs!`).
    #[cfg(feature = "simd")]
    Simd,
}

impl Tag {
    /// The instruction's group (its tags are consecutive).
    #[inline]
    pub const fn group(self) -> Group {
        let t = self as u16;
        if t < BINARY_END {
            Group::Binary
        } else if t < BINARY_IMM_END {
            Group::BinaryImm
        } else if t < UNARY_END {
            Group::Unary
        } else if t < LOAD_END {
            Group::Load
        } else if t < LOAD_ADD_END {
            Group::LoadAdd
        } else if t < STORE_END {
            Group::Store
        } else if t < BRANCH_CMP_END {
            Group::BranchCmp
        } else if t < BRANCH_CMP_IMM_END {
            Group::BranchCmpImm
        } else {
            #[cfg(feature = "simd")]
            if t >= OTHER_END {
                return Group::Simd;
            }
            Group::Other
        }
    }

    /// The instruction's name, as in the table.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Whether this build has the instruction: not if a cargo feature it needs is off, or
    /// if it computes on floats in a `no-float` build. Instructions left out are never
    /// emitted (the engine refuses modules that would need them, `Interpreter::left_out`),
    /// and their handlers are not linked.
    pub const fn built(self) -> bool {
        ENTRIES[self as usize].built
    }

    /// The tag with number `t`, if there is one.
    #[inline]
    pub const fn from_u16(t: u16) -> Option<Tag> {
        if (t as usize) < NUM_TAGS {
            // SAFETY: `Tag` is `repr(u16)` with the discriminants `0..NUM_TAGS`, in order
            // (`Entry::complete` checks each entry's tag is its index).
            Some(unsafe { core::mem::transmute::<u16, Tag>(t) })
        } else {
            None
        }
    }
}

/// The wasm types of a signature in the table.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
enum Ty {
    None,
    I32,
    I64,
    F32,
    F64,
    Ref,
    Any,
    /// The results of SIMD instructions, which stay in their slots (`Kind::Slot`).
    #[allow(dead_code)]
    Slots,
}

impl Ty {
    const fn kind(self) -> Kind {
        match self {
            Ty::F32 => Kind::F32,
            Ty::F64 => Kind::F64,
            Ty::Slots => Kind::Slot,
            _ => Kind::Int,
        }
    }

    const fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }

    const fn is_wide(self) -> bool {
        matches!(self, Ty::I64 | Ty::F64)
    }
}

/// Everything the table says of one instruction, at compile time.
#[derive(Copy, Clone)]
struct Entry {
    tag: Tag,
    group: Group,
    len: u8,
    result: u8,
    first: u8,
    second: u8,
    branch: u8,
    result_kind: Kind,
    operand_kind: Kind,
    wide: bool,
    built: bool,
    imm: Option<Tag>,
    swapped: Option<Tag>,
    commutative: bool,
    br: Option<Tag>,
    not: Option<Tag>,
    twin: Option<Tag>,
    sum: Option<Tag>,
}

impl Entry {
    const fn new(tag: Tag, group: Group, len: usize, ins: &[Ty], out: Ty) -> Entry {
        let first = if ins.is_empty() { Ty::None } else { ins[0] };
        let mut float = out.is_float();
        let mut i = 0;
        while i < ins.len() {
            float |= ins[i].is_float();
            i += 1;
        }
        Entry {
            tag,
            group,
            len: len as u8,
            result: Info::NONE,
            first: Info::NONE,
            second: Info::NONE,
            branch: Info::NONE,
            result_kind: out.kind(),
            operand_kind: first.kind(),
            wide: first.is_wide(),
            built: !(float && cfg!(feature = "no-float")),
            imm: None,
            swapped: None,
            commutative: false,
            br: None,
            not: None,
            twin: None,
            sum: None,
        }
    }

    /// Fills in what the table states once per pair (`not`, `twin`) or implies
    /// (`commutative`), and checks that every relation joins instructions that fit it:
    /// a mistake in the table is a compile error.
    const fn complete(raw: [Entry; NUM_TAGS]) -> [Entry; NUM_TAGS] {
        let mut entries = raw;
        let mut t = 0;
        while t < NUM_TAGS {
            let e = raw[t];
            assert!(e.tag as usize == t);
            if e.commutative {
                assert!(e.swapped.is_none());
                entries[t].swapped = e.imm;
            }
            // A swapped form is an immediate form too.
            if let Some(u) = entries[t].swapped {
                assert!(matches!(entries[u as usize].group, Group::BinaryImm));
            }
            if let Some(u) = e.not {
                let u = u as usize;
                assert!(raw[u].not.is_none(), "`not` is stated once per pair");
                entries[u].not = Some(e.tag);
                assert!(same_fields(&e, &entries[u]));
            }
            if let Some(u) = e.twin {
                let u = u as usize;
                assert!(raw[u].twin.is_none(), "`twin` is stated once per pair");
                entries[u].twin = Some(e.tag);
                assert!(same_fields(&e, &entries[u]));
                assert!(e.result_kind as u8 != raw[u].result_kind as u8);
            }
            if let Some(u) = e.imm {
                assert!(matches!(e.group, Group::Binary));
                assert!(matches!(entries[u as usize].group, Group::BinaryImm));
            }
            if let Some(u) = e.sum {
                assert!(matches!(e.group, Group::Load));
                assert!(matches!(entries[u as usize].group, Group::LoadAdd));
            }
            if let Some(u) = e.br {
                let to = entries[u as usize].group;
                assert!(match e.group {
                    Group::Binary => matches!(to, Group::BranchCmp),
                    Group::BinaryImm => matches!(to, Group::BranchCmpImm),
                    // `eqz`: a test of one operand, against zero.
                    Group::Unary => matches!(to, Group::BranchCmpImm) || matches!(u, Tag::BrIfEqz),
                    _ => false,
                });
            }
            t += 1;
        }
        entries
    }
}

/// Whether two instructions have the same fields in the same places (so one may be turned
/// into the other by changing its tag).
const fn same_fields(a: &Entry, b: &Entry) -> bool {
    a.group as u8 == b.group as u8
        && a.len == b.len
        && a.result == b.result
        && a.first == b.first
        && a.second == b.second
        && a.branch == b.branch
}

/// Each instruction's [`Info`], indexed by tag.
pub static INFO: [Info; NUM_TAGS] = {
    let mut info = [Info::EMPTY; NUM_TAGS];
    let mut t = 0;
    while t < NUM_TAGS {
        let e = &ENTRIES[t];
        info[t] = Info {
            len: e.len,
            words: words_for(e.len as usize) as u8,
            result: e.result,
            first: e.first,
            second: e.second,
            branch: e.branch,
            result_kind: e.result_kind,
            operand_kind: e.operand_kind,
        };
        t += 1;
    }
    info
};

/// What the translator needs of a binary operator: plain data, so that looking it up is
/// a table load and emitting it calls nothing indirectly.
#[derive(Copy, Clone, Debug)]
pub struct BinaryForms {
    /// `a op imm`, when the right operand is a constant.
    pub imm: Option<Tag>,
    /// `b op' imm` computing `imm op b`, when the left operand is a constant.
    pub swapped: Option<Tag>,
    /// The branch its result fuses into when a `br_if` tests it (or `None`).
    pub br: Option<Tag>,
    /// Operates on 64-bit values (so an immediate must fit in `i32` sign-extended).
    pub wide: bool,
}

/// The translator's relations, cut from the table for the run-time lookups. Each target
/// is stored as one byte, its distance from the first tag of the groups it can be in
/// (`NONE` for none): half the flash of a `u16` tag, which a microcontroller's budget
/// feels (these are the only tables the translator keeps of them).
mod related {
    use super::*;

    pub(super) const NONE: u8 = u8::MAX;

    /// `Some(tag)` as its distance from `base`.
    const fn near(tag: Option<Tag>, base: u16) -> u8 {
        match tag {
            Some(t) => {
                let d = t as u16 - base;
                assert!(d < NONE as u16);
                d as u8
            }
            None => NONE,
        }
    }

    /// The tag `d` after `base`, if `d` is not `NONE`.
    #[inline]
    pub(super) fn far(d: u8, base: u16) -> Option<Tag> {
        if d == NONE {
            None
        } else {
            Tag::from_u16(base + u16::from(d))
        }
    }

    /// Where each relation's targets are counted from: immediate forms in `binary_imm`;
    /// fused branches from the compare-and-branch groups (`BrIfEqz`, of `other`, is
    /// after them); twins and sum forms from the loads; complements from the branches.
    pub(super) const IMM_BASE: u16 = BINARY_END;
    pub(super) const BRANCH_BASE: u16 = STORE_END;
    pub(super) const LOAD_BASE: u16 = UNARY_END;

    /// The `binary` group's immediate form, swapped form and fused branch.
    pub(super) static BINARY: [[u8; 3]; BINARY_END as usize] = {
        let mut forms = [[NONE; 3]; BINARY_END as usize];
        let mut t = 0;
        while t < BINARY_END as usize {
            let e = &ENTRIES[t];
            forms[t] = [
                near(e.imm, IMM_BASE),
                near(e.swapped, IMM_BASE),
                near(e.br, BRANCH_BASE),
            ];
            t += 1;
        }
        forms
    };

    /// The fused branch of the `binary_imm` and `unary` groups, from `BINARY_END`.
    pub(super) static FUSED: [u8; (UNARY_END - BINARY_END) as usize] = {
        let mut br = [NONE; (UNARY_END - BINARY_END) as usize];
        let mut t = BINARY_END as usize;
        while t < UNARY_END as usize {
            br[t - BINARY_END as usize] = near(ENTRIES[t].br, BRANCH_BASE);
            t += 1;
        }
        br
    };

    /// Loads' twins and sum forms, from `UNARY_END` (loads, then their sum forms).
    pub(super) static LOADS: [[u8; 2]; (LOAD_ADD_END - UNARY_END) as usize] = {
        let mut forms = [[NONE; 2]; (LOAD_ADD_END - UNARY_END) as usize];
        let mut t = UNARY_END as usize;
        while t < LOAD_ADD_END as usize {
            let e = &ENTRIES[t];
            forms[t - UNARY_END as usize] = [near(e.twin, LOAD_BASE), near(e.sum, LOAD_BASE)];
            t += 1;
        }
        forms
    };

    /// The complement of every conditional branch, from `STORE_END` (the compare-and-branch
    /// groups, then `other`).
    pub(super) static COMPLEMENT: [u8; NUM_TAGS - STORE_END as usize] = {
        let mut not = [NONE; NUM_TAGS - STORE_END as usize];
        let mut t = STORE_END as usize;
        while t < NUM_TAGS {
            not[t - STORE_END as usize] = near(ENTRIES[t].not, BRANCH_BASE);
            t += 1;
        }
        not
    };
}

impl Tag {
    /// The translator's forms of a binary operator (of the `binary` group).
    #[inline]
    pub fn binary_forms(self) -> Option<BinaryForms> {
        let [imm, swapped, br] = *related::BINARY.get(self as usize)?;
        Some(BinaryForms {
            imm: related::far(imm, related::IMM_BASE),
            swapped: related::far(swapped, related::IMM_BASE),
            br: related::far(br, related::BRANCH_BASE),
            // 64-bit operators are the `I64` and `F64` ones.
            wide: WIDE[self as usize],
        })
    }

    /// The branch a comparison's (or bit test's) result fuses into, taken when it is
    /// non-zero.
    #[inline]
    pub fn fused_branch(self) -> Option<Tag> {
        match related::BINARY.get(self as usize) {
            Some(&[_, _, br]) => related::far(br, related::BRANCH_BASE),
            None => {
                let d = related::FUSED.get((self as usize).wrapping_sub(BINARY_END as usize))?;
                related::far(*d, related::BRANCH_BASE)
            }
        }
    }

    /// The conditional branch taken exactly when this one is not (same operands).
    #[inline]
    pub fn complement(self) -> Option<Tag> {
        let d = related::COMPLEMENT.get((self as usize).wrapping_sub(STORE_END as usize))?;
        related::far(*d, related::BRANCH_BASE)
    }

    /// The load of the same bytes into the other register file (float and integer loads of
    /// one width).
    #[inline]
    pub fn load_twin(self) -> Option<Tag> {
        let [twin, _] = *related::LOADS.get((self as usize).wrapping_sub(UNARY_END as usize))?;
        related::far(twin, related::LOAD_BASE)
    }

    /// A load's form from `a + imm`.
    #[inline]
    pub fn load_sum(self) -> Option<Tag> {
        let [_, sum] = *related::LOADS.get((self as usize).wrapping_sub(UNARY_END as usize))?;
        related::far(sum, related::LOAD_BASE)
    }
}

/// Whether each `binary` operator is 64-bit (so an immediate must fit in `i32`
/// sign-extended).
static WIDE: [bool; BINARY_END as usize] = {
    let mut wide = [false; BINARY_END as usize];
    let mut t = 0;
    while t < BINARY_END as usize {
        wide[t] = ENTRIES[t].wide;
        t += 1;
    }
    wide
};

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
    /// See `first`.
    pub second: u8,
    /// The `i32` branch offset, for branches.
    pub branch: u8,
    /// The accumulator the result travels in.
    pub result_kind: Kind,
    /// The accumulator `first` and `second` arrive in.
    pub operand_kind: Kind,
}

impl Info {
    /// Where an instruction has no such field.
    pub const NONE: u8 = u8::MAX;

    const EMPTY: Info = Info {
        len: 0,
        words: 0,
        result: Info::NONE,
        first: Info::NONE,
        second: Info::NONE,
        branch: Info::NONE,
        result_kind: Kind::Int,
        operand_kind: Kind::Int,
    };
}

/// Which accumulator register a value travels in between two handlers (see `exec`):
/// integers and references in a general-purpose register, `f32` and `f64` each in a
/// float register of their own, so float chains never cross between register files and an
/// `f32` keeps its exact bits (NaN payloads included).
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Integers and references.
    Int,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// A value left only in its slots, never in an accumulator: the SIMD instructions'
    /// results. No operand has this kind, so nothing is forwarded from them.
    Slot,
}

impl Instr {
    /// Binary operator `tag` (of the `binary` group).
    #[inline(always)]
    pub fn binary(tag: Tag, dst: Slot, a: Slot, b: Slot) -> Instr {
        assert!(matches!(tag.group(), Group::Binary));
        // SAFETY: checked: the group's fields are `dst, a, b`.
        unsafe { Instr::from_parts(tag, payload::I32Add { dst, a, b }) }
    }

    /// Binary operator `tag` with an immediate (of the `binary_imm` group).
    #[inline(always)]
    pub fn binary_imm(tag: Tag, dst: Slot, a: Slot, imm: i32) -> Instr {
        assert!(matches!(tag.group(), Group::BinaryImm));
        // SAFETY: checked: the group's fields are `dst, a, imm`.
        unsafe { Instr::from_parts(tag, payload::I32AddImm { dst, a, imm }) }
    }

    /// Unary operator `tag` (of the `unary` group).
    #[inline(always)]
    pub fn unary(tag: Tag, dst: Slot, src: Slot) -> Instr {
        assert!(matches!(tag.group(), Group::Unary));
        // SAFETY: checked: the group's fields are `dst, src`.
        unsafe { Instr::from_parts(tag, payload::I32Clz { dst, src }) }
    }

    /// Load `tag` (of the `load` group).
    #[inline(always)]
    pub fn load(tag: Tag, dst: Slot, addr: Slot, offset: u32) -> Instr {
        assert!(matches!(tag.group(), Group::Load));
        // SAFETY: checked: the group's fields are `dst, addr, offset`.
        unsafe { Instr::from_parts(tag, payload::I32Load { dst, addr, offset }) }
    }

    /// Load `tag` from `a + imm` (of the `load_add` group).
    #[inline(always)]
    pub fn load_add(tag: Tag, dst: Slot, a: Slot, imm: i32, offset: u32) -> Instr {
        assert!(matches!(tag.group(), Group::LoadAdd));
        // SAFETY: checked: the group's fields are `dst, a, imm, offset`.
        unsafe {
            Instr::from_parts(
                tag,
                payload::I32LoadAdd {
                    dst,
                    a,
                    imm,
                    offset,
                },
            )
        }
    }

    /// Store `tag` (of the `store` group).
    #[inline(always)]
    pub fn store(tag: Tag, addr: Slot, value: Slot, offset: u32) -> Instr {
        assert!(matches!(tag.group(), Group::Store));
        // SAFETY: checked: the group's fields are `addr, value, offset`.
        unsafe {
            Instr::from_parts(
                tag,
                payload::I32Store {
                    addr,
                    value,
                    offset,
                },
            )
        }
    }

    /// Compare-and-branch `tag` (of the `branch_cmp` group).
    #[inline(always)]
    pub fn branch_cmp(tag: Tag, a: Slot, b: Slot, offset: i32) -> Instr {
        assert!(matches!(tag.group(), Group::BranchCmp));
        // SAFETY: checked: the group's fields are `a, b, offset`.
        unsafe { Instr::from_parts(tag, payload::BrI32Eq { a, b, offset }) }
    }

    /// Compare-with-immediate-and-branch `tag` (of the `branch_cmp_imm` group).
    #[inline(always)]
    pub fn branch_cmp_imm(tag: Tag, a: Slot, imm: i32, offset: i32) -> Instr {
        assert!(matches!(tag.group(), Group::BranchCmpImm));
        // SAFETY: checked: the group's fields are `a, imm, offset`.
        unsafe { Instr::from_parts(tag, payload::BrI32EqImm { a, imm, offset }) }
    }

    /// The same operands under tag `to`, which the table relates to this instruction's
    /// (`not`, `twin`: `Entry::complete` checked that both have the same fields).
    #[inline]
    fn retagged(mut self, to: Tag) -> Instr {
        debug_assert!(self.tag().complement() == Some(to) || self.tag().load_twin() == Some(to));
        // SAFETY: the same fields in the same places, so the bytes after the tag are a
        // valid payload of `to`; `Instr` starts with its `u16` tag.
        unsafe { (&mut self as *mut Instr).cast::<Tag>().write(to) };
        self
    }

    /// The immediate of a `binary_imm` instruction.
    #[inline]
    pub fn imm(&self) -> Option<i32> {
        matches!(self.tag().group(), Group::BinaryImm).then(|| {
            // SAFETY: the group's fields are `dst, a, imm`, laid out as `I32AddImm`'s.
            unsafe { *self.field::<i32>(core::mem::offset_of!(payload::I32AddImm, imm) as u8) }
        })
    }

    /// A load's result slot and offset (of the `load` group).
    #[inline]
    pub fn load_parts(&self) -> Option<(Slot, u32)> {
        matches!(self.tag().group(), Group::Load).then(|| {
            // SAFETY: the group's fields are `dst, addr, offset`, laid out as `I32Load`'s.
            unsafe {
                (
                    *self.field::<Slot>(core::mem::offset_of!(payload::I32Load, dst) as u8),
                    *self.field::<u32>(core::mem::offset_of!(payload::I32Load, offset) as u8),
                )
            }
        })
    }

    /// The conditional branch taken exactly when this one is not, if it is one.
    #[inline]
    pub fn inverted_branch(self) -> Option<Instr> {
        Some(self.retagged(self.tag().complement()?))
    }

    /// The same load into the other register file (see [`Tag::load_twin`]).
    #[inline]
    pub fn load_twin(self) -> Option<Instr> {
        Some(self.retagged(self.tag().load_twin()?))
    }
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
    pub(super) fn field_or_zero<T: Copy>(&self, offset: u8) -> T {
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

    /// The accumulator its handler leaves its result in (the result's type in the table).
    #[inline]
    pub fn result_kind(&self) -> Kind {
        self.info().result_kind
    }

    /// The accumulator its forwardable operands arrive in (the first operand's type).
    #[inline]
    pub fn operand_kind(&self) -> Kind {
        self.info().operand_kind
    }

    /// Appends the encoded instruction: `handler`, then the operands (see [`payload`]) in
    /// as many words as they need.
    #[inline(always)]
    pub(super) fn write_to(&self, handler: crate::exec::Handler, out: &mut alloc::vec::Vec<Word>) {
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
