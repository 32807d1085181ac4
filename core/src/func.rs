//! Functions: wasm and host functions in a store, the `Func` handle, dynamic calls, and
//! `Caller`, the view of the store a host function gets.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::instance::Instance;
use crate::linker::Extern;
use crate::store::{
    AsContext, AsContextMut, Store, StoreContext, StoreContextMut, StoreId, StoreInner,
};
use crate::text;
use crate::trap::{Trap, TrapCode};
use crate::typed::{IntoFunc, TypedFunc, WasmParams, WasmResults};
use crate::types::{FuncType, ValType};
use crate::value::Val;

/// Most nested host -> wasm entries (a host function calling back into wasm, which calls
/// the host...). Each level costs native stack, so this bounds it where wasm->wasm calls,
/// which cost none, are bounded by `Config::max_call_depth`.
pub const MAX_REENTRANCY: u32 = 256;

/// A host function with its store type erased: the tiers call it with the store pointer,
/// the calling instance (if called from wasm), and the args/results slots.
///
/// Invariant: a `HostFunc` made for `Store<T>` is only ever stored in, and called with, a
/// `Store<T>` (host functions are created through a `Store<T>` or a `Linker<T>`, and
/// handles are checked against their store's id).
#[derive(Clone)]
pub struct HostFunc(
    #[allow(clippy::type_complexity)]
    Arc<dyn Fn(*mut StoreInner, Option<u32>, &mut [u64]) -> Result<(), Trap> + Send + Sync>,
);

impl HostFunc {
    /// Erases the store type of `f`.
    pub(crate) fn new<T: 'static>(
        f: impl Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> HostFunc {
        HostFunc(Arc::new(move |store, instance, slots| {
            // SAFETY: by the type's invariant `store` is the `StoreInner` at the start of a
            // `Store<T>` (`#[repr(C)]`), and the caller holds no other reference to it.
            let store = unsafe { &mut *(store as *mut Store<T>) };
            f(Caller { store, instance }, slots)
        }))
    }

    /// A host function taking and returning `Val`s, checked against `ty`.
    pub(crate) fn new_dynamic<T: 'static>(
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> HostFunc {
        HostFunc::new(move |caller: Caller<'_, T>, slots: &mut [u64]| {
            let id = caller.store.inner.id;
            let layout = ty.params_layout();
            let params: Vec<Val> = ty
                .params()
                .iter()
                .enumerate()
                .map(|(i, t)| Val::from_slots(&slots[layout.range(i)], *t, id))
                .collect();
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            let inner: *const StoreInner = &caller.store.inner;
            f(caller, &params, &mut results)?;
            // SAFETY: the caller (and its borrow of the store) ended with the call.
            let inner = unsafe { &*inner };
            let layout = ty.results_layout();
            for (i, (val, ty)) in results.iter().zip(ty.results()).enumerate() {
                val.to_slots_checked(*ty, inner, &mut slots[layout.range(i)])
                    .map_err(|e| Trap::msg(text!("host function returned a wrong value: {}", e)))?;
            }
            Ok(())
        })
    }
}

/// What a function is.
pub enum FuncKind {
    /// Function `index` (in its module's function index space) of store instance `instance`.
    Wasm {
        /// The instance's index in the store.
        instance: u32,
        /// The function's index in its module's function index space.
        index: u32,
    },
    /// A host function and its type, boxed: entities of wasm functions, one per function
    /// per instance, stay small (their type is their module's).
    Host(Box<HostEntity>),
}

/// A host function's entity: the closure and the type it was defined with.
pub struct HostEntity {
    /// The closure wasm calls.
    pub func: HostFunc,
    /// The type the function was defined with; calls are checked against it.
    pub ty: FuncType,
}

/// A function in a store: a wasm function of an instance, or a host function.
pub struct FuncEntity {
    /// Engine-wide id of the function's type.
    pub type_id: u32,
    /// Which of the two, and where its code is.
    pub kind: FuncKind,
}

/// Calls store function `func` with `slots` as args in / results out, on whichever side
/// it lives. Both the API and the tiers (for host calls) come through here.
///
/// # Safety
/// As for [`crate::vm::Executor::call`]; `slots` must be long enough for `func`'s type.
pub unsafe fn call_raw(
    store: *mut StoreInner,
    func: u32,
    caller_instance: Option<u32>,
    slots: &mut [u64],
) -> Result<(), Trap> {
    enum Target {
        Host(HostFunc),
        Wasm(Arc<dyn crate::vm::Executor>),
    }
    // SAFETY: `store` is live and unaliased per the contract; the borrow ends before the
    // callee gets the pointer.
    let target = unsafe {
        let inner = &mut *store;
        match &inner.funcs[func as usize].kind {
            // Cloned so the callee may add functions to the store while it runs.
            FuncKind::Host(host) => Target::Host(host.func.clone()),
            FuncKind::Wasm { .. } => Target::Wasm(inner.engine.executor().clone()),
        }
    };
    match target {
        Target::Host(h) => (h.0)(store, caller_instance, slots),
        // SAFETY: as above.
        Target::Wasm(executor) => unsafe {
            if (*store).call_depth >= MAX_REENTRANCY {
                return Err(TrapCode::StackExhausted.into());
            }
            (*store).call_depth += 1;
            let result = executor.call(store, func, slots);
            (*store).call_depth -= 1;
            result
        },
    }
}

/// A handle to a function in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Func {
    pub(crate) fn to_raw(self) -> u64 {
        u64::from(self.index) + 1
    }

    pub(crate) fn from_raw(store: StoreId, raw: u64) -> Option<Func> {
        match raw {
            0 => None,
            n => Some(Func {
                store,
                index: (n - 1) as u32,
            }),
        }
    }

    /// A host function entity of type `ty`.
    pub(crate) fn alloc_host(inner: &mut StoreInner, ty: FuncType, func: HostFunc) -> Func {
        let type_id = inner.engine.type_id(&ty);
        Func::alloc_typed(
            inner,
            type_id,
            FuncKind::Host(Box::new(HostEntity { func, ty })),
        )
    }

    /// A function entity whose engine type id is known.
    pub(crate) fn alloc_typed(inner: &mut StoreInner, type_id: u32, kind: FuncKind) -> Func {
        let index = inner.funcs.len() as u32;
        inner.funcs.push(FuncEntity { type_id, kind });
        // A wasm function's code and context are filled in once its instance exists.
        inner.func_refs.push(crate::vm::FuncRef {
            code: &crate::vm::NO_CODE,
            vmctx: core::ptr::null_mut(),
            type_id,
        });
        inner.func_refs_base = crate::vm::FuncRefs(inner.func_refs.as_ptr());
        Func {
            store: inner.id,
            index,
        }
    }

    /// A host function from a closure with typed parameters and results, optionally taking a
    /// `Caller` first: `Func::wrap(&mut store, |a: i32, b: i64| -> i64 { .. })`.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, host) = func.into_func();
        Func::alloc_host(&mut store.as_context_mut().0.inner, ty, host)
    }

    /// A host function of type `ty` taking and returning `Val`s.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let host = HostFunc::new_dynamic(ty.clone(), func);
        Func::alloc_host(&mut store.as_context_mut().0.inner, ty, host)
    }

    /// The function's type. Fails if the function belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(inner.func_type(self.index).clone())
    }

    /// Calls the function with `params`, writing its results to `results`, whose length must
    /// match the function's result count. Types are checked; a trap is `Error::Trap`.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let ctx = store.as_context_mut().0;
        let id = ctx.inner.id;
        ctx.inner.check(self.store)?;
        let ty = ctx.inner.func_type(self.index).clone();
        if params.len() != ty.params().len() {
            return Err(Error::TypeMismatch(text!(
                "expected {} arguments, got {}",
                ty.params().len(),
                params.len()
            )));
        }
        if results.len() != ty.results().len() {
            return Err(Error::TypeMismatch(text!(
                "expected {} results, got room for {}",
                ty.results().len(),
                results.len()
            )));
        }
        let mut slots = vec![0u64; ty.slots_len()];
        let layout = ty.params_layout();
        for (i, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            p.to_slots_checked(*t, &ctx.inner, &mut slots[layout.range(i)])
                .map_err(|e| Error::TypeMismatch(text!("argument {}: {}", i, e)))?;
        }
        self.call_slots(ctx, &mut slots)?;
        let layout = ty.results_layout();
        for (i, (r, t)) in results.iter_mut().zip(ty.results()).enumerate() {
            *r = Val::from_slots(&slots[layout.range(i)], *t, id);
        }
        Ok(())
    }

    /// Calls with raw slots; the caller has checked the store and the types.
    pub(crate) fn call_slots<T>(
        &self,
        store: &mut Store<T>,
        slots: &mut [u64],
    ) -> Result<(), Trap> {
        let ptr = store as *mut Store<T> as *mut StoreInner;
        // SAFETY: `ptr` comes from a unique borrow of a `Store<T>` (`#[repr(C)]`, inner
        // first) that is not used again until the call returns; `self` was checked to
        // belong to it, and `slots` was sized for its type by the caller.
        let result = unsafe { call_raw(ptr, self.index, None, slots) };
        #[cfg(feature = "exceptions")]
        if let Err(trap) = &result {
            // An exception reaching the embedder's outermost call may be kept as long as
            // it likes; one passing through a host function goes on (`exception.rs`).
            let exn = trap.exception();
            if let Some(index) = exn.and_then(|e| store.inner.exception_index(&e)) {
                if store.inner.call_depth == 0 {
                    store.inner.expose_exception(index);
                }
            }
        }
        #[cfg(feature = "exceptions")]
        if store.inner.call_depth == 0 {
            store.inner.reclaim_exceptions();
        }
        result
    }

    /// A typed view of the function; fails unless `Params` and `Results` match its type.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        self.check_signature(&store.as_context().0.inner, Params::TYPES, Results::TYPES)?;
        Ok(TypedFunc::new(*self))
    }

    /// [`Func::typed`]'s check, out of its generic code: one copy for every signature asked
    /// for.
    #[inline(never)]
    pub(crate) fn check_signature(
        &self,
        inner: &StoreInner,
        params: &[ValType],
        results: &[ValType],
    ) -> Result<()> {
        inner.check(self.store)?;
        let ty = inner.func_type(self.index);
        if ty.params() == params && ty.results() == results {
            return Ok(());
        }
        let expected = FuncType::from_slices(params, results);
        Err(Error::TypeMismatch(text!(
            "function is {}, not {}",
            ty,
            expected
        )))
    }
}

/// The store as a host function sees it: the embedder's data, and the calling instance's
/// exports (its memory, typically).
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> Caller<'_, T> {
    /// The embedder's data in the store.
    pub fn data(&self) -> &T {
        &self.store.data
    }

    /// The embedder's data in the store, to change.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.store.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &crate::engine::Engine {
        &self.store.inner.engine
    }

    /// An export of the calling instance (`None` when the host function was called from
    /// the host, or the instance has no such export).
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let index = self.instance?;
        Instance::from_index(self.store.inner.id, index).get_export(&*self.store, name)
    }

    /// The store's interrupt handle, when its engine is `Config::interruptible` (`None`
    /// otherwise). A host function that blocks (on I/O, say) can wait in slices and give
    /// up once it [is interrupted](crate::InterruptHandle::is_interrupted), so that
    /// `InterruptHandle::interrupt` ends a guest whether it runs wasm or waits in the host.
    pub fn interrupt_handle(&self) -> Option<crate::store::InterruptHandle> {
        self.store
            .inner
            .engine
            .config()
            .interruptible
            .then(|| self.store.interrupt_handle())
    }

    /// The fuel left (fails if fuel is not enabled).
    pub fn get_fuel(&self) -> Result<u64> {
        self.store.get_fuel()
    }

    /// Sets the fuel left (fails if fuel is not enabled).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.store.set_fuel(fuel)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.store)
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.store)
    }
}
