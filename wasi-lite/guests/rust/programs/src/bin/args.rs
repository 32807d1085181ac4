//! Command-line arguments: prints the count and every argument after the program name
//! (the name itself is whatever the runtime passes, so it is not printed, only required to
//! be present), each between brackets so empty and space-filled ones show.
//!
//! Deterministic: compare stdout exactly.

use guest::check;
use std::os::wasi::ffi::OsStrExt;

fn main() {
    let args: Vec<_> = std::env::args_os().collect();
    check!(
        !args.is_empty(),
        "no argv[0]: the runtime passed zero arguments"
    );
    println!("argc: {}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("argv[{i}]: [{}]", String::from_utf8_lossy(a.as_bytes()));
    }
}
