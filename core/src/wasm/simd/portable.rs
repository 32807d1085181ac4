//! The definitions: each operator as plain, portable Rust on lane arrays (see the parent
//! module's docs for the conventions and rules).

use super::super::{
    f32_abs, f32_ceil, f32_convert_i32_s, f32_convert_i32_u, f32_demote_f64, f32_floor, f32_max,
    f32_min, f32_nearest, f32_neg, f32_sqrt, f32_trunc, f64_abs, f64_ceil, f64_convert_i32_s,
    f64_convert_i32_u, f64_floor, f64_max, f64_min, f64_nearest, f64_neg, f64_promote_f32,
    f64_sqrt, f64_trunc, i32_trunc_sat_f32_s, i32_trunc_sat_f32_u, i32_trunc_sat_f64_s,
    i32_trunc_sat_f64_u,
};

// ---------------------------------------------------------------------------------------
// Lanes.

/// A lane type: its width and its bits.
trait Lane: Copy {
    const BITS: u32;
    /// The lane held in the low bits of `x` (the rest ignored).
    fn from_low(x: u128) -> Self;
    /// The lane's bits, zero-extended.
    fn bits(self) -> u128;
}

macro_rules! lanes {
    ($($t:ty: $bits:literal, |$x:ident| $from:expr, |$v:ident| $to:expr;)*) => {$(
        impl Lane for $t {
            const BITS: u32 = $bits;
            #[inline(always)]
            fn from_low($x: u128) -> Self { $from }
            #[inline(always)]
            fn bits(self) -> u128 { let $v = self; $to }
        }
    )*};
}

lanes! {
    i8: 8, |x| x as i8, |v| u128::from(v as u8);
    u8: 8, |x| x as u8, |v| u128::from(v);
    i16: 16, |x| x as i16, |v| u128::from(v as u16);
    u16: 16, |x| x as u16, |v| u128::from(v);
    i32: 32, |x| x as i32, |v| u128::from(v as u32);
    u32: 32, |x| x as u32, |v| u128::from(v);
    i64: 64, |x| x as i64, |v| u128::from(v as u64);
    u64: 64, |x| x as u64, |v| u128::from(v);
    f32: 32, |x| f32::from_bits(x as u32), |v| u128::from(v.to_bits());
    f64: 64, |x| f64::from_bits(x as u64), |v| u128::from(v.to_bits());
}

/// The lanes of `v` (`N * T::BITS` is 128 at every use; wrapping shifts so that nothing
/// could panic if it were not).
#[inline(always)]
fn unpack<T: Lane, const N: usize>(v: u128) -> [T; N] {
    core::array::from_fn(|i| T::from_low(v.wrapping_shr((i as u32).wrapping_mul(T::BITS))))
}

/// The `v128` holding `lanes`.
#[inline(always)]
fn pack<T: Lane, const N: usize>(lanes: [T; N]) -> u128 {
    let mut v = 0u128;
    let mut shift = 0u32;
    for lane in lanes {
        v |= lane.bits().wrapping_shl(shift);
        shift = shift.wrapping_add(T::BITS);
    }
    v
}

/// A comparison's lane: all ones or all zeros.
#[inline(always)]
fn mask<T: Lane>(c: bool) -> T {
    T::from_low(if c { u128::MAX } else { 0 })
}

// ---------------------------------------------------------------------------------------
// Families of lane-wise operators.

/// Lane-wise binary operators: `name: [lane; count] |a, b| result lane;`.
macro_rules! binary {
    ($($name:ident: [$t:ty; $n:literal] |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`), lane by lane.")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            let a: [$t; $n] = unpack(a);
            let b: [$t; $n] = unpack(b);
            let r: [$t; $n] = core::array::from_fn(|i| {
                let ($a, $b) = (a[i], b[i]);
                $e
            });
            pack(r)
        }
    )*};
}

/// Lane-wise unary operators: `name: [lane; count] |x| result lane;`.
macro_rules! unary {
    ($($name:ident: [$t:ty; $n:literal] |$x:ident| $e:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`), lane by lane.")]
        #[inline]
        pub fn $name(v: u128) -> u128 {
            let v: [$t; $n] = unpack(v);
            let r: [$t; $n] = v.map(|$x| $e);
            pack(r)
        }
    )*};
}

/// Lane-wise comparisons: `name: [lane; count] -> mask lane |a, b| condition;`.
macro_rules! compare {
    ($($name:ident: [$t:ty; $n:literal] -> $m:ty |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`): lanes of all ones where it holds, all zeros where not.")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            let a: [$t; $n] = unpack(a);
            let b: [$t; $n] = unpack(b);
            let r: [$m; $n] = core::array::from_fn(|i| {
                let ($a, $b) = (a[i], b[i]);
                mask($e)
            });
            pack(r)
        }
    )*};
}

/// Shifts: `name: [lane; count] |x, count| result lane;` (the count modulo the lane width).
macro_rules! shift {
    ($($name:ident: [$t:ty; $n:literal] |$x:ident, $c:ident| $e:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`), the count taken modulo the lane width.")]
        #[inline]
        pub fn $name(v: u128, count: i32) -> u128 {
            let $c = (count as u32) & (<$t as Lane>::BITS - 1);
            let v: [$t; $n] = unpack(v);
            let r: [$t; $n] = v.map(|$x| $e);
            pack(r)
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// Integer arithmetic.

/// `x` saturated to `i8`.
#[inline(always)]
fn sat_i8(x: i16) -> i8 {
    x.clamp(i16::from(i8::MIN), i16::from(i8::MAX)) as i8
}
/// `x` saturated to `u8`.
#[inline(always)]
fn sat_u8(x: i16) -> u8 {
    x.clamp(0, i16::from(u8::MAX)) as u8
}
/// `x` saturated to `i16`.
#[inline(always)]
fn sat_i16(x: i32) -> i16 {
    x.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}
/// `x` saturated to `u16`.
#[inline(always)]
fn sat_u16(x: i32) -> u16 {
    x.clamp(0, i32::from(u16::MAX)) as u16
}
/// Q15 rounding multiplication, saturated (`0x8000 * 0x8000` is `0x7fff`).
#[inline(always)]
fn q15mulr_sat(a: i16, b: i16) -> i16 {
    // |a*b| <= 2^30, so adding 2^14 cannot overflow.
    sat_i16((i32::from(a) * i32::from(b) + 0x4000) >> 15)
}

binary! {
    i8x16_add: [i8; 16] |a, b| a.wrapping_add(b);
    i8x16_add_sat_s: [i8; 16] |a, b| a.saturating_add(b);
    i8x16_add_sat_u: [u8; 16] |a, b| a.saturating_add(b);
    i8x16_sub: [i8; 16] |a, b| a.wrapping_sub(b);
    i8x16_sub_sat_s: [i8; 16] |a, b| a.saturating_sub(b);
    i8x16_sub_sat_u: [u8; 16] |a, b| a.saturating_sub(b);
    i8x16_min_s: [i8; 16] |a, b| a.min(b);
    i8x16_min_u: [u8; 16] |a, b| a.min(b);
    i8x16_max_s: [i8; 16] |a, b| a.max(b);
    i8x16_max_u: [u8; 16] |a, b| a.max(b);
    i8x16_avgr_u: [u8; 16] |a, b| ((u16::from(a) + u16::from(b) + 1) >> 1) as u8;

    i16x8_add: [i16; 8] |a, b| a.wrapping_add(b);
    i16x8_add_sat_s: [i16; 8] |a, b| a.saturating_add(b);
    i16x8_add_sat_u: [u16; 8] |a, b| a.saturating_add(b);
    i16x8_sub: [i16; 8] |a, b| a.wrapping_sub(b);
    i16x8_sub_sat_s: [i16; 8] |a, b| a.saturating_sub(b);
    i16x8_sub_sat_u: [u16; 8] |a, b| a.saturating_sub(b);
    i16x8_mul: [i16; 8] |a, b| a.wrapping_mul(b);
    i16x8_min_s: [i16; 8] |a, b| a.min(b);
    i16x8_min_u: [u16; 8] |a, b| a.min(b);
    i16x8_max_s: [i16; 8] |a, b| a.max(b);
    i16x8_max_u: [u16; 8] |a, b| a.max(b);
    i16x8_avgr_u: [u16; 8] |a, b| ((u32::from(a) + u32::from(b) + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s: [i16; 8] |a, b| q15mulr_sat(a, b);

    i32x4_add: [i32; 4] |a, b| a.wrapping_add(b);
    i32x4_sub: [i32; 4] |a, b| a.wrapping_sub(b);
    i32x4_mul: [i32; 4] |a, b| a.wrapping_mul(b);
    i32x4_min_s: [i32; 4] |a, b| a.min(b);
    i32x4_min_u: [u32; 4] |a, b| a.min(b);
    i32x4_max_s: [i32; 4] |a, b| a.max(b);
    i32x4_max_u: [u32; 4] |a, b| a.max(b);

    i64x2_add: [i64; 2] |a, b| a.wrapping_add(b);
    i64x2_sub: [i64; 2] |a, b| a.wrapping_sub(b);
    i64x2_mul: [i64; 2] |a, b| a.wrapping_mul(b);
}

unary! {
    i8x16_abs: [i8; 16] |x| x.wrapping_abs();
    i8x16_neg: [i8; 16] |x| x.wrapping_neg();
    i8x16_popcnt: [u8; 16] |x| x.count_ones() as u8;
    i16x8_abs: [i16; 8] |x| x.wrapping_abs();
    i16x8_neg: [i16; 8] |x| x.wrapping_neg();
    i32x4_abs: [i32; 4] |x| x.wrapping_abs();
    i32x4_neg: [i32; 4] |x| x.wrapping_neg();
    i64x2_abs: [i64; 2] |x| x.wrapping_abs();
    i64x2_neg: [i64; 2] |x| x.wrapping_neg();
}

shift! {
    i8x16_shl: [i8; 16] |x, c| x.wrapping_shl(c);
    i8x16_shr_s: [i8; 16] |x, c| x.wrapping_shr(c);
    i8x16_shr_u: [u8; 16] |x, c| x.wrapping_shr(c);
    i16x8_shl: [i16; 8] |x, c| x.wrapping_shl(c);
    i16x8_shr_s: [i16; 8] |x, c| x.wrapping_shr(c);
    i16x8_shr_u: [u16; 8] |x, c| x.wrapping_shr(c);
    i32x4_shl: [i32; 4] |x, c| x.wrapping_shl(c);
    i32x4_shr_s: [i32; 4] |x, c| x.wrapping_shr(c);
    i32x4_shr_u: [u32; 4] |x, c| x.wrapping_shr(c);
    i64x2_shl: [i64; 2] |x, c| x.wrapping_shl(c);
    i64x2_shr_s: [i64; 2] |x, c| x.wrapping_shr(c);
    i64x2_shr_u: [u64; 2] |x, c| x.wrapping_shr(c);
}

// ---------------------------------------------------------------------------------------
// Comparisons.

compare! {
    i8x16_eq: [i8; 16] -> u8 |a, b| a == b;
    i8x16_ne: [i8; 16] -> u8 |a, b| a != b;
    i8x16_lt_s: [i8; 16] -> u8 |a, b| a < b;
    i8x16_lt_u: [u8; 16] -> u8 |a, b| a < b;
    i8x16_gt_s: [i8; 16] -> u8 |a, b| a > b;
    i8x16_gt_u: [u8; 16] -> u8 |a, b| a > b;
    i8x16_le_s: [i8; 16] -> u8 |a, b| a <= b;
    i8x16_le_u: [u8; 16] -> u8 |a, b| a <= b;
    i8x16_ge_s: [i8; 16] -> u8 |a, b| a >= b;
    i8x16_ge_u: [u8; 16] -> u8 |a, b| a >= b;

    i16x8_eq: [i16; 8] -> u16 |a, b| a == b;
    i16x8_ne: [i16; 8] -> u16 |a, b| a != b;
    i16x8_lt_s: [i16; 8] -> u16 |a, b| a < b;
    i16x8_lt_u: [u16; 8] -> u16 |a, b| a < b;
    i16x8_gt_s: [i16; 8] -> u16 |a, b| a > b;
    i16x8_gt_u: [u16; 8] -> u16 |a, b| a > b;
    i16x8_le_s: [i16; 8] -> u16 |a, b| a <= b;
    i16x8_le_u: [u16; 8] -> u16 |a, b| a <= b;
    i16x8_ge_s: [i16; 8] -> u16 |a, b| a >= b;
    i16x8_ge_u: [u16; 8] -> u16 |a, b| a >= b;

    i32x4_eq: [i32; 4] -> u32 |a, b| a == b;
    i32x4_ne: [i32; 4] -> u32 |a, b| a != b;
    i32x4_lt_s: [i32; 4] -> u32 |a, b| a < b;
    i32x4_lt_u: [u32; 4] -> u32 |a, b| a < b;
    i32x4_gt_s: [i32; 4] -> u32 |a, b| a > b;
    i32x4_gt_u: [u32; 4] -> u32 |a, b| a > b;
    i32x4_le_s: [i32; 4] -> u32 |a, b| a <= b;
    i32x4_le_u: [u32; 4] -> u32 |a, b| a <= b;
    i32x4_ge_s: [i32; 4] -> u32 |a, b| a >= b;
    i32x4_ge_u: [u32; 4] -> u32 |a, b| a >= b;

    i64x2_eq: [i64; 2] -> u64 |a, b| a == b;
    i64x2_ne: [i64; 2] -> u64 |a, b| a != b;
    i64x2_lt_s: [i64; 2] -> u64 |a, b| a < b;
    i64x2_gt_s: [i64; 2] -> u64 |a, b| a > b;
    i64x2_le_s: [i64; 2] -> u64 |a, b| a <= b;
    i64x2_ge_s: [i64; 2] -> u64 |a, b| a >= b;

    f32x4_eq: [f32; 4] -> u32 |a, b| a == b;
    f32x4_ne: [f32; 4] -> u32 |a, b| a != b;
    f32x4_lt: [f32; 4] -> u32 |a, b| a < b;
    f32x4_gt: [f32; 4] -> u32 |a, b| a > b;
    f32x4_le: [f32; 4] -> u32 |a, b| a <= b;
    f32x4_ge: [f32; 4] -> u32 |a, b| a >= b;

    f64x2_eq: [f64; 2] -> u64 |a, b| a == b;
    f64x2_ne: [f64; 2] -> u64 |a, b| a != b;
    f64x2_lt: [f64; 2] -> u64 |a, b| a < b;
    f64x2_gt: [f64; 2] -> u64 |a, b| a > b;
    f64x2_le: [f64; 2] -> u64 |a, b| a <= b;
    f64x2_ge: [f64; 2] -> u64 |a, b| a >= b;
}

// ---------------------------------------------------------------------------------------
// Floating point.

binary! {
    f32x4_add: [f32; 4] |a, b| canon_f32(a + b);
    f32x4_sub: [f32; 4] |a, b| canon_f32(a - b);
    f32x4_mul: [f32; 4] |a, b| canon_f32(a * b);
    f32x4_div: [f32; 4] |a, b| canon_f32(a / b);
    f32x4_min: [f32; 4] |a, b| canon_f32(f32_min(a, b));
    f32x4_max: [f32; 4] |a, b| canon_f32(f32_max(a, b));
    f32x4_pmin: [f32; 4] |a, b| if b < a { b } else { a };
    f32x4_pmax: [f32; 4] |a, b| if a < b { b } else { a };

    f64x2_add: [f64; 2] |a, b| canon_f64(a + b);
    f64x2_sub: [f64; 2] |a, b| canon_f64(a - b);
    f64x2_mul: [f64; 2] |a, b| canon_f64(a * b);
    f64x2_div: [f64; 2] |a, b| canon_f64(a / b);
    f64x2_min: [f64; 2] |a, b| canon_f64(f64_min(a, b));
    f64x2_max: [f64; 2] |a, b| canon_f64(f64_max(a, b));
    f64x2_pmin: [f64; 2] |a, b| if b < a { b } else { a };
    f64x2_pmax: [f64; 2] |a, b| if a < b { b } else { a };
}

unary! {
    f32x4_abs: [f32; 4] |x| f32_abs(x);
    f32x4_neg: [f32; 4] |x| f32_neg(x);
    f32x4_sqrt: [f32; 4] |x| canon_f32(f32_sqrt(x));
    f32x4_ceil: [f32; 4] |x| canon_f32(f32_ceil(x));
    f32x4_floor: [f32; 4] |x| canon_f32(f32_floor(x));
    f32x4_trunc: [f32; 4] |x| canon_f32(f32_trunc(x));
    f32x4_nearest: [f32; 4] |x| canon_f32(f32_nearest(x));

    f64x2_abs: [f64; 2] |x| f64_abs(x);
    f64x2_neg: [f64; 2] |x| f64_neg(x);
    f64x2_sqrt: [f64; 2] |x| canon_f64(f64_sqrt(x));
    f64x2_ceil: [f64; 2] |x| canon_f64(f64_ceil(x));
    f64x2_floor: [f64; 2] |x| canon_f64(f64_floor(x));
    f64x2_trunc: [f64; 2] |x| canon_f64(f64_trunc(x));
    f64x2_nearest: [f64; 2] |x| canon_f64(f64_nearest(x));
}

// ---------------------------------------------------------------------------------------
// Operators that change the shape: defined one by one, from lane arrays.

macro_rules! reshape {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: [$t:ty; $n:literal]),*) -> [$r:ty; $m:literal] |$i:ident| $e:expr;)*) => {$(
        $(#[doc = $doc])*
        #[inline]
        pub fn $name($($arg: u128),*) -> u128 {
            $(let $arg: [$t; $n] = unpack($arg);)*
            let r: [$r; $m] = core::array::from_fn(|$i| $e);
            pack(r)
        }
    )*};
}

/// Element `i` of `a` then `b` as one array of twice the lanes: `a[i]` below `N`, `b[i - N]`
/// from there. Written with `get` so that nothing can panic.
#[inline(always)]
fn of_both<T: Copy + Default, const N: usize>(a: &[T; N], b: &[T; N], i: usize) -> T {
    if i < N {
        a.get(i).copied().unwrap_or_default()
    } else {
        b.get(i.wrapping_sub(N)).copied().unwrap_or_default()
    }
}

/// Element `i` of `a`, or the default if out of range (never a panic).
#[inline(always)]
fn at<T: Copy + Default, const N: usize>(a: &[T; N], i: usize) -> T {
    a.get(i).copied().unwrap_or_default()
}

reshape! {
    /// Wasm's `i8x16.narrow_i16x8_s`: `a`'s lanes then `b`'s, each saturated to `i8`.
    i8x16_narrow_i16x8_s(a: [i16; 8], b: [i16; 8]) -> [i8; 16] |i| sat_i8(of_both(&a, &b, i));
    /// Wasm's `i8x16.narrow_i16x8_u`: `a`'s (signed) lanes then `b`'s, each saturated to `u8`.
    i8x16_narrow_i16x8_u(a: [i16; 8], b: [i16; 8]) -> [u8; 16] |i| sat_u8(of_both(&a, &b, i));
    /// Wasm's `i16x8.narrow_i32x4_s`: `a`'s lanes then `b`'s, each saturated to `i16`.
    i16x8_narrow_i32x4_s(a: [i32; 4], b: [i32; 4]) -> [i16; 8] |i| sat_i16(of_both(&a, &b, i));
    /// Wasm's `i16x8.narrow_i32x4_u`: `a`'s (signed) lanes then `b`'s, each saturated to `u16`.
    i16x8_narrow_i32x4_u(a: [i32; 4], b: [i32; 4]) -> [u16; 8] |i| sat_u16(of_both(&a, &b, i));

    /// Wasm's `i16x8.extend_low_i8x16_s`.
    i16x8_extend_low_i8x16_s(v: [i8; 16]) -> [i16; 8] |i| i16::from(at(&v, i));
    /// Wasm's `i16x8.extend_high_i8x16_s`.
    i16x8_extend_high_i8x16_s(v: [i8; 16]) -> [i16; 8] |i| i16::from(at(&v, i + 8));
    /// Wasm's `i16x8.extend_low_i8x16_u`.
    i16x8_extend_low_i8x16_u(v: [u8; 16]) -> [u16; 8] |i| u16::from(at(&v, i));
    /// Wasm's `i16x8.extend_high_i8x16_u`.
    i16x8_extend_high_i8x16_u(v: [u8; 16]) -> [u16; 8] |i| u16::from(at(&v, i + 8));
    /// Wasm's `i32x4.extend_low_i16x8_s`.
    i32x4_extend_low_i16x8_s(v: [i16; 8]) -> [i32; 4] |i| i32::from(at(&v, i));
    /// Wasm's `i32x4.extend_high_i16x8_s`.
    i32x4_extend_high_i16x8_s(v: [i16; 8]) -> [i32; 4] |i| i32::from(at(&v, i + 4));
    /// Wasm's `i32x4.extend_low_i16x8_u`.
    i32x4_extend_low_i16x8_u(v: [u16; 8]) -> [u32; 4] |i| u32::from(at(&v, i));
    /// Wasm's `i32x4.extend_high_i16x8_u`.
    i32x4_extend_high_i16x8_u(v: [u16; 8]) -> [u32; 4] |i| u32::from(at(&v, i + 4));
    /// Wasm's `i64x2.extend_low_i32x4_s`.
    i64x2_extend_low_i32x4_s(v: [i32; 4]) -> [i64; 2] |i| i64::from(at(&v, i));
    /// Wasm's `i64x2.extend_high_i32x4_s`.
    i64x2_extend_high_i32x4_s(v: [i32; 4]) -> [i64; 2] |i| i64::from(at(&v, i + 2));
    /// Wasm's `i64x2.extend_low_i32x4_u`.
    i64x2_extend_low_i32x4_u(v: [u32; 4]) -> [u64; 2] |i| u64::from(at(&v, i));
    /// Wasm's `i64x2.extend_high_i32x4_u`.
    i64x2_extend_high_i32x4_u(v: [u32; 4]) -> [u64; 2] |i| u64::from(at(&v, i + 2));

    /// Wasm's `i16x8.extadd_pairwise_i8x16_s`: lane `i` is `v[2i] + v[2i+1]`.
    i16x8_extadd_pairwise_i8x16_s(v: [i8; 16]) -> [i16; 8] |i|
        i16::from(at(&v, 2 * i)) + i16::from(at(&v, 2 * i + 1));
    /// Wasm's `i16x8.extadd_pairwise_i8x16_u`: lane `i` is `v[2i] + v[2i+1]`.
    i16x8_extadd_pairwise_i8x16_u(v: [u8; 16]) -> [u16; 8] |i|
        u16::from(at(&v, 2 * i)) + u16::from(at(&v, 2 * i + 1));
    /// Wasm's `i32x4.extadd_pairwise_i16x8_s`: lane `i` is `v[2i] + v[2i+1]`.
    i32x4_extadd_pairwise_i16x8_s(v: [i16; 8]) -> [i32; 4] |i|
        i32::from(at(&v, 2 * i)) + i32::from(at(&v, 2 * i + 1));
    /// Wasm's `i32x4.extadd_pairwise_i16x8_u`: lane `i` is `v[2i] + v[2i+1]`.
    i32x4_extadd_pairwise_i16x8_u(v: [u16; 8]) -> [u32; 4] |i|
        u32::from(at(&v, 2 * i)) + u32::from(at(&v, 2 * i + 1));

    /// Wasm's `i16x8.extmul_low_i8x16_s`: the low lanes, widened, multiplied.
    i16x8_extmul_low_i8x16_s(a: [i8; 16], b: [i8; 16]) -> [i16; 8] |i|
        i16::from(at(&a, i)) * i16::from(at(&b, i));
    /// Wasm's `i16x8.extmul_high_i8x16_s`: the high lanes, widened, multiplied.
    i16x8_extmul_high_i8x16_s(a: [i8; 16], b: [i8; 16]) -> [i16; 8] |i|
        i16::from(at(&a, i + 8)) * i16::from(at(&b, i + 8));
    /// Wasm's `i16x8.extmul_low_i8x16_u`: the low lanes, widened, multiplied.
    i16x8_extmul_low_i8x16_u(a: [u8; 16], b: [u8; 16]) -> [u16; 8] |i|
        u16::from(at(&a, i)) * u16::from(at(&b, i));
    /// Wasm's `i16x8.extmul_high_i8x16_u`: the high lanes, widened, multiplied.
    i16x8_extmul_high_i8x16_u(a: [u8; 16], b: [u8; 16]) -> [u16; 8] |i|
        u16::from(at(&a, i + 8)) * u16::from(at(&b, i + 8));
    /// Wasm's `i32x4.extmul_low_i16x8_s`: the low lanes, widened, multiplied.
    i32x4_extmul_low_i16x8_s(a: [i16; 8], b: [i16; 8]) -> [i32; 4] |i|
        i32::from(at(&a, i)) * i32::from(at(&b, i));
    /// Wasm's `i32x4.extmul_high_i16x8_s`: the high lanes, widened, multiplied.
    i32x4_extmul_high_i16x8_s(a: [i16; 8], b: [i16; 8]) -> [i32; 4] |i|
        i32::from(at(&a, i + 4)) * i32::from(at(&b, i + 4));
    /// Wasm's `i32x4.extmul_low_i16x8_u`: the low lanes, widened, multiplied.
    i32x4_extmul_low_i16x8_u(a: [u16; 8], b: [u16; 8]) -> [u32; 4] |i|
        u32::from(at(&a, i)) * u32::from(at(&b, i));
    /// Wasm's `i32x4.extmul_high_i16x8_u`: the high lanes, widened, multiplied.
    i32x4_extmul_high_i16x8_u(a: [u16; 8], b: [u16; 8]) -> [u32; 4] |i|
        u32::from(at(&a, i + 4)) * u32::from(at(&b, i + 4));
    /// Wasm's `i64x2.extmul_low_i32x4_s`: the low lanes, widened, multiplied.
    i64x2_extmul_low_i32x4_s(a: [i32; 4], b: [i32; 4]) -> [i64; 2] |i|
        i64::from(at(&a, i)) * i64::from(at(&b, i));
    /// Wasm's `i64x2.extmul_high_i32x4_s`: the high lanes, widened, multiplied.
    i64x2_extmul_high_i32x4_s(a: [i32; 4], b: [i32; 4]) -> [i64; 2] |i|
        i64::from(at(&a, i + 2)) * i64::from(at(&b, i + 2));
    /// Wasm's `i64x2.extmul_low_i32x4_u`: the low lanes, widened, multiplied.
    i64x2_extmul_low_i32x4_u(a: [u32; 4], b: [u32; 4]) -> [u64; 2] |i|
        u64::from(at(&a, i)) * u64::from(at(&b, i));
    /// Wasm's `i64x2.extmul_high_i32x4_u`: the high lanes, widened, multiplied.
    i64x2_extmul_high_i32x4_u(a: [u32; 4], b: [u32; 4]) -> [u64; 2] |i|
        u64::from(at(&a, i + 2)) * u64::from(at(&b, i + 2));

    /// Wasm's `i32x4.dot_i16x8_s`: lane `i` is `a[2i]*b[2i] + a[2i+1]*b[2i+1]`, wrapping
    /// (only `-32768` squared twice overflows, to `i32::MIN`).
    i32x4_dot_i16x8_s(a: [i16; 8], b: [i16; 8]) -> [i32; 4] |i|
        (i32::from(at(&a, 2 * i)) * i32::from(at(&b, 2 * i)))
            .wrapping_add(i32::from(at(&a, 2 * i + 1)) * i32::from(at(&b, 2 * i + 1)));

    /// Wasm's `i32x4.trunc_sat_f32x4_s`: NaN to 0, saturating.
    i32x4_trunc_sat_f32x4_s(v: [f32; 4]) -> [i32; 4] |i| i32_trunc_sat_f32_s(at(&v, i));
    /// Wasm's `i32x4.trunc_sat_f32x4_u`: NaN to 0, saturating.
    i32x4_trunc_sat_f32x4_u(v: [f32; 4]) -> [i32; 4] |i| i32_trunc_sat_f32_u(at(&v, i));
    /// Wasm's `i32x4.trunc_sat_f64x2_s_zero`: NaN to 0, saturating; the upper lanes 0.
    i32x4_trunc_sat_f64x2_s_zero(v: [f64; 2]) -> [i32; 4] |i|
        if i < 2 { i32_trunc_sat_f64_s(at(&v, i)) } else { 0 };
    /// Wasm's `i32x4.trunc_sat_f64x2_u_zero`: NaN to 0, saturating; the upper lanes 0.
    i32x4_trunc_sat_f64x2_u_zero(v: [f64; 2]) -> [i32; 4] |i|
        if i < 2 { i32_trunc_sat_f64_u(at(&v, i)) } else { 0 };
    /// Wasm's `f32x4.convert_i32x4_s` (rounding to nearest, ties to even).
    f32x4_convert_i32x4_s(v: [i32; 4]) -> [f32; 4] |i| f32_convert_i32_s(at(&v, i));
    /// Wasm's `f32x4.convert_i32x4_u` (rounding to nearest, ties to even).
    f32x4_convert_i32x4_u(v: [i32; 4]) -> [f32; 4] |i| f32_convert_i32_u(at(&v, i));
    /// Wasm's `f64x2.convert_low_i32x4_s` (exact).
    f64x2_convert_low_i32x4_s(v: [i32; 4]) -> [f64; 2] |i| f64_convert_i32_s(at(&v, i));
    /// Wasm's `f64x2.convert_low_i32x4_u` (exact).
    f64x2_convert_low_i32x4_u(v: [i32; 4]) -> [f64; 2] |i| f64_convert_i32_u(at(&v, i));
    /// Wasm's `f32x4.demote_f64x2_zero`: the two lanes rounded, the upper lanes +0.
    f32x4_demote_f64x2_zero(v: [f64; 2]) -> [f32; 4] |i|
        if i < 2 { canon_f32(f32_demote_f64(at(&v, i))) } else { 0.0 };
    /// Wasm's `f64x2.promote_low_f32x4` (exact).
    f64x2_promote_low_f32x4(v: [f32; 4]) -> [f64; 2] |i| canon_f64(f64_promote_f32(at(&v, i)));

    /// Wasm's `i8x16.swizzle`: lane `i` is `a[b[i]]`, or 0 where `b[i]` is 16 or more.
    i8x16_swizzle(a: [u8; 16], b: [u8; 16]) -> [u8; 16] |i| at(&a, usize::from(at(&b, i)));
}

// ---------------------------------------------------------------------------------------
// Bitwise operators and tests.

/// Wasm's `v128.not`.
#[inline]
pub fn v128_not(v: u128) -> u128 {
    !v
}
/// Wasm's `v128.and`.
#[inline]
pub fn v128_and(a: u128, b: u128) -> u128 {
    a & b
}
/// Wasm's `v128.andnot`: `a & !b`.
#[inline]
pub fn v128_andnot(a: u128, b: u128) -> u128 {
    a & !b
}
/// Wasm's `v128.or`.
#[inline]
pub fn v128_or(a: u128, b: u128) -> u128 {
    a | b
}
/// Wasm's `v128.xor`.
#[inline]
pub fn v128_xor(a: u128, b: u128) -> u128 {
    a ^ b
}
/// Wasm's `v128.bitselect`: the bits of `v1` where `c`'s are set, of `v2` where not.
#[inline]
pub fn v128_bitselect(v1: u128, v2: u128, c: u128) -> u128 {
    (v1 & c) | (v2 & !c)
}
/// Wasm's `v128.any_true`: 1 if any bit is set.
#[inline]
pub fn v128_any_true(v: u128) -> i32 {
    i32::from(v != 0)
}

/// `all_true` and `bitmask` for each integer shape.
macro_rules! lane_tests {
    ($($all_true:ident $bitmask:ident: [$t:ty; $n:literal];)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($all_true), "` (the operator this is named after, `_` for its `.`): 1 if no lane is zero.")]
        #[inline]
        pub fn $all_true(v: u128) -> i32 {
            let v: [$t; $n] = unpack(v);
            i32::from(v.iter().all(|&x| x != 0))
        }
        #[doc = concat!("Wasm's `", stringify!($bitmask), "` (the operator this is named after, `_` for its `.`): bit `i` is lane `i`'s sign bit.")]
        #[inline]
        pub fn $bitmask(v: u128) -> i32 {
            let v: [$t; $n] = unpack(v);
            v.iter()
                .enumerate()
                .fold(0, |m, (i, &x)| m | (i32::from(x < 0) << i))
        }
    )*};
}

lane_tests! {
    i8x16_all_true i8x16_bitmask: [i8; 16];
    i16x8_all_true i16x8_bitmask: [i16; 8];
    i32x4_all_true i32x4_bitmask: [i32; 4];
    i64x2_all_true i64x2_bitmask: [i64; 2];
}

// ---------------------------------------------------------------------------------------
// Lanes in and out: splat, extract_lane, replace_lane, shuffle, the widening loads.

macro_rules! lane_access {
    ($($t:ty, $n:literal, $x:ty: $splat:ident $replace:ident $(($extract:ident -> $r:ty, $via:ty))*;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($splat), "` (the operator this is named after, `_` for its `.`): every lane `x`", " (its low bits for the narrow shapes).")]
        #[inline]
        pub fn $splat(x: $x) -> u128 {
            pack([x as $t; $n])
        }
        #[doc = concat!("Wasm's `", stringify!($replace), "` (the operator this is named after, `_` for its `.`): lane `lane` (masked to the lane count) replaced by `x`", " (its low bits for the narrow shapes).")]
        #[inline]
        pub fn $replace(v: u128, lane: u8, x: $x) -> u128 {
            let shift = u32::from(lane & ($n - 1)) * <$t as Lane>::BITS;
            let ones = u128::MAX >> (128 - <$t as Lane>::BITS);
            (v & !(ones << shift)) | ((x as $t).bits() << shift)
        }
        $(
            #[doc = concat!("Wasm's `", stringify!($extract), "` (the operator this is named after, `_` for its `.`): lane `lane` (masked to the lane count).")]
            #[inline]
            pub fn $extract(v: u128, lane: u8) -> $r {
                let shift = u32::from(lane & ($n - 1)) * <$t as Lane>::BITS;
                <$via as Lane>::from_low(v >> shift) as $r
            }
        )*
    )*};
}

lane_access! {
    i8, 16, i32: i8x16_splat i8x16_replace_lane
        (i8x16_extract_lane_s -> i32, i8) (i8x16_extract_lane_u -> i32, u8);
    i16, 8, i32: i16x8_splat i16x8_replace_lane
        (i16x8_extract_lane_s -> i32, i16) (i16x8_extract_lane_u -> i32, u16);
    i32, 4, i32: i32x4_splat i32x4_replace_lane (i32x4_extract_lane -> i32, i32);
    i64, 2, i64: i64x2_splat i64x2_replace_lane (i64x2_extract_lane -> i64, i64);
    f32, 4, f32: f32x4_splat f32x4_replace_lane (f32x4_extract_lane -> f32, f32);
    f64, 2, f64: f64x2_splat f64x2_replace_lane (f64x2_extract_lane -> f64, f64);
}

/// Wasm's `i8x16.shuffle`: lane `i` is byte `lanes[i] & 31` of `a` then `b` (the 16 bytes
/// of `lanes` are the immediate, each below 32 after validation).
#[inline]
pub fn i8x16_shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    let a: [u8; 16] = unpack(a);
    let b: [u8; 16] = unpack(b);
    let lanes: [u8; 16] = unpack(lanes);
    pack(lanes.map(|l| of_both(&a, &b, usize::from(l & 31))))
}

/// The widening loads: the 8 bytes loaded, little-endian, widened as the `extend_low` of
/// the same shape.
macro_rules! widening_loads {
    ($($name:ident = $extend:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`) on the 8 bytes loaded (`x`, little-endian): `", stringify!($extend), "` of them.")]
        #[inline]
        pub fn $name(x: u64) -> u128 {
            $extend(u128::from(x))
        }
    )*};
}

widening_loads! {
    v128_load8x8_s = i16x8_extend_low_i8x16_s;
    v128_load8x8_u = i16x8_extend_low_i8x16_u;
    v128_load16x4_s = i32x4_extend_low_i16x8_s;
    v128_load16x4_u = i32x4_extend_low_i16x8_u;
    v128_load32x2_s = i64x2_extend_low_i32x4_s;
    v128_load32x2_u = i64x2_extend_low_i32x4_u;
}

/// Wasm's `v128.load32_zero` on the 4 bytes loaded: lane 0 of an `i32x4`, the rest 0.
#[inline]
pub fn v128_load32_zero(x: u32) -> u128 {
    u128::from(x)
}
/// Wasm's `v128.load64_zero` on the 8 bytes loaded: lane 0 of an `i64x2`, the rest 0.
#[inline]
pub fn v128_load64_zero(x: u64) -> u128 {
    u128::from(x)
}

// ---------------------------------------------------------------------------------------
// Relaxed SIMD, deterministic (see the module's documentation).

/// Fused multiply-add, one rounding: the standard library's (a hardware instruction where
/// there is one) with `std`, the libm crate's without; both are correctly rounded, so the
/// same.
macro_rules! fma {
    ($($name:ident: $t:ty => $libm:path;)*) => {$(
        #[inline(always)]
        fn $name(a: $t, b: $t, c: $t) -> $t {
            #[cfg(feature = "std")]
            {
                a.mul_add(b, c)
            }
            #[cfg(not(feature = "std"))]
            {
                $libm(a, b, c)
            }
        }
    )*};
}

fma! {
    fma_f32: f32 => libm::fmaf;
    fma_f64: f64 => libm::fma;
}

/// Wasm's `i8x16.relaxed_swizzle`: `i8x16.swizzle` (an index of 16 or more gives 0).
#[inline]
pub fn i8x16_relaxed_swizzle(a: u128, b: u128) -> u128 {
    i8x16_swizzle(a, b)
}
/// Wasm's `i32x4.relaxed_trunc_f32x4_s`: `i32x4.trunc_sat_f32x4_s`.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_s(v: u128) -> u128 {
    i32x4_trunc_sat_f32x4_s(v)
}
/// Wasm's `i32x4.relaxed_trunc_f32x4_u`: `i32x4.trunc_sat_f32x4_u`.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_u(v: u128) -> u128 {
    i32x4_trunc_sat_f32x4_u(v)
}
/// Wasm's `i32x4.relaxed_trunc_f64x2_s_zero`: `i32x4.trunc_sat_f64x2_s_zero`.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_s_zero(v: u128) -> u128 {
    i32x4_trunc_sat_f64x2_s_zero(v)
}
/// Wasm's `i32x4.relaxed_trunc_f64x2_u_zero`: `i32x4.trunc_sat_f64x2_u_zero`.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_u_zero(v: u128) -> u128 {
    i32x4_trunc_sat_f64x2_u_zero(v)
}

reshape! {
    /// Wasm's `f32x4.relaxed_madd`: `a * b + c` per lane, fused (one rounding).
    f32x4_relaxed_madd(a: [f32; 4], b: [f32; 4], c: [f32; 4]) -> [f32; 4] |i|
        canon_f32(fma_f32(at(&a, i), at(&b, i), at(&c, i)));
    /// Wasm's `f32x4.relaxed_nmadd`: `-a * b + c` per lane, fused (one rounding).
    f32x4_relaxed_nmadd(a: [f32; 4], b: [f32; 4], c: [f32; 4]) -> [f32; 4] |i|
        canon_f32(fma_f32(-at(&a, i), at(&b, i), at(&c, i)));
    /// Wasm's `f64x2.relaxed_madd`: `a * b + c` per lane, fused (one rounding).
    f64x2_relaxed_madd(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> [f64; 2] |i|
        canon_f64(fma_f64(at(&a, i), at(&b, i), at(&c, i)));
    /// Wasm's `f64x2.relaxed_nmadd`: `-a * b + c` per lane, fused (one rounding).
    f64x2_relaxed_nmadd(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> [f64; 2] |i|
        canon_f64(fma_f64(-at(&a, i), at(&b, i), at(&c, i)));

    /// Wasm's `i16x8.relaxed_dot_i8x16_i7x16_s`: both operands signed, lane `i` is
    /// `a[2i]*b[2i] + a[2i+1]*b[2i+1]`, wrapping in `i16`.
    i16x8_relaxed_dot_i8x16_i7x16_s(a: [i8; 16], b: [i8; 16]) -> [i16; 8] |i|
        dot_i8_pair(&a, &b, i);
}

/// `a[2i]*b[2i] + a[2i+1]*b[2i+1]`, each product an `i16` (it fits), the sum wrapping.
#[inline(always)]
fn dot_i8_pair(a: &[i8; 16], b: &[i8; 16], i: usize) -> i16 {
    let (j, k) = (2 * i, 2 * i + 1);
    (i16::from(at(a, j)) * i16::from(at(b, j)))
        .wrapping_add(i16::from(at(a, k)) * i16::from(at(b, k)))
}

/// Wasm's `i32x4.relaxed_dot_i8x16_i7x16_add_s`: lane `j` is the exact sum of the four
/// signed products `a[4j+k] * b[4j+k]` plus `c[j]`, wrapping in `i32` (as Wasmtime's
/// deterministic lowering: products widened to `i32` before they are added).
#[inline]
pub fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    let (a, b): ([i8; 16], [i8; 16]) = (unpack(a), unpack(b));
    let c: [i32; 4] = unpack(c);
    let r: [i32; 4] = core::array::from_fn(|j| {
        let product = |k: usize| i32::from(at(&a, 4 * j + k)) * i32::from(at(&b, 4 * j + k));
        (product(0) + product(1) + product(2) + product(3)).wrapping_add(at(&c, j))
    });
    pack(r)
}

/// The canonical NaN for a NaN lane (see the module docs), the lane itself otherwise.
#[inline(always)]
fn canon_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(0x7fc0_0000)
    } else {
        x
    }
}

/// `canon_f32` for `f64` lanes.
#[inline(always)]
fn canon_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        x
    }
}

/// Relaxed lane selects: `v128.bitselect`, whatever the shape.
macro_rules! laneselect {
    ($($name:ident)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`): `v128.bitselect(a, b, mask)`.")]
        #[inline]
        pub fn $name(a: u128, b: u128, mask: u128) -> u128 {
            v128_bitselect(a, b, mask)
        }
    )*};
}

laneselect!(i8x16_relaxed_laneselect i16x8_relaxed_laneselect i32x4_relaxed_laneselect i64x2_relaxed_laneselect);

/// Wasm's `f32x4.relaxed_min`: `f32x4.min`.
#[inline]
pub fn f32x4_relaxed_min(a: u128, b: u128) -> u128 {
    f32x4_min(a, b)
}
/// Wasm's `f32x4.relaxed_max`: `f32x4.max`.
#[inline]
pub fn f32x4_relaxed_max(a: u128, b: u128) -> u128 {
    f32x4_max(a, b)
}
/// Wasm's `f64x2.relaxed_min`: `f64x2.min`.
#[inline]
pub fn f64x2_relaxed_min(a: u128, b: u128) -> u128 {
    f64x2_min(a, b)
}
/// Wasm's `f64x2.relaxed_max`: `f64x2.max`.
#[inline]
pub fn f64x2_relaxed_max(a: u128, b: u128) -> u128 {
    f64x2_max(a, b)
}
/// Wasm's `i16x8.relaxed_q15mulr_s`: `i16x8.q15mulr_sat_s`.
#[inline]
pub fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 {
    i16x8_q15mulr_sat_s(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i8s(v: [i8; 16]) -> u128 {
        pack(v)
    }
    fn u8s(v: [u8; 16]) -> u128 {
        pack(v)
    }
    fn i16s(v: [i16; 8]) -> u128 {
        pack(v)
    }
    fn i32s(v: [i32; 4]) -> u128 {
        pack(v)
    }
    fn f32s(v: [f32; 4]) -> u128 {
        pack(v)
    }
    fn f64s(v: [f64; 2]) -> u128 {
        pack(v)
    }

    #[test]
    fn layout_is_little_endian() {
        let v = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100_u128;
        assert_eq!(unpack::<u8, 16>(v), core::array::from_fn(|i| i as u8));
        assert_eq!(unpack::<u16, 8>(v)[1], 0x0302);
        assert_eq!(i8x16_extract_lane_u(v, 15), 15);
        assert_eq!(i16x8_extract_lane_u(v, 7), 0x0f0e);
        assert_eq!(i32x4_extract_lane(v, 1), 0x0706_0504);
        assert_eq!(i64x2_extract_lane(v, 1), 0x0f0e_0d0c_0b0a_0908);
        assert_eq!(pack(unpack::<i32, 4>(v)), v);
        assert_eq!(pack(unpack::<f64, 2>(v)), v);
    }

    #[test]
    fn lanes_in_and_out() {
        assert_eq!(i8x16_splat(0x1ff), u128::from_le_bytes([0xff; 16]));
        assert_eq!(i16x8_splat(-2), i16s([-2; 8]));
        assert_eq!(f64x2_splat(1.5), f64s([1.5, 1.5]));
        let v = i8s([-1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -128]);
        assert_eq!(i8x16_extract_lane_s(v, 0), -1);
        assert_eq!(i8x16_extract_lane_u(v, 0), 255);
        assert_eq!(i8x16_extract_lane_s(v, 15), -128);
        // Out-of-range lanes are masked, never a panic.
        assert_eq!(i8x16_extract_lane_s(v, 16), -1);
        assert_eq!(i16x8_extract_lane_s(i16s([0, -5, 0, 0, 0, 0, 0, 0]), 1), -5);
        assert_eq!(
            i16x8_extract_lane_u(i16s([0, -5, 0, 0, 0, 0, 0, 0]), 9),
            65531
        );
        let r = i8x16_replace_lane(v, 3, 0x1_80);
        assert_eq!(i8x16_extract_lane_s(r, 3), -128);
        assert_eq!(r & !(0xff << 24), v & !(0xff << 24));
        let f = f32x4_replace_lane(f32s([1.0; 4]), 2, -0.0);
        assert_eq!(f32x4_extract_lane(f, 2).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32x4_extract_lane(f, 3), 1.0);
        assert_eq!(i64x2_replace_lane(0, 1, -1), u128::from(u64::MAX) << 64);
        assert_eq!(f64x2_extract_lane(f64x2_replace_lane(0, 0, 2.5), 0), 2.5);
    }

    #[test]
    fn narrow_saturates() {
        let a = i16s([-129, -128, 127, 128, 0, 300, -300, 1]);
        let b = i16s([i16::MIN, i16::MAX, 255, 256, -1, 2, 3, 4]);
        assert_eq!(
            i8x16_narrow_i16x8_s(a, b),
            i8s([-128, -128, 127, 127, 0, 127, -128, 1, -128, 127, 127, 127, -1, 2, 3, 4])
        );
        assert_eq!(
            i8x16_narrow_i16x8_u(a, b),
            u8s([0, 0, 127, 128, 0, 255, 0, 1, 0, 255, 255, 255, 0, 2, 3, 4])
        );
        let a = i32s([70000, -70000, 65535, -1]);
        let b = i32s([32768, -32769, 1, 0]);
        assert_eq!(
            i16x8_narrow_i32x4_s(a, b),
            i16s([32767, -32768, 32767, -1, 32767, -32768, 1, 0])
        );
        assert_eq!(
            i16x8_narrow_i32x4_u(a, b),
            pack::<u16, 8>([65535, 0, 65535, 0, 32768, 0, 1, 0])
        );
    }

    #[test]
    fn q15mulr_sat() {
        let a = i16s([i16::MIN, i16::MIN, 0x4000, -0x4000, 1, i16::MAX, 0x2000, 3]);
        let b = i16s([
            i16::MIN,
            i16::MAX,
            0x4000,
            0x4000,
            0x4000,
            i16::MAX,
            -1,
            -0x4000,
        ]);
        let expected = i16s([0x7fff, -0x7fff, 0x2000, -0x2000, 1, 0x7ffe, 0, -1]);
        assert_eq!(i16x8_q15mulr_sat_s(a, b), expected);
        assert_eq!(i16x8_relaxed_q15mulr_s(a, b), expected);
    }

    #[test]
    fn dot_and_extmul() {
        let a = i16s([1, 2, 3, 4, i16::MIN, i16::MIN, -1, 5]);
        let b = i16s([5, 6, -7, 8, i16::MIN, i16::MIN, 3, 7]);
        // -32768² * 2 = 2^31 wraps.
        assert_eq!(i32x4_dot_i16x8_s(a, b), i32s([17, 11, i32::MIN, 32]));
        let a = i8s([-128, 2, 3, 4, 5, 6, 7, 8, -1, 0, 0, 0, 0, 0, 0, 127]);
        let b = i8s([-128, 3, 3, 4, 5, 6, 7, 8, 2, 0, 0, 0, 0, 0, 0, 127]);
        assert_eq!(
            i16x8_extmul_low_i8x16_s(a, b),
            i16s([16384, 6, 9, 16, 25, 36, 49, 64])
        );
        assert_eq!(
            i16x8_extmul_high_i8x16_s(a, b),
            i16s([-2, 0, 0, 0, 0, 0, 0, 16129])
        );
        assert_eq!(
            i16x8_extmul_high_i8x16_u(a, b),
            pack::<u16, 8>([255 * 2, 0, 0, 0, 0, 0, 0, 16129])
        );
        assert_eq!(
            i16x8_extmul_low_i8x16_u(u8s([255; 16]), u8s([255; 16])),
            pack::<u16, 8>([65025; 8])
        );
        assert_eq!(
            i64x2_extmul_high_i32x4_u(i32s([0, 0, -1, 2]), i32s([0, 0, -1, 3])),
            pack::<u64, 2>([0xffff_fffe_0000_0001, 6])
        );
        assert_eq!(
            i64x2_extmul_low_i32x4_s(i32s([i32::MIN, -1, 0, 0]), i32s([i32::MIN, 3, 0, 0])),
            pack::<i64, 2>([1 << 62, -3])
        );
        assert_eq!(
            i32x4_extadd_pairwise_i16x8_s(i16s([i16::MIN, i16::MIN, 1, 2, -1, -1, 3, 4])),
            i32s([-65536, 3, -2, 7])
        );
        assert_eq!(
            i16x8_extadd_pairwise_i8x16_u(u8s([255; 16])),
            pack::<u16, 8>([510; 8])
        );
    }

    #[test]
    fn relaxed_dot_wraps_in_i16_and_adds_exactly_in_i32() {
        let mut a = [0i8; 16];
        let mut b = [0i8; 16];
        (a[0], a[1], b[0], b[1]) = (-128, -128, -128, -128);
        (a[2], a[3], b[2], b[3]) = (-128, -128, -127, -127);
        (a[4], a[5], b[4], b[5]) = (127, 127, 127, 127);
        (a[6], b[6]) = (1, 2);
        let d = i16x8_relaxed_dot_i8x16_i7x16_s(i8s(a), i8s(b));
        assert_eq!(d, i16s([-32768, 32512, 32258, 2, 0, 0, 0, 0]));
        let r = i32x4_relaxed_dot_i8x16_i7x16_add_s(i8s(a), i8s(b), i32s([1, i32::MAX, 0, -1]));
        assert_eq!(
            r,
            i32s([
                // Exact in i32: 32768 + 32512 + 1, the first pair not wrapped.
                32768 + 32512 + 1,
                (32258 + 2 + i32::MAX as i64) as i32,
                0,
                -1
            ])
        );
        // The spec tests' values.
        let v = i8s(core::array::from_fn(|i| i as i8));
        assert_eq!(
            i16x8_relaxed_dot_i8x16_i7x16_s(v, v),
            i16s([1, 13, 41, 85, 145, 221, 313, 421])
        );
        assert_eq!(
            i32x4_relaxed_dot_i8x16_i7x16_add_s(v, v, i32s([0, 1, 2, 3])),
            i32s([14, 127, 368, 737])
        );
    }

    #[test]
    fn bitmask_and_tests() {
        let v = i8s([-1, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2]);
        assert_eq!(i8x16_bitmask(v), 0b1000_0000_0000_0101);
        assert_eq!(
            i16x8_bitmask(i16s([0, -1, 0, 0, 0, 0, 0, i16::MIN])),
            0b1000_0010
        );
        assert_eq!(i32x4_bitmask(i32s([-1, -1, 0, -5])), 0b1011);
        assert_eq!(i64x2_bitmask(pack::<i64, 2>([1, -1])), 0b10);
        assert_eq!(i8x16_all_true(v), 0);
        assert_eq!(i8x16_all_true(u8s([1; 16])), 1);
        assert_eq!(i16x8_all_true(u8s([1; 16])), 1);
        assert_eq!(
            i16x8_all_true(u128::from_le_bytes([
                1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0
            ])),
            0
        );
        assert_eq!(i64x2_all_true(1), 0);
        assert_eq!(i64x2_all_true(1 | 1 << 127), 1);
        assert_eq!(v128_any_true(0), 0);
        assert_eq!(v128_any_true(1 << 127), 1);
    }

    #[test]
    fn shuffle_and_swizzle() {
        let a = u8s(core::array::from_fn(|i| i as u8));
        let b = u8s(core::array::from_fn(|i| 100 + i as u8));
        let lanes = u8s([0, 31, 16, 15, 1, 17, 32, 63, 255, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(
            i8x16_shuffle(a, b, lanes),
            u8s([0, 115, 100, 15, 1, 101, 0, 115, 115, 2, 2, 2, 2, 2, 2, 2])
        );
        let idx = u8s([15, 0, 16, 255, 128, 1, 17, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let expected = u8s([15, 0, 0, 0, 0, 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(i8x16_swizzle(a, idx), expected);
        assert_eq!(i8x16_relaxed_swizzle(a, idx), expected);
    }

    #[test]
    fn trunc_sat() {
        let v = f32s([f32::NAN, 5e9, -3e9, -1.9]);
        assert_eq!(
            i32x4_trunc_sat_f32x4_s(v),
            i32s([0, i32::MAX, i32::MIN, -1])
        );
        assert_eq!(i32x4_trunc_sat_f32x4_u(v), i32s([0, -1, 0, 0]));
        assert_eq!(i32x4_relaxed_trunc_f32x4_u(v), i32s([0, -1, 0, 0]));
        let v = f64s([f64::NAN, -1e300]);
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(v), i32s([0, i32::MIN, 0, 0]));
        let v = f64s([4294967295.9, -0.9]);
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(v), i32s([-1, 0, 0, 0]));
        assert_eq!(i32x4_relaxed_trunc_f64x2_u_zero(v), i32s([-1, 0, 0, 0]));
        assert_eq!(
            i32x4_relaxed_trunc_f64x2_s_zero(f64s([2147483647.5, f64::INFINITY])),
            i32s([i32::MAX, i32::MAX, 0, 0])
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(
            f32x4_convert_i32x4_u(i32s([-1, 16777217, 0, 1])),
            f32s([4294967296.0, 16777216.0, 0.0, 1.0])
        );
        assert_eq!(
            f32x4_convert_i32x4_s(i32s([-1, 16777219, i32::MIN, 1])),
            f32s([-1.0, 16777220.0, -2147483648.0, 1.0])
        );
        assert_eq!(
            f64x2_convert_low_i32x4_u(i32s([-1, 2, 9, 9])),
            f64s([4294967295.0, 2.0])
        );
        assert_eq!(
            f64x2_convert_low_i32x4_s(i32s([-1, 2, 9, 9])),
            f64s([-1.0, 2.0])
        );
        assert_eq!(
            f32x4_demote_f64x2_zero(f64s([1e300, 0.1])),
            f32s([f32::INFINITY, 0.1, 0.0, 0.0])
        );
        assert_eq!(
            f64x2_promote_low_f32x4(f32s([0.1, -2.0, 7.0, 7.0])),
            f64s([f64::from(0.1f32), -2.0])
        );
        assert_eq!(
            v128_load8x8_s(0x80ff_0001),
            i16s([1, 0, -1, -128, 0, 0, 0, 0])
        );
        assert_eq!(
            v128_load8x8_u(0x80ff_0001),
            i16s([1, 0, 255, 128, 0, 0, 0, 0])
        );
        assert_eq!(v128_load16x4_s(0xffff_0000_8000), i32s([-32768, 0, -1, 0]));
        assert_eq!(
            v128_load32x2_u(0xffff_ffff),
            pack::<u64, 2>([u64::from(u32::MAX), 0])
        );
        assert_eq!(v128_load32x2_s(0xffff_ffff), pack::<i64, 2>([-1, 0]));
        assert_eq!(v128_load32_zero(7), 7);
        assert_eq!(v128_load64_zero(u64::MAX), u128::from(u64::MAX));
    }

    #[test]
    fn shifts_take_the_count_modulo_the_width() {
        let v = i8s([-128; 16]);
        assert_eq!(i8x16_shr_s(v, 9), i8s([-64; 16]));
        assert_eq!(i8x16_shr_u(v, 9), i8s([64; 16]));
        assert_eq!(i8x16_shl(i8s([1; 16]), -1), i8s([-128; 16]));
        assert_eq!(i16x8_shl(i16s([1; 8]), 16), i16s([1; 8]));
        assert_eq!(i16x8_shr_u(i16s([-1; 8]), 31), i16s([1; 8]));
        assert_eq!(i32x4_shr_s(i32s([i32::MIN; 4]), 63), i32s([-1; 4]));
        assert_eq!(i32x4_shl(i32s([3; 4]), 33), i32s([6; 4]));
        assert_eq!(
            i64x2_shr_u(pack::<i64, 2>([-1, 4]), 65),
            pack::<i64, 2>([i64::MAX, 2])
        );
        assert_eq!(
            i64x2_shl(pack::<i64, 2>([1, 1]), 64),
            pack::<i64, 2>([1, 1])
        );
    }

    #[test]
    fn integer_lanes() {
        assert_eq!(
            i8x16_popcnt(u8s([
                0, 1, 3, 255, 0x80, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7
            ])),
            u8s([0, 1, 2, 8, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3])
        );
        assert_eq!(i8x16_avgr_u(u8s([255; 16]), u8s([254; 16])), u8s([255; 16]));
        assert_eq!(i8x16_avgr_u(u8s([0; 16]), u8s([1; 16])), u8s([1; 16]));
        assert_eq!(
            i16x8_avgr_u(
                pack::<u16, 8>([65535, 0, 3, 4, 0, 0, 0, 0]),
                pack::<u16, 8>([65535, 1, 4, 4, 0, 0, 0, 0])
            ),
            pack::<u16, 8>([65535, 1, 4, 4, 0, 0, 0, 0])
        );
        assert_eq!(i8x16_abs(i8s([-128; 16])), i8s([-128; 16]));
        assert_eq!(i8x16_neg(i8s([-128; 16])), i8s([-128; 16]));
        assert_eq!(
            i8x16_add_sat_u(u8s([200; 16]), u8s([100; 16])),
            u8s([255; 16])
        );
        assert_eq!(
            i8x16_sub_sat_s(i8s([-100; 16]), i8s([100; 16])),
            i8s([-128; 16])
        );
        assert_eq!(i16x8_sub_sat_u(i16s([1; 8]), i16s([2; 8])), 0);
        assert_eq!(i8x16_min_u(i8s([-1; 16]), i8s([1; 16])), i8s([1; 16]));
        assert_eq!(i8x16_min_s(i8s([-1; 16]), i8s([1; 16])), i8s([-1; 16]));
        assert_eq!(
            i32x4_lt_u(i32s([-1, 0, 1, 2]), i32s([0, 1, 1, -1])),
            i32s([0, -1, 0, -1])
        );
        assert_eq!(
            i64x2_ge_s(pack::<i64, 2>([-1, 5]), pack::<i64, 2>([0, 5])),
            u128::from(u64::MAX) << 64
        );
        assert_eq!(
            i64x2_mul(pack::<i64, 2>([i64::MAX, 3]), pack::<i64, 2>([2, -3])),
            pack::<i64, 2>([-2, -9])
        );
        assert_eq!(v128_andnot(0b1100, 0b1010), 0b0100);
        assert_eq!(
            v128_bitselect(0xff00, 0x0ff0, 0xf0f0),
            0xf0f0 & 0xff00 | 0x0ff0 & !0xf0f0
        );
        assert_eq!(
            i16x8_relaxed_laneselect(0xff00, 0x0ff0, 0xf0f0),
            v128_bitselect(0xff00, 0x0ff0, 0xf0f0)
        );
    }

    #[test]
    fn float_lanes() {
        let nan = f32::NAN;
        let r: [f32; 4] = unpack(f32x4_nearest(f32s([2.5, -3.5, 0.5, -0.5])));
        assert_eq!(
            r.map(f32::to_bits),
            [2.0f32, -4.0, 0.0, -0.0].map(f32::to_bits)
        );
        let r: [f64; 2] = unpack(f64x2_nearest(f64s([4503599627370495.5, -2.5])));
        assert_eq!(r, [f64_nearest(4503599627370495.5), -2.0]);
        let r: [f32; 4] = unpack(f32x4_min(
            f32s([0.0, nan, 1.0, -1.0]),
            f32s([-0.0, 1.0, nan, 2.0]),
        ));
        assert_eq!(r[0].to_bits(), (-0.0f32).to_bits());
        assert!(r[1].is_nan() && r[2].is_nan());
        assert_eq!(r[3], -1.0);
        assert_eq!(
            f32x4_relaxed_min(f32s([0.0, nan, 1.0, -1.0]), f32s([-0.0, 1.0, nan, 2.0]))
                & 0xffff_ffff,
            0x8000_0000
        );
        // pmin/pmax return the first operand unless the comparison strictly holds.
        let r: [f32; 4] = unpack(f32x4_pmin(
            f32s([0.0, nan, 1.0, 3.0]),
            f32s([-0.0, 1.0, nan, 2.0]),
        ));
        assert_eq!(r[0].to_bits(), 0.0f32.to_bits());
        assert!(r[1].is_nan());
        assert_eq!((r[2], r[3]), (1.0, 2.0));
        let r: [f64; 2] = unpack(f64x2_pmax(f64s([-0.0, 1.0]), f64s([0.0, f64::NAN])));
        assert_eq!(r[0].to_bits(), (-0.0f64).to_bits());
        assert_eq!(r[1], 1.0);
        let r: [f64; 2] = unpack(f64x2_max(f64s([-0.0, 1.0]), f64s([0.0, 3.0])));
        assert_eq!(r[0].to_bits(), 0.0f64.to_bits());
        assert_eq!(r[1], 3.0);
        assert_eq!(
            f32x4_neg(f32s([nan; 4])),
            f32s([nan; 4]) ^ 0x8000_0000_8000_0000_8000_0000_8000_0000
        );
        assert_eq!(f64x2_abs(f64s([-1.0, -0.0])), f64s([1.0, 0.0]));
        assert_eq!(
            f32x4_sqrt(f32s([4.0, 2.0, 0.0, 1.0])),
            f32s([2.0, f32_sqrt(2.0), 0.0, 1.0])
        );
        assert_eq!(f64x2_ceil(f64s([-0.5, 1.1])), f64s([-0.0, 2.0]));
        assert_eq!(
            f32x4_floor(f32s([-0.5, 1.1, 0.0, 0.0])),
            f32s([-1.0, 1.0, 0.0, 0.0])
        );
        assert_eq!(
            f32x4_trunc(f32s([-1.5, 1.9, 0.0, 0.0])),
            f32s([-1.0, 1.0, 0.0, 0.0])
        );
        assert_eq!(
            f32x4_lt(f32s([1.0, nan, 2.0, 0.0]), f32s([2.0, 1.0, 1.0, -0.0])),
            0xffff_ffff
        );
        assert_eq!(
            f64x2_ne(f64s([f64::NAN, 1.0]), f64s([f64::NAN, 1.0])),
            u128::from(u64::MAX)
        );
        assert_eq!(
            f64x2_div(f64s([1.0, 1.0]), f64s([0.0, -0.0])),
            f64s([f64::INFINITY, f64::NEG_INFINITY])
        );
    }

    #[test]
    fn relaxed_madd_fuses() {
        // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 fused; 0 if rounded first.
        let e = f32::EPSILON;
        let r = f32x4_relaxed_madd(f32s([1.0 + e; 4]), f32s([1.0 - e; 4]), f32s([-1.0; 4]));
        assert_eq!(r, f32s([-e * e; 4]));
        let r = f32x4_relaxed_nmadd(f32s([1.0 + e; 4]), f32s([1.0 - e; 4]), f32s([1.0; 4]));
        assert_eq!(r, f32s([e * e; 4]));
        let e = f64::EPSILON;
        let r = f64x2_relaxed_madd(f64s([1.0 + e; 2]), f64s([1.0 - e; 2]), f64s([-1.0; 2]));
        assert_eq!(r, f64s([-e * e; 2]));
        let r = f64x2_relaxed_nmadd(f64s([2.0; 2]), f64s([3.0; 2]), f64s([1.0; 2]));
        assert_eq!(r, f64s([-5.0; 2]));
        assert_eq!(
            libm::fmaf(1.0 + f32::EPSILON, 1.0 - f32::EPSILON, -1.0),
            -f32::EPSILON * f32::EPSILON
        );
    }
}
