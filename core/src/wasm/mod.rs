//! What each numeric wasm operator computes, written once: plain functions on wasm's value
//! types, named after the operator (`i32.div_s` is [`i32_div_s`]). The interpreter's
//! handlers are built from them (its instruction table names one per instruction),
//! constant expressions are evaluated with them, and the tests use them as the oracle the
//! tiers are checked against. The JIT lowers each operator to Cranelift instead, beside the
//! same table.
//!
//! Conventions, so that a tier can use these without conversions of its own:
//! - integers are `i32`/`i64` whatever the signedness the operator reads them with (the
//!   unsigned operators reinterpret inside);
//! - comparisons and tests return `bool` (a wasm `i32` 0 or 1);
//! - operators that can trap return `Result<_, TrapCode>` with the trap the spec names;
//! - floats are Rust floats, whose `+`, `-`, `*`, `/`, `sqrt` and conversions are IEEE 754's
//!   with round-to-nearest-even, as wasm's; NaN results are whatever NaN the hardware gives
//!   (wasm allows any arithmetic NaN), and sign operations keep payloads exactly.

pub mod atomic;
mod float;
pub mod simd;

pub use float::{
    f32_abs, f32_ceil, f32_copysign, f32_floor, f32_max, f32_min, f32_nearest, f32_neg, f32_sqrt,
    f32_trunc, f64_abs, f64_ceil, f64_copysign, f64_floor, f64_max, f64_min, f64_nearest, f64_neg,
    f64_sqrt, f64_trunc,
};

use crate::TrapCode;

macro_rules! integer_ops {
    ($($t:ident / $u:ident / $bits:literal: $add:ident $sub:ident $mul:ident $div_s:ident
        $div_u:ident $rem_s:ident $rem_u:ident $and:ident $or:ident $xor:ident $shl:ident
        $shr_s:ident $shr_u:ident $rotl:ident $rotr:ident $eq:ident $ne:ident $lt_s:ident
        $lt_u:ident $gt_s:ident $gt_u:ident $le_s:ident $le_u:ident $ge_s:ident $ge_u:ident
        $clz:ident $ctz:ident $popcnt:ident $eqz:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($add), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $add(a: $t, b: $t) -> $t { a.wrapping_add(b) }
        #[doc = concat!("Wasm's `", stringify!($sub), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $sub(a: $t, b: $t) -> $t { a.wrapping_sub(b) }
        #[doc = concat!("Wasm's `", stringify!($mul), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $mul(a: $t, b: $t) -> $t { a.wrapping_mul(b) }
        /// Traps on a zero divisor, and on the one quotient that overflows (`MIN / -1`).
        #[inline]
        pub fn $div_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                a.checked_div(b).ok_or(TrapCode::IntegerOverflow)
            }
        }
        #[doc = concat!("Wasm's `", stringify!($div_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $div_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            (a as $u).checked_div(b as $u).map(|q| q as $t).ok_or(TrapCode::IntegerDivisionByZero)
        }
        /// `MIN % -1` is 0, not a trap.
        #[inline]
        pub fn $rem_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        #[doc = concat!("Wasm's `", stringify!($rem_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $rem_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            (a as $u).checked_rem(b as $u).map(|r| r as $t).ok_or(TrapCode::IntegerDivisionByZero)
        }
        #[doc = concat!("Wasm's `", stringify!($and), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $and(a: $t, b: $t) -> $t { a & b }
        #[doc = concat!("Wasm's `", stringify!($or), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $or(a: $t, b: $t) -> $t { a | b }
        #[doc = concat!("Wasm's `", stringify!($xor), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $xor(a: $t, b: $t) -> $t { a ^ b }
        /// Shift counts are taken modulo the width, as `wrapping_shl` does.
        #[inline]
        pub fn $shl(a: $t, b: $t) -> $t { a.wrapping_shl(b as u32) }
        #[doc = concat!("Wasm's `", stringify!($shr_s), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $shr_s(a: $t, b: $t) -> $t { a.wrapping_shr(b as u32) }
        #[doc = concat!("Wasm's `", stringify!($shr_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $shr_u(a: $t, b: $t) -> $t { (a as $u).wrapping_shr(b as u32) as $t }
        #[doc = concat!("Wasm's `", stringify!($rotl), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $rotl(a: $t, b: $t) -> $t { (a as $u).rotate_left((b as u32) & ($bits - 1)) as $t }
        #[doc = concat!("Wasm's `", stringify!($rotr), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $rotr(a: $t, b: $t) -> $t { (a as $u).rotate_right((b as u32) & ($bits - 1)) as $t }
        #[doc = concat!("Wasm's `", stringify!($eq), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $eq(a: $t, b: $t) -> bool { a == b }
        #[doc = concat!("Wasm's `", stringify!($ne), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ne(a: $t, b: $t) -> bool { a != b }
        #[doc = concat!("Wasm's `", stringify!($lt_s), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $lt_s(a: $t, b: $t) -> bool { a < b }
        #[doc = concat!("Wasm's `", stringify!($lt_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $lt_u(a: $t, b: $t) -> bool { (a as $u) < (b as $u) }
        #[doc = concat!("Wasm's `", stringify!($gt_s), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $gt_s(a: $t, b: $t) -> bool { a > b }
        #[doc = concat!("Wasm's `", stringify!($gt_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $gt_u(a: $t, b: $t) -> bool { (a as $u) > (b as $u) }
        #[doc = concat!("Wasm's `", stringify!($le_s), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $le_s(a: $t, b: $t) -> bool { a <= b }
        #[doc = concat!("Wasm's `", stringify!($le_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $le_u(a: $t, b: $t) -> bool { (a as $u) <= (b as $u) }
        #[doc = concat!("Wasm's `", stringify!($ge_s), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ge_s(a: $t, b: $t) -> bool { a >= b }
        #[doc = concat!("Wasm's `", stringify!($ge_u), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ge_u(a: $t, b: $t) -> bool { (a as $u) >= (b as $u) }
        #[doc = concat!("Wasm's `", stringify!($clz), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $clz(a: $t) -> $t { a.leading_zeros() as $t }
        #[doc = concat!("Wasm's `", stringify!($ctz), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ctz(a: $t) -> $t { a.trailing_zeros() as $t }
        #[doc = concat!("Wasm's `", stringify!($popcnt), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $popcnt(a: $t) -> $t { a.count_ones() as $t }
        #[doc = concat!("Wasm's `", stringify!($eqz), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $eqz(a: $t) -> bool { a == 0 }
    )*};
}

integer_ops! {
    i32 / u32 / 32: i32_add i32_sub i32_mul i32_div_s i32_div_u i32_rem_s i32_rem_u i32_and
        i32_or i32_xor i32_shl i32_shr_s i32_shr_u i32_rotl i32_rotr i32_eq i32_ne i32_lt_s
        i32_lt_u i32_gt_s i32_gt_u i32_le_s i32_le_u i32_ge_s i32_ge_u i32_clz i32_ctz
        i32_popcnt i32_eqz;
    i64 / u64 / 64: i64_add i64_sub i64_mul i64_div_s i64_div_u i64_rem_s i64_rem_u i64_and
        i64_or i64_xor i64_shl i64_shr_s i64_shr_u i64_rotl i64_rotr i64_eq i64_ne i64_lt_s
        i64_lt_u i64_gt_s i64_gt_u i64_le_s i64_le_u i64_ge_s i64_ge_u i64_clz i64_ctz
        i64_popcnt i64_eqz;
}

macro_rules! float_ops {
    ($($t:ident: $add:ident $sub:ident $mul:ident $div:ident $eq:ident $ne:ident $lt:ident
        $gt:ident $le:ident $ge:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($add), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $add(a: $t, b: $t) -> $t { a + b }
        #[doc = concat!("Wasm's `", stringify!($sub), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $sub(a: $t, b: $t) -> $t { a - b }
        #[doc = concat!("Wasm's `", stringify!($mul), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $mul(a: $t, b: $t) -> $t { a * b }
        #[doc = concat!("Wasm's `", stringify!($div), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $div(a: $t, b: $t) -> $t { a / b }
        /// Comparisons are false when either operand is NaN (`ne`: true).
        #[inline]
        pub fn $eq(a: $t, b: $t) -> bool { a == b }
        #[doc = concat!("Wasm's `", stringify!($ne), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ne(a: $t, b: $t) -> bool { a != b }
        #[doc = concat!("Wasm's `", stringify!($lt), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $lt(a: $t, b: $t) -> bool { a < b }
        #[doc = concat!("Wasm's `", stringify!($gt), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $gt(a: $t, b: $t) -> bool { a > b }
        #[doc = concat!("Wasm's `", stringify!($le), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $le(a: $t, b: $t) -> bool { a <= b }
        #[doc = concat!("Wasm's `", stringify!($ge), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ge(a: $t, b: $t) -> bool { a >= b }
    )*};
}

float_ops! {
    f32: f32_add f32_sub f32_mul f32_div f32_eq f32_ne f32_lt f32_gt f32_le f32_ge;
    f64: f64_add f64_sub f64_mul f64_div f64_eq f64_ne f64_lt f64_gt f64_le f64_ge;
}

// Conversions. Rust's `as` from an integer to a float rounds to nearest-even, as wasm's
// `convert`; from a float to an integer it saturates and maps NaN to 0: exactly
// `trunc_sat`. The trapping truncations check the range first (`float`).

macro_rules! conversions {
    ($($name:ident($x:ident: $from:ty) -> $to:ty { $e:expr })*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $name($x: $from) -> $to { $e }
    )*};
}

conversions! {
    i32_wrap_i64(x: i64) -> i32 { x as i32 }
    i64_extend_i32_s(x: i32) -> i64 { i64::from(x) }
    i64_extend_i32_u(x: i32) -> i64 { i64::from(x as u32) }
    i32_extend8_s(x: i32) -> i32 { i32::from(x as i8) }
    i32_extend16_s(x: i32) -> i32 { i32::from(x as i16) }
    i64_extend8_s(x: i64) -> i64 { i64::from(x as i8) }
    i64_extend16_s(x: i64) -> i64 { i64::from(x as i16) }
    i64_extend32_s(x: i64) -> i64 { i64::from(x as i32) }
    f32_convert_i32_s(x: i32) -> f32 { x as f32 }
    f32_convert_i32_u(x: i32) -> f32 { x as u32 as f32 }
    f32_convert_i64_s(x: i64) -> f32 { x as f32 }
    f32_convert_i64_u(x: i64) -> f32 { x as u64 as f32 }
    f32_demote_f64(x: f64) -> f32 { x as f32 }
    f64_convert_i32_s(x: i32) -> f64 { f64::from(x) }
    f64_convert_i32_u(x: i32) -> f64 { f64::from(x as u32) }
    f64_convert_i64_s(x: i64) -> f64 { x as f64 }
    f64_convert_i64_u(x: i64) -> f64 { x as u64 as f64 }
    f64_promote_f32(x: f32) -> f64 { f64::from(x) }
    i32_reinterpret_f32(x: f32) -> i32 { x.to_bits() as i32 }
    i64_reinterpret_f64(x: f64) -> i64 { x.to_bits() as i64 }
    f32_reinterpret_i32(x: i32) -> f32 { f32::from_bits(x as u32) }
    f64_reinterpret_i64(x: i64) -> f64 { f64::from_bits(x as u64) }
    i32_trunc_sat_f32_s(x: f32) -> i32 { x as i32 }
    i32_trunc_sat_f32_u(x: f32) -> i32 { x as u32 as i32 }
    i32_trunc_sat_f64_s(x: f64) -> i32 { x as i32 }
    i32_trunc_sat_f64_u(x: f64) -> i32 { x as u32 as i32 }
    i64_trunc_sat_f32_s(x: f32) -> i64 { x as i64 }
    i64_trunc_sat_f32_u(x: f32) -> i64 { x as u64 as i64 }
    i64_trunc_sat_f64_s(x: f64) -> i64 { x as i64 }
    i64_trunc_sat_f64_u(x: f64) -> i64 { x as u64 as i64 }
    i32_trunc_f32_s(x: f32) -> Result<i32, TrapCode> { float::i32_trunc_f32(x) }
    i32_trunc_f32_u(x: f32) -> Result<i32, TrapCode> { float::u32_trunc_f32(x).map(|v| v as i32) }
    i32_trunc_f64_s(x: f64) -> Result<i32, TrapCode> { float::i32_trunc_f64(x) }
    i32_trunc_f64_u(x: f64) -> Result<i32, TrapCode> { float::u32_trunc_f64(x).map(|v| v as i32) }
    i64_trunc_f32_s(x: f32) -> Result<i64, TrapCode> { float::i64_trunc_f32(x) }
    i64_trunc_f32_u(x: f32) -> Result<i64, TrapCode> { float::u64_trunc_f32(x).map(|v| v as i64) }
    i64_trunc_f64_s(x: f64) -> Result<i64, TrapCode> { float::i64_trunc_f64(x) }
    i64_trunc_f64_u(x: f64) -> Result<i64, TrapCode> { float::u64_trunc_f64(x).map(|v| v as i64) }
}

/// The wide-arithmetic proposal's operators: 128-bit integers as two `i64` halves, low half
/// first (the order of their operands and results on the wasm stack).
///
/// Wasm's `i64.add128`: `(a_lo, a_hi) + (b_lo, b_hi)` modulo 2^128.
#[inline]
pub fn i64_add128(a_lo: i64, a_hi: i64, b_lo: i64, b_hi: i64) -> (i64, i64) {
    split128(join128(a_lo, a_hi).wrapping_add(join128(b_lo, b_hi)))
}

/// Wasm's `i64.sub128`: `(a_lo, a_hi) - (b_lo, b_hi)` modulo 2^128.
#[inline]
pub fn i64_sub128(a_lo: i64, a_hi: i64, b_lo: i64, b_hi: i64) -> (i64, i64) {
    split128(join128(a_lo, a_hi).wrapping_sub(join128(b_lo, b_hi)))
}

/// Wasm's `i64.mul_wide_s`: the full 128-bit product of two signed `i64`s.
#[inline]
pub fn i64_mul_wide_s(a: i64, b: i64) -> (i64, i64) {
    split128((i128::from(a) * i128::from(b)) as u128)
}

/// Wasm's `i64.mul_wide_u`: the full 128-bit product of two unsigned `i64`s.
#[inline]
pub fn i64_mul_wide_u(a: i64, b: i64) -> (i64, i64) {
    split128(u128::from(a as u64) * u128::from(b as u64))
}

#[inline]
fn join128(lo: i64, hi: i64) -> u128 {
    (u128::from(hi as u64) << 64) | u128::from(lo as u64)
}

#[inline]
fn split128(v: u128) -> (i64, i64) {
    (v as u64 as i64, (v >> 64) as u64 as i64)
}

/// `ref.is_null` on a raw reference (0 is null; see `value.rs`).
#[inline]
pub fn ref_is_null(r: u64) -> bool {
    r == 0
}

/// How a value of each type the functions above take or return sits in a raw 64-bit slot
/// (`value.rs`: 32-bit values in the low half, floats as bits, `bool` as 0 or 1), so that
/// tests can call them on raw values, as the tiers hold them.
pub trait Raw: Sized {
    /// The value in slot `raw` (the upper half ignored for 32-bit types).
    fn from_raw(raw: u64) -> Self;
    /// The slot holding the value (32-bit values zero-extended).
    fn to_raw(self) -> u64;
}

macro_rules! raw {
    ($($t:ty: |$r:ident| $from:expr, |$v:ident| $to:expr;)*) => {$(
        impl Raw for $t {
            #[inline]
            fn from_raw($r: u64) -> Self { $from }
            #[inline]
            fn to_raw(self) -> u64 { let $v = self; $to }
        }
    )*};
}

raw! {
    i32: |r| r as u32 as i32, |v| u64::from(v as u32);
    i64: |r| r as i64, |v| v as u64;
    f32: |r| f32::from_bits(r as u32), |v| u64::from(v.to_bits());
    f64: |r| f64::from_bits(r), |v| v.to_bits();
    u64: |r| r, |v| v;
    bool: |r| r != 0, |v| u64::from(v);
}

/// A function's result as a raw slot, or its trap.
pub trait RawOutcome {
    /// See the trait.
    fn into_raw(self) -> Result<u64, TrapCode>;
}

macro_rules! raw_outcomes {
    ($($t:ty)*) => {$(
        impl RawOutcome for $t {
            #[inline]
            fn into_raw(self) -> Result<u64, TrapCode> {
                Ok(self.to_raw())
            }
        }
        impl RawOutcome for Result<$t, TrapCode> {
            #[inline]
            fn into_raw(self) -> Result<u64, TrapCode> {
                self.map(Raw::to_raw)
            }
        }
    )*};
}

raw_outcomes!(i32 i64 f32 f64 u64 bool);
