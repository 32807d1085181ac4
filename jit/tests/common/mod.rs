//! The tiers the JIT's integration tests run on, and engines for them.

#![allow(dead_code)] // Each test file uses some of this.

use std::sync::Arc;

use wisp_core::{Config, Engine, Instance, Linker, Module, Store, TierUp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Interp,
    Jit,
    /// Tier-up forced at the first call and the first loop iteration.
    Tiered,
    /// Seeded choice per function.
    Mixed(u64),
    /// As `Tiered`, but the defined functions listed stay interpreted (their compiles
    /// fail on purpose), so calls, tail calls and exceptions cross between the tiers
    /// where a test puts them.
    Split(&'static [u32]),
}

/// The interpreter first: the reference the native tiers are compared with.
pub const ALL: [Tier; 5] = [
    Tier::Interp,
    Tier::Jit,
    Tier::Tiered,
    Tier::Mixed(1),
    Tier::Mixed(2),
];

/// The tiers that run native code.
pub const NATIVE: [Tier; 5] = [
    Tier::Jit,
    Tier::Tiered,
    Tier::Mixed(1),
    Tier::Mixed(2),
    Tier::Mixed(3),
];

/// Whether `tier` runs modules with SIMD on this host: all but `Jit` where the host's JIT
/// has no SIMD (`--tier jit` refuses such modules; tier-up keeps their functions
/// interpreted, which the other tiers still test).
pub fn runs_simd(tier: Tier) -> bool {
    tier != Tier::Jit || wisp_jit::simd_unsupported().is_none()
}

/// An engine running `tier`, and what it needs to load modules for it.
pub struct TierEngine {
    pub engine: Engine,
    tiered: Option<Arc<wisp_jit::Tiered>>,
    interpreted: &'static [u32],
}

impl TierEngine {
    pub fn new(tier: Tier, config: &Config) -> TierEngine {
        let mut config = config.clone();
        let forced = TierUp {
            calls: 1,
            loops: 1,
            background: false,
        };
        let (executor, tiered, interpreted): (Arc<dyn wisp_core::vm::Executor>, _, _) = match tier {
            Tier::Interp => (Arc::new(wisp_interp::Interpreter::new()), None, &[][..]),
            Tier::Jit => (Arc::new(wisp_jit::Jit::new().unwrap()), None, &[][..]),
            Tier::Tiered | Tier::Split(_) => {
                config.tier(wisp_core::Tier::Tiered).tier_up(forced);
                let tiered = Arc::new(wisp_jit::Tiered::new().unwrap());
                let interpreted = match tier {
                    Tier::Split(defs) => defs,
                    _ => &[][..],
                };
                (tiered.clone(), Some(tiered), interpreted)
            }
            Tier::Mixed(seed) => {
                config.tier(wisp_core::Tier::Mixed { seed });
                (Arc::new(wisp_jit::Tiered::new().unwrap()), None, &[][..])
            }
        };
        TierEngine {
            engine: Engine::with_executor(config, executor),
            tiered,
            interpreted,
        }
    }

    /// `wat` compiled for the tier.
    pub fn module(&self, wat: &str) -> Module {
        let module = Module::new(&self.engine, wat::parse_str(wat).unwrap()).unwrap();
        if let Some(tiered) = &self.tiered {
            for &def in self.interpreted {
                tiered.fail_compiles_of(&module, def);
            }
        }
        module
    }

    /// `wat` instantiated with no imports in a new store.
    pub fn instantiate(&self, wat: &str) -> (Store<()>, Instance) {
        let module = self.module(wat);
        let mut store = Store::new(&self.engine, ());
        let instance = Linker::new(&self.engine)
            .instantiate(&mut store, &module)
            .unwrap();
        (store, instance)
    }
}

/// An engine running `tier`.
pub fn engine(tier: Tier, config: &Config) -> Engine {
    TierEngine::new(tier, config).engine
}

/// An engine that tiers up only at a loop's 100th iteration (never at a call), without a
/// background thread: a call stuck in a loop moves to native code there, by on-stack
/// replacement.
pub fn osr_engine(config: &Config) -> Engine {
    let mut config = config.clone();
    config.tier(wisp_core::Tier::Tiered).tier_up(TierUp {
        calls: 1_000_000,
        loops: 100,
        background: false,
    });
    Engine::with_executor(config, Arc::new(wisp_jit::Tiered::new().unwrap()))
}

/// The tier-up statistics of the function `module` exports as `name`.
pub fn tier_stats_of(module: &Module, name: &str) -> wisp_jit::FuncTierStats {
    use wisp_core::module::ExternIndex;
    let index = module
        .inner()
        .exports
        .iter()
        .find_map(|e| match e.index {
            ExternIndex::Func(f) if e.name == name => Some(f),
            _ => None,
        })
        .expect("exported");
    wisp_jit::tier_stats(module)
        .expect("a tiered module")
        .into_iter()
        .find(|f| f.func == index)
        .expect("a defined function")
}
