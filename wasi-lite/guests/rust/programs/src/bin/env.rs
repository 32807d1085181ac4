//! Environment variables. With no arguments, prints every variable, sorted, then the
//! count: a runtime given only `--env` options must pass exactly those (the host's own
//! environment must not leak in). With arguments, prints each named variable or says it
//! is unset. Checks that `std::env::var` agrees with `std::env::vars`.
//!
//! Deterministic: compare stdout exactly.

use guest::check;
use std::os::wasi::ffi::OsStrExt;

fn main() {
    let mut vars: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    vars.sort();
    for (k, v) in &vars {
        let got = std::env::var_os(std::ffi::OsStr::from_bytes(k));
        check!(
            got.as_ref().map(|g| g.as_bytes()) == Some(&v[..]),
            "var_os({}) disagrees with vars_os",
            String::from_utf8_lossy(k)
        );
    }
    let names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        for (k, v) in &vars {
            println!(
                "{}={}",
                String::from_utf8_lossy(k),
                String::from_utf8_lossy(v)
            );
        }
        println!("environ count: {}", vars.len());
    } else {
        for name in names {
            match std::env::var_os(&name) {
                Some(v) => println!("{name}={}", String::from_utf8_lossy(v.as_bytes())),
                None => println!("{name} is not set"),
            }
        }
    }
}
