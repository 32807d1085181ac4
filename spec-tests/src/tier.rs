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
}

impl Tier {
    #[cfg(not(feature = "jit"))]
    pub const ALL: &'static [Tier] = &[Tier::Interp];
    #[cfg(feature = "jit")]
    pub const ALL: &'static [Tier] = &[Tier::Interp, Tier::Jit];

    /// The name used on the command line and in the summary line.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            #[cfg(feature = "jit")]
            Tier::Jit => "jit",
        }
    }

    /// An engine running wasm on this tier.
    pub fn engine(self, config: &Config) -> Engine {
        match self {
            Tier::Interp => Engine::new(config),
            #[cfg(feature = "jit")]
            Tier::Jit => Engine::with_tier(config, wisp::Tier::Jit)
                .unwrap_or_else(|e| panic!("this host has no JIT: {e}")),
        }
    }
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
