//! wisp: a WebAssembly runtime. This facade re-exports the embedding API of [`wisp_core`]
//! and wires in the execution tier: the register-based interpreter of [`wisp_interp`],
//! always available, `no_std`. The crate documentation below is the README; its examples
//! run as doctests.
#![doc = include_str!("../README.md")]
#![no_std]

extern crate alloc;

use alloc::sync::Arc;

/// A peak-counting global allocator: the one behind `wisp run --stats` and the benchmark
/// harness's memory figures.
#[cfg(feature = "std")]
pub mod peak;
#[cfg(feature = "wat")]
pub use wat;
#[cfg(feature = "std")]
pub use wisp_core::SharedMemory;
pub use wisp_core::{
    module, vm, AsContext, AsContextMut, Caller, Config, Error, ExnRef, Extern, ExternRef,
    ExternType, FrameInfo, Func, FuncType, Global, GlobalType, HeapType, HostError, Instance,
    InterruptHandle, IntoFunc, Linker, Memory, MemoryType, Message, Module, ModuleError,
    ModuleLimits, Mutability, RefType, ResourceLimiter, Result, Store, StoreContext,
    StoreContextMut, StoreResource, Table, TableType, Tag, TagType, Tier, TierEvent, TierUp, Trap,
    TrapCode, TypedFunc, Val, ValType, WasmParams, WasmResults, WasmTy, V128,
};
/// wisp's own validator for the firmware profile ([`Config::own_validator`]).
pub use wisp_core::{put, text, validate};
pub use wisp_interp as interp;
#[cfg(feature = "jit")]
pub use wisp_jit as jit;
#[cfg(feature = "wasi")]
pub use wisp_wasi as wasi;

/// An engine that runs wasm on one of wisp's tiers ([`Config::tier`]). Dereferences to
/// [`wisp_core::Engine`], so it goes wherever the API asks for `&Engine`.
#[derive(Clone, Debug)]
pub struct Engine(wisp_core::Engine);

impl Engine {
    /// An engine on the tier `config` asks for: unset, [`Tier::Tiered`] when built with the
    /// `jit` feature on a host the JIT serves, else [`Tier::Interp`]. A JIT tier this build
    /// or host cannot run falls back to the interpreter (see [`Engine::tier`]);
    /// [`Engine::with_tier`] refuses instead.
    pub fn new(config: &Config) -> Engine {
        let tier = config.get_tier().unwrap_or(DEFAULT_TIER);
        Engine::build(config, tier).unwrap_or_else(|_| Engine::interp(config))
    }

    /// An engine running wasm on `tier` (overriding `config`'s), or why this build or host
    /// cannot.
    pub fn with_tier(config: &Config, tier: Tier) -> Result<Engine> {
        Engine::build(config, tier)
    }

    /// The tier this engine runs.
    pub fn tier(&self) -> Tier {
        self.0.config().get_tier().unwrap_or(Tier::Interp)
    }

    fn build(config: &Config, tier: Tier) -> Result<Engine> {
        match tier {
            Tier::Interp => Ok(Engine::interp(config)),
            #[cfg(feature = "jit")]
            Tier::Jit => {
                let jit = wisp_jit::Jit::new().map_err(unsupported)?;
                Ok(Engine::on(config, tier, Arc::new(jit)))
            }
            #[cfg(feature = "jit")]
            Tier::Tiered | Tier::Mixed { .. } => {
                let tiered = wisp_jit::Tiered::new().map_err(unsupported)?;
                Ok(Engine::on(config, tier, Arc::new(tiered)))
            }
            _ => Err(unsupported(wisp_core::text!("{} needs wisp's `jit` feature, which this build does not have (build with `--features jit`)", match tier {
                    Tier::Jit => "Jit",
                    Tier::Tiered => "Tiered",
                    _ => "Mixed",
                }))),
        }
    }

    /// (What this build of the interpreter leaves out, floats with `no-float`, exception
    /// handling without `exceptions`, the engine refuses at load: `Executor::left_out`.)
    fn interp(config: &Config) -> Engine {
        Engine::on(
            config,
            Tier::Interp,
            Arc::new(wisp_interp::Interpreter::new()),
        )
    }

    /// The engine, with the tier it runs recorded in its configuration (the tiers read it
    /// there: the interpreter profiles only for `Tier::Tiered`).
    fn on(config: &Config, tier: Tier, executor: Arc<dyn wisp_core::vm::Executor>) -> Engine {
        let mut config = config.clone();
        config.tier(tier);
        Engine(wisp_core::Engine::with_executor(config, executor))
    }
}

/// The tier engines run when the configuration does not say.
#[cfg(feature = "jit")]
const DEFAULT_TIER: Tier = Tier::Tiered;
#[cfg(not(feature = "jit"))]
const DEFAULT_TIER: Tier = Tier::Interp;

fn unsupported(message: alloc::string::String) -> Error {
    Error::Unsupported(ModuleError {
        message: message.into(),
        offset: 0,
    })
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
