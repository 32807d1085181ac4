//! Instances: instantiation (import checks, allocation, segment initialisation, start) and
//! the `Instance` handle.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::AtomicPtr;

use crate::error::{Error, Result};
use crate::exception::Tag;
use crate::func::{Func, FuncKind};
use crate::global::{Global, GlobalEntity};
use crate::linker::Extern;
use crate::memory::{Memory, MemoryEntity};
use crate::module::{ConstExpr, ConstOp, DataMode, ElementMode, ExternIndex, ImportKind, Module};
use crate::owned::Owned;
use crate::store::{AsContext, AsContextMut, Store, StoreId, StoreInner};
use crate::table::{Table, TableEntity};
use crate::text;
use crate::trap::Trap;
use crate::types::{ExternType, MemoryType, TableType, TagType};
use crate::vm::{FuncEntry, VmCtx};
use crate::wasm;

/// An instance in a store. Its `vmctx` points into the boxed arrays beside it.
pub struct InstanceEntity {
    /// The module the instance was created from.
    pub module: Module,
    /// Store indices of the instance's functions, tables, memories and globals, in each
    /// index space's order (imports first).
    pub funcs: Box<[u32]>,
    /// Store indices of the instance's tables, imports first.
    pub tables: Box<[u32]>,
    /// Store indices of the instance's memories, imports first.
    pub memories: Box<[u32]>,
    /// Store indices of the instance's globals, imports first.
    pub globals: Box<[u32]>,
    /// Store indices of the instance's tags (imports first): what a `catch` of tag `i`
    /// compares an exception's tag with. `VmCtx::tags` points here.
    pub tags: Box<[u32]>,
    /// Element segments as raw references; a dropped segment is empty.
    pub elements: Vec<Box<[u64]>>,
    /// Whether each data segment has been dropped.
    pub data_dropped: Vec<bool>,
    func_entries: Box<[FuncEntry]>,
    memory_ptrs: Box<[*mut MemoryEntity]>,
    global_ptrs: Box<[*mut GlobalEntity]>,
    table_ptrs: Box<[*mut TableEntity]>,
    /// What compiled code reaches the instance through: pointers into the arrays above.
    pub vmctx: VmCtx,
}

// SAFETY: the raw pointers point into entities owned by the same store, which moves
// between threads as a whole.
unsafe impl Send for InstanceEntity {}
unsafe impl Sync for InstanceEntity {}

impl InstanceEntity {
    /// The bytes of data segment `index` (empty once dropped).
    pub fn data_segment(&self, index: u32) -> &[u8] {
        if self.data_dropped[index as usize] {
            return &[];
        }
        let range = self.module.inner.data[index as usize].bytes.clone();
        &self.module.inner.bytes[range]
    }
}

/// A handle to an instance in a store.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Instance {
    pub(crate) fn from_index(store: StoreId, index: u32) -> Instance {
        Instance { store, index }
    }

    /// Instantiates `module` with `imports` given in the module's import order.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut().0, module, imports)
    }

    /// The module the instance was created from. Fails if the instance belongs to another
    /// store.
    pub fn module<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<&'a Module> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        Ok(&inner.instances[self.index as usize].module)
    }

    /// The export called `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        self.export_in(&store.as_context().0.inner, name)
    }

    /// [`Instance::get_export`] for the store's inside: what its generic callers share.
    fn export_in(&self, inner: &StoreInner, name: &str) -> Option<Extern> {
        inner.check(self.store).ok()?;
        let inst = &inner.instances[self.index as usize];
        let export = inst.module.inner.export(name)?;
        Some(extern_of(inner.id, inst, export.index))
    }

    /// All exports, in the module's order.
    pub fn exports<'a, C: AsContext + 'a>(&self, store: &'a C) -> Result<Vec<(String, Extern)>> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store)?;
        let inst = &inner.instances[self.index as usize];
        Ok(inst
            .module
            .inner
            .exports
            .iter()
            .map(|e| (e.name.clone(), extern_of(inner.id, inst, e.index)))
            .collect())
    }

    /// The exported function called `name`, if it is one.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported memory called `name`, if it is one.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported memory called `name`, if it is a shared one: a handle other stores
    /// (on other threads) can attach.
    #[cfg(feature = "std")]
    pub fn get_shared_memory(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Option<crate::memory::SharedMemory> {
        let memory = self.get_memory(&store, name)?;
        memory.as_shared(&store).ok().flatten()
    }

    /// The exported table called `name`, if it is one.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global called `name`, if it is one.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported tag called `name`, if it is one.
    pub fn get_tag(&self, store: impl AsContext, name: &str) -> Option<Tag> {
        self.get_export(store, name)?.into_tag()
    }

    /// The index of `tag` among the tags the instance's module imports and defines, if it
    /// is one of them: what the module's imports, exports and name section call it.
    pub fn tag_index(&self, store: impl AsContext, tag: &Tag) -> Option<u32> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store).ok()?;
        inner.check(tag.store).ok()?;
        let inst = &inner.instances[self.index as usize];
        let count = inst.module.inner.tags.len() as u32;
        // SAFETY: every index below the module's tag count is one of the instance's.
        (0..count).find(|&i| unsafe { inst.vmctx.tag(i) } == tag.index)
    }

    /// A typed view of exported function `name`: fails if there is none, or its type is not
    /// `P` to `R`.
    pub fn get_typed_func<P: crate::typed::WasmParams, R: crate::typed::WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<crate::typed::TypedFunc<P, R>> {
        let func = self.typed_export(&store.as_context().0.inner, name, P::TYPES, R::TYPES)?;
        Ok(crate::typed::TypedFunc::new(func))
    }

    /// [`Instance::get_typed_func`] out of its generic code: exported function `name`, if
    /// its type is `params` to `results`.
    #[inline(never)]
    fn typed_export(
        &self,
        inner: &StoreInner,
        name: &str,
        params: &[crate::types::ValType],
        results: &[crate::types::ValType],
    ) -> Result<Func> {
        let func = self
            .export_in(inner, name)
            .and_then(Extern::into_func)
            .ok_or_else(|| Error::NotFound(text!("no exported function `{}`", name)))?;
        func.check_signature(inner, params, results)?;
        Ok(func)
    }
}

fn extern_of(store: StoreId, inst: &InstanceEntity, index: ExternIndex) -> Extern {
    match index {
        ExternIndex::Func(i) => Extern::Func(Func {
            store,
            index: inst.funcs[i as usize],
        }),
        ExternIndex::Table(i) => Extern::Table(Table {
            store,
            index: inst.tables[i as usize],
        }),
        ExternIndex::Memory(i) => Extern::Memory(Memory {
            store,
            index: inst.memories[i as usize],
        }),
        ExternIndex::Global(i) => Extern::Global(Global {
            store,
            index: inst.globals[i as usize],
        }),
        ExternIndex::Tag(i) => Extern::Tag(Tag {
            store,
            index: inst.tags[i as usize],
        }),
    }
}

/// The type an extern actually has in the store, to match against an import.
fn actual_type(inner: &StoreInner, ext: &Extern) -> ExternType {
    match *ext {
        Extern::Func(f) => ExternType::Func(inner.func_type(f.index).clone()),
        Extern::Table(t) => {
            let e = &inner.tables[t.index as usize];
            ExternType::Table(TableType {
                min: u64::from(e.size()),
                ..e.ty
            })
        }
        Extern::Memory(m) => {
            let e = &inner.memories[m.index as usize];
            ExternType::Memory(MemoryType {
                min: e.pages(),
                ..e.ty
            })
        }
        Extern::Global(g) => ExternType::Global(inner.globals[g.index as usize].ty),
        Extern::Tag(t) => ExternType::Tag(inner.tags[t.index as usize].ty.clone()),
    }
}

fn limits_match(actual_min: u64, actual_max: Option<u64>, min: u64, max: Option<u64>) -> bool {
    actual_min >= min
        && match (max, actual_max) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(m), Some(a)) => a <= m,
        }
}

/// Whether `actual` can satisfy an import of type `expected`.
fn import_matches(inner: &StoreInner, ext: &Extern, kind: &ImportKind, module: &Module) -> bool {
    match (kind, ext) {
        (ImportKind::Func(t), Extern::Func(f)) => {
            inner.funcs[f.index as usize].type_id == module.inner.type_ids[*t as usize]
        }
        (ImportKind::Table(t), Extern::Table(tb)) => {
            let e = &inner.tables[tb.index as usize];
            // Table types are invariant in their element type.
            e.ty.element == t.element
                && e.ty.table64 == t.table64
                && limits_match(u64::from(e.size()), e.ty.max, t.min, t.max)
        }
        (ImportKind::Memory(t), Extern::Memory(m)) => {
            let e = &inner.memories[m.index as usize];
            e.ty.page_size_log2 == t.page_size_log2
                && e.ty.memory64 == t.memory64
                && e.ty.shared == t.shared
                && limits_match(e.pages(), e.ty.max, t.min, t.max)
        }
        (ImportKind::Global(t), Extern::Global(g)) => {
            // An immutable global may have a subtype of the type imported; a mutable one
            // exactly the type.
            let actual = inner.globals[g.index as usize].ty;
            actual.mutability == t.mutability
                && match t.mutability {
                    crate::types::Mutability::Const => actual.content.matches(t.content),
                    crate::types::Mutability::Var => actual.content == t.content,
                }
        }
        (ImportKind::Tag(t), Extern::Tag(tag)) => {
            // Tags match by their exact function type.
            inner.tags[tag.index as usize].ty.func_type() == &module.inner.types[*t as usize]
        }
        _ => false,
    }
}

fn expected_type(kind: &ImportKind, module: &Module) -> ExternType {
    match kind {
        ImportKind::Func(t) => ExternType::Func(module.inner.types[*t as usize].clone()),
        ImportKind::Table(t) => ExternType::Table(*t),
        ImportKind::Memory(t) => ExternType::Memory(*t),
        ImportKind::Global(t) => ExternType::Global(*t),
        ImportKind::Tag(t) => ExternType::Tag(TagType::from_func_type(
            module.inner.types[*t as usize].clone(),
        )),
    }
}

/// A constant expression's raw value: two slots' worth (a `v128`, low half in the low
/// bits) in builds with SIMD, one slot's in others, which have no `v128` to hold.
#[cfg(feature = "simd")]
type ConstValue = u128;
#[cfg(not(feature = "simd"))]
type ConstValue = u64;

/// A global's raw value as a `ConstValue`.
fn global_value(g: &GlobalEntity) -> ConstValue {
    #[cfg(feature = "simd")]
    return u128::from(g.value) | u128::from(g.high) << 64;
    #[cfg(not(feature = "simd"))]
    g.value
}

/// A `v128`'s upper half; 0 for all else (and always where there is no `v128`).
/// The low 64 bits of `value`: the whole of a scalar. (A cast that is a no-op where
/// `ConstValue` is `u64`, without SIMD.)
#[allow(clippy::unnecessary_cast)]
fn low_half(value: ConstValue) -> u64 {
    value as u64
}

fn high_half(value: ConstValue) -> u64 {
    #[cfg(feature = "simd")]
    return (value >> 64) as u64;
    #[cfg(not(feature = "simd"))]
    {
        let _ = value;
        0
    }
}

/// Evaluates a constant expression against the instance's globals and functions so far
/// (callers of one-slot values take the low 64 bits).
fn eval_const(
    inner: &StoreInner,
    globals: &[u32],
    funcs: &[u32],
    expr: &ConstExpr,
) -> Result<ConstValue> {
    let mut stack: Vec<ConstValue> = Vec::with_capacity(2);
    let pop = |stack: &mut Vec<ConstValue>| low_half(stack.pop().unwrap_or(0));
    for op in expr.ops.iter() {
        let v = match *op {
            // Only validates with SIMD, where `ConstValue` holds it.
            ConstOp::V128(v) => {
                stack.push(v as ConstValue);
                continue;
            }
            ConstOp::GlobalGet(i) => {
                stack.push(global_value(&inner.globals[globals[i as usize] as usize]));
                continue;
            }
            ConstOp::I32(v) => v as u32 as u64,
            ConstOp::I64(v) => v as u64,
            ConstOp::F32(v) => u64::from(v),
            ConstOp::F64(v) => v,
            ConstOp::RefNull(_) => 0,
            ConstOp::RefFunc(i) => u64::from(funcs[i as usize]) + 1,
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let b = pop(&mut stack) as i32;
                let a = pop(&mut stack) as i32;
                u64::from(match op {
                    ConstOp::I32Add => wasm::i32_add(a, b),
                    ConstOp::I32Sub => wasm::i32_sub(a, b),
                    _ => wasm::i32_mul(a, b),
                } as u32)
            }
            ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                let b = pop(&mut stack) as i64;
                let a = pop(&mut stack) as i64;
                (match op {
                    ConstOp::I64Add => wasm::i64_add(a, b),
                    ConstOp::I64Sub => wasm::i64_sub(a, b),
                    _ => wasm::i64_mul(a, b),
                }) as u64
            }
        };
        stack.push(ConstValue::from(v));
    }
    Ok(stack.pop().unwrap_or(0))
}

pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let inner = &mut store.inner;
    let m = &*module.inner;
    if !crate::engine::Engine::same(&inner.engine, &m.engine) {
        return Err(Error::TypeMismatch(
            "module belongs to another engine".into(),
        ));
    }
    if imports.len() != m.imports.len() {
        return Err(Error::TypeMismatch(text!(
            "module needs {} imports, {} given",
            m.imports.len(),
            imports.len()
        )));
    }
    let mut funcs = Vec::with_capacity(m.funcs.len());
    let mut tables = Vec::with_capacity(m.tables.len());
    let mut memories = Vec::with_capacity(m.memories.len());
    let mut globals = Vec::with_capacity(m.globals.len());
    let mut tags = Vec::with_capacity(m.tags.len());
    for (imp, ext) in m.imports.iter().zip(imports) {
        let id = match ext {
            Extern::Func(f) => (f.store, f.index),
            Extern::Table(t) => (t.store, t.index),
            Extern::Memory(mm) => (mm.store, mm.index),
            Extern::Global(g) => (g.store, g.index),
            Extern::Tag(t) => (t.store, t.index),
        };
        inner.check(id.0)?;
        if !import_matches(inner, ext, &imp.kind, module) {
            return Err(Error::IncompatibleImport {
                module: imp.module.clone(),
                name: imp.name.clone(),
                expected: Box::new(expected_type(&imp.kind, module)),
                actual: Box::new(actual_type(inner, ext)),
            });
        }
        match ext {
            Extern::Func(_) => funcs.push(id.1),
            Extern::Table(_) => tables.push(id.1),
            Extern::Memory(_) => memories.push(id.1),
            Extern::Global(_) => globals.push(id.1),
            Extern::Tag(_) => tags.push(id.1),
        }
    }

    // The store's limits, before anything is allocated: a refused instance leaves nothing.
    crate::limits::admit_instance(inner, m)?;

    let instance_index = inner.instances.len() as u32;
    let engine = inner.engine.clone();
    let max_table_elements = engine.config().max_table_elements;
    let resources = inner.resources.as_ptr();

    // Defined functions first: global and table initialisers may refer to them. (Room
    // reserved at once: a large module has tens of thousands, and growing the store's
    // vector one doubling at a time copies them over and over.)
    let defined = m.funcs.len() - m.num_imported_funcs as usize;
    inner.funcs.reserve(defined);
    inner.func_refs.reserve(defined);
    for i in m.num_imported_funcs..m.funcs.len() as u32 {
        let f = Func::alloc_typed(
            inner,
            m.func_type_id(i),
            FuncKind::Wasm {
                instance: instance_index,
                index: i,
            },
        );
        funcs.push(f.index);
    }
    #[cfg(feature = "exceptions")]
    for &t in &m.tags[m.num_imported_tags as usize..] {
        let ty = TagType::from_func_type(m.types[t as usize].clone());
        tags.push(inner.alloc_tag(ty).index);
    }
    for (ty, init) in m.globals[m.num_imported_globals as usize..]
        .iter()
        .zip(&m.global_inits)
    {
        let value = eval_const(inner, &globals, &funcs, init)?;
        globals.push(inner.globals.len() as u32);
        inner.globals.push(Owned::new(GlobalEntity {
            value: value as u64,
            high: high_half(value),
            ty: *ty,
        }));
    }
    for (ty, init) in m.tables[m.num_imported_tables as usize..]
        .iter()
        .zip(&m.table_inits)
    {
        let init = match init {
            Some(e) => eval_const(inner, &globals, &funcs, e)? as u64,
            None => 0,
        };
        let table = TableEntity::new(*ty, init, max_table_elements, resources)?;
        tables.push(inner.tables.len() as u32);
        inner.tables.push(Owned::new(table));
    }
    for ty in &m.memories[m.num_imported_memories as usize..] {
        let mem = MemoryEntity::new(*ty, engine.config(), resources)?;
        memories.push(inner.add_memory(crate::memory::MemorySlot::new(mem, &engine)));
    }
    let elements = m
        .elements
        .iter()
        .map(|seg| {
            seg.items
                .iter()
                .map(|e| eval_const(inner, &globals, &funcs, e).map(low_half))
                .collect::<Result<Box<[u64]>>>()
        })
        .collect::<Result<Vec<_>>>()?;

    let func_entries: Box<[FuncEntry]> = funcs
        .iter()
        .map(|&f| FuncEntry {
            native: AtomicPtr::new(core::ptr::null_mut()),
            store_func: f,
            type_id: inner.funcs[f as usize].type_id,
        })
        .collect();
    let memory_ptrs: Box<[*mut MemoryEntity]> = memories
        .iter()
        .map(|&i| inner.memories[i as usize].as_ptr())
        .collect();
    let global_ptrs: Box<[*mut GlobalEntity]> = globals
        .iter()
        .map(|&i| inner.globals[i as usize].as_ptr())
        .collect();
    let table_ptrs: Box<[*mut TableEntity]> = tables
        .iter()
        .map(|&i| inner.tables[i as usize].as_ptr())
        .collect();
    let mut entity = Owned::new(InstanceEntity {
        module: module.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: globals.into(),
        tags: tags.into(),
        data_dropped: alloc::vec![false; m.data.len()],
        elements,
        func_entries,
        memory_ptrs,
        global_ptrs,
        table_ptrs,
        vmctx: VmCtx::empty(instance_index),
    });
    let e = &mut *entity;
    e.vmctx = VmCtx {
        memory0: e
            .memory_ptrs
            .first()
            .copied()
            .unwrap_or(core::ptr::null_mut()),
        memories: e.memory_ptrs.as_ptr(),
        globals: e.global_ptrs.as_ptr(),
        tables: e.table_ptrs.as_ptr(),
        funcs: e.func_entries.as_ptr(),
        type_ids: m.type_ids.as_ptr(),
        tags: e.tags.as_ptr(),
        num_memories: e.memory_ptrs.len() as u32,
        num_globals: e.global_ptrs.len() as u32,
        num_tables: e.table_ptrs.len() as u32,
        num_funcs: e.func_entries.len() as u32,
        instance: instance_index,
        store: core::ptr::null_mut(),
        interrupt: alloc::sync::Arc::as_ptr(&inner.interrupt),
    };
    // The defined functions' references for native callers: this instance's context (the
    // entity is boxed, so it stays where it is) and the module's native code cells.
    let vmctx: *mut VmCtx = &mut e.vmctx;
    for (def, &f) in e.funcs[m.num_imported_funcs as usize..].iter().enumerate() {
        let r = &mut inner.func_refs[f as usize];
        r.vmctx = vmctx;
        r.code = m
            .native_code
            .get(def)
            .map_or(&crate::vm::NO_CODE, |cell| cell as *const AtomicPtr<u8>);
    }
    inner.instances.push(entity);
    let instance = Instance {
        store: inner.id,
        index: instance_index,
    };

    initialize(inner, instance_index)?;

    if let Some(start) = m.start {
        let func = Func {
            store: inner.id,
            index: inner.instances[instance_index as usize].funcs[start as usize],
        };
        func.call_slots(store, &mut [])?;
    }
    Ok(instance)
}

/// Active element and data segments, in order; the first out-of-bounds one traps, leaving
/// the effects of earlier ones in place (as the spec says).
fn initialize(inner: &mut StoreInner, instance: u32) -> Result<()> {
    let module = inner.instances[instance as usize].module.clone();
    let m = &*module.inner;
    for (i, seg) in m.elements.iter().enumerate() {
        match &seg.mode {
            ElementMode::Active { table, offset } => {
                let inst = &inner.instances[instance as usize];
                let offset = eval_const(inner, &inst.globals, &inst.funcs, offset)? as u64;
                let table_index = inst.tables[*table as usize];
                let offset = crate::ops::table_index(offset, m.tables[*table as usize].table64);
                let items = core::mem::take(&mut inner.instances[instance as usize].elements[i]);
                let len = items.len() as u32;
                inner.tables[table_index as usize]
                    .init(offset, &items, 0, len)
                    .map_err(Trap::from)?;
            }
            ElementMode::Declared => {
                inner.instances[instance as usize].elements[i] = Box::default();
            }
            ElementMode::Passive => {}
        }
    }
    for (i, seg) in m.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let inst = &inner.instances[instance as usize];
            let offset = eval_const(inner, &inst.globals, &inst.funcs, offset)? as u64;
            let offset = match m.memories[*memory as usize].memory64 {
                true => offset,
                false => offset as u32 as u64,
            };
            let mem_index = inst.memories[*memory as usize];
            let bytes = &m.bytes[seg.bytes.clone()];
            inner.memories[mem_index as usize]
                .init(offset, bytes, 0, bytes.len() as u64)
                .map_err(Trap::from)?;
            inner.instances[instance as usize].data_dropped[i] = true;
        }
    }
    Ok(())
}
