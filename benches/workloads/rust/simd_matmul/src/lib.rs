//! `simd_matmul`: `n` products `C = A × B` of 64×64 `f32` matrices with `simd128`
//! intrinsics: each row of `C` accumulates `splat(A[i][k]) × B[k][..]` four columns at a
//! time (`f32x4.mul`, `f32x4.add`; wasm has no fused multiply-add outside relaxed SIMD, so
//! every runtime rounds the same). After each product one element of `B` becomes an element
//! of `C` over 64, which keeps the values within [-1, 1] and the products changing. The
//! checksum takes the bits of a lane-wise sum of `C` per product and of the last `C`.

use core::arch::wasm32::*;

use common::{Checksum, Rng};

/// The matrices' order, a multiple of 4.
const N: usize = 64;

/// A matrix of values in [-1, 1).
fn matrix(rng: &mut Rng) -> Vec<f32> {
    (0..N * N)
        .map(|_| (rng.unit_f64() * 2.0 - 1.0) as f32)
        .collect()
}

/// `c = a × b`, row-major.
#[inline(never)]
fn multiply(a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() == N * N && b.len() == N * N && c.len() == N * N);
    for i in 0..N {
        let row = &mut c[i * N..(i + 1) * N];
        row.fill(0.0);
        for k in 0..N {
            let aik = f32x4_splat(a[i * N + k]);
            let bk = &b[k * N..(k + 1) * N];
            for j in (0..N).step_by(4) {
                // SAFETY: j + 4 <= N: the loads and the store are within the rows.
                unsafe {
                    let bv = v128_load(bk.as_ptr().add(j) as *const v128);
                    let cv = v128_load(row.as_ptr().add(j) as *const v128);
                    let r = f32x4_add(cv, f32x4_mul(aik, bv));
                    v128_store(row.as_mut_ptr().add(j) as *mut v128, r);
                }
            }
        }
    }
}

/// The lane-wise sum of `c`'s rows, four columns at a time.
#[inline(never)]
fn lane_sum(c: &[f32]) -> v128 {
    let mut acc = f32x4_splat(0.0);
    for quad in c.chunks_exact(4) {
        // SAFETY: `quad` is four f32s.
        acc = f32x4_add(acc, unsafe { v128_load(quad.as_ptr() as *const v128) });
    }
    acc
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(29);
    let mut sum = Checksum::new();
    let a = matrix(&mut rng);
    let mut b = matrix(&mut rng);
    let mut c = vec![0f32; N * N];
    for round in 0..n.max(0) as usize {
        multiply(&a, &b, &mut c);
        let s = lane_sum(&c);
        sum.add(
            u64::from(u32x4_extract_lane::<0>(s)) | u64::from(u32x4_extract_lane::<1>(s)) << 32,
        );
        sum.add(
            u64::from(u32x4_extract_lane::<2>(s)) | u64::from(u32x4_extract_lane::<3>(s)) << 32,
        );
        let from = (round * 97) % (N * N);
        let to = rng.below((N * N) as u32) as usize;
        b[to] = c[from] / N as f32;
    }
    for v in &c {
        sum.add(u64::from(v.to_bits()));
    }
    sum.get()
}
