//! wisp-jit: wisp's Cranelift JIT tier.
//!
//! Wasm functions are compiled to native code that works on the same instance model as the
//! interpreter (`wisp_core::vm::VmCtx`, the store's memories, tables and globals), with the
//! same semantics: where the signal handler serves the host (`signals`), every trap is a
//! trap instruction or a guarded memory's fault, which the handler turns into the trap's
//! status at the entry point; elsewhere (and with `Config::signals_based_traps(false)`)
//! every trap is an explicit branch that returns the status. Fuel is charged at the
//! interpreter's points in the interpreter's amounts; deep recursion ends in
//! `StackExhausted`, never in a crash.
//!
//! - `translate`: wasm bodies to Cranelift IR.
//! - `trampolines`: the array-call entries Rust enters native code through.
//! - `compile`: a module's functions compiled, laid out and linked in one mapping.
//! - `code_memory`: that mapping: never writable and executable at once.
//! - `libcalls`: the runtime functions native code calls (growth, bulk operations, calls
//!   that leave the module).
//! - `executor`: the `Executor` the engine calls, and the entry from Rust.
//! - `tiering`: the interpreter and the JIT on one engine: profiles, a compile thread,
//!   functions swapped in one at a time, on-stack replacement.
//! - `signals`: traps from faults and trap instructions; every entry from Rust goes through it.
//! - `trap_codes`: wasm traps as Cranelift trap codes and back.
//! - `stack`: the native stack limit.
//! - `offsets`: where native code finds the runtime's fields.
//! - `perf_map`: symbols for `perf` (`WISP_PERF_MAP`).

#[cfg(not(unix))]
compile_error!("wisp-jit maps its code with mmap: it builds on Unix systems only");

mod code_memory;
mod compile;
mod executor;
mod libcalls;
mod offsets;
mod perf_map;
mod signals;
mod stack;
mod tiering;
mod trampolines;
mod translate;
mod trap_codes;

pub use compile::CompileStats;
pub use executor::{simd_unsupported, Jit};
pub use tiering::{tier_stats, FuncTierStats, Tiered};

/// What compiling `module` cost, if the JIT has compiled it (on its first call, or when it
/// loaded with eager translation).
pub fn compile_stats(module: &wisp_core::Module) -> Option<CompileStats> {
    compile::stats(module.inner())
}
