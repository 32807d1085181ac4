//! `Store<T>`: owns every runtime object (functions, memories, tables, globals, instances,
//! extern objects) plus the embedder's data `T`. Handles (`Func`, `Memory`, ...) are
//! indices into a store, tagged with its id so that a handle can't be used with another.
//!
//! Invariants the tiers rely on:
//! - `Store<T>` is `#[repr(C)]` with `StoreInner` first, so a `*mut Store<T>` is also a
//!   `*mut StoreInner`; host functions recover their `T` from it (see `func::HostFunc`).
//! - Memory, table, global and instance entities are heap-allocated (`Owned`) and never
//!   freed or moved before the store drops, so raw pointers to them (held in each
//!   instance's `VmCtx`) stay valid.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::func::{FuncEntity, FuncKind};
use crate::global::GlobalEntity;
use crate::instance::InstanceEntity;
use crate::limits::{ResourceLimiter, StoreResources};
use crate::memory::MemorySlot;
use crate::owned::Owned;
use crate::table::TableEntity;
use crate::types::FuncType;

/// Distinguishes stores, so a handle from one is refused by another.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct StoreId(u32);

impl StoreId {
    fn fresh() -> StoreId {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The frames a failure in native code has left, innermost first. Each native function's
/// failure exit appends its own, a few instructions with no call, while there is room
/// (the innermost `Trap::MAX_FRAMES` are what a backtrace keeps); the entry point that
/// turns the failure into a `Trap` names them on it (`StoreInner::attach_native_frames`),
/// and a native handler that catches an exception empties it. Names are looked up only
/// then, so a throw caught deep down costs a store per frame.
#[repr(C)]
pub struct NativeFrames {
    /// How many of `frames` are filled.
    pub len: u32,
    /// `instance << 32 | function index` each: the store's instance index
    /// (`VmCtx::instance`) and the function's index in its module.
    pub frames: [u64; crate::trap::Trap::MAX_FRAMES],
}

/// The type-independent part of a store. Public for the tiers.
pub struct StoreInner {
    /// The store's identity, which every handle carries and every use checks.
    pub id: StoreId,
    /// The engine the store was created for.
    pub engine: Engine,
    /// Every function: the instances' and the host's, by store function index.
    pub funcs: Vec<FuncEntity>,
    /// One `FuncRef` per entry of `funcs`, for native code (`func_refs_base`).
    pub func_refs: Vec<crate::vm::FuncRef>,
    /// `func_refs.as_ptr()`, refreshed whenever a function is added: native code loads it
    /// for each call that uses it, and functions are only added between calls.
    pub func_refs_base: crate::vm::FuncRefs,
    /// Every linear memory, by store memory index.
    pub memories: Vec<MemorySlot>,
    /// Every table, by store table index.
    pub tables: Vec<Owned<TableEntity>>,
    /// Every global, by store global index.
    pub globals: Vec<Owned<GlobalEntity>>,
    /// Every instance, by store instance index, including those whose instantiation
    /// trapped.
    pub instances: Vec<Owned<InstanceEntity>>,
    /// The host values behind `ExternRef`s, by their index.
    pub externs: Vec<Box<dyn Any + Send + Sync>>,
    /// Exception tags (`exception.rs`).
    pub tags: Vec<crate::exception::TagEntity>,
    /// Exceptions thrown and not freed; `None` where one was (see `exception.rs`).
    pub exceptions: Vec<crate::exception::ExnSlot>,
    /// Indices of `exceptions`' free entries.
    pub free_exceptions: Vec<u32>,
    /// How many holds legacy `catch` blocks have on exceptions (`exception.rs`).
    pub exception_holds: u32,
    /// The exception native code is propagating with `vm::status::EXCEPTION` (its index),
    /// or that a tier leaves for the next to pick up.
    pub pending_exception: Option<u32>,
    /// The call native code left with `vm::status::TAIL_CALL`: the store function to call
    /// and the instance that called it (for a host function's `Caller`).
    pub pending_tail: Option<(u32, u32)>,
    /// That call's arguments (its type's `slots_len` slots, so its results fit too).
    pub tail_args: Vec<u64>,
    /// Fuel left; only charged when the engine's config enables fuel.
    pub fuel: u64,
    /// Set by an [`InterruptHandle`]; checked (and cleared) by the tiers at function
    /// entries and loop headers when the engine is `Config::interruptible`.
    pub interrupt: Arc<AtomicBool>,
    /// Depth of nested host -> wasm entries, so re-entrant calls share one recursion limit.
    pub call_depth: u32,
    /// For native code (the JIT): the lowest native stack address wasm frames may reach
    /// before `StackExhausted`, set on the outermost entry into wasm; 0 while none runs.
    pub stack_limit: usize,
    /// For native code: how many more wasm calls may nest before `StackExhausted`, the
    /// native equivalent of the interpreter's frame count against `Config::max_call_depth`.
    /// Each entry from Rust starts a fresh budget and puts the old one back afterwards.
    pub depth_left: u32,
    /// A trap that native code reported with `vm::status::TRAP_PENDING` (a host function's
    /// error, say), waiting for the tier's entry point to return it.
    pub pending_trap: Option<crate::trap::Trap>,
    /// The native frames a failure has left so far (see [`NativeFrames`]). Only `std`
    /// builds have native code.
    #[cfg(feature = "std")]
    pub native_frames: NativeFrames,
    /// A tier's reusable execution state (the interpreter's value stack), kept between calls
    /// so that calling into wasm doesn't allocate each time.
    pub exec_cache: Option<Box<dyn Any + Send>>,
    /// What memory and table growth checks (the store's memory total and cap, the
    /// embedder's limiter): in an allocation of its own, which the store's memories and
    /// tables point to (see `limits.rs`).
    pub(crate) resources: Owned<StoreResources>,
}

impl StoreInner {
    /// The type of store function `func`: a host function's own, a wasm function's from
    /// its module.
    pub fn func_type(&self, func: u32) -> &FuncType {
        match &self.funcs[func as usize].kind {
            FuncKind::Host(host) => &host.ty,
            FuncKind::Wasm { instance, index } => self.instances[*instance as usize]
                .module
                .inner()
                .func_type(*index),
        }
    }

    /// Fails unless `id` is this store's.
    #[inline]
    pub fn check(&self, id: StoreId) -> Result<()> {
        if self.id == id {
            Ok(())
        } else {
            Err(Error::StoreMismatch)
        }
    }

    /// Moves the native frames recorded so far (`native_frames`) onto `trap`'s backtrace,
    /// after the frames it has: those are the inner ones (a host function's, or an
    /// interpreter activation's that native code called).
    pub fn attach_native_frames(&mut self, trap: &mut crate::trap::Trap) {
        #[cfg(feature = "std")]
        {
            let frames = &mut self.native_frames;
            for &frame in &frames.frames[..frames.len as usize] {
                let (instance, func_index) = ((frame >> 32) as usize, frame as u32);
                let module = self.instances[instance].module.inner();
                trap.push_frame(crate::trap::FrameInfo {
                    func_index,
                    func_name: module.func_names.get(&func_index).cloned(),
                });
            }
            frames.len = 0;
        }
        #[cfg(not(feature = "std"))]
        let _ = trap;
    }

    /// Whether the engine meters execution with fuel.
    pub fn consume_fuel_enabled(&self) -> bool {
        self.engine.config().consume_fuel
    }
}

/// Interrupts a store's running (or next) wasm execution: it traps with
/// `TrapCode::Interrupted` at the next function entry or loop header, and the interrupt is
/// consumed, so the store can run again afterwards.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
}

impl InterruptHandle {
    /// Asks for the interrupt: the store's wasm code traps at its next check, or its next
    /// run does.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    /// Whether an interrupt is pending: asked for and not yet consumed by a trap.
    pub fn is_interrupted(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Consumes a pending interrupt, returning whether there was one. A host function
    /// that gives up a blocking wait because of it traps with `TrapCode::Interrupted`
    /// after taking it, as running wasm does, so the store can run again afterwards.
    pub fn take(&self) -> bool {
        self.flag.swap(false, Ordering::Relaxed)
    }
}

/// All runtime objects of one embedding context, plus host data `T`.
#[repr(C)]
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) data: T,
}

impl<T> Store<T> {
    /// An empty store for `engine`'s modules, holding the embedder's `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: StoreInner {
                id: StoreId::fresh(),
                engine: engine.clone(),
                funcs: Vec::new(),
                func_refs: Vec::new(),
                func_refs_base: crate::vm::FuncRefs(core::ptr::null()),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                externs: Vec::new(),
                tags: Vec::new(),
                exceptions: Vec::new(),
                free_exceptions: Vec::new(),
                pending_exception: None,
                pending_tail: None,
                exception_holds: 0,
                tail_args: Vec::new(),
                fuel: 0,
                interrupt: Arc::new(AtomicBool::new(false)),
                call_depth: 0,
                stack_limit: 0,
                depth_left: 0,
                pending_trap: None,
                #[cfg(feature = "std")]
                native_frames: NativeFrames {
                    len: 0,
                    frames: [0; crate::trap::Trap::MAX_FRAMES],
                },
                exec_cache: None,
                resources: Owned::new(StoreResources::new(engine.config().max_store_memory_bytes)),
            },
            data,
        }
    }

    /// The engine the store was created for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, to change.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Ends the store and gives back the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Sets the fuel left. Fails if the engine was not configured to consume fuel.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.fuel_enabled()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left. Fails if the engine was not configured to consume fuel.
    pub fn get_fuel(&self) -> Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.fuel)
    }

    /// A handle that interrupts this store's wasm execution from any thread. Only engines
    /// configured with `Config::interruptible(true)` check for it.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.inner.interrupt.clone(),
        }
    }

    /// Sets the store's [`ResourceLimiter`]: from now on it is asked before every memory
    /// and table of this store is created or grown, on every tier (see the trait for when
    /// and what its answers do). It replaces any limiter set before. The store owns it; to
    /// read what it counted afterwards, share that state with it (an `Arc`, say).
    pub fn limiter(&mut self, limiter: impl ResourceLimiter + Send + 'static) {
        self.inner.resources.set_limiter(Box::new(limiter));
    }

    fn fuel_enabled(&self) -> Result<()> {
        if self.inner.consume_fuel_enabled() {
            Ok(())
        } else {
            Err(Error::NotFound(
                "fuel is not enabled in this engine's Config".into(),
            ))
        }
    }

    #[doc(hidden)]
    pub fn inner(&self) -> &StoreInner {
        &self.inner
    }

    #[doc(hidden)]
    pub fn inner_mut(&mut self) -> &mut StoreInner {
        &mut self.inner
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("id", &self.inner.id)
            .field("data", &self.data)
            .finish()
    }
}

/// A shared borrow of a store, from a `Store`, a `Caller` or a context.
pub struct StoreContext<'a, T>(pub(crate) &'a Store<T>);

/// An exclusive borrow of a store, from a `Store`, a `Caller` or a context.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut Store<T>);

impl<T> StoreContext<'_, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.0.data
    }
}

impl<T> StoreContextMut<'_, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.0.data
    }
    /// The embedder's data, to change.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data
    }
}

/// Anything that gives shared access to a store.
pub trait AsContext {
    /// The embedder's data type of the store.
    type Data;
    /// The store, borrowed shared.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Anything that gives exclusive access to a store.
pub trait AsContextMut: AsContext {
    /// The store, borrowed exclusively.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self)
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}
