//! wisp's C API: the standard WebAssembly C API (`include/wasm.h`) and wisp's additions
//! (`include/wisp.h`, and `include/wasi.h` for WASI), built as `libwisp.a` and `libwisp.so` (`cargo build --release -p
//! wisp-c-api`).
//!
//! | module | what |
//! |---|---|
//! | `vec` | the vectors (`wasm_*_vec_t`) and their five functions, generated per type |
//! | `types` | value types and extern types (one Rust type for every extern type) |
//! | `object` | reference objects (one Rust type for every reference), host info, views |
//! | `runtime` | configuration, engines, stores |
//! | `val` | `wasm_val_t` and its conversion to wisp's `Val` |
//! | `module` | modules, validation, sharing, the serialized form |
//! | `func` | host functions from C callbacks, calls |
//! | `entities` | globals, tables, memories |
//! | `instance` | instances, extern kinds and types |
//! | `trap` | traps and frames |
//! | `error` | the thread's last error (`wisp_error_message`) |
//! | `wasi` | wasi.h: WASI configuration, the store's context, a module's WASI imports |
//! | `wisp_ext` | wisp.h: tiers, fuel, limits, interruption |
//! | `bare_metal` | without `std`: the allocator (the C side's malloc) and the panic handler |
//!
//! Invariants at the boundary: no function unwinds into C (none panics on any input the
//! headers allow; null is accepted wherever a pointer is taken and answered with null,
//! `false`, zero or an empty vector, and the reason recorded as the last error); every
//! object handed out is a `Box` the matching `*_delete` frees; an object refers to its
//! store by address, so a store never moves and outlives its objects (the header says
//! so).

#![cfg_attr(not(feature = "std"), no_std)]
// The C names are the standard's.
#![allow(non_camel_case_types)]
// The functions are documented where C users read them: the headers.
#![allow(missing_docs, clippy::missing_safety_doc)]

extern crate alloc;

#[cfg(not(feature = "std"))]
mod bare_metal;
mod entities;
mod error;
mod func;
mod instance;
mod module;
mod object;
mod runtime;
mod trap;
mod types;
mod val;
mod vec;
#[cfg(feature = "std")]
mod wasi;
mod wisp_ext;
