//! Code that more than one of wisp's crates runs but none of them ships as its API: the
//! JIT's differential test and the fuzz targets share the oracle, wisp-wasi's tests and the
//! `wasi_paths` fuzz target share the WASI harness, and the CLI's `--stats` and the
//! benchmark harness share the peak-counting allocator. One crate, so that every user
//! depends on it by name instead of including another crate's files by path.
//!
//! The modules behind features have heavy dependencies (the JIT and wasm-smith; the
//! interpreter and WASI); `peak` has none, so the CLI uses it without building any of them.

// Test code, not an API: the workspace's `missing_docs` is for core, the interpreter and the
// JIT. The items say what a test needs to know where it is not obvious.
#![allow(missing_docs)]

#[cfg(feature = "oracle")]
pub mod oracle;
pub mod peak;
#[cfg(feature = "wasi")]
pub mod wasi;
