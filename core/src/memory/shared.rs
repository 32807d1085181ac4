//! Shared linear memories (the threads proposal): one memory that several stores, on
//! several threads, use at once.
//!
//! A shared memory's entity lives in an `Arc`, not in a store: every store that creates or
//! imports it holds a share ([`MemorySlot::Shared`]), and the instances of all of them
//! point at the same `MemoryEntity`, so every tier reaches it through `VmCtx` exactly as
//! it reaches an unshared one.
//!
//! Invariants that make the concurrent use sound:
//! - **It never moves.** Its bytes are reserved at its maximum when it is created
//!   (`MemoryEntity::new` refuses it otherwise), so `base` is written once and every
//!   thread's copy of it stays valid.
//! - **Its length only grows, under [`GROWTH`].** `grow` commits the new pages first and
//!   then publishes the length with a release store; a thread that reads an old length
//!   sees a smaller memory, never bytes that are not there. The interpreter re-reads the
//!   length before it reports an out-of-bounds access on a shared memory, and native code
//!   loads it at every checked access, so growth by one thread is seen by the others.
//! - **Its accounting is its own.** It belongs to no store, so no store's memory total or
//!   `ResourceLimiter` sees its growth: the engine's `max_memory_bytes` and its declared
//!   maximum (which a shared memory must have) bound it.
//! - **Bytes are shared, not owned.** The atomic operators access them with real atomics
//!   (`wasm::atomic`); plain loads and stores race as the threads proposal allows. The API's
//!   `Memory::data`/`data_mut` on a shared memory give slices other threads may write at
//!   the same time, as the guest's own plain accesses do: a host reads or writes what the
//!   guest's synchronisation gives it (a WASI call's buffers, say), nothing else.

use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::MemoryEntity;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::AsContextMut;
use crate::text;
use crate::types::MemoryType;

use super::Memory;

/// Serialises the growth of every shared memory in the process. Growth is rare (a page
/// at a time, usually from `malloc`), so one lock costs nothing measurable and keeps the
/// entity free of a lock of its own.
static GROWTH: Mutex<()> = Mutex::new(());

/// Held while a shared memory grows.
pub(crate) fn growth_lock() -> MutexGuard<'static, ()> {
    // Growth leaves the entity consistent at every step, so a panic elsewhere poisons
    // nothing.
    GROWTH.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Publishes a shared memory's new length (see the module's invariants).
pub(crate) fn publish_len(len: *mut usize, new: usize) {
    // SAFETY: `len` is the entity's field, aligned and live; every other thread reads it
    // with a load of the same width.
    unsafe { AtomicUsize::from_ptr(len) }.store(new, Ordering::Release);
}

/// The current length of the memory `m` points to, read as another thread may be growing
/// it.
///
/// # Safety
/// `m` points to a live `MemoryEntity`.
pub unsafe fn current_len(m: *const MemoryEntity) -> usize {
    // SAFETY: the contract; the field is aligned, and written only by `publish_len` once
    // the memory is shared.
    unsafe { AtomicUsize::from_ptr(core::ptr::addr_of!((*m).len).cast_mut()) }
        .load(Ordering::Acquire)
}

/// A linear memory of the threads proposal's shared type, which any number of stores on
/// any threads import: created with [`SharedMemory::new`] or by instantiating a module
/// that defines one, made a `Memory` of a store by [`SharedMemory::attach`]. Cloning it
/// clones a handle; the memory lives while any handle or store holds it.
#[derive(Clone)]
pub struct SharedMemory(Arc<Shared>);

struct Shared {
    entity: UnsafeCell<MemoryEntity>,
    engine: Engine,
}

// SAFETY: the entity is reached only under the module's invariants: fields other than
// `len` are written once, before the `Arc` is shared; `len` is written under `GROWTH` by
// an atomic store; the bytes are the guest's shared memory, accessed as the threads
// proposal allows.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl core::fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedMemory")
            .field("ty", &self.ty())
            .finish()
    }
}

impl SharedMemory {
    /// A new shared memory of type `ty` (which must be shared, with a maximum) for
    /// `engine`'s stores. Its bytes are reserved at the maximum at once.
    pub fn new(engine: &Engine, ty: MemoryType) -> Result<SharedMemory> {
        if !ty.shared {
            return Err(Error::TypeMismatch(
                "SharedMemory::new needs a shared memory type (MemoryType::shared)".into(),
            ));
        }
        if ty.max.is_none() {
            return Err(Error::TypeMismatch(
                "a shared memory needs a maximum size".into(),
            ));
        }
        let entity = MemoryEntity::new(ty, engine.config(), core::ptr::null_mut())?;
        Ok(SharedMemory::from_entity(entity, engine))
    }

    /// Shares an entity just created for a shared type (its `resources` are none).
    pub(crate) fn from_entity(entity: MemoryEntity, engine: &Engine) -> SharedMemory {
        debug_assert!(entity.ty.shared && entity.resources.is_null());
        SharedMemory(Arc::new(Shared {
            entity: UnsafeCell::new(entity),
            engine: engine.clone(),
        }))
    }

    /// The entity, for the tiers' `VmCtx` and the store's slot.
    pub(crate) fn as_ptr(&self) -> *mut MemoryEntity {
        self.0.entity.get()
    }

    /// The memory's type, with its current size as the minimum.
    pub fn ty(&self) -> MemoryType {
        // SAFETY: `ty` never changes after creation.
        let mut ty = unsafe { (*self.as_ptr()).ty };
        ty.min = self.size();
        ty
    }

    /// The current size in pages.
    pub fn size(&self) -> u64 {
        // SAFETY: `ty` never changes after creation.
        let log2 = unsafe { (*self.as_ptr()).ty.page_size_log2 };
        (self.data_size() as u64) >> log2
    }

    /// The current size in bytes.
    pub fn data_size(&self) -> usize {
        // SAFETY: the entity lives as long as `self`.
        unsafe { current_len(self.as_ptr()) }
    }

    /// The memory's bytes as cells: other threads may change any of them at any time.
    pub fn data(&self) -> &[UnsafeCell<u8>] {
        // SAFETY: `base..base + len` is committed memory that never moves and lives as
        // long as `self`; `UnsafeCell` says it may change under the reference.
        unsafe {
            core::slice::from_raw_parts(
                (*self.as_ptr()).base.cast::<UnsafeCell<u8>>(),
                self.data_size(),
            )
        }
    }

    /// Grows by `delta` pages and returns the previous size in pages; refused growth (past
    /// the maximum or the engine's limit) is `Error::ResourceExhausted`.
    pub fn grow(&self, delta: u64) -> Result<u64> {
        // SAFETY: `grow` on a shared entity takes `GROWTH` and publishes the length
        // atomically (the module's invariants).
        let grown = unsafe { (*self.as_ptr()).grow(delta) }?;
        grown.ok_or_else(|| {
            Error::ResourceExhausted(text!("failed to grow shared memory by {} pages", delta))
        })
    }

    /// Wakes up to `count` threads waiting (`memory.atomic.wait32/64`) at byte `addr`;
    /// returns how many woke. `addr` must be in bounds and 4-byte aligned.
    pub fn atomic_notify(&self, addr: u64, count: u32) -> Result<u32, crate::Trap> {
        let cell = self.cell(addr, 4)?;
        Ok(super::wait::notify(cell, count))
    }

    fn cell(&self, addr: u64, size: u64) -> Result<*mut u8, crate::TrapCode> {
        let at = crate::wasm::atomic::effective_address(addr, 0, size, self.data_size() as u64)?;
        // SAFETY: in bounds, checked above.
        Ok(unsafe { (*self.as_ptr()).base.add(at as usize) })
    }

    /// This memory as a `Memory` of `store` (the same handle every time for one store), to
    /// import into its instances or define in a linker. The store must belong to the
    /// engine the memory was made for.
    pub fn attach(&self, mut store: impl AsContextMut) -> Result<Memory> {
        let inner = &mut store.as_context_mut().0.inner;
        if !Engine::same(&inner.engine, &self.0.engine) {
            return Err(Error::TypeMismatch(
                "a shared memory is used with another engine than the one it was made for".into(),
            ));
        }
        let index = match inner.memories.iter().position(|slot| slot.shares(self)) {
            Some(i) => i as u32,
            None => inner.add_memory(super::MemorySlot::Shared(self.clone())),
        };
        Ok(Memory {
            store: inner.id,
            index,
        })
    }

    /// Whether two handles are of the same memory.
    pub fn same(a: &SharedMemory, b: &SharedMemory) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}
