//! `mandelbrot`: escape-time iteration counts of the Mandelbrot set over an `n`×`n` grid
//! covering [-2, 0.5] × [-1.25, 1.25], at most 64 iterations a point. The checksum is the
//! sum of the counts mixed row by row with each row's bitmap (points that never escape).

use common::Checksum;

const MAX_ITER: u32 = 64;

#[inline(never)]
fn row(y: u32, n: u32, bits: &mut Vec<u8>) -> u64 {
    let scale = 2.5 / f64::from(n);
    let ci = f64::from(y) * scale - 1.25;
    let mut total = 0u64;
    bits.clear();
    let mut byte = 0u8;
    for x in 0..n {
        let cr = f64::from(x) * scale - 2.0;
        let (mut zr, mut zi) = (0.0f64, 0.0f64);
        let (mut zr2, mut zi2) = (0.0f64, 0.0f64);
        let mut i = 0;
        while i < MAX_ITER && zr2 + zi2 <= 4.0 {
            zi = 2.0 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
            zr2 = zr * zr;
            zi2 = zi * zi;
            i += 1;
        }
        total += u64::from(i);
        byte = (byte << 1) | u8::from(i == MAX_ITER);
        if x % 8 == 7 {
            bits.push(byte);
            byte = 0;
        }
    }
    bits.push(byte);
    total
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let n = n.max(0) as u32;
    let mut sum = Checksum::new();
    let mut bits = Vec::with_capacity(n as usize / 8 + 1);
    let mut total = 0u64;
    for y in 0..n {
        let t = row(y, n, &mut bits);
        total += t;
        sum.add(t);
        sum.add_bytes(&bits);
    }
    sum.add(total);
    sum.get()
}
