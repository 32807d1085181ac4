//! Globals: one 64-bit cell each (two for a `v128`), and the `Global` handle.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::{GlobalType, Mutability};
use crate::value::Val;

/// A global's cell. `#[repr(C)]` with the value first: the tiers read and write it through
/// the pointer kept in each `VmCtx` that defines or imports it.
#[repr(C)]
pub struct GlobalEntity {
    /// The value as a raw slot: what the tiers read and write in place.
    pub value: u64,
    /// A `v128`'s upper 64 bits, right after `value` so that the two are the value's 16
    /// little-endian bytes, as a `v128` in two slots (`layout.rs`); 0 for other types.
    pub high: u64,
    /// The global's type, which gives the slot's meaning.
    pub ty: GlobalType,
}

/// A handle to a global in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Global {
    /// A host-defined global of type `ty` holding `value`, which must be of `ty`'s content
    /// type.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let inner = &mut store.as_context_mut().0.inner;
        let mut raw = [0; 2];
        value.to_slots_checked(ty.content, inner, &mut raw[..ty.content.slots()])?;
        let index = inner.globals.len() as u32;
        inner.globals.push(crate::owned::Owned::new(GlobalEntity {
            value: raw[0],
            high: raw[1],
            ty,
        }));
        Ok(Global {
            store: inner.id,
            index,
        })
    }

    fn entity<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a GlobalEntity> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(&inner.globals[self.index as usize])
    }

    /// The global's type. Fails if the global belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType> {
        Ok(self.entity(&store)?.ty)
    }

    /// The global's current value. Fails if the global belongs to another store.
    pub fn get(&self, store: impl AsContext) -> Result<Val> {
        let e = self.entity(&store)?;
        let raw = [e.value, e.high];
        Ok(Val::from_slots(
            &raw[..e.ty.content.slots()],
            e.ty.content,
            self.store,
        ))
    }

    /// Sets a mutable global; fails on an immutable one or a value of the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store)?;
        let ty = inner.globals[self.index as usize].ty;
        if ty.mutability != Mutability::Var {
            return Err(Error::TypeMismatch("cannot set an immutable global".into()));
        }
        let mut raw = [0; 2];
        value.to_slots_checked(ty.content, inner, &mut raw[..ty.content.slots()])?;
        let e = &mut inner.globals[self.index as usize];
        (e.value, e.high) = (raw[0], raw[1]);
        Ok(())
    }
}
