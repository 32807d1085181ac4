//! Statically typed calls in both directions: `TypedFunc` for calling wasm from Rust, and
//! `IntoFunc` for turning Rust closures into host functions.

use alloc::vec::Vec;
use core::marker::PhantomData;

use crate::error::{Error, Result};
use crate::func::{Caller, Func, HostFunc};
use crate::store::{AsContextMut, StoreId};
use crate::text;
use crate::trap::Trap;
use crate::types::{FuncType, ValType};
use crate::value::{ExternRef, V128};

/// A Rust type that maps to one Wasm value type, taking that type's
/// [`ValType::slots`] raw slots: one, or two for `v128` (`u128` and [`V128`], the low 64
/// bits first). `into_slots`/`from_slots` write and read a value at the start of the slots
/// given; tuples of them place each at the slot `SlotLayout` gives it (`WasmParams`).
pub trait WasmTy: Sized + Send + 'static {
    /// The Wasm value type this Rust type maps to.
    const TY: ValType;
    #[doc(hidden)]
    fn into_slots(self, slots: &mut [u64], store: StoreId) -> Result<()>;
    #[doc(hidden)]
    fn from_slots(slots: &[u64], store: StoreId) -> Self;
}

macro_rules! num_ty {
    ($($t:ty => $vt:ident, |$v:ident| $to:expr, |$r:ident| $from:expr;)*) => {$(
        impl WasmTy for $t {
            const TY: ValType = ValType::$vt;
            #[inline]
            fn into_slots(self, slots: &mut [u64], _: StoreId) -> Result<()> {
                let $v = self;
                slots[0] = $to;
                Ok(())
            }
            #[inline]
            fn from_slots(slots: &[u64], _: StoreId) -> Self {
                let $r = slots[0];
                $from
            }
        }
    )*};
}

num_ty! {
    i32 => I32, |v| v as u32 as u64, |r| r as u32 as i32;
    u32 => I32, |v| v as u64, |r| r as u32;
    i64 => I64, |v| v as u64, |r| r as i64;
    u64 => I64, |v| v, |r| r;
    f32 => F32, |v| v.to_bits() as u64, |r| f32::from_bits(r as u32);
    f64 => F64, |v| v.to_bits(), |r| f64::from_bits(r);
}

impl WasmTy for V128 {
    const TY: ValType = ValType::V128;
    #[inline]
    fn into_slots(self, slots: &mut [u64], _: StoreId) -> Result<()> {
        slots[..2].copy_from_slice(&self.halves());
        Ok(())
    }
    #[inline]
    fn from_slots(slots: &[u64], _: StoreId) -> Self {
        V128::from_halves(slots[0], slots[1])
    }
}

impl WasmTy for u128 {
    const TY: ValType = ValType::V128;
    #[inline]
    fn into_slots(self, slots: &mut [u64], store: StoreId) -> Result<()> {
        V128::from(self).into_slots(slots, store)
    }
    #[inline]
    fn from_slots(slots: &[u64], store: StoreId) -> Self {
        <V128 as WasmTy>::from_slots(slots, store).as_u128()
    }
}

impl WasmTy for Option<Func> {
    const TY: ValType = ValType::FUNCREF;
    fn into_slots(self, slots: &mut [u64], store: StoreId) -> Result<()> {
        slots[0] = match self {
            None => 0,
            Some(f) if f.store == store => f.to_raw(),
            Some(_) => return Err(Error::StoreMismatch),
        };
        Ok(())
    }
    fn from_slots(slots: &[u64], store: StoreId) -> Self {
        Func::from_raw(store, slots[0])
    }
}

impl WasmTy for Option<ExternRef> {
    const TY: ValType = ValType::EXTERNREF;
    fn into_slots(self, slots: &mut [u64], store: StoreId) -> Result<()> {
        slots[0] = match self {
            None => 0,
            Some(e) if e.store == store => e.to_raw(),
            Some(_) => return Err(Error::StoreMismatch),
        };
        Ok(())
    }
    fn from_slots(slots: &[u64], store: StoreId) -> Self {
        match slots[0] {
            0 => None,
            n => Some(ExternRef {
                store,
                index: (n - 1) as u32,
            }),
        }
    }
}

/// Parameters of a typed call: `()`, a single `WasmTy`, or a tuple of them.
pub trait WasmParams: Sized + Send + 'static {
    /// The number of parameters.
    const LEN: usize;
    /// The raw slots the values take together (`SlotLayout::slots` of their types).
    #[doc(hidden)]
    const SLOTS: usize;
    /// The parameters' Wasm types, in order.
    #[doc(hidden)]
    const TYPES: &'static [ValType];
    /// The parameters' Wasm types, in order.
    fn types() -> Vec<ValType> {
        Self::TYPES.to_vec()
    }
    #[doc(hidden)]
    fn write(self, slots: &mut [u64], store: StoreId) -> Result<()>;
    #[doc(hidden)]
    fn read(slots: &[u64], store: StoreId) -> Self;
}

/// Results of a typed call: the same shapes as [`WasmParams`].
pub trait WasmResults: WasmParams {}
impl<T: WasmParams> WasmResults for T {}

impl<A: WasmTy> WasmParams for A {
    const LEN: usize = 1;
    const SLOTS: usize = A::TY.slots();
    const TYPES: &'static [ValType] = &[A::TY];
    fn write(self, slots: &mut [u64], store: StoreId) -> Result<()> {
        self.into_slots(slots, store)
    }
    fn read(slots: &[u64], store: StoreId) -> Self {
        A::from_slots(slots, store)
    }
}

macro_rules! tuple_params {
    ($n:expr; $($a:ident $i:tt),*) => {
        impl<$($a: WasmTy),*> WasmParams for ($($a,)*) {
            const LEN: usize = $n;
            const SLOTS: usize = 0 $(+ $a::TY.slots())*;
            const TYPES: &'static [ValType] = &[$($a::TY),*];
            // Value `i` at the sum of the widths before it, as `SlotLayout` places it;
            // the widths are constants, so this folds to fixed indices.
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn write(self, slots: &mut [u64], store: StoreId) -> Result<()> {
                let mut at = 0;
                $(
                    self.$i.into_slots(&mut slots[at..], store)?;
                    at += $a::TY.slots();
                )*
                Ok(())
            }
            #[allow(unused_variables, unused_mut, unused_assignments, clippy::unused_unit)]
            fn read(slots: &[u64], store: StoreId) -> Self {
                let mut at = 0;
                ($({
                    let v = $a::from_slots(&slots[at..], store);
                    at += $a::TY.slots();
                    v
                },)*)
            }
        }
    };
}

tuple_params!(0;);
tuple_params!(1; A0 0);
tuple_params!(2; A0 0, A1 1);
tuple_params!(3; A0 0, A1 1, A2 2);
tuple_params!(4; A0 0, A1 1, A2 2, A3 3);
tuple_params!(5; A0 0, A1 1, A2 2, A3 3, A4 4);
tuple_params!(6; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
tuple_params!(7; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
tuple_params!(8; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
tuple_params!(9; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
tuple_params!(10; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);

/// A function whose signature was checked once, so calls skip the per-call type checks.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub(crate) fn new(func: Func) -> Self {
        TypedFunc {
            func,
            _marker: PhantomData,
        }
    }

    /// The untyped function behind this view.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function with `params`; a trap is an [`Error::Trap`](crate::Error::Trap).
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let ctx = store.as_context_mut().0;
        ctx.inner.check(self.func.store)?;
        let id = ctx.inner.id;
        // Most signatures are small: keep their slots on the native stack.
        let mut buf = [0u64; 8];
        let mut heap;
        let len = Params::SLOTS.max(Results::SLOTS);
        let slots: &mut [u64] = if len <= buf.len() {
            &mut buf[..len]
        } else {
            heap = alloc::vec![0u64; len];
            &mut heap
        };
        params.write(slots, id)?;
        self.func.call_slots(ctx, slots)?;
        Ok(Results::read(slots, id))
    }
}

/// What a host closure may return: results directly, or `Result<results, Trap>`.
pub trait HostResult: Send + 'static {
    /// The results the closure gives on success.
    type Results: WasmResults;
    /// The results, or the trap the closure asks for.
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults> HostResult for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults> HostResult for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

/// Closures that can become host functions. `Params` is a marker: the argument tuple, with
/// `Caller` first for closures that take one.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_func(self) -> (FuncType, HostFunc);
}

macro_rules! into_func {
    ($($a:ident $i:tt),*) => {
        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_func(self) -> (FuncType, HostFunc) {
                let ty = FuncType::from_slices(<($($a,)*) as WasmParams>::TYPES, R::Results::TYPES);
                let host = HostFunc::new(move |caller: Caller<'_, T>, slots: &mut [u64]| {
                    let id = caller.store.inner.id;
                    #[allow(unused_variables)]
                    let args = <($($a,)*) as WasmParams>::read(slots, id);
                    let results = (self)($(args.$i),*).into_result()?;
                    results.write(slots, id).map_err(|e| Trap::msg(text!("{}", e)))
                });
                (ty, host)
            }
        }

        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($a,)*), R> for F
        where
            F: for<'c> Fn(Caller<'c, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_func(self) -> (FuncType, HostFunc) {
                let ty = FuncType::from_slices(<($($a,)*) as WasmParams>::TYPES, R::Results::TYPES);
                let host = HostFunc::new(move |caller: Caller<'_, T>, slots: &mut [u64]| {
                    let id = caller.store.inner.id;
                    #[allow(unused_variables)]
                    let args = <($($a,)*) as WasmParams>::read(slots, id);
                    let results = (self)(caller, $(args.$i),*).into_result()?;
                    results.write(slots, id).map_err(|e| Trap::msg(text!("{}", e)))
                });
                (ty, host)
            }
        }
    };
}

into_func!();
into_func!(A0 0);
into_func!(A0 0, A1 1);
into_func!(A0 0, A1 1, A2 2);
into_func!(A0 0, A1 1, A2 2, A3 3);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
into_func!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);
