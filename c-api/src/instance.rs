//! Instances, and the extern functions that ask what an extern is.

use alloc::vec::Vec;
use core::ptr;

use wisp::{Extern, ExternType, Instance};

use crate::error::fail;
use crate::object::{
    wasm_extern_t, wasm_extern_vec_t, wasm_instance_t, wasm_ref_t, wasm_trap_t, What,
};
use crate::runtime::wasm_store_t;
use crate::trap::TrapData;
use crate::types::{
    wasm_externtype_t, WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_MEMORY, WASM_EXTERN_TABLE,
    WASM_EXTERN_TAG,
};
use crate::vec::{write_out, Vector};

/// wisp's extern for an extern object.
fn to_extern(what: &What) -> Option<Extern> {
    Some(match *what {
        What::Func(f) => Extern::Func(f),
        What::Global(g) => Extern::Global(g),
        What::Table(t) => Extern::Table(t),
        What::Memory(m) => Extern::Memory(m),
        What::Tag(t) => Extern::Tag(t),
        _ => return None,
    })
}

fn from_extern(e: Extern) -> What {
    match e {
        Extern::Func(f) => What::Func(f),
        Extern::Global(g) => What::Global(g),
        Extern::Table(t) => What::Table(t),
        Extern::Memory(m) => What::Memory(m),
        Extern::Tag(t) => What::Tag(t),
    }
}

/// Writes a trap saying `data` to `trap` (when not null) and returns null.
unsafe fn failed(
    store: *mut wasm_store_t,
    trap: *mut *mut wasm_trap_t,
    data: TrapData,
) -> *mut wasm_instance_t {
    crate::error::set_error(&data.message);
    if !trap.is_null() {
        // SAFETY: an out-parameter.
        unsafe { write_out(trap, data.into_object(store)) };
    }
    ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_instance_new(
    store: *mut wasm_store_t,
    module: *const wasm_ref_t,
    imports: *const wasm_extern_vec_t,
    trap: *mut *mut wasm_trap_t,
) -> *mut wasm_instance_t {
    // SAFETY: null or live objects.
    let (Some(s), Some(What::Module(module))) = (
        unsafe { store.as_mut() },
        unsafe { module.as_ref() }.map(|m| &m.what),
    ) else {
        // SAFETY: as above.
        return unsafe {
            failed(
                store,
                trap,
                TrapData::message("wasm_instance_new: the store is null, or the module is not one"),
            )
        };
    };
    // SAFETY: a null or valid vector of null or live externs.
    let items = unsafe { imports.as_ref() }.map_or(&[][..], |v| unsafe { v.as_slice() });
    let externs: Option<Vec<Extern>> = items
        .iter()
        .map(|&e| unsafe { e.as_ref() }.and_then(|e| to_extern(&e.what)))
        .collect();
    let Some(externs) = externs else {
        // SAFETY: as above.
        return unsafe {
            failed(
                store,
                trap,
                TrapData::message("wasm_instance_new: an import is null or not an extern"),
            )
        };
    };
    match Instance::new(&mut s.store, module, &externs) {
        Ok(instance) => wasm_ref_t::new(store, What::Instance(instance)).boxed(),
        // SAFETY: as above.
        Err(e) => unsafe { failed(store, trap, TrapData::from_error(&e)) },
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_instance_exports(
    instance: *const wasm_instance_t,
    out: *mut wasm_extern_vec_t,
) {
    // SAFETY: null or a live instance, whose store is live.
    let found =
        unsafe { instance.as_ref() }.and_then(|i| match (&i.what, unsafe { i.store.as_ref() }) {
            (What::Instance(inst), Some(s)) => Some((*inst, i.store, s)),
            _ => None,
        });
    let items = match found {
        Some((inst, store, s)) => inst
            .exports(&s.store)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, e)| wasm_ref_t::new(store, from_extern(e)).boxed())
            .collect(),
        None => {
            crate::error::set_error("wasm_instance_exports: not an instance");
            Vec::new()
        }
    };
    // SAFETY: an out-parameter.
    unsafe { write_out(out, Vector::from_vec(items)) };
}

#[no_mangle]
pub unsafe extern "C" fn wasm_extern_kind(e: *const wasm_extern_t) -> u8 {
    // SAFETY: null or a live extern.
    match unsafe { e.as_ref() }.map(|e| &e.what) {
        Some(What::Global(_)) => WASM_EXTERN_GLOBAL,
        Some(What::Table(_)) => WASM_EXTERN_TABLE,
        Some(What::Memory(_)) => WASM_EXTERN_MEMORY,
        Some(What::Tag(_)) => WASM_EXTERN_TAG,
        _ => WASM_EXTERN_FUNC,
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_extern_type(e: *const wasm_extern_t) -> *mut wasm_externtype_t {
    // SAFETY: null or a live extern, whose store is live.
    let Some(e) = (unsafe { e.as_ref() }) else {
        return fail("wasm_extern_type: null");
    };
    let (Some(ext), Some(s)) = (to_extern(&e.what), unsafe { e.store.as_ref() }) else {
        return fail("wasm_extern_type: not an extern");
    };
    let store = &s.store;
    let ty = match ext {
        Extern::Func(f) => f.ty(store).map(ExternType::Func),
        Extern::Global(g) => g.ty(store).map(ExternType::Global),
        Extern::Table(t) => t.ty(store).map(ExternType::Table),
        Extern::Memory(m) => m.ty(store).map(ExternType::Memory),
        Extern::Tag(t) => t.ty(store).map(ExternType::Tag),
    };
    match ty {
        Ok(ty) => wasm_externtype_t::new(ty).boxed(),
        Err(e) => fail(e),
    }
}
