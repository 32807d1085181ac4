//! Code that more than one of wisp's crates runs but none of them ships as its API: the
//! JIT's differential test and the fuzz targets share the oracle, wisp-wasi's tests and the
//! `wasi_paths` fuzz target share the WASI harness. One crate, so that every user depends
//! on it by name instead of including another crate's files by path. (The peak-counting
//! allocator the CLI and the benchmark harness share is the facade's `wisp::peak`: the CLI
//! ships it, and a published crate cannot depend on this unpublished one.)
//!
//! Each module is behind a feature, for its heavy dependencies (the JIT and wasm-smith;
//! the interpreter and WASI).

// Test code, not an API: the workspace's `missing_docs` is for core, the interpreter and the
// JIT. The items say what a test needs to know where it is not obvious.
#![allow(missing_docs)]

#[cfg(feature = "oracle")]
pub mod oracle;
#[cfg(feature = "wasi")]
pub mod wasi;
