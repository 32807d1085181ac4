//! The threads proposal's atomic memory operators, described once for every tier: what
//! each operator does on how many bytes ([`Atomic::of`]), the order of its checks
//! ([`effective_address`]), and what it computes on a memory cell ([`load`], [`store`],
//! [`rmw`], [`cmpxchg`]). The interpreter's handlers call these; the JIT lowers the same
//! table to Cranelift's atomic instructions, with the same checks in the same order.
//!
//! A cell of a shared memory, which other threads may reach, is accessed with
//! `core::sync::atomic`, sequentially consistent as the proposal's operators are. A cell of
//! an unshared memory, which only the thread running its store reaches, is read and
//! written plainly, so that targets without atomics run atomic operators on unshared
//! memories too (shared memories are refused there when they load). Cells are
//! little-endian, as wasm's memory is.

// `with_cell!` writes one expression for every width; for the 8-byte cell its
// `u64::from` converts a `u64`.
#![allow(clippy::useless_conversion)]

#[cfg(target_has_atomic = "64")]
use core::sync::atomic::Ordering::SeqCst;

use wasmparser::{MemArg, Operator};

use crate::TrapCode;

/// A read-modify-write's operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rmw {
    /// `rmw.add`
    Add,
    /// `rmw.sub`
    Sub,
    /// `rmw.and`
    And,
    /// `rmw.or`
    Or,
    /// `rmw.xor`
    Xor,
    /// `rmw.xchg`
    Xchg,
}

impl Rmw {
    /// Every operation, in the order of their codes ([`Rmw::code`]).
    pub const ALL: [Rmw; 6] = [Rmw::Add, Rmw::Sub, Rmw::And, Rmw::Or, Rmw::Xor, Rmw::Xchg];

    /// The value stored: this operation of the old value and the operand (the store
    /// truncates it to the access's width).
    #[inline]
    pub fn apply(self, old: u64, operand: u64) -> u64 {
        match self {
            Rmw::Add => old.wrapping_add(operand),
            Rmw::Sub => old.wrapping_sub(operand),
            Rmw::And => old & operand,
            Rmw::Or => old | operand,
            Rmw::Xor => old ^ operand,
            Rmw::Xchg => operand,
        }
    }

    /// A small number for the operation (its place in [`Rmw::ALL`]), for encodings.
    pub fn code(self) -> u8 {
        Rmw::ALL.iter().position(|&r| r == self).unwrap_or(0) as u8
    }
}

/// What an atomic memory operator does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicOp {
    /// `*.atomic.load*`: the cell, zero-extended.
    Load,
    /// `*.atomic.store*`: the operand, truncated.
    Store,
    /// `*.atomic.rmw*.<op>`: stores `op(old, operand)`, gives `old`.
    Rmw(Rmw),
    /// `*.atomic.rmw*.cmpxchg`: stores the replacement if the cell equals the expected
    /// value (truncated to the width), gives the old value.
    Cmpxchg,
    /// `memory.atomic.wait32/64`: 0 when woken, 1 when the cell is not the expected value,
    /// 2 when the timeout passed; traps on an unshared memory.
    Wait,
    /// `memory.atomic.notify`: wakes up to `count` waiters of the cell, gives how many.
    Notify,
}

/// An atomic memory operator, decoded.
#[derive(Clone, Copy, Debug)]
pub struct Atomic {
    /// What it does.
    pub op: AtomicOp,
    /// How many bytes it accesses (1, 2, 4 or 8), which its address must be aligned to.
    pub bytes: u8,
    /// Whether its value operands and result are `i64`s (else `i32`s). `wait`'s
    /// expected value; `notify`'s count is always an `i32` and its result too.
    pub wide: bool,
    /// Its memory, alignment hint and offset.
    pub memarg: MemArg,
}

impl Atomic {
    /// `op`, if it is an atomic memory operator (not `atomic.fence`, which has no cell).
    pub fn of(op: &Operator<'_>) -> Option<Atomic> {
        use AtomicOp::{Cmpxchg, Load, Notify, Store, Wait};
        use Operator as O;
        use Rmw::{Add, And, Or, Sub, Xchg, Xor};
        macro_rules! table {
            ($($name:ident => $op:expr, $bytes:literal, $wide:literal;)*) => {
                match *op {
                    $(O::$name { memarg } => Some(Atomic { op: $op, bytes: $bytes, wide: $wide, memarg }),)*
                    _ => None,
                }
            };
        }
        let r = AtomicOp::Rmw;
        table! {
            MemoryAtomicNotify => Notify, 4, false;
            MemoryAtomicWait32 => Wait, 4, false;
            MemoryAtomicWait64 => Wait, 8, true;
            I32AtomicLoad => Load, 4, false;
            I64AtomicLoad => Load, 8, true;
            I32AtomicLoad8U => Load, 1, false;
            I32AtomicLoad16U => Load, 2, false;
            I64AtomicLoad8U => Load, 1, true;
            I64AtomicLoad16U => Load, 2, true;
            I64AtomicLoad32U => Load, 4, true;
            I32AtomicStore => Store, 4, false;
            I64AtomicStore => Store, 8, true;
            I32AtomicStore8 => Store, 1, false;
            I32AtomicStore16 => Store, 2, false;
            I64AtomicStore8 => Store, 1, true;
            I64AtomicStore16 => Store, 2, true;
            I64AtomicStore32 => Store, 4, true;
            I32AtomicRmwAdd => r(Add), 4, false;
            I64AtomicRmwAdd => r(Add), 8, true;
            I32AtomicRmw8AddU => r(Add), 1, false;
            I32AtomicRmw16AddU => r(Add), 2, false;
            I64AtomicRmw8AddU => r(Add), 1, true;
            I64AtomicRmw16AddU => r(Add), 2, true;
            I64AtomicRmw32AddU => r(Add), 4, true;
            I32AtomicRmwSub => r(Sub), 4, false;
            I64AtomicRmwSub => r(Sub), 8, true;
            I32AtomicRmw8SubU => r(Sub), 1, false;
            I32AtomicRmw16SubU => r(Sub), 2, false;
            I64AtomicRmw8SubU => r(Sub), 1, true;
            I64AtomicRmw16SubU => r(Sub), 2, true;
            I64AtomicRmw32SubU => r(Sub), 4, true;
            I32AtomicRmwAnd => r(And), 4, false;
            I64AtomicRmwAnd => r(And), 8, true;
            I32AtomicRmw8AndU => r(And), 1, false;
            I32AtomicRmw16AndU => r(And), 2, false;
            I64AtomicRmw8AndU => r(And), 1, true;
            I64AtomicRmw16AndU => r(And), 2, true;
            I64AtomicRmw32AndU => r(And), 4, true;
            I32AtomicRmwOr => r(Or), 4, false;
            I64AtomicRmwOr => r(Or), 8, true;
            I32AtomicRmw8OrU => r(Or), 1, false;
            I32AtomicRmw16OrU => r(Or), 2, false;
            I64AtomicRmw8OrU => r(Or), 1, true;
            I64AtomicRmw16OrU => r(Or), 2, true;
            I64AtomicRmw32OrU => r(Or), 4, true;
            I32AtomicRmwXor => r(Xor), 4, false;
            I64AtomicRmwXor => r(Xor), 8, true;
            I32AtomicRmw8XorU => r(Xor), 1, false;
            I32AtomicRmw16XorU => r(Xor), 2, false;
            I64AtomicRmw8XorU => r(Xor), 1, true;
            I64AtomicRmw16XorU => r(Xor), 2, true;
            I64AtomicRmw32XorU => r(Xor), 4, true;
            I32AtomicRmwXchg => r(Xchg), 4, false;
            I64AtomicRmwXchg => r(Xchg), 8, true;
            I32AtomicRmw8XchgU => r(Xchg), 1, false;
            I32AtomicRmw16XchgU => r(Xchg), 2, false;
            I64AtomicRmw8XchgU => r(Xchg), 1, true;
            I64AtomicRmw16XchgU => r(Xchg), 2, true;
            I64AtomicRmw32XchgU => r(Xchg), 4, true;
            I32AtomicRmwCmpxchg => Cmpxchg, 4, false;
            I64AtomicRmwCmpxchg => Cmpxchg, 8, true;
            I32AtomicRmw8CmpxchgU => Cmpxchg, 1, false;
            I32AtomicRmw16CmpxchgU => Cmpxchg, 2, false;
            I64AtomicRmw8CmpxchgU => Cmpxchg, 1, true;
            I64AtomicRmw16CmpxchgU => Cmpxchg, 2, true;
            I64AtomicRmw32CmpxchgU => Cmpxchg, 4, true;
        }
    }
}

/// The effective address of an atomic access of `bytes` bytes at `base + offset` in a
/// memory of `len` bytes, checked in this order on every tier: `UnalignedAtomic` unless
/// `base + offset` (modulo 2^64) is a multiple of `bytes`, then `MemoryOutOfBounds`
/// unless the sum does not wrap and the access lies inside. (Alignment first because the
/// JIT checks it before an access whose bounds may be left to a guard page.)
#[inline]
pub fn effective_address(base: u64, offset: u64, bytes: u64, len: u64) -> Result<u64, TrapCode> {
    if base.wrapping_add(offset) & (bytes - 1) != 0 {
        return Err(TrapCode::UnalignedAtomic);
    }
    match base.checked_add(offset) {
        Some(ea) if ea.checked_add(bytes).is_some_and(|end| end <= len) => Ok(ea),
        _ => Err(TrapCode::MemoryOutOfBounds),
    }
}

/// Runs `$body` with `$cell` the atomic type of width `$bytes` at `$p` and `$raw` the
/// matching unsigned integer type: the one place that picks a width. Only where 64-bit
/// atomics exist: elsewhere shared memories do not load (`memory::SHARED_MEMORIES`), so
/// every cell is an unshared memory's, accessed plainly.
#[cfg(target_has_atomic = "64")]
macro_rules! with_cell {
    ($p:expr, $bytes:expr, |$cell:ident: $raw:ident| $body:expr) => {
        match $bytes {
            1 => {
                type $raw = u8;
                // SAFETY: the caller's contract (valid, aligned, shared only atomically).
                let $cell = unsafe { core::sync::atomic::AtomicU8::from_ptr($p) };
                $body
            }
            2 => {
                type $raw = u16;
                // SAFETY: as above.
                let $cell = unsafe { core::sync::atomic::AtomicU16::from_ptr($p.cast()) };
                $body
            }
            4 => {
                type $raw = u32;
                // SAFETY: as above.
                let $cell = unsafe { core::sync::atomic::AtomicU32::from_ptr($p.cast()) };
                $body
            }
            _ => {
                type $raw = u64;
                // SAFETY: as above.
                let $cell = unsafe { core::sync::atomic::AtomicU64::from_ptr($p.cast()) };
                $body
            }
        }
    };
}

/// The `bytes` bytes at `p`, zero-extended.
///
/// # Safety
/// `p` is valid for `bytes` bytes and aligned to `bytes`; if `shared` is false, nothing
/// else accesses them meanwhile.
#[inline]
pub unsafe fn load(p: *mut u8, bytes: u64, shared: bool) -> u64 {
    #[cfg(target_has_atomic = "64")]
    if shared {
        return with_cell!(p, bytes, |cell: Raw| u64::from(Raw::from_le(
            cell.load(SeqCst)
        )));
    }
    let _ = shared;
    // SAFETY: the contract.
    unsafe { read_plain(p, bytes) }
}

/// Stores the low `bytes` bytes of `value` at `p`.
///
/// # Safety
/// As [`load`].
#[inline]
pub unsafe fn store(p: *mut u8, bytes: u64, value: u64, shared: bool) {
    #[cfg(target_has_atomic = "64")]
    if shared {
        return with_cell!(p, bytes, |cell: Raw| cell
            .store((value as Raw).to_le(), SeqCst));
    }
    let _ = shared;
    // SAFETY: the contract.
    unsafe { write_plain(p, bytes, value) }
}

/// Stores `op(old, operand)` at `p` and returns `old`, zero-extended.
///
/// # Safety
/// As [`load`].
#[inline]
pub unsafe fn rmw(p: *mut u8, bytes: u64, op: Rmw, operand: u64, shared: bool) -> u64 {
    // A compare-and-swap loop: one path for every operation and either byte order.
    #[cfg(target_has_atomic = "64")]
    if shared {
        return with_cell!(p, bytes, |cell: Raw| {
            let update =
                |raw: Raw| Some((op.apply(u64::from(Raw::from_le(raw)), operand) as Raw).to_le());
            let old = cell
                .fetch_update(SeqCst, SeqCst, update)
                .unwrap_or_else(|v| v);
            u64::from(Raw::from_le(old))
        });
    }
    let _ = shared;
    // SAFETY: the contract.
    let old = unsafe { read_plain(p, bytes) };
    // SAFETY: the contract.
    unsafe { write_plain(p, bytes, op.apply(old, operand)) };
    old
}

/// Stores `replacement` at `p` if the cell holds `expected` (both truncated to the
/// width), and returns the old value, zero-extended.
///
/// # Safety
/// As [`load`].
#[inline]
pub unsafe fn cmpxchg(
    p: *mut u8,
    bytes: u64,
    expected: u64,
    replacement: u64,
    shared: bool,
) -> u64 {
    #[cfg(target_has_atomic = "64")]
    if shared {
        return with_cell!(p, bytes, |cell: Raw| {
            let (expected, replacement) = ((expected as Raw).to_le(), (replacement as Raw).to_le());
            let old = cell
                .compare_exchange(expected, replacement, SeqCst, SeqCst)
                .unwrap_or_else(|v| v);
            u64::from(Raw::from_le(old))
        });
    }
    let _ = shared;
    let mask = u64::MAX >> (64 - 8 * bytes);
    // SAFETY: the contract.
    let old = unsafe { read_plain(p, bytes) };
    if old == expected & mask {
        // SAFETY: the contract.
        unsafe { write_plain(p, bytes, replacement) };
    }
    old
}

/// # Safety
/// `p` is valid for `bytes` bytes.
#[inline]
unsafe fn read_plain(p: *mut u8, bytes: u64) -> u64 {
    let mut le = [0u8; 8];
    // SAFETY: the contract; `bytes <= 8`.
    unsafe { core::ptr::copy_nonoverlapping(p, le.as_mut_ptr(), bytes as usize) };
    u64::from_le_bytes(le)
}

/// # Safety
/// `p` is valid for `bytes` bytes.
#[inline]
unsafe fn write_plain(p: *mut u8, bytes: u64, value: u64) {
    // SAFETY: the contract; `bytes <= 8`.
    unsafe { core::ptr::copy_nonoverlapping(value.to_le_bytes().as_ptr(), p, bytes as usize) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_come_in_order_and_never_wrap() {
        assert_eq!(effective_address(8, 0, 8, 16), Ok(8));
        assert_eq!(
            effective_address(9, 0, 8, 16),
            Err(TrapCode::UnalignedAtomic)
        );
        // Unaligned and out of bounds: unaligned first.
        assert_eq!(
            effective_address(17, 0, 2, 16),
            Err(TrapCode::UnalignedAtomic)
        );
        assert_eq!(
            effective_address(16, 0, 2, 16),
            Err(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(
            effective_address(u64::MAX - 7, 8, 8, 16),
            Err(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(
            effective_address(0, u64::MAX - 3, 4, u64::MAX),
            Err(TrapCode::MemoryOutOfBounds)
        );
    }

    #[test]
    fn shared_and_unshared_cells_agree() {
        for shared in [false, true] {
            for bytes in [1u64, 2, 4, 8] {
                let mut cell = [0u64; 1];
                let p = cell.as_mut_ptr().cast::<u8>();
                let mask = u64::MAX >> (64 - 8 * bytes);
                // SAFETY: `cell` is 8 bytes, aligned to 8, and only this thread uses it.
                unsafe {
                    store(p, bytes, 0x1122_3344_5566_7788, shared);
                    assert_eq!(load(p, bytes, shared), 0x1122_3344_5566_7788 & mask);
                    let old = rmw(p, bytes, Rmw::Add, u64::MAX, shared);
                    assert_eq!(old, 0x1122_3344_5566_7788 & mask);
                    assert_eq!(load(p, bytes, shared), old.wrapping_sub(1) & mask);
                    // A mismatched expected value (in its low bits) stores nothing.
                    let now = load(p, bytes, shared);
                    assert_eq!(cmpxchg(p, bytes, now ^ 1, 5, shared), now);
                    assert_eq!(load(p, bytes, shared), now);
                    // Bits above the width of `expected` do not count.
                    assert_eq!(cmpxchg(p, bytes, now | !mask, 5, shared), now);
                    assert_eq!(load(p, bytes, shared), 5);
                }
                if bytes < 8 {
                    assert_eq!(cell[0] >> (8 * bytes), 0, "no byte past the cell");
                }
            }
        }
    }
}
