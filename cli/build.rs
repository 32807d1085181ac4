//! Sets `cfg(wisp_jit)` when the facade is built with its `jit` feature: the `jit` feature
//! of this crate on a host the JIT builds on (the target-specific dependency in
//! Cargo.toml, whose cfg this repeats). The code and the tests test `cfg(wisp_jit)`:
//! `feature = "jit"` alone is on by default everywhere, the JIT is not.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(wisp_jit)");
    let feature = env::var_os("CARGO_FEATURE_JIT").is_some();
    let unix = env::var_os("CARGO_CFG_UNIX").is_some();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if feature && unix && matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64") {
        println!("cargo::rustc-cfg=wisp_jit");
    }
}
