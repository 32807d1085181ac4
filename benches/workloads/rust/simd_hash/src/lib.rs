//! `simd_hash`: two hashes of a generated 128 KiB buffer of `u32` words, four lanes at a
//! time with `simd128` intrinsics, `n` rounds. The first has xxHash32's shape (four lane
//! accumulators, each taking one word of every 16-byte stripe: `acc = rotl(acc + w·P2, 13)
//! · P1` with `i32x4.mul` and shifts, then the lanes merged and avalanched); the second is
//! a multiply-xorshift over the same stripes (`h = (h ^ w) · M; h ^= h >> 15`, per lane).
//! They are not the real xxHash (no length or tail handling): the kernel is the point.
//! After each round one word of the buffer becomes the first hash. The checksum takes both
//! hashes of every round.

use core::arch::wasm32::*;

use common::{Checksum, Rng};

/// Words in the buffer, a multiple of 4.
const WORDS: usize = 32 * 1024;

const P1: u32 = 0x9E37_79B1;
const P2: u32 = 0x85EB_CA77;
const P3: u32 = 0xC2B2_AE3D;
const M: u32 = 0x2C1B_3C6D;

/// `x` rotated left by `R` in each lane (`L` = 32 - `R`).
#[inline(always)]
fn rotl<const R: u32, const L: u32>(x: v128) -> v128 {
    v128_or(i32x4_shl(x, R), u32x4_shr(x, L))
}

/// The xxHash32-shaped stripe hash.
#[inline(never)]
fn stripes(words: &[u32], seed: u32) -> u32 {
    assert!(words.len() % 4 == 0);
    let mut acc = u32x4(
        seed.wrapping_add(P1).wrapping_add(P2),
        seed.wrapping_add(P2),
        seed,
        seed.wrapping_sub(P1),
    );
    let (p1, p2) = (u32x4_splat(P1), u32x4_splat(P2));
    for stripe in words.chunks_exact(4) {
        // SAFETY: `stripe` is four u32s.
        let w = unsafe { v128_load(stripe.as_ptr() as *const v128) };
        acc = i32x4_mul(rotl::<13, 19>(i32x4_add(acc, i32x4_mul(w, p2))), p1);
    }
    let lanes = [
        u32x4_extract_lane::<0>(acc),
        u32x4_extract_lane::<1>(acc),
        u32x4_extract_lane::<2>(acc),
        u32x4_extract_lane::<3>(acc),
    ];
    let mut h = lanes[0]
        .rotate_left(1)
        .wrapping_add(lanes[1].rotate_left(7))
        .wrapping_add(lanes[2].rotate_left(12))
        .wrapping_add(lanes[3].rotate_left(18));
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^ (h >> 16)
}

/// The multiply-xorshift hash, per lane, folded to 64 bits.
#[inline(never)]
fn mix(words: &[u32], seed: u32) -> u64 {
    let mut h = u32x4(seed, seed ^ 1, seed ^ 2, seed ^ 3);
    let m = u32x4_splat(M);
    for stripe in words.chunks_exact(4) {
        // SAFETY: `stripe` is four u32s.
        let w = unsafe { v128_load(stripe.as_ptr() as *const v128) };
        h = i32x4_mul(v128_xor(h, w), m);
        h = v128_xor(h, u32x4_shr(h, 15));
    }
    let lo = u64x2_extract_lane::<0>(h);
    let hi = u64x2_extract_lane::<1>(h);
    lo ^ hi.rotate_left(17)
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(31);
    let mut sum = Checksum::new();
    let mut words: Vec<u32> = (0..WORDS).map(|_| rng.next_u32()).collect();
    for round in 0..n.max(0) as u32 {
        let a = stripes(&words, round);
        let b = mix(&words, round);
        sum.add(u64::from(a));
        sum.add(b);
        words[rng.below(WORDS as u32) as usize] = a;
    }
    sum.get()
}
