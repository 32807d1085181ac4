//! Type objects: `wasm_valtype_t` and the extern types. One Rust type,
//! [`wasm_externtype_t`], is every extern type: `wasm_functype_t` and the others are its
//! names, so the header's `*_as_externtype` views cost nothing and `externtype_as_*` is a
//! kind test. Each keeps what the header lends out (`wasm_functype_params`, a global's
//! content, a table's limits) inside itself, so the pointers it returns live as long as
//! the type.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

use wisp::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, Mutability, TableType, TagType, ValType,
};

use crate::error::fail;
use crate::vec::{take, vec_functions, wasm_byte_vec_t, write_out, Vector};

/// `wasm_valkind_t`: the standard's four numbers and two references, and wisp's own for
/// what the standard has no kind for (wisp.h: `WISP_V128`, `WISP_EXNREF`).
pub type wasm_valkind_t = u8;
pub const WASM_I32: u8 = 0;
pub const WASM_I64: u8 = 1;
pub const WASM_F32: u8 = 2;
pub const WASM_F64: u8 = 3;
pub const WISP_V128: u8 = 4;
pub const WASM_EXTERNREF: u8 = 128;
pub const WASM_FUNCREF: u8 = 129;
pub const WISP_EXNREF: u8 = 130;

/// The kind C sees for `ty`: a typed function reference (`(ref $t)`) is a `funcref`.
pub fn kind_of(ty: ValType) -> wasm_valkind_t {
    match ty {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::V128 => WISP_V128,
        ValType::Ref(r) => match r.heap.top() {
            HeapType::Extern => WASM_EXTERNREF,
            HeapType::Exn => WISP_EXNREF,
            _ => WASM_FUNCREF,
        },
    }
}

fn type_of(kind: wasm_valkind_t) -> Option<ValType> {
    Some(match kind {
        WASM_I32 => ValType::I32,
        WASM_I64 => ValType::I64,
        WASM_F32 => ValType::F32,
        WASM_F64 => ValType::F64,
        WISP_V128 => ValType::V128,
        WASM_EXTERNREF => ValType::EXTERNREF,
        WASM_FUNCREF => ValType::FUNCREF,
        WISP_EXNREF => ValType::EXNREF,
        _ => return None,
    })
}

#[derive(Clone)]
pub struct wasm_valtype_t {
    pub ty: ValType,
}

pub type wasm_valtype_vec_t = Vector<*mut wasm_valtype_t>;

/// The standard's limits: `max` is `u32::MAX` for none.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasm_limits_t {
    pub min: u32,
    pub max: u32,
}

const NO_MAX: u32 = u32::MAX;

impl wasm_limits_t {
    fn new(min: u64, max: Option<u64>) -> Self {
        // Sizes past 32 bits (memory64, table64) show as the largest the header holds.
        let clamp = |n: u64| u32::try_from(n).unwrap_or(NO_MAX);
        wasm_limits_t {
            min: clamp(min),
            max: max.map_or(NO_MAX, clamp),
        }
    }

    fn max(&self) -> Option<u32> {
        (self.max != NO_MAX).then_some(self.max)
    }
}

/// Every extern type: the core type, and what the header lends out of it.
pub struct wasm_externtype_t {
    pub ty: ExternType,
    lent: Lent,
}

/// The parts of a type the header hands out by pointer. (The lent vectors point into
/// `params` and `results`, whose buffers stay put when the type moves.)
enum Lent {
    Func {
        params: Vec<wasm_valtype_t>,
        results: Vec<wasm_valtype_t>,
        params_vec: LentVec,
        results_vec: LentVec,
    },
    Global(Box<wasm_valtype_t>),
    Table(Box<wasm_valtype_t>, wasm_limits_t),
    Memory(wasm_limits_t),
    Tag(Box<wasm_externtype_t>),
}

/// A `wasm_valtype_vec_t` whose elements are borrowed from a `Vec<wasm_valtype_t>`
/// beside it: never released by the library's vector code (it is not a `Vector`).
#[repr(C)]
struct LentVec {
    size: usize,
    data: *mut *mut wasm_valtype_t,
    pointers: Vec<*mut wasm_valtype_t>,
}

impl Default for LentVec {
    fn default() -> Self {
        LentVec {
            size: 0,
            data: ptr::null_mut(),
            pointers: Vec::new(),
        }
    }
}

impl LentVec {
    fn over(items: &mut [wasm_valtype_t]) -> LentVec {
        let mut pointers: Vec<*mut wasm_valtype_t> =
            items.iter_mut().map(|t| t as *mut _).collect();
        LentVec {
            size: pointers.len(),
            data: pointers.as_mut_ptr(),
            pointers,
        }
    }
}

pub type wasm_functype_t = wasm_externtype_t;
pub type wasm_globaltype_t = wasm_externtype_t;
pub type wasm_tabletype_t = wasm_externtype_t;
pub type wasm_memorytype_t = wasm_externtype_t;
pub type wasm_tagtype_t = wasm_externtype_t;

pub const WASM_EXTERN_FUNC: u8 = 0;
pub const WASM_EXTERN_GLOBAL: u8 = 1;
pub const WASM_EXTERN_TABLE: u8 = 2;
pub const WASM_EXTERN_MEMORY: u8 = 3;
pub const WASM_EXTERN_TAG: u8 = 4;

impl wasm_externtype_t {
    pub fn new(ty: ExternType) -> wasm_externtype_t {
        let valtype = |ty| Box::new(wasm_valtype_t { ty });
        let lent = match &ty {
            ExternType::Func(f) => Lent::Func {
                params: f.params().iter().map(|&ty| wasm_valtype_t { ty }).collect(),
                results: f
                    .results()
                    .iter()
                    .map(|&ty| wasm_valtype_t { ty })
                    .collect(),
                params_vec: LentVec::default(),
                results_vec: LentVec::default(),
            },
            ExternType::Global(g) => Lent::Global(valtype(g.content)),
            ExternType::Table(t) => Lent::Table(
                valtype(ValType::Ref(t.element)),
                wasm_limits_t::new(t.min, t.max),
            ),
            ExternType::Memory(m) => Lent::Memory(wasm_limits_t::new(m.min, m.max)),
            ExternType::Tag(t) => Lent::Tag(Box::new(wasm_externtype_t::new(ExternType::Func(
                FuncType::new(t.params().iter().copied(), []),
            )))),
        };
        let mut this = wasm_externtype_t { ty, lent };
        if let Lent::Func {
            params,
            results,
            params_vec,
            results_vec,
        } = &mut this.lent
        {
            *params_vec = LentVec::over(params);
            *results_vec = LentVec::over(results);
        }
        this
    }

    pub fn kind(&self) -> u8 {
        match self.ty {
            ExternType::Func(_) => WASM_EXTERN_FUNC,
            ExternType::Global(_) => WASM_EXTERN_GLOBAL,
            ExternType::Table(_) => WASM_EXTERN_TABLE,
            ExternType::Memory(_) => WASM_EXTERN_MEMORY,
            ExternType::Tag(_) => WASM_EXTERN_TAG,
        }
    }

    pub fn func(&self) -> Option<&FuncType> {
        match &self.ty {
            ExternType::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn boxed(self) -> *mut wasm_externtype_t {
        Box::into_raw(Box::new(self))
    }
}

/// A clone lends out its own elements.
impl Clone for wasm_externtype_t {
    fn clone(&self) -> Self {
        wasm_externtype_t::new(self.ty.clone())
    }
}

// --- value types ---

#[no_mangle]
pub extern "C" fn wasm_valtype_new(kind: wasm_valkind_t) -> *mut wasm_valtype_t {
    match type_of(kind) {
        Some(ty) => Box::into_raw(Box::new(wasm_valtype_t { ty })),
        None => fail("wasm_valtype_new: unknown value kind"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_valtype_kind(t: *const wasm_valtype_t) -> wasm_valkind_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(WASM_I32, |t| kind_of(t.ty))
}

#[no_mangle]
pub unsafe extern "C" fn wasm_valtype_copy(t: *const wasm_valtype_t) -> *mut wasm_valtype_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null_mut(), |t| Box::into_raw(Box::new(t.clone())))
}

#[no_mangle]
pub unsafe extern "C" fn wasm_valtype_delete(t: *mut wasm_valtype_t) {
    if !t.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { Box::from_raw(t) });
    }
}

vec_functions!(
    *mut wasm_valtype_t,
    wasm_valtype_vec_new_empty,
    wasm_valtype_vec_new_uninitialized,
    wasm_valtype_vec_new,
    wasm_valtype_vec_copy,
    wasm_valtype_vec_delete
);

/// The value types of an owned vector, or `None` if an element is null.
unsafe fn valtypes(v: *mut wasm_valtype_vec_t) -> Option<Vec<ValType>> {
    // SAFETY: the contract: a vector passed with ownership.
    let v = unsafe { take(v) };
    // SAFETY: its elements are null or live types.
    let types = unsafe { v.as_slice() }
        .iter()
        .map(|&t| unsafe { t.as_ref() }.map(|t| t.ty))
        .collect();
    drop(v);
    types
}

/// Takes an owned value type pointer.
unsafe fn take_valtype(t: *mut wasm_valtype_t) -> Option<ValType> {
    if t.is_null() {
        return None;
    }
    // SAFETY: owned, from this library.
    Some(unsafe { Box::from_raw(t) }.ty)
}

// --- the extern types' common functions ---

/// `delete`, `copy` and the vector functions of one name of `wasm_externtype_t`.
macro_rules! type_functions {
    ($delete:ident, $copy:ident, $($vec:ident),*) => {
        #[no_mangle]
        pub unsafe extern "C" fn $delete(t: *mut wasm_externtype_t) {
            if !t.is_null() {
                // SAFETY: owned, from this library.
                drop(unsafe { Box::from_raw(t) });
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $copy(t: *const wasm_externtype_t) -> *mut wasm_externtype_t {
            // SAFETY: null or a live type.
            unsafe { t.as_ref() }.map_or(ptr::null_mut(), |t| t.clone().boxed())
        }

        vec_functions!(*mut wasm_externtype_t, $($vec),*);
    };
}

type_functions!(
    wasm_functype_delete,
    wasm_functype_copy,
    wasm_functype_vec_new_empty,
    wasm_functype_vec_new_uninitialized,
    wasm_functype_vec_new,
    wasm_functype_vec_copy,
    wasm_functype_vec_delete
);
type_functions!(
    wasm_globaltype_delete,
    wasm_globaltype_copy,
    wasm_globaltype_vec_new_empty,
    wasm_globaltype_vec_new_uninitialized,
    wasm_globaltype_vec_new,
    wasm_globaltype_vec_copy,
    wasm_globaltype_vec_delete
);
type_functions!(
    wasm_tabletype_delete,
    wasm_tabletype_copy,
    wasm_tabletype_vec_new_empty,
    wasm_tabletype_vec_new_uninitialized,
    wasm_tabletype_vec_new,
    wasm_tabletype_vec_copy,
    wasm_tabletype_vec_delete
);
type_functions!(
    wasm_memorytype_delete,
    wasm_memorytype_copy,
    wasm_memorytype_vec_new_empty,
    wasm_memorytype_vec_new_uninitialized,
    wasm_memorytype_vec_new,
    wasm_memorytype_vec_copy,
    wasm_memorytype_vec_delete
);
type_functions!(
    wasm_tagtype_delete,
    wasm_tagtype_copy,
    wasm_tagtype_vec_new_empty,
    wasm_tagtype_vec_new_uninitialized,
    wasm_tagtype_vec_new,
    wasm_tagtype_vec_copy,
    wasm_tagtype_vec_delete
);
type_functions!(
    wasm_externtype_delete,
    wasm_externtype_copy,
    wasm_externtype_vec_new_empty,
    wasm_externtype_vec_new_uninitialized,
    wasm_externtype_vec_new,
    wasm_externtype_vec_copy,
    wasm_externtype_vec_delete
);

// --- function types ---

#[no_mangle]
pub unsafe extern "C" fn wasm_functype_new(
    params: *mut wasm_valtype_vec_t,
    results: *mut wasm_valtype_vec_t,
) -> *mut wasm_functype_t {
    if params.is_null() || results.is_null() {
        // SAFETY: as below; what is not null is still taken.
        unsafe { (take(params), take(results)) };
        return fail("wasm_functype_new: a vector is null");
    }
    // SAFETY: owned vectors (the contract).
    let (params, results) = unsafe { (valtypes(params), valtypes(results)) };
    match (params, results) {
        (Some(p), Some(r)) => wasm_externtype_t::new(ExternType::Func(FuncType::new(p, r))).boxed(),
        _ => fail("wasm_functype_new: a value type is null"),
    }
}

/// The lent vector of a function type, or an empty one for another kind.
fn lent_vec(t: *const wasm_functype_t, results: bool) -> *const wasm_valtype_vec_t {
    static EMPTY: Empty = Empty(Vector {
        size: 0,
        data: ptr::null_mut(),
    });
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Func {
            params_vec,
            results_vec,
            ..
        }) => {
            let v = if results { results_vec } else { params_vec };
            // `LentVec` starts with `wasm_valtype_vec_t`'s two fields (`repr(C)`).
            (v as *const LentVec).cast()
        }
        _ => &EMPTY.0,
    }
}

/// The empty vector returned for a type that has none; never released.
struct Empty(wasm_valtype_vec_t);
// SAFETY: it is never written.
unsafe impl Sync for Empty {}

#[no_mangle]
pub unsafe extern "C" fn wasm_functype_params(
    t: *const wasm_functype_t,
) -> *const wasm_valtype_vec_t {
    lent_vec(t, false)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_functype_results(
    t: *const wasm_functype_t,
) -> *const wasm_valtype_vec_t {
    lent_vec(t, true)
}

// --- global, table, memory and tag types ---

#[no_mangle]
pub unsafe extern "C" fn wasm_globaltype_new(
    content: *mut wasm_valtype_t,
    mutability: u8,
) -> *mut wasm_globaltype_t {
    // SAFETY: owned (the contract).
    let Some(content) = (unsafe { take_valtype(content) }) else {
        return fail("wasm_globaltype_new: the content type is null");
    };
    let mutability = match mutability {
        0 => Mutability::Const,
        1 => Mutability::Var,
        _ => return fail("wasm_globaltype_new: mutability is neither WASM_CONST nor WASM_VAR"),
    };
    wasm_externtype_t::new(ExternType::Global(GlobalType::new(content, mutability))).boxed()
}

#[no_mangle]
pub unsafe extern "C" fn wasm_globaltype_content(
    t: *const wasm_globaltype_t,
) -> *const wasm_valtype_t {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Global(content)) => &**content,
        _ => ptr::null(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_globaltype_mutability(t: *const wasm_globaltype_t) -> u8 {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.ty) {
        Some(ExternType::Global(g)) if g.mutability == Mutability::Var => 1,
        _ => 0,
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_tabletype_new(
    element: *mut wasm_valtype_t,
    limits: *const wasm_limits_t,
) -> *mut wasm_tabletype_t {
    // SAFETY: owned (the contract); `limits` null or valid.
    let (element, limits) = unsafe { (take_valtype(element), limits.as_ref()) };
    match (element, limits) {
        (Some(ValType::Ref(element)), Some(l)) => {
            wasm_externtype_t::new(ExternType::Table(TableType::new(element, l.min, l.max())))
                .boxed()
        }
        _ => {
            fail("wasm_tabletype_new: the element type is not a reference, or the limits are null")
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_tabletype_element(
    t: *const wasm_tabletype_t,
) -> *const wasm_valtype_t {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Table(element, _)) => &**element,
        _ => ptr::null(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_tabletype_limits(t: *const wasm_tabletype_t) -> *const wasm_limits_t {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Table(_, limits)) => limits,
        _ => ptr::null(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_memorytype_new(
    limits: *const wasm_limits_t,
) -> *mut wasm_memorytype_t {
    // SAFETY: null or valid.
    match unsafe { limits.as_ref() } {
        Some(l) => {
            wasm_externtype_t::new(ExternType::Memory(MemoryType::new(l.min, l.max()))).boxed()
        }
        None => fail("wasm_memorytype_new: the limits are null"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_memorytype_limits(
    t: *const wasm_memorytype_t,
) -> *const wasm_limits_t {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Memory(limits)) => limits,
        _ => ptr::null(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_tagtype_new(func: *mut wasm_functype_t) -> *mut wasm_tagtype_t {
    if func.is_null() {
        return fail("wasm_tagtype_new: the function type is null");
    }
    // SAFETY: owned, from this library.
    let func = unsafe { Box::from_raw(func) };
    match func.func() {
        Some(f) if f.results().is_empty() => {
            wasm_externtype_t::new(ExternType::Tag(TagType::new(f.params().iter().copied())))
                .boxed()
        }
        _ => fail("wasm_tagtype_new: a tag's type is a function type without results"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_tagtype_functype(t: *const wasm_tagtype_t) -> *const wasm_functype_t {
    // SAFETY: null or a live type.
    match unsafe { t.as_ref() }.map(|t| &t.lent) {
        Some(Lent::Tag(func)) => &**func,
        _ => ptr::null(),
    }
}

// --- extern types ---

#[no_mangle]
pub unsafe extern "C" fn wasm_externtype_kind(t: *const wasm_externtype_t) -> u8 {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(WASM_EXTERN_FUNC, wasm_externtype_t::kind)
}

/// The views between `wasm_externtype_t` and one of its kinds.
macro_rules! type_views {
    ($kind:expr, $as_extern:ident, $as_extern_const:ident, $from_extern:ident, $from_extern_const:ident) => {
        #[no_mangle]
        pub extern "C" fn $as_extern(t: *mut wasm_externtype_t) -> *mut wasm_externtype_t {
            t
        }

        #[no_mangle]
        pub extern "C" fn $as_extern_const(
            t: *const wasm_externtype_t,
        ) -> *const wasm_externtype_t {
            t
        }

        #[no_mangle]
        pub unsafe extern "C" fn $from_extern(t: *mut wasm_externtype_t) -> *mut wasm_externtype_t {
            // SAFETY: null or a live type.
            match unsafe { t.as_ref() } {
                Some(r) if r.kind() == $kind => t,
                _ => ptr::null_mut(),
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $from_extern_const(
            t: *const wasm_externtype_t,
        ) -> *const wasm_externtype_t {
            // SAFETY: as above.
            unsafe { $from_extern(t.cast_mut()) }
        }
    };
}

type_views!(
    WASM_EXTERN_FUNC,
    wasm_functype_as_externtype,
    wasm_functype_as_externtype_const,
    wasm_externtype_as_functype,
    wasm_externtype_as_functype_const
);
type_views!(
    WASM_EXTERN_GLOBAL,
    wasm_globaltype_as_externtype,
    wasm_globaltype_as_externtype_const,
    wasm_externtype_as_globaltype,
    wasm_externtype_as_globaltype_const
);
type_views!(
    WASM_EXTERN_TABLE,
    wasm_tabletype_as_externtype,
    wasm_tabletype_as_externtype_const,
    wasm_externtype_as_tabletype,
    wasm_externtype_as_tabletype_const
);
type_views!(
    WASM_EXTERN_MEMORY,
    wasm_memorytype_as_externtype,
    wasm_memorytype_as_externtype_const,
    wasm_externtype_as_memorytype,
    wasm_externtype_as_memorytype_const
);
type_views!(
    WASM_EXTERN_TAG,
    wasm_tagtype_as_externtype,
    wasm_tagtype_as_externtype_const,
    wasm_externtype_as_tagtype,
    wasm_externtype_as_tagtype_const
);

// --- import and export types ---

#[derive(Clone)]
pub struct wasm_importtype_t {
    module: wasm_byte_vec_t,
    name: wasm_byte_vec_t,
    ty: Box<wasm_externtype_t>,
}

#[derive(Clone)]
pub struct wasm_exporttype_t {
    name: wasm_byte_vec_t,
    ty: Box<wasm_externtype_t>,
}

impl Clone for wasm_byte_vec_t {
    fn clone(&self) -> Self {
        // SAFETY: a vector of this library's.
        Vector::from_vec(unsafe { self.as_slice() }.to_vec())
    }
}

impl wasm_importtype_t {
    pub fn new(module: &str, name: &str, ty: ExternType) -> Self {
        wasm_importtype_t {
            module: crate::vec::bytes(module.as_bytes()),
            name: crate::vec::bytes(name.as_bytes()),
            ty: Box::new(wasm_externtype_t::new(ty)),
        }
    }
}

impl wasm_exporttype_t {
    pub fn new(name: &str, ty: ExternType) -> Self {
        wasm_exporttype_t {
            name: crate::vec::bytes(name.as_bytes()),
            ty: Box::new(wasm_externtype_t::new(ty)),
        }
    }
}

pub type wasm_importtype_vec_t = Vector<*mut wasm_importtype_t>;
pub type wasm_exporttype_vec_t = Vector<*mut wasm_exporttype_t>;

vec_functions!(
    *mut wasm_importtype_t,
    wasm_importtype_vec_new_empty,
    wasm_importtype_vec_new_uninitialized,
    wasm_importtype_vec_new,
    wasm_importtype_vec_copy,
    wasm_importtype_vec_delete
);
vec_functions!(
    *mut wasm_exporttype_t,
    wasm_exporttype_vec_new_empty,
    wasm_exporttype_vec_new_uninitialized,
    wasm_exporttype_vec_new,
    wasm_exporttype_vec_copy,
    wasm_exporttype_vec_delete
);

/// Takes an owned extern type pointer.
unsafe fn take_type(t: *mut wasm_externtype_t) -> Option<Box<wasm_externtype_t>> {
    // SAFETY: owned, from this library.
    (!t.is_null()).then(|| unsafe { Box::from_raw(t) })
}

#[no_mangle]
pub unsafe extern "C" fn wasm_importtype_new(
    module: *mut wasm_byte_vec_t,
    name: *mut wasm_byte_vec_t,
    ty: *mut wasm_externtype_t,
) -> *mut wasm_importtype_t {
    // SAFETY: owned (the contract).
    let (module, name, ty) = unsafe { (take(module), take(name), take_type(ty)) };
    match ty {
        Some(ty) => Box::into_raw(Box::new(wasm_importtype_t { module, name, ty })),
        None => fail("wasm_importtype_new: the type is null"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasm_exporttype_new(
    name: *mut wasm_byte_vec_t,
    ty: *mut wasm_externtype_t,
) -> *mut wasm_exporttype_t {
    // SAFETY: owned (the contract).
    let (name, ty) = unsafe { (take(name), take_type(ty)) };
    match ty {
        Some(ty) => Box::into_raw(Box::new(wasm_exporttype_t { name, ty })),
        None => fail("wasm_exporttype_new: the type is null"),
    }
}

/// `delete` and `copy` of a boxed, cloneable object type.
macro_rules! boxed_functions {
    ($t:ty, $delete:ident, $copy:ident) => {
        #[no_mangle]
        pub unsafe extern "C" fn $delete(t: *mut $t) {
            if !t.is_null() {
                // SAFETY: owned, from this library.
                drop(unsafe { alloc::boxed::Box::from_raw(t) });
            }
        }

        #[no_mangle]
        pub unsafe extern "C" fn $copy(t: *const $t) -> *mut $t {
            // SAFETY: null or a live object.
            unsafe { t.as_ref() }.map_or(core::ptr::null_mut(), |t| {
                alloc::boxed::Box::into_raw(alloc::boxed::Box::new(t.clone()))
            })
        }
    };
}

pub(crate) use boxed_functions;

boxed_functions!(
    wasm_importtype_t,
    wasm_importtype_delete,
    wasm_importtype_copy
);
boxed_functions!(
    wasm_exporttype_t,
    wasm_exporttype_delete,
    wasm_exporttype_copy
);

#[no_mangle]
pub unsafe extern "C" fn wasm_importtype_module(
    t: *const wasm_importtype_t,
) -> *const wasm_byte_vec_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.module)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_importtype_name(
    t: *const wasm_importtype_t,
) -> *const wasm_byte_vec_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.name)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_importtype_type(
    t: *const wasm_importtype_t,
) -> *const wasm_externtype_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null(), |t| &*t.ty)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_exporttype_name(
    t: *const wasm_exporttype_t,
) -> *const wasm_byte_vec_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.name)
}

#[no_mangle]
pub unsafe extern "C" fn wasm_exporttype_type(
    t: *const wasm_exporttype_t,
) -> *const wasm_externtype_t {
    // SAFETY: null or a live type.
    unsafe { t.as_ref() }.map_or(ptr::null(), |t| &*t.ty)
}

/// Writes an owned vector of boxed `items` to `out`.
///
/// # Safety
/// `out` is null or valid for a write.
pub unsafe fn write_boxed<T: Clone>(out: *mut Vector<*mut T>, items: impl Iterator<Item = T>) {
    let items = items.map(|t| Box::into_raw(Box::new(t))).collect();
    // SAFETY: the contract.
    unsafe { write_out(out, Vector::from_vec(items)) }
}
