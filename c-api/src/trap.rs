//! Traps and their frames.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr;

use wisp::{Error, FrameInfo, Trap, TrapCode};

use crate::object::{wasm_ref_t, wasm_trap_t, What};
use crate::runtime::wasm_store_t;
use crate::types::write_boxed;
use crate::vec::{vec_functions, wasm_byte_vec_t, write_out, Vector};

/// What a trap object holds: its message, the wasm frames it passed (innermost first),
/// and the trap code when wasm trapped by itself.
pub struct TrapData {
    pub message: String,
    pub frames: Vec<FrameInfo>,
    pub code: Option<TrapCode>,
    /// The status of a WASI program's `proc_exit`.
    #[cfg(feature = "std")]
    pub exit: Option<i32>,
}

impl TrapData {
    pub fn from_trap(trap: &Trap) -> TrapData {
        TrapData {
            message: crate::error::text_of(trap),
            frames: trap.backtrace().to_vec(),
            code: trap.code(),
            #[cfg(feature = "std")]
            exit: trap.downcast_ref::<wisp::wasi::I32Exit>().map(|e| e.0),
        }
    }

    /// A trap with `message` and no frames.
    pub fn message(message: impl Into<String>) -> TrapData {
        TrapData {
            message: message.into(),
            frames: Vec::new(),
            code: None,
            #[cfg(feature = "std")]
            exit: None,
        }
    }

    /// A trap for any error: a trap's own data, or the error's message.
    pub fn from_error(error: &Error) -> TrapData {
        match error {
            Error::Trap(trap) => TrapData::from_trap(trap),
            other => TrapData::message(crate::error::text_of(other)),
        }
    }

    pub fn into_object(self, store: *mut wasm_store_t) -> *mut wasm_trap_t {
        wasm_ref_t::new(store, What::Trap(Arc::new(self))).boxed()
    }
}

/// The trap `t` as wisp's, for wasm to see a host function's trap: its message.
pub fn to_trap(t: &wasm_trap_t) -> Trap {
    match &t.what {
        What::Trap(data) => match data.code {
            // A code re-raised by the host stays that code.
            Some(code) if data.message == crate::error::text_of(&Trap::from(code)) => {
                Trap::from(code)
            }
            _ => Trap::msg(data.message.clone()),
        },
        _ => Trap::msg("a host function returned a trap that is not a trap object"),
    }
}

/// The data of trap `t`, borrowed for as long as the caller uses it (within one call).
fn data<'a>(t: *const wasm_trap_t) -> Option<&'a TrapData> {
    // SAFETY: null or a live trap, which outlives the call reading it.
    match unsafe { t.as_ref() }.map(|t| &t.what) {
        Some(What::Trap(data)) => Some(&**data),
        _ => None,
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_trap_new(
    store: *mut wasm_store_t,
    message: *const wasm_byte_vec_t,
) -> *mut wasm_trap_t {
    // SAFETY: null or a valid vector.
    let bytes = unsafe { message.as_ref() }.map_or(&[][..], |m| unsafe { m.as_slice() });
    // The message's NUL, which the standard's messages end with, is not part of the text.
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    TrapData::message(String::from_utf8_lossy(bytes)).into_object(store)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_trap_message(t: *const wasm_trap_t, out: *mut wasm_byte_vec_t) {
    let mut bytes = data(t).map_or_else(Vec::new, |d| d.message.as_bytes().to_vec());
    bytes.push(0);
    // SAFETY: an out-parameter.
    unsafe { write_out(out, Vector::from_vec(bytes)) };
}

/// A frame of a trap's backtrace. wisp's frames name the function; the offsets are 0 and
/// the instance null, which the standard allows for what an engine does not record.
#[derive(Clone)]
pub struct wasm_frame_t {
    func_index: u32,
}

impl wasm_frame_t {
    fn new(frame: &FrameInfo) -> wasm_frame_t {
        wasm_frame_t {
            func_index: frame.func_index,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_trap_origin(t: *const wasm_trap_t) -> *mut wasm_frame_t {
    match data(t).and_then(|d| d.frames.first()) {
        Some(frame) => Box::into_raw(Box::new(wasm_frame_t::new(frame))),
        None => ptr::null_mut(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_trap_trace(t: *const wasm_trap_t, out: *mut wasm_frame_vec_t) {
    let frames = data(t).map_or(&[][..], |d| &d.frames[..]);
    // SAFETY: an out-parameter.
    unsafe { write_boxed(out, frames.iter().map(wasm_frame_t::new)) };
}

crate::types::boxed_functions!(wasm_frame_t, wasm_frame_delete, wasm_frame_copy);

pub type wasm_frame_vec_t = Vector<*mut wasm_frame_t>;

vec_functions!(
    *mut wasm_frame_t,
    wasm_frame_vec_new_empty,
    wasm_frame_vec_new_uninitialized,
    wasm_frame_vec_new,
    wasm_frame_vec_copy,
    wasm_frame_vec_delete
);

#[no_mangle]
pub extern "C" fn wasm_frame_instance(_frame: *const wasm_frame_t) -> *mut wasm_ref_t {
    ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_frame_func_index(frame: *const wasm_frame_t) -> u32 {
    // SAFETY: null or a live frame.
    unsafe { frame.as_ref() }.map_or(0, |f| f.func_index)
}

#[no_mangle]
pub extern "C" fn wasm_frame_func_offset(_frame: *const wasm_frame_t) -> usize {
    0
}

#[no_mangle]
pub extern "C" fn wasm_frame_module_offset(_frame: *const wasm_frame_t) -> usize {
    0
}
