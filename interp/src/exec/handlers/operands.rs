//! How handlers reach their operands: the payload after the handler word, slots of the
//! frame, the accumulators a forwarded operand arrives in, and memory.

use core::ptr;

use wisp_core::TrapCode;

use super::super::{Accs, Ip, Sp};
use crate::bytecode::{Kind, Slot};

/// The operands of the instruction at `ip`, as its variant's payload `P`.
///
/// # Safety
/// `ip` is the handler word of an instruction of variant `P` (so `size_of::<P>()` bytes of
/// operands follow it; `bytecode::encode` put them there).
#[inline(always)]
pub(super) unsafe fn read_payload<P: Copy>(ip: Ip) -> P {
    // SAFETY: the caller's contract; the payload starts at a `Word`, aligned enough.
    unsafe { ptr::read(payload_of::<P>(ip)) }
}

/// Where the operands of the instruction at `ip` are, as its variant's payload `P`.
#[inline(always)]
pub(super) fn payload_of<P>(ip: Ip) -> *const P {
    ip.wrapping_add(1).cast::<P>()
}

/// Binds the operands of variant `$name` from the instruction at `$ip`, each with a load
/// of its own: reading the payload whole lets LLVM load it as one word and shift the
/// fields out, which costs instructions and registers in every handler. Fields are at
/// their natural alignment (`bytecode::payload`), so each is one aligned load, also on
/// targets without unaligned access (RV32).
macro_rules! operands {
    ($ip:ident, $name:ident { $($field:ident),* }) => {
        let p = payload_of::<payload::$name>($ip);
        // SAFETY: `handler_for` gives each handler only to its own variant, whose
        // operands `encode` wrote after the handler word, at a `Word`'s alignment.
        $( let $field = unsafe { core::ptr::addr_of!((*p).$field).read() }; )*
    };
}

/// The words variant `$name` occupies: where the next instruction starts.
macro_rules! words {
    ($name:ident) => {
        words_for(core::mem::size_of::<payload::$name>())
    };
}

// ----- slot access -------------------------------------------------------------------------

/// How each Rust type sits in a 64-bit slot (see `wisp_core`'s `value.rs` for the layout),
/// and in which accumulator register it travels to the next instruction (`bytecode::Kind`).
pub(super) trait SlotValue: Sized {
    /// For debug builds' checks (`checked`, `first`, `second`).
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    const KIND: Kind;
    fn from_slot(raw: u64) -> Self;
    fn to_slot(self) -> u64;
    fn from_acc(accs: Accs) -> Self;
    fn into_acc(self, accs: Accs) -> Accs;
}

macro_rules! slot_values {
    ($($t:ty: |$r:ident| $from:expr, |$v:ident| $to:expr, $acc:ident;)*) => {$(
        impl SlotValue for $t {
            const KIND: Kind = slot_values!(@kind $acc);
            #[inline(always)]
            fn from_slot($r: u64) -> Self { $from }
            #[inline(always)]
            fn to_slot(self) -> u64 { let $v = self; $to }
            slot_values!(@$acc $t);
        }
    )*};
    (@kind int) => { Kind::Int };
    (@kind f32) => { Kind::F32 };
    (@kind f64) => { Kind::F64 };
    (@int $t:ty) => {
        #[inline(always)]
        fn from_acc(accs: Accs) -> Self { Self::from_slot(accs.int) }
        #[inline(always)]
        fn into_acc(self, accs: Accs) -> Accs { Accs { int: self.to_slot(), ..accs } }
    };
    (@f32 $t:ty) => {
        #[inline(always)]
        fn from_acc(accs: Accs) -> Self { accs.f32 }
        #[inline(always)]
        fn into_acc(self, accs: Accs) -> Accs { Accs { f32: self, ..accs } }
    };
    (@f64 $t:ty) => {
        #[inline(always)]
        fn from_acc(accs: Accs) -> Self { accs.f64 }
        #[inline(always)]
        fn into_acc(self, accs: Accs) -> Accs { Accs { f64: self, ..accs } }
    };
}

slot_values! {
    i32: |r| r as u32 as i32, |v| v as u32 as u64, int;
    u32: |r| r as u32, |v| u64::from(v), int;
    i64: |r| r as i64, |v| v as u64, int;
    u64: |r| r, |v| v, int;
    f32: |r| f32::from_bits(r as u32), |v| u64::from(v.to_bits()), f32;
    f64: |r| f64::from_bits(r), |v| v.to_bits(), f64;
    bool: |r| r != 0, |v| u64::from(v), int;
}

/// Reads slot `s` as a `T`.
#[inline(always)]
pub(super) unsafe fn get<T: SlotValue>(sp: Sp, s: Slot) -> T {
    // SAFETY: the bytecode contract: `s` is inside the frame.
    T::from_slot(unsafe { *sp.add(usize::from(s)) })
}

/// Writes `v` to slot `s`; returns it, for the handler to pass on to the next instruction
/// in the accumulator of its kind.
#[inline(always)]
pub(super) unsafe fn set<T: SlotValue + Copy>(sp: Sp, s: Slot, v: T) -> T {
    // SAFETY: the bytecode contract: `s` is inside the frame.
    unsafe { *sp.add(usize::from(s)) = v.to_slot() };
    v
}

/// An address or length operand of a memory instruction: an `i64` where `wide` (a 64-bit
/// memory's), else an `i32` zero-extended (whatever the slot's upper half holds).
#[inline(always)]
pub(super) unsafe fn index(sp: Sp, s: Slot, wide: bool) -> u64 {
    // SAFETY: the bytecode contract: `s` is inside the frame.
    unsafe {
        if wide {
            get::<u64>(sp, s)
        } else {
            u64::from(get::<u32>(sp, s))
        }
    }
}

/// Writes a 128-bit result, as its two `i64` halves, to slots `lo` and `hi`: the
/// wide-arithmetic operators'.
#[inline(always)]
pub(super) unsafe fn set_wide(sp: Sp, lo: Slot, hi: Slot, (low, high): (i64, i64)) {
    // SAFETY: the bytecode contract: both result slots are inside the frame.
    unsafe {
        set(sp, lo, low);
        set(sp, hi, high);
    }
}

/// Writes `v` to result slot `s` unless the variant skips that store (`fw.stores`): the
/// next instruction then takes `v` from the accumulator, and nothing reads `s` before it is
/// written again, so the store would be dead (`bytecode::encode` chooses). Returns `v`, as
/// `set` does.
#[inline(always)]
pub(super) unsafe fn set_result<T: SlotValue + Copy>(sp: Sp, fw: Fwd, s: Slot, v: T) -> T {
    if fw.stores {
        unsafe { set(sp, s, v) }
    } else {
        // Debug builds poison the slot instead: a read of it that `encode` thought could
        // not happen then gives a wrong result, where the stale value would often be right.
        #[cfg(debug_assertions)]
        unsafe {
            set(sp, s, SKIPPED_STORE);
        }
        v
    }
}

/// What debug builds write to a result slot whose store is skipped (`set_result`).
#[cfg(debug_assertions)]
pub(super) const SKIPPED_STORE: u64 = 0x5eed_dead_5eed_dead;

/// Where a handler variant takes its operands and leaves its result: `which` (from the
/// variant's const parameter, so the tests fold away) says whether the first (1) or
/// second (2) forwardable operand is the previous instruction's result, in `accs`, rather
/// than its slot; `stores` whether the result is written to its slot as well as passed on.
#[derive(Clone, Copy)]
pub(super) struct Fwd {
    pub which: u8,
    pub stores: bool,
    pub accs: Accs,
    /// The instruction's `operand_kind`, for debug builds to check that the handler reads
    /// the accumulator `bytecode::encode` chose.
    #[cfg(debug_assertions)]
    pub kind: Kind,
}

/// The first forwardable operand, from its accumulator or from slot `s`.
#[inline(always)]
pub(super) unsafe fn first<T: SlotValue>(sp: Sp, s: Slot, fw: Fwd) -> T {
    if fw.which == 1 {
        #[cfg(debug_assertions)]
        assert_eq!(
            T::KIND,
            fw.kind,
            "forwarded operand read from the wrong accumulator"
        );
        T::from_acc(fw.accs)
    } else {
        unsafe { get(sp, s) }
    }
}

/// The second forwardable operand, from its accumulator or from slot `s`.
#[inline(always)]
pub(super) unsafe fn second<T: SlotValue>(sp: Sp, s: Slot, fw: Fwd) -> T {
    if fw.which == 2 {
        #[cfg(debug_assertions)]
        assert_eq!(
            T::KIND,
            fw.kind,
            "forwarded operand read from the wrong accumulator"
        );
        T::from_acc(fw.accs)
    } else {
        unsafe { get(sp, s) }
    }
}

/// What an operator's semantic function (`wisp_core::wasm`) returns: a value, or a value
/// or a trap. Handlers treat both as the second; for a plain value the trap path is dead
/// code the compiler drops.
pub(super) trait Outcome {
    type Value: SlotValue + Copy;
    fn into_result(self) -> Result<Self::Value, TrapCode>;
}

macro_rules! outcomes {
    ($($t:ty)*) => {$(
        impl Outcome for $t {
            type Value = $t;
            #[inline(always)]
            fn into_result(self) -> Result<$t, TrapCode> {
                Ok(self)
            }
        }
    )*};
}

outcomes!(i32 u32 i64 u64 f32 f64 bool);

impl<T: SlotValue + Copy> Outcome for Result<T, TrapCode> {
    type Value = T;
    #[inline(always)]
    fn into_result(self) -> Result<T, TrapCode> {
        self
    }
}

/// How a branch reads its condition: a comparison's `bool`, or an `i32` as non-zero.
pub(super) trait Truth {
    fn truth(self) -> bool;
}

impl Truth for bool {
    #[inline(always)]
    fn truth(self) -> bool {
        self
    }
}

impl Truth for i32 {
    #[inline(always)]
    fn truth(self) -> bool {
        self != 0
    }
}

/// `dst = f(src)`.
#[inline(always)]
pub(super) unsafe fn un<A: SlotValue, O: Outcome>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    src: Slot,
    f: impl FnOnce(A) -> O,
) -> Result<O::Value, TrapCode> {
    let v = f(unsafe { first(sp, src, fw) }).into_result()?;
    Ok(unsafe { set_result(sp, fw, dst, v) })
}

/// `dst = f(a, b)`.
#[inline(always)]
pub(super) unsafe fn bin<A: SlotValue, B: SlotValue, O: Outcome>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    a: Slot,
    b: Slot,
    f: impl FnOnce(A, B) -> O,
) -> Result<O::Value, TrapCode> {
    let v = f(unsafe { first(sp, a, fw) }, unsafe { second(sp, b, fw) }).into_result()?;
    Ok(unsafe { set_result(sp, fw, dst, v) })
}

/// `dst = f(a, imm)`, the immediate as `B` (an `i32` sign-extended to `i64` for 64-bit
/// operators).
#[inline(always)]
pub(super) unsafe fn imm<A: SlotValue, B: From<i32>, O: Outcome>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    a: Slot,
    imm: i32,
    f: impl FnOnce(A, B) -> O,
) -> Result<O::Value, TrapCode> {
    let v = f(unsafe { first(sp, a, fw) }, B::from(imm)).into_result()?;
    Ok(unsafe { set_result(sp, fw, dst, v) })
}

/// What a handler's effect leaves in the accumulators: its result, in the register of its
/// kind (the others pass through untouched), or, for effects without one, all of them as
/// they were.
pub(super) trait Effect {
    /// The accumulator the result goes to, if there is a result (for debug builds' checks).
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    const KIND: Option<Kind>;
    fn update(self, accs: Accs) -> Accs;
}

impl<T: SlotValue> Effect for T {
    const KIND: Option<Kind> = Some(T::KIND);
    #[inline(always)]
    fn update(self, accs: Accs) -> Accs {
        self.into_acc(accs)
    }
}

impl Effect for () {
    const KIND: Option<Kind> = None;
    #[inline(always)]
    fn update(self, accs: Accs) -> Accs {
        accs
    }
}

/// Debug builds check the discipline `bytecode::encode` relies on: a handler leaves its
/// result in the accumulator `Instr::result_kind` names.
#[cfg(debug_assertions)]
#[inline(always)]
pub(super) fn checked<E: Effect>(effect: E, instr: &crate::bytecode::Instr) -> E {
    debug_assert!(
        E::KIND.is_none_or(|k| k == instr.result_kind()),
        "{instr:?} leaves its result in the wrong accumulator"
    );
    effect
}

// ----- memory access -------------------------------------------------------------------------

/// The host address of the `size` bytes at wasm address `base + offset`, checked against
/// the memory's length.
#[inline(always)]
pub(super) unsafe fn addr(
    base: u32,
    mem_base: *mut u8,
    mem_len: usize,
    offset: u32,
    size: u64,
) -> Result<*mut u8, TrapCode> {
    let ea = u64::from(base) + u64::from(offset);
    if ea + size > mem_len as u64 {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    // SAFETY: `ea + size <= mem_len`, the length of the allocation at `mem_base`.
    Ok(unsafe { mem_base.add(ea as usize) })
}

/// A load: the address is the forwardable operand; `load_add!` first adds an immediate
/// to it, wrapping as the `i32.add` it was translated from.
macro_rules! load_add {
    ($sp:ident, $fw:ident, $mem_base:ident, $mem_len:ident, $dst:ident, $a:ident, $imm:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = unsafe { first::<u32>($sp, $a, $fw) }.wrapping_add($imm as u32);
        load!(@at base, $sp, $fw, $mem_base, $mem_len, $dst, $offset, $t, $conv)
    }};
}

macro_rules! load {
    ($sp:ident, $fw:ident, $mem_base:ident, $mem_len:ident, $dst:ident, $addr:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = unsafe { first::<u32>($sp, $addr, $fw) };
        load!(@at base, $sp, $fw, $mem_base, $mem_len, $dst, $offset, $t, $conv)
    }};
    (@at $base:ident, $sp:ident, $fw:ident, $mem_base:ident, $mem_len:ident, $dst:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = $base;
        match unsafe { addr(base, $mem_base, $mem_len, $offset, core::mem::size_of::<$t>() as u64) } {
            Ok(p) => {
                // SAFETY: `addr` checked that the bytes are inside memory.
                let v = <$t>::from_le_bytes(unsafe {
                    core::ptr::read_unaligned(p as *const [u8; core::mem::size_of::<$t>()])
                });
                Ok(unsafe { set_result($sp, $fw, $dst, ($conv)(v)) })
            }
            Err(e) => Err(e),
        }
    }};
}

/// A store: the value is the forwardable operand (it is usually computed last), read as
/// its wasm type (a float from the float accumulator when forwarded) and converted by
/// `$bits` to the memory type `$t`, whose bytes are stored.
macro_rules! store {
    ($sp:ident, $fw:ident, $mem_base:ident, $mem_len:ident, $addr:ident, $value:ident, $offset:ident, $t:ty, $bits:expr) => {{
        let base = unsafe { get::<u32>($sp, $addr) };
        match unsafe {
            addr(
                base,
                $mem_base,
                $mem_len,
                $offset,
                core::mem::size_of::<$t>() as u64,
            )
        } {
            Ok(p) => {
                let v: $t = ($bits)(unsafe { first($sp, $value, $fw) });
                // SAFETY: `addr` checked that the bytes are inside memory.
                unsafe {
                    core::ptr::write_unaligned(
                        p as *mut [u8; core::mem::size_of::<$t>()],
                        v.to_le_bytes(),
                    )
                };
                Ok(())
            }
            Err(e) => Err(e),
        }
    }};
}
