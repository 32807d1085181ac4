//! Limits on what a hostile module can make the host spend.
//!
//! Two kinds, checked in two places:
//! - **Load time** ([`ModuleLimits`], in `Config`): what a module may declare. The loader
//!   (`module.rs`) checks each before the part it bounds is validated or recorded, so a
//!   module over a limit costs no more than reading up to the count that gives it away.
//! - **Store** (`Config::max_instances` and friends, and the embedder's
//!   [`ResourceLimiter`]): what a store may hold. Instantiation and `Memory::new` /
//!   `Table::new` ask [`admit_instance`] / [`StoreResources`] before allocating anything,
//!   and growth asks inside `MemoryEntity::grow` and `TableEntity::grow`, the one place each
//!   kind of growth happens: both tiers' `memory.grow` and `table.grow` and the API's `grow`
//!   call them, so every tier gets the same answer.
//!
//! Growth cannot reach the store itself: a tier holds only the entity (through `VmCtx`),
//! and the `Store<T>` may move between calls. So the store keeps what growth needs in one
//! allocation of its own that never moves, [`StoreResources`], and each memory and table
//! points to its store's. That is also why the limiter is owned by the store rather than
//! reached through the store's data `T` as wasmtime's is.

use alloc::boxed::Box;
use core::fmt;

use crate::error::{Error, Result};
use crate::module::ModuleInner;
use crate::store::StoreInner;
use crate::text::{Out, Text};
use crate::trap::Trap;
use crate::types::{MemoryType, TableType};
use crate::{display_by_text, put, text};

/// What a module may declare, checked when it loads (`Module::new`, `Module::validate`);
/// passing one is [`Error::Limit`] with the offset where the count or size was read.
///
/// The defaults are the limits of the WebAssembly JS API, which every browser enforces, so
/// any module that runs on the web loads; and where that API sets none, bounds far above
/// what compilers emit. Lower them for untrusted code: every one bounds work or memory the
/// loader (and the tiers' translators after it) would spend on the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleLimits {
    /// Size of the module's binary, in bytes (default 1 GiB, the JS API's limit).
    pub module_bytes: u64,
    /// Function types declared in the type section (default 1,000,000, the JS API's).
    pub types: u32,
    /// Imports (default 100,000, the JS API's).
    pub imports: u32,
    /// Exports (default 100,000, the JS API's).
    pub exports: u32,
    /// Functions, imported and defined (default 1,000,000, the JS API's).
    pub functions: u32,
    /// Locals of one function, parameters included (default 50,000, the JS API's). Above
    /// 50,000 the validator refuses the function whatever this says, as malformed
    /// (`Error::Module`, "too many locals", which the spec's tests expect).
    pub locals: u32,
    /// Control-flow nesting: `block`s, `loop`s and `if`s open at once in one function body
    /// (default 50,000; the JS API sets none). The validator and each translator keep a
    /// frame per open construct, and a body of the largest size is otherwise allowed to
    /// open millions. Compilers nest one block per distinct target of a `switch`'s
    /// `br_table`, so this allows switches of tens of thousands of cases.
    pub nesting: u32,
    /// Data segments (default 100,000, the JS API's).
    pub data_segments: u32,
    /// Bytes of all data segments together (default 1 GiB, the largest module's).
    pub data_bytes: u64,
    /// Element segments (default 100,000, the validator's own bound).
    pub element_segments: u32,
    /// Items of all element segments together (default 10,000,000, the JS API's bound on
    /// one table's initialisation). Each item is a constant expression the loader keeps,
    /// and is evaluated at every instantiation.
    pub element_items: u64,
}

impl Default for ModuleLimits {
    fn default() -> Self {
        ModuleLimits {
            module_bytes: 1 << 30,
            types: 1_000_000,
            imports: 100_000,
            exports: 100_000,
            functions: 1_000_000,
            locals: 50_000,
            nesting: 50_000,
            data_segments: 100_000,
            data_bytes: 1 << 30,
            element_segments: 100_000,
            element_items: 10_000_000,
        }
    }
}

/// `Error::Limit` for a module that declares `count` `what` (in function `func`, if
/// given), more than `limit`.
#[cold]
#[inline(never)]
pub(crate) fn module_limit(
    what: &str,
    func: Option<u32>,
    count: u64,
    limit: u64,
    offset: u64,
) -> Error {
    let mut message = text!("{} {}", count, what);
    if let Some(func) = func {
        let _ = put!(&mut message, " in function {}", func);
    }
    let _ = put!(&mut message, ", more than the limit of {}", limit);
    Error::Limit(crate::error::ModuleError {
        message: message.into(),
        offset,
    })
}

/// [`module_limit`] for `count` `what` in function `func`.
#[cold]
#[inline(never)]
pub(crate) fn func_limit(what: &str, func: u32, count: u64, limit: u64, offset: u64) -> Error {
    module_limit(what, Some(func), count, limit, offset)
}

/// Fails with [`module_limit`] when `count > limit`.
#[inline(never)]
pub(crate) fn check_module(what: &str, count: u64, limit: u64, offset: u64) -> Result<()> {
    if count > limit {
        return Err(module_limit(what, None, count, limit, offset));
    }
    Ok(())
}

/// An embedder's say over memory and table growth in one store, set with
/// `Store::limiter` (in the spirit of wasmtime's trait of the same name).
///
/// It is asked only about sizes the engine itself would allow (within the memory's or
/// table's declared maximum, `Config::max_memory_bytes`, `Config::max_table_elements` and
/// `Config::max_store_memory_bytes`), when a memory or table is created (`current` is 0:
/// an instance's own, or `Memory::new` / `Table::new`) and before each growth by a
/// non-zero amount (`memory.grow` and `table.grow` on every tier, and the API's `grow`).
/// Saying yes does not promise the allocation then succeeds.
///
/// An answer of `Ok(false)` refuses: `memory.grow` / `table.grow` return -1, the API's
/// `grow` fails with `Error::ResourceExhausted`, and creation fails with
/// [`Error::StoreLimit`] (an instance then allocates nothing). `Err(trap)` refuses and
/// traps: `memory.grow` / `table.grow` trap with it, and creation fails with
/// `Error::Trap`. A limiter that panics unwinds to the embedder's call as a host function's
/// panic does.
pub trait ResourceLimiter {
    /// May a memory go from `current` to `desired` bytes? `maximum` is its declared
    /// maximum in bytes, if it has one.
    fn memory_growing(
        &mut self,
        current: u64,
        desired: u64,
        maximum: Option<u64>,
    ) -> Result<bool, Trap> {
        let _ = (current, desired, maximum);
        Ok(true)
    }

    /// May a table go from `current` to `desired` elements? `maximum` is its declared
    /// maximum, if it has one.
    fn table_growing(
        &mut self,
        current: u32,
        desired: u32,
        maximum: Option<u32>,
    ) -> Result<bool, Trap> {
        let _ = (current, desired, maximum);
        Ok(true)
    }
}

/// What a store limit ([`Error::StoreLimit`]) was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreResource {
    /// Instances (`Config::max_instances`).
    Instances,
    /// Linear memories (`Config::max_memories`).
    Memories,
    /// Tables (`Config::max_tables`).
    Tables,
    /// Bytes of linear memory (`Config::max_store_memory_bytes`, or the limiter's answer
    /// for one memory).
    MemoryBytes,
    /// Elements of one table (the limiter's answer).
    TableElements,
}

impl Text for StoreResource {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put(match self {
            StoreResource::Instances => "instances",
            StoreResource::Memories => "memories",
            StoreResource::Tables => "tables",
            StoreResource::MemoryBytes => "bytes of linear memory",
            StoreResource::TableElements => "table elements",
        })
    }
}

display_by_text!(StoreResource);

/// What growth in one store needs: the running total the store-wide memory cap is checked
/// against, the cap, and the embedder's limiter. Owned by the store (`StoreInner`'s
/// `resources`) in an allocation that never moves; every memory and table of the store
/// holds a pointer to it (`MemoryEntity::grow`, `TableEntity::grow`).
///
/// Invariant: `memory_bytes` is the sum of the lengths of the store's memories: added to
/// when a memory is allocated or grown, never otherwise (memories are freed only with the
/// store).
pub(crate) struct StoreResources {
    memory_bytes: u64,
    max_memory_bytes: u64,
    limiter: Option<Box<dyn ResourceLimiter + Send>>,
}

impl StoreResources {
    pub(crate) fn new(max_memory_bytes: u64) -> StoreResources {
        StoreResources {
            memory_bytes: 0,
            max_memory_bytes,
            limiter: None,
        }
    }

    pub(crate) fn set_limiter(&mut self, limiter: Box<dyn ResourceLimiter + Send>) {
        self.limiter = Some(limiter);
    }

    /// Bytes of all the store's linear memories together.
    /// The store's memory total if `more` bytes were added, when that is within the cap.
    fn memory_total_with(&self, more: u64) -> Option<u64> {
        let total = self.memory_bytes.saturating_add(more);
        (total <= self.max_memory_bytes).then_some(total)
    }

    /// Whether a memory may go from `current` to `desired` bytes: within the store's cap,
    /// then as the limiter says. `current` is already counted in the total.
    pub(crate) fn memory_growing(
        &mut self,
        current: u64,
        desired: u64,
        maximum: Option<u64>,
    ) -> Result<bool, Trap> {
        if self
            .memory_total_with(desired.saturating_sub(current))
            .is_none()
        {
            return Ok(false);
        }
        match &mut self.limiter {
            Some(limiter) => limiter.memory_growing(current, desired, maximum),
            None => Ok(true),
        }
    }

    /// Counts `bytes` more of linear memory: a memory was allocated or grew.
    pub(crate) fn memory_grown(&mut self, bytes: u64) {
        self.memory_bytes = self.memory_bytes.saturating_add(bytes);
    }

    /// Whether a table may go from `current` to `desired` elements, as the limiter says.
    pub(crate) fn table_growing(
        &mut self,
        current: u32,
        desired: u32,
        maximum: Option<u32>,
    ) -> Result<bool, Trap> {
        match &mut self.limiter {
            Some(limiter) => limiter.table_growing(current, desired, maximum),
            None => Ok(true),
        }
    }

    /// Admits new memories of `bytes` (their initial sizes) into the store, or says which
    /// limit refuses them. Counts nothing: allocation does.
    fn admit_memories(&mut self, memories: &[(MemoryType, u64)]) -> Result<()> {
        let more = memories
            .iter()
            .fold(0u64, |sum, &(_, bytes)| sum.saturating_add(bytes));
        if self.memory_total_with(more).is_none() {
            return Err(Error::StoreLimit {
                resource: StoreResource::MemoryBytes,
                requested: self.memory_bytes.saturating_add(more),
                limit: Some(self.max_memory_bytes),
            });
        }
        if let Some(limiter) = &mut self.limiter {
            for &(ty, bytes) in memories {
                let maximum = ty.max.map(|pages| pages.saturating_mul(ty.page_size()));
                if !limiter.memory_growing(0, bytes, maximum)? {
                    return Err(Error::StoreLimit {
                        resource: StoreResource::MemoryBytes,
                        requested: bytes,
                        limit: None,
                    });
                }
            }
        }
        Ok(())
    }

    /// Admits new tables into the store, or says which limit refuses them.
    fn admit_tables(&mut self, tables: &[TableType]) -> Result<()> {
        if let Some(limiter) = &mut self.limiter {
            for ty in tables {
                // The limiter sees `u32`s: larger table64 limits saturate.
                let min = u32::try_from(ty.min).unwrap_or(u32::MAX);
                let max = ty.max.map(|m| u32::try_from(m).unwrap_or(u32::MAX));
                if !limiter.table_growing(0, min, max)? {
                    return Err(Error::StoreLimit {
                        resource: StoreResource::TableElements,
                        requested: ty.min,
                        limit: None,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Fails when a store holding `count` of `resource` may not hold `more` more.
fn admit_count(resource: StoreResource, count: usize, more: usize, limit: u32) -> Result<()> {
    let requested = (count as u64).saturating_add(more as u64);
    if requested > u64::from(limit) {
        return Err(Error::StoreLimit {
            resource,
            requested,
            limit: Some(u64::from(limit)),
        });
    }
    Ok(())
}

/// The initial size in bytes of a memory of type `ty`, when it is within the engine's
/// per-memory limit `limit_bytes` and its own maximum; `max_pages` is the most it may grow
/// to. `MemoryEntity::new` allocates from this plan, and instantiation checks it first.
pub(crate) struct MemoryPlan {
    pub(crate) bytes: u64,
    pub(crate) max_pages: u64,
}

pub(crate) fn plan_memory(ty: MemoryType, limit_bytes: u64) -> Result<MemoryPlan> {
    let page = ty.page_size();
    let limit_pages = (limit_bytes / page).min(ty.absolute_max_pages());
    let max_pages = ty.max.unwrap_or(u64::MAX).min(limit_pages);
    if ty.min > max_pages {
        return Err(Error::ResourceExhausted(text!(
            "memory of {} pages exceeds the limit of {} pages",
            ty.min,
            max_pages
        )));
    }
    Ok(MemoryPlan {
        bytes: ty.min * page,
        max_pages,
    })
}

/// Checks, before anything is allocated, that an instance of `module` fits `store`: the
/// store's counts of instances, memories and tables, the engine's per-memory and per-table
/// limits, the store's memory cap with the instance's memories at their initial sizes, and
/// the limiter's consent to each memory and table the instance defines. A refused instance
/// therefore leaves nothing behind in the store.
pub(crate) fn admit_instance(store: &mut StoreInner, module: &ModuleInner) -> Result<()> {
    let config = store.engine.config();
    let memories = &module.memories[module.num_imported_memories as usize..];
    let tables = &module.tables[module.num_imported_tables as usize..];
    admit_count(
        StoreResource::Instances,
        store.instances.len(),
        1,
        config.max_instances,
    )?;
    admit_count(
        StoreResource::Memories,
        store.memories.len(),
        memories.len(),
        config.max_memories,
    )?;
    admit_count(
        StoreResource::Tables,
        store.tables.len(),
        tables.len(),
        config.max_tables,
    )?;
    let mut planned = alloc::vec::Vec::with_capacity(memories.len());
    for &ty in memories {
        planned.push((ty, plan_memory(ty, config.max_memory_bytes)?.bytes));
    }
    for ty in tables {
        crate::table::plan_table(*ty, config.max_table_elements)?;
    }
    store.resources.admit_memories(&planned)?;
    store.resources.admit_tables(tables)
}

/// Checks that `store` may hold one more memory, of type `ty` (for `Memory::new`).
pub(crate) fn admit_memory(store: &mut StoreInner, ty: MemoryType) -> Result<()> {
    let config = store.engine.config();
    admit_count(
        StoreResource::Memories,
        store.memories.len(),
        1,
        config.max_memories,
    )?;
    let bytes = plan_memory(ty, config.max_memory_bytes)?.bytes;
    store.resources.admit_memories(&[(ty, bytes)])
}

/// Checks that `store` may hold one more table, of type `ty` (for `Table::new`).
pub(crate) fn admit_table(store: &mut StoreInner, ty: TableType) -> Result<()> {
    let config = store.engine.config();
    admit_count(
        StoreResource::Tables,
        store.tables.len(),
        1,
        config.max_tables,
    )?;
    crate::table::plan_table(ty, config.max_table_elements)?;
    store.resources.admit_tables(&[ty])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refuses tables and asks for a trap past 100 bytes of one memory.
    struct Strict;
    impl ResourceLimiter for Strict {
        fn memory_growing(&mut self, _: u64, desired: u64, _: Option<u64>) -> Result<bool, Trap> {
            if desired > 100 {
                return Err(Trap::msg("too much"));
            }
            Ok(true)
        }
        fn table_growing(&mut self, _: u32, _: u32, _: Option<u32>) -> Result<bool, Trap> {
            Ok(false)
        }
    }

    #[test]
    fn the_memory_total_is_held_to_the_cap() {
        let mut r = StoreResources::new(10);
        r.memory_grown(4);
        // A memory of 4 growing to 10 makes the total 10: at the cap, allowed.
        assert_eq!(r.memory_growing(4, 10, None).ok(), Some(true));
        assert_eq!(r.memory_growing(4, 11, None).ok(), Some(false));
        // New memories are checked together, with what the store already holds.
        let ty = MemoryType::new(0, None);
        assert!(r.admit_memories(&[(ty, 3), (ty, 3)]).is_ok());
        assert!(matches!(
            r.admit_memories(&[(ty, 3), (ty, 4)]),
            Err(Error::StoreLimit {
                resource: StoreResource::MemoryBytes,
                requested: 11,
                limit: Some(10),
            })
        ));
        // Sums saturate rather than wrap.
        r.memory_grown(u64::MAX);
        assert_eq!(r.memory_growing(0, 1, None).ok(), Some(false));
    }

    #[test]
    fn the_limiter_is_asked_after_the_cap() {
        let mut r = StoreResources::new(1000);
        r.set_limiter(Box::new(Strict));
        assert_eq!(r.memory_growing(0, 100, None).ok(), Some(true));
        assert!(r.memory_growing(0, 101, None).is_err());
        // Past the cap the limiter is not asked (it would trap).
        assert_eq!(r.memory_growing(0, 1001, None).ok(), Some(false));
        assert_eq!(r.table_growing(0, 1, None).ok(), Some(false));
        let table = TableType::new(crate::types::RefType::FUNCREF, 1, None);
        assert!(matches!(
            r.admit_tables(&[table]),
            Err(Error::StoreLimit {
                resource: StoreResource::TableElements,
                requested: 1,
                limit: None,
            })
        ));
        let ty = MemoryType::new(0, None);
        assert!(matches!(
            r.admit_memories(&[(ty, 200)]),
            Err(Error::Trap(_))
        ));
    }
}
