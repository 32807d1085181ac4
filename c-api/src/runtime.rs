//! Configuration, engines and stores.

use alloc::boxed::Box;

#[cfg(feature = "std")]
use wisp::wasi::WasiCtx;
use wisp::{Config, Engine, ExternRef, Store};

use crate::error::fail;
use crate::object::{Key, StoreInfos};

/// A configuration: wisp's [`Config`] (wisp.h sets its fields).
pub struct wasm_config_t {
    pub config: Config,
}

pub struct wasm_engine_t {
    pub engine: Engine,
}

/// A store. Its objects hold its address, so it is boxed and never moves.
pub struct wasm_store_t {
    pub store: Store<StoreData>,
}

/// What the C API keeps per store.
pub struct StoreData {
    /// Host info of the things in the store (`object.rs`), dropped, and finalized, with it.
    pub infos: StoreInfos,
    /// Foreign objects made so far: the next one's identity.
    pub foreign_count: u64,
    /// The `externref` standing for each C object passed to wasm as one, so that passing
    /// the same object again reuses it (the store keeps every `externref` it makes).
    pub externs: hashbrown::HashMap<Key, ExternRef>,
    /// The WASI context its WASI functions serve (`wisp_store_set_wasi`; at first one
    /// with nothing: no arguments, streams at their end or thrown away).
    #[cfg(feature = "std")]
    pub wasi: WasiCtx,
}

impl StoreData {
    fn new() -> Result<StoreData, alloc::string::String> {
        Ok(StoreData {
            infos: StoreInfos::default(),
            foreign_count: 0,
            externs: Default::default(),
            #[cfg(feature = "std")]
            wasi: WasiCtx::builder()
                .build()
                .map_err(|e| alloc::format!("{e}"))?,
        })
    }
}

#[no_mangle]
pub extern "C" fn wasm_config_new() -> *mut wasm_config_t {
    Box::into_raw(Box::new(wasm_config_t {
        config: Config::default(),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn wasm_config_delete(config: *mut wasm_config_t) {
    if !config.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { Box::from_raw(config) });
    }
}

#[no_mangle]
pub extern "C" fn wasm_engine_new() -> *mut wasm_engine_t {
    Box::into_raw(Box::new(wasm_engine_t {
        engine: Engine::default(),
    }))
}

/// An engine on the configuration's tier. A JIT tier this build or host cannot run is an
/// error (null), not a silent fallback: the embedder asked for it by name
/// (`wisp_config_tier`). Without a tier set: tier-up where the JIT runs, else the
/// interpreter.
#[no_mangle]
pub unsafe extern "C" fn wasm_engine_new_with_config(
    config: *mut wasm_config_t,
) -> *mut wasm_engine_t {
    if config.is_null() {
        return wasm_engine_new();
    }
    // SAFETY: owned, from this library.
    let config = unsafe { Box::from_raw(config) }.config;
    let engine = match config.get_tier() {
        Some(tier) => match Engine::with_tier(&config, tier) {
            Ok(engine) => engine,
            Err(e) => return fail(e),
        },
        None => Engine::new(&config),
    };
    Box::into_raw(Box::new(wasm_engine_t { engine }))
}

#[no_mangle]
pub unsafe extern "C" fn wasm_engine_delete(engine: *mut wasm_engine_t) {
    if !engine.is_null() {
        // SAFETY: owned, from this library. Its stores and modules keep their own handle.
        drop(unsafe { Box::from_raw(engine) });
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_store_new(engine: *mut wasm_engine_t) -> *mut wasm_store_t {
    // SAFETY: null or a live engine.
    let Some(engine) = (unsafe { engine.as_ref() }) else {
        return fail("wasm_store_new: the engine is null");
    };
    match StoreData::new() {
        Ok(data) => Box::into_raw(Box::new(wasm_store_t {
            store: Store::new(&engine.engine, data),
        })),
        Err(e) => fail(e),
    }
}

/// Deletes the store and everything in it: its objects' handles must not be used after
/// (they may still be deleted). Finalizers of host info and of functions' environments
/// run here.
#[no_mangle]
pub unsafe extern "C" fn wasm_store_delete(store: *mut wasm_store_t) {
    if !store.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { Box::from_raw(store) });
    }
}
