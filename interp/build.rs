//! Chooses the executor's dispatch at build time (see `src/exec/mod.rs`):
//!
//! - `wisp_tail_dispatch`: each handler ends by calling the next one in tail position, which
//!   LLVM turns into a jump (sibling-call optimisation). Set only where that is reliable: an
//!   optimising build (opt-level 2, 3, "s" or "z") without debug assertions (their checks
//!   keep LLVM from turning some handlers' calls into jumps) for x86_64, aarch64 or riscv64,
//!   and not under Miri or the `portable-dispatch` feature.
//! - otherwise a portable loop calls the same handlers one at a time.
//!
//! - `wisp_own_decoder`: the translator reads function bodies with wisp's own decoder
//!   (`wisp_core::operators`) rather than wasmparser's: with the `own-decoder` feature
//!   (firmware), unless a feature needs operators outside the firmware profile (`simd`,
//!   `exceptions`, `function-references`, `wide-arithmetic`, `threads`), whose builds keep wasmparser's.
//!
//! Stable Rust does not guarantee tail calls, so correctness must never depend on this
//! choice: the tail-call build is tested on a small native stack (tests/dispatch.rs).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wisp_tail_dispatch)");
    println!("cargo::rustc-check-cfg=cfg(wisp_own_decoder)");
    let feature = |name: &str| std::env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    if feature("OWN_DECODER")
        && !feature("SIMD")
        && !feature("EXCEPTIONS")
        && !feature("FUNCTION_REFERENCES")
        && !feature("WIDE_ARITHMETIC")
        && !feature("THREADS")
    {
        println!("cargo::rustc-cfg=wisp_own_decoder");
    }
    println!("cargo::rerun-if-env-changed=CARGO_FEATURE_PORTABLE_DISPATCH");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let optimising = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let sibcalls = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64");
    let portable = std::env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    let miri = std::env::var_os("CARGO_CFG_MIRI").is_some();
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    // Sanitizers (cargo fuzz builds with AddressSanitizer) give handlers stack frames of
    // their own, so LLVM keeps some of their tail calls as calls, and a long loop then
    // overflows the native stack: the fuzz target `run` did, on SIMD handlers.
    let sanitized = std::env::var_os("CARGO_CFG_SANITIZE").is_some();
    if optimising && !debug_assertions && sibcalls && !portable && !miri && !sanitized {
        println!("cargo::rustc-cfg=wisp_tail_dispatch");
    }
}
