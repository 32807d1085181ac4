//! wisp: a WebAssembly runtime. This facade re-exports the embedding API of [`wisp_core`]
//! and wires in the execution tier: the register-based interpreter of [`wisp_interp`],
//! always available, `no_std`. The crate documentation below is the README; its examples
//! run as doctests.
#![doc = include_str!("../README.md")]
#![no_std]

extern crate alloc;

use alloc::sync::Arc;

#[cfg(feature = "wat")]
pub use wat;
pub use wisp_core::{
    module, vm, AsContext, AsContextMut, Caller, Config, Error, Extern, ExternRef, ExternType,
    FrameInfo, Func, FuncType, Global, GlobalType, HostError, Instance, IntoFunc, Linker, Memory,
    MemoryType, Module, ModuleError, Mutability, RefType, Result, Store, StoreContext,
    StoreContextMut, Table, TableType, Trap, TrapCode, TypedFunc, Val, ValType, WasmParams,
    WasmResults, WasmTy,
};
pub use wisp_interp as interp;
#[cfg(feature = "wasi")]
pub use wisp_wasi as wasi;

/// An engine that runs wasm on wisp's interpreter. Dereferences to [`wisp_core::Engine`], so
/// it goes wherever the API asks for `&Engine`.
#[derive(Clone, Debug)]
pub struct Engine(wisp_core::Engine);

impl Engine {
    pub fn new(config: &Config) -> Engine {
        // A build without float handlers must refuse float code before it runs.
        #[cfg(feature = "no-float")]
        let config = &{
            let mut config = config.clone();
            config.wasm_floats(false);
            config
        };
        Engine(wisp_core::Engine::with_executor(
            config,
            Arc::new(wisp_interp::Interpreter::new()),
        ))
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default())
    }
}

impl core::ops::Deref for Engine {
    type Target = wisp_core::Engine;
    fn deref(&self) -> &wisp_core::Engine {
        &self.0
    }
}
