//! wisp.h: what the standard leaves out (tiers, fuel, limits, interruption, trap codes).
//! Each function's contract is in the header.

use alloc::boxed::Box;

use wisp::{InterruptHandle, Tier};

use crate::error::refuse;
use crate::object::{wasm_trap_t, What};
use crate::runtime::{wasm_config_t, wasm_store_t};
use crate::vec::write_out;

/// The configuration behind `config`, if it is one.
fn config<'a>(config: *mut wasm_config_t) -> Option<&'a mut wisp::Config> {
    // SAFETY: null or a live configuration (the header's contract).
    unsafe { config.as_mut() }.map(|c| &mut c.config)
}

#[no_mangle]
pub unsafe extern "C" fn wisp_config_tier(c: *mut wasm_config_t, tier: u8) -> bool {
    let tier = match tier {
        0 => Tier::Interp,
        1 => Tier::Jit,
        2 => Tier::Tiered,
        _ => return refuse("wisp_config_tier: not a tier"),
    };
    config(c).map(|c| c.tier(tier)).is_some()
}

/// The setters taking one value.
macro_rules! config_setters {
    ($($name:ident($ty:ty) => $method:ident;)*) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(c: *mut wasm_config_t, value: $ty) {
            if let Some(c) = config(c) {
                c.$method(value);
            }
        }
    )*};
}

config_setters! {
    wisp_config_consume_fuel(bool) => consume_fuel;
    wisp_config_interruptible(bool) => interruptible;
    wisp_config_max_memory_bytes(u64) => max_memory_bytes;
    wisp_config_max_store_memory_bytes(u64) => max_store_memory_bytes;
    wisp_config_max_call_depth(u32) => max_call_depth;
    wisp_config_max_table_elements(u32) => max_table_elements;
    wisp_config_max_instances(u32) => max_instances;
}

#[no_mangle]
pub unsafe extern "C" fn wisp_store_set_fuel(store: *mut wasm_store_t, fuel: u64) -> bool {
    // SAFETY: null or a live store.
    match unsafe { store.as_mut() }.map(|s| s.store.set_fuel(fuel)) {
        Some(Ok(())) => true,
        Some(Err(e)) => refuse(e),
        None => refuse("wisp_store_set_fuel: the store is null"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_store_get_fuel(store: *const wasm_store_t, fuel: *mut u64) -> bool {
    // SAFETY: null or a live store.
    match unsafe { store.as_ref() }.map(|s| s.store.get_fuel()) {
        Some(Ok(left)) => {
            // SAFETY: an out-parameter.
            unsafe { write_out(fuel, left) };
            true
        }
        Some(Err(e)) => refuse(e),
        None => refuse("wisp_store_get_fuel: the store is null"),
    }
}

pub struct wisp_interrupt_handle_t {
    handle: InterruptHandle,
}

#[no_mangle]
pub unsafe extern "C" fn wisp_interrupt_handle_new(
    store: *mut wasm_store_t,
) -> *mut wisp_interrupt_handle_t {
    // SAFETY: null or a live store.
    match unsafe { store.as_ref() } {
        Some(s) => Box::into_raw(Box::new(wisp_interrupt_handle_t {
            handle: s.store.interrupt_handle(),
        })),
        None => crate::error::fail("wisp_interrupt_handle_new: the store is null"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_interrupt_handle_interrupt(h: *const wisp_interrupt_handle_t) {
    // SAFETY: null or a live handle; `interrupt` is one atomic store.
    if let Some(h) = unsafe { h.as_ref() } {
        h.handle.interrupt();
    }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_interrupt_handle_delete(h: *mut wisp_interrupt_handle_t) {
    if !h.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { Box::from_raw(h) });
    }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_trap_code(t: *const wasm_trap_t, code: *mut u8) -> bool {
    // SAFETY: null or a live trap.
    match unsafe { t.as_ref() }.map(|t| &t.what) {
        Some(What::Trap(data)) => match data.code {
            Some(c) => {
                // SAFETY: an out-parameter. Statuses are 1..=15 (`TrapCode::status`).
                unsafe { write_out(code, c.status() as u8) };
                true
            }
            None => false,
        },
        _ => false,
    }
}

#[no_mangle]
pub extern "C" fn wisp_version() -> *const core::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wisp_wat2wasm(
    text: *const u8,
    len: usize,
    out: *mut crate::vec::wasm_byte_vec_t,
) -> bool {
    let text = if text.is_null() || len == 0 {
        &[][..]
    } else {
        // SAFETY: the header's contract: `len` bytes at `text`.
        unsafe { core::slice::from_raw_parts(text, len) }
    };
    let (binary, ok) = match wisp::wat::parse_bytes(text) {
        Ok(binary) => (binary.into_owned(), true),
        Err(e) => (alloc::vec::Vec::new(), refuse(alloc::format!("{e}"))),
    };
    // SAFETY: an out-parameter.
    unsafe { write_out(out, crate::vec::Vector::from_vec(binary)) };
    ok
}
