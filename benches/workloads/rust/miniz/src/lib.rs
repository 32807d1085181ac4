//! `miniz`: DEFLATE with `miniz_oxide`. `n` rounds each compress a generated 32 KiB buffer
//! (text-like, with repeats; one region changes per round) at levels 1 and 6 to zlib
//! streams, decompress both, and check that the round trip is exact. The checksum covers
//! every compressed byte.

use common::{Checksum, Rng};
use miniz_oxide::deflate::compress_to_vec_zlib;
use miniz_oxide::inflate::decompress_to_vec_zlib;

const LEN: usize = 32 * 1024;
const WORDS: &[&str] = &[
    "the ",
    "quick ",
    "brown ",
    "fox ",
    "jumps ",
    "over ",
    "lazy ",
    "dog ",
    "and ",
    "then ",
    "compression ",
    "of ",
    "this ",
    "buffer ",
    "is ",
    "repeated ",
    "\n",
    ", ",
    ". ",
    "0123 ",
];

fn input(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::with_capacity(LEN + 32);
    while v.len() < LEN {
        match rng.below(16) {
            // A back-reference to something already written.
            0..=2 if v.len() > 300 => {
                let start = rng.below(v.len() as u32 - 256) as usize;
                let len = 4 + rng.below(200) as usize;
                v.extend_from_within(start..start + len);
            }
            // A little noise.
            3 => v.extend((0..8).map(|_| rng.next_u32() as u8)),
            _ => v.extend_from_slice(rng.pick(WORDS).as_bytes()),
        }
    }
    v.truncate(LEN);
    v
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(0xDEF1);
    let mut data = input(&mut rng);
    let mut sum = Checksum::new();
    for _ in 0..n.max(0) {
        let at = rng.below((LEN - 64) as u32) as usize;
        for b in &mut data[at..at + 64] {
            *b = b.wrapping_add(rng.below(3) as u8);
        }
        for level in [1u8, 6] {
            let packed = compress_to_vec_zlib(&data, level);
            sum.add_bytes(&packed);
            let unpacked = decompress_to_vec_zlib(&packed).unwrap();
            sum.add(u64::from(unpacked == data));
        }
    }
    sum.get()
}
