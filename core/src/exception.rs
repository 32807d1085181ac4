//! Exception handling's runtime objects: tags and the exceptions thrown with them.
//!
//! A *tag* is a store entity like a function: defined by an instance (or by the host,
//! `Tag::new`), imported and exported by identity, and matched by identity (its store
//! index) when a `catch` asks whether an exception is its. An *exception* is a tag and
//! the values thrown with it, held in the store's exception table; an `exnref` is its
//! index there + 1 (`value.rs`'s raw encoding), so the tiers pass it around as any
//! reference.
//!
//! Lifetime: an exception lives from its `throw` until it is caught by a plain `catch` /
//! `catch_all` without ever having been seen as a value, when its entry is freed for reuse
//! (`StoreInner::exception_caught`). A legacy `catch` block holds its exception for
//! `rethrow` until it ends (`hold_exception`, `release_exception`); one left by a branch,
//! a return or another exception keeps its hold. An exception that became a value (caught
//! by `catch_ref` / `catch_all_ref`, or handed to the host) may be referred to from
//! anywhere, and wisp has no collector to tell when that ends: it is kept until the store
//! drops. `Config::max_exceptions` bounds how many are kept.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner};
use crate::trap::TrapCode;
use crate::types::TagType;
use crate::value::Val;

/// A tag in a store.
pub struct TagEntity {
    pub ty: TagType,
}

/// An exception: the tag it was thrown with (a store tag index) and its values (raw slots).
pub struct ExnEntity {
    pub tag: u32,
    pub fields: Box<[u64]>,
    /// Whether it has been a value (an `exnref` in wasm, or an [`ExnRef`] in the host):
    /// then it is never freed.
    pub exposed: bool,
    /// How many legacy `catch` blocks hold it for `rethrow` (`hold_exception`): it is not
    /// freed while any does.
    pub holds: u32,
}

/// A handle to a tag in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Tag {
    /// A new tag of type `ty`, distinct from every other (a host-defined tag, to give to
    /// instances as an import).
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        let inner = &mut store.as_context_mut().0.inner;
        if !ty.func_type().results().is_empty() {
            return Err(Error::TypeMismatch(
                "a tag's function type has no results".into(),
            ));
        }
        Ok(inner.alloc_tag(ty.clone()))
    }

    pub fn ty(&self, store: impl AsContext) -> Result<TagType> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(inner.tags[self.index as usize].ty.clone())
    }

    /// The tag's index in its store (what tags are matched by).
    pub fn index(&self) -> u32 {
        self.index
    }
}

/// A handle to an exception in a store: what an uncaught exception gives the host
/// ([`crate::Trap::exception`]), and what a host function throws ([`crate::Trap::throw`]).
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl ExnRef {
    /// A new exception with `tag` and the values `fields`, checked against the tag's type.
    pub fn new(mut store: impl AsContextMut, tag: &Tag, fields: &[Val]) -> Result<ExnRef> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(tag.store)?;
        let ty = inner.tags[tag.index as usize].ty.clone();
        if ty.params().len() != fields.len() {
            return Err(Error::TypeMismatch(alloc::format!(
                "tag {ty} takes {} values, got {}",
                ty.params().len(),
                fields.len()
            )));
        }
        let raw = fields
            .iter()
            .zip(ty.params())
            .map(|(v, &t)| v.to_raw_checked(t, inner))
            .collect::<Result<Vec<u64>>>()?;
        let index = inner
            .alloc_exception(tag.index, raw.into())
            .map_err(|c| Error::ResourceExhausted(alloc::format!("{c}")))?;
        inner.exceptions[index as usize]
            .as_mut()
            .expect("just allocated")
            .exposed = true;
        Ok(ExnRef {
            store: inner.id,
            index,
        })
    }

    /// The exception at `index` of store `store`'s exception table: for the tiers, which
    /// hand an uncaught exception to the host (`crate::Trap::throw`).
    #[doc(hidden)]
    pub fn from_index(store: StoreId, index: u32) -> ExnRef {
        ExnRef { store, index }
    }

    /// The exception's index in its store's exception table, if it belongs to `store`.
    #[doc(hidden)]
    pub fn index_in(&self, store: StoreId) -> Option<u32> {
        (self.store == store).then_some(self.index)
    }

    /// The exception `exnref` value `raw` (non-zero) of store `store` names.
    pub(crate) fn from_raw(store: StoreId, raw: u64) -> Option<ExnRef> {
        match raw {
            0 => None,
            n => Some(ExnRef {
                store,
                index: (n - 1) as u32,
            }),
        }
    }

    pub(crate) fn to_raw(self) -> u64 {
        u64::from(self.index) + 1
    }

    fn entity<'a>(&self, inner: &'a StoreInner) -> Result<&'a ExnEntity> {
        inner.check(self.store)?;
        inner
            .exceptions
            .get(self.index as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| Error::NotFound("the exception no longer exists".into()))
    }

    /// The tag the exception was thrown with.
    pub fn tag(&self, store: impl AsContext) -> Result<Tag> {
        let inner = &store.as_context().0.inner;
        Ok(Tag {
            store: inner.id,
            index: self.entity(inner)?.tag,
        })
    }

    /// The values thrown with the exception, typed by its tag.
    pub fn fields(&self, store: impl AsContext) -> Result<Vec<Val>> {
        let inner = &store.as_context().0.inner;
        let e = self.entity(inner)?;
        let ty = &inner.tags[e.tag as usize].ty;
        Ok(e.fields
            .iter()
            .zip(ty.params())
            .map(|(&raw, &t)| Val::from_raw(raw, t, inner.id))
            .collect())
    }

    /// Value `index` of [`fields`](Self::fields).
    pub fn field(&self, store: impl AsContext, index: usize) -> Result<Val> {
        self.fields(store)?
            .get(index)
            .copied()
            .ok_or_else(|| Error::NotFound(alloc::format!("no field {index}")))
    }
}

impl StoreInner {
    /// A new tag of type `ty`.
    pub(crate) fn alloc_tag(&mut self, ty: TagType) -> Tag {
        let index = self.tags.len() as u32;
        self.tags.push(TagEntity { ty });
        Tag {
            store: self.id,
            index,
        }
    }

    /// A new exception of store tag `tag` with `fields`; returns its index (an `exnref` is
    /// that + 1). Reuses the entries of freed exceptions. `TooManyExceptions` when the
    /// store holds `Config::max_exceptions` already.
    pub fn alloc_exception(&mut self, tag: u32, fields: Box<[u64]>) -> Result<u32, TrapCode> {
        let exn = ExnEntity {
            tag,
            fields,
            exposed: false,
            holds: 0,
        };
        Ok(match self.free_exceptions.pop() {
            Some(index) => {
                self.exceptions[index as usize] = Some(exn);
                index
            }
            None => {
                let max = self.engine.config().max_exceptions as usize;
                if self.exceptions.len() >= max {
                    return Err(TrapCode::TooManyExceptions);
                }
                self.exceptions.push(Some(exn));
                (self.exceptions.len() - 1) as u32
            }
        })
    }

    /// Exception `index`, which a tier holds (thrown, or as an `exnref` value).
    pub fn exception(&self, index: u32) -> &ExnEntity {
        self.exceptions[index as usize]
            .as_ref()
            .expect("an exception a tier holds is alive")
    }

    /// Exception `index` becomes a value (`catch_ref`, a legacy `catch`, the host): from
    /// now on it lives as long as the store.
    pub fn expose_exception(&mut self, index: u32) {
        if let Some(e) = &mut self.exceptions[index as usize] {
            e.exposed = true;
        }
    }

    /// Exception `index` was caught by a handler that keeps no reference to it: its entry
    /// is free again, unless it has been a value or a `catch` block holds it.
    pub fn exception_caught(&mut self, index: u32) {
        let slot = &mut self.exceptions[index as usize];
        if slot.as_ref().is_some_and(|e| !e.exposed && e.holds == 0) {
            *slot = None;
            self.free_exceptions.push(index);
        }
    }

    /// A legacy `catch` block starts with exception `index`, which it keeps for `rethrow`.
    pub fn hold_exception(&mut self, index: u32) {
        if let Some(e) = &mut self.exceptions[index as usize] {
            e.holds += 1;
        }
    }

    /// A legacy `catch` block holding exception `index` ended: freed if nothing else
    /// refers to it.
    pub fn release_exception(&mut self, index: u32) {
        if let Some(e) = &mut self.exceptions[index as usize] {
            e.holds = e.holds.saturating_sub(1);
        }
        self.exception_caught(index);
    }
}
