//! One adapter per runtime, so every runtime compiles, instantiates and runs a workload
//! the same way. Compilation modes are compared like for like: `Lazy` validates now and
//! translates on first call; `Eager` translates everything at load.

use std::time::Duration;

/// How a runtime prepares code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Lazy,
    Eager,
}

/// A compiled module of some runtime.
pub trait Compiled {
    /// A fresh instance's `run` export.
    fn instantiate(&self) -> Result<Box<dyn Instance>, String>;

    /// Time spent compiling or translating this module so far, on any thread, where the
    /// runtime tells.
    fn compile_time(&self) -> Option<Duration> {
        None
    }
}

pub trait Instance {
    fn run(&mut self, n: i32) -> Result<i64, String>;
}

/// A runtime under test.
pub trait Runtime {
    fn name(&self) -> &'static str;
    /// Decodes, validates and (in `Eager` mode) translates or compiles `wasm`.
    fn compile(&self, wasm: &[u8], mode: Mode) -> Result<Box<dyn Compiled>, String>;
}

/// The runtimes this build can compare, wisp first.
pub fn runtimes() -> Vec<Box<dyn Runtime>> {
    let mut list: Vec<Box<dyn Runtime>> = vec![Box::new(wisp_rt::Wisp::INTERP)];
    #[cfg(feature = "jit")]
    list.push(Box::new(wisp_rt::Wisp::JIT));
    #[cfg(feature = "wasmi")]
    list.push(Box::new(wasmi_rt::Wasmi));
    #[cfg(feature = "wasmtime")]
    list.push(Box::new(wasmtime_rt::Wasmtime));
    list
}

/// The contenders of the tiers comparison, each in the mode a user would run it: wisp's
/// interpreter (lazy), JIT (eager) and tiered engine, then the peers (wasmi lazy, wasmtime,
/// which is always eager).
#[cfg(feature = "jit")]
pub fn tier_runtimes() -> Vec<(Box<dyn Runtime>, Mode)> {
    let mut list: Vec<(Box<dyn Runtime>, Mode)> = vec![
        (Box::new(wisp_rt::Wisp::INTERP), Mode::Lazy),
        (Box::new(wisp_rt::Wisp::JIT), Mode::Eager),
        (Box::new(wisp_rt::Wisp::TIERED), Mode::Lazy),
    ];
    #[cfg(feature = "wasmi")]
    list.push((Box::new(wasmi_rt::Wasmi), Mode::Lazy));
    #[cfg(feature = "wasmtime")]
    list.push((Box::new(wasmtime_rt::Wasmtime), Mode::Eager));
    list
}

mod wisp_rt {
    use super::*;
    use wisp::{Config, Engine, Linker, Module, Store, Tier, TypedFunc};

    /// wisp on one of its tiers.
    pub struct Wisp {
        name: &'static str,
        tier: Tier,
    }

    impl Wisp {
        pub const INTERP: Wisp = Wisp {
            name: "wisp",
            tier: Tier::Interp,
        };
        /// The JIT compiles a whole module: eagerly at load in `Eager` mode, on the first
        /// call in `Lazy` mode.
        #[cfg(feature = "jit")]
        pub const JIT: Wisp = Wisp {
            name: "wisp-jit",
            tier: Tier::Jit,
        };
        /// The interpreter, tiering hot code up to the JIT with the default thresholds,
        /// compiling on a background thread.
        #[cfg(feature = "jit")]
        pub const TIERED: Wisp = Wisp {
            name: "wisp-tiered",
            tier: Tier::Tiered,
        };
    }

    struct WispModule {
        engine: Engine,
        module: Module,
    }

    struct WispInstance {
        store: Store<()>,
        run: TypedFunc<i32, i64>,
    }

    impl Runtime for Wisp {
        fn name(&self) -> &'static str {
            self.name
        }

        fn compile(&self, wasm: &[u8], mode: Mode) -> Result<Box<dyn Compiled>, String> {
            let mut config = Config::default();
            config.lazy_translation(mode == Mode::Lazy);
            let engine = Engine::with_tier(&config, self.tier).map_err(|e| e.to_string())?;
            let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
            Ok(Box::new(WispModule { engine, module }))
        }
    }

    impl Compiled for WispModule {
        fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
            let mut store = Store::new(&self.engine, ());
            let instance = Linker::new(&self.engine)
                .instantiate(&mut store, &self.module)
                .map_err(|e| e.to_string())?;
            let run = instance
                .get_typed_func::<i32, i64>(&store, "run")
                .map_err(|e| e.to_string())?;
            Ok(Box::new(WispInstance { store, run }))
        }

        fn compile_time(&self) -> Option<Duration> {
            let nanos = |n: Option<u64>| Duration::from_nanos(n.unwrap_or(0));
            let translated = nanos(wisp::interp::translation_stats(&self.module).nanos);
            match self.engine.tier() {
                #[cfg(feature = "jit")]
                Tier::Jit => Some(nanos(
                    wisp::jit::compile_stats(&self.module).map(|s| s.nanos),
                )),
                #[cfg(feature = "jit")]
                Tier::Tiered => {
                    let stats = wisp::jit::tier_stats(&self.module).unwrap_or_default();
                    let native: Duration = stats.iter().map(|f| f.compile_time).sum();
                    Some(translated + native)
                }
                _ => Some(translated),
            }
        }
    }

    impl Instance for WispInstance {
        fn run(&mut self, n: i32) -> Result<i64, String> {
            self.run.call(&mut self.store, n).map_err(|e| e.to_string())
        }
    }
}

#[cfg(feature = "wasmi")]
mod wasmi_rt {
    use super::*;
    use wasmi::{CompilationMode, Config, Engine, Linker, Module, Store, TypedFunc};

    pub struct Wasmi;

    struct WasmiModule {
        engine: Engine,
        module: Module,
    }

    struct WasmiInstance {
        store: Store<()>,
        run: TypedFunc<i32, i64>,
    }

    impl Runtime for Wasmi {
        fn name(&self) -> &'static str {
            "wasmi"
        }

        fn compile(&self, wasm: &[u8], mode: Mode) -> Result<Box<dyn Compiled>, String> {
            let mut config = Config::default();
            config.compilation_mode(match mode {
                Mode::Lazy => CompilationMode::LazyTranslation,
                Mode::Eager => CompilationMode::Eager,
            });
            let engine = Engine::new(&config);
            let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
            Ok(Box::new(WasmiModule { engine, module }))
        }
    }

    impl Compiled for WasmiModule {
        fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
            let mut store = Store::new(&self.engine, ());
            let instance = Linker::<()>::new(&self.engine)
                .instantiate_and_start(&mut store, &self.module)
                .map_err(|e| e.to_string())?;
            let run = instance
                .get_typed_func::<i32, i64>(&store, "run")
                .map_err(|e| e.to_string())?;
            Ok(Box::new(WasmiInstance { store, run }))
        }
    }

    impl Instance for WasmiInstance {
        fn run(&mut self, n: i32) -> Result<i64, String> {
            self.run.call(&mut self.store, n).map_err(|e| e.to_string())
        }
    }
}

#[cfg(feature = "wasmtime")]
mod wasmtime_rt {
    use super::*;
    use wasmtime::{Config, Engine, Linker, Module, Store, TypedFunc};

    /// wasmtime compiles eagerly whatever the mode (it has no lazy mode): its `Lazy` and
    /// `Eager` rows are the same Cranelift compilation.
    pub struct Wasmtime;

    struct WasmtimeModule {
        engine: Engine,
        module: Module,
    }

    struct WasmtimeInstance {
        store: Store<()>,
        run: TypedFunc<i32, i64>,
    }

    impl Runtime for Wasmtime {
        fn name(&self) -> &'static str {
            "wasmtime"
        }

        fn compile(&self, wasm: &[u8], _mode: Mode) -> Result<Box<dyn Compiled>, String> {
            let engine = Engine::new(&Config::new()).map_err(|e| e.to_string())?;
            let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
            Ok(Box::new(WasmtimeModule { engine, module }))
        }
    }

    impl Compiled for WasmtimeModule {
        fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
            let mut store = Store::new(&self.engine, ());
            let instance = Linker::<()>::new(&self.engine)
                .instantiate(&mut store, &self.module)
                .map_err(|e| e.to_string())?;
            let run = instance
                .get_typed_func::<i32, i64>(&mut store, "run")
                .map_err(|e| e.to_string())?;
            Ok(Box::new(WasmtimeInstance { store, run }))
        }
    }

    impl Instance for WasmtimeInstance {
        fn run(&mut self, n: i32) -> Result<i64, String> {
            self.run.call(&mut self.store, n).map_err(|e| e.to_string())
        }
    }
}
