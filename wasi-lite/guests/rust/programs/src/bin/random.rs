//! `random_get`, self-checking (stdout has only `random: ... ok` lines): an empty request
//! succeeds; 16 KiB draws are not all zero, two draws differ, about half the bits are set
//! (the bound is 18 standard deviations away: a real generator never fails it) and every
//! byte value appears; a 1 MiB request is filled to its end.
//!
//! Run with no arguments; exit status 0 and the fixed stdout mean success.

use guest::wasi;
use guest::{check, OrFail};

const N: usize = 16 * 1024;

fn draw(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    wasi::random_get(&mut buf).or_fail(&format!("random_get({len} bytes)"));
    buf
}

fn main() {
    wasi::random_get(&mut []).or_fail("random_get(0 bytes)");
    println!("random: empty ok");

    let a = draw(N);
    let b = draw(N);
    check!(
        a.iter().any(|&x| x != 0),
        "random_get filled {N} bytes with zeros"
    );
    check!(a != b, "two draws of {N} bytes are identical");
    println!("random: draws differ ok");

    let ones: u32 = a.iter().map(|x| x.count_ones()).sum();
    let bits = (N * 8) as u32;
    eprintln!("random: {ones} of {bits} bits set");
    check!(
        ones > bits * 45 / 100 && ones < bits * 55 / 100,
        "{ones} of {bits} bits set"
    );
    let mut seen = [false; 256];
    for &x in a.iter().chain(&b) {
        seen[usize::from(x)] = true;
    }
    let missing = seen.iter().filter(|s| !**s).count();
    check!(
        missing == 0,
        "{missing} byte values never appeared in {} random bytes",
        2 * N
    );
    println!("random: distribution ok");

    // A large request, with a sentinel pattern that an unfilled tail would keep.
    let mut big = vec![0xa5u8; 1 << 20];
    wasi::random_get(&mut big).or_fail("random_get(1 MiB)");
    let tail = &big[big.len() - 4096..];
    check!(
        tail.iter().any(|&x| x != 0xa5),
        "the last 4 KiB of a 1 MiB random_get were left unfilled"
    );
    println!("random: large ok");
}
