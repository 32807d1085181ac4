//! The last error on this thread, which `wisp_error_message` reads: every function that
//! fails with null or `false` records why here first, since the standard's signatures have
//! no room for it.

use alloc::string::String;
#[cfg(feature = "std")]
use core::cell::RefCell;
use core::ptr;

use wisp_core::text::Text;

use crate::vec::{wasm_byte_vec_t, write_out, Vector};

#[cfg(feature = "std")]
std::thread_local! {
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Without threads (firmware): one last error.
#[cfg(not(feature = "std"))]
static LAST: spin::Mutex<Option<String>> = spin::Mutex::new(None);

/// Replaces the last error with `message`, returning the one it held.
fn swap_last(message: Option<String>) -> Option<String> {
    #[cfg(feature = "std")]
    return LAST.with(|last| core::mem::replace(&mut *last.borrow_mut(), message));
    #[cfg(not(feature = "std"))]
    return core::mem::replace(&mut *LAST.lock(), message);
}

/// The text of `t` (wisp's errors and traps write themselves as `Text`, in words with
/// `std` and as codes in firmware without the `messages` feature).
pub fn text_of(t: &(impl Text + ?Sized)) -> String {
    let mut s = String::new();
    // Writing to a `String` cannot fail.
    let _ = t.write_to(&mut s);
    s
}

/// Records `why` as this thread's last error.
pub fn set_error(why: impl Text) {
    swap_last(Some(text_of(&why)));
}

/// Records `why` and returns null.
pub fn fail<T>(why: impl Text) -> *mut T {
    set_error(why);
    ptr::null_mut()
}

/// Records `why` and returns false.
pub fn refuse(why: impl Text) -> bool {
    set_error(why);
    false
}

/// Writes this thread's last error to `out` (NUL-terminated, like a trap message) and
/// clears it; false, and an empty vector, if there was none.
#[no_mangle]
pub unsafe extern "C" fn wisp_error_message(out: *mut wasm_byte_vec_t) -> bool {
    let message = swap_last(None);
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
