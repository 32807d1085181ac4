//! `wasm_val_t` and its conversion to and from wisp's [`Val`].

use alloc::boxed::Box;
use alloc::string::String;
use core::ptr;

use wisp::{AsContext, AsContextMut, ExternRef, Val, ValType};

use crate::object::{wasm_ref_t, What};
use crate::runtime::{wasm_store_t, StoreData};
use crate::types::{
    kind_of, WASM_EXTERNREF, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_I32, WASM_I64, WISP_EXNREF,
};
use crate::vec::{vec_functions, Element};

#[repr(C)]
#[derive(Clone, Copy)]
pub union Payload {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub r#ref: *mut wasm_ref_t,
}

/// A value; a reference's `ref` is owned by the value (null for a null reference).
#[repr(C)]
pub struct wasm_val_t {
    pub kind: u8,
    pub of: Payload,
}

impl wasm_val_t {
    fn is_ref(&self) -> bool {
        self.kind >= WASM_EXTERNREF
    }

    /// A value of `ty`'s kind: zero, or a null reference.
    pub fn zero(ty: ValType) -> wasm_val_t {
        wasm_val_t {
            kind: kind_of(ty),
            of: Payload { i64: 0 },
        }
    }

    /// The C form of `val`, with a new reference object for a reference.
    pub fn from_val(val: &Val, store: *mut wasm_store_t, ctx: impl AsContext) -> wasm_val_t {
        let (kind, of) = match *val {
            Val::I32(i) => (WASM_I32, Payload { i32: i }),
            Val::I64(i) => (WASM_I64, Payload { i64: i }),
            Val::F32(bits) => (
                WASM_F32,
                Payload {
                    f32: f32::from_bits(bits),
                },
            ),
            Val::F64(bits) => (
                WASM_F64,
                Payload {
                    f64: f64::from_bits(bits),
                },
            ),
            // No C kind holds 128 bits: it reads as zero (wisp.h, `WISP_V128`).
            Val::V128(_) => (crate::types::WISP_V128, Payload { i64: 0 }),
            Val::FuncRef(f) => (WASM_FUNCREF, reference(store, f.map(What::Func))),
            Val::ExternRef(e) => {
                // A C object passed in as an `externref` comes back as itself.
                let what =
                    e.map(
                        |e| match e.data(&ctx).ok().and_then(|d| d.downcast_ref::<What>()) {
                            Some(what) => what.clone(),
                            None => What::Extern(e),
                        },
                    );
                (WASM_EXTERNREF, reference(store, what))
            }
            Val::ExnRef(e) => (WISP_EXNREF, reference(store, e.map(What::Exn))),
        };
        wasm_val_t { kind, of }
    }

    /// wisp's value of type `ty` for this C value; a C object passed as an `externref`
    /// is stored in the store for wasm to hold.
    ///
    /// # Safety
    /// A reference value's `ref` is null or a live object.
    pub unsafe fn to_val(
        &self,
        ty: ValType,
        mut ctx: impl AsContextMut<Data = StoreData>,
    ) -> Result<Val, String> {
        let expected = kind_of(ty);
        if self.kind != expected {
            return Err(alloc::format!(
                "a value of kind {} where kind {} is expected",
                self.kind,
                expected
            ));
        }
        // SAFETY: the union is read by its kind; a reference is null or live (contract).
        unsafe {
            Ok(match self.kind {
                WASM_I32 => Val::I32(self.of.i32),
                WASM_I64 => Val::I64(self.of.i64),
                WASM_F32 => Val::F32(self.of.f32.to_bits()),
                WASM_F64 => Val::F64(self.of.f64.to_bits()),
                WASM_FUNCREF => match self.of.r#ref.as_ref().map(|r| &r.what) {
                    None => Val::FuncRef(None),
                    Some(What::Func(f)) => Val::FuncRef(Some(*f)),
                    Some(_) => return Err("a funcref value that is not a function".into()),
                },
                WASM_EXTERNREF => match self.of.r#ref.as_ref().map(|r| &r.what) {
                    None => Val::ExternRef(None),
                    Some(What::Extern(e)) => Val::ExternRef(Some(*e)),
                    Some(what) => Val::ExternRef(Some(extern_for(what, &mut ctx))),
                },
                WISP_EXNREF => match self.of.r#ref.as_ref().map(|r| &r.what) {
                    None => Val::ExnRef(None),
                    Some(What::Exn(e)) => Val::ExnRef(Some(*e)),
                    Some(_) => return Err("an exnref value that is not an exception".into()),
                },
                _ => return Err("a value C cannot pass (v128)".into()),
            })
        }
    }
}

/// The `externref` standing for the C object `what`: the one made the first time it was
/// passed, for a thing in the store (a module or trap gets a new one each time).
fn extern_for(what: &What, mut ctx: impl AsContextMut<Data = StoreData>) -> ExternRef {
    let Some(key) = what.key() else {
        return ExternRef::new(&mut ctx, what.clone());
    };
    if let Some(&e) = ctx.as_context_mut().data().externs.get(&key) {
        return e;
    }
    let e = ExternRef::new(&mut ctx, what.clone());
    ctx.as_context_mut().data_mut().externs.insert(key, e);
    e
}

fn reference(store: *mut wasm_store_t, what: Option<What>) -> Payload {
    Payload {
        r#ref: what.map_or(ptr::null_mut(), |w| wasm_ref_t::new(store, w).boxed()),
    }
}

impl Element for wasm_val_t {
    fn blank() -> Self {
        wasm_val_t {
            kind: WASM_I32,
            of: Payload { i64: 0 },
        }
    }

    unsafe fn copy(&self) -> Self {
        let mut of = self.of;
        if self.is_ref() {
            // SAFETY: a reference value's `ref` is null or live.
            if let Some(r) = unsafe { self.of.r#ref.as_ref() } {
                of.r#ref = r.clone().boxed();
            }
        }
        wasm_val_t {
            kind: self.kind,
            of,
        }
    }

    unsafe fn release(self) {
        if self.is_ref() {
            // SAFETY: owned by the value.
            let r = unsafe { self.of.r#ref };
            if !r.is_null() {
                drop(unsafe { Box::from_raw(r) });
            }
        }
    }
}

pub type wasm_val_vec_t = crate::vec::Vector<wasm_val_t>;

vec_functions!(
    wasm_val_t,
    wasm_val_vec_new_empty,
    wasm_val_vec_new_uninitialized,
    wasm_val_vec_new,
    wasm_val_vec_copy,
    wasm_val_vec_delete
);

#[no_mangle]
pub unsafe extern "C" fn wasm_val_delete(v: *mut wasm_val_t) {
    if !v.is_null() {
        // SAFETY: an owned value; left as a null reference, so a second delete is harmless.
        unsafe {
            ptr::read(v).release();
            (*v).of.r#ref = ptr::null_mut();
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_val_copy(out: *mut wasm_val_t, v: *const wasm_val_t) {
    // SAFETY: null or a valid value; `out` an out-parameter (a copy for nowhere would leak).
    if let (Some(v), false) = (unsafe { v.as_ref() }, out.is_null()) {
        unsafe { crate::vec::write_out(out, v.copy()) };
    }
}
