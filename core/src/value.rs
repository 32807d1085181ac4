//! `Val`, the dynamically typed value of the embedding API, and its raw form: the untyped
//! 64-bit slot both tiers compute with.
//!
//! Raw encoding (the invariant every tier relies on), in `ValType::slots` 64-bit slots per
//! value, placed by `layout.rs`:
//! - `i32`/`f32`: one slot, the low 32 bits (upper bits are don't-care on read, zero on
//!   write by the API);
//! - `i64`/`f64`: one slot, all 64 bits; floats as their IEEE bits, so NaN payloads survive;
//! - references: one slot, 0 is null, otherwise the store index of the function, extern
//!   object or exception + 1;
//! - `v128`: two slots, the low 64 bits first (lanes numbered from the low bits, as in
//!   memory, which is little-endian).

use alloc::boxed::Box;
use core::any::Any;
use core::fmt;

use crate::error::{Error, Result};
use crate::exception::ExnRef;
use crate::func::Func;
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner};
use crate::text;
use crate::types::{HeapType, RefType, ValType};

/// A reference to a host value, owned by a store (`externref`).
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl ExternRef {
    /// Moves `value` into the store and returns a reference to it.
    pub fn new<T: Any + Send + Sync>(mut store: impl AsContextMut, value: T) -> ExternRef {
        let inner = &mut store.as_context_mut().0.inner;
        let index = inner.externs.len() as u32;
        inner.externs.push(Box::new(value));
        ExternRef {
            store: inner.id,
            index,
        }
    }

    /// The host value behind this reference.
    pub fn data<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a (dyn Any + Send + Sync)> {
        let inner = &store.as_context().0.inner;
        if inner.id != self.store {
            return Err(Error::StoreMismatch);
        }
        Ok(&*inner.externs[self.index as usize])
    }

    pub(crate) fn to_raw(self) -> u64 {
        u64::from(self.index) + 1
    }
}

/// A `v128`: 128 bits, which SIMD operators read as lanes of 8, 16, 32 or 64 bits, lane 0
/// in the low bits (so [`to_le_bytes`](V128::to_le_bytes) is the value's bytes in wasm
/// memory).
///
/// The payload of [`Val::V128`], and a parameter or result type of
/// [`TypedFunc`](crate::TypedFunc) and host closures, as `u128` is too. It takes two raw
/// slots, the low 64 bits first (`layout.rs`).
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct V128(u128);

impl V128 {
    /// The value as a 128-bit integer: lane 0 in the low bits.
    #[inline]
    pub const fn as_u128(&self) -> u128 {
        self.0
    }

    /// The value's 16 bytes in memory order (lane 0 first).
    #[inline]
    pub const fn to_le_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// The value whose bytes in memory order (lane 0 first) are `bytes`.
    #[inline]
    pub const fn from_le_bytes(bytes: [u8; 16]) -> V128 {
        V128(u128::from_le_bytes(bytes))
    }

    /// The two raw slots of this value: its low 64 bits, then its high 64 bits.
    #[inline]
    pub(crate) const fn halves(self) -> [u64; 2] {
        [self.0 as u64, (self.0 >> 64) as u64]
    }

    /// The value in two raw slots: its low 64 bits, then its high 64 bits.
    #[inline]
    pub(crate) const fn from_halves(low: u64, high: u64) -> V128 {
        V128(low as u128 | (high as u128) << 64)
    }
}

impl From<u128> for V128 {
    #[inline]
    fn from(bits: u128) -> V128 {
        V128(bits)
    }
}

impl From<V128> for u128 {
    #[inline]
    fn from(v: V128) -> u128 {
        v.0
    }
}

/// As the `u128` (`{:x?}` prints it in hex).
impl fmt::Debug for V128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A Wasm value. Floats are kept as bits so NaN payloads pass through unchanged.
#[derive(Debug, Copy, Clone, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits.
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    /// A `v128`.
    V128(V128),
    /// A `funcref`: a function, or null.
    FuncRef(Option<Func>),
    /// An `externref`: a host value, or null.
    ExternRef(Option<ExternRef>),
    /// An exception (exception handling's `exnref`).
    ExnRef(Option<ExnRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// The zero value of `ty` (null for references), which locals and tables start with.
    /// (Non-nullable references have no default; this gives their null, which no check
    /// lets through.)
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(V128::default()),
            ValType::Ref(r) => Val::null(r),
        }
    }

    /// The null reference of `ty`'s hierarchy.
    pub fn null(ty: RefType) -> Val {
        match ty.heap.top() {
            HeapType::Extern => Val::ExternRef(None),
            HeapType::Exn => Val::ExnRef(None),
            _ => Val::FuncRef(None),
        }
    }

    /// The value, if it is an `i32`.
    pub fn i32(&self) -> Option<i32> {
        match *self {
            Val::I32(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if it is an `i64`.
    pub fn i64(&self) -> Option<i64> {
        match *self {
            Val::I64(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if it is an `f32`.
    pub fn f32(&self) -> Option<f32> {
        match *self {
            Val::F32(v) => Some(f32::from_bits(v)),
            _ => None,
        }
    }

    /// The value, if it is an `f64`.
    pub fn f64(&self) -> Option<f64> {
        match *self {
            Val::F64(v) => Some(f64::from_bits(v)),
            _ => None,
        }
    }

    /// The value, if it is a `v128`.
    pub fn v128(&self) -> Option<V128> {
        match *self {
            Val::V128(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this value, in store `inner`, has type `ty`: the same number type, or a
    /// reference of `ty`'s hierarchy that `ty` admits (not null for a non-nullable type; a
    /// function of the right type for a typed function reference).
    pub(crate) fn has_type(&self, ty: ValType, inner: &StoreInner) -> bool {
        let r = match (self, ty) {
            (_, ValType::Ref(r)) => r,
            (v, t) => return v.ty() == t,
        };
        let (null, top) = match self {
            Val::FuncRef(f) => (f.is_none(), HeapType::Func),
            Val::ExternRef(e) => (e.is_none(), HeapType::Extern),
            Val::ExnRef(e) => (e.is_none(), HeapType::Exn),
            _ => return false,
        };
        if r.heap.top() != top {
            return false;
        }
        if null {
            return r.nullable;
        }
        match (self, r.heap) {
            (Val::FuncRef(Some(f)), HeapType::ConcreteFunc(id)) => {
                f.store == inner.id && inner.funcs[f.index as usize].type_id == id
            }
            // The bottom types have no values but null.
            (_, HeapType::NoFunc | HeapType::NoExtern | HeapType::NoExn) => false,
            _ => true,
        }
    }

    /// The raw slot form of this value as a `ty`, checked: the type (see `has_type`) and
    /// the store a reference belongs to.
    pub(crate) fn to_raw_checked(self, ty: ValType, inner: &StoreInner) -> Result<u64> {
        let raw = match self {
            // The exception becomes a value in wasm (see `exception.rs`).
            Val::ExnRef(Some(e)) => {
                inner.check(e.store)?;
                e.to_raw_exposed(inner)?
            }
            _ => self.to_raw(inner.id)?,
        };
        if !self.has_type(ty, inner) {
            return Err(Error::TypeMismatch(text!(
                "expected {}, got {}",
                ty,
                self.describe()
            )));
        }
        Ok(raw)
    }

    /// Writes this value as a `ty` to `slots`, which is `ty.slots()` long (a range of a
    /// [`SlotLayout`](crate::layout::SlotLayout)), checked as `to_raw_checked`.
    pub(crate) fn to_slots_checked(
        self,
        ty: ValType,
        inner: &StoreInner,
        slots: &mut [u64],
    ) -> Result<()> {
        debug_assert_eq!(slots.len(), ty.slots());
        match (self, ty) {
            (Val::V128(v), ValType::V128) => slots.copy_from_slice(&v.halves()),
            _ => slots[0] = self.to_raw_checked(ty, inner)?,
        }
        Ok(())
    }

    /// Reads a value of type `ty` from `slots`, which is `ty.slots()` long (a range of a
    /// [`SlotLayout`](crate::layout::SlotLayout)).
    pub(crate) fn from_slots(slots: &[u64], ty: ValType, store: StoreId) -> Val {
        debug_assert_eq!(slots.len(), ty.slots());
        match ty {
            ValType::V128 => Val::V128(V128::from_halves(slots[0], slots[1])),
            _ => Val::from_raw(slots[0], ty, store),
        }
    }

    /// The value's type for messages: `null funcref`, `funcref`, `i32`...
    fn describe(&self) -> alloc::string::String {
        match self {
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => {
                text!("a null {}", self.ty())
            }
            v => text!("{}", v.ty()),
        }
    }

    /// The raw form of a one-slot value. Fails if a reference belongs to another store,
    /// and for a `v128`, which takes two slots (`to_slots_checked`).
    pub(crate) fn to_raw(self, store: StoreId) -> Result<u64> {
        Ok(match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => u64::from(v),
            Val::F64(v) => v,
            Val::V128(_) => {
                return Err(Error::TypeMismatch("v128 values are not supported".into()))
            }
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => 0,
            Val::FuncRef(Some(f)) => {
                if f.store != store {
                    return Err(Error::StoreMismatch);
                }
                f.to_raw()
            }
            Val::ExternRef(Some(e)) => {
                if e.store != store {
                    return Err(Error::StoreMismatch);
                }
                e.to_raw()
            }
            Val::ExnRef(Some(_)) => {
                return Err(Error::TypeMismatch(
                    "an exnref is passed checked (`to_raw_checked`)".into(),
                ))
            }
        })
    }

    /// Reads a raw slot as a value of type `ty` (one slot wide; a `v128` gets the low 64
    /// bits: see `from_slots`).
    pub(crate) fn from_raw(raw: u64, ty: ValType, store: StoreId) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 => Val::F64(raw),
            ValType::V128 => Val::V128(V128::from(u128::from(raw))),
            ValType::Ref(r) => match r.heap.top() {
                HeapType::Extern => Val::ExternRef(match raw {
                    0 => None,
                    n => Some(ExternRef {
                        store,
                        index: (n - 1) as u32,
                    }),
                }),
                HeapType::Exn => Val::ExnRef(ExnRef::from_raw(store, raw)),
                _ => Val::FuncRef(Func::from_raw(store, raw)),
            },
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl From<V128> for Val {
    fn from(v: V128) -> Val {
        Val::V128(v)
    }
}

impl From<u128> for Val {
    fn from(v: u128) -> Val {
        Val::V128(V128(v))
    }
}

impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}

impl From<ExternRef> for Val {
    fn from(e: ExternRef) -> Val {
        Val::ExternRef(Some(e))
    }
}

impl From<ExnRef> for Val {
    fn from(e: ExnRef) -> Val {
        Val::ExnRef(Some(e))
    }
}
