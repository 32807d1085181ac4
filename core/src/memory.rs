//! Linear memory: the entity the tiers access through `VmCtx`, and the `Memory` handle.

use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::trap::TrapCode;
use crate::types::MemoryType;

/// A linear memory. `#[repr(C)]` with `base` and `len` first: native code and the
/// interpreter read them at fixed offsets. Invariant: `base..base + len` is the live,
/// initialised content of `buf`, refreshed by every operation that can move it (`grow`).
#[repr(C)]
pub struct MemoryEntity {
    pub base: *mut u8,
    pub len: usize,
    buf: Vec<u8>,
    pub ty: MemoryType,
    /// The most pages this memory may grow to: its declared maximum within the engine's limit.
    max_pages: u64,
}

// SAFETY: `base` points into `buf`, which the entity owns; it is never shared elsewhere.
unsafe impl Send for MemoryEntity {}
unsafe impl Sync for MemoryEntity {}

impl MemoryEntity {
    /// Allocates `ty.min` zeroed pages. `limit_bytes` caps growth (the engine's limit).
    pub fn new(ty: MemoryType, limit_bytes: u64) -> Result<MemoryEntity> {
        let page = ty.page_size();
        let limit_pages = (limit_bytes / page).min(ty.absolute_max_pages());
        let max_pages = ty.max.unwrap_or(u64::MAX).min(limit_pages);
        if ty.min > max_pages {
            return Err(Error::ResourceExhausted(alloc::format!(
                "memory of {} pages exceeds the limit of {max_pages} pages",
                ty.min
            )));
        }
        let exhausted = || {
            Error::ResourceExhausted(alloc::format!(
                "could not allocate {} bytes of linear memory",
                ty.min * page
            ))
        };
        let len = usize::try_from(ty.min * page).map_err(|_| exhausted())?;
        let mut buf = zeroed_vec(len).ok_or_else(exhausted)?;
        Ok(MemoryEntity {
            base: buf.as_mut_ptr(),
            len: buf.len(),
            buf,
            ty,
            max_pages,
        })
    }

    /// The size in pages.
    pub fn pages(&self) -> u64 {
        (self.len as u64) >> self.ty.page_size_log2
    }

    /// Grows by `delta` pages and returns the old size in pages, or `None` (wasm's -1) if
    /// that would pass the maximum or the allocation fails. Never aborts on allocation.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let new_len = usize::try_from(new << self.ty.page_size_log2).ok()?;
        if delta != 0 {
            self.buf.try_reserve_exact(new_len - self.buf.len()).ok()?;
            self.buf.resize(new_len, 0);
        }
        self.base = self.buf.as_mut_ptr();
        self.len = self.buf.len();
        Some(old)
    }

    pub fn data(&self) -> &[u8] {
        &self.buf
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buf
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
        self.buf[r].fill(val);
        Ok(())
    }

    /// `memory.copy` within this memory (overlap allowed).
    pub fn copy_within(&mut self, dst: u64, src: u64, len: u64) -> Result<(), TrapCode> {
        let s = self.range(src, len)?;
        let d = self.range(dst, len)?;
        self.buf.copy_within(s, d.start);
        Ok(())
    }

    /// `memory.init` / active data segments: copies `data[src..src+len]` to `dst`.
    pub fn init(&mut self, dst: u64, data: &[u8], src: u64, len: u64) -> Result<(), TrapCode> {
        let d = self.range(dst, len)?;
        let end = src.checked_add(len).ok_or(TrapCode::MemoryOutOfBounds)?;
        if end > data.len() as u64 {
            return Err(TrapCode::MemoryOutOfBounds);
        }
        self.buf[d].copy_from_slice(&data[src as usize..end as usize]);
        Ok(())
    }
}

/// A zeroed buffer of `len` bytes, or `None` if allocation fails. Allocated zeroed (not
/// filled), so the OS can hand out untouched pages lazily: a large initial memory costs
/// address space, not time.
fn zeroed_vec(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = core::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size. On success the allocation holds `len`
    // initialised (zero) bytes with the global allocator's layout for a `Vec<u8>` of
    // capacity `len`, which is what `from_raw_parts` requires.
    unsafe {
        let ptr = alloc::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return None;
        }
        Some(Vec::from_raw_parts(ptr, len, len))
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
    dst.buf[d].copy_from_slice(&src.buf[s]);
    Ok(())
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
        let limit = inner.engine.config().max_memory_bytes;
        let entity = MemoryEntity::new(ty, limit)?;
        let index = inner.memories.len() as u32;
        inner.memories.push(crate::owned::Owned::new(entity));
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

    pub fn ty(&self, store: impl AsContext) -> Result<MemoryType> {
        let e = self.entity(&store)?;
        let mut ty = e.ty;
        ty.min = e.pages();
        Ok(ty)
    }

    /// The current size in pages.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        Ok(self.entity(&store)?.pages())
    }

    /// The memory's bytes. Any later `grow` may move them.
    pub fn data<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a [u8]> {
        Ok(self.entity(store)?.data())
    }

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

    /// Grows by `delta` pages, returning the previous size in pages.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let e = self.entity_mut(&mut store)?;
        e.grow(delta).ok_or_else(|| {
            Error::ResourceExhausted(alloc::format!("failed to grow memory by {delta} pages"))
        })
    }
}

fn oob(_: TrapCode) -> Error {
    Error::NotFound("memory range out of bounds".into())
}
