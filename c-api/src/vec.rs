//! `wasm_*_vec_t`: a length and a buffer the library allocated, and the five functions
//! the header declares for each (`new_empty`, `new_uninitialized`, `new`, `copy`,
//! `delete`), generated once by `vec_functions!` from the element's [`Element`] rules.
//!
//! Invariant: a vector this library hands out has `data` null with `size` 0, or `data`
//! from `Box<[T]>::into_raw` with `size` its length. Only such vectors (or zeroed ones)
//! may be passed to `*_vec_delete`, as the standard requires.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

/// A vector of `T` as C sees it.
#[repr(C)]
pub struct Vector<T: Element> {
    pub size: usize,
    pub data: *mut T,
}

/// What a vector needs of its elements: a value to fill an uninitialised vector with
/// (released safely), a deep copy (`*_vec_copy`) and release (`*_vec_delete`).
pub trait Element: Sized {
    fn blank() -> Self;
    /// # Safety
    /// `self` is a valid element (for pointers: null or owned by its vector).
    unsafe fn copy(&self) -> Self;
    /// # Safety
    /// As `copy`; the element is not used again.
    unsafe fn release(self);
}

impl Element for u8 {
    fn blank() -> u8 {
        0
    }
    unsafe fn copy(&self) -> u8 {
        *self
    }
    unsafe fn release(self) {}
}

/// Owned pointers to the library's objects (`wasm_valtype_t*`, `wasm_extern_t*`, ...):
/// boxed `T`s, or null.
impl<T: Clone> Element for *mut T {
    fn blank() -> Self {
        ptr::null_mut()
    }
    unsafe fn copy(&self) -> Self {
        // SAFETY: the contract: null or a live box.
        match unsafe { self.as_ref() } {
            Some(t) => Box::into_raw(Box::new(t.clone())),
            None => ptr::null_mut(),
        }
    }
    unsafe fn release(self) {
        if !self.is_null() {
            // SAFETY: the contract: owned by the vector, from `Box::into_raw`.
            drop(unsafe { Box::from_raw(self) });
        }
    }
}

impl<T: Element> Vector<T> {
    pub fn empty() -> Self {
        Vector {
            size: 0,
            data: ptr::null_mut(),
        }
    }

    pub fn from_vec(items: Vec<T>) -> Self {
        if items.is_empty() {
            return Vector::empty();
        }
        let boxed = items.into_boxed_slice();
        let size = boxed.len();
        Vector {
            size,
            data: Box::into_raw(boxed).cast(),
        }
    }

    /// The elements (none for a null buffer).
    ///
    /// # Safety
    /// `self` keeps the module invariant, or comes from C with `size` valid elements at
    /// `data`.
    pub unsafe fn as_slice(&self) -> &[T] {
        if self.data.is_null() || self.size == 0 {
            &[]
        } else {
            // SAFETY: the contract.
            unsafe { core::slice::from_raw_parts(self.data, self.size) }
        }
    }

    /// # Safety
    /// As [`Vector::as_slice`].
    pub unsafe fn as_mut_slice(&mut self) -> &mut [T] {
        if self.data.is_null() || self.size == 0 {
            &mut []
        } else {
            // SAFETY: the contract.
            unsafe { core::slice::from_raw_parts_mut(self.data, self.size) }
        }
    }

    fn take(&mut self) -> Vec<T> {
        let (data, size) = (self.data, self.size);
        self.data = ptr::null_mut();
        self.size = 0;
        if data.is_null() || size == 0 {
            return Vec::new();
        }
        // SAFETY: the module invariant: a buffer this library allocated with this length.
        unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data, size)) }.into_vec()
    }
}

impl<T: Element> Drop for Vector<T> {
    fn drop(&mut self) {
        for item in self.take() {
            // SAFETY: the vector owned its elements.
            unsafe { item.release() };
        }
    }
}

/// Reads the vector `*src` takes ownership of (leaving an empty one), or an empty one for
/// null.
///
/// # Safety
/// `src` is null or points to a vector keeping the module invariant.
pub unsafe fn take<T: Element>(src: *mut Vector<T>) -> Vector<T> {
    if src.is_null() {
        Vector::empty()
    } else {
        // SAFETY: the contract.
        unsafe { ptr::replace(src, Vector::empty()) }
    }
}

/// Writes `value` to the C out-parameter `out` (whatever it held is not released, as the
/// standard defines out-parameters); for null, `value` is dropped, which releases a
/// vector but not a raw pointer or a `wasm_val_t`'s reference: their callers test for
/// null first.
///
/// # Safety
/// `out` is null or valid for a write of `T`.
pub unsafe fn write_out<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: the contract.
        unsafe { ptr::write(out, value) };
    }
}

/// The five functions of one vector type.
macro_rules! vec_functions {
    ($elem:ty, $new_empty:ident, $new_uninitialized:ident, $new:ident, $copy:ident, $delete:ident) => {
        #[no_mangle]
        pub unsafe extern "C" fn $new_empty(out: *mut $crate::vec::Vector<$elem>) {
            // SAFETY: an out-parameter.
            unsafe { $crate::vec::write_out(out, $crate::vec::Vector::empty()) }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $new_uninitialized(
            out: *mut $crate::vec::Vector<$elem>,
            size: usize,
        ) {
            let items = (0..size)
                .map(|_| <$elem as $crate::vec::Element>::blank())
                .collect();
            // SAFETY: an out-parameter.
            unsafe { $crate::vec::write_out(out, $crate::vec::Vector::from_vec(items)) }
        }

        /// Takes ownership of the `size` elements at `data` (a bitwise move).
        #[no_mangle]
        pub unsafe extern "C" fn $new(
            out: *mut $crate::vec::Vector<$elem>,
            size: usize,
            data: *const $elem,
        ) {
            let items = if data.is_null() {
                (0..size)
                    .map(|_| <$elem as $crate::vec::Element>::blank())
                    .collect()
            } else {
                // SAFETY: the header's contract: `size` elements at `data`, moved here.
                unsafe { core::slice::from_raw_parts(data, size) }
                    .iter()
                    .map(|item| unsafe { core::ptr::read(item) })
                    .collect()
            };
            // SAFETY: an out-parameter.
            unsafe { $crate::vec::write_out(out, $crate::vec::Vector::from_vec(items)) }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $copy(
            out: *mut $crate::vec::Vector<$elem>,
            src: *const $crate::vec::Vector<$elem>,
        ) {
            // SAFETY: `src` is null or a valid vector.
            let items = match unsafe { src.as_ref() } {
                Some(src) => unsafe { src.as_slice() }
                    .iter()
                    .map(|item| unsafe { $crate::vec::Element::copy(item) })
                    .collect(),
                None => alloc::vec::Vec::new(),
            };
            // SAFETY: an out-parameter.
            unsafe { $crate::vec::write_out(out, $crate::vec::Vector::from_vec(items)) }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $delete(v: *mut $crate::vec::Vector<$elem>) {
            // SAFETY: `v` is null or a vector this library made.
            drop(unsafe { $crate::vec::take(v) });
        }
    };
}

pub(crate) use vec_functions;

pub type wasm_byte_vec_t = Vector<u8>;

vec_functions!(
    u8,
    wasm_byte_vec_new_empty,
    wasm_byte_vec_new_uninitialized,
    wasm_byte_vec_new,
    wasm_byte_vec_copy,
    wasm_byte_vec_delete
);

/// A byte vector holding `bytes`.
pub fn bytes(bytes: &[u8]) -> wasm_byte_vec_t {
    Vector::from_vec(bytes.to_vec())
}
