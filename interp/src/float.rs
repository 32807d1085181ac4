//! Float semantics the hardware operators don't give directly: IEEE 754-2019 `minimum` /
//! `maximum` as Wasm defines `min`/`max`, sign operations on bits (NaN payloads must pass
//! through untouched), round-half-to-even, and the checked float-to-int conversions.

use wisp_core::TrapCode;

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
pub fn f32_abs(x: f32) -> f32 {
    x.abs()
}
pub fn f32_neg(x: f32) -> f32 {
    -x
}
pub fn f32_copysign(a: f32, b: f32) -> f32 {
    a.copysign(b)
}
pub fn f64_abs(x: f64) -> f64 {
    x.abs()
}
pub fn f64_neg(x: f64) -> f64 {
    -x
}
pub fn f64_copysign(a: f64, b: f64) -> f64 {
    a.copysign(b)
}

/// Rounding and square root, with a NaN input coming back quieted (libm returns a
/// signalling NaN unchanged, where Wasm requires an arithmetic NaN). With `std` these are
/// the standard library's methods, which compile to hardware instructions where the target
/// has them (`sqrtsd`, `roundsd`, `frint*`) or to the C library's fast paths; without
/// `std`, the libm crate.
macro_rules! quieting {
    ($($name:ident: $t:ty => $std:ident | $libm:path;)*) => {$(
        #[inline]
        pub fn $name(x: $t) -> $t {
            if x.is_nan() {
                return x + x;
            }
            #[cfg(feature = "std")]
            {
                <$t>::$std(x)
            }
            #[cfg(not(feature = "std"))]
            {
                $libm(x)
            }
        }
    )*};
}

quieting! {
    f32_ceil: f32 => ceil | libm::ceilf;
    f32_floor: f32 => floor | libm::floorf;
    f32_trunc: f32 => trunc | libm::truncf;
    f32_nearest: f32 => round_ties_even | libm::rintf;
    f32_sqrt: f32 => sqrt | libm::sqrtf;
    f64_ceil: f64 => ceil | libm::ceil;
    f64_floor: f64 => floor | libm::floor;
    f64_trunc: f64 => trunc | libm::trunc;
    f64_nearest: f64 => round_ties_even | libm::rint;
    f64_sqrt: f64 => sqrt | libm::sqrt;
}

/// Defines a checked truncation: valid inputs lie strictly between `lo` and `hi`, the
/// nearest values of the source type outside the target's range.
macro_rules! checked_trunc {
    ($($name:ident: $from:ty => $to:ty, $lo:expr, $hi:expr;)*) => {$(
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
