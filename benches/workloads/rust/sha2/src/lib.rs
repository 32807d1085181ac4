//! `sha2`: SHA-256 and SHA-512 from the `sha2` crate, each over `n` KiB of generated data.
//!
//! Every KiB block differs from the last (one word is changed per block), both digests are
//! finalised at the end, and a third SHA-256 over the two digests is hashed once per 64
//! blocks so intermediate state feeds the checksum too.

use common::{Checksum, Rng};
use sha2::{Digest, Sha256, Sha512};

const BLOCK: usize = 1024;

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(0x5AA2);
    let mut block = [0u8; BLOCK];
    for chunk in block.chunks_exact_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    let mut h256 = Sha256::new();
    let mut h512 = Sha512::new();
    let mut sum = Checksum::new();
    for i in 0..n.max(0) as usize {
        let at = (i * 8) % BLOCK;
        let word = u64::from_le_bytes(block[at..at + 8].try_into().unwrap()) ^ i as u64;
        block[at..at + 8].copy_from_slice(&word.to_le_bytes());
        h256.update(block);
        h512.update(block);
        if i % 64 == 63 {
            let mid = Sha256::new()
                .chain_update(h256.clone().finalize())
                .chain_update(h512.clone().finalize())
                .finalize();
            sum.add_bytes(&mid);
        }
    }
    sum.add_bytes(&h256.finalize());
    sum.add_bytes(&h512.finalize());
    sum.get()
}
