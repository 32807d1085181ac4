//! Validation of a module's sections, for the firmware profile: what wasmparser's
//! `Validator` checks outside function bodies. The loader calls [`Sections::before`] with
//! each section the framing hands on (the order of sections, the type section's shape)
//! and, once it has recorded the section into the module, [`Sections::after`] with the module (indices,
//! types, limits and constant expressions of what the section added).
//!
//! Invariant: `after` reads only what the loader recorded from sections `before` accepted,
//! so every index it checks against lies in vectors the loader filled.

use alloc::vec::Vec;
use wasmparser::WasmFeatures;

use super::{Invalid, Why};
use crate::framing::{id, Section};
use crate::module::ModuleInner;
use crate::module::{ConstExpr, ConstOp, DataMode, ElementMode, ExternIndex, ImportKind};
use crate::types::{HeapType, MemoryType, Mutability, RefType, TableType, ValType};

/// What a section added, for [`Sections::after`]: which kind of entries, and how many.
#[derive(Clone, Copy)]
#[allow(missing_docs)]
pub enum Added {
    Nothing,
    Types(u32),
    Imports(u32),
    Funcs(u32),
    Tables(u32),
    Memories(u32),
    Globals(u32),
    Exports,
    Start(u32, u64),
    Elements(u32),
    Data(u32),
    CodeStart(u32),
    End,
}

/// The state of a module's section validation.
#[derive(Default)]
pub struct Sections {
    /// The rank of the last non-custom section (`rank`), so that order is kept.
    last: u8,
    data_count: Option<u32>,
    code_count: Option<u32>,
    data_section: bool,
    /// Byte offset of the section being checked.
    offset: u64,
}

/// A section's place in the order the binary format requires (tags between memories
/// and globals, the data count before the code); `None` for custom sections, code entries
/// and the end.
fn rank(section: &Section<'_>) -> Option<u8> {
    let id = match *section {
        Section::Items { id, .. } => id,
        Section::Start { .. } => id::START,
        Section::DataCount { .. } => id::DATA_COUNT,
        Section::CodeStart { .. } => id::CODE,
        Section::Custom { .. } | Section::CodeEntry { .. } | Section::End { .. } => return None,
    };
    Some(match id {
        id::TYPE..=id::MEMORY => id,
        id::TAG => 6,
        id::GLOBAL..=id::START => id + 1,
        id::ELEMENT => 10,
        id::DATA_COUNT => 11,
        id::CODE => 12,
        _ => 13, // id::DATA
    })
}

impl Sections {
    fn err<T>(&self, why: Why) -> Result<T, Invalid> {
        Err(Invalid::new(why, self.offset))
    }

    /// Checks `section` before the loader records it: the order of sections, and what of
    /// the type section the module does not keep. (The header, and section ids the format
    /// does not define, are the framing's to refuse: `crate::framing`.) Returns what to check once
    /// it is recorded.
    #[inline(never)]
    pub(crate) fn before(&mut self, section: &Section<'_>) -> Result<Added, Invalid> {
        self.offset = section.offset();
        if let Some(rank) = rank(section) {
            if rank <= self.last {
                return self.err(Why::SectionOrder);
            }
            self.last = rank;
        }
        Ok(match *section {
            // The loader's own reading refuses recursion groups, subtypes and GC's
            // composite types as outside the profile (`Parse::own_types`).
            Section::Items { id, count, .. } => match id {
                id::TYPE => Added::Types(count),
                id::IMPORT => Added::Imports(count),
                id::FUNCTION => Added::Funcs(count),
                id::TABLE => Added::Tables(count),
                id::MEMORY => Added::Memories(count),
                id::GLOBAL => Added::Globals(count),
                id::EXPORT => Added::Exports,
                id::ELEMENT => Added::Elements(count),
                id::DATA => {
                    self.data_section = true;
                    if self.data_count.is_some_and(|n| n != count) {
                        return self.err(Why::DataCountMismatch);
                    }
                    Added::Data(count)
                }
                _ => return self.err(Why::ExceptionHandling), // id::TAG
            },
            Section::Start { func, at } => Added::Start(func, at),
            Section::DataCount { count, .. } => {
                self.data_count = Some(count);
                Added::Nothing
            }
            Section::CodeStart { count, .. } => {
                self.code_count = Some(count);
                Added::CodeStart(count)
            }
            Section::End { .. } => Added::End,
            Section::Custom { .. } | Section::CodeEntry { .. } => Added::Nothing,
        })
    }

    /// Checks what the loader recorded into `m` from the section `before` returned `added`
    /// for.
    #[inline(never)]
    pub fn after(
        &mut self,
        m: &ModuleInner,
        added: Added,
        features: &WasmFeatures,
    ) -> Result<(), Invalid> {
        let last = |len: usize, n: u32| len - (n as usize).min(len);
        match added {
            Added::Nothing => {}
            Added::Types(n) => {
                for ty in &m.types[last(m.types.len(), n)..] {
                    for &t in ty.params().iter().chain(ty.results()) {
                        self.val_type(t, features)?;
                    }
                }
            }
            Added::Imports(n) => {
                for import in &m.imports[last(m.imports.len(), n)..] {
                    match &import.kind {
                        ImportKind::Func(t) => self.func_type_index(m, *t)?,
                        ImportKind::Table(t) => self.table_type(t)?,
                        ImportKind::Memory(t) => self.memory_type(t, features)?,
                        ImportKind::Global(g) => self.val_type(g.content, features)?,
                        ImportKind::Tag(_) => return self.err(Why::ExceptionHandling),
                    }
                }
                self.memory_count(m, features)?;
            }
            Added::Funcs(n) => {
                for &t in &m.funcs[last(m.funcs.len(), n)..] {
                    self.func_type_index(m, t)?;
                }
            }
            Added::Tables(n) => {
                let from = last(m.tables.len(), n);
                for t in &m.tables[from..] {
                    self.table_type(t)?;
                }
                // An initialiser expression is function references' (non-null elements).
                if m.table_inits.iter().any(Option::is_some) {
                    return self.err(Why::FunctionReferences);
                }
            }
            Added::Memories(n) => {
                for t in &m.memories[last(m.memories.len(), n)..] {
                    self.memory_type(t, features)?;
                }
                self.memory_count(m, features)?;
            }
            Added::Globals(n) => {
                let from = last(m.globals.len(), n);
                let inits = &m.global_inits[last(m.global_inits.len(), n)..];
                for (g, init) in m.globals[from..].iter().zip(inits) {
                    self.val_type(g.content, features)?;
                    self.const_expr(m, init, g.content, features)?;
                }
            }
            Added::Exports => {
                for e in &m.exports {
                    let known = match e.index {
                        ExternIndex::Func(i) => (i as usize) < m.funcs.len(),
                        ExternIndex::Table(i) => (i as usize) < m.tables.len(),
                        ExternIndex::Memory(i) => (i as usize) < m.memories.len(),
                        ExternIndex::Global(i) => (i as usize) < m.globals.len(),
                        ExternIndex::Tag(_) => return self.err(Why::ExceptionHandling),
                    };
                    if !known {
                        return self.err(Why::UnknownExport);
                    }
                }
                // The loader sorted them by name (`ModuleInner::exports_by_name`).
                let name = |i: &u32| m.exports[*i as usize].name.as_str();
                let sorted = &m.exports_by_name;
                if sorted.windows(2).any(|w| name(&w[0]) == name(&w[1])) {
                    return self.err(Why::DuplicateExport);
                }
            }
            Added::Start(func, offset) => {
                self.offset = offset;
                let Some(&t) = m.funcs.get(func as usize) else {
                    return self.err(Why::UnknownFunction);
                };
                let ty = &m.types[t as usize];
                if !ty.params().is_empty() || !ty.results().is_empty() {
                    return self.err(Why::StartType);
                }
            }
            Added::Elements(n) => {
                for e in &m.elements[last(m.elements.len(), n)..] {
                    self.ref_type(e.ty)?;
                    if let ElementMode::Active { table, offset } = &e.mode {
                        let Some(t) = m.tables.get(*table as usize) else {
                            return self.err(Why::UnknownTable);
                        };
                        self.const_expr(m, offset, ValType::I32, features)?;
                        if !e.ty.matches(t.element) {
                            return self.err(Why::TypeMismatch);
                        }
                    }
                    for item in e.items.iter() {
                        self.const_expr(m, item, ValType::Ref(e.ty), features)?;
                    }
                }
            }
            Added::CodeStart(count) => {
                let defined = m.funcs.len() - m.num_imported_funcs as usize;
                if count as usize != defined {
                    return self.err(Why::FuncCodeMismatch);
                }
            }
            Added::Data(n) => {
                for d in &m.data[last(m.data.len(), n)..] {
                    if let DataMode::Active { memory, offset } = &d.mode {
                        if *memory as usize >= m.memories.len() {
                            return self.err(Why::UnknownMemory);
                        }
                        self.const_expr(m, offset, ValType::I32, features)?;
                    }
                }
            }
            Added::End => {
                let defined = m.funcs.len() - m.num_imported_funcs as usize;
                if self.code_count.is_none() && defined != 0 {
                    return self.err(Why::FuncCodeMismatch);
                }
                if !self.data_section && self.data_count.is_some_and(|n| n != 0) {
                    return self.err(Why::DataCountMismatch);
                }
            }
        }
        Ok(())
    }

    fn val_type(&self, t: ValType, features: &WasmFeatures) -> Result<(), Invalid> {
        match t {
            ValType::F32 | ValType::F64 if !features.floats() => self.err(Why::FloatsDisabled),
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 => Ok(()),
            ValType::Ref(r) => self.ref_type(r),
            ValType::V128 => self.err(Why::Simd),
        }
    }

    /// `funcref` and `externref` only: typed references are function references'.
    fn ref_type(&self, r: RefType) -> Result<(), Invalid> {
        if r.nullable && matches!(r.heap, HeapType::Func | HeapType::Extern) {
            Ok(())
        } else {
            self.err(Why::FunctionReferences)
        }
    }

    fn func_type_index(&self, m: &ModuleInner, t: u32) -> Result<(), Invalid> {
        if (t as usize) < m.types.len() {
            Ok(())
        } else {
            self.err(Why::UnknownType)
        }
    }

    fn table_type(&self, t: &TableType) -> Result<(), Invalid> {
        self.ref_type(t.element)?;
        if t.max.is_some_and(|max| t.min > max) {
            return self.err(Why::LimitsMinAboveMax);
        }
        Ok(())
    }

    fn memory_type(&self, t: &MemoryType, features: &WasmFeatures) -> Result<(), Invalid> {
        match t.page_size_log2 {
            16 => {}
            0 if features.custom_page_sizes() => {}
            _ => return self.err(Why::PageSize),
        }
        // At most 4 GiB: 65,536 pages of 64 KiB, 2^32 - 1 of one byte (a 32-bit size).
        let most = match t.page_size_log2 {
            0 => u64::from(u32::MAX),
            log2 => 1u64 << (32 - u32::from(log2)),
        };
        if t.min > most || t.max.is_some_and(|max| max > most) {
            return self.err(Why::MemoryTooLarge);
        }
        if t.max.is_some_and(|max| t.min > max) {
            return self.err(Why::LimitsMinAboveMax);
        }
        Ok(())
    }

    fn memory_count(&self, m: &ModuleInner, features: &WasmFeatures) -> Result<(), Invalid> {
        if m.memories.len() > 1 && !features.multi_memory() {
            return self.err(Why::MultipleMemories);
        }
        Ok(())
    }

    /// A constant expression: only constant operators, global.get of imported immutable
    /// globals, leaving exactly one value of type `expected`.
    fn const_expr(
        &self,
        m: &ModuleInner,
        expr: &ConstExpr,
        expected: ValType,
        features: &WasmFeatures,
    ) -> Result<(), Invalid> {
        let mut stack: Vec<ValType> = Vec::new();
        for op in expr.ops.iter() {
            let arith = |stack: &mut Vec<ValType>, t: ValType| -> Result<(), Invalid> {
                if !features.extended_const() {
                    return self.err(Why::ConstantRequired);
                }
                for _ in 0..2 {
                    if stack.pop() != Some(t) {
                        return self.err(Why::TypeMismatch);
                    }
                }
                stack.push(t);
                Ok(())
            };
            match *op {
                ConstOp::I32(_) => stack.push(ValType::I32),
                ConstOp::I64(_) => stack.push(ValType::I64),
                ConstOp::F32(_) => stack.push(ValType::F32),
                ConstOp::F64(_) => stack.push(ValType::F64),
                ConstOp::V128(_) => return self.err(Why::Simd),
                ConstOp::RefNull(r) => {
                    self.ref_type(r)?;
                    stack.push(ValType::Ref(r));
                }
                ConstOp::RefFunc(f) => {
                    if f as usize >= m.funcs.len() {
                        return self.err(Why::UnknownFunction);
                    }
                    stack.push(ValType::FUNCREF);
                }
                ConstOp::GlobalGet(g) => {
                    let Some(global) = m.globals.get(g as usize) else {
                        return self.err(Why::UnknownGlobal);
                    };
                    if g >= m.num_imported_globals || global.mutability == Mutability::Var {
                        return self.err(Why::ConstantRequired);
                    }
                    stack.push(global.content);
                }
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    arith(&mut stack, ValType::I32)?
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    arith(&mut stack, ValType::I64)?
                }
            }
        }
        match stack.as_slice() {
            [t] if t.matches(expected) => Ok(()),
            _ => self.err(Why::TypeMismatch),
        }
    }
}
