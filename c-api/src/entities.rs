//! Globals, tables and memories.

use wisp::{ExternType, Global, Memory, MemoryType, Table, Val, ValType};

use crate::error::{fail, refuse};
use crate::object::{wasm_global_t, wasm_memory_t, wasm_ref_t, wasm_table_t, What};
use crate::runtime::wasm_store_t;
use crate::types::{wasm_externtype_t, wasm_globaltype_t, wasm_memorytype_t, wasm_tabletype_t};
use crate::val::wasm_val_t;
use crate::vec::write_out;

/// The thing `r` refers to (given by `pick`) and its store.
///
/// # Safety
/// `r` is null or a live object whose store is live.
unsafe fn entity<'a, T>(
    r: *const wasm_ref_t,
    pick: impl Fn(&What) -> Option<T>,
) -> Option<(T, &'a mut wasm_store_t)> {
    // SAFETY: the contract.
    let r = unsafe { r.as_ref() }?;
    let thing = pick(&r.what)?;
    Some((thing, unsafe { r.store.as_mut() }?))
}

unsafe fn global<'a>(g: *const wasm_global_t) -> Option<(Global, &'a mut wasm_store_t)> {
    // SAFETY: the contract.
    unsafe {
        entity(g, |w| {
            if let What::Global(g) = w {
                Some(*g)
            } else {
                None
            }
        })
    }
}

unsafe fn table<'a>(t: *const wasm_table_t) -> Option<(Table, &'a mut wasm_store_t)> {
    // SAFETY: the contract.
    unsafe {
        entity(t, |w| {
            if let What::Table(t) = w {
                Some(*t)
            } else {
                None
            }
        })
    }
}

unsafe fn memory<'a>(m: *const wasm_memory_t) -> Option<(Memory, &'a mut wasm_store_t)> {
    // SAFETY: the contract.
    unsafe {
        entity(m, |w| {
            if let What::Memory(m) = w {
                Some(*m)
            } else {
                None
            }
        })
    }
}

/// The type object of an extern type, or null with the error.
fn type_object(ty: Result<ExternType, wisp::Error>) -> *mut wasm_externtype_t {
    match ty {
        Ok(ty) => wasm_externtype_t::new(ty).boxed(),
        Err(e) => fail(e),
    }
}

// --- globals ---

#[no_mangle]
pub unsafe extern "C" fn wasm_global_new(
    store: *mut wasm_store_t,
    ty: *const wasm_globaltype_t,
    val: *const wasm_val_t,
) -> *mut wasm_global_t {
    // SAFETY: null or live objects.
    let (Some(s), Some(ty), Some(val)) =
        (unsafe { store.as_mut() }, unsafe { ty.as_ref() }, unsafe {
            val.as_ref()
        })
    else {
        return fail("wasm_global_new: a null argument");
    };
    let ExternType::Global(ty) = ty.ty else {
        return fail("wasm_global_new: not a global type");
    };
    // SAFETY: the value's reference is null or live.
    let init = match unsafe { val.to_val(ty.content, &mut s.store) } {
        Ok(v) => v,
        Err(e) => return fail(alloc::format!("wasm_global_new: {e}")),
    };
    match Global::new(&mut s.store, ty, init) {
        Ok(g) => wasm_ref_t::new(store, What::Global(g)).boxed(),
        Err(e) => fail(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_global_type(g: *const wasm_global_t) -> *mut wasm_globaltype_t {
    // SAFETY: the header's contract.
    match unsafe { global(g) } {
        Some((g, s)) => type_object(g.ty(&s.store).map(ExternType::Global)),
        None => fail("wasm_global_type: not a global"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_global_get(g: *const wasm_global_t, out: *mut wasm_val_t) {
    // SAFETY: the header's contract.
    let Some((g, s)) = (unsafe { global(g) }) else {
        return crate::error::set_error("wasm_global_get: not a global");
    };
    let store: *mut wasm_store_t = s;
    if out.is_null() {
        return;
    }
    match g.get(&s.store) {
        // SAFETY: an out-parameter.
        Ok(v) => unsafe { write_out(out, wasm_val_t::from_val(&v, store, &s.store)) },
        Err(e) => crate::error::set_error(e),
    }
}

/// Sets the global; a constant global, or a value of another type, is refused (the last
/// error says why) and the global keeps its value.
#[no_mangle]
pub unsafe extern "C" fn wasm_global_set(g: *mut wasm_global_t, val: *const wasm_val_t) {
    // SAFETY: the header's contract.
    let (Some((g, s)), Some(val)) = (unsafe { global(g) }, unsafe { val.as_ref() }) else {
        return crate::error::set_error("wasm_global_set: not a global, or a null value");
    };
    let Ok(ty) = g.ty(&s.store) else { return };
    // SAFETY: the value's reference is null or live.
    let result = unsafe { val.to_val(ty.content, &mut s.store) };
    if let Err(e) = result.and_then(|v| {
        g.set(&mut s.store, v)
            .map_err(|e| crate::error::text_of(&e))
    }) {
        crate::error::set_error(e);
    }
}

// --- tables ---

/// The value a reference object (or null) stands for in a table of `element`s.
unsafe fn table_val(
    r: *const wasm_ref_t,
    element: ValType,
    store: &mut wasm_store_t,
) -> Result<Val, alloc::string::String> {
    let val = wasm_val_t {
        kind: crate::types::kind_of(element),
        of: crate::val::Payload {
            r#ref: r.cast_mut(),
        },
    };
    // SAFETY: the contract; `val` is a view, not released.
    unsafe { val.to_val(element, &mut store.store) }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_table_new(
    store: *mut wasm_store_t,
    ty: *const wasm_tabletype_t,
    init: *mut wasm_ref_t,
) -> *mut wasm_table_t {
    // SAFETY: null or live objects.
    let (Some(s), Some(ty)) = (unsafe { store.as_mut() }, unsafe { ty.as_ref() }) else {
        return fail("wasm_table_new: a null argument");
    };
    let ExternType::Table(ty) = ty.ty else {
        return fail("wasm_table_new: not a table type");
    };
    // SAFETY: `init` is null or live.
    let init = match unsafe { table_val(init, ValType::Ref(ty.element), s) } {
        Ok(v) => v,
        Err(e) => return fail(alloc::format!("wasm_table_new: {e}")),
    };
    match Table::new(&mut s.store, ty, init) {
        Ok(t) => wasm_ref_t::new(store, What::Table(t)).boxed(),
        Err(e) => fail(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_table_type(t: *const wasm_table_t) -> *mut wasm_tabletype_t {
    // SAFETY: the header's contract.
    match unsafe { table(t) } {
        Some((t, s)) => type_object(t.ty(&s.store).map(ExternType::Table)),
        None => fail("wasm_table_type: not a table"),
    }
}

/// The element at `index`: a new reference, or null for a null element or an index out
/// of bounds.
#[no_mangle]
pub unsafe extern "C" fn wasm_table_get(t: *const wasm_table_t, index: u32) -> *mut wasm_ref_t {
    // SAFETY: the header's contract.
    let Some((t, s)) = (unsafe { table(t) }) else {
        return fail("wasm_table_get: not a table");
    };
    let store: *mut wasm_store_t = s;
    match t.get(&s.store, index.into()) {
        Ok(Some(v)) => {
            let val = wasm_val_t::from_val(&v, store, &s.store);
            // SAFETY: a reference value: `ref` is its (owned) object or null.
            unsafe { val.of.r#ref }
        }
        Ok(None) => fail("wasm_table_get: index out of bounds"),
        Err(e) => fail(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_table_set(
    t: *mut wasm_table_t,
    index: u32,
    r: *mut wasm_ref_t,
) -> bool {
    // SAFETY: the header's contract.
    let Some((t, s)) = (unsafe { table(t) }) else {
        return refuse("wasm_table_set: not a table");
    };
    let Ok(ty) = t.ty(&s.store) else { return false };
    // SAFETY: `r` is null or live.
    let result = unsafe { table_val(r, ValType::Ref(ty.element), s) }.and_then(|v| {
        t.set(&mut s.store, index.into(), v)
            .map_err(|e| crate::error::text_of(&e))
    });
    result.map_or_else(refuse, |()| true)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_table_size(t: *const wasm_table_t) -> u32 {
    // SAFETY: the header's contract.
    unsafe { table(t) }
        .and_then(|(t, s)| t.size(&s.store).ok())
        // A table never holds `u32::MAX` elements (`Config::max_table_elements`).
        .map_or(0, |n| n as u32)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_table_grow(
    t: *mut wasm_table_t,
    delta: u32,
    init: *mut wasm_ref_t,
) -> bool {
    // SAFETY: the header's contract.
    let Some((t, s)) = (unsafe { table(t) }) else {
        return refuse("wasm_table_grow: not a table");
    };
    let Ok(ty) = t.ty(&s.store) else { return false };
    // SAFETY: `init` is null or live.
    let result = unsafe { table_val(init, ValType::Ref(ty.element), s) }.and_then(|v| {
        t.grow(&mut s.store, delta.into(), v)
            .map_err(|e| crate::error::text_of(&e))
    });
    result.map_or_else(refuse, |_| true)
}

// --- memories ---

#[no_mangle]
pub unsafe extern "C" fn wasm_memory_new(
    store: *mut wasm_store_t,
    ty: *const wasm_memorytype_t,
) -> *mut wasm_memory_t {
    // SAFETY: null or live objects.
    let (Some(s), Some(ty)) = (unsafe { store.as_mut() }, unsafe { ty.as_ref() }) else {
        return fail("wasm_memory_new: a null argument");
    };
    let ExternType::Memory(ty) = ty.ty else {
        return fail("wasm_memory_new: not a memory type");
    };
    match Memory::new(&mut s.store, MemoryType { ..ty }) {
        Ok(m) => wasm_ref_t::new(store, What::Memory(m)).boxed(),
        Err(e) => fail(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_memory_type(m: *const wasm_memory_t) -> *mut wasm_memorytype_t {
    // SAFETY: the header's contract.
    match unsafe { memory(m) } {
        Some((m, s)) => type_object(m.ty(&s.store).map(ExternType::Memory)),
        None => fail("wasm_memory_type: not a memory"),
    }
}

/// The memory's bytes, valid until it grows (or null for a memory of no bytes).
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_data(m: *mut wasm_memory_t) -> *mut u8 {
    // SAFETY: the header's contract.
    match unsafe { memory(m) } {
        Some((m, s)) => m
            .data_mut(&mut s.store)
            .map_or(core::ptr::null_mut(), |d| d.as_mut_ptr()),
        None => fail("wasm_memory_data: not a memory"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_memory_data_size(m: *const wasm_memory_t) -> usize {
    // SAFETY: the header's contract.
    unsafe { memory(m) }
        .and_then(|(m, s)| m.data(&s.store).ok().map(<[u8]>::len))
        .unwrap_or(0)
}

/// Pages of 64 KiB (a memory too large for 32 bits of pages shows `u32::MAX`).
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_size(m: *const wasm_memory_t) -> u32 {
    // SAFETY: the header's contract.
    unsafe { memory(m) }
        .and_then(|(m, s)| m.size(&s.store).ok())
        .map_or(0, |pages| u32::try_from(pages).unwrap_or(u32::MAX))
}

#[no_mangle]
pub unsafe extern "C" fn wasm_memory_grow(m: *mut wasm_memory_t, delta: u32) -> bool {
    // SAFETY: the header's contract.
    let Some((m, s)) = (unsafe { memory(m) }) else {
        return refuse("wasm_memory_grow: not a memory");
    };
    m.grow(&mut s.store, delta.into())
        .map_or_else(refuse, |_| true)
}
