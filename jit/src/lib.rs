//! wisp-jit: wisp's Cranelift JIT tier.
//!
//! Wasm functions are compiled to native code that works on the same instance model as the
//! interpreter (`wisp_core::vm::VmCtx`, the store's memories, tables and globals), with the
//! same semantics: every trap is an explicit branch that returns a status, except an
//! out-of-bounds access to a guarded memory, which faults and which the signal handler
//! (`signals`) turns into the same status at the entry point; fuel is charged at the interpreter's points in the interpreter's amounts,
//! deep recursion ends in `StackExhausted`, never in a crash.
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
//! - `signals`: traps from faults in guarded memories; every entry from Rust goes through it.
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

pub use compile::CompileStats;
pub use executor::{simd_unsupported, Jit};
pub use tiering::{tier_stats, FuncTierStats, Tiered};

/// What compiling `module` cost, if the JIT has compiled it (on its first call, or when it
/// loaded with eager translation).
pub fn compile_stats(module: &wisp_core::Module) -> Option<CompileStats> {
    compile::stats(module.inner())
}
