//! The operators programs use most, on SSE2 (baseline on x86_64, so no run-time check):
//! the same results as `portable.rs`'s definitions, bit for bit (the parent's tests check
//! each on edge and random inputs), in a few instructions where the portable lane loops
//! compile to dozens. Every function is `#[inline]`: in an interpreter handler the `u128`
//! loaded from the slots and the intrinsic's register become one vector load.

use core::arch::x86_64::*;

/// `v` in a vector register.
#[inline(always)]
fn m(v: u128) -> __m128i {
    // SAFETY: both are 16 plain bytes; lane order is little-endian in both.
    unsafe { core::mem::transmute::<u128, __m128i>(v) }
}

/// A vector register's bits.
#[inline(always)]
fn u(v: __m128i) -> u128 {
    // SAFETY: as `m`.
    unsafe { core::mem::transmute::<__m128i, u128>(v) }
}

/// Binary operators that are one SSE2 instruction on integer lanes.
macro_rules! int_binary {
    ($($name:ident => $intrinsic:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe { $intrinsic(m(a), m(b)) })
        }
    )*};
}

int_binary! {
    v128_and => _mm_and_si128;
    v128_or => _mm_or_si128;
    v128_xor => _mm_xor_si128;
    i8x16_add => _mm_add_epi8;
    i8x16_sub => _mm_sub_epi8;
    i8x16_add_sat_s => _mm_adds_epi8;
    i8x16_add_sat_u => _mm_adds_epu8;
    i8x16_sub_sat_s => _mm_subs_epi8;
    i8x16_sub_sat_u => _mm_subs_epu8;
    i8x16_min_u => _mm_min_epu8;
    i8x16_max_u => _mm_max_epu8;
    i8x16_avgr_u => _mm_avg_epu8;
    i8x16_eq => _mm_cmpeq_epi8;
    i8x16_gt_s => _mm_cmpgt_epi8;
    i8x16_narrow_i16x8_s => _mm_packs_epi16;
    i8x16_narrow_i16x8_u => _mm_packus_epi16;
    i16x8_add => _mm_add_epi16;
    i16x8_sub => _mm_sub_epi16;
    i16x8_mul => _mm_mullo_epi16;
    i16x8_add_sat_s => _mm_adds_epi16;
    i16x8_add_sat_u => _mm_adds_epu16;
    i16x8_sub_sat_s => _mm_subs_epi16;
    i16x8_sub_sat_u => _mm_subs_epu16;
    i16x8_min_s => _mm_min_epi16;
    i16x8_max_s => _mm_max_epi16;
    i16x8_avgr_u => _mm_avg_epu16;
    i16x8_eq => _mm_cmpeq_epi16;
    i16x8_gt_s => _mm_cmpgt_epi16;
    i16x8_narrow_i32x4_s => _mm_packs_epi32;
    i32x4_add => _mm_add_epi32;
    i32x4_sub => _mm_sub_epi32;
    i32x4_eq => _mm_cmpeq_epi32;
    i32x4_gt_s => _mm_cmpgt_epi32;
    i32x4_dot_i16x8_s => _mm_madd_epi16;
    i64x2_add => _mm_add_epi64;
    i64x2_sub => _mm_sub_epi64;
}

/// `a & !b` (SSE2's `andnot` negates its first operand).
#[inline]
pub fn v128_andnot(a: u128, b: u128) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_andnot_si128(m(b), m(a)) })
}

/// Wasm's `v128.not`.
#[inline]
pub fn v128_not(v: u128) -> u128 {
    !v
}

/// Wasm's `v128.bitselect`: bits of `v1` where `c` is set, of `v2` elsewhere.
#[inline]
pub fn v128_bitselect(v1: u128, v2: u128, c: u128) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_or_si128(_mm_and_si128(m(v1), m(c)), _mm_andnot_si128(m(c), m(v2))) })
}

/// Unsigned comparisons by flipping the sign bits into signed ones.
macro_rules! unsigned_compare {
    ($($name:ident => $gt:ident, $bias:expr, $swap:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = if $swap { (b, a) } else { (a, b) };
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe { $gt(m(a ^ $bias), m(b ^ $bias)) })
        }
    )*};
}

const BIAS8: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;
const BIAS16: u128 = 0x8000_8000_8000_8000_8000_8000_8000_8000;
const BIAS32: u128 = 0x8000_0000_8000_0000_8000_0000_8000_0000;

unsigned_compare! {
    i8x16_gt_u => _mm_cmpgt_epi8, BIAS8, false;
    i8x16_lt_u => _mm_cmpgt_epi8, BIAS8, true;
    i16x8_gt_u => _mm_cmpgt_epi16, BIAS16, false;
    i16x8_lt_u => _mm_cmpgt_epi16, BIAS16, true;
    i32x4_gt_u => _mm_cmpgt_epi32, BIAS32, false;
    i32x4_lt_u => _mm_cmpgt_epi32, BIAS32, true;
}

/// Signed less-than as greater-than swapped.
macro_rules! swapped_compare {
    ($($name:ident => $gt:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe { $gt(m(b), m(a)) })
        }
    )*};
}

swapped_compare! {
    i8x16_lt_s => _mm_cmpgt_epi8;
    i16x8_lt_s => _mm_cmpgt_epi16;
    i32x4_lt_s => _mm_cmpgt_epi32;
}

/// Shifts by a scalar count, taken modulo the lane width.
macro_rules! shifts {
    ($($name:ident => $intrinsic:ident, $bits:literal;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $name(v: u128, count: i32) -> u128 {
            let count = (count & ($bits - 1)) as i64;
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe { $intrinsic(m(v), _mm_cvtsi64_si128(count)) })
        }
    )*};
}

shifts! {
    i16x8_shl => _mm_sll_epi16, 16;
    i16x8_shr_s => _mm_sra_epi16, 16;
    i16x8_shr_u => _mm_srl_epi16, 16;
    i32x4_shl => _mm_sll_epi32, 32;
    i32x4_shr_s => _mm_sra_epi32, 32;
    i32x4_shr_u => _mm_srl_epi32, 32;
    i64x2_shl => _mm_sll_epi64, 64;
    i64x2_shr_u => _mm_srl_epi64, 64;
}

/// Wasm's `i32x4.mul`: SSE2 multiplies the even lanes and the odd ones apart
/// (`pmuludq`), whose low halves are the wrapping products.
#[inline]
pub fn i32x4_mul(a: u128, b: u128) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe {
        let (a, b) = (m(a), m(b));
        let even = _mm_mul_epu32(a, b);
        let odd = _mm_mul_epu32(_mm_srli_epi64::<32>(a), _mm_srli_epi64::<32>(b));
        // Lanes 0 and 2 of each, interleaved.
        let even = _mm_shuffle_epi32::<0b00_00_10_00>(even);
        let odd = _mm_shuffle_epi32::<0b00_00_10_00>(odd);
        _mm_unpacklo_epi32(even, odd)
    })
}

/// Widening of the low or high half, zero- or sign-extended, by interleaving with zeros or
/// with the sign.
macro_rules! extends {
    ($($name:ident => $unpack:ident, $signed:literal, $cmp:ident;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $name(v: u128) -> u128 {
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe {
                let v = m(v);
                let high = if $signed {
                    $cmp(_mm_setzero_si128(), v)
                } else {
                    _mm_setzero_si128()
                };
                $unpack(v, high)
            })
        }
    )*};
}

extends! {
    i16x8_extend_low_i8x16_u => _mm_unpacklo_epi8, false, _mm_cmpgt_epi8;
    i16x8_extend_high_i8x16_u => _mm_unpackhi_epi8, false, _mm_cmpgt_epi8;
    i16x8_extend_low_i8x16_s => _mm_unpacklo_epi8, true, _mm_cmpgt_epi8;
    i16x8_extend_high_i8x16_s => _mm_unpackhi_epi8, true, _mm_cmpgt_epi8;
    i32x4_extend_low_i16x8_u => _mm_unpacklo_epi16, false, _mm_cmpgt_epi16;
    i32x4_extend_high_i16x8_u => _mm_unpackhi_epi16, false, _mm_cmpgt_epi16;
    i32x4_extend_low_i16x8_s => _mm_unpacklo_epi16, true, _mm_cmpgt_epi16;
    i32x4_extend_high_i16x8_s => _mm_unpackhi_epi16, true, _mm_cmpgt_epi16;
    i64x2_extend_low_i32x4_u => _mm_unpacklo_epi32, false, _mm_cmpgt_epi32;
    i64x2_extend_high_i32x4_u => _mm_unpackhi_epi32, false, _mm_cmpgt_epi32;
    i64x2_extend_low_i32x4_s => _mm_unpacklo_epi32, true, _mm_cmpgt_epi32;
    i64x2_extend_high_i32x4_s => _mm_unpackhi_epi32, true, _mm_cmpgt_epi32;
}

/// Wasm's `i8x16.bitmask`: the lanes' sign bits.
#[inline]
pub fn i8x16_bitmask(v: u128) -> i32 {
    // SAFETY: SSE2 is baseline on x86_64.
    unsafe { _mm_movemask_epi8(m(v)) }
}

/// Wasm's `v128.any_true`.
#[inline]
pub fn v128_any_true(v: u128) -> i32 {
    i32::from(v != 0)
}

/// Wasm's `i8x16.all_true`: no lane is zero.
#[inline]
pub fn i8x16_all_true(v: u128) -> i32 {
    // SAFETY: SSE2 is baseline on x86_64.
    i32::from(unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(m(v), _mm_setzero_si128())) } == 0)
}

/// Float arithmetic with SSE2's operator, then every NaN lane made the canonical NaN (the
/// rule of the parent module): `unord(r, r)` selects the canonical bits.
macro_rules! float_binary {
    ($($name:ident => $op:ident, $unord:ident, $cast:ident, $back:ident, $canonical:expr;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($name), "` (SSE2, NaNs canonical; see `portable`).")]
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe {
                let r = $op($cast(m(a)), $cast(m(b)));
                let nan = $back($unord(r, r));
                let r = $back(r);
                _mm_or_si128(_mm_andnot_si128(nan, r), _mm_and_si128(nan, m($canonical)))
            })
        }
    )*};
}

const CANONICAL32: u128 = 0x7fc0_0000_7fc0_0000_7fc0_0000_7fc0_0000;
const CANONICAL64: u128 = 0x7ff8_0000_0000_0000_7ff8_0000_0000_0000;

float_binary! {
    f32x4_add => _mm_add_ps, _mm_cmpunord_ps, _mm_castsi128_ps, _mm_castps_si128, CANONICAL32;
    f32x4_sub => _mm_sub_ps, _mm_cmpunord_ps, _mm_castsi128_ps, _mm_castps_si128, CANONICAL32;
    f32x4_mul => _mm_mul_ps, _mm_cmpunord_ps, _mm_castsi128_ps, _mm_castps_si128, CANONICAL32;
    f32x4_div => _mm_div_ps, _mm_cmpunord_ps, _mm_castsi128_ps, _mm_castps_si128, CANONICAL32;
    f64x2_add => _mm_add_pd, _mm_cmpunord_pd, _mm_castsi128_pd, _mm_castpd_si128, CANONICAL64;
    f64x2_sub => _mm_sub_pd, _mm_cmpunord_pd, _mm_castsi128_pd, _mm_castpd_si128, CANONICAL64;
    f64x2_mul => _mm_mul_pd, _mm_cmpunord_pd, _mm_castsi128_pd, _mm_castpd_si128, CANONICAL64;
    f64x2_div => _mm_div_pd, _mm_cmpunord_pd, _mm_castsi128_pd, _mm_castpd_si128, CANONICAL64;
}

/// Splats by SSE2's set operations.
#[inline]
pub fn i8x16_splat(x: i32) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_set1_epi8(x as i8) })
}

/// Wasm's `i16x8.splat`.
#[inline]
pub fn i16x8_splat(x: i32) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_set1_epi16(x as i16) })
}

/// Wasm's `i32x4.splat`.
#[inline]
pub fn i32x4_splat(x: i32) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_set1_epi32(x) })
}

/// Wasm's `f32x4.splat` (the bits, so a NaN's payload is kept).
#[inline]
pub fn f32x4_splat(x: f32) -> u128 {
    // SAFETY: SSE2 is baseline on x86_64.
    u(unsafe { _mm_set1_epi32(x.to_bits() as i32) })
}

/// Lane access: `replace_lane` blends `x`'s splat in under a mask of lane `lane`
/// (`iota == lane`, all in vector registers, where shifting a `u128` would take the value
/// through general registers and back, and the next vector load would then wait on two
/// narrow stores); `extract_lane` reads the lane from the value's bytes. Both mask the lane
/// to the count, as the definitions do.
macro_rules! lanes {
    ($($t:ty, $n:literal, $x:ty, $bits:ident, $splat:ident, $mask_splat:ident, $iota:expr, $cmp:ident:
        $replace:ident $(($extract:ident -> $r:ty, $via:ty))*;)*) => {$(
        #[doc = concat!("Wasm's `", stringify!($replace), "` (SSE2; see `portable`).")]
        #[inline]
        pub fn $replace(v: u128, lane: u8, x: $x) -> u128 {
            let lane = lane & ($n - 1);
            // SAFETY: SSE2 is baseline on x86_64.
            u(unsafe {
                let mask = $cmp(m($iota), m($mask_splat(u64::from(lane))));
                _mm_or_si128(
                    _mm_andnot_si128(mask, m(v)),
                    _mm_and_si128(mask, m($splat(x.$bits()))),
                )
            })
        }
        $(
            #[doc = concat!("Wasm's `", stringify!($extract), "` (see `portable`).")]
            #[inline]
            pub fn $extract(v: u128, lane: u8) -> $r {
                let lanes: [$via; $n] = v.to_le_bytes_as();
                lanes[usize::from(lane & ($n - 1))] as $r
            }
        )*
    )*};
}

/// The bits of a scalar (a float's, so a NaN's payload is kept), as lanes take them.
trait Bits {
    fn bits64(self) -> u64;
}

impl Bits for i32 {
    #[inline(always)]
    fn bits64(self) -> u64 {
        self as u32 as u64
    }
}

impl Bits for i64 {
    #[inline(always)]
    fn bits64(self) -> u64 {
        self as u64
    }
}

impl Bits for f32 {
    #[inline(always)]
    fn bits64(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl Bits for f64 {
    #[inline(always)]
    fn bits64(self) -> u64 {
        self.to_bits()
    }
}

/// A `u128`'s bytes as lanes of another plain type (little-endian: lane 0 first).
trait AsLanes {
    fn to_le_bytes_as<L: Copy, const N: usize>(self) -> [L; N];
}

impl AsLanes for u128 {
    #[inline(always)]
    fn to_le_bytes_as<L: Copy, const N: usize>(self) -> [L; N] {
        const { assert!(core::mem::size_of::<[L; N]>() == 16) };
        // SAFETY: 16 bytes either way, and every lane type used is plain integer or float
        // bits, valid for any bytes; x86_64 is little-endian, as wasm's lanes.
        unsafe { core::mem::transmute_copy::<u128, [L; N]>(&self) }
    }
}

/// `x`'s low bits in every lane of the shape.
#[inline(always)]
fn splat8(x: u64) -> u128 {
    u128::from_le_bytes([x as u8; 16])
}
#[inline(always)]
fn splat16(x: u64) -> u128 {
    let x = u128::from(x as u16);
    x * 0x0001_0001_0001_0001_0001_0001_0001_0001
}
#[inline(always)]
fn splat32(x: u64) -> u128 {
    let x = u128::from(x as u32);
    x * 0x0000_0001_0000_0001_0000_0001_0000_0001
}
#[inline(always)]
fn splat64(x: u64) -> u128 {
    u128::from(x) | u128::from(x) << 64
}
/// Lane numbers: each lane of the shape holds its index.
const IOTA8: u128 = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100;
const IOTA16: u128 = 0x0007_0006_0005_0004_0003_0002_0001_0000;
const IOTA32: u128 = 0x0000_0003_0000_0002_0000_0001_0000_0000;
/// 64-bit lanes compared as pairs of 32-bit ones holding the lane's index (against the
/// lane number in every 32-bit lane).
const IOTA64: u128 = 0x0000_0001_0000_0001_0000_0000_0000_0000;

lanes! {
    i8, 16, i32, bits64, splat8, splat8, IOTA8, _mm_cmpeq_epi8:
        i8x16_replace_lane (i8x16_extract_lane_s -> i32, i8) (i8x16_extract_lane_u -> i32, u8);
    i16, 8, i32, bits64, splat16, splat16, IOTA16, _mm_cmpeq_epi16:
        i16x8_replace_lane (i16x8_extract_lane_s -> i32, i16) (i16x8_extract_lane_u -> i32, u16);
    i32, 4, i32, bits64, splat32, splat32, IOTA32, _mm_cmpeq_epi32:
        i32x4_replace_lane (i32x4_extract_lane -> i32, i32);
    i64, 2, i64, bits64, splat64, splat32, IOTA64, _mm_cmpeq_epi32:
        i64x2_replace_lane (i64x2_extract_lane -> i64, i64);
    f32, 4, f32, bits64, splat32, splat32, IOTA32, _mm_cmpeq_epi32:
        f32x4_replace_lane (f32x4_extract_lane -> f32, f32);
    f64, 2, f64, bits64, splat64, splat32, IOTA64, _mm_cmpeq_epi32:
        f64x2_replace_lane (f64x2_extract_lane -> f64, f64);
}
