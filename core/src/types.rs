//! The type vocabulary of the embedding API: value, function, table, memory and global types.
//!
//! These are wisp's own types rather than wasmparser's so that the public API does not move
//! with the parser's releases, and so that they carry only what wisp runs: Wasm 2.0 and the
//! Wasm 3.0 parts built so far (typed function references, exception handling's `exnref`
//! and tags). Converting from wasmparser's types needs the module's type ids
//! (`module.rs`), since a typed reference names a function type.

use alloc::sync::Arc;
use core::fmt;

use crate::text::{Out, Text};
use crate::{display_by_text, put};

use crate::layout::SlotLayout;

/// The type of a Wasm value. (Ordered only so that types can key sorted tables.)
#[derive(Debug, Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValType {
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A 32-bit float.
    F32,
    /// A 64-bit float.
    F64,
    /// A 128-bit vector. Parsed in signatures for completeness; the interpreter rejects SIMD.
    V128,
    /// A reference: `funcref`, `externref`, `exnref`, or a typed reference such as
    /// `(ref $t)` (function references).
    Ref(RefType),
}

impl ValType {
    /// `funcref`: `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`: `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref`: `(ref null exn)`.
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// The reference type, if this is one.
    pub fn as_ref(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Whether a value of this type is also one of type `other` (subtyping: a typed
    /// function reference is a `funcref`, a non-null reference a nullable one).
    pub fn matches(self, other: ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a.matches(b),
            (a, b) => a == b,
        }
    }

    /// Whether locals of this type start with a default value (every type but
    /// non-nullable references, which must be set before use).
    pub fn is_defaultable(self) -> bool {
        !matches!(self, ValType::Ref(r) if !r.nullable)
    }
}

impl Text for ValType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self {
            ValType::I32 => f.put("i32"),
            ValType::I64 => f.put("i64"),
            ValType::F32 => f.put("f32"),
            ValType::F64 => f.put("f64"),
            ValType::V128 => f.put("v128"),
            ValType::Ref(r) => r.write_to(f),
        }
    }
}

/// What a reference points to. Concrete function types are named by their engine-wide
/// type id (`Engine::func_type` gives the type), so two modules' `(ref $t)` are the same
/// type exactly when their function types are.
#[derive(Debug, Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// Functions of one type: the engine's id of it.
    ConcreteFunc(u32),
    /// No function: the bottom of the function types (only null has it).
    NoFunc,
    /// Any host reference.
    Extern,
    /// No host reference: the bottom of the host references (only null has it).
    NoExtern,
    /// An exception (exception handling).
    Exn,
    /// No exception: the bottom of the exception references (only null has it).
    NoExn,
}

impl HeapType {
    /// Whether every reference to `self` is a reference to `other`.
    pub fn matches(self, other: HeapType) -> bool {
        use HeapType as H;
        self == other
            || matches!(
                (self, other),
                (H::ConcreteFunc(_) | H::NoFunc, H::Func)
                    | (H::NoFunc, H::ConcreteFunc(_))
                    | (H::NoExtern, H::Extern)
                    | (H::NoExn, H::Exn)
            )
    }

    /// The top of this heap type's hierarchy: what a null of it is, in the raw encoding's
    /// terms (every null is 0, but the API types nulls by hierarchy).
    pub fn top(self) -> HeapType {
        use HeapType as H;
        match self {
            H::Func | H::ConcreteFunc(_) | H::NoFunc => H::Func,
            H::Extern | H::NoExtern => H::Extern,
            H::Exn | H::NoExn => H::Exn,
        }
    }
}

impl Text for HeapType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self {
            HeapType::Func => f.put("func"),
            HeapType::ConcreteFunc(id) => put!(f, "(type {})", id),
            HeapType::NoFunc => f.put("nofunc"),
            HeapType::Extern => f.put("extern"),
            HeapType::NoExtern => f.put("noextern"),
            HeapType::Exn => f.put("exn"),
            HeapType::NoExn => f.put("noexn"),
        }
    }
}

/// The type of a reference: whether it may be null, and what it points to.
#[derive(Debug, Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefType {
    /// Whether the reference may be null.
    pub nullable: bool,
    /// What the reference points to.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`: a nullable reference to any function.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref`: a nullable host reference.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref`: a nullable reference to an exception.
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);

    /// A reference to `heap`, nullable or not.
    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Whether every value of `self` is a value of `other`.
    pub fn matches(self, other: RefType) -> bool {
        (!self.nullable || other.nullable) && self.heap.matches(other.heap)
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        ValType::Ref(r)
    }
}

impl Text for RefType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.put("funcref"),
            (true, HeapType::Extern) => f.put("externref"),
            (true, HeapType::Exn) => f.put("exnref"),
            (true, h) => put!(f, "(ref null {})", h),
            (false, h) => put!(f, "(ref {})", h),
        }
    }
}

/// The signature of a function. Cheap to clone: parameters and results share one allocation.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FuncType {
    /// Parameters followed by results.
    types: Arc<[ValType]>,
    num_params: u32,
    /// Whether a parameter, or a result, is wider than one slot (`layout.rs`): computed
    /// once, since every call asks for the slot counts, and without one their count is the
    /// values'. (Two flags rather than two counts: `FuncType` stays 24 bytes, and with it
    /// the `Error`s that carry types.)
    wide_params: bool,
    wide_results: bool,
}

// `Error`s carry types (`IncompatibleImport` boxes its two); a bigger `FuncType` makes
// every `Result` of the API bigger (clippy's `result_large_err`).
const _: () = assert!(core::mem::size_of::<FuncType>() <= 2 * core::mem::size_of::<usize>() + 8);

impl FuncType {
    /// A function type with `params` and `results`, in order.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        let mut types: alloc::vec::Vec<ValType> = params.into_iter().collect();
        let num_params = types.len();
        types.extend(results);
        Self::from_types(types, num_params)
    }

    /// A function type of `params` to `results`.
    pub(crate) fn from_slices(params: &[ValType], results: &[ValType]) -> FuncType {
        let types = [params, results].concat();
        Self::from_types(types, params.len())
    }

    /// The type whose first `num_params` of `types` are its parameters, the rest its
    /// results.
    fn from_types(types: alloc::vec::Vec<ValType>, num_params: usize) -> FuncType {
        let wide = |types: &[ValType]| types.iter().any(|t| t.slots() != 1);
        FuncType {
            wide_params: wide(&types[..num_params]),
            wide_results: wide(&types[num_params..]),
            types: types.into(),
            num_params: u32::try_from(num_params).expect("fewer than 2^32 parameters"),
        }
    }

    /// The parameter types, in order.
    pub fn params(&self) -> &[ValType] {
        &self.types[..self.num_params as usize]
    }

    /// The result types, in order.
    pub fn results(&self) -> &[ValType] {
        &self.types[self.num_params as usize..]
    }

    /// The number of 64-bit slots a call needs for arguments in and results out: the
    /// array-call convention passes both through one buffer, each laid out from slot 0 by
    /// [`params_layout`](Self::params_layout) and [`results_layout`](Self::results_layout).
    pub fn slots_len(&self) -> usize {
        self.param_slots().max(self.result_slots())
    }

    /// The slots the parameters take together.
    #[inline]
    pub fn param_slots(&self) -> usize {
        Self::slots(self.params(), self.wide_params)
    }

    /// The slots the results take together.
    #[inline]
    pub fn result_slots(&self) -> usize {
        Self::slots(self.results(), self.wide_results)
    }

    /// Where each parameter sits in a call's slot array (and in the callee's frame).
    pub fn params_layout(&self) -> SlotLayout {
        Self::layout(self.params(), self.wide_params)
    }

    /// Where each result sits in a call's slot array once the call returns.
    pub fn results_layout(&self) -> SlotLayout {
        Self::layout(self.results(), self.wide_results)
    }

    #[inline]
    fn slots(types: &[ValType], wide: bool) -> usize {
        if wide {
            types.iter().map(|t| t.slots()).sum()
        } else {
            types.len()
        }
    }

    fn layout(types: &[ValType], wide: bool) -> SlotLayout {
        if wide {
            SlotLayout::new(types.iter().copied())
        } else {
            SlotLayout::narrow(0, types.len())
        }
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Text for FuncType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put("(func")?;
        if !self.params().is_empty() {
            f.put(" (param")?;
            for p in self.params() {
                put!(f, " {}", p)?;
            }
            f.put(")")?;
        }
        if !self.results().is_empty() {
            f.put(" (result")?;
            for r in self.results() {
                put!(f, " {}", r)?;
            }
            f.put(")")?;
        }
        f.put(")")
    }
}

/// Whether a global can be written after instantiation.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable: only its initialiser sets it.
    Const,
    /// Mutable: `global.set` and the host may write it.
    Var,
}

/// A global's value type and mutability.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The type of the value it holds.
    pub content: ValType,
    /// Whether it can be written after instantiation.
    pub mutability: Mutability,
}

impl GlobalType {
    /// A global type of `content` and `mutability`.
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType {
            content,
            mutability,
        }
    }
}

impl Text for GlobalType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self.mutability {
            Mutability::Const => self.content.write_to(f),
            Mutability::Var => put!(f, "(mut {})", self.content),
        }
    }
}

/// A table's element type and limits, in elements.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct TableType {
    /// The type of its elements.
    pub element: RefType,
    /// The initial number of elements.
    pub min: u64,
    /// The most elements it may grow to, if declared.
    pub max: Option<u64>,
    /// Whether it is indexed by `i64` (table64, of the memory64 proposal) rather than
    /// `i32`. Only the type of its indices differs: a table never holds more elements
    /// than `Config::max_table_elements` allows, which is below `u32::MAX`.
    pub table64: bool,
}

impl TableType {
    /// A table type of `element`s, `min` initially and at most `max`, indexed by `i32`.
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> Self {
        TableType {
            element,
            min: u64::from(min),
            max: max.map(u64::from),
            table64: false,
        }
    }

    /// A table type indexed by `i64` (table64).
    pub fn new64(element: RefType, min: u64, max: Option<u64>) -> Self {
        TableType {
            element,
            min,
            max,
            table64: true,
        }
    }
}

impl Text for TableType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put("(table ")?;
        if self.table64 {
            f.put("i64 ")?;
        }
        put!(f, "{}", self.min)?;
        if let Some(max) = self.max {
            put!(f, " {}", max)?;
        }
        put!(f, " {})", self.element)
    }
}

/// A linear memory's limits, in pages of `page_size_log2` bytes (64 KiB unless the
/// custom-page-sizes proposal says otherwise).
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// The initial number of pages.
    pub min: u64,
    /// The most pages it may grow to, if declared.
    pub max: Option<u64>,
    /// The base-2 logarithm of the page size in bytes: 16 for 64 KiB pages.
    pub page_size_log2: u8,
    /// Whether it is addressed by `i64` (memory64) rather than `i32`.
    pub memory64: bool,
    /// Whether it is shared (the threads proposal): reachable from several threads, so its
    /// content is accessed atomically where the operators say, and it never moves.
    pub shared: bool,
}

impl MemoryType {
    /// A memory of `min` (and at most `max`) 64 KiB pages, addressed by `i32`.
    pub fn new(min: u32, max: Option<u32>) -> Self {
        MemoryType {
            min: u64::from(min),
            max: max.map(u64::from),
            page_size_log2: 16,
            memory64: false,
            shared: false,
        }
    }

    /// A memory of `min` (and at most `max`) 64 KiB pages, addressed by `i64` (memory64).
    pub fn new64(min: u64, max: Option<u64>) -> Self {
        MemoryType {
            min,
            max,
            page_size_log2: 16,
            memory64: true,
            shared: false,
        }
    }

    /// A shared memory (the threads proposal) of `min` and at most `max` 64 KiB pages,
    /// addressed by `i32`. A shared memory always has a maximum.
    pub fn shared(min: u32, max: u32) -> Self {
        MemoryType {
            shared: true,
            ..MemoryType::new(min, Some(max))
        }
    }

    /// The page size in bytes.
    pub fn page_size(&self) -> u64 {
        1u64 << self.page_size_log2
    }

    /// The most pages its addresses can reach: 2^32 bytes' worth for a 32-bit memory,
    /// 2^64 bytes' worth (less one page when that is not a whole number) for a 64-bit one.
    pub fn absolute_max_pages(&self) -> u64 {
        if self.memory64 {
            u64::MAX >> self.page_size_log2
        } else {
            (1u64 << 32) >> self.page_size_log2
        }
    }
}

impl Text for MemoryType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put("(memory ")?;
        if self.memory64 {
            f.put("i64 ")?;
        }
        put!(f, "{}", self.min)?;
        if let Some(max) = self.max {
            put!(f, " {}", max)?;
        }
        if self.shared {
            f.put(" shared")?;
        }
        if self.page_size_log2 != 16 {
            put!(f, " (pagesize {})", self.page_size())?;
        }
        f.put(")")
    }
}

/// The type of an exception tag: the types of the values an exception with the tag
/// carries (a function type with those parameters and no results).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// A tag whose exceptions carry values of the types `params`.
    pub fn new(params: impl IntoIterator<Item = ValType>) -> TagType {
        TagType {
            ty: FuncType::new(params, []),
        }
    }

    /// The tag of function type `ty` (the binary format's form: a type index whose
    /// results must be empty, which validation checks).
    pub fn from_func_type(ty: FuncType) -> TagType {
        TagType { ty }
    }

    /// The types of the values an exception with this tag carries.
    pub fn params(&self) -> &[ValType] {
        self.ty.params()
    }

    /// The tag's function type: its values as parameters, no results.
    pub fn func_type(&self) -> &FuncType {
        &self.ty
    }
}

impl Text for TagType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        f.put("(tag")?;
        if !self.params().is_empty() {
            f.put(" (param")?;
            for p in self.params() {
                put!(f, " {}", p)?;
            }
            f.put(")")?;
        }
        f.put(")")
    }
}

/// The type of anything that can be imported or exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function of this type.
    Func(FuncType),
    /// A table of this type.
    Table(TableType),
    /// A memory of this type.
    Memory(MemoryType),
    /// A global of this type.
    Global(GlobalType),
    /// An exception tag of this type.
    Tag(TagType),
}

impl Text for ExternType {
    fn write_to(&self, f: &mut dyn Out) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.write_to(f),
            ExternType::Table(t) => t.write_to(f),
            ExternType::Memory(t) => t.write_to(f),
            ExternType::Global(t) => put!(f, "(global {})", t),
            ExternType::Tag(t) => t.write_to(f),
        }
    }
}

display_by_text!(
    ValType, HeapType, RefType, FuncType, GlobalType, TableType, MemoryType, TagType, ExternType,
);
