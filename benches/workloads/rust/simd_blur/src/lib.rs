//! `simd_blur`: `n` passes of a 3×3 Gaussian blur (weights 1 2 1 / 2 4 2 / 1 2 1, over 16,
//! rounded) on a 514×384 `u8` grayscale image, separable and written with `simd128`
//! intrinsics: a horizontal pass widening 16 pixels at a time to two `u16x8` halves, a
//! vertical pass adding three rows of those, shifting and narrowing back to `u8x16`. Each
//! pass writes a fresh image (the border rows are copied, the border columns blurred
//! vertically only) and then sets 64 pixels drawn from the PRNG, so the image never settles
//! to a flat one. The checksum takes four pixels per pass and the final image.

use core::arch::wasm32::*;

use common::{Checksum, Rng};

/// Width: 32 chunks of 16 interior pixels plus a border column on each side.
const W: usize = 16 * 32 + 2;
/// Height.
const H: usize = 384;

/// A textured test image: gradients, a pattern and noise.
fn image(rng: &mut Rng) -> Vec<u8> {
    let mut img = vec![0u8; W * H];
    for y in 0..H {
        for x in 0..W {
            let pattern = ((x / 24 + y / 16) % 2) as u32 * 96;
            let v = (x as u32 / 4 + y as u32 / 3 + pattern + rng.below(48)) % 256;
            img[y * W + x] = v as u8;
        }
    }
    img
}

/// `h[x] = s[x-1] + 2·s[x] + s[x+1]` for each row (up to 1020, in `u16`); the border
/// columns get `4·s[x]`.
#[inline(never)]
fn horizontal(src: &[u8], h: &mut [u16]) {
    assert!(src.len() == W * H && h.len() == W * H);
    for y in 0..H {
        let row = &src[y * W..(y + 1) * W];
        let out = &mut h[y * W..(y + 1) * W];
        let mut x = 1;
        while x + 16 < W {
            // SAFETY: x - 1 + 17 <= W: every load and store is within the row.
            unsafe {
                let l = v128_load(row.as_ptr().add(x - 1) as *const v128);
                let c = v128_load(row.as_ptr().add(x) as *const v128);
                let r = v128_load(row.as_ptr().add(x + 1) as *const v128);
                let lo = i16x8_add(
                    i16x8_add(u16x8_extend_low_u8x16(l), u16x8_extend_low_u8x16(r)),
                    i16x8_shl(u16x8_extend_low_u8x16(c), 1),
                );
                let hi = i16x8_add(
                    i16x8_add(u16x8_extend_high_u8x16(l), u16x8_extend_high_u8x16(r)),
                    i16x8_shl(u16x8_extend_high_u8x16(c), 1),
                );
                v128_store(out.as_mut_ptr().add(x) as *mut v128, lo);
                v128_store(out.as_mut_ptr().add(x + 8) as *mut v128, hi);
            }
            x += 16;
        }
        while x < W - 1 {
            out[x] = u16::from(row[x - 1]) + 2 * u16::from(row[x]) + u16::from(row[x + 1]);
            x += 1;
        }
        out[0] = 4 * u16::from(row[0]);
        out[W - 1] = 4 * u16::from(row[W - 1]);
    }
}

/// `dst = (h[y-1] + 2·h[y] + h[y+1] + 8) >> 4` for the inner rows; the border rows are
/// copied from `src`.
#[inline(never)]
fn vertical(src: &[u8], h: &[u16], dst: &mut [u8]) {
    assert!(src.len() == W * H && h.len() == W * H && dst.len() == W * H);
    dst[..W].copy_from_slice(&src[..W]);
    dst[(H - 1) * W..].copy_from_slice(&src[(H - 1) * W..]);
    let round = u16x8_splat(8);
    for y in 1..H - 1 {
        let up = &h[(y - 1) * W..y * W];
        let mid = &h[y * W..(y + 1) * W];
        let down = &h[(y + 1) * W..(y + 2) * W];
        let out = &mut dst[y * W..(y + 1) * W];
        let mut x = 0;
        while x + 16 <= W {
            // SAFETY: x + 16 <= W: every load and store is within the rows.
            unsafe {
                let sum = |at: usize| {
                    let a = v128_load(up.as_ptr().add(at) as *const v128);
                    let b = v128_load(mid.as_ptr().add(at) as *const v128);
                    let c = v128_load(down.as_ptr().add(at) as *const v128);
                    let s = i16x8_add(i16x8_add(a, c), i16x8_add(i16x8_shl(b, 1), round));
                    u16x8_shr(s, 4)
                };
                let lo = sum(x);
                let hi = sum(x + 8);
                v128_store(
                    out.as_mut_ptr().add(x) as *mut v128,
                    u8x16_narrow_i16x8(lo, hi),
                );
            }
            x += 16;
        }
        while x < W {
            out[x] = ((up[x] + 2 * mid[x] + down[x] + 8) >> 4) as u8;
            x += 1;
        }
    }
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(19);
    let mut sum = Checksum::new();
    let mut img = image(&mut rng);
    let mut next = vec![0u8; W * H];
    let mut h = vec![0u16; W * H];
    for pass in 0..n.max(0) as usize {
        horizontal(&img, &mut h);
        vertical(&img, &h, &mut next);
        core::mem::swap(&mut img, &mut next);
        for k in 0..4 {
            sum.add(u64::from(img[(pass * 7919 + k * 65_537) % (W * H)]));
        }
        for _ in 0..64 {
            let at = rng.below((W * H) as u32) as usize;
            img[at] = rng.next_u32() as u8;
        }
    }
    sum.add_bytes(&img);
    sum.get()
}
