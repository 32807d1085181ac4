//! The type vocabulary of the embedding API: value, function, table, memory and global types.
//!
//! These are wisp's own types rather than wasmparser's so that the public API does not move
//! with the parser's releases, and so that they carry only what Wasm 2.0 needs.

use alloc::sync::Arc;
use core::fmt;

/// The type of a Wasm value.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    /// A 128-bit vector. Parsed in signatures for completeness; the interpreter rejects SIMD.
    V128,
    FuncRef,
    ExternRef,
}

impl ValType {
    /// Whether this is a reference type (`funcref` or `externref`).
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        use wasmparser::ValType as W;
        Some(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => RefType::from_wasmparser(r)?.into(),
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// The type of a reference: what tables hold.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
}

impl RefType {
    pub(crate) fn from_wasmparser(ty: wasmparser::RefType) -> Option<RefType> {
        if ty == wasmparser::RefType::FUNCREF {
            Some(RefType::FuncRef)
        } else if ty == wasmparser::RefType::EXTERNREF {
            Some(RefType::ExternRef)
        } else {
            None
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValType::from(*self).fmt(f)
    }
}

/// The signature of a function. Cheap to clone: parameters and results share one allocation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameters followed by results.
    types: Arc<[ValType]>,
    num_params: usize,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        let mut types: alloc::vec::Vec<ValType> = params.into_iter().collect();
        let num_params = types.len();
        types.extend(results);
        FuncType {
            types: types.into(),
            num_params,
        }
    }

    pub fn params(&self) -> &[ValType] {
        &self.types[..self.num_params]
    }

    pub fn results(&self) -> &[ValType] {
        &self.types[self.num_params..]
    }

    /// The number of 64-bit slots a call needs for arguments in and results out: the
    /// array-call convention passes both through one buffer.
    pub fn slots_len(&self) -> usize {
        self.params().len().max(self.results().len())
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params().is_empty() {
            f.write_str(" (param")?;
            for p in self.params() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results().is_empty() {
            f.write_str(" (result")?;
            for r in self.results() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Whether a global can be written after instantiation.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutability: Mutability,
}

impl GlobalType {
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType {
            content,
            mutability,
        }
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "{}", self.content),
            Mutability::Var => write!(f, "(mut {})", self.content),
        }
    }
}

/// A table's element type and limits, in elements.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: RefType,
    pub min: u32,
    pub max: Option<u32>,
}

impl TableType {
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> Self {
        TableType { element, min, max }
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(table {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        write!(f, " {})", self.element)
    }
}

/// A linear memory's limits, in pages of `page_size_log2` bytes (64 KiB unless the
/// custom-page-sizes proposal says otherwise).
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub min: u64,
    pub max: Option<u64>,
    pub page_size_log2: u8,
}

impl MemoryType {
    /// A memory of `min` (and at most `max`) 64 KiB pages.
    pub fn new(min: u32, max: Option<u32>) -> Self {
        MemoryType {
            min: u64::from(min),
            max: max.map(u64::from),
            page_size_log2: 16,
        }
    }

    pub fn page_size(&self) -> u64 {
        1u64 << self.page_size_log2
    }

    /// The most pages a 32-bit memory of this page size can address.
    pub fn absolute_max_pages(&self) -> u64 {
        (1u64 << 32) >> self.page_size_log2
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(memory {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        if self.page_size_log2 != 16 {
            write!(f, " (pagesize {})", self.page_size())?;
        }
        f.write_str(")")
    }
}

/// The type of anything that can be imported or exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Global(t) => write!(f, "(global {t})"),
        }
    }
}
