//! The execution tiers the suite can run on. Everything else in the runner is the same for
//! every tier: a tier only decides how an engine is made.

use std::fmt;
use std::str::FromStr;

use wisp::{Config, Engine};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// wisp's register interpreter.
    #[default]
    Interp,
    /// The Cranelift JIT (built with the `jit` feature).
    #[cfg(feature = "jit")]
    Jit,
    /// Tier-up with thresholds that force switches mid-run: every function is compiled
    /// at its first call, and a frame looping in the interpreter moves to native code at
    /// its first loop header; the calling thread waits for each compile (so the switches
    /// happen at the same points every run).
    #[cfg(feature = "jit")]
    Tiered,
    /// Each function interpreted or native by a seeded choice (`WISP_MIXED_SEED`, default
    /// [`MIXED_SEED`]), so calls cross tiers in both directions.
    #[cfg(feature = "jit")]
    Mixed,
}

/// The seed of the mixed tier's choice when `WISP_MIXED_SEED` is not set.
pub const MIXED_SEED: u64 = 0x5eed;

impl Tier {
    #[cfg(not(feature = "jit"))]
    pub const ALL: &'static [Tier] = &[Tier::Interp];
    #[cfg(feature = "jit")]
    pub const ALL: &'static [Tier] = &[Tier::Interp, Tier::Jit, Tier::Tiered, Tier::Mixed];

    /// The name used on the command line and in the summary line.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            #[cfg(feature = "jit")]
            Tier::Jit => "jit",
            #[cfg(feature = "jit")]
            Tier::Tiered => "tiered",
            #[cfg(feature = "jit")]
            Tier::Mixed => "mixed",
        }
    }

    /// An engine running wasm on this tier.
    pub fn engine(self, config: &Config) -> Engine {
        match self {
            Tier::Interp => Engine::with_tier(config, wisp::Tier::Interp)
                .unwrap_or_else(|_| Engine::new(config)),
            #[cfg(feature = "jit")]
            Tier::Jit => jit_engine(config, wisp::Tier::Jit),
            #[cfg(feature = "jit")]
            Tier::Tiered => {
                let mut config = config.clone();
                config.tier_up(wisp::TierUp {
                    calls: 1,
                    loops: 1,
                    background: false,
                });
                jit_engine(&config, wisp::Tier::Tiered)
            }
            #[cfg(feature = "jit")]
            Tier::Mixed => {
                let seed = std::env::var("WISP_MIXED_SEED")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(MIXED_SEED);
                jit_engine(config, wisp::Tier::Mixed { seed })
            }
        }
    }
}

#[cfg(feature = "jit")]
fn jit_engine(config: &Config, tier: wisp::Tier) -> Engine {
    Engine::with_tier(config, tier).unwrap_or_else(|e| panic!("this host has no JIT: {e}"))
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Tier {
    type Err = String;

    fn from_str(s: &str) -> Result<Tier, String> {
        Tier::ALL
            .iter()
            .copied()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
                format!("unknown tier `{s}` (known: {})", names.join(", "))
            })
    }
}
