//! Sets `cfg(wisp_signals)` on hosts where native code's traps may be signals
//! (`src/signals.rs`): Linux on x86_64, aarch64 and riscv64; macOS on x86_64 and aarch64;
//! FreeBSD on x86_64. (FreeBSD on aarch64 has no prebuilt standard library to build and
//! check against here, so it keeps explicit checks.) The one place that names them: the
//! handler's module, its fallback and the tests all test this cfg.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(wisp_signals)");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let host = match os.as_str() {
        "linux" => matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64"),
        "macos" => matches!(arch.as_str(), "x86_64" | "aarch64"),
        "freebsd" => arch == "x86_64",
        _ => false,
    };
    if host {
        println!("cargo::rustc-cfg=wisp_signals");
    }
}
