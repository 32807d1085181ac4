//! Where the tiers meet core: the per-instance `VmCtx`, and the `Executor` trait a tier
//! implements to run wasm code.
//!
//! Both tiers read instance state only through `VmCtx`, so a function can change tier
//! without moving any data. Every pointer in it points into a store-owned, boxed entity
//! (see `store.rs`), valid for as long as the store lives.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicPtr};

use crate::error::Result;
use crate::global::GlobalEntity;
use crate::layout::SlotLayout;
use crate::memory::MemoryEntity;
use crate::module::ModuleInner;
use crate::store::StoreInner;
use crate::table::TableEntity;
use crate::trap::Trap;
use crate::types::ValType;

/// One function of an instance's function index space.
#[repr(C)]
pub struct FuncEntry {
    /// Native code for the function once a JIT has compiled it; null while interpreted.
    /// Tier-up is one atomic store here. For a function the instance defines it is an
    /// [`ArrayCallFn`], called with this instance's `VmCtx` as the callee context; imported
    /// functions' entries stay null (their context is another instance's).
    pub native: AtomicPtr<u8>,
    /// The function's index in the store (`StoreInner::funcs`).
    pub store_func: u32,
    /// The engine-wide id of its type, for `call_indirect` checks.
    pub type_id: u32,
}

/// How native code calls store function `i` without the runtime: entry `i` of
/// `StoreInner::func_refs` (for `call_indirect`, whose tables hold store function indices,
/// and for imported functions).
#[repr(C)]
pub struct FuncRef {
    /// The cell of `ModuleInner::native_code` holding the function's direct entry, or
    /// [`NO_CODE`] for host functions and modules no JIT compiles: never null, so native
    /// code loads the entry without a check. The entry is null until the function is
    /// compiled, and the call then goes through the runtime.
    pub code: *const AtomicPtr<u8>,
    /// The defining instance's context, which the direct entry is called with (null for
    /// host functions).
    pub vmctx: *mut VmCtx,
    /// The engine-wide id of the function's type.
    pub type_id: u32,
}

/// The code cell of functions that have no native code and never will.
pub static NO_CODE: AtomicPtr<u8> = AtomicPtr::new(ptr::null_mut());

// SAFETY: the pointers point into the module's `native_code` (kept alive by the instance
// that holds the module) and into instance entities, which never move or drop while the
// store lives; the store owns the references and hands them only to its own executions.
unsafe impl Send for FuncRef {}
unsafe impl Sync for FuncRef {}

/// `StoreInner::func_refs`' base pointer, where native code finds it.
#[repr(transparent)]
pub struct FuncRefs(pub *const FuncRef);

// SAFETY: as for `FuncRef`: it points into the store's own vector.
unsafe impl Send for FuncRefs {}
unsafe impl Sync for FuncRefs {}

/// The per-instance context. `#[repr(C)]`: native code addresses fields by offset.
#[repr(C)]
pub struct VmCtx {
    /// Memory 0, or null if the instance has none.
    pub memory0: *mut MemoryEntity,
    /// All memories (imported first), `num_memories` long.
    pub memories: *const *mut MemoryEntity,
    /// All globals' cells (imported first).
    pub globals: *const *mut GlobalEntity,
    /// All tables (imported first).
    pub tables: *const *mut TableEntity,
    /// The function index space (imported first).
    pub funcs: *const FuncEntry,
    /// Engine-wide type id of each module type index.
    pub type_ids: *const u32,
    /// The store index of each of the instance's tags (imported first): a tag's identity.
    pub tags: *const u32,
    /// How many memories the instance has, imported ones included.
    pub num_memories: u32,
    /// How many globals the instance has, imported ones included.
    pub num_globals: u32,
    /// How many tables the instance has, imported ones included.
    pub num_tables: u32,
    /// How many functions the instance has, imported ones included.
    pub num_funcs: u32,
    /// This instance's index in the store.
    pub instance: u32,
    /// The store the instance lives in. Written by a tier each time it enters the instance
    /// from Rust (a `Store<T>` may move between calls, never during one), read by native
    /// code for fuel and for calls back into the runtime.
    pub store: *mut StoreInner,
    /// The store's interrupt flag (`StoreInner::interrupt`, which the store keeps alive).
    pub interrupt: *const AtomicBool,
}

/// The "array call" convention: how Rust (or another tier) enters a native function and
/// how native code leaves to the runtime. `callee` is the context of the instance that
/// defines the function, `caller` the calling instance's (or `callee` when called from
/// the host), and `args_results` holds the arguments on entry and the results on success,
/// in the raw encoding of `value.rs`, each laid out from slot 0 (`FuncType::params_layout`,
/// `FuncType::results_layout`: `layout.rs`), so at least `FuncType::slots_len` slots
/// long. Returns a [`status`].
pub type ArrayCallFn =
    unsafe extern "C" fn(callee: *mut VmCtx, caller: *mut VmCtx, args_results: *mut u64) -> u32;

/// On-stack replacement: what the interpreter hands native code when a frame moves to it
/// at a loop header. Passed, in place of the slot array, to the [`ArrayCallFn`] a tier
/// publishes as a function's loop entry; native code continues the frame at the loop and
/// writes the function's results to the frame's first slots.
#[repr(C)]
#[derive(Debug)]
pub struct OsrFrame {
    /// The frame: its locals (parameters first), then the interpreter's catch slots, then
    /// the operand stack at the loop header, in raw slots as [`OsrFrame::locals_layout`]
    /// and [`OsrFrame::operands_layout`] place them.
    pub slots: *mut u64,
    /// The loop, by the byte offset of its `loop` operator in the module.
    pub loop_offset: u32,
}

impl OsrFrame {
    /// Where a frame's locals (`types`: the parameters, then the declared locals) sit: from
    /// slot 0, as `SlotLayout` packs them. Both tiers place a frame's values by these two
    /// functions, so a frame moves between them whatever the values' widths.
    pub fn locals_layout(types: impl IntoIterator<Item = ValType>) -> SlotLayout {
        SlotLayout::new(types)
    }

    /// Where the operands on the stack at a loop header (`types`, bottom first) sit: after
    /// the locals (`locals`) and the frame's `catch_slots` catch slots (the exceptions of
    /// legacy `catch` blocks, one slot each: an `exnref`); in a function that may hold a
    /// `v128` on its stack (`FuncBody::vector`), two slots per operand whatever its type
    /// (a narrower value in the first).
    pub fn operands_layout(
        locals: &SlotLayout,
        catch_slots: usize,
        types: impl IntoIterator<Item = ValType>,
        vector: bool,
    ) -> SlotLayout {
        let start = locals.end() + catch_slots;
        if vector {
            SlotLayout::at(start, types.into_iter().map(|_| ValType::V128))
        } else {
            SlotLayout::at(start, types)
        }
    }
}

/// What an [`ArrayCallFn`] (and every runtime call native code makes) returns.
pub mod status {
    /// The call returned normally.
    pub const OK: u32 = 0;
    /// The call trapped; the trap is in `StoreInner::pending_trap`.
    pub const TRAP_PENDING: u32 = u32::MAX;
    /// A wasm exception is propagating: `StoreInner::pending_exception` holds it. Unlike a
    /// trap, a handler on the way may catch it. (`u32::MAX - 1` is the JIT's, for a host
    /// panic.)
    pub const EXCEPTION: u32 = u32::MAX - 2;
    /// The function tail-called a function that has no native code: its frame is gone, and
    /// whoever called it makes that call in its place (`StoreInner::pending_tail`, its
    /// arguments in `StoreInner::tail_args`), so a chain of tail calls between the tiers
    /// takes no native stack however long it runs.
    pub const TAIL_CALL: u32 = u32::MAX - 3;
    // Any other value is a wasm trap: `TrapCode::status` and `TrapCode::from_status`
    // convert.
}

impl VmCtx {
    pub(crate) fn empty(instance: u32) -> VmCtx {
        VmCtx {
            memory0: ptr::null_mut(),
            memories: ptr::null(),
            globals: ptr::null(),
            tables: ptr::null(),
            funcs: ptr::null(),
            type_ids: ptr::null(),
            tags: ptr::null(),
            num_memories: 0,
            num_globals: 0,
            num_tables: 0,
            num_funcs: 0,
            instance,
            store: ptr::null_mut(),
            interrupt: ptr::null(),
        }
    }

    /// Global `index`'s cell.
    ///
    /// # Safety
    /// `index` must be a valid global index of the instance (validation guarantees it for
    /// code of the instance's module).
    #[inline(always)]
    pub unsafe fn global(&self, index: u32) -> *mut GlobalEntity {
        debug_assert!(index < self.num_globals);
        // SAFETY: per the contract, `index` is in bounds of the `globals` array.
        unsafe { *self.globals.add(index as usize) }
    }

    /// Table `index`.
    ///
    /// # Safety
    /// `index` must be a valid table index of the instance.
    #[inline(always)]
    pub unsafe fn table(&self, index: u32) -> *mut TableEntity {
        debug_assert!(index < self.num_tables);
        // SAFETY: per the contract, `index` is in bounds of the `tables` array.
        unsafe { *self.tables.add(index as usize) }
    }

    /// Memory `index`.
    ///
    /// # Safety
    /// `index` must be a valid memory index of the instance.
    #[inline(always)]
    pub unsafe fn memory(&self, index: u32) -> *mut MemoryEntity {
        debug_assert!(index < self.num_memories);
        // SAFETY: per the contract, `index` is in bounds of the `memories` array.
        unsafe { *self.memories.add(index as usize) }
    }

    /// Function `index` of the instance's index space.
    ///
    /// # Safety
    /// `index` must be a valid function index of the instance.
    #[inline(always)]
    pub unsafe fn func(&self, index: u32) -> &FuncEntry {
        debug_assert!(index < self.num_funcs);
        // SAFETY: per the contract, `index` is in bounds of the `funcs` array.
        unsafe { &*self.funcs.add(index as usize) }
    }

    /// The store index of tag `index` of the instance.
    ///
    /// # Safety
    /// `index` must be a valid tag index of the instance's module.
    #[inline(always)]
    pub unsafe fn tag(&self, index: u32) -> u32 {
        // SAFETY: per the contract, `index` is in bounds of the `tags` array.
        unsafe { *self.tags.add(index as usize) }
    }

    /// The engine-wide id of module type `index`.
    ///
    /// # Safety
    /// `index` must be a valid type index of the instance's module.
    #[inline(always)]
    pub unsafe fn type_id(&self, index: u32) -> u32 {
        // SAFETY: per the contract, `index` is in bounds of the `type_ids` array.
        unsafe { *self.type_ids.add(index as usize) }
    }
}

/// A part of wasm a tier's build leaves out (for firmware's flash, say): what
/// [`Executor::left_out`] reports. [`crate::Engine::with_executor`] takes its features out
/// of the engine's configuration, and a module that needs them is refused when it loads
/// with an error naming it and the build option that would bring it back.
#[derive(Debug, Clone, Copy)]
pub struct LeftOut {
    /// The wasm features it covers.
    pub features: wasmparser::WasmFeatures,
    /// What users call it: "exception handling".
    pub what: &'static str,
    /// How the build left it out: "wisp-interp's `exceptions` feature is off".
    pub why: &'static str,
}

/// A tier's translator that the loader feeds one function body as it validates it
/// (`Executor::body_sink`). It sees only what validated: its locals, then each operator
/// once accepted; it never fails the load, it gives up instead (the function is then
/// translated as without it).
pub trait BodySink {
    /// `count` locals of type `ty`, in declaration order, before any operator.
    fn locals(&mut self, count: u32, ty: wasmparser::ValType);
    /// The next operator, found valid, at byte `offset` of the module.
    fn op(&mut self, op: &crate::operators::Operator<'_>, offset: u32);
    /// The body ended and validated, its operand stack at most `max_stack_height` high:
    /// the tier's code for it, or `None` if it gave up.
    fn finish(
        self: alloc::boxed::Box<Self>,
        max_stack_height: u32,
    ) -> Option<alloc::boxed::Box<dyn core::any::Any + Send + Sync>>;
}

/// An execution tier. The engine holds one and calls it whenever wasm code must run.
pub trait Executor: Send + Sync + 'static {
    /// A short name for diagnostics (`"interp"`).
    fn name(&self) -> &'static str;

    /// Whether the tier runs native code, which needs each module's
    /// `ModuleInner::native_code` table (allocated when the module loads).
    fn native(&self) -> bool {
        false
    }

    /// Whether the tier's code leaves guarded memories' bounds to the hardware and handles
    /// the faults ([`crate::Config::signals_based_traps`]): only a native tier on a host
    /// where it can.
    fn guard_pages(&self) -> bool {
        false
    }

    /// Translates all of `module`'s functions ahead of time (used when lazy translation is
    /// off). Tiers that translate lazily may do nothing.
    fn prepare_module(&self, module: &Arc<ModuleInner>) -> Result<()> {
        let _ = module;
        Ok(())
    }

    /// Single-pass loading: a translator for defined function `def` of `module` (whose
    /// body is `body_len` bytes), which the loader feeds each operator as wisp's own
    /// validator accepts it, so that the body is decoded once for both. Asked only when the
    /// module loads with wisp's own validator and `Config::lazy_translation(false)`; what
    /// `BodySink::finish` returns reaches `prepare_module` in
    /// `ModuleInner::translated_at_load`. `None` (the default): the tier translates later.
    fn body_sink<'m>(
        &self,
        module: &'m ModuleInner,
        def: u32,
        body_len: usize,
    ) -> Option<alloc::boxed::Box<dyn BodySink + 'm>> {
        let _ = (module, def, body_len);
        None
    }

    /// The parts of wasm this build of the tier leaves out: engines on it refuse modules
    /// that use them when they load, saying which ([`LeftOut`]).
    fn left_out(&self) -> Vec<LeftOut> {
        Vec::new()
    }

    /// Runs the wasm function at store index `func`. Its arguments are in `slots` on entry,
    /// its results there on success (raw encoding, see `value.rs`, laid out as the
    /// array-call convention lays them out); `slots` is at least `FuncType::slots_len` long.
    ///
    /// # Safety
    /// `store` must point to a live `StoreInner` that is the first field of a `Store<T>`
    /// (host functions recover the `Store<T>` from it), with no other live reference to
    /// that store, and `func` must be a wasm function of that store.
    unsafe fn call(&self, store: *mut StoreInner, func: u32, slots: &mut [u64])
        -> Result<(), Trap>;
}
