//! What each fixed-width SIMD operator (Wasm 2.0) and each relaxed-SIMD operator (Wasm 3.0)
//! computes, written once: one plain function per operator, named after it with `_` for
//! every `.` (`i16x8.extmul_low_i8x16_s` is [`i16x8_extmul_low_i8x16_s`]). The interpreter's
//! handlers call them and the JIT's tests use them as the oracle, as for the scalar
//! operators of [`crate::wasm`].
//!
//! Conventions:
//! - a `v128` is a `u128`, little-endian: lane `i` of an `NxM` shape is bits
//!   `[i*M, (i+1)*M)`;
//! - binary operators are `fn(u128, u128) -> u128`, unary ones `fn(u128) -> u128`, the
//!   ternary ones (`v128.bitselect`, `relaxed_madd`/`nmadd`, `relaxed_laneselect`,
//!   `relaxed_dot_..._add`) `fn(u128, u128, u128) -> u128`; tests (`any_true`, `all_true`,
//!   `bitmask`) return `i32`; shifts take the count as an `i32`, taken modulo the lane width;
//!   comparisons give lanes of all ones (true) or all zeros;
//! - `splat`, `extract_lane` and `replace_lane` take and give the scalar type the operator
//!   does (`i32` for the 8- and 16-bit shapes). Lane indices are masked to the lane count
//!   (validation already bounds them), so nothing here can panic;
//! - the loads that widen (`v128.load8x8_s`, ...) and the zero-extending loads take the
//!   bytes the handler loaded (little-endian), and splat loads are the `splat` functions;
//!   memory access itself, lane loads and stores included, is the tiers';
//! - float lanes are computed by the scalar functions of [`crate::wasm`] where one exists
//!   (`f32_min`, `f32_nearest`, `f32_sqrt`, conversions, ...). `pmin` is
//!   `if b < a { b } else { a }` and `pmax` `if a < b { b } else { a }`, the spec's
//!   definitions.
//!
//! **NaNs are canonical.** A lane of a float arithmetic operator (`add`, `sub`, `mul`, `div`,
//! `sqrt`, `min`, `max` and their relaxed forms, `ceil`, `floor`, `trunc`, `nearest`,
//! `relaxed_madd`/`nmadd`, `demote`, `promote`) that is a NaN is the canonical one: positive,
//! quiet, payload zero (`0x7fc0_0000`, `0x7ff8_0000_0000_0000`), which the spec allows. The
//! NaN hardware gives depends on the instruction, the operand order a compiler picks and the
//! CPU (x86 keeps the first operand's payload, Arm the first NaN's with signalling ones
//! first, RISC-V none), so without this rule a function moved from the interpreter to
//! native code mid-run, or run on another machine, could change its answers. Operators that
//! move bits (`abs`, `neg`, `pmin`, `pmax`, lanes, splats, selects) keep payloads exactly, as
//! the spec requires. Every tier follows the rule (the JIT canonicalises after each such
//! operator); scalar operators keep the hardware's NaN.
//!
//! **Relaxed SIMD is deterministic.** Every tier computes the relaxed operators as
//! Wasmtime does with `relaxed_simd_deterministic(true)`, and this is the contract they are
//! checked against:
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (an index of 16 or more gives 0);
//! - `i32x4.relaxed_trunc_*` are the `trunc_sat` forms (NaN to 0, saturating; the `f64x2`
//!   ones zero the upper two lanes);
//! - `relaxed_madd(a, b, c)` is a fused multiply-add per lane (one rounding),
//!   `relaxed_nmadd(a, b, c)` is `fma(-a, b, c)`;
//! - `relaxed_laneselect` is `v128.bitselect` (bit by bit, whatever the mask's lanes);
//! - `relaxed_min`/`relaxed_max` are `min`/`max` (NaN-propagating, -0 below +0);
//! - `i16x8.relaxed_q15mulr_s` is `i16x8.q15mulr_sat_s`;
//! - `i16x8.relaxed_dot_i8x16_i7x16_s` reads both operands as signed: lane `i` is
//!   `a[2i]*b[2i] + a[2i+1]*b[2i+1]`, each product an `i16` and the sum wrapping in `i16`
//!   (`-128*-128*2` is -32768);
//! - `i32x4.relaxed_dot_i8x16_i7x16_add_s` sums the four signed products of each 32-bit lane
//!   exactly (in `i32`, no `i16` wrap) and adds `c[j]`, wrapping in `i32`.
//!
//! Where the host's vector unit is baseline (SSE2 on x86_64), the operators programs use
//! most have a second implementation on it (`x86_64.rs`), which the public functions
//! are; [`portable`] holds the definitions (public, so that any tier or test can compare
//! with them), and the tests hold every fast path to its definition on edge and random
//! inputs.

pub mod portable;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod x86_64;

pub use portable::*;
// Named one by one: a name imported explicitly shadows the glob's.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub use x86_64::{
    f32x4_add, f32x4_div, f32x4_extract_lane, f32x4_mul, f32x4_replace_lane, f32x4_splat,
    f32x4_sub, f64x2_add, f64x2_div, f64x2_extract_lane, f64x2_mul, f64x2_replace_lane, f64x2_sub,
    i16x8_add, i16x8_add_sat_s, i16x8_add_sat_u, i16x8_avgr_u, i16x8_eq, i16x8_extend_high_i8x16_s,
    i16x8_extend_high_i8x16_u, i16x8_extend_low_i8x16_s, i16x8_extend_low_i8x16_u,
    i16x8_extract_lane_s, i16x8_extract_lane_u, i16x8_gt_s, i16x8_gt_u, i16x8_lt_s, i16x8_lt_u,
    i16x8_max_s, i16x8_min_s, i16x8_mul, i16x8_narrow_i32x4_s, i16x8_replace_lane, i16x8_shl,
    i16x8_shr_s, i16x8_shr_u, i16x8_splat, i16x8_sub, i16x8_sub_sat_s, i16x8_sub_sat_u, i32x4_add,
    i32x4_dot_i16x8_s, i32x4_eq, i32x4_extend_high_i16x8_s, i32x4_extend_high_i16x8_u,
    i32x4_extend_low_i16x8_s, i32x4_extend_low_i16x8_u, i32x4_extract_lane, i32x4_gt_s, i32x4_gt_u,
    i32x4_lt_s, i32x4_lt_u, i32x4_mul, i32x4_replace_lane, i32x4_shl, i32x4_shr_s, i32x4_shr_u,
    i32x4_splat, i32x4_sub, i64x2_add, i64x2_extend_high_i32x4_s, i64x2_extend_high_i32x4_u,
    i64x2_extend_low_i32x4_s, i64x2_extend_low_i32x4_u, i64x2_extract_lane, i64x2_replace_lane,
    i64x2_shl, i64x2_shr_u, i64x2_sub, i8x16_add, i8x16_add_sat_s, i8x16_add_sat_u, i8x16_all_true,
    i8x16_avgr_u, i8x16_bitmask, i8x16_eq, i8x16_extract_lane_s, i8x16_extract_lane_u, i8x16_gt_s,
    i8x16_gt_u, i8x16_lt_s, i8x16_lt_u, i8x16_max_u, i8x16_min_u, i8x16_narrow_i16x8_s,
    i8x16_narrow_i16x8_u, i8x16_replace_lane, i8x16_splat, i8x16_sub, i8x16_sub_sat_s,
    i8x16_sub_sat_u, v128_and, v128_andnot, v128_any_true, v128_bitselect, v128_not, v128_or,
    v128_xor,
};

#[cfg(test)]
mod tests {
    /// Every fast path gives its definition's bits, on the lane patterns that matter (each
    /// shape's extremes, zeros, NaNs of both kinds, infinities) and on pseudo-random ones.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn fast_paths_agree_with_the_definitions() {
        use super::{portable as p, x86_64 as x};
        use alloc::vec;
        use alloc::vec::Vec;
        let mut values: Vec<u128> = vec![
            0,
            u128::MAX,
            0x8080_8080_8080_8080_8080_8080_8080_8080,
            0x7f7f_7f7f_7f7f_7f7f_7f7f_7f7f_7f7f_7f7f,
            0x8000_7fff_0001_ffff_8000_0000_7fff_0000,
            0x8000_0000_7fff_ffff_0000_0001_ffff_ffff,
            0x7fc0_0000_ffc0_1234_7f80_0000_ff80_0000,
            0x7fa0_0001_3f80_0000_8000_0000_0000_0001,
            0x7ff8_0000_0000_0001_fff0_0000_0000_0000,
            0x7ff4_0000_0000_0000_3ff0_0000_0000_0000,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut half = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            values.push(u128::from(half()) | u128::from(half()) << 64);
        }
        macro_rules! binary {
            ($($f:ident)*) => {$(
                for &a in &values {
                    for &b in values.iter().take(40) {
                        assert_eq!(x::$f(a, b), p::$f(a, b), "{} {a:#x} {b:#x}", stringify!($f));
                        assert_eq!(x::$f(b, a), p::$f(b, a), "{} {b:#x} {a:#x}", stringify!($f));
                    }
                }
            )*};
        }
        binary!(v128_and v128_or v128_xor v128_andnot i8x16_add i8x16_sub i8x16_add_sat_s
            i8x16_add_sat_u i8x16_sub_sat_s i8x16_sub_sat_u i8x16_min_u i8x16_max_u i8x16_avgr_u
            i8x16_eq i8x16_gt_s i8x16_gt_u i8x16_lt_s i8x16_lt_u i8x16_narrow_i16x8_s
            i8x16_narrow_i16x8_u i16x8_add i16x8_sub i16x8_mul i16x8_add_sat_s i16x8_add_sat_u
            i16x8_sub_sat_s i16x8_sub_sat_u i16x8_min_s i16x8_max_s i16x8_avgr_u i16x8_eq
            i16x8_gt_s i16x8_gt_u i16x8_lt_s i16x8_lt_u i16x8_narrow_i32x4_s i32x4_add i32x4_sub
            i32x4_mul i32x4_eq i32x4_gt_s i32x4_gt_u i32x4_lt_s i32x4_lt_u i32x4_dot_i16x8_s
            i64x2_add i64x2_sub f32x4_add f32x4_sub f32x4_mul f32x4_div f64x2_add f64x2_sub
            f64x2_mul f64x2_div);
        macro_rules! unary {
            ($($f:ident)*) => {$(
                for &a in &values {
                    assert_eq!(x::$f(a), p::$f(a), "{} {a:#x}", stringify!($f));
                }
            )*};
        }
        unary!(v128_not v128_any_true i8x16_all_true i8x16_bitmask
            i16x8_extend_low_i8x16_u i16x8_extend_high_i8x16_u i16x8_extend_low_i8x16_s
            i16x8_extend_high_i8x16_s i32x4_extend_low_i16x8_u i32x4_extend_high_i16x8_u
            i32x4_extend_low_i16x8_s i32x4_extend_high_i16x8_s i64x2_extend_low_i32x4_u
            i64x2_extend_high_i32x4_u i64x2_extend_low_i32x4_s i64x2_extend_high_i32x4_s);
        for &a in &values {
            for &b in values.iter().take(40) {
                for &c in values.iter().take(8) {
                    assert_eq!(x::v128_bitselect(a, b, c), p::v128_bitselect(a, b, c));
                }
            }
            for count in [0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, -1, i32::MIN] {
                macro_rules! shift {
                    ($($f:ident)*) => {$(
                        assert_eq!(x::$f(a, count), p::$f(a, count), "{} {a:#x} {count}", stringify!($f));
                    )*};
                }
                shift!(i16x8_shl i16x8_shr_s i16x8_shr_u i32x4_shl i32x4_shr_s i32x4_shr_u
                    i64x2_shl i64x2_shr_u);
            }
            for lane in 0..=255u8 {
                let (b, f, d) = (a as u64, f32::from_bits(a as u32), f64::from_bits(a as u64));
                let v = values[usize::from(lane) % values.len()];
                assert_eq!(
                    x::i8x16_replace_lane(v, lane, b as i32),
                    p::i8x16_replace_lane(v, lane, b as i32)
                );
                assert_eq!(
                    x::i16x8_replace_lane(v, lane, b as i32),
                    p::i16x8_replace_lane(v, lane, b as i32)
                );
                assert_eq!(
                    x::i32x4_replace_lane(v, lane, b as i32),
                    p::i32x4_replace_lane(v, lane, b as i32)
                );
                assert_eq!(
                    x::i64x2_replace_lane(v, lane, b as i64),
                    p::i64x2_replace_lane(v, lane, b as i64)
                );
                assert_eq!(
                    x::f32x4_replace_lane(v, lane, f),
                    p::f32x4_replace_lane(v, lane, f)
                );
                assert_eq!(
                    x::f64x2_replace_lane(v, lane, d),
                    p::f64x2_replace_lane(v, lane, d)
                );
                assert_eq!(
                    x::i8x16_extract_lane_s(v, lane),
                    p::i8x16_extract_lane_s(v, lane)
                );
                assert_eq!(
                    x::i8x16_extract_lane_u(v, lane),
                    p::i8x16_extract_lane_u(v, lane)
                );
                assert_eq!(
                    x::i16x8_extract_lane_s(v, lane),
                    p::i16x8_extract_lane_s(v, lane)
                );
                assert_eq!(
                    x::i16x8_extract_lane_u(v, lane),
                    p::i16x8_extract_lane_u(v, lane)
                );
                assert_eq!(
                    x::i32x4_extract_lane(v, lane),
                    p::i32x4_extract_lane(v, lane)
                );
                assert_eq!(
                    x::i64x2_extract_lane(v, lane),
                    p::i64x2_extract_lane(v, lane)
                );
                assert_eq!(
                    x::f32x4_extract_lane(v, lane).to_bits(),
                    p::f32x4_extract_lane(v, lane).to_bits()
                );
                assert_eq!(
                    x::f64x2_extract_lane(v, lane).to_bits(),
                    p::f64x2_extract_lane(v, lane).to_bits()
                );
            }
            let s = a as u64;
            assert_eq!(x::i8x16_splat(s as i32), p::i8x16_splat(s as i32));
            assert_eq!(x::i16x8_splat(s as i32), p::i16x8_splat(s as i32));
            assert_eq!(x::i32x4_splat(s as i32), p::i32x4_splat(s as i32));
            let f = f32::from_bits(s as u32);
            assert_eq!(x::f32x4_splat(f), p::f32x4_splat(f));
        }
    }
}
