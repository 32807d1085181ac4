//! `Config` and `Engine`: what a set of modules and stores is allowed to use, and the
//! execution tier that runs their code.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::hash::Map;
use spin::Mutex;

use crate::limits::ModuleLimits;
use crate::types::{FuncType, MemoryType};
use crate::vm::Executor;

/// The guard region after a guarded memory's 4 GiB ([`Config::signals_based_traps`]):
/// native code checks an access explicitly only when its static offset plus its width
/// passes this (compilers put large offsets in the address, not the offset field).
pub const MEMORY_GUARD: u64 = 32 << 20;

/// Engine-wide settings. Start from `Config::default()` and adjust.
#[derive(Clone)]
pub struct Config {
    pub(crate) features: wasmparser::WasmFeatures,
    pub(crate) consume_fuel: bool,
    pub(crate) lazy_translation: bool,
    pub(crate) own_validator: bool,
    pub(crate) interruptible: bool,
    pub(crate) max_call_depth: u32,
    pub(crate) max_stack_slots: u32,
    pub(crate) max_frame_slots: u32,
    pub(crate) max_memory_bytes: u64,
    pub(crate) memory_reservation: bool,
    pub(crate) signals_based_traps: bool,
    pub(crate) compile_threads: u32,
    /// Bytes of inaccessible address space after every guardable memory's 4 GiB, or 0 for
    /// explicit bounds checks: decided by `Engine::with_executor` (see
    /// [`Config::memory_guarded`]), never set directly.
    pub(crate) memory_guard: u64,
    pub(crate) max_table_elements: u32,
    pub(crate) max_instances: u32,
    pub(crate) max_memories: u32,
    pub(crate) max_tables: u32,
    pub(crate) max_store_memory_bytes: u64,
    pub(crate) max_exceptions: u32,
    pub(crate) module_limits: ModuleLimits,
    pub(crate) tier: Option<Tier>,
    pub(crate) tier_up: TierUp,
    pub(crate) tier_events: Option<TierListener>,
}

/// A listener for [`TierEvent`]s.
pub type TierListener = Arc<dyn Fn(&TierEvent) + Send + Sync>;

/// What tier-up did, as it happens: given to the listener set with
/// [`Config::on_tier_event`], on the thread where it happened (the compile thread, for
/// compilations). The same facts, summed per function, are what `wisp run --tier-stats`
/// prints (`wisp::jit::tier_stats`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TierEvent {
    /// Function `func` (an index of `module`'s function index space) was compiled and its
    /// native code installed: every later call, from either tier, runs it.
    Compiled {
        /// The module the function belongs to.
        module: crate::Module,
        /// The function's index in `module`'s function index space.
        func: u32,
        /// How long compiling took.
        compile_time: core::time::Duration,
        /// When it was installed, from the module's first use by the engine.
        at: core::time::Duration,
    },
    /// Compiling `func` failed: it stays interpreted.
    CompileFailed {
        /// The module the function belongs to.
        module: crate::Module,
        /// The function's index in `module`'s function index space.
        func: u32,
        /// What the compiler reported.
        message: alloc::string::String,
    },
    /// An interpreted frame of `func` moved to native code at the loop at byte
    /// `loop_offset` (on-stack replacement).
    OsrEntered {
        /// The module the function belongs to.
        module: crate::Module,
        /// The function's index in `module`'s function index space.
        func: u32,
        /// The loop, by the byte offset of its `loop` operator in the module.
        loop_offset: u32,
    },
}

/// Which tier runs an engine's wasm code. Core runs none itself: the `wisp` facade builds
/// the executor this names (the JIT tiers need its `jit` feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tier {
    /// The register interpreter: always there, `no_std`.
    Interp,
    /// Native code from Cranelift for every function: compiled a module at a time on its
    /// first call, or when it loads with `Config::lazy_translation(false)`.
    Jit,
    /// Start in the interpreter, which counts calls and loop back-edges; functions past
    /// the thresholds of [`TierUp`] are compiled in the background and swapped in, and a
    /// hot loop moves to native code mid-execution (on-stack replacement).
    Tiered,
    /// A test tier: each function runs interpreted or native by a choice seeded with
    /// `seed`, fixed when the module is first used, so calls cross tiers in both
    /// directions.
    Mixed {
        /// Seeds each function's choice of tier.
        seed: u64,
    },
}

/// When [`Tier::Tiered`] compiles a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierUp {
    /// Interpreted calls before a function is compiled.
    pub calls: u32,
    /// Loop back-edges (loop header entries) in one function before it is compiled and,
    /// while a frame is still in the loop, entered at the loop header.
    pub loops: u32,
    /// Compile on a background thread while the interpreter keeps running (default).
    /// Off, the thread that found the function hot waits for its code: deterministic
    /// switching, for tests.
    pub background: bool,
}

impl Default for TierUp {
    /// Low thresholds: compiling happens on another thread and a compiled function serves
    /// calls and running frames alike, so waiting costs more than compiling early. The
    /// tiers comparison (BENCHMARKS.md) measured 1,000/10,000 up to 1.6x slower in total
    /// than 100/1,000 (sha2), and 300/3,000 no better than 100/1,000 anywhere.
    fn default() -> Self {
        TierUp {
            calls: 100,
            loops: 1_000,
            background: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        use wasmparser::WasmFeatures as F;
        // Wasm 2.0 (MVP, mutable globals, sign-extension, non-trapping float-to-int,
        // multi-value, bulk memory, reference types and SIMD), plus the Wasm 3.0 features
        // built so far, none of which costs code that does not use it: relaxed SIMD,
        // multiple memories, extended constant expressions, memory64 and table64, threads,
        // tail calls, typed function
        // references and exception handling (with its legacy form, which toolchains still
        // emit). A tier built without one of them takes it out (`Executor::left_out`).
        let features = F::WASM2
            .union(F::RELAXED_SIMD)
            .union(F::MULTI_MEMORY)
            .union(F::EXTENDED_CONST)
            .union(F::MEMORY64)
            .union(F::THREADS)
            .union(F::TAIL_CALL)
            .union(F::FUNCTION_REFERENCES)
            .union(F::EXCEPTIONS)
            .union(F::LEGACY_EXCEPTIONS);
        Config {
            features,
            consume_fuel: false,
            lazy_translation: true,
            own_validator: false,
            interruptible: false,
            max_call_depth: 100_000,
            max_stack_slots: 1 << 22,
            max_frame_slots: u16::MAX as u32,
            max_memory_bytes: 1 << 32,
            memory_reservation: true,
            signals_based_traps: true,
            compile_threads: 0,
            memory_guard: 0,
            max_table_elements: 10_000_000,
            max_instances: 10_000,
            max_memories: 10_000,
            max_tables: 10_000,
            max_store_memory_bytes: 1 << 34,
            max_exceptions: 1 << 20,
            module_limits: ModuleLimits::default(),
            tier: None,
            tier_up: TierUp::default(),
            tier_events: None,
        }
    }
}

macro_rules! feature_setters {
    ($($(#[$doc:meta])* $name:ident => $flag:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&mut self, enable: bool) -> &mut Self {
                self.features.set(wasmparser::WasmFeatures::$flag, enable);
                self
            }
        )*
    };
}

impl Config {
    /// The default configuration; each setter documents its default.
    pub fn new() -> Self {
        Self::default()
    }

    feature_setters! {
        /// Import and export of mutable globals (on by default).
        wasm_mutable_global => MUTABLE_GLOBAL,
        /// Fixed-width SIMD: `v128` and its operators (on by default).
        wasm_simd => SIMD,
        /// Relaxed SIMD, which needs [`Config::wasm_simd`] (on by default).
        wasm_relaxed_simd => RELAXED_SIMD,
        /// Sign-extension operators (on by default).
        wasm_sign_extension => SIGN_EXTENSION,
        /// Non-trapping float-to-int conversions (on by default).
        wasm_saturating_float_to_int => SATURATING_FLOAT_TO_INT,
        /// Multiple results and block parameters (on by default).
        wasm_multi_value => MULTI_VALUE,
        /// Bulk memory and table operations (on by default).
        wasm_bulk_memory => BULK_MEMORY,
        /// Reference types: several tables, `externref`, `table.*` (on by default).
        wasm_reference_types => REFERENCE_TYPES,
        /// Extended constant expressions (`i32.add` etc. in initialisers; on by default).
        wasm_extended_const => EXTENDED_CONST,
        /// Several memories per module (on by default).
        wasm_multi_memory => MULTI_MEMORY,
        /// 64-bit memories and tables (memory64 and table64): `i64` addresses and indices
        /// (on by default).
        wasm_memory64 => MEMORY64,
        /// The threads proposal: shared memories and atomic memory operators, `wait` and
        /// `notify` (on by default; shared memories need `std` and 64-bit atomics, and a
        /// build without them refuses such modules).
        wasm_threads => THREADS,
        /// Memories with custom page sizes, down to one byte (off by default).
        wasm_custom_page_sizes => CUSTOM_PAGE_SIZES,
        /// `f32`/`f64` types and instructions (on by default; off refuses modules that use
        /// them, as builds without float support must).
        wasm_floats => FLOATS,
        /// Tail calls: `return_call`, `return_call_indirect`, `return_call_ref` (on by
        /// default).
        wasm_tail_call => TAIL_CALL,
        /// Typed function references: `(ref $t)`, `call_ref`, `ref.as_non_null`,
        /// `br_on_null`, `br_on_non_null`, non-nullable locals, table initialisers (on by
        /// default).
        wasm_function_references => FUNCTION_REFERENCES,
        /// Exception handling: tags, `throw`, `throw_ref`, `try_table`, `exnref` (on by
        /// default).
        wasm_exceptions => EXCEPTIONS,
        /// The legacy exception-handling instructions: `try`, `catch`, `catch_all`,
        /// `delegate`, `rethrow`, which Emscripten and older LLVM emit (on by default).
        wasm_legacy_exceptions => LEGACY_EXCEPTIONS,
        /// The wide-arithmetic proposal: `i64.add128`, `i64.sub128`, `i64.mul_wide_s` and
        /// `i64.mul_wide_u`, 128-bit arithmetic on pairs of `i64` (off by default, as in
        /// wasmtime: the proposal is not yet part of the standard).
        wasm_wide_arithmetic => WIDE_ARITHMETIC,
    }

    /// Meter execution with fuel: each store starts with none, `Store::set_fuel` adds it,
    /// and running out traps with `OutOfFuel`. Fuel is charged per basic block.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Self {
        self.consume_fuel = enable;
        self
    }

    /// Let an [`crate::InterruptHandle`] stop running wasm code. Costs a flag check at each
    /// function entry and loop header, so it is off by default.
    pub fn interruptible(&mut self, enable: bool) -> &mut Self {
        self.interruptible = enable;
        self
    }

    /// Whether [`Config::interruptible`] is on.
    pub fn get_interruptible(&self) -> bool {
        self.interruptible
    }

    /// The tier that runs wasm code. Unset, the `wisp` facade picks [`Tier::Tiered`] when
    /// built with its `jit` feature on a host the JIT serves, and [`Tier::Interp`]
    /// otherwise.
    pub fn tier(&mut self, tier: Tier) -> &mut Self {
        self.tier = Some(tier);
        self
    }

    /// The tier set with [`Config::tier`], if any.
    pub fn get_tier(&self) -> Option<Tier> {
        self.tier
    }

    /// When the tiered engine compiles a function (see [`TierUp`]). Thresholds of 0 count
    /// as 1.
    pub fn tier_up(&mut self, tier_up: TierUp) -> &mut Self {
        self.tier_up = TierUp {
            calls: tier_up.calls.max(1),
            loops: tier_up.loops.max(1),
            ..tier_up
        };
        self
    }

    /// The thresholds set with [`Config::tier_up`] (the defaults otherwise).
    pub fn get_tier_up(&self) -> TierUp {
        self.tier_up
    }

    /// Calls `listener` with every [`TierEvent`] of a tiered engine (compilations, their
    /// failures, on-stack replacements). It runs on the thread of the event and must not
    /// block for long: the compile thread waits for it.
    pub fn on_tier_event(
        &mut self,
        listener: impl Fn(&TierEvent) + Send + Sync + 'static,
    ) -> &mut Self {
        self.tier_events = Some(Arc::new(listener));
        self
    }

    /// The listener set with [`Config::on_tier_event`].
    pub fn get_tier_listener(&self) -> Option<&TierListener> {
        self.tier_events.as_ref()
    }

    /// Translate functions on their first call (default) rather than when the module loads.
    /// Validation is always eager.
    pub fn lazy_translation(&mut self, lazy: bool) -> &mut Self {
        self.lazy_translation = lazy;
        self
    }

    /// Validate function bodies with wisp's own validator ([`crate::validate`]) rather
    /// than wasmparser's (default off). It accepts the firmware profile only: Wasm 2.0
    /// without SIMD, multiple memories, extended constants, custom page sizes and tail
    /// calls; a body using anything else is refused as unsupported.
    pub fn own_validator(&mut self, own: bool) -> &mut Self {
        self.own_validator = own;
        self
    }

    /// Most nested wasm calls before `StackExhausted` (default 100,000).
    pub fn max_call_depth(&mut self, depth: u32) -> &mut Self {
        self.max_call_depth = depth;
        self
    }

    /// Most 64-bit value slots all active frames may use together before `StackExhausted`
    /// (default 4 Mi slots, 32 MiB).
    pub fn max_stack_slots(&mut self, slots: u32) -> &mut Self {
        self.max_stack_slots = slots;
        self
    }

    /// Largest linear memory a module may define or grow to, in bytes (default 4 GiB).
    pub fn max_memory_bytes(&mut self, bytes: u64) -> &mut Self {
        self.max_memory_bytes = bytes;
        self
    }

    /// Whether linear memories live in address space reserved for their maximum size
    /// (default on; used on `std` unix hosts). There, growth makes reserved pages readable
    /// and the OS zeroes each on its first touch, so a guest that grows its memory without
    /// using it costs the host address space, not memory, and memory never moves. Off, or
    /// where reservations are not available (`no_std`, other hosts, address space short),
    /// memories are heap allocations, grown by reallocation (moving them, and writing the
    /// zeros of every new byte). Reserving costs address space: up to
    /// `max_memory_bytes` per memory (4 GiB by default, a thirty-two-thousandth of a 64-bit
    /// host's), and two mappings.
    pub fn memory_reservation(&mut self, enable: bool) -> &mut Self {
        self.memory_reservation = enable;
        self
    }

    /// Whether native code may leave its traps to signals (default on; wasmtime's setting
    /// of the same name). It applies with a native tier on a host with the JIT's signal
    /// handler (Linux on x86_64, aarch64 and riscv64; macOS on x86_64 and aarch64; FreeBSD
    /// on x86_64):
    /// - With [`Config::memory_reservation`] on, every 32-bit memory of 64 KiB pages is a
    ///   reservation of its full 4 GiB plus a guard region ([`MEMORY_GUARD`] bytes), all
    ///   inaccessible beyond the memory's length, so native loads and stores need no
    ///   bounds check: an access past the end faults, and the handler turns the fault into
    ///   `MemoryOutOfBounds` with the wasm backtrace. Each guarded memory costs 4 GiB + 32
    ///   MiB of address space (a 64-bit Linux process has 128 TiB), whatever its size;
    ///   creating one fails with `ResourceExhausted` when that cannot be had, rather than
    ///   quietly going unguarded.
    /// - Every other trap native code tests for (division, conversion, `unreachable`, the
    ///   stack, fuel, interruption, tables, references) is a trap instruction the handler
    ///   claims, rather than a branch that returns a status through every frame: less
    ///   code, and no status test after calls to functions that cannot fail otherwise.
    ///
    /// Off, or anywhere else (the interpreter, firmware, hosts without virtual memory),
    /// every access is checked explicitly, every trap returns through the frames, and no
    /// signal handler is installed.
    pub fn signals_based_traps(&mut self, enable: bool) -> &mut Self {
        self.signals_based_traps = enable;
        self
    }

    /// Whether a native tier may leave traps to its signal handler
    /// ([`Config::signals_based_traps`]): memories' bounds where they are guarded, and
    /// every other trap its code checks for.
    pub fn get_signals_based_traps(&self) -> bool {
        self.signals_based_traps
    }

    /// Threads a native tier compiles a whole module on (`Tier::Jit`): 0 (the default) for
    /// one per core, up to 8; 1 compiles on one thread. No more threads start than the
    /// module has functions and trampolines to compile. Tier-up compiles a function at a
    /// time on its own thread and does not use this.
    pub fn compile_threads(&mut self, threads: u32) -> &mut Self {
        self.compile_threads = threads;
        self
    }

    /// The threads eager native compilation may use ([`Config::compile_threads`]).
    pub fn get_compile_threads(&self) -> u32 {
        self.compile_threads
    }

    /// Bytes of guard region after each guarded memory's 4 GiB: 0 when memories are
    /// bounds-checked explicitly ([`Config::signals_based_traps`]).
    pub fn get_memory_guard(&self) -> u64 {
        self.memory_guard
    }

    /// Whether memories of type `ty` are guarded in this engine: reserved for 4 GiB plus
    /// the guard, so native code leaves their bounds to the hardware. Only 32-bit memories
    /// of 64 KiB pages (a length that is a whole number of host pages, so nothing past it
    /// is accessible); memories of smaller pages are checked explicitly, and so are 64-bit
    /// ones, whose addresses no guard region can cover. The one place that decides: the
    /// memory's allocation and the JIT's bounds-check elision both ask.
    pub fn memory_guarded(&self, ty: &MemoryType) -> bool {
        self.memory_guard > 0 && ty.page_size_log2 == 16 && !ty.memory64
    }

    /// Most exceptions a store holds at once (default 1 Mi). An exception that wasm kept
    /// as a value (`exnref`) or handed to the host lives as long as the store; past this
    /// many, a `throw` traps with `TooManyExceptions` rather than let a guest grow the
    /// store without bound.
    pub fn max_exceptions(&mut self, count: u32) -> &mut Self {
        self.max_exceptions = count;
        self
    }

    /// Largest table a module may define or grow to (default 10 million elements).
    pub fn max_table_elements(&mut self, elements: u32) -> &mut Self {
        self.max_table_elements = elements;
        self
    }

    /// Most instances one store may hold (default 10,000): instantiating one more fails
    /// with `Error::StoreLimit`. Instances whose instantiation trapped count too: they
    /// stay in the store.
    pub fn max_instances(&mut self, instances: u32) -> &mut Self {
        self.max_instances = instances;
        self
    }

    /// Most linear memories one store may hold, instances' and the host's together
    /// (default 10,000); more fails with `Error::StoreLimit`.
    pub fn max_memories(&mut self, memories: u32) -> &mut Self {
        self.max_memories = memories;
        self
    }

    /// Most tables one store may hold, instances' and the host's together (default
    /// 10,000); more fails with `Error::StoreLimit`.
    pub fn max_tables(&mut self, tables: u32) -> &mut Self {
        self.max_tables = tables;
        self
    }

    /// Most bytes all the linear memories of one store may hold together (default 16 GiB:
    /// four memories of the largest size). An instance whose memories would pass it at
    /// their initial sizes fails to instantiate with `Error::StoreLimit`, and growth past it
    /// fails (`memory.grow` returns -1). Memories are counted at their current size, not
    /// their maximum, and are only freed with their store.
    pub fn max_store_memory_bytes(&mut self, bytes: u64) -> &mut Self {
        self.max_store_memory_bytes = bytes;
        self
    }

    /// What a module may declare, checked when it loads (see [`ModuleLimits`] for each
    /// limit and its default). A module over one fails with `Error::Limit`.
    pub fn module_limits(&mut self, limits: ModuleLimits) -> &mut Self {
        self.module_limits = limits;
        self
    }

    /// The limits set with [`Config::module_limits`].
    pub fn get_module_limits(&self) -> &ModuleLimits {
        &self.module_limits
    }

    /// The limit set with [`Config::max_instances`].
    pub fn get_max_instances(&self) -> u32 {
        self.max_instances
    }

    /// The limit set with [`Config::max_memories`].
    pub fn get_max_memories(&self) -> u32 {
        self.max_memories
    }

    /// The limit set with [`Config::max_tables`].
    pub fn get_max_tables(&self) -> u32 {
        self.max_tables
    }

    /// The limit set with [`Config::max_store_memory_bytes`].
    pub fn get_max_store_memory_bytes(&self) -> u64 {
        self.max_store_memory_bytes
    }

    /// Whether execution is metered ([`Config::consume_fuel`]).
    pub fn get_consume_fuel(&self) -> bool {
        self.consume_fuel
    }

    /// Whether functions are translated on their first call ([`Config::lazy_translation`]).
    pub fn get_lazy_translation(&self) -> bool {
        self.lazy_translation
    }

    /// The limit set with [`Config::max_call_depth`].
    pub fn get_max_call_depth(&self) -> u32 {
        self.max_call_depth
    }

    /// The limit set with [`Config::max_stack_slots`].
    pub fn get_max_stack_slots(&self) -> u32 {
        self.max_stack_slots
    }

    /// The largest frame (locals plus operand stack) a function may need. Tiers with compact
    /// slot encodings lower it; a function over the limit is refused at load time.
    pub fn get_max_frame_slots(&self) -> u32 {
        self.max_frame_slots
    }

    /// The limit set with [`Config::max_memory_bytes`].
    pub fn get_max_memory_bytes(&self) -> u64 {
        self.max_memory_bytes
    }

    /// Whether memories live in reserved address space ([`Config::memory_reservation`]).
    pub fn get_memory_reservation(&self) -> bool {
        self.memory_reservation
    }

    /// The limit set with [`Config::max_table_elements`].
    pub fn get_max_table_elements(&self) -> u32 {
        self.max_table_elements
    }

    /// The wasmparser feature set modules are validated against.
    pub fn wasm_features(&self) -> wasmparser::WasmFeatures {
        self.features
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("features", &self.features)
            .field("consume_fuel", &self.consume_fuel)
            .field("lazy_translation", &self.lazy_translation)
            .field("own_validator", &self.own_validator)
            .field("max_call_depth", &self.max_call_depth)
            .field("max_stack_slots", &self.max_stack_slots)
            .field("max_memory_bytes", &self.max_memory_bytes)
            .field("memory_reservation", &self.memory_reservation)
            .field("signals_based_traps", &self.signals_based_traps)
            .field("memory_guard", &self.memory_guard)
            .field("compile_threads", &self.compile_threads)
            .field("max_table_elements", &self.max_table_elements)
            .field("max_instances", &self.max_instances)
            .field("max_memories", &self.max_memories)
            .field("max_tables", &self.max_tables)
            .field("max_store_memory_bytes", &self.max_store_memory_bytes)
            .field("max_exceptions", &self.max_exceptions)
            .field("module_limits", &self.module_limits)
            .field("tier", &self.tier)
            .field("tier_up", &self.tier_up)
            .field("tier_events", &self.tier_events.is_some())
            .finish()
    }
}

/// Interns function types so that a type check between any two functions of the engine
/// (`call_indirect`, import matching) is one integer compare.
#[derive(Default)]
struct TypeRegistry {
    types: Vec<FuncType>,
    ids: Map<FuncType, u32>,
}

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    types: Mutex<TypeRegistry>,
    pub(crate) executor: Arc<dyn Executor>,
}

/// Shared configuration and the execution tier, for any number of modules and stores.
/// Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Engine {
    /// An engine whose wasm code runs on `executor`. Embedders normally use the `wisp`
    /// crate's `Engine::new`, which supplies the interpreter.
    /// An engine running `executor`, with `config` less what the executor's build leaves
    /// out (`Executor::left_out`).
    pub fn with_executor(mut config: Config, executor: Arc<dyn Executor>) -> Engine {
        for left_out in executor.left_out() {
            config.features.remove(left_out.features);
        }
        // Guard regions are reservations, which only `std` unix builds make.
        #[cfg(all(feature = "std", unix, not(miri)))]
        if config.signals_based_traps && config.memory_reservation && executor.guard_pages() {
            config.memory_guard = MEMORY_GUARD;
        }
        Engine {
            inner: Arc::new(EngineInner {
                config,
                types: Mutex::new(TypeRegistry::default()),
                executor,
            }),
        }
    }

    /// The configuration the engine was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The tier that runs wasm code.
    pub fn executor(&self) -> &Arc<dyn Executor> {
        &self.inner.executor
    }

    /// The engine-wide id of `ty`; equal types get equal ids.
    pub fn type_id(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock();
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(ty.clone());
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The type behind an id from [`Engine::type_id`].
    pub fn func_type(&self, id: u32) -> FuncType {
        self.inner.types.lock().types[id as usize].clone()
    }

    /// Whether `a` and `b` are clones of one engine, sharing its configuration, type
    /// registry and executor.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish()
    }
}
