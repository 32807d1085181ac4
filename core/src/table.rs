//! Tables: the entity the tiers access through `VmCtx`, and the `Table` handle.
//! Elements are raw references (see `value.rs`: 0 is null).

use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::limits::StoreResources;
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::text;
use crate::trap::{Trap, TrapCode};
use crate::types::TableType;
use crate::value::Val;

/// A table. Invariant: `base` and `len` are `elements`' pointer and length, refreshed by
/// every operation that changes its length (`new`, `grow`): native code reads them at
/// fixed offsets for `call_indirect`.
pub struct TableEntity {
    /// The first element: `elements`' pointer.
    pub base: *mut u64,
    /// The number of elements.
    pub len: u32,
    elements: Vec<u64>,
    /// The table's type; its minimum is the declared one, not the current size.
    pub ty: TableType,
    max: u32,
    /// The store's growth state (its limiter), which `grow` asks.
    resources: *mut StoreResources,
}

// SAFETY: `base` points into `elements`, which the entity owns; it is never shared
// elsewhere. `resources` points to the store's, which moves between threads with the store.
unsafe impl Send for TableEntity {}
unsafe impl Sync for TableEntity {}

/// A table index (or count) as the tiers pass it to the entity: an `i32` operand's low
/// half, or, for a table64, the `i64` saturated to `u32::MAX`. A table never reaches
/// `u32::MAX` elements (`plan_table`), so a saturated index stays out of bounds and a
/// saturated count too large, exactly as the full 64-bit value is. The interpreter's
/// handlers and element segments use this; the JIT emits the same saturation.
#[inline]
pub fn index(raw: u64, table64: bool) -> u32 {
    if table64 {
        raw.min(u64::from(u32::MAX)) as u32
    } else {
        raw as u32
    }
}

/// The most elements a table of type `ty` may grow to (its declared maximum within the
/// engine's `limit`, and below `u32::MAX`, see [`index`]), when its initial size is within
/// it.
pub(crate) fn plan_table(ty: TableType, limit: u32) -> Result<u32> {
    let max = ty
        .max
        .unwrap_or(u64::MAX)
        .min(u64::from(limit.min(u32::MAX - 1))) as u32;
    if ty.min > u64::from(max) {
        return Err(Error::ResourceExhausted(text!(
            "table of {} elements exceeds the limit of {}",
            ty.min,
            max
        )));
    }
    Ok(max)
}

impl TableEntity {
    /// A table of `ty.min` elements set to `init`. The store's limits were checked before
    /// (`limits::admit_instance`, `admit_table`).
    pub(crate) fn new(
        ty: TableType,
        init: u64,
        limit: u32,
        resources: *mut StoreResources,
    ) -> Result<TableEntity> {
        let max = plan_table(ty, limit)?;
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(ty.min as usize)
            .map_err(|_| Error::ResourceExhausted("table allocation failed".into()))?;
        elements.resize(ty.min as usize, init);
        let mut table = TableEntity {
            base: core::ptr::null_mut(),
            len: 0,
            elements,
            ty,
            max,
            resources,
        };
        table.mirror();
        Ok(table)
    }

    /// Refreshes `base` and `len` after the elements' length changed.
    fn mirror(&mut self) {
        self.base = self.elements.as_mut_ptr();
        self.len = self.elements.len() as u32;
    }

    /// The current number of elements.
    pub fn size(&self) -> u32 {
        self.elements.len() as u32
    }

    /// Grows by `delta` elements set to `init`; returns the old size, or `Ok(None)` (wasm's
    /// -1) if that would pass the maximum or the allocator, or the store's
    /// `ResourceLimiter` refuses; `Err` when the limiter asks for a trap. Every growth of a
    /// table, on every tier and through the API, comes here.
    pub fn grow(&mut self, delta: u32, init: u64) -> Result<Option<u32>, Trap> {
        let old = self.size();
        let Some(new) = old.checked_add(delta).filter(|&new| new <= self.max) else {
            return Ok(None);
        };
        if delta != 0 {
            // SAFETY: as in `MemoryEntity::grow`: the store's resources outlive its
            // tables, and nothing else refers to them while a table grows.
            let resources = unsafe { &mut *self.resources };
            let maximum = self.ty.max.map(|m| u32::try_from(m).unwrap_or(u32::MAX));
            if !resources.table_growing(old, new, maximum)? {
                return Ok(None);
            }
        }
        if self.elements.try_reserve_exact(delta as usize).is_err() {
            return Ok(None);
        }
        self.elements.resize(new as usize, init);
        self.mirror();
        Ok(Some(old))
    }

    /// The raw element at `index`, or the out-of-bounds trap.
    #[inline]
    pub fn get(&self, index: u32) -> Result<u64, TrapCode> {
        self.elements
            .get(index as usize)
            .copied()
            .ok_or(TrapCode::TableOutOfBounds)
    }

    /// Sets the raw element at `index`, or returns the out-of-bounds trap.
    #[inline]
    pub fn set(&mut self, index: u32, value: u64) -> Result<(), TrapCode> {
        let slot = self
            .elements
            .get_mut(index as usize)
            .ok_or(TrapCode::TableOutOfBounds)?;
        *slot = value;
        Ok(())
    }

    fn range(&self, start: u32, len: u32) -> Result<core::ops::Range<usize>, TrapCode> {
        let end = start.checked_add(len).ok_or(TrapCode::TableOutOfBounds)?;
        if end > self.size() {
            return Err(TrapCode::TableOutOfBounds);
        }
        Ok(start as usize..end as usize)
    }

    /// `table.fill`.
    pub fn fill(&mut self, dst: u32, value: u64, len: u32) -> Result<(), TrapCode> {
        let r = self.range(dst, len)?;
        self.elements[r].fill(value);
        Ok(())
    }

    /// `table.copy` within this table (overlap allowed).
    pub fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), TrapCode> {
        let s = self.range(src, len)?;
        let d = self.range(dst, len)?;
        self.elements.copy_within(s, d.start);
        Ok(())
    }

    /// `table.init` / active element segments: copies `items[src..src+len]` to `dst`.
    pub fn init(&mut self, dst: u32, items: &[u64], src: u32, len: u32) -> Result<(), TrapCode> {
        let d = self.range(dst, len)?;
        let end = src.checked_add(len).ok_or(TrapCode::TableOutOfBounds)?;
        if end as usize > items.len() {
            return Err(TrapCode::TableOutOfBounds);
        }
        self.elements[d].copy_from_slice(&items[src as usize..end as usize]);
        Ok(())
    }
}

/// `table.copy` between two distinct tables.
pub fn copy_between(
    dst: &mut TableEntity,
    dst_index: u32,
    src: &TableEntity,
    src_index: u32,
    len: u32,
) -> Result<(), TrapCode> {
    let s = src.range(src_index, len)?;
    let d = dst.range(dst_index, len)?;
    dst.elements[d].copy_from_slice(&src.elements[s]);
    Ok(())
}

/// A handle to a table in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Table {
    /// Creates a table of type `ty` with every element set to `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let inner = &mut store.as_context_mut().0.inner;
        let raw = init.to_raw_checked(ty.element.into(), inner)?;
        crate::limits::admit_table(inner, ty)?;
        let limit = inner.engine.config().max_table_elements;
        let entity = TableEntity::new(ty, raw, limit, inner.resources.as_ptr())?;
        let index = inner.tables.len() as u32;
        inner.tables.push(crate::owned::Owned::new(entity));
        Ok(Table {
            store: inner.id,
            index,
        })
    }

    fn entity<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a TableEntity> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(&inner.tables[self.index as usize])
    }

    /// The table's type with its current size as the minimum. Fails if the table belongs to
    /// another store.
    pub fn ty(&self, store: impl AsContext) -> Result<TableType> {
        let e = self.entity(&store)?;
        Ok(TableType {
            min: u64::from(e.size()),
            ..e.ty
        })
    }

    /// The current number of elements. Fails if the table belongs to another store.
    ///
    /// Sizes and indices are `u64`s, as a table64's (and wasmtime's API) are; a table
    /// never holds more than `Config::max_table_elements`.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        Ok(u64::from(self.entity(&store)?.size()))
    }

    /// The element at `index`, or `None` if out of bounds.
    pub fn get(&self, store: impl AsContext, index: u64) -> Result<Option<Val>> {
        let e = self.entity(&store)?;
        Ok(e.get(index_of(index))
            .ok()
            .map(|raw| Val::from_raw(raw, e.ty.element.into(), self.store)))
    }

    /// Sets the element at `index` to `value`, which must be of the table's element type;
    /// out of bounds is an error.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store)?;
        let element = inner.tables[self.index as usize].ty.element;
        let raw = value.to_raw_checked(element.into(), inner)?;
        let e = &mut inner.tables[self.index as usize];
        e.set(index_of(index), raw)
            .map_err(|_| Error::NotFound(text!("table index {} out of bounds", index)))
    }

    /// Grows by `delta` elements set to `init`; returns the previous size. Refused growth
    /// is `Error::ResourceExhausted`; a trap the store's `ResourceLimiter` asked for is
    /// `Error::Trap`.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store)?;
        let element = inner.tables[self.index as usize].ty.element;
        let raw = init.to_raw_checked(element.into(), inner)?;
        let e = &mut inner.tables[self.index as usize];
        e.grow(index_of(delta), raw)?
            .map(u64::from)
            .ok_or_else(|| Error::ResourceExhausted(text!("failed to grow table by {}", delta)))
    }
}

/// An index or count from the API as the entity takes it (see [`index`]).
fn index_of(n: u64) -> u32 {
    index(n, true)
}
