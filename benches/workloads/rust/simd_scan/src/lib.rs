//! `simd_scan`: string scanning over a generated 256 KiB text, 16 bytes at a time with
//! `simd128` intrinsics. Each of the `n` rounds makes three passes: counts a byte (one of
//! eight, by round) with `i8x16.eq` and lane-wise subtraction of the masks, flushed to a
//! total before the byte counters can wrap; finds every line break as `memchr` does
//! (`i8x16.eq`, `i8x16.bitmask`, then the set bits), summing their positions; and counts
//! digits with two unsigned compares. Then one byte of the text changes. The checksum takes
//! every count and position sum.

use core::arch::wasm32::*;

use common::{Checksum, Rng};

/// The text's length, a multiple of 16.
const LEN: usize = 256 * 1024;

/// Words of lowercase letters, some numbers, spaces and line breaks.
fn text(rng: &mut Rng) -> Vec<u8> {
    let mut t = Vec::with_capacity(LEN);
    while t.len() < LEN {
        match rng.below(16) {
            0 => t.push(b'\n'),
            1 | 2 => {
                for _ in 0..1 + rng.below(6) {
                    t.push(b'0' + rng.below(10) as u8);
                }
            }
            _ => {
                for _ in 0..1 + rng.below(9) {
                    t.push(b'a' + rng.below(26) as u8);
                }
            }
        }
        t.push(b' ');
    }
    t.truncate(LEN);
    t
}

/// How many bytes of `text` are `needle`.
#[inline(never)]
fn count_byte(text: &[u8], needle: u8) -> u64 {
    assert!(text.len() % 16 == 0);
    let splat = u8x16_splat(needle);
    let mut total = 0u64;
    // 255 chunks at most per flush: a lane counts at most one a chunk.
    for block in text.chunks(16 * 255) {
        let mut acc = u8x16_splat(0);
        for chunk in block.chunks_exact(16) {
            // SAFETY: `chunk` is 16 bytes.
            let v = unsafe { v128_load(chunk.as_ptr() as *const v128) };
            acc = i8x16_sub(acc, i8x16_eq(v, splat));
        }
        // Widen and add the 16 counters.
        let wide = u16x8_extadd_pairwise_u8x16(acc);
        let quad = u32x4_extadd_pairwise_u16x8(wide);
        total += u64::from(
            u32x4_extract_lane::<0>(quad)
                + u32x4_extract_lane::<1>(quad)
                + u32x4_extract_lane::<2>(quad)
                + u32x4_extract_lane::<3>(quad),
        );
    }
    total
}

/// The number of line breaks and the sum of their positions, found as `memchr` finds them.
#[inline(never)]
fn line_breaks(text: &[u8]) -> (u64, u64) {
    let nl = u8x16_splat(b'\n');
    let (mut count, mut positions) = (0u64, 0u64);
    for (i, chunk) in text.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 bytes.
        let v = unsafe { v128_load(chunk.as_ptr() as *const v128) };
        let mut mask = i8x16_bitmask(i8x16_eq(v, nl));
        while mask != 0 {
            positions += (i * 16) as u64 + u64::from(mask.trailing_zeros());
            count += 1;
            mask &= mask - 1;
        }
    }
    (count, positions)
}

/// How many bytes are ASCII digits.
#[inline(never)]
fn digits(text: &[u8]) -> u64 {
    let (lo, hi) = (u8x16_splat(b'0'), u8x16_splat(b'9'));
    let mut total = 0u64;
    for block in text.chunks(16 * 255) {
        let mut acc = u8x16_splat(0);
        for chunk in block.chunks_exact(16) {
            // SAFETY: `chunk` is 16 bytes.
            let v = unsafe { v128_load(chunk.as_ptr() as *const v128) };
            let digit = v128_and(u8x16_ge(v, lo), u8x16_le(v, hi));
            acc = i8x16_sub(acc, digit);
        }
        let quad = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(acc));
        let pairs = i32x4_add(quad, i32x4_shuffle::<2, 3, 0, 1>(quad, quad));
        let all = i32x4_add(pairs, i32x4_shuffle::<1, 0, 3, 2>(pairs, pairs));
        total += u64::from(u32x4_extract_lane::<0>(all));
    }
    total
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(23);
    let mut sum = Checksum::new();
    let mut text = text(&mut rng);
    const NEEDLES: [u8; 8] = *b"e7 qz0\nx";
    for round in 0..n.max(0) as usize {
        sum.add(count_byte(&text, NEEDLES[round % NEEDLES.len()]));
        let (count, positions) = line_breaks(&text);
        sum.add(count);
        sum.add(positions);
        sum.add(digits(&text));
        let at = rng.below(LEN as u32) as usize;
        text[at] = b" \n0123456789abcdefghijklmnopqrstuvwxyz"[rng.below(37) as usize];
    }
    sum.get()
}
