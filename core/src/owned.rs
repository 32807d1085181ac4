//! `Owned<T>`: a heap allocation owned through a raw pointer.
//!
//! Store entities (memories, tables, globals, instances) are pointed to by raw pointers kept
//! in every instance's `VmCtx`, while the store keeps owning and using them. A `Box` owner
//! would not allow that: each use of a `Box` asserts unique access, which invalidates the
//! raw pointers derived from it earlier (Miri's Stacked Borrows reports exactly this). Here
//! every access, through the owner or through a `VmCtx`, derives from the one raw pointer
//! made at allocation, so they coexist.
//!
//! Invariant: the pointer comes from `Box::into_raw` and is freed only in `Drop`; the
//! pointee never moves, so pointers to it stay valid for the owner's lifetime.

use alloc::boxed::Box;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// A value on the heap at an address that never changes, owned like a `Box` but without
/// `Box`'s uniqueness claim, so the tiers may keep raw pointers to it while the store holds
/// it.
pub struct Owned<T>(NonNull<T>);

impl<T> Owned<T> {
    /// Moves `value` to the heap.
    pub fn new(value: T) -> Owned<T> {
        // SAFETY: `Box::into_raw` never returns null.
        Owned(unsafe { NonNull::new_unchecked(Box::into_raw(Box::new(value))) })
    }

    /// The stable address of the value, for contexts that point into the store.
    pub fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

impl<T> Deref for Owned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the allocation is live while `self` is (the type's invariant).
        unsafe { self.0.as_ref() }
    }
}

impl<T> DerefMut for Owned<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above; `&mut self` makes this the only reference made through the
        // owner, and the executor creates none while the embedder holds one.
        unsafe { self.0.as_mut() }
    }
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::into_raw` and is freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: `Owned<T>` owns its `T` exactly as a `Box<T>` would.
unsafe impl<T: Send> Send for Owned<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Owned<T> {}
