//! Reference objects: one Rust type, [`wasm_ref_t`], is every reference the header names
//! (`wasm_func_t`, `wasm_global_t`, `wasm_table_t`, `wasm_memory_t`, `wasm_extern_t`,
//! `wasm_instance_t`, `wasm_module_t`, `wasm_trap_t`, `wasm_foreign_t`), so the views
//! between them (`wasm_func_as_extern`, `wasm_ref_as_func`, ...) are the same pointer
//! after a kind test, as the standard's "no copy" views must be.
//!
//! An object is an owner's handle: `*_copy` makes another handle to the same thing,
//! `*_same` compares the things, `*_delete` drops one handle. Host info belongs to the
//! thing, not the handle: for what lives in a store (functions, globals, tables,
//! memories, instances, foreign objects, extern references) the store keeps it, keyed by
//! the thing (`StoreData::infos`); modules and traps carry a slot that their copies share.
//! A finalizer runs once: when its info is replaced, or its slot dropped with the store
//! or the last handle.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::RefCell;
use core::ffi::c_void;
use core::ptr;

use wisp::{ExnRef, ExternRef, Func, Global, Instance, Memory, Module, Table, Tag};

use crate::runtime::{wasm_store_t, StoreData};
use crate::trap::TrapData;

/// What a reference refers to. `Send + Sync`, so a C object can ride in an `externref`
/// (`ExternRef` holds a `What` for any non-extern object passed as one).
#[derive(Clone)]
pub enum What {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Tag(Tag),
    Instance(Instance),
    Module(Module),
    Trap(Arc<TrapData>),
    Foreign(u64),
    Extern(ExternRef),
    Exn(ExnRef),
}

/// The identity of a thing in a store: what its host info, and its `externref`, are
/// kept under.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Tag(Tag),
    Instance(Instance),
    Foreign(u64),
    Extern(ExternRef),
    Exn(ExnRef),
}

impl What {
    /// The key of a thing that lives in a store (`None` for modules and traps).
    pub fn key(&self) -> Option<Key> {
        Some(match *self {
            What::Func(f) => Key::Func(f),
            What::Global(g) => Key::Global(g),
            What::Table(t) => Key::Table(t),
            What::Memory(m) => Key::Memory(m),
            What::Tag(t) => Key::Tag(t),
            What::Instance(i) => Key::Instance(i),
            What::Foreign(id) => Key::Foreign(id),
            What::Extern(e) => Key::Extern(e),
            What::Exn(e) => Key::Exn(e),
            What::Module(_) | What::Trap(_) => return None,
        })
    }

    /// Whether `self` and `other` are the same thing.
    fn same(&self, other: &What) -> bool {
        use What as W;
        match (self, other) {
            (W::Func(a), W::Func(b)) => a == b,
            (W::Global(a), W::Global(b)) => a == b,
            (W::Table(a), W::Table(b)) => a == b,
            (W::Memory(a), W::Memory(b)) => a == b,
            (W::Tag(a), W::Tag(b)) => a == b,
            (W::Instance(a), W::Instance(b)) => a == b,
            (W::Module(a), W::Module(b)) => Arc::ptr_eq(a.inner(), b.inner()),
            (W::Trap(a), W::Trap(b)) => Arc::ptr_eq(a, b),
            (W::Foreign(a), W::Foreign(b)) => a == b,
            (W::Extern(a), W::Extern(b)) => a == b,
            (W::Exn(a), W::Exn(b)) => a == b,
            _ => false,
        }
    }
}

/// Host info and its finalizer, run once when this is dropped.
pub struct HostInfo {
    data: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
}

impl Default for HostInfo {
    fn default() -> Self {
        HostInfo {
            data: ptr::null_mut(),
            finalizer: None,
        }
    }
}

impl Drop for HostInfo {
    fn drop(&mut self) {
        if let Some(finalize) = self.finalizer.take() {
            // SAFETY: the embedder's finalizer for its own pointer, run once (taken).
            unsafe { finalize(self.data) };
        }
    }
}

pub type Slot = Rc<RefCell<HostInfo>>;

/// Every reference object.
pub struct wasm_ref_t {
    /// The store it was made in (null for modules from `wasm_module_deserialize` without
    /// one, and traps made without one).
    pub store: *mut wasm_store_t,
    pub what: What,
    /// The host info of a module or trap, shared by its copies.
    slot: Option<Slot>,
}

impl Clone for wasm_ref_t {
    fn clone(&self) -> Self {
        wasm_ref_t {
            store: self.store,
            what: self.what.clone(),
            slot: self.slot.clone(),
        }
    }
}

pub type wasm_func_t = wasm_ref_t;
pub type wasm_global_t = wasm_ref_t;
pub type wasm_table_t = wasm_ref_t;
pub type wasm_memory_t = wasm_ref_t;
pub type wasm_extern_t = wasm_ref_t;
pub type wasm_instance_t = wasm_ref_t;
pub type wasm_module_t = wasm_ref_t;
pub type wasm_trap_t = wasm_ref_t;
pub type wasm_foreign_t = wasm_ref_t;

impl wasm_ref_t {
    pub fn new(store: *mut wasm_store_t, what: What) -> wasm_ref_t {
        let slot = what.key().is_none().then(Slot::default);
        wasm_ref_t { store, what, slot }
    }

    pub fn boxed(self) -> *mut wasm_ref_t {
        Box::into_raw(Box::new(self))
    }

    /// The store's data: where its host info lives.
    ///
    /// # Safety
    /// The store outlives its objects (the header's rule).
    unsafe fn store_data<'a>(&self) -> Option<&'a mut StoreData> {
        // SAFETY: the contract.
        unsafe { self.store.as_mut() }.map(|s| s.store.data_mut())
    }

    /// The slot holding this thing's host info (made on first use).
    ///
    /// # Safety
    /// As [`wasm_ref_t::store_data`].
    unsafe fn slot(&self) -> Option<Slot> {
        if let Some(slot) = &self.slot {
            return Some(slot.clone());
        }
        // SAFETY: the contract.
        let data = unsafe { self.store_data() }?;
        Some(data.infos.entry(self.what.key()?).or_default().clone())
    }

    /// # Safety
    /// As [`wasm_ref_t::store_data`].
    pub unsafe fn host_info(&self) -> *mut c_void {
        // SAFETY: the contract.
        unsafe { self.slot() }.map_or(ptr::null_mut(), |s| s.borrow().data)
    }

    /// Replaces the host info; the previous one's finalizer runs.
    ///
    /// # Safety
    /// As [`wasm_ref_t::store_data`].
    pub unsafe fn set_host_info(
        &self,
        data: *mut c_void,
        finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
    ) {
        // SAFETY: the contract.
        if let Some(slot) = unsafe { self.slot() } {
            let old = core::mem::replace(&mut *slot.borrow_mut(), HostInfo { data, finalizer });
            // Dropped after the borrow ends: a finalizer may come back to this object.
            drop(old);
        }
    }

    pub fn same(&self, other: &wasm_ref_t) -> bool {
        self.what.same(&other.what)
    }
}

/// Host info kept by a store for the things in it.
pub type StoreInfos = hashbrown::HashMap<Key, Slot>;

/// The functions every reference type has (`WASM_DECLARE_REF_BASE`): delete, copy, same
/// and host info.
macro_rules! ref_base_functions {
    ($delete:ident, $copy:ident, $same:ident, $get_info:ident, $set_info:ident, $set_info_fin:ident) => {
        #[no_mangle]
        pub unsafe extern "C" fn $delete(r: *mut $crate::object::wasm_ref_t) {
            if !r.is_null() {
                // SAFETY: owned, from this library.
                drop(unsafe { alloc::boxed::Box::from_raw(r) });
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $copy(
            r: *const $crate::object::wasm_ref_t,
        ) -> *mut $crate::object::wasm_ref_t {
            // SAFETY: null or a live object.
            unsafe { r.as_ref() }.map_or(core::ptr::null_mut(), |r| r.clone().boxed())
        }

        #[no_mangle]
        pub unsafe extern "C" fn $same(
            a: *const $crate::object::wasm_ref_t,
            b: *const $crate::object::wasm_ref_t,
        ) -> bool {
            // SAFETY: null or live objects.
            match unsafe { (a.as_ref(), b.as_ref()) } {
                (Some(a), Some(b)) => a.same(b),
                (None, None) => true,
                _ => false,
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $get_info(
            r: *const $crate::object::wasm_ref_t,
        ) -> *mut core::ffi::c_void {
            // SAFETY: null or a live object, whose store is live.
            unsafe { r.as_ref() }.map_or(core::ptr::null_mut(), |r| unsafe { r.host_info() })
        }

        #[no_mangle]
        pub unsafe extern "C" fn $set_info(
            r: *mut $crate::object::wasm_ref_t,
            info: *mut core::ffi::c_void,
        ) {
            // SAFETY: as above.
            if let Some(r) = unsafe { r.as_ref() } {
                unsafe { r.set_host_info(info, None) };
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $set_info_fin(
            r: *mut $crate::object::wasm_ref_t,
            info: *mut core::ffi::c_void,
            finalizer: Option<unsafe extern "C" fn(*mut core::ffi::c_void)>,
        ) {
            // SAFETY: as above.
            if let Some(r) = unsafe { r.as_ref() } {
                unsafe { r.set_host_info(info, finalizer) };
            }
        }
    };
}

/// The views between a reference type and `wasm_ref_t` (`WASM_DECLARE_REF`), given
/// whether a `What` is of the type.
macro_rules! ref_views {
    ($is:pat, $as_ref:ident, $as_ref_const:ident, $from_ref:ident, $from_ref_const:ident) => {
        #[no_mangle]
        pub extern "C" fn $as_ref(
            r: *mut $crate::object::wasm_ref_t,
        ) -> *mut $crate::object::wasm_ref_t {
            r
        }

        #[no_mangle]
        pub extern "C" fn $as_ref_const(
            r: *const $crate::object::wasm_ref_t,
        ) -> *const $crate::object::wasm_ref_t {
            r
        }

        #[no_mangle]
        pub unsafe extern "C" fn $from_ref(
            r: *mut $crate::object::wasm_ref_t,
        ) -> *mut $crate::object::wasm_ref_t {
            // SAFETY: null or a live object.
            match unsafe { r.as_ref() } {
                Some(o) if matches!(o.what, $is) => r,
                _ => core::ptr::null_mut(),
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $from_ref_const(
            r: *const $crate::object::wasm_ref_t,
        ) -> *const $crate::object::wasm_ref_t {
            // SAFETY: as above.
            unsafe { $from_ref(r.cast_mut()) }
        }
    };
}

pub(crate) use {ref_base_functions, ref_views};

ref_base_functions!(
    wasm_ref_delete,
    wasm_ref_copy,
    wasm_ref_same,
    wasm_ref_get_host_info,
    wasm_ref_set_host_info,
    wasm_ref_set_host_info_with_finalizer
);

/// Both: the base functions and the views of a reference type.
macro_rules! ref_type {
    ($is:pat, $delete:ident, $copy:ident, $same:ident, $get:ident, $set:ident, $set_fin:ident,
     $as_ref:ident, $as_ref_const:ident, $from_ref:ident, $from_ref_const:ident) => {
        $crate::object::ref_base_functions!($delete, $copy, $same, $get, $set, $set_fin);
        $crate::object::ref_views!($is, $as_ref, $as_ref_const, $from_ref, $from_ref_const);
    };
}

use What as W;

ref_type!(
    W::Func(_),
    wasm_func_delete,
    wasm_func_copy,
    wasm_func_same,
    wasm_func_get_host_info,
    wasm_func_set_host_info,
    wasm_func_set_host_info_with_finalizer,
    wasm_func_as_ref,
    wasm_func_as_ref_const,
    wasm_ref_as_func,
    wasm_ref_as_func_const
);
ref_type!(
    W::Global(_),
    wasm_global_delete,
    wasm_global_copy,
    wasm_global_same,
    wasm_global_get_host_info,
    wasm_global_set_host_info,
    wasm_global_set_host_info_with_finalizer,
    wasm_global_as_ref,
    wasm_global_as_ref_const,
    wasm_ref_as_global,
    wasm_ref_as_global_const
);
ref_type!(
    W::Table(_),
    wasm_table_delete,
    wasm_table_copy,
    wasm_table_same,
    wasm_table_get_host_info,
    wasm_table_set_host_info,
    wasm_table_set_host_info_with_finalizer,
    wasm_table_as_ref,
    wasm_table_as_ref_const,
    wasm_ref_as_table,
    wasm_ref_as_table_const
);
ref_type!(
    W::Memory(_),
    wasm_memory_delete,
    wasm_memory_copy,
    wasm_memory_same,
    wasm_memory_get_host_info,
    wasm_memory_set_host_info,
    wasm_memory_set_host_info_with_finalizer,
    wasm_memory_as_ref,
    wasm_memory_as_ref_const,
    wasm_ref_as_memory,
    wasm_ref_as_memory_const
);
ref_type!(
    W::Func(_) | W::Global(_) | W::Table(_) | W::Memory(_) | W::Tag(_),
    wasm_extern_delete,
    wasm_extern_copy,
    wasm_extern_same,
    wasm_extern_get_host_info,
    wasm_extern_set_host_info,
    wasm_extern_set_host_info_with_finalizer,
    wasm_extern_as_ref,
    wasm_extern_as_ref_const,
    wasm_ref_as_extern,
    wasm_ref_as_extern_const
);
ref_type!(
    W::Instance(_),
    wasm_instance_delete,
    wasm_instance_copy,
    wasm_instance_same,
    wasm_instance_get_host_info,
    wasm_instance_set_host_info,
    wasm_instance_set_host_info_with_finalizer,
    wasm_instance_as_ref,
    wasm_instance_as_ref_const,
    wasm_ref_as_instance,
    wasm_ref_as_instance_const
);
ref_type!(
    W::Module(_),
    wasm_module_delete,
    wasm_module_copy,
    wasm_module_same,
    wasm_module_get_host_info,
    wasm_module_set_host_info,
    wasm_module_set_host_info_with_finalizer,
    wasm_module_as_ref,
    wasm_module_as_ref_const,
    wasm_ref_as_module,
    wasm_ref_as_module_const
);
ref_type!(
    W::Trap(_),
    wasm_trap_delete,
    wasm_trap_copy,
    wasm_trap_same,
    wasm_trap_get_host_info,
    wasm_trap_set_host_info,
    wasm_trap_set_host_info_with_finalizer,
    wasm_trap_as_ref,
    wasm_trap_as_ref_const,
    wasm_ref_as_trap,
    wasm_ref_as_trap_const
);
ref_type!(
    W::Foreign(_),
    wasm_foreign_delete,
    wasm_foreign_copy,
    wasm_foreign_same,
    wasm_foreign_get_host_info,
    wasm_foreign_set_host_info,
    wasm_foreign_set_host_info_with_finalizer,
    wasm_foreign_as_ref,
    wasm_foreign_as_ref_const,
    wasm_ref_as_foreign,
    wasm_ref_as_foreign_const
);

/// The views between `wasm_extern_t` and one of its kinds.
macro_rules! extern_views {
    ($is:pat, $as_extern:ident, $as_extern_const:ident, $from_extern:ident, $from_extern_const:ident) => {
        $crate::object::ref_views!(
            $is,
            $as_extern,
            $as_extern_const,
            $from_extern,
            $from_extern_const
        );
    };
}

extern_views!(
    W::Func(_),
    wasm_func_as_extern,
    wasm_func_as_extern_const,
    wasm_extern_as_func,
    wasm_extern_as_func_const
);
extern_views!(
    W::Global(_),
    wasm_global_as_extern,
    wasm_global_as_extern_const,
    wasm_extern_as_global,
    wasm_extern_as_global_const
);
extern_views!(
    W::Table(_),
    wasm_table_as_extern,
    wasm_table_as_extern_const,
    wasm_extern_as_table,
    wasm_extern_as_table_const
);
extern_views!(
    W::Memory(_),
    wasm_memory_as_extern,
    wasm_memory_as_extern_const,
    wasm_extern_as_memory,
    wasm_extern_as_memory_const
);

crate::vec::vec_functions!(
    *mut wasm_ref_t,
    wasm_extern_vec_new_empty,
    wasm_extern_vec_new_uninitialized,
    wasm_extern_vec_new,
    wasm_extern_vec_copy,
    wasm_extern_vec_delete
);

pub type wasm_extern_vec_t = crate::vec::Vector<*mut wasm_ref_t>;

/// A foreign object: a host thing wasm can hold as an `externref`.
#[no_mangle]
pub unsafe extern "C" fn wasm_foreign_new(store: *mut wasm_store_t) -> *mut wasm_foreign_t {
    // SAFETY: null or a live store.
    let Some(s) = (unsafe { store.as_mut() }) else {
        return crate::error::fail("wasm_foreign_new: the store is null");
    };
    let data = s.store.data_mut();
    data.foreign_count += 1;
    wasm_ref_t::new(store, What::Foreign(data.foreign_count)).boxed()
}
