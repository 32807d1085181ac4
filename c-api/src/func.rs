//! Functions: host functions from C callbacks, and calls into any function.
//!
//! A callback runs with the store it was made in: it may call back into wasm
//! (`wasm_func_call`) and use the store's objects, as the standard allows. Its arguments
//! are lent (released after it returns); its results vector comes filled with zeros and
//! null references of the result types, and the references it puts there become wisp's.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr;

use wisp::{Caller, Func, FuncType, Trap, Val};

use crate::error::fail;
use crate::object::{wasm_func_t, wasm_ref_t, wasm_trap_t, What};
use crate::runtime::{wasm_store_t, StoreData};
use crate::trap::{to_trap, TrapData};
use crate::types::{wasm_externtype_t, wasm_functype_t};
use crate::val::{wasm_val_t, wasm_val_vec_t};
use crate::vec::{Element, Vector};

pub type wasm_func_callback_t =
    unsafe extern "C" fn(*const wasm_val_vec_t, *mut wasm_val_vec_t) -> *mut wasm_trap_t;
pub type wasm_func_callback_with_env_t = unsafe extern "C" fn(
    *mut c_void,
    *const wasm_val_vec_t,
    *mut wasm_val_vec_t,
) -> *mut wasm_trap_t;
type Finalizer = unsafe extern "C" fn(*mut c_void);

/// A C callback and its environment; the finalizer runs when the function is dropped with
/// its store.
struct Callback {
    store: *mut wasm_store_t,
    call: Call,
    env: *mut c_void,
    finalizer: Option<Finalizer>,
}

enum Call {
    Plain(wasm_func_callback_t),
    WithEnv(wasm_func_callback_with_env_t),
}

// SAFETY: a store, and so its host functions, are used on one thread at a time; the
// callback and its environment are the embedder's, which the header makes its business.
unsafe impl Send for Callback {}
unsafe impl Sync for Callback {}

impl Drop for Callback {
    fn drop(&mut self) {
        if let Some(finalize) = self.finalizer.take() {
            // SAFETY: the embedder's finalizer for its environment, run once (taken).
            unsafe { finalize(self.env) };
        }
    }
}

impl Callback {
    fn call(
        &self,
        mut caller: Caller<'_, StoreData>,
        ty: &FuncType,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Trap> {
        let mut args = Values::new(params.len(), |i| {
            wasm_val_t::from_val(&params[i], self.store, &caller)
        });
        let mut out = Values::new(results.len(), |i| wasm_val_t::zero(ty.results()[i]));
        let (args, out) = (args.as_mut_slice(), out.as_mut_slice());
        let args_vec = view(args);
        let mut out_vec = view(out);
        // SAFETY: the embedder's callback, with vectors valid for the call.
        let trap = unsafe {
            match self.call {
                Call::Plain(f) => f(&*args_vec, &mut *out_vec),
                Call::WithEnv(f) => f(self.env, &*args_vec, &mut *out_vec),
            }
        };
        if !trap.is_null() {
            // SAFETY: an owned trap the callback returned.
            let trap = unsafe { Box::from_raw(trap) };
            return Err(to_trap(&trap));
        }
        if out_vec.size != out.len() || out_vec.data != out.as_mut_ptr() {
            return Err(Trap::msg("a host function replaced its results vector"));
        }
        for ((slot, val), &t) in results.iter_mut().zip(out.iter()).zip(ty.results()) {
            // SAFETY: the values the callback wrote, references owned by `out`.
            *slot = unsafe { val.to_val(t, &mut caller) }
                .map_err(|e| Trap::msg(alloc::format!("a host function's result: {e}")))?;
        }
        Ok(())
    }
}

/// How many values a callback's arguments or results keep on the stack rather than the
/// heap (a host call allocates nothing for its vectors up to this many).
const INLINE: usize = 8;

/// A callback's arguments or results: on the stack when they are few; released when
/// dropped (a reference value owns its object).
struct Values {
    /// The first `len` are initialised when `len <= INLINE`.
    stack: [MaybeUninit<wasm_val_t>; INLINE],
    heap: Vec<wasm_val_t>,
    len: usize,
}

impl Values {
    fn new(len: usize, mut make: impl FnMut(usize) -> wasm_val_t) -> Values {
        let mut values = Values {
            stack: [const { MaybeUninit::uninit() }; INLINE],
            heap: Vec::new(),
            len,
        };
        if len <= INLINE {
            for (i, slot) in values.stack[..len].iter_mut().enumerate() {
                slot.write(make(i));
            }
        } else {
            values.heap = (0..len).map(make).collect();
        }
        values
    }

    fn as_mut_slice(&mut self) -> &mut [wasm_val_t] {
        if self.len <= INLINE {
            // SAFETY: the first `len` are initialised (`new`).
            unsafe { &mut *(ptr::addr_of_mut!(self.stack[..self.len]) as *mut [wasm_val_t]) }
        } else {
            &mut self.heap
        }
    }
}

impl Drop for Values {
    fn drop(&mut self) {
        for value in self.as_mut_slice() {
            // SAFETY: each value is released once, and left a number.
            unsafe { core::mem::replace(value, wasm_val_t::blank()).release() };
        }
    }
}

/// A C vector over `values`, which it does not own (never released as a vector).
fn view(values: &mut [wasm_val_t]) -> ManuallyDrop<wasm_val_vec_t> {
    ManuallyDrop::new(Vector {
        size: values.len(),
        data: values.as_mut_ptr(),
    })
}

unsafe fn new_func(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    call: Call,
    env: *mut c_void,
    finalizer: Option<Finalizer>,
) -> *mut wasm_func_t {
    let callback = Callback {
        store,
        call,
        env,
        finalizer,
    };
    // SAFETY: null or live objects.
    let (Some(s), Some(ty)) = (
        unsafe { store.as_mut() },
        unsafe { ty.as_ref() }.and_then(wasm_externtype_t::func),
    ) else {
        // The environment is finalized (dropping `callback`): the function never exists.
        return fail("wasm_func_new: the store is null, or the type is not a function type");
    };
    let ty = ty.clone();
    let func_ty = ty.clone();
    let func = Func::new(&mut s.store, ty, move |caller, params, results| {
        callback.call(caller, &func_ty, params, results)
    });
    wasm_ref_t::new(store, What::Func(func)).boxed()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_func_new(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    callback: Option<wasm_func_callback_t>,
) -> *mut wasm_func_t {
    let Some(callback) = callback else {
        return fail("wasm_func_new: the callback is null");
    };
    // SAFETY: the contract.
    unsafe { new_func(store, ty, Call::Plain(callback), ptr::null_mut(), None) }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_func_new_with_env(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    callback: Option<wasm_func_callback_with_env_t>,
    env: *mut c_void,
    finalizer: Option<Finalizer>,
) -> *mut wasm_func_t {
    let Some(callback) = callback else {
        if let Some(finalize) = finalizer {
            // SAFETY: the embedder's finalizer: the function it was for never exists.
            unsafe { finalize(env) };
        }
        return fail("wasm_func_new_with_env: the callback is null");
    };
    // SAFETY: the contract.
    unsafe { new_func(store, ty, Call::WithEnv(callback), env, finalizer) }
}

/// The function `f` and its store, if `f` is a function.
///
/// # Safety
/// `f` is null or a live object whose store is live.
pub unsafe fn func_of<'a>(f: *const wasm_func_t) -> Option<(Func, &'a mut wasm_store_t)> {
    // SAFETY: the contract.
    let f = unsafe { f.as_ref() }?;
    match (&f.what, unsafe { f.store.as_mut() }) {
        (What::Func(func), Some(store)) => Some((*func, store)),
        _ => None,
    }
}

fn func_type(f: *const wasm_func_t) -> Option<FuncType> {
    // SAFETY: the header's contract.
    let (func, store) = unsafe { func_of(f) }?;
    func.ty(&store.store).ok()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_func_type(f: *const wasm_func_t) -> *mut wasm_functype_t {
    match func_type(f) {
        Some(ty) => wasm_externtype_t::new(wisp::ExternType::Func(ty)).boxed(),
        None => fail("wasm_func_type: not a function"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_func_param_arity(f: *const wasm_func_t) -> usize {
    func_type(f).map_or(0, |t| t.params().len())
}

#[no_mangle]
pub unsafe extern "C" fn wasm_func_result_arity(f: *const wasm_func_t) -> usize {
    func_type(f).map_or(0, |t| t.results().len())
}

/// Calls `f`. `results` receives the function's results, as many as it has room for;
/// its elements are overwritten (not released) with owned values. A trap, or an argument
/// of the wrong type or count, returns a trap (the results are then left as they were).
#[no_mangle]
pub unsafe extern "C" fn wasm_func_call(
    f: *const wasm_func_t,
    args: *const wasm_val_vec_t,
    results: *mut wasm_val_vec_t,
) -> *mut wasm_trap_t {
    // SAFETY: the header's contract.
    let Some((func, store)) = (unsafe { func_of(f) }) else {
        return TrapData::message("wasm_func_call: not a function").into_object(ptr::null_mut());
    };
    let store_ptr: *mut wasm_store_t = store;
    match call(func, store, args, results) {
        Ok(()) => ptr::null_mut(),
        Err(data) => data.into_object(store_ptr),
    }
}

fn call(
    func: Func,
    store: &mut wasm_store_t,
    args: *const wasm_val_vec_t,
    results: *mut wasm_val_vec_t,
) -> Result<(), TrapData> {
    let ty = func
        .ty(&store.store)
        .map_err(|e| TrapData::from_error(&e))?;
    // SAFETY: null or valid vectors (the header's contract).
    let args = unsafe { args.as_ref() }.map_or(&[][..], |a| unsafe { a.as_slice() });
    let Some(results) = (unsafe { results.as_mut() }) else {
        return Err(TrapData::message(
            "wasm_func_call: the results vector is null",
        ));
    };
    let wrong = |what: String| TrapData::message(alloc::format!("wasm_func_call: {what}"));
    if args.len() != ty.params().len() {
        return Err(wrong(alloc::format!(
            "{} arguments for {} parameters",
            args.len(),
            ty.params().len()
        )));
    }
    // Up to `INLINE` parameters and results on the stack: a call allocates nothing here.
    let mut params_buf = [Val::I32(0); INLINE];
    let mut params_heap = Vec::new();
    let params: &mut [Val] = if args.len() <= INLINE {
        &mut params_buf[..args.len()]
    } else {
        params_heap.resize(args.len(), Val::I32(0));
        &mut params_heap
    };
    for ((slot, a), &t) in params.iter_mut().zip(args).zip(ty.params()) {
        // SAFETY: the arguments' references are null or live.
        *slot = unsafe { a.to_val(t, &mut store.store) }
            .map_err(|e| wrong(alloc::format!("an argument: {e}")))?;
    }
    let mut vals_buf = [Val::I32(0); INLINE];
    let mut vals_heap = Vec::new();
    let n = ty.results().len();
    let vals: &mut [Val] = if n <= INLINE {
        &mut vals_buf[..n]
    } else {
        vals_heap.resize(n, Val::I32(0));
        &mut vals_heap
    };
    for (v, &t) in vals.iter_mut().zip(ty.results()) {
        *v = Val::default_for(t);
    }
    func.call(&mut store.store, params, vals)
        .map_err(|e| TrapData::from_error(&e))?;
    let store_ptr: *mut wasm_store_t = store;
    // As many results as `results` has room for (wasmtime's reading of the standard, which
    // programs written for it rely on: some pass no room for a call they expect to trap).
    // SAFETY: a valid vector; its old elements are not released.
    for (slot, val) in unsafe { results.as_mut_slice() }
        .iter_mut()
        .zip(vals.iter())
    {
        unsafe {
            ptr::write(
                slot,
                wasm_val_t::from_val(val, store_ptr, &(*store_ptr).store),
            )
        };
    }
    Ok(())
}
