//! Linear memory: the entity the tiers access through `VmCtx`, and the `Memory` handle.

#[cfg(feature = "std")]
pub mod shared;
mod storage;
#[cfg(feature = "std")]
pub mod wait;

#[cfg(feature = "std")]
pub use shared::SharedMemory;
use storage::Storage;

/// Whether this build can have shared memories (the threads proposal): with `std`, for
/// `wait`'s parking and for threads, and 64-bit atomics, for the atomic operators on them.
/// Without, modules with shared memories are refused when they load; atomic operators on
/// unshared memories run everywhere (`wasm::atomic`).
pub const SHARED_MEMORIES: bool = cfg!(all(feature = "std", target_has_atomic = "64"));

use crate::error::{Error, Result};
use crate::limits::StoreResources;
use crate::owned::Owned;
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::text;
use crate::trap::{Trap, TrapCode};
use crate::types::MemoryType;

/// A linear memory. `#[repr(C)]` with `base` and `len` first: native code and the
/// interpreter read them at fixed offsets. Invariant: `base..base + len` is the live,
/// initialised content of `bytes`, refreshed by every operation that can move it (`grow`).
#[repr(C)]
pub struct MemoryEntity {
    /// The first byte of the memory's content.
    pub base: *mut u8,
    /// The memory's size in bytes.
    pub len: usize,
    bytes: Storage,
    /// The memory's type; its minimum is the declared one, not the current size.
    pub ty: MemoryType,
    /// The most pages this memory may grow to: its declared maximum within the engine's limit.
    max_pages: u64,
    /// The store's growth state (memory total and cap, limiter), which `grow` asks; null
    /// for a shared memory, which belongs to no store (`shared.rs`).
    resources: *mut StoreResources,
}

// SAFETY: `base` points into `bytes`, which the entity owns; an unshared memory's are never
// shared elsewhere, a shared one's are used as `shared.rs` says. `resources` points to the
// store's, which moves between threads with the store.
unsafe impl Send for MemoryEntity {}
unsafe impl Sync for MemoryEntity {}

impl MemoryEntity {
    /// Allocates `ty.min` zeroed pages, counted in the store's memory total, as `config`
    /// says: its `max_memory_bytes` caps growth, its `memory_reservation` asks for reserved
    /// address space, and a memory it guards ([`crate::Config::memory_guarded`]) is
    /// reserved for 4 GiB plus the guard, or not created at all (native code compiled for
    /// the engine leaves its bounds to the hardware). The store's limits were checked
    /// before (`limits::admit_instance`, `admit_memory`). A shared memory's first pages
    /// are counted in the store creating it (if any), its growth in none.
    pub(crate) fn new(
        ty: MemoryType,
        config: &crate::Config,
        resources: *mut StoreResources,
    ) -> Result<MemoryEntity> {
        let plan = crate::limits::plan_memory(ty, config.max_memory_bytes)?;
        let exhausted = || {
            Error::ResourceExhausted(text!(
                "could not allocate {} bytes of linear memory",
                plan.bytes
            ))
        };
        let len = usize::try_from(plan.bytes).map_err(|_| exhausted())?;
        let max = plan.max_pages.saturating_mul(ty.page_size());
        // A shared memory never moves: other threads' code holds its base. It lives in a
        // reservation of its maximum whatever `memory_reservation` says, and is refused
        // where there is none.
        let reserve = config.memory_reservation || ty.shared;
        #[cfg(all(feature = "std", unix, not(miri)))]
        let mut bytes = if config.memory_guarded(&ty) {
            Storage::guarded(len, (1 << 32) + config.get_memory_guard()).ok_or_else(|| {
                Error::ResourceExhausted(
                    "could not reserve 4 GiB and a guard region for a linear memory \
                     (Config::signals_based_traps(false) checks bounds explicitly instead)"
                        .into(),
                )
            })?
        } else {
            Storage::new(len, reserve.then_some(max)).ok_or_else(exhausted)?
        };
        #[cfg(not(all(feature = "std", unix, not(miri))))]
        let mut bytes = Storage::new(len, reserve.then_some(max)).ok_or_else(exhausted)?;
        if ty.shared && !bytes.never_moves(max) {
            return Err(Error::ResourceExhausted(
                "a shared memory needs reserved address space, which this host did not give".into(),
            ));
        }
        if !resources.is_null() {
            // SAFETY: `resources` is the store's, which outlives its memories; no
            // reference to it is live while an entity is created.
            unsafe { (*resources).memory_grown(plan.bytes) };
        }
        Ok(MemoryEntity {
            base: bytes.as_mut_ptr(),
            len: bytes.len(),
            bytes,
            ty,
            max_pages: plan.max_pages,
            resources: if ty.shared {
                core::ptr::null_mut()
            } else {
                resources
            },
        })
    }

    /// The size in pages.
    pub fn pages(&self) -> u64 {
        (self.len as u64) >> self.ty.page_size_log2
    }

    /// Grows by `delta` pages and returns the old size in pages, or `Ok(None)` (wasm's -1)
    /// if that would pass the maximum, the store's memory cap or the allocator, or the
    /// store's `ResourceLimiter` refuses; `Err` when the limiter asks for a trap. Never
    /// aborts on allocation. Every growth of a memory, on every tier and through the API,
    /// comes here: this is where the store's limits hold.
    pub fn grow(&mut self, delta: u64) -> Result<Option<u64>, Trap> {
        // Other threads may grow a shared memory at the same time (`shared.rs`).
        #[cfg(feature = "std")]
        let _growing = self.ty.shared.then(shared::growth_lock);
        let old = self.pages();
        let Some(new) = old.checked_add(delta).filter(|&new| new <= self.max_pages) else {
            return Ok(None);
        };
        let Ok(new_len) = usize::try_from(new << self.ty.page_size_log2) else {
            return Ok(None);
        };
        if delta != 0 {
            let maximum = self.ty.max.map(|p| p.saturating_mul(self.ty.page_size()));
            // SAFETY: the store's resources outlive its memories, and no reference to them
            // is live while wasm or the API grows a memory (the limiter it may call cannot
            // reach the store). A shared memory has none.
            let mut resources = unsafe { self.resources.as_mut() };
            if let Some(r) = resources.as_deref_mut() {
                if !r.memory_growing(self.len as u64, new_len as u64, maximum)? {
                    return Ok(None);
                }
            }
            let more = new_len - self.bytes.len();
            if !self.bytes.grow_to(new_len) {
                return Ok(None);
            }
            if let Some(r) = resources {
                r.memory_grown(more as u64);
            }
        }
        if self.ty.shared {
            // Its base never changes; its length is read by other threads.
            #[cfg(feature = "std")]
            shared::publish_len(&raw mut self.len, self.bytes.len());
        } else {
            self.base = self.bytes.as_mut_ptr();
            self.len = self.bytes.len();
        }
        Ok(Some(old))
    }

    /// The memory's bytes.
    pub fn data(&self) -> &[u8] {
        self.bytes.bytes()
    }

    /// The memory's bytes, to change.
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.bytes.bytes_mut()
    }

    /// The byte range `[addr, addr + len)`, if it lies inside memory.
    #[inline]
    pub fn range(&self, addr: u64, len: u64) -> Result<core::ops::Range<usize>, TrapCode> {
        let end = addr.checked_add(len).ok_or(TrapCode::MemoryOutOfBounds)?;
        if end > self.len as u64 {
            return Err(TrapCode::MemoryOutOfBounds);
        }
        Ok(addr as usize..end as usize)
    }

    /// `memory.fill`.
    pub fn fill(&mut self, dst: u64, val: u8, len: u64) -> Result<(), TrapCode> {
        let r = self.range(dst, len)?;
        self.data_mut()[r].fill(val);
        Ok(())
    }

    /// `memory.copy` within this memory (overlap allowed).
    pub fn copy_within(&mut self, dst: u64, src: u64, len: u64) -> Result<(), TrapCode> {
        let s = self.range(src, len)?;
        let d = self.range(dst, len)?;
        self.data_mut().copy_within(s, d.start);
        Ok(())
    }

    /// `memory.init` / active data segments: copies `data[src..src+len]` to `dst`.
    pub fn init(&mut self, dst: u64, data: &[u8], src: u64, len: u64) -> Result<(), TrapCode> {
        let d = self.range(dst, len)?;
        let end = src.checked_add(len).ok_or(TrapCode::MemoryOutOfBounds)?;
        if end > data.len() as u64 {
            return Err(TrapCode::MemoryOutOfBounds);
        }
        self.data_mut()[d].copy_from_slice(&data[src as usize..end as usize]);
        Ok(())
    }
}

/// `memory.copy` between two distinct memories.
pub fn copy_between(
    dst: &mut MemoryEntity,
    dst_addr: u64,
    src: &MemoryEntity,
    src_addr: u64,
    len: u64,
) -> Result<(), TrapCode> {
    let s = src.range(src_addr, len)?;
    let d = dst.range(dst_addr, len)?;
    dst.data_mut()[d].copy_from_slice(&src.data()[s]);
    Ok(())
}

/// A store's hold on one of its memories: its own, or a share of a shared one.
pub enum MemorySlot {
    /// A memory the store owns.
    Owned(Owned<MemoryEntity>),
    /// A shared memory the store holds a share of.
    #[cfg(feature = "std")]
    Shared(SharedMemory),
}

impl MemorySlot {
    /// The slot for an entity just created: shared if its type is.
    pub(crate) fn new(entity: MemoryEntity, engine: &crate::Engine) -> MemorySlot {
        #[cfg(feature = "std")]
        if entity.ty.shared {
            return MemorySlot::Shared(SharedMemory::from_entity(entity, engine));
        }
        let _ = engine;
        MemorySlot::Owned(Owned::new(entity))
    }

    /// The entity's stable address, for `VmCtx`.
    pub fn as_ptr(&self) -> *mut MemoryEntity {
        match self {
            MemorySlot::Owned(m) => m.as_ptr(),
            #[cfg(feature = "std")]
            MemorySlot::Shared(m) => m.as_ptr(),
        }
    }

    /// Whether this slot holds `memory`.
    #[cfg(feature = "std")]
    pub(crate) fn shares(&self, memory: &SharedMemory) -> bool {
        matches!(self, MemorySlot::Shared(m) if SharedMemory::same(m, memory))
    }
}

impl core::ops::Deref for MemorySlot {
    type Target = MemoryEntity;
    fn deref(&self) -> &MemoryEntity {
        // SAFETY: both kinds point to a live entity; a shared one is used as `shared.rs`
        // says.
        unsafe { &*self.as_ptr() }
    }
}

impl core::ops::DerefMut for MemorySlot {
    fn deref_mut(&mut self) -> &mut MemoryEntity {
        // SAFETY: as above.
        unsafe { &mut *self.as_ptr() }
    }
}

impl crate::store::StoreInner {
    /// Adds a memory to the store and returns its index.
    pub(crate) fn add_memory(&mut self, slot: MemorySlot) -> u32 {
        let index = self.memories.len() as u32;
        self.memories.push(slot);
        index
    }
}

/// A handle to a linear memory in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Memory {
    /// Creates a memory of type `ty` in the store, for the host to export to instances.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let inner = &mut store.as_context_mut().0.inner;
        crate::limits::admit_memory(inner, ty)?;
        let engine = inner.engine.clone();
        let entity = MemoryEntity::new(ty, engine.config(), inner.resources.as_ptr())?;
        let index = inner.add_memory(MemorySlot::new(entity, &engine));
        Ok(Memory {
            store: inner.id,
            index,
        })
    }

    fn entity<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a MemoryEntity> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(&inner.memories[self.index as usize])
    }

    fn entity_mut<'a, C: AsContextMut + 'a>(
        &self,
        store: &'a mut C,
    ) -> Result<&'a mut MemoryEntity> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store)?;
        Ok(&mut inner.memories[self.index as usize])
    }

    /// The memory's type with its current size as the minimum. Fails if the memory belongs
    /// to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<MemoryType> {
        let e = self.entity(&store)?;
        let mut ty = e.ty;
        ty.min = e.pages();
        Ok(ty)
    }

    /// The shared memory this is, if its type is shared: a handle other stores (on other
    /// threads) can [`SharedMemory::attach`]. Fails if the memory belongs to another store.
    #[cfg(feature = "std")]
    pub fn as_shared(&self, store: impl AsContext) -> Result<Option<SharedMemory>> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(match &inner.memories[self.index as usize] {
            MemorySlot::Shared(m) => Some(m.clone()),
            MemorySlot::Owned(_) => None,
        })
    }

    /// The current size in pages.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        Ok(self.entity(&store)?.pages())
    }

    /// The memory's bytes. Any later `grow` may move them.
    pub fn data<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a [u8]> {
        Ok(self.entity(store)?.data())
    }

    /// The memory's bytes, to change. Any later `grow` may move them.
    pub fn data_mut<'a, C: AsContextMut + 'a>(&self, store: &'a mut C) -> Result<&'a mut [u8]> {
        Ok(self.entity_mut(store)?.data_mut())
    }

    /// The memory's bytes and the store's data together, so a host function can read guest
    /// memory while updating its own state.
    pub fn data_and_store_mut<'a, T: 'a, C: AsContextMut<Data = T> + 'a>(
        &self,
        store: &'a mut C,
    ) -> Result<(&'a mut [u8], &'a mut T)> {
        let store = store.as_context_mut().0;
        store.inner.check(self.store)?;
        let mem = &mut store.inner.memories[self.index as usize];
        Ok((mem.data_mut(), &mut store.data))
    }

    /// Copies memory at `offset` into `buf`; out of bounds is an error and copies nothing.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let e = self.entity(&store)?;
        let r = e.range(offset as u64, buf.len() as u64).map_err(oob)?;
        buf.copy_from_slice(&e.data()[r]);
        Ok(())
    }

    /// Copies `buf` into memory at `offset`; out of bounds is an error and writes nothing.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let e = self.entity_mut(&mut store)?;
        let r = e.range(offset as u64, buf.len() as u64).map_err(oob)?;
        e.data_mut()[r].copy_from_slice(buf);
        Ok(())
    }

    /// Grows by `delta` pages, returning the previous size in pages. Refused growth (past
    /// the maximum or a limit) is `Error::ResourceExhausted`; a trap the store's
    /// `ResourceLimiter` asked for is `Error::Trap`.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let e = self.entity_mut(&mut store)?;
        e.grow(delta)?.ok_or_else(|| {
            Error::ResourceExhausted(text!("failed to grow memory by {} pages", delta))
        })
    }
}

fn oob(_: TrapCode) -> Error {
    Error::NotFound("memory range out of bounds".into())
}
