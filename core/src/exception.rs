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
//! `catch_all` without ever having been a value, when its entry is freed for reuse
//! (`StoreInner::exception_caught`). A legacy `catch` block holds its exception for
//! `rethrow` until control leaves it (`hold_exception`): at its end, by a branch or a
//! return (`release_exception`), or by an exception passing out of it
//! (`release_exception_unwinding`, which keeps the one propagating). A trap leaves holds
//! behind; the embedder's outermost call, once no wasm runs, frees whatever they kept
//! (`reclaim_exceptions`). An exception that became a value (caught
//! by `catch_ref` / `catch_all_ref`, passed into wasm by the host, made by the host with
//! [`ExnRef::new`], or returned uncaught to the embedder's outermost call) may be referred
//! to from anywhere, and wisp has no collector to tell when that ends: it is kept until
//! the store drops. `Config::max_exceptions` bounds how many are kept.
//!
//! An exception merely passing through a host function on its way (wasm calls the host,
//! which calls wasm, which throws) is not a value: the host function may inspect it and
//! pass it on, and once wasm catches it, its entry is freed. An [`ExnRef`] handle carries
//! its entry's generation, so one kept past that fails (`Error::NotFound`) rather than
//! naming whichever exception reuses the entry.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner};
use crate::trap::TrapCode;
use crate::types::TagType;
use crate::value::Val;

/// A tag in a store.
pub struct TagEntity {
    /// The tag's type: the types of the values an exception with it carries.
    pub ty: TagType,
}

/// An exception: the tag it was thrown with (a store tag index) and its values (raw slots,
/// laid out as the tag type's `params_layout`).
pub struct ExnEntity {
    /// The store index of the tag the exception was thrown with.
    pub tag: u32,
    /// The exception's values as raw slots, in the tag type's order.
    pub fields: Box<[u64]>,
    /// Whether it has been a value (see the module comment): then it is never freed. A
    /// cell, so a value can be exposed where the store is only read (`Val` to raw).
    pub exposed: Cell<bool>,
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

    /// The tag's type. Fails if the tag belongs to another store.
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

/// One entry of the store's exception table.
#[derive(Default)]
pub struct ExnSlot {
    /// Bumped each time the entry is reused.
    generation: u32,
    exn: Option<ExnEntity>,
}

/// A handle to an exception in a store: what an uncaught exception gives the host
/// ([`crate::Trap::exception`]), and what a host function throws ([`crate::Trap::throw`]).
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
    /// The entry's generation when the handle was made, or `ANY_GENERATION` for a handle
    /// made from an `exnref` value (whose exception is never freed).
    generation: u32,
}

const ANY_GENERATION: u32 = u32::MAX;

impl ExnRef {
    /// A new exception with `tag` and the values `fields`, checked against the tag's type.
    pub fn new(mut store: impl AsContextMut, tag: &Tag, fields: &[Val]) -> Result<ExnRef> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(tag.store)?;
        let ty = inner.tags[tag.index as usize].ty.clone();
        if ty.params().len() != fields.len() {
            return Err(Error::TypeMismatch(crate::text!(
                "tag {} takes {} values, got {}",
                ty,
                ty.params().len(),
                fields.len()
            )));
        }
        let layout = ty.func_type().params_layout();
        let mut raw = alloc::vec![0u64; layout.slots()];
        for (i, (v, &t)) in fields.iter().zip(ty.params()).enumerate() {
            v.to_slots_checked(t, inner, &mut raw[layout.range(i)])?;
        }
        let index = inner
            .alloc_exception(tag.index, raw.into())
            .map_err(|c| Error::ResourceExhausted(crate::text!("{}", c)))?;
        inner.expose_exception(index);
        Ok(inner.exception_handle(index))
    }

    /// The exception `exnref` value `raw` (non-zero) of store `store` names.
    pub(crate) fn from_raw(store: StoreId, raw: u64) -> Option<ExnRef> {
        match raw {
            0 => None,
            n => Some(ExnRef {
                store,
                index: (n - 1) as u32,
                generation: ANY_GENERATION,
            }),
        }
    }

    /// The `exnref` value naming the exception, which from now on is a value in wasm.
    pub(crate) fn to_raw_exposed(self, inner: &StoreInner) -> Result<u64> {
        let index = inner
            .exception_index(&self)
            .ok_or_else(|| Error::NotFound("the exception no longer exists".into()))?;
        inner.exception(index).exposed.set(true);
        Ok(u64::from(index) + 1)
    }

    fn entity<'a>(&self, inner: &'a StoreInner) -> Result<&'a ExnEntity> {
        inner.check(self.store)?;
        inner
            .exception_index(self)
            .map(|index| inner.exception(index))
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
        let layout = ty.func_type().params_layout();
        Ok(ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, &t)| Val::from_slots(&e.fields[layout.range(i)], t, inner.id))
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
            exposed: Cell::new(false),
            holds: 0,
        };
        Ok(match self.free_exceptions.pop() {
            Some(index) => {
                let slot = &mut self.exceptions[index as usize];
                // Never `ANY_GENERATION`: that matches every handle.
                slot.generation = (slot.generation + 1) % ANY_GENERATION;
                slot.exn = Some(exn);
                index
            }
            None => {
                let max = self.engine.config().max_exceptions as usize;
                if self.exceptions.len() >= max {
                    return Err(TrapCode::TooManyExceptions);
                }
                self.exceptions.push(ExnSlot {
                    generation: 0,
                    exn: Some(exn),
                });
                (self.exceptions.len() - 1) as u32
            }
        })
    }

    /// Exception `index`, which a tier holds (thrown, or as an `exnref` value).
    pub fn exception(&self, index: u32) -> &ExnEntity {
        self.exceptions[index as usize]
            .exn
            .as_ref()
            .expect("an exception a tier holds is alive")
    }

    /// A handle to exception `index`, alive: for the tiers, which hand an uncaught
    /// exception to the host (`crate::Trap::throw`).
    pub fn exception_handle(&self, index: u32) -> ExnRef {
        ExnRef {
            store: self.id,
            index,
            generation: self.exceptions[index as usize].generation,
        }
    }

    /// The index of the exception `exn` names, if it is this store's and alive.
    pub fn exception_index(&self, exn: &ExnRef) -> Option<u32> {
        let slot = self.exceptions.get(exn.index as usize)?;
        let current = exn.generation == ANY_GENERATION || exn.generation == slot.generation;
        (exn.store == self.id && current && slot.exn.is_some()).then_some(exn.index)
    }

    /// Exception `index` becomes a value (`catch_ref`, the host): from now on it lives as
    /// long as the store.
    pub fn expose_exception(&mut self, index: u32) {
        if let Some(e) = &self.exceptions[index as usize].exn {
            e.exposed.set(true);
        }
    }

    /// Exception `index` was caught by a handler that keeps no reference to it: its entry
    /// is free again, unless it has been a value or a `catch` block holds it.
    pub fn exception_caught(&mut self, index: u32) {
        let slot = &mut self.exceptions[index as usize];
        if slot
            .exn
            .as_ref()
            .is_some_and(|e| !e.exposed.get() && e.holds == 0)
        {
            slot.exn = None;
            self.free_exceptions.push(index);
        }
    }

    /// A legacy `catch` block starts with exception `index`, which it keeps for `rethrow`.
    pub fn hold_exception(&mut self, index: u32) {
        if let Some(e) = &mut self.exceptions[index as usize].exn {
            e.holds += 1;
            self.exception_holds += 1;
        }
    }

    /// Control left a legacy `catch` block holding exception `index` (its end, a branch,
    /// a return): freed if nothing else refers to it.
    pub fn release_exception(&mut self, index: u32) {
        self.unhold(index);
        self.exception_caught(index);
    }

    /// Exception `propagating` passes out of a legacy `catch` block holding exception
    /// `index`: as `release_exception`, but the propagating one lives on.
    pub fn release_exception_unwinding(&mut self, index: u32, propagating: u32) {
        self.unhold(index);
        if index != propagating {
            self.exception_caught(index);
        }
    }

    fn unhold(&mut self, index: u32) {
        if let Some(e) = &mut self.exceptions[index as usize].exn {
            if e.holds > 0 {
                e.holds -= 1;
                self.exception_holds -= 1;
            }
        }
    }

    /// With no wasm running (the embedder's outermost call returned), nothing refers to
    /// an exception that never was a value: frees those that holds a trap cut short kept.
    #[cfg_attr(not(feature = "exceptions"), allow(dead_code))]
    pub(crate) fn reclaim_exceptions(&mut self) {
        if self.exception_holds == 0 {
            return;
        }
        self.exception_holds = 0;
        for (index, slot) in self.exceptions.iter_mut().enumerate() {
            if slot.exn.as_ref().is_some_and(|e| !e.exposed.get()) {
                slot.exn = None;
                self.free_exceptions.push(index as u32);
            }
        }
    }

    /// How many exceptions the store keeps now (thrown and not freed).
    pub fn live_exceptions(&self) -> usize {
        self.exceptions.len() - self.free_exceptions.len()
    }
}
