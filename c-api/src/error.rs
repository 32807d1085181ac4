//! The last error on this thread, which `wisp_error_message` reads: every function that
//! fails with null or `false` records why here first, since the standard's signatures have
//! no room for it.

use alloc::string::{String, ToString};
use core::cell::RefCell;
use core::fmt::Display;
use core::ptr;

use crate::vec::{wasm_byte_vec_t, write_out, Vector};

std::thread_local! {
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records `why` as this thread's last error.
pub fn set_error(why: impl Display) {
    let message = why.to_string();
    LAST.with(|last| *last.borrow_mut() = Some(message));
}

/// Records `why` and returns null.
pub fn fail<T>(why: impl Display) -> *mut T {
    set_error(why);
    ptr::null_mut()
}

/// Records `why` and returns false.
pub fn refuse(why: impl Display) -> bool {
    set_error(why);
    false
}

/// Writes this thread's last error to `out` (NUL-terminated, like a trap message) and
/// clears it; false, and an empty vector, if there was none.
#[no_mangle]
pub unsafe extern "C" fn wisp_error_message(out: *mut wasm_byte_vec_t) -> bool {
    let message = LAST.with(|last| last.borrow_mut().take());
    let found = message.is_some();
    let bytes = message.map_or_else(alloc::vec::Vec::new, |m| {
        let mut bytes = m.into_bytes();
        bytes.push(0);
        bytes
    });
    // SAFETY: an out-parameter.
    unsafe { write_out(out, Vector::from_vec(bytes)) };
    found
}
