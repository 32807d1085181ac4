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
#[cfg(feature = "jit")]
pub use wisp_jit as jit;
#[cfg(feature = "wasi")]
pub use wisp_wasi as wasi;

/// The execution tier an engine runs wasm code on. Non-exhaustive: which variants exist
/// depends on the build's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Tier {
    /// The register interpreter: always there, `no_std`.
    #[default]
    Interp,
    /// Native code from Cranelift (feature `jit`), compiled a module at a time on its first
    /// call (or when it loads, with `Config::lazy_translation(false)`).
    #[cfg(feature = "jit")]
    Jit,
}

/// An engine that runs wasm on one of wisp's tiers (the interpreter unless made with
/// [`Engine::with_tier`]). Dereferences to [`wisp_core::Engine`], so
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

impl Engine {
    /// An engine that runs wasm on `tier`. Fails for the JIT on a host Cranelift does not
    /// serve.
    pub fn with_tier(config: &Config, tier: Tier) -> Result<Engine> {
        match tier {
            Tier::Interp => Ok(Engine::new(config)),
            #[cfg(feature = "jit")]
            Tier::Jit => {
                let jit = wisp_jit::Jit::new()
                    .map_err(|message| Error::Unsupported(ModuleError { message, offset: 0 }))?;
                Ok(Engine(wisp_core::Engine::with_executor(
                    config,
                    Arc::new(jit),
                )))
            }
        }
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
