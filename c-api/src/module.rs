//! Modules: compiling, validating, their import and export types, sharing between stores,
//! and the serialized form.
//!
//! The serialized form is the module's binary behind a header: a magic, a format version,
//! the wisp version that wrote it, the binary's length and an FNV-1a checksum of it.
//! `wasm_module_deserialize` checks all of them and then loads the binary as
//! `wasm_module_new` does, validation included, so no blob, corrupted or foreign, is
//! ever run unchecked. (It saves no compile time yet: a native code cache is issue 24's.)

use alloc::vec::Vec;

use wisp::Module;
use wisp_core::Engine;

use crate::error::{fail, refuse};
use crate::object::{wasm_module_t, wasm_ref_t, What};
use crate::runtime::wasm_store_t;
use crate::types::{
    wasm_exporttype_t, wasm_exporttype_vec_t, wasm_importtype_t, wasm_importtype_vec_t, write_boxed,
};
use crate::vec::{wasm_byte_vec_t, write_out, Vector};

/// The module of `m`, if it is one.
fn module_of<'a>(m: *const wasm_module_t) -> Option<&'a Module> {
    // SAFETY: null or a live module.
    match unsafe { m.as_ref() }.map(|m| &m.what) {
        Some(What::Module(module)) => Some(module),
        _ => None,
    }
}

/// The bytes of a C vector.
///
/// # Safety
/// `v` is null or a valid vector.
unsafe fn bytes_of<'a>(v: *const wasm_byte_vec_t) -> &'a [u8] {
    // SAFETY: the contract.
    unsafe { v.as_ref() }.map_or(&[][..], |v| unsafe { v.as_slice() })
}

fn engine_of<'a>(store: *mut wasm_store_t) -> Option<&'a Engine> {
    // SAFETY: null or a live store.
    unsafe { store.as_ref() }.map(|s| s.store.engine())
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_new(
    store: *mut wasm_store_t,
    binary: *const wasm_byte_vec_t,
) -> *mut wasm_module_t {
    let Some(engine) = engine_of(store) else {
        return fail("wasm_module_new: the store is null");
    };
    // SAFETY: the contract.
    match Module::new(engine, unsafe { bytes_of(binary) }) {
        Ok(module) => wasm_ref_t::new(store, What::Module(module)).boxed(),
        Err(e) => fail(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_validate(
    store: *mut wasm_store_t,
    binary: *const wasm_byte_vec_t,
) -> bool {
    let Some(engine) = engine_of(store) else {
        return refuse("wasm_module_validate: the store is null");
    };
    // SAFETY: the contract.
    match Module::validate(engine, unsafe { bytes_of(binary) }) {
        Ok(()) => true,
        Err(e) => refuse(e),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_imports(
    m: *const wasm_module_t,
    out: *mut wasm_importtype_vec_t,
) {
    let imports: Vec<_> = module_of(m).map_or_else(Vec::new, |m| m.imports().collect());
    let items = imports
        .into_iter()
        .map(|(module, name, ty)| wasm_importtype_t::new(module, name, ty));
    // SAFETY: an out-parameter.
    unsafe { write_boxed(out, items) };
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_exports(
    m: *const wasm_module_t,
    out: *mut wasm_exporttype_vec_t,
) {
    let exports: Vec<_> = module_of(m).map_or_else(Vec::new, |m| m.exports().collect());
    let items = exports
        .into_iter()
        .map(|(name, ty)| wasm_exporttype_t::new(name, ty));
    // SAFETY: an out-parameter.
    unsafe { write_boxed(out, items) };
}

/// The serialized form's first bytes.
const MAGIC: &[u8; 8] = b"\0wispmod";
/// Its layout version: a change of layout changes it.
const FORMAT: u32 = 1;
/// The version of wisp that wrote it.
const VERSION: &[u8] = env!("CARGO_PKG_VERSION").as_bytes();

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn serialize(binary: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(binary.len() + 40);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(VERSION.len() as u32).to_le_bytes());
    out.extend_from_slice(VERSION);
    out.extend_from_slice(&(binary.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(binary).to_le_bytes());
    out.extend_from_slice(binary);
    out
}

/// The binary inside a serialized module, or why there is none.
fn deserialize(blob: &[u8]) -> Result<&[u8], &'static str> {
    fn split<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], &'static str> {
        if rest.len() < n {
            return Err("the serialized module is truncated");
        }
        let (head, tail) = rest.split_at(n);
        *rest = tail;
        Ok(head)
    }
    let word = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default());
    let long = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let mut rest = blob;
    if split(&mut rest, MAGIC.len())? != MAGIC {
        return Err("not a serialized wisp module");
    }
    if word(split(&mut rest, 4)?) != FORMAT {
        return Err("a serialized module of another format version");
    }
    let version_len = word(split(&mut rest, 4)?) as usize;
    if split(&mut rest, version_len)? != VERSION {
        return Err("a serialized module from another version of wisp");
    }
    let len = long(split(&mut rest, 8)?);
    let checksum = long(split(&mut rest, 8)?);
    if len != rest.len() as u64 {
        return Err("the serialized module's length does not match");
    }
    if fnv1a(rest) != checksum {
        return Err("the serialized module's checksum does not match: it is corrupted");
    }
    Ok(rest)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_serialize(m: *const wasm_module_t, out: *mut wasm_byte_vec_t) {
    let blob = module_of(m).map_or_else(Vec::new, |m| serialize(&m.inner().bytes));
    // SAFETY: an out-parameter.
    unsafe { write_out(out, Vector::from_vec(blob)) };
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_deserialize(
    store: *mut wasm_store_t,
    blob: *const wasm_byte_vec_t,
) -> *mut wasm_module_t {
    let Some(engine) = engine_of(store) else {
        return fail("wasm_module_deserialize: the store is null");
    };
    // SAFETY: the contract.
    match deserialize(unsafe { bytes_of(blob) }) {
        Ok(binary) => match Module::new(engine, binary) {
            Ok(module) => wasm_ref_t::new(store, What::Module(module)).boxed(),
            Err(e) => fail(e),
        },
        Err(why) => fail(why),
    }
}

/// A module to hand to another store (on any thread): the compiled module itself.
pub struct wasm_shared_module_t {
    module: Module,
}

#[no_mangle]
pub unsafe extern "C" fn wasm_module_share(m: *const wasm_module_t) -> *mut wasm_shared_module_t {
    match module_of(m) {
        Some(module) => alloc::boxed::Box::into_raw(alloc::boxed::Box::new(wasm_shared_module_t {
            module: module.clone(),
        })),
        None => fail("wasm_module_share: not a module"),
    }
}

/// The shared module in `store`: the same compiled module when the store's engine is
/// its engine, else compiled anew for the store's engine.
#[no_mangle]
pub unsafe extern "C" fn wasm_module_obtain(
    store: *mut wasm_store_t,
    shared: *const wasm_shared_module_t,
) -> *mut wasm_module_t {
    // SAFETY: null or a live shared module.
    let (Some(engine), Some(shared)) = (engine_of(store), unsafe { shared.as_ref() }) else {
        return fail("wasm_module_obtain: the store or the shared module is null");
    };
    let module = if Engine::same(engine, shared.module.engine()) {
        shared.module.clone()
    } else {
        match Module::new(engine, &shared.module.inner().bytes[..]) {
            Ok(module) => module,
            Err(e) => return fail(e),
        }
    };
    wasm_ref_t::new(store, What::Module(module)).boxed()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_shared_module_delete(shared: *mut wasm_shared_module_t) {
    if !shared.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { alloc::boxed::Box::from_raw(shared) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_modules_round_trip_and_refuse_every_damaged_byte() {
        let binary = b"\0asm\x01\0\0\0";
        let blob = serialize(binary);
        assert_eq!(deserialize(&blob), Ok(&binary[..]));
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x40;
            assert!(deserialize(&bad).is_err(), "byte {i} flipped was accepted");
        }
        for len in 0..blob.len() {
            assert!(
                deserialize(&blob[..len]).is_err(),
                "truncated to {len} was accepted"
            );
        }
    }
}
