//! Float semantics the hardware operators don't give directly: IEEE 754-2019 `minimum` /
//! `maximum` as Wasm defines `min`/`max`, sign operations on bits (NaN payloads must pass
//! through untouched), round-half-to-even, and the checked float-to-int conversions.

use crate::TrapCode;

/// Wasm's `f32.min`: NaN if either is, and -0 below +0.
pub fn f32_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        // Adding propagates a (quieted) NaN, as the spec requires.
        return a + b;
    }
    if a == b {
        // -0 and +0 compare equal; the minimum is -0: OR the sign bits.
        return f32::from_bits(a.to_bits() | b.to_bits());
    }
    if a < b {
        a
    } else {
        b
    }
}

/// Wasm's `f32.max`: NaN if either is, and +0 above -0.
pub fn f32_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f32::from_bits(a.to_bits() & b.to_bits());
    }
    if a > b {
        a
    } else {
        b
    }
}

/// Wasm's `f64.min` (as `f32_min`).
pub fn f64_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f64::from_bits(a.to_bits() | b.to_bits());
    }
    if a < b {
        a
    } else {
        b
    }
}

/// Wasm's `f64.max` (as `f32_max`).
pub fn f64_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f64::from_bits(a.to_bits() & b.to_bits());
    }
    if a > b {
        a
    } else {
        b
    }
}

// Sign operations: Rust's `-x`, `abs` and `copysign` touch the sign bit only and keep NaN
// payloads exactly (RFC 3514), as Wasm requires; on floats, so that they stay in the float
// accumulators.
/// Wasm's `f32.abs`.
pub fn f32_abs(x: f32) -> f32 {
    x.abs()
}
/// Wasm's `f32.neg`.
pub fn f32_neg(x: f32) -> f32 {
    -x
}
/// Wasm's `f32.copysign`.
pub fn f32_copysign(a: f32, b: f32) -> f32 {
    a.copysign(b)
}
/// Wasm's `f64.abs`.
pub fn f64_abs(x: f64) -> f64 {
    x.abs()
}
/// Wasm's `f64.neg`.
pub fn f64_neg(x: f64) -> f64 {
    -x
}
/// Wasm's `f64.copysign`.
pub fn f64_copysign(a: f64, b: f64) -> f64 {
    a.copysign(b)
}

/// Square root, with a NaN input coming back quieted (Wasm requires an arithmetic NaN).
/// With `std`, the standard library's method (a hardware instruction on every target that
/// has one); without, [`soft_sqrt`]: `f32`'s through `f64`, which rounds correctly
/// (`f64` has more than twice `f32`'s precision plus two bits, so the double rounding
/// cannot err).
macro_rules! sqrt {
    ($($name:ident: $t:ty;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $name(x: $t) -> $t {
            if x.is_nan() {
                return x + x;
            }
            #[cfg(feature = "std")]
            {
                x.sqrt()
            }
            #[cfg(not(feature = "std"))]
            {
                soft_sqrt(f64::from(x)) as $t
            }
        }
    )*};
}

sqrt! {
    f32_sqrt: f32;
    f64_sqrt: f64;
}

/// The correctly rounded square root of a non-NaN `x`, by integer digit-by-digit
/// extraction: 53 steps of shifts, compares and subtractions. For targets without `std`,
/// where libm's faster routines cost 836 bytes of flash with their table on a Cortex-M4F
/// (which has no double-precision unit); this one, for both widths, about 420.
#[cfg_attr(feature = "std", allow(dead_code))]
fn soft_sqrt(x: f64) -> f64 {
    const FRACTION: u32 = 52;
    const BIAS: i32 = 1023;
    if x == 0.0 || x == f64::INFINITY {
        return x;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    let bits = x.to_bits();
    let fraction = bits & ((1 << FRACTION) - 1);
    // `x` as `m * 2^(e - 52)` with `m`'s leading one at bit 52, subnormals normalised.
    let (mut m, mut e) = match (bits >> FRACTION) as i32 {
        0 => {
            let shift = fraction.leading_zeros() - (63 - FRACTION);
            (fraction << shift, 1 - BIAS - shift as i32)
        }
        biased => (fraction | 1 << FRACTION, biased - BIAS),
    };
    // An even exponent halves exactly; `m` then lies in [2^52, 2^54).
    if e & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    // root = floor(sqrt(m * 2^52)), two bits of `m * 2^52` a step from the top; the
    // bits below `m`'s are zeros.
    let (mut root, mut rest) = (0u64, 0u64);
    for pair in (0..=FRACTION).rev() {
        let shift = 2 * pair;
        let next = match shift.checked_sub(FRACTION) {
            Some(s) => (m >> s) & 3,
            None => 0,
        };
        rest = rest << 2 | next;
        root <<= 1;
        let trial = root << 1 | 1;
        if rest >= trial {
            rest -= trial;
            root |= 1;
        }
    }
    // Round to nearest: the exact root is past root + 1/2 when the remainder exceeds root
    // (it is never exactly halfway). A carry into bit 53 moves the exponent, as it should.
    if rest > root {
        root += 1;
    }
    let exponent = ((e >> 1) + BIAS) as u64;
    f64::from_bits((exponent << FRACTION) + (root - (1 << FRACTION)))
}

/// Rounding to an integer, written out rather than called: baseline x86_64 has no rounding
/// instruction, so `f64::floor` and friends become calls into a software routine there
/// (compiler-builtins' libm), several times the cost of this. Below `$bound` (2^52 for f64,
/// 2^23 for f32) a value converts to an integer exactly, so truncation is two conversions
/// and the other modes adjust that by one; at or above it every float is already an
/// integer (or infinite). The sign is copied back so that zero results keep the input's
/// sign (`ceil(-0.5) == -0.0`), and a NaN comes back quieted. Nothing here depends on the
/// rounding mode or on excess precision.
macro_rules! rounding {
    ($($t:ident: $bound:expr, $trunc:ident, $floor:ident, $ceil:ident, $nearest:ident;)*) => {$(
        /// `x` truncated to an integer, if `|x|` is below the bound (so NaN is not).
        #[inline(always)]
        fn $trunc(x: $t) -> Option<$t> {
            if x.abs() < $bound {
                // SAFETY: |x| < bound, so x is finite and its integer part fits an i64.
                Some((unsafe { x.to_int_unchecked::<i64>() } as $t).copysign(x))
            } else {
                None
            }
        }

        /// Outside the bound: the value itself, or a NaN quieted.
        #[inline(always)]
        fn integral_or_nan(x: $t) -> $t {
            if x.is_nan() {
                x + x
            } else {
                x
            }
        }

        #[doc = concat!("Wasm's `", stringify!($floor), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $floor(x: $t) -> $t {
            match $trunc(x) {
                Some(t) if t > x => (t - 1.0).copysign(x),
                Some(t) => t,
                None => integral_or_nan(x),
            }
        }

        #[doc = concat!("Wasm's `", stringify!($ceil), "` (the operator this is named after, `_` for its `.`).")]
        #[inline]
        pub fn $ceil(x: $t) -> $t {
            match $trunc(x) {
                Some(t) if t < x => (t + 1.0).copysign(x),
                Some(t) => t,
                None => integral_or_nan(x),
            }
        }

        /// Round half to even.
        #[inline]
        pub fn $nearest(x: $t) -> $t {
            match $trunc(x) {
                Some(t) => {
                    // Exact: both are within one of each other, below the bound.
                    let frac = (x - t).abs();
                    // SAFETY: `t` is an integer below the bound.
                    let odd = unsafe { t.to_int_unchecked::<i64>() } & 1 != 0;
                    if frac > 0.5 || (frac == 0.5 && odd) {
                        (t + (1.0 as $t).copysign(x)).copysign(x)
                    } else {
                        t
                    }
                }
                None => integral_or_nan(x),
            }
        }
    )*};
}

mod f32_rounding {
    rounding! { f32: 8_388_608.0, trunc_below_bound, floor, ceil, nearest; }
    /// Wasm's `f32.trunc`.
    pub fn trunc(x: f32) -> f32 {
        trunc_below_bound(x).unwrap_or_else(|| integral_or_nan(x))
    }
}

mod f64_rounding {
    rounding! { f64: 4_503_599_627_370_496.0, trunc_below_bound, floor, ceil, nearest; }
    /// Wasm's `f64.trunc`.
    pub fn trunc(x: f64) -> f64 {
        trunc_below_bound(x).unwrap_or_else(|| integral_or_nan(x))
    }
}

pub use f32_rounding::trunc as f32_trunc;
pub use f32_rounding::{ceil as f32_ceil, floor as f32_floor, nearest as f32_nearest};
pub use f64_rounding::trunc as f64_trunc;
pub use f64_rounding::{ceil as f64_ceil, floor as f64_floor, nearest as f64_nearest};

/// Defines a checked truncation: valid inputs lie strictly between `lo` and `hi`, the
/// nearest values of the source type outside the target's range.
macro_rules! checked_trunc {
    ($($name:ident: $from:ty => $to:ty, $lo:expr, $hi:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (the operator this is named after, `_` for its `.`).")]
        pub fn $name(x: $from) -> Result<$to, TrapCode> {
            if x.is_nan() {
                Err(TrapCode::BadConversionToInteger)
            } else if x > $lo && x < $hi {
                Ok(x as $to)
            } else {
                Err(TrapCode::IntegerOverflow)
            }
        }
    )*};
}

checked_trunc! {
    i32_trunc_f32: f32 => i32, -2147483904.0, 2147483648.0;
    u32_trunc_f32: f32 => u32, -1.0, 4294967296.0;
    i32_trunc_f64: f64 => i32, -2147483649.0, 2147483648.0;
    u32_trunc_f64: f64 => u32, -1.0, 4294967296.0;
    i64_trunc_f32: f32 => i64, -9223373136366403584.0, 9223372036854775808.0;
    u64_trunc_f32: f32 => u64, -1.0, 18446744073709551616.0;
    i64_trunc_f64: f64 => i64, -9223372036854777856.0, 9223372036854775808.0;
    u64_trunc_f64: f64 => u64, -1.0, 18446744073709551616.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The firmware's square root rounds as the hardware's does: on every power of two's
    /// neighbours, subnormals, perfect squares and their neighbours, and a million
    /// scattered bit patterns of each width.
    #[cfg(feature = "std")]
    #[test]
    fn soft_sqrt_is_correctly_rounded() {
        extern crate std;
        let check64 = |x: f64| {
            if x.is_nan() {
                return;
            }
            let (mine, theirs) = (soft_sqrt(x), x.sqrt());
            assert!(
                mine.to_bits() == theirs.to_bits() || (mine.is_nan() && theirs.is_nan()),
                "sqrt({x:e}) = {mine:e}, not {theirs:e}"
            );
        };
        let check32 = |x: f32| {
            if x.is_nan() {
                return;
            }
            let (mine, theirs) = (soft_sqrt(f64::from(x)) as f32, x.sqrt());
            assert!(
                mine.to_bits() == theirs.to_bits() || (mine.is_nan() && theirs.is_nan()),
                "sqrtf({x:e}) = {mine:e}, not {theirs:e}"
            );
        };
        for bits in [0u64, 1, 2, 3, 0x000f_ffff_ffff_ffff, 0x0010_0000_0000_0000] {
            check64(f64::from_bits(bits));
            check64(-f64::from_bits(bits));
        }
        for x in [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            check64(x);
        }
        for e in 0..2047u64 {
            for delta in [0u64, 1, 2, 0x7_ffff_ffff_ffff, 0xf_ffff_ffff_ffff] {
                check64(f64::from_bits(e << 52 | delta));
            }
        }
        for n in 1..100_000u64 {
            let square = (n * n) as f64;
            check64(square);
            check64(f64::from_bits(square.to_bits() + 1));
            check64(f64::from_bits(square.to_bits() - 1));
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            // xorshift64*: scattered patterns, signs, exponents and fractions alike.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            check64(f64::from_bits(bits));
            check32(f32::from_bits(bits as u32));
            check32(f32::from_bits((bits >> 32) as u32));
        }
        for bits in (0..=u32::MAX).step_by(997) {
            check32(f32::from_bits(bits));
        }
    }

    #[test]
    fn min_max_signed_zeros() {
        assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(f64_min(-0.0, 0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f64_max(0.0, -0.0).to_bits(), 0.0f64.to_bits());
        assert!(f32_min(f32::NAN, 1.0).is_nan());
        assert!(f64_max(1.0, f64::NAN).is_nan());
    }

    #[test]
    fn rounding_quiets_signalling_nans() {
        let snan = f32::from_bits(0x7fa0_0000);
        assert_eq!(f32_floor(snan).to_bits() & 0x0040_0000, 0x0040_0000);
        let snan = f64::from_bits(0x7ff4_0000_0000_0000);
        assert_ne!(f64_nearest(snan).to_bits() & (1 << 51), 0);
        assert_eq!(f64_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(-3.5), -4.0);
    }

    /// The written-out rounding agrees bit for bit with libm's on edge cases and on a
    /// sweep of values around every power of two (where the fraction bits run out).
    #[test]
    fn rounding_matches_libm() {
        let mut xs: alloc::vec::Vec<f64> = alloc::vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            1e-300,
            -1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            4503599627370495.5,
            -4503599627370495.5,
            4503599627370497.0,
            8388607.5,
            -8388607.5,
            8388609.0,
            16777215.0,
        ];
        for e in -3..64 {
            let p = 2f64.powi(e);
            for d in [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0] {
                xs.push(p + d);
                xs.push(-(p + d));
                xs.push(p * (1.0 + d * f64::EPSILON));
            }
        }
        for &x in &xs {
            let cases: [(f64, f64); 4] = [
                (f64_floor(x), libm::floor(x)),
                (f64_ceil(x), libm::ceil(x)),
                (f64_trunc(x), libm::trunc(x)),
                (f64_nearest(x), libm::rint(x)),
            ];
            for (i, (ours, theirs)) in cases.into_iter().enumerate() {
                assert_eq!(ours.to_bits(), theirs.to_bits(), "f64 mode {i} of {x:e}");
            }
            let y = x as f32;
            let cases: [(f32, f32); 4] = [
                (f32_floor(y), libm::floorf(y)),
                (f32_ceil(y), libm::ceilf(y)),
                (f32_trunc(y), libm::truncf(y)),
                (f32_nearest(y), libm::rintf(y)),
            ];
            for (i, (ours, theirs)) in cases.into_iter().enumerate() {
                assert_eq!(ours.to_bits(), theirs.to_bits(), "f32 mode {i} of {y:e}");
            }
        }
    }

    #[test]
    fn trunc_bounds() {
        assert_eq!(i32_trunc_f32(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f64(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64(-2147483649.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(u32_trunc_f64(-0.9), Ok(0));
        assert_eq!(
            u64_trunc_f32(f32::NAN),
            Err(TrapCode::BadConversionToInteger)
        );
        assert_eq!(i64_trunc_f64(-9223372036854775808.0), Ok(i64::MIN));
    }
}
