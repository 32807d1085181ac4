//! Build steps the firmware needs before it compiles:
//!
//! - the guests: each `guests/*.wat` becomes `$OUT_DIR/<name>.wasm`, which `src/guests.rs`
//!   embeds with `include_bytes!`. Writing them as text keeps the repository free of opaque
//!   binaries, and the `wat` crate runs on the host, so the firmware carries no text parser.
//! - the memory map: `memory/<board>.x` for the target is copied to `$OUT_DIR/memory.x`,
//!   where the runtime crates' `link.x` includes it, and `link.x` is passed to the linker
//!   (with an empty `device.x` on Arm: see `src/arch/cortex_m.rs`'s `__INTERRUPTS`).

use std::env;
use std::fs;
use std::path::PathBuf;

/// The guests, by file stem.
const GUESTS: &[&str] = &["compute", "floats", "trap", "fuel", "invalid"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    for name in GUESTS {
        let src = format!("guests/{name}.wat");
        println!("cargo::rerun-if-changed={src}");
        let wasm = wat::parse_file(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        fs::write(out.join(format!("{name}.wasm")), wasm).expect("write guest");
    }

    // Only the two boards the firmware supports; anything else is a mistake worth a clear
    // message rather than a link error.
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let board = match arch.as_str() {
        "arm" => "mps2-an386",
        "riscv32" => "qemu-virt",
        other => panic!(
            "wisp-firmware builds for thumbv7em-none-eabihf (mps2-an386) or \
             riscv32imac-unknown-none-elf (QEMU virt), not for target arch `{other}`"
        ),
    };
    let map = format!("memory/{board}.x");
    println!("cargo::rerun-if-changed={map}");
    fs::copy(&map, out.join("memory.x")).expect("copy memory map");
    // cortex-m-rt's `device` feature has its `link.x` include `device.x`, where a device
    // crate names its interrupt handlers; this firmware handles none, so it is empty.
    if arch == "arm" {
        fs::write(out.join("device.x"), "").expect("write device.x");
    }
    println!("cargo::rustc-link-search={}", out.display());
    println!("cargo::rustc-link-arg-bins=-Tlink.x");
}
