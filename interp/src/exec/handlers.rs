//! The instruction handlers. Plain instructions are declared in one table (`handlers!`):
//! each entry names the instruction, binds its operands, and gives its effect; the macro
//! writes the handler function around it and the dispatch to the next instruction. Control
//! flow, calls and memory-changing instructions are written out below the table.
//!
//! Kinds of table entry:
//! - `plain`: the effect is a `()` expression; continue with the next instruction;
//! - `fallible`: a `Result<(), TrapCode>`; continue, or trap;
//! - `trapping`: a `Result<(), Trap>`, for traps that carry more than a code (a store
//!   limiter's); continue, or trap;
//! - `branch`: an `Option<i32>`, the branch offset when taken; jump, or continue.
//!
//! Every handler may assume (the invariants `SAFETY` comments refer to as "the bytecode
//! contract"): its operand slots are below the frame size, which `push_frame` made room
//! for; branch targets are instructions of the same function; and global, table, memory,
//! function and segment indices are valid for the current instance (the module was
//! validated and translated for it). Memory accesses are checked against `mem_len`.

// Every handler takes the whole register set (`exec::Handler`) as arguments: that is the
// point of the signature, so the count is not a smell here. The negated float comparisons
// (`BrF64NotLt` etc.) are deliberate: they branch on NaN, as `!(a < b)` does.
#![allow(clippy::too_many_arguments, clippy::neg_cmp_op_on_partial_ord)]

use core::ptr;
use core::sync::atomic::Ordering;

use wisp_core::TrapCode;

use super::{dispatch, trap, trapped, Accs, Callee, Done, Exec, Handler, Ip, Raised, Sp};
use crate::bytecode::{payload, words_for, Forward, Kind, Slot, Tag, NUM_TAGS};
use crate::float;

// ----- operands -----------------------------------------------------------------------------

/// The operands of the instruction at `ip`, as its variant's payload `P`.
///
/// # Safety
/// `ip` is the handler word of an instruction of variant `P` (so `size_of::<P>()` bytes of
/// operands follow it; `bytecode::encode` put them there).
#[inline(always)]
unsafe fn read_payload<P: Copy>(ip: Ip) -> P {
    // SAFETY: the caller's contract; the payload starts at a `Word`, aligned enough.
    unsafe { ptr::read(payload_of::<P>(ip)) }
}

/// Where the operands of the instruction at `ip` are, as its variant's payload `P`.
#[inline(always)]
fn payload_of<P>(ip: Ip) -> *const P {
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
        $( let $field = unsafe { ptr::addr_of!((*p).$field).read() }; )*
    };
}

// ----- slot access -------------------------------------------------------------------------

/// How each Rust type sits in a 64-bit slot (see `wisp_core`'s `value.rs` for the layout),
/// and in which accumulator register it travels to the next instruction (`bytecode::Kind`).
trait SlotValue: Sized {
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
unsafe fn get<T: SlotValue>(sp: Sp, s: Slot) -> T {
    // SAFETY: the bytecode contract: `s` is inside the frame.
    T::from_slot(unsafe { *sp.add(usize::from(s)) })
}

/// Writes `v` to slot `s`; returns it, for the handler to pass on to the next instruction
/// in the accumulator of its kind.
#[inline(always)]
unsafe fn set<T: SlotValue + Copy>(sp: Sp, s: Slot, v: T) -> T {
    // SAFETY: the bytecode contract: `s` is inside the frame.
    unsafe { *sp.add(usize::from(s)) = v.to_slot() };
    v
}

/// Writes `v` to result slot `s` unless the variant skips that store (`fw.stores`): the
/// next instruction then takes `v` from the accumulator, and nothing reads `s` before it is
/// written again, so the store would be dead (`bytecode::encode` chooses). Returns `v`, as
/// `set` does.
#[inline(always)]
unsafe fn set_result<T: SlotValue + Copy>(sp: Sp, fw: Fwd, s: Slot, v: T) -> T {
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
const SKIPPED_STORE: u64 = 0x5eed_dead_5eed_dead;

/// Where a handler variant takes its operands and leaves its result: `which` (from the
/// variant's const parameter, so the tests fold away) says whether the first (1) or
/// second (2) forwardable operand is the previous instruction's result, in `accs`, rather
/// than its slot; `stores` whether the result is written to its slot as well as passed on.
#[derive(Clone, Copy)]
struct Fwd {
    which: u8,
    stores: bool,
    accs: Accs,
    /// The instruction's `operand_kind`, for debug builds to check that the handler reads
    /// the accumulator `bytecode::encode` chose.
    #[cfg(debug_assertions)]
    kind: Kind,
}

/// The first forwardable operand, from its accumulator or from slot `s`.
#[inline(always)]
unsafe fn first<T: SlotValue>(sp: Sp, s: Slot, fw: Fwd) -> T {
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
unsafe fn second<T: SlotValue>(sp: Sp, s: Slot, fw: Fwd) -> T {
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

#[inline(always)]
unsafe fn un<A: SlotValue, R: SlotValue + Copy>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    src: Slot,
    f: impl FnOnce(A) -> R,
) -> R {
    unsafe { set_result(sp, fw, dst, f(first(sp, src, fw))) }
}

#[inline(always)]
unsafe fn un_trap<A: SlotValue, R: SlotValue + Copy>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    src: Slot,
    f: impl FnOnce(A) -> Result<R, TrapCode>,
) -> Result<R, TrapCode> {
    Ok(unsafe { set_result(sp, fw, dst, f(first(sp, src, fw))?) })
}

#[inline(always)]
unsafe fn bin<A: SlotValue, B: SlotValue, R: SlotValue + Copy>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    a: Slot,
    b: Slot,
    f: impl FnOnce(A, B) -> R,
) -> R {
    unsafe { set_result(sp, fw, dst, f(first(sp, a, fw), second(sp, b, fw))) }
}

#[inline(always)]
unsafe fn bin_trap<A: SlotValue, B: SlotValue, R: SlotValue + Copy>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    a: Slot,
    b: Slot,
    f: impl FnOnce(A, B) -> Result<R, TrapCode>,
) -> Result<R, TrapCode> {
    Ok(unsafe { set_result(sp, fw, dst, f(first(sp, a, fw), second(sp, b, fw))?) })
}

/// `a op imm` with the immediate as `B` (i32 sign-extended to i64 for 64-bit ops).
#[inline(always)]
unsafe fn imm<A: SlotValue, B: From<i32>, R: SlotValue + Copy>(
    sp: Sp,
    fw: Fwd,
    dst: Slot,
    a: Slot,
    imm: i32,
    f: impl FnOnce(A, B) -> R,
) -> R {
    unsafe { set_result(sp, fw, dst, f(first(sp, a, fw), B::from(imm))) }
}

/// What a handler's effect leaves in the accumulators: its result, in the register of its
/// kind (the others pass through untouched), or, for effects without one, all of them as
/// they were.
trait Effect {
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
fn checked<E: Effect>(effect: E, instr: &crate::bytecode::Instr) -> E {
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
unsafe fn addr(
    base: u32,
    mb: *mut u8,
    ml: usize,
    offset: u32,
    size: u64,
) -> Result<*mut u8, TrapCode> {
    let ea = u64::from(base) + u64::from(offset);
    if ea + size > ml as u64 {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    // SAFETY: `ea + size <= mem_len`, the length of the allocation at `mb`.
    Ok(unsafe { mb.add(ea as usize) })
}

/// A load: the address is the forwardable operand; `load_add!` first adds an immediate
/// to it, wrapping as the `i32.add` it was translated from.
macro_rules! load_add {
    ($sp:ident, $fw:ident, $mb:ident, $ml:ident, $dst:ident, $a:ident, $imm:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = unsafe { first::<u32>($sp, $a, $fw) }.wrapping_add($imm as u32);
        load!(@at base, $sp, $fw, $mb, $ml, $dst, $offset, $t, $conv)
    }};
}

macro_rules! load {
    ($sp:ident, $fw:ident, $mb:ident, $ml:ident, $dst:ident, $addr:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = unsafe { first::<u32>($sp, $addr, $fw) };
        load!(@at base, $sp, $fw, $mb, $ml, $dst, $offset, $t, $conv)
    }};
    (@at $base:ident, $sp:ident, $fw:ident, $mb:ident, $ml:ident, $dst:ident, $offset:ident, $t:ty, $conv:expr) => {{
        let base = $base;
        match unsafe { addr(base, $mb, $ml, $offset, core::mem::size_of::<$t>() as u64) } {
            Ok(p) => {
                // SAFETY: `addr` checked that the bytes are inside memory.
                let v = <$t>::from_le_bytes(unsafe {
                    ptr::read_unaligned(p as *const [u8; core::mem::size_of::<$t>()])
                });
                Ok(unsafe { set_result($sp, $fw, $dst, ($conv)(v)) })
            }
            Err(e) => Err(e),
        }
    }};
}

/// A store: the value is the forwardable operand (it is usually computed last).
/// (Float stores read the value as a float, from the float accumulator when forwarded, and
/// store its bits.)
macro_rules! store {
    ($sp:ident, $fw:ident, $mb:ident, $ml:ident, $addr:ident, $value:ident, $offset:ident, $t:ty) => {
        store!($sp, $fw, $mb, $ml, $addr, $value, $offset, $t, |v: u64| v
            as $t)
    };
    ($sp:ident, $fw:ident, $mb:ident, $ml:ident, $addr:ident, $value:ident, $offset:ident, $t:ty, $bits:expr) => {{
        let base = unsafe { get::<u32>($sp, $addr) };
        match unsafe { addr(base, $mb, $ml, $offset, core::mem::size_of::<$t>() as u64) } {
            Ok(p) => {
                let v: $t = ($bits)(unsafe { first($sp, $value, $fw) });
                // SAFETY: `addr` checked that the bytes are inside memory.
                unsafe {
                    ptr::write_unaligned(
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

// ----- the table ---------------------------------------------------------------------------

macro_rules! handlers {
    (
        [$ip:ident, $sp:ident, $mb:ident, $ml:ident, $ex:ident, $fw:ident]
        $( $kind:ident $name:ident { $($field:ident),* } => $body:expr; )*
    ) => {
        $(
            /// `W`: which operand arrives in an accumulator (`W & 3`: 0 none, 1 the first,
            /// 2 the second), and whether the result's store is skipped (`W & 4`).
            #[allow(non_snake_case, unused_variables, clippy::unnecessary_cast)]
            unsafe fn $name<const W: u8>($ip: Ip, $sp: Sp, $mb: *mut u8, $ml: usize, $ex: &mut Exec, acc: u64, f32acc: f32, f64acc: f64) -> Done {
                let accs = Accs { int: acc, f32: f32acc, f64: f64acc };
                // SAFETY: `handler_for` gives this handler only to this variant, whose
                // operands follow it.
                operands!($ip, $name { $($field),* });
                #[cfg(debug_assertions)]
                let instr = crate::bytecode::Instr::$name { $($field),* };
                let $fw = Fwd {
                    which: W & 3,
                    stores: W & 4 == 0,
                    accs,
                    #[cfg(debug_assertions)]
                    kind: instr.operand_kind(),
                };
                const NEXT: usize = words_for(core::mem::size_of::<payload::$name>());
                handlers!(@$kind $ip, $sp, $mb, $ml, $ex, accs, NEXT, instr, $body)
            }
        )*

        /// Each table instruction's handlers, by tag (`Variants`).
        const fn table_handlers() -> [Variants; NUM_TAGS] {
            let mut by_tag: [Variants; NUM_TAGS] = [[None; VARIANTS]; NUM_TAGS];
            $(
                // The guard is a constant: `false` leaves the handler out of the table,
                // the only reference to it, so it is never linked.
                if built(stringify!($name)) {
                    #[cfg(any(wisp_tail_dispatch, debug_assertions))]
                    let variants = [
                        Some($name::<0> as Handler), Some($name::<1>), Some($name::<2>),
                        Some($name::<4>), Some($name::<5>), Some($name::<6>),
                    ];
                    #[cfg(not(any(wisp_tail_dispatch, debug_assertions)))]
                    let variants = [Some($name::<0> as Handler)];
                    by_tag[Tag::$name as usize] = variants;
                }
            )*
            by_tag
        }
    };
    (@plain $ip:ident, $sp:ident, $mb:ident, $ml:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        #[allow(unused_unsafe)]
        let effect = unsafe { $body };
        #[cfg(debug_assertions)]
        let effect = checked(effect, &$instr);
        let accs = Effect::update(effect, $acc);
        // SAFETY: a function's code ends with a return, so the next instruction exists.
        unsafe { dispatch($ip.add($next), $sp, $mb, $ml, $ex, accs) }
    }};
    (@fallible $ip:ident, $sp:ident, $mb:ident, $ml:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        #[allow(unused_unsafe)]
        match unsafe { $body } {
            Ok(v) => {
                #[cfg(debug_assertions)]
                let v = checked(v, &$instr);
                let accs = Effect::update(v, $acc);
                unsafe { dispatch($ip.add($next), $sp, $mb, $ml, $ex, accs) }
            }
            Err(code) => trap($ex, code),
        }
    }};
    (@trapping $ip:ident, $sp:ident, $mb:ident, $ml:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        #[allow(unused_unsafe)]
        match unsafe { $body } {
            Ok(v) => {
                #[cfg(debug_assertions)]
                let v = checked(v, &$instr);
                let accs = Effect::update(v, $acc);
                unsafe { dispatch($ip.add($next), $sp, $mb, $ml, $ex, accs) }
            }
            Err(t) => trapped_here($ex, t),
        }
    }};
    (@branch $ip:ident, $sp:ident, $mb:ident, $ml:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        // A branch produces nothing: the accumulators pass through untouched.
        #[allow(unused_unsafe)]
        match unsafe { $body } {
            // SAFETY: the bytecode contract: branch targets are inside the function
            // (offsets in words, from this instruction's handler word).
            Some(offset) => unsafe { dispatch($ip.offset(offset as isize), $sp, $mb, $ml, $ex, $acc) },
            None => unsafe { dispatch($ip.add($next), $sp, $mb, $ml, $ex, $acc) },
        }
    }};
}

/// Whether handlers take forwarded operands from the accumulators. That pays with tail
/// dispatch, where the accumulators live in registers from one handler to the next; with
/// loop dispatch they pass through `Exec` in memory like the slots themselves, so a
/// release build there keeps only the variant reading every operand from its slot, a third
/// of the handlers' code (which firmware's flash feels). Debug builds keep all variants,
/// so that the tests exercise forwarding and its checks on every dispatch.
/// (`table_handler` tests the same `cfg` to size its tables.)
const FORWARDING: bool = cfg!(any(wisp_tail_dispatch, debug_assertions));

/// Handlers per instruction: six with forwarding (`W` = 0, 1, 2, 4, 5, 6), else one.
const VARIANTS: usize = if FORWARDING { 6 } else { 1 };

/// An instruction's handlers, by variant (see `handler_for`). Inline in `HANDLERS`, not
/// a slice each: on a 32-bit board the slices' pointers and lengths cost twice the table.
type Variants = [Option<Handler>; VARIANTS];

/// Whether this build has the handler of table instruction `name`: all of them, except,
/// with the `no-float` feature, those of float instructions (the ones whose names mention
/// `F32` or `F64`), and without `function-references`, `ref.as_non_null`'s.
const fn built(name: &str) -> bool {
    if !cfg!(feature = "function-references") && same(name, "RefAsNonNull") {
        return false;
    }
    if !cfg!(feature = "no-float") {
        return true;
    }
    let name = name.as_bytes();
    let mut i = 0;
    while i + 3 <= name.len() {
        if name[i] == b'F'
            && ((name[i + 1] == b'3' && name[i + 2] == b'2')
                || (name[i + 1] == b'6' && name[i + 2] == b'4'))
        {
            return false;
        }
        i += 1;
    }
    true
}

/// `a == b`, in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

handlers! {
    [ip, sp, mb, ml, ex, fw]

    // Branches.
    branch Br { offset } => Some(offset);
    branch BrIfNez { cond, offset } => (first::<u32>(sp, cond, fw) != 0).then_some(offset);
    branch BrIfEqz { cond, offset } => (first::<u32>(sp, cond, fw) == 0).then_some(offset);
    branch BrI32Eq { a, b, offset } => (first::<u32>(sp, a, fw) == second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32Ne { a, b, offset } => (first::<u32>(sp, a, fw) != second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32LtS { a, b, offset } => (first::<i32>(sp, a, fw) < second::<i32>(sp, b, fw)).then_some(offset);
    branch BrI32LtU { a, b, offset } => (first::<u32>(sp, a, fw) < second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32GtS { a, b, offset } => (first::<i32>(sp, a, fw) > second::<i32>(sp, b, fw)).then_some(offset);
    branch BrI32GtU { a, b, offset } => (first::<u32>(sp, a, fw) > second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32LeS { a, b, offset } => (first::<i32>(sp, a, fw) <= second::<i32>(sp, b, fw)).then_some(offset);
    branch BrI32LeU { a, b, offset } => (first::<u32>(sp, a, fw) <= second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32GeS { a, b, offset } => (first::<i32>(sp, a, fw) >= second::<i32>(sp, b, fw)).then_some(offset);
    branch BrI32GeU { a, b, offset } => (first::<u32>(sp, a, fw) >= second::<u32>(sp, b, fw)).then_some(offset);
    branch BrI32EqImm { a, imm, offset } => (first::<i32>(sp, a, fw) == imm).then_some(offset);
    branch BrI32NeImm { a, imm, offset } => (first::<i32>(sp, a, fw) != imm).then_some(offset);
    branch BrI32LtSImm { a, imm, offset } => (first::<i32>(sp, a, fw) < imm).then_some(offset);
    branch BrI32LtUImm { a, imm, offset } => (first::<u32>(sp, a, fw) < imm as u32).then_some(offset);
    branch BrI32GtSImm { a, imm, offset } => (first::<i32>(sp, a, fw) > imm).then_some(offset);
    branch BrI32GtUImm { a, imm, offset } => (first::<u32>(sp, a, fw) > imm as u32).then_some(offset);
    branch BrI32LeSImm { a, imm, offset } => (first::<i32>(sp, a, fw) <= imm).then_some(offset);
    branch BrI32LeUImm { a, imm, offset } => (first::<u32>(sp, a, fw) <= imm as u32).then_some(offset);
    branch BrI32GeSImm { a, imm, offset } => (first::<i32>(sp, a, fw) >= imm).then_some(offset);
    branch BrI32GeUImm { a, imm, offset } => (first::<u32>(sp, a, fw) >= imm as u32).then_some(offset);
    branch BrI32AndNez { a, b, offset } => (first::<u32>(sp, a, fw) & second::<u32>(sp, b, fw) != 0).then_some(offset);
    branch BrI32AndEqz { a, b, offset } => (first::<u32>(sp, a, fw) & second::<u32>(sp, b, fw) == 0).then_some(offset);
    branch BrI32AndImmNez { a, imm, offset } => (first::<i32>(sp, a, fw) & imm != 0).then_some(offset);
    branch BrI32AndImmEqz { a, imm, offset } => (first::<i32>(sp, a, fw) & imm == 0).then_some(offset);
    branch BrI64Eq { a, b, offset } => (first::<u64>(sp, a, fw) == second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64Ne { a, b, offset } => (first::<u64>(sp, a, fw) != second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64LtS { a, b, offset } => (first::<i64>(sp, a, fw) < second::<i64>(sp, b, fw)).then_some(offset);
    branch BrI64LtU { a, b, offset } => (first::<u64>(sp, a, fw) < second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64GtS { a, b, offset } => (first::<i64>(sp, a, fw) > second::<i64>(sp, b, fw)).then_some(offset);
    branch BrI64GtU { a, b, offset } => (first::<u64>(sp, a, fw) > second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64LeS { a, b, offset } => (first::<i64>(sp, a, fw) <= second::<i64>(sp, b, fw)).then_some(offset);
    branch BrI64LeU { a, b, offset } => (first::<u64>(sp, a, fw) <= second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64GeS { a, b, offset } => (first::<i64>(sp, a, fw) >= second::<i64>(sp, b, fw)).then_some(offset);
    branch BrI64GeU { a, b, offset } => (first::<u64>(sp, a, fw) >= second::<u64>(sp, b, fw)).then_some(offset);
    branch BrI64EqImm { a, imm, offset } => (first::<u64>(sp, a, fw) == i64::from(imm) as u64).then_some(offset);
    branch BrI64NeImm { a, imm, offset } => (first::<u64>(sp, a, fw) != i64::from(imm) as u64).then_some(offset);
    branch BrI64LtSImm { a, imm, offset } => (first::<i64>(sp, a, fw) < i64::from(imm)).then_some(offset);
    branch BrI64LtUImm { a, imm, offset } => (first::<u64>(sp, a, fw) < i64::from(imm) as u64).then_some(offset);
    branch BrI64GtSImm { a, imm, offset } => (first::<i64>(sp, a, fw) > i64::from(imm)).then_some(offset);
    branch BrI64GtUImm { a, imm, offset } => (first::<u64>(sp, a, fw) > i64::from(imm) as u64).then_some(offset);
    branch BrI64LeSImm { a, imm, offset } => (first::<i64>(sp, a, fw) <= i64::from(imm)).then_some(offset);
    branch BrI64LeUImm { a, imm, offset } => (first::<u64>(sp, a, fw) <= i64::from(imm) as u64).then_some(offset);
    branch BrI64GeSImm { a, imm, offset } => (first::<i64>(sp, a, fw) >= i64::from(imm)).then_some(offset);
    branch BrI64GeUImm { a, imm, offset } => (first::<u64>(sp, a, fw) >= i64::from(imm) as u64).then_some(offset);
    branch BrF32Eq { a, b, offset } => (first::<f32>(sp, a, fw) == second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32Ne { a, b, offset } => (first::<f32>(sp, a, fw) != second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32Lt { a, b, offset } => (first::<f32>(sp, a, fw) < second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32Gt { a, b, offset } => (first::<f32>(sp, a, fw) > second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32Le { a, b, offset } => (first::<f32>(sp, a, fw) <= second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32Ge { a, b, offset } => (first::<f32>(sp, a, fw) >= second::<f32>(sp, b, fw)).then_some(offset);
    branch BrF32NotLt { a, b, offset } => (!(first::<f32>(sp, a, fw) < second::<f32>(sp, b, fw))).then_some(offset);
    branch BrF32NotGt { a, b, offset } => (!(first::<f32>(sp, a, fw) > second::<f32>(sp, b, fw))).then_some(offset);
    branch BrF32NotLe { a, b, offset } => (!(first::<f32>(sp, a, fw) <= second::<f32>(sp, b, fw))).then_some(offset);
    branch BrF32NotGe { a, b, offset } => (!(first::<f32>(sp, a, fw) >= second::<f32>(sp, b, fw))).then_some(offset);
    branch BrF64Eq { a, b, offset } => (first::<f64>(sp, a, fw) == second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64Ne { a, b, offset } => (first::<f64>(sp, a, fw) != second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64Lt { a, b, offset } => (first::<f64>(sp, a, fw) < second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64Gt { a, b, offset } => (first::<f64>(sp, a, fw) > second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64Le { a, b, offset } => (first::<f64>(sp, a, fw) <= second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64Ge { a, b, offset } => (first::<f64>(sp, a, fw) >= second::<f64>(sp, b, fw)).then_some(offset);
    branch BrF64NotLt { a, b, offset } => (!(first::<f64>(sp, a, fw) < second::<f64>(sp, b, fw))).then_some(offset);
    branch BrF64NotGt { a, b, offset } => (!(first::<f64>(sp, a, fw) > second::<f64>(sp, b, fw))).then_some(offset);
    branch BrF64NotLe { a, b, offset } => (!(first::<f64>(sp, a, fw) <= second::<f64>(sp, b, fw))).then_some(offset);
    branch BrF64NotGe { a, b, offset } => (!(first::<f64>(sp, a, fw) >= second::<f64>(sp, b, fw))).then_some(offset);

    // Moves.
    plain Copy { dst, src } => set(sp, dst, first::<u64>(sp, src, fw));
    // Both loads first: no store-to-load forwarding inside the handler, and no load the
    // CPU must guess is independent of the store before it (`src1 != dst0`, see `Instr`).
    plain Copy2 { dst0, src0, dst1, src1 } => {
        let (v0, v1) = (get::<u64>(sp, src0), get::<u64>(sp, src1));
        set(sp, dst0, v0);
        set(sp, dst1, v1)
    };
    plain CopyMany { dst, src, len } => ptr::copy(sp.add(usize::from(src)), sp.add(usize::from(dst)), usize::from(len));
    plain Const32 { dst, value } => set(sp, dst, value);
    plain Const64 { dst, value } => set(sp, dst, value);
    plain I32AddShl { dst, a, b, shift } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x.wrapping_add(y.wrapping_shl(u32::from(shift))));
    plain Select { dst, cond, a, b } => {
        let v = if get::<u32>(sp, cond) != 0 { get::<u64>(sp, a) } else { get::<u64>(sp, b) };
        set(sp, dst, v)
    };

    // Fuel and interruption.
    fallible ConsumeFuel { amount } => {
        let fuel = &mut (*ex.store).fuel;
        match fuel.checked_sub(u64::from(amount)) {
            Some(left) => {
                *fuel = left;
                Ok(())
            }
            None => Err(TrapCode::OutOfFuel),
        }
    };
    fallible CheckInterrupt {} => {
        let flag = &(*ex.store).interrupt;
        if flag.load(Ordering::Relaxed) {
            flag.store(false, Ordering::Relaxed);
            Err(TrapCode::Interrupted)
        } else {
            Ok(())
        }
    };

    fallible RefAsNonNull { dst, src } => {
        let v = first::<u64>(sp, src, fw);
        if v == 0 {
            Err(TrapCode::NullReference)
        } else {
            Ok(set_result(sp, fw, dst, v))
        }
    };

    // Globals and references.
    plain GlobalGet { dst, global } => set(sp, dst, (*ex.global(global)).value);
    plain GlobalSet { src, global } => (*ex.global(global)).value = first::<u64>(sp, src, fw);
    plain RefFunc { dst, func } => set(sp, dst, u64::from((*ex.vmctx).func(func).store_func) + 1);
    plain RefIsNull { dst, src } => set(sp, dst, get::<u64>(sp, src) == 0);

    // Tables.
    fallible TableGet { dst, index, table } => {
        let t = &*(*ex.vmctx).table(table);
        t.get(get::<u32>(sp, index)).map(|v| set(sp, dst, v))
    };
    fallible TableSet { index, value, table } => {
        (*(*ex.vmctx).table(table)).set(get::<u32>(sp, index), get::<u64>(sp, value))
    };
    plain TableSize { dst, table } => set(sp, dst, (*(*ex.vmctx).table(table)).size());
    trapping TableGrow { dst, delta, table } => {
        let t = &mut *(*ex.vmctx).table(table);
        t.grow(get::<u32>(sp, delta), get::<u64>(sp, dst))
            .map(|old| set(sp, dst, old.unwrap_or(u32::MAX)))
    };
    fallible TableFill { dst, value, len, table } => {
        (*(*ex.vmctx).table(table)).fill(get::<u32>(sp, dst), get::<u64>(sp, value), get::<u32>(sp, len))
    };
    fallible TableCopy { dst, src, len, dst_table, src_table } => {
        let (d, s, n) = (get::<u32>(sp, dst), get::<u32>(sp, src), get::<u32>(sp, len));
        let dt = (*ex.vmctx).table(u32::from(dst_table));
        let st = (*ex.vmctx).table(u32::from(src_table));
        if dt == st {
            (*dt).copy_within(d, s, n)
        } else {
            wisp_core::ops::table_copy_between(&mut *dt, d, &*st, s, n)
        }
    };
    fallible TableInit { dst, src, len, table, elem } => {
        let t = &mut *(*ex.vmctx).table(u32::from(table));
        let items = &(&(*ex.instance).elements)[elem as usize];
        t.init(get::<u32>(sp, dst), items, get::<u32>(sp, src), get::<u32>(sp, len))
    };
    plain ElemDrop { elem } => (&mut (*ex.instance).elements)[elem as usize] = Default::default();

    // Memory: bulk operations (they never move memory, so `mb`/`ml` stay valid).
    plain MemorySize { dst } => set(sp, dst, if ex.memory.is_null() { 0 } else { (*ex.memory).pages() });
    fallible MemoryFill { dst, value, len } => {
        let (d, v, n) = (get::<u32>(sp, dst), get::<u32>(sp, value) as u8, get::<u32>(sp, len));
        (*ex.memory).fill(u64::from(d), v, u64::from(n))
    };
    fallible MemoryCopy { dst, src, len } => {
        let (d, s, n) = (get::<u32>(sp, dst), get::<u32>(sp, src), get::<u32>(sp, len));
        (*ex.memory).copy_within(u64::from(d), u64::from(s), u64::from(n))
    };
    fallible MemoryCopyBetween { dst, src, len, dst_mem, src_mem } => {
        let (d, s, n) = (get::<u32>(sp, dst), get::<u32>(sp, src), get::<u32>(sp, len));
        let dm = (*ex.vmctx).memory(u32::from(dst_mem));
        let sm = (*ex.vmctx).memory(u32::from(src_mem));
        // Two indices may name one memory (imported twice).
        if dm == sm {
            (*dm).copy_within(u64::from(d), u64::from(s), u64::from(n))
        } else {
            wisp_core::ops::memory_copy_between(&mut *dm, u64::from(d), &*sm, u64::from(s), u64::from(n))
        }
    };
    fallible MemoryInit { dst, src, len, data } => {
        let bytes = (*ex.instance).data_segment(data);
        let (d, s, n) = (get::<u32>(sp, dst), get::<u32>(sp, src), get::<u32>(sp, len));
        (*ex.memory).init(u64::from(d), bytes, u64::from(s), u64::from(n))
    };
    plain DataDrop { data } => (&mut (*ex.instance).data_dropped)[data as usize] = true;

    // Loads and stores.
    fallible I32Load { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u32, |v: u32| v);
    fallible I64Load { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u64, |v: u64| v);
    fallible F32Load { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u32, f32::from_bits);
    fallible F64Load { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u64, f64::from_bits);
    fallible I32Load8S { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, i8, |v: i8| i32::from(v));
    fallible I32Load8U { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u8, u32::from);
    fallible I32Load16S { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, i16, |v: i16| i32::from(v));
    fallible I32Load16U { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u16, u32::from);
    fallible I64Load8S { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, i8, |v: i8| i64::from(v));
    fallible I64Load8U { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u8, u64::from);
    fallible I64Load16S { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, i16, |v: i16| i64::from(v));
    fallible I64Load16U { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u16, u64::from);
    fallible I64Load32S { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, i32, |v: i32| i64::from(v));
    fallible I64Load32U { dst, addr, offset } => load!(sp, fw, mb, ml, dst, addr, offset, u32, u64::from);
    fallible I32LoadAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u32, |v: u32| v);
    fallible I64LoadAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u64, |v: u64| v);
    fallible F32LoadAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u32, f32::from_bits);
    fallible F64LoadAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u64, f64::from_bits);
    fallible I32Load8SAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, i8, |v: i8| i32::from(v));
    fallible I32Load8UAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u8, u32::from);
    fallible I32Load16SAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, i16, |v: i16| i32::from(v));
    fallible I32Load16UAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u16, u32::from);
    fallible I64Load8SAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, i8, |v: i8| i64::from(v));
    fallible I64Load8UAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u8, u64::from);
    fallible I64Load16SAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, i16, |v: i16| i64::from(v));
    fallible I64Load16UAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u16, u64::from);
    fallible I64Load32SAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, i32, |v: i32| i64::from(v));
    fallible I64Load32UAdd { dst, a, imm, offset } => load_add!(sp, fw, mb, ml, dst, a, imm, offset, u32, u64::from);
    fallible I32Store { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u32);
    fallible F32Store { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u32, f32::to_bits);
    fallible F64Store { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u64, f64::to_bits);
    fallible I64Store { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u64);
    fallible I32Store8 { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u8);
    fallible I32Store16 { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u16);
    fallible I64Store8 { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u8);
    fallible I64Store16 { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u16);
    fallible I64Store32 { addr, value, offset } => store!(sp, fw, mb, ml, addr, value, offset, u32);

    // i32 arithmetic.
    plain I32Add { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x.wrapping_add(y));
    plain I32Sub { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x.wrapping_sub(y));
    plain I32Mul { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x.wrapping_mul(y));
    fallible I32DivS { dst, a, b } => bin_trap(sp, fw, dst, a, b, i32_div_s);
    fallible I32DivU { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: u32, y: u32| x.checked_div(y).ok_or(TrapCode::IntegerDivisionByZero));
    fallible I32RemS { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: i32, y: i32| if y == 0 { Err(TrapCode::IntegerDivisionByZero) } else { Ok(x.wrapping_rem(y)) });
    fallible I32RemU { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: u32, y: u32| x.checked_rem(y).ok_or(TrapCode::IntegerDivisionByZero));
    plain I32And { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x & y);
    plain I32Or { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x | y);
    plain I32Xor { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x ^ y);
    plain I32Shl { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x.wrapping_shl(y));
    plain I32ShrS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: u32| x.wrapping_shr(y));
    plain I32ShrU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x.wrapping_shr(y));
    plain I32Rotl { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x.rotate_left(y & 31));
    plain I32Rotr { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x.rotate_right(y & 31));
    plain I32Eq { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x == y);
    plain I32Ne { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x != y);
    plain I32LtS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x < y);
    plain I32LtU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x < y);
    plain I32GtS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x > y);
    plain I32GtU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x > y);
    plain I32LeS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x <= y);
    plain I32LeU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x <= y);
    plain I32GeS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i32, y: i32| x >= y);
    plain I32GeU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u32, y: u32| x >= y);
    plain I32AddImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x.wrapping_add(y));
    plain I32SubImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x.wrapping_sub(y));
    plain I32MulImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x.wrapping_mul(y));
    plain I32AndImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x & y);
    plain I32OrImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x | y);
    plain I32XorImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x ^ y);
    plain I32ShlImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x.wrapping_shl(y as u32));
    plain I32ShrSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x.wrapping_shr(y as u32));
    plain I32ShrUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x.wrapping_shr(y as u32));
    plain I32RotlImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x.rotate_left(y as u32 & 31));
    plain I32RotrImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x.rotate_right(y as u32 & 31));
    plain I32EqImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x == y);
    plain I32NeImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x != y);
    plain I32LtSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x < y);
    plain I32LtUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x < y as u32);
    plain I32GtSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x > y);
    plain I32GtUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x > y as u32);
    plain I32LeSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x <= y);
    plain I32LeUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x <= y as u32);
    plain I32GeSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i32, y: i32| x >= y);
    plain I32GeUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u32, y: i32| x >= y as u32);

    // i64 arithmetic.
    plain I64Add { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x.wrapping_add(y));
    plain I64Sub { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x.wrapping_sub(y));
    plain I64Mul { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x.wrapping_mul(y));
    fallible I64DivS { dst, a, b } => bin_trap(sp, fw, dst, a, b, i64_div_s);
    fallible I64DivU { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: u64, y: u64| x.checked_div(y).ok_or(TrapCode::IntegerDivisionByZero));
    fallible I64RemS { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: i64, y: i64| if y == 0 { Err(TrapCode::IntegerDivisionByZero) } else { Ok(x.wrapping_rem(y)) });
    fallible I64RemU { dst, a, b } => bin_trap(sp, fw, dst, a, b, |x: u64, y: u64| x.checked_rem(y).ok_or(TrapCode::IntegerDivisionByZero));
    plain I64And { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x & y);
    plain I64Or { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x | y);
    plain I64Xor { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x ^ y);
    plain I64Shl { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x.wrapping_shl(y as u32));
    plain I64ShrS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: u64| x.wrapping_shr(y as u32));
    plain I64ShrU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x.wrapping_shr(y as u32));
    plain I64Rotl { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x.rotate_left((y & 63) as u32));
    plain I64Rotr { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x.rotate_right((y & 63) as u32));
    plain I64Eq { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x == y);
    plain I64Ne { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x != y);
    plain I64LtS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x < y);
    plain I64LtU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x < y);
    plain I64GtS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x > y);
    plain I64GtU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x > y);
    plain I64LeS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x <= y);
    plain I64LeU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x <= y);
    plain I64GeS { dst, a, b } => bin(sp, fw, dst, a, b, |x: i64, y: i64| x >= y);
    plain I64GeU { dst, a, b } => bin(sp, fw, dst, a, b, |x: u64, y: u64| x >= y);
    plain I64AddImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x.wrapping_add(y));
    plain I64SubImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x.wrapping_sub(y));
    plain I64MulImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x.wrapping_mul(y));
    plain I64AndImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x & y);
    plain I64OrImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x | y);
    plain I64XorImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x ^ y);
    plain I64ShlImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x.wrapping_shl(y as u32));
    plain I64ShrSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x.wrapping_shr(y as u32));
    plain I64ShrUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x.wrapping_shr(y as u32));
    plain I64RotlImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x.rotate_left((y & 63) as u32));
    plain I64RotrImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x.rotate_right((y & 63) as u32));
    plain I64EqImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x == y);
    plain I64NeImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x != y);
    plain I64LtSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x < y);
    plain I64LtUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x < y as u64);
    plain I64GtSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x > y);
    plain I64GtUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x > y as u64);
    plain I64LeSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x <= y);
    plain I64LeUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x <= y as u64);
    plain I64GeSImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: i64, y: i64| x >= y);
    plain I64GeUImm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, |x: u64, y: i64| x >= y as u64);

    // Floats.
    plain F32Add { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x + y);
    plain F32Sub { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x - y);
    plain F32Mul { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x * y);
    plain F32Div { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x / y);
    plain F32Min { dst, a, b } => bin(sp, fw, dst, a, b, float::f32_min);
    plain F32Max { dst, a, b } => bin(sp, fw, dst, a, b, float::f32_max);
    plain F32Copysign { dst, a, b } => bin(sp, fw, dst, a, b, float::f32_copysign);
    plain F32Eq { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x == y);
    plain F32Ne { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x != y);
    plain F32Lt { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x < y);
    plain F32Gt { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x > y);
    plain F32Le { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x <= y);
    plain F32Ge { dst, a, b } => bin(sp, fw, dst, a, b, |x: f32, y: f32| x >= y);
    plain F64Add { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x + y);
    plain F64Sub { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x - y);
    plain F64Mul { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x * y);
    plain F64Div { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x / y);
    plain F64Min { dst, a, b } => bin(sp, fw, dst, a, b, float::f64_min);
    plain F64Max { dst, a, b } => bin(sp, fw, dst, a, b, float::f64_max);
    plain F64Copysign { dst, a, b } => bin(sp, fw, dst, a, b, float::f64_copysign);
    plain F64Eq { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x == y);
    plain F64Ne { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x != y);
    plain F64Lt { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x < y);
    plain F64Gt { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x > y);
    plain F64Le { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x <= y);
    plain F64Ge { dst, a, b } => bin(sp, fw, dst, a, b, |x: f64, y: f64| x >= y);

    // Unary operators and conversions.
    plain I32Clz { dst, src } => un(sp, fw, dst, src, |x: u32| x.leading_zeros());
    plain I32Ctz { dst, src } => un(sp, fw, dst, src, |x: u32| x.trailing_zeros());
    plain I32Popcnt { dst, src } => un(sp, fw, dst, src, |x: u32| x.count_ones());
    plain I32Eqz { dst, src } => un(sp, fw, dst, src, |x: u32| x == 0);
    plain I64Clz { dst, src } => un(sp, fw, dst, src, |x: u64| u64::from(x.leading_zeros()));
    plain I64Ctz { dst, src } => un(sp, fw, dst, src, |x: u64| u64::from(x.trailing_zeros()));
    plain I64Popcnt { dst, src } => un(sp, fw, dst, src, |x: u64| u64::from(x.count_ones()));
    plain I64Eqz { dst, src } => un(sp, fw, dst, src, |x: u64| x == 0);
    plain F32Abs { dst, src } => un(sp, fw, dst, src, float::f32_abs);
    plain F32Neg { dst, src } => un(sp, fw, dst, src, float::f32_neg);
    plain F32Ceil { dst, src } => un(sp, fw, dst, src, float::f32_ceil);
    plain F32Floor { dst, src } => un(sp, fw, dst, src, float::f32_floor);
    plain F32Trunc { dst, src } => un(sp, fw, dst, src, float::f32_trunc);
    plain F32Nearest { dst, src } => un(sp, fw, dst, src, float::f32_nearest);
    plain F32Sqrt { dst, src } => un(sp, fw, dst, src, float::f32_sqrt);
    plain F64Abs { dst, src } => un(sp, fw, dst, src, float::f64_abs);
    plain F64Neg { dst, src } => un(sp, fw, dst, src, float::f64_neg);
    plain F64Ceil { dst, src } => un(sp, fw, dst, src, float::f64_ceil);
    plain F64Floor { dst, src } => un(sp, fw, dst, src, float::f64_floor);
    plain F64Trunc { dst, src } => un(sp, fw, dst, src, float::f64_trunc);
    plain F64Nearest { dst, src } => un(sp, fw, dst, src, float::f64_nearest);
    plain F64Sqrt { dst, src } => un(sp, fw, dst, src, float::f64_sqrt);
    fallible I32TruncF32S { dst, src } => un_trap(sp, fw, dst, src, float::i32_trunc_f32);
    fallible I32TruncF32U { dst, src } => un_trap(sp, fw, dst, src, float::u32_trunc_f32);
    fallible I32TruncF64S { dst, src } => un_trap(sp, fw, dst, src, float::i32_trunc_f64);
    fallible I32TruncF64U { dst, src } => un_trap(sp, fw, dst, src, float::u32_trunc_f64);
    fallible I64TruncF32S { dst, src } => un_trap(sp, fw, dst, src, float::i64_trunc_f32);
    fallible I64TruncF32U { dst, src } => un_trap(sp, fw, dst, src, float::u64_trunc_f32);
    fallible I64TruncF64S { dst, src } => un_trap(sp, fw, dst, src, float::i64_trunc_f64);
    fallible I64TruncF64U { dst, src } => un_trap(sp, fw, dst, src, float::u64_trunc_f64);
    plain I64ExtendI32S { dst, src } => un(sp, fw, dst, src, |x: i32| i64::from(x));
    plain I64ExtendI32U { dst, src } => un(sp, fw, dst, src, |x: u32| u64::from(x));
    plain F32ConvertI32S { dst, src } => un(sp, fw, dst, src, |x: i32| x as f32);
    plain F32ConvertI32U { dst, src } => un(sp, fw, dst, src, |x: u32| x as f32);
    plain F32ConvertI64S { dst, src } => un(sp, fw, dst, src, |x: i64| x as f32);
    plain F32ConvertI64U { dst, src } => un(sp, fw, dst, src, |x: u64| x as f32);
    plain F32DemoteF64 { dst, src } => un(sp, fw, dst, src, |x: f64| x as f32);
    plain F64ConvertI32S { dst, src } => un(sp, fw, dst, src, |x: i32| f64::from(x));
    plain F64ConvertI32U { dst, src } => un(sp, fw, dst, src, |x: u32| f64::from(x));
    plain F64ConvertI64S { dst, src } => un(sp, fw, dst, src, |x: i64| x as f64);
    plain F64ConvertI64U { dst, src } => un(sp, fw, dst, src, |x: u64| x as f64);
    plain F64PromoteF32 { dst, src } => un(sp, fw, dst, src, |x: f32| f64::from(x));
    plain I32Extend8S { dst, src } => un(sp, fw, dst, src, |x: u32| i32::from(x as i8));
    plain I32Extend16S { dst, src } => un(sp, fw, dst, src, |x: u32| i32::from(x as i16));
    plain I64Extend8S { dst, src } => un(sp, fw, dst, src, |x: u64| i64::from(x as i8));
    plain I64Extend16S { dst, src } => un(sp, fw, dst, src, |x: u64| i64::from(x as i16));
    plain I64Extend32S { dst, src } => un(sp, fw, dst, src, |x: u64| i64::from(x as i32));
    // Rust's float-to-int `as` saturates and maps NaN to 0: exactly trunc_sat.
    plain I32TruncSatF32S { dst, src } => un(sp, fw, dst, src, |x: f32| x as i32);
    plain I32TruncSatF32U { dst, src } => un(sp, fw, dst, src, |x: f32| x as u32);
    plain I32TruncSatF64S { dst, src } => un(sp, fw, dst, src, |x: f64| x as i32);
    plain I32TruncSatF64U { dst, src } => un(sp, fw, dst, src, |x: f64| x as u32);
    plain I64TruncSatF32S { dst, src } => un(sp, fw, dst, src, |x: f32| x as i64);
    plain I64TruncSatF32U { dst, src } => un(sp, fw, dst, src, |x: f32| x as u64);
    plain I64TruncSatF64S { dst, src } => un(sp, fw, dst, src, |x: f64| x as i64);
    plain I64TruncSatF64U { dst, src } => un(sp, fw, dst, src, |x: f64| x as u64);
}

fn i32_div_s(x: i32, y: i32) -> Result<i32, TrapCode> {
    if y == 0 {
        Err(TrapCode::IntegerDivisionByZero)
    } else {
        x.checked_div(y).ok_or(TrapCode::IntegerOverflow)
    }
}

fn i64_div_s(x: i64, y: i64) -> Result<i64, TrapCode> {
    if y == 0 {
        Err(TrapCode::IntegerDivisionByZero)
    } else {
        x.checked_div(y).ok_or(TrapCode::IntegerOverflow)
    }
}

// ----- handlers written out: control, calls, and what can move memory ------------------------

/// The words variant `$name` occupies: where the next instruction starts.
macro_rules! words {
    ($name:ident) => {
        words_for(core::mem::size_of::<payload::$name>())
    };
}

unsafe fn unreachable(
    _: Ip,
    _: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    trap(ex, TrapCode::Unreachable)
}

/// Takes the `index`-th of the `Br`s that follow: straight to its target, one dispatch.
unsafe fn br_table<const FORWARDED: bool>(
    ip: Ip,
    sp: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, BrTable { index, len });
    // The index is usually computed just before (a loaded opcode): taking it from the
    // accumulator shortens the wait until the jump, which is often mispredicted, resolves.
    let index = if FORWARDED {
        acc as u32
    } else {
        unsafe { get::<u32>(sp, index) }
    };
    let i = index.min(len - 1);
    // SAFETY: the translator emits `len` `Br`s right after the table, and keeps them
    // `Br`s (`translate::jumps`).
    let entry = unsafe { ip.add(words!(BrTable) + i as usize * words!(Br)) };
    let payload::Br { offset } = unsafe { read_payload(entry) };
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    // SAFETY: the bytecode contract: branch targets are inside the function.
    unsafe { dispatch(entry.offset(offset as isize), sp, mb, ml, ex, accs) }
}

/// After a call pushed a frame (`entry` is the callee's first instruction) or ran a host
/// function (`None`): re-derive the registers and go on.
#[inline(always)]
unsafe fn after_call(entry: Option<Ip>, resume: Ip, ex: &mut Exec) -> Done {
    let ip = entry.unwrap_or(resume);
    let base = ex.frame_base();
    let sp = ex.sp_at(base);
    let (mb, ml) = ex.mem_regs();
    // SAFETY: `ip` is the callee's first instruction or the caller's next one.
    unsafe { dispatch(ip, sp, mb, ml, ex, Accs::ZERO) }
}

unsafe fn call_internal(
    ip: Ip,
    _: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, CallInternal { def, base });
    // SAFETY: the next instruction exists (a function's code ends with a return).
    let at = ex.save_ip(unsafe { ip.add(words!(CallInternal)) }) + usize::from(base);
    // SAFETY: `module` is the current instance's; `def` is one of its defined functions.
    let index = def + unsafe { (*ex.module).num_imported_funcs };
    match unsafe { ex.push_frame_fast(index, at) } {
        Some(entry) => {
            let sp = ex.sp_at(at);
            // Same instance, and nothing ran yet that could move memory: the caller's
            // memory registers hold.
            unsafe { dispatch(entry, sp, mb, ml, ex, Accs::ZERO) }
        }
        // A tail call, so that this handler's fast path saves no registers.
        None => unsafe { call_internal_slow(ex, index, at) },
    }
}

/// `call_internal` when the fast path's conditions don't hold (see `Exec::push_frame`).
#[cold]
#[inline(never)]
unsafe fn call_internal_slow(ex: &mut Exec, index: u32, at: usize) -> Done {
    match unsafe { ex.push_frame(index, at) } {
        Ok(entry) => {
            let sp = ex.sp_at(at);
            let (mb, ml) = ex.mem_regs();
            unsafe { dispatch(entry, sp, mb, ml, ex, Accs::ZERO) }
        }
        Err(code) => trap(ex, code),
    }
}

unsafe fn call(
    ip: Ip,
    _: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Call { func, base });
    let resume = unsafe { ip.add(words!(Call)) };
    let at = ex.save_ip(resume) + usize::from(base);
    // SAFETY: the bytecode contract: `func` is a function index of the instance.
    let target = unsafe { (*ex.vmctx).func(func).store_func };
    unsafe { call_store_func(ex, target, at, resume, mb, ml) }
}

/// The store function that `call_indirect` and `return_call_indirect` call: table
/// `table`'s element at the index in slot `index`, checked against type `ty`.
///
/// # Safety
/// The bytecode contract: `table` and `ty` are valid for the current instance, and slot
/// `index` is inside the frame.
#[inline(always)]
unsafe fn indirect_target(
    ex: &Exec,
    sp: Sp,
    ty: u32,
    table: u32,
    index: Slot,
) -> Result<u32, TrapCode> {
    // SAFETY: the contract.
    let (raw, expected) = unsafe {
        let t = &*(*ex.vmctx).table(table);
        (t.get(get::<u32>(sp, index)), (*ex.vmctx).type_id(ty))
    };
    let target = match raw {
        Ok(0) => return Err(TrapCode::IndirectCallToNull),
        Ok(raw) => (raw - 1) as u32,
        Err(_) => return Err(TrapCode::TableOutOfBounds),
    };
    // SAFETY: table elements are store function indices + 1.
    if unsafe { (&(*ex.store).funcs)[target as usize].type_id } != expected {
        return Err(TrapCode::BadSignature);
    }
    Ok(target)
}

unsafe fn call_indirect(
    ip: Ip,
    sp: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        CallIndirect {
            ty,
            table,
            index,
            base
        }
    );
    // SAFETY: the bytecode contract: `table`, `ty` and `index` are valid for the frame.
    let target = match unsafe { indirect_target(ex, sp, ty, table, index) } {
        Ok(target) => target,
        Err(code) => return trap(ex, code),
    };
    let resume = unsafe { ip.add(words!(CallIndirect)) };
    let at = ex.save_ip(resume) + usize::from(base);
    unsafe { call_store_func(ex, target, at, resume, mb, ml) }
}

/// Calls store function `target` with its arguments at absolute slot `at`; the caller
/// resumes at `resume`. The fast path is a wasm function of the current instance entered
/// without growth; anything else (another instance, a host function, a first call) is a
/// tail call to `call_store_func_slow`.
#[inline(always)]
unsafe fn call_store_func(
    ex: &mut Exec,
    target: u32,
    at: usize,
    resume: Ip,
    mb: *mut u8,
    ml: usize,
) -> Done {
    match unsafe { ex.callee_in_current_instance(target) } {
        Some(index) => match unsafe { ex.push_frame_fast(index, at) } {
            Some(entry) => {
                let sp = ex.sp_at(at);
                unsafe { dispatch(entry, sp, mb, ml, ex, Accs::ZERO) }
            }
            None => unsafe { call_store_func_slow(ex, target, at, resume) },
        },
        None => unsafe { call_store_func_slow(ex, target, at, resume) },
    }
}

#[cold]
#[inline(never)]
unsafe fn call_store_func_slow(ex: &mut Exec, target: u32, at: usize, resume: Ip) -> Done {
    match unsafe { ex.call_store_func(target, at) } {
        Ok(entry) => unsafe { after_call(entry, resume, ex) },
        // A host function may throw a wasm exception at the call.
        Err(t) => unsafe { ex.raise_or_trap(t, Raised::InCall) },
    }
}

unsafe fn call_ref(
    ip: Ip,
    sp: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, CallRef { func, base });
    let raw = unsafe { get::<u64>(sp, func) };
    if raw == 0 {
        return trap(ex, TrapCode::NullFunctionReference);
    }
    let resume = unsafe { ip.add(words!(CallRef)) };
    let at = ex.save_ip(resume) + usize::from(base);
    // SAFETY: a non-null function reference is a store function index + 1.
    unsafe { call_store_func(ex, (raw - 1) as u32, at, resume, mb, ml) }
}

// ----- tail calls ----------------------------------------------------------------------------

/// Calls store function `target` in the running frame's place: its `len` arguments move
/// from slot `base` to the frame's first slots, where its results will be the frame's. A
/// wasm callee's frame replaces this one, so tail calls take no room however long a chain
/// of them runs; a host function is called and the frame returns its results.
#[inline(never)]
unsafe fn tail_call(ex: &mut Exec, sp: Sp, target: u32, base: Slot, len: u16) -> Done {
    // SAFETY: the bytecode contract: the arguments are inside the frame; the move may
    // overlap.
    unsafe { ptr::copy(sp.add(usize::from(base)), sp, usize::from(len)) };
    unsafe { replace_frame(ex, target) }
}

/// Calls store function `target` in the running frame's place, its arguments in the
/// frame's first slots (see `tail_call`). The work is `Exec::replace_frame`'s; this only
/// passes control on, so that it stays a tail call (see `Exec::unwind`).
pub(super) unsafe fn replace_frame(ex: &mut Exec, target: u32) -> Done {
    match unsafe { ex.replace_frame(target) } {
        Replaced::Enter(entry) => {
            let sp = ex.sp_at(ex.frame_base());
            let (mb, ml) = ex.mem_regs();
            unsafe { dispatch(entry, sp, mb, ml, ex, Accs::ZERO) }
        }
        Replaced::Returned => unsafe { leave(ex) },
        Replaced::Trapped(code) => trap(ex, code),
        // The frame is the host call's caller; its handlers are behind it now.
        Replaced::Failed(t) => unsafe { ex.raise_or_trap(t, Raised::FrameDone) },
    }
}

/// What became of a frame replaced by a tail call's callee (`Exec::replace_frame`).
pub(super) enum Replaced {
    /// A wasm callee's frame took its place: it starts here.
    Enter(Ip),
    /// A host callee ran: its results are the frame's, to return.
    Returned,
    /// The callee's frame could not be pushed.
    Trapped(TrapCode),
    /// The host callee failed.
    Failed(wisp_core::Trap),
}

impl Exec<'_> {
    #[inline(never)]
    unsafe fn replace_frame(&mut self, target: u32) -> Replaced {
        let frame_base = self.frame_base();
        match unsafe { self.callee(target) } {
            Callee::Wasm { instance, index } => {
                // The frame's place is the callee's: the depth stays as it is.
                self.stack.frames.pop();
                // SAFETY: instance indices in function entities are valid for their store.
                unsafe {
                    let inst = (&(*self.store).instances)[instance as usize].as_ptr();
                    if inst != self.instance {
                        self.enter_instance(inst);
                    }
                    match self.push_frame(index, frame_base) {
                        Ok(entry) => Replaced::Enter(entry),
                        Err(code) => Replaced::Trapped(code),
                    }
                }
            }
            Callee::Host => match unsafe { self.call_host(target, frame_base) } {
                Ok(()) => Replaced::Returned,
                Err(t) => Replaced::Failed(t),
            },
        }
    }
}

unsafe fn return_call_internal(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCallInternal { def, base, len });
    // SAFETY: `def` is one of the current instance's defined functions.
    let target = unsafe {
        let index = def + (*ex.module).num_imported_funcs;
        (*ex.vmctx).func(index).store_func
    };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCall { func, base, len });
    // SAFETY: the bytecode contract: `func` is a function index of the instance.
    let target = unsafe { (*ex.vmctx).func(func).store_func };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call_indirect(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        ReturnCallIndirect {
            ty,
            table,
            index,
            base,
            len
        }
    );
    // SAFETY: as for `call_indirect`.
    let target = match unsafe { indirect_target(ex, sp, ty, table, index) } {
        Ok(target) => target,
        Err(code) => return trap(ex, code),
    };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call_ref(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCallRef { func, base, len });
    let raw = unsafe { get::<u64>(sp, func) };
    if raw == 0 {
        return trap(ex, TrapCode::NullFunctionReference);
    }
    unsafe { tail_call(ex, sp, (raw - 1) as u32, base, len) }
}

// ----- exceptions ----------------------------------------------------------------------------

#[cfg(feature = "exceptions")]
unsafe fn throw(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Throw { tag, base, len });
    // SAFETY: the bytecode contract: `tag` is a tag of the instance, its values inside the
    // frame.
    let result = unsafe {
        let store_tag = (*ex.vmctx).tag(tag);
        let values = core::slice::from_raw_parts(sp.add(usize::from(base)), usize::from(len));
        (*ex.store).alloc_exception(store_tag, values.into())
    };
    match result {
        Ok(exn) => unsafe { ex.unwind(exn, Raised::At(ip)) },
        Err(code) => trap(ex, code),
    }
}

#[cfg(feature = "exceptions")]
unsafe fn throw_ref(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ThrowRef { src });
    match unsafe { get::<u64>(sp, src) } {
        0 => trap(ex, TrapCode::NullExceptionReference),
        // SAFETY: a non-null `exnref` is an exception index + 1.
        raw => unsafe { ex.unwind((raw - 1) as u32, Raised::At(ip)) },
    }
}

#[cfg(feature = "exceptions")]
unsafe fn caught(
    ip: Ip,
    sp: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        Caught {
            dst,
            len,
            exn,
            mode
        }
    );
    // Only `unwind` enters a handler, leaving the exception here.
    let Some(index) = ex.exception.take() else {
        return trap(ex, TrapCode::Unreachable);
    };
    // SAFETY: the store is live; the exception is one of its; the bytecode contract puts
    // `dst..dst + len` (and the `exnref`'s slot) inside the frame.
    unsafe {
        let store = &mut *ex.store;
        let fields = &store.exception(index).fields;
        let n = usize::from(len).min(fields.len());
        ptr::copy_nonoverlapping(fields.as_ptr(), sp.add(usize::from(dst)), n);
        let exnref = u64::from(index) + 1;
        match mode {
            0 => store.exception_caught(index),
            1 => {
                store.expose_exception(index);
                set(sp, dst + len, exnref);
            }
            _ => {
                store.hold_exception(index);
                set(sp, exn, exnref);
            }
        }
    }
    unsafe { dispatch(ip.add(words!(Caught)), sp, mb, ml, ex, Accs::ZERO) }
}

#[cfg(feature = "exceptions")]
unsafe fn catch_end(
    ip: Ip,
    sp: Sp,
    mb: *mut u8,
    ml: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, CatchEnd { exn });
    // SAFETY: the catch slot holds the catch block's exception (`Caught` put it there).
    unsafe {
        if let Some(index) = get::<u64>(sp, exn).checked_sub(1) {
            (*ex.store).release_exception(index as u32);
        }
    }
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    unsafe { dispatch(ip.add(words!(CatchEnd)), sp, mb, ml, ex, accs) }
}

/// Leaves the current frame (results already in its first slots). Returning into another
/// instance is a tail call to `leave_to_other_instance`.
#[inline(always)]
unsafe fn leave(ex: &mut Exec) -> Done {
    match unsafe { ex.pop_frame() } {
        Some((resume, base, true)) => {
            let sp = ex.sp_at(base);
            let (mb, ml) = ex.mem_regs();
            // SAFETY: `resume` was saved by the call that pushed the frame.
            unsafe { dispatch(resume, sp, mb, ml, ex, Accs::ZERO) }
        }
        Some((resume, base, false)) => unsafe { leave_to_other_instance(ex, resume, base) },
        None => Done::Return,
    }
}

#[cold]
#[inline(never)]
unsafe fn leave_to_other_instance(ex: &mut Exec, resume: Ip, base: usize) -> Done {
    unsafe { ex.enter_caller_instance() };
    let sp = ex.sp_at(base);
    let (mb, ml) = ex.mem_regs();
    // SAFETY: `resume` was saved by the call that pushed the frame.
    unsafe { dispatch(resume, sp, mb, ml, ex, Accs::ZERO) }
}

unsafe fn return0(
    _: Ip,
    _: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    unsafe { leave(ex) }
}

unsafe fn return1(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Return1 { src });
    unsafe { set(sp, 0, get::<u64>(sp, src)) };
    unsafe { leave(ex) }
}

unsafe fn return_many(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnMany { src, len });
    // SAFETY: the bytecode contract: `src..src + len` is inside the frame.
    unsafe { ptr::copy(sp.add(usize::from(src)), sp, usize::from(len)) };
    unsafe { leave(ex) }
}

/// A trap raised by the current instruction with more than a code (a store limiter's),
/// with the wasm frames attached.
#[cold]
#[inline(never)]
fn trapped_here(ex: &mut Exec, trap: wisp_core::Trap) -> Done {
    let trap = ex.with_backtrace(trap);
    trapped(ex, trap)
}

unsafe fn memory_grow(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, MemoryGrow { dst, delta });
    let old = if ex.memory.is_null() {
        None
    } else {
        // SAFETY: a non-null current memory is a live entity of the store.
        match unsafe { (*ex.memory).grow(u64::from(get::<u32>(sp, delta))) } {
            Ok(old) => old,
            Err(t) => return trapped_here(ex, t),
        }
    };
    let result = unsafe { set(sp, dst, old.map_or(u64::from(u32::MAX), |p| p)) };
    // Growing may have moved memory.
    let (mb, ml) = ex.mem_regs();
    unsafe {
        dispatch(
            ip.add(words!(MemoryGrow)),
            sp,
            mb,
            ml,
            ex,
            result.into_acc(Accs::ZERO),
        )
    }
}

unsafe fn use_memory(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, UseMemory { mem });
    // SAFETY: the bytecode contract: `mem` is a memory index of the instance.
    ex.memory = unsafe { (*ex.vmctx).memory(mem) };
    let (mb, ml) = ex.mem_regs();
    // Between an instruction and the one it feeds only on memory 0; pass the accumulators
    // on anyway.
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    unsafe { dispatch(ip.add(words!(UseMemory)), sp, mb, ml, ex, accs) }
}

// ----- tier-up ------------------------------------------------------------------------------

#[cfg(feature = "tier-up")]
mod tier_up;
#[cfg(feature = "tier-up")]
use tier_up::{enter_native, hot, hot_loop};

/// The handler that executes an instruction `tag`, taking the `forward`ed operand from an accumulator,
/// and writing its result to its slot unless `store` is false (only for results the next
/// instruction takes from the accumulator that nothing reads after; see `bytecode::encode`). Only
/// table instructions and `BrTable` have forwardable operands, and only table instructions
/// can skip their store.
#[inline]
pub fn handler_for(tag: Tag, forward: Forward, store: bool) -> Handler {
    let variants = &HANDLERS[tag as usize];
    let index = if FORWARDING {
        forward as usize + if store { 0 } else { 3 }
    } else {
        0
    };
    // The instructions with one handler always store, and have only the first variant (and
    // an instruction this build has no handler for traps).
    match variants.get(index) {
        Some(&Some(h)) => h,
        _ => variants[0].unwrap_or(unreachable),
    }
}

/// Every instruction's handlers, by tag (see `table_handlers`).
static HANDLERS: [Variants; NUM_TAGS] = {
    let mut by_tag = table_handlers();
    macro_rules! single {
        ($($tag:ident => $handler:path),* $(,)?) => {$({
            let mut one = [None; VARIANTS];
            one[0] = Some($handler as Handler);
            by_tag[Tag::$tag as usize] = one;
        })*};
    }
    single! {
        Unreachable => unreachable,
        BrTable => br_table::<false>,
        CallInternal => call_internal,
        Call => call,
        CallIndirect => call_indirect,
        Return0 => return0,
        Return1 => return1,
        ReturnMany => return_many,
        MemoryGrow => memory_grow,
        UseMemory => use_memory,
    }
    // The one such instruction with a forwardable operand: its index (no result, so no
    // store to skip).
    if FORWARDING {
        by_tag[Tag::BrTable as usize][Forward::First as usize] = Some(br_table::<true>);
    }
    // Without their proposal's feature the engine refuses modules that would emit these
    // (`Interpreter::left_out`).
    #[cfg(feature = "function-references")]
    single! {
        CallRef => call_ref,
    }
    #[cfg(feature = "tail-call")]
    single! {
        ReturnCallInternal => return_call_internal,
        ReturnCall => return_call,
        ReturnCallIndirect => return_call_indirect,
    }
    #[cfg(all(feature = "tail-call", feature = "function-references"))]
    single! {
        ReturnCallRef => return_call_ref,
    }
    #[cfg(feature = "exceptions")]
    single! {
        Throw => throw,
        ThrowRef => throw_ref,
        Caught => caught,
        CatchEnd => catch_end,
    }
    // Without the feature these are never emitted (`code::module_code`), and trap as any
    // instruction without a handler does.
    #[cfg(feature = "tier-up")]
    single! {
        Hot => hot,
        HotLoop => hot_loop,
        EnterNative => enter_native,
    }
    by_tag
};
