//! `Module`: a decoded, validated WebAssembly module, shared by all its instances.
//!
//! Loading validates everything eagerly (the spec requires a module to be rejected before
//! any of it runs) and records what the tiers need later: where each function body lives
//! in the original bytes, how many locals it has and how high its operand stack can grow.
//! Function bodies are translated by the execution tier, lazily unless configured otherwise.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::ops::Range;
use core::sync::atomic::AtomicPtr;

#[cfg(not(feature = "own-validator"))]
use wasmparser::{Parser, Payload};

use crate::engine::Engine;
use crate::error::{Error, ModuleError, Result};
use crate::framing::{id, Section};
use crate::limits::{check_module, func_limit, ModuleLimits};
use crate::types::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, Mutability, RefType, TableType,
    TagType, ValType,
};
use crate::validate::Why;

/// One instruction of a constant expression. Wasm 2.0 allows a single constant,
/// `ref.null`, `ref.func` or `global.get`; extended-const adds integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstOp {
    /// `i32.const`.
    I32(i32),
    /// `i64.const`.
    I64(i64),
    /// `f32.const`, as its bits.
    F32(u32),
    /// `f64.const`, as its bits.
    F64(u64),
    /// `v128.const`.
    V128(u128),
    /// `ref.null` of this type.
    RefNull(RefType),
    /// `ref.func` of this function index.
    RefFunc(u32),
    /// `global.get` of this global index.
    GlobalGet(u32),
    /// `i32.add` (extended-const).
    I32Add,
    /// `i32.sub` (extended-const).
    I32Sub,
    /// `i32.mul` (extended-const).
    I32Mul,
    /// `i64.add` (extended-const).
    I64Add,
    /// `i64.sub` (extended-const).
    I64Sub,
    /// `i64.mul` (extended-const).
    I64Mul,
}

/// A constant expression, as a short postfix program.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstExpr {
    /// The instructions in postfix order: evaluated on a stack, they leave the expression's
    /// value.
    pub ops: Box<[ConstOp]>,
}

/// The `ConstOp` of a constant-expression operator `$op` of either decoder's `Operator`
/// (`$O`, whose variants are named alike): one list for both. The `$first` arms come
/// before it, the `$last` arms (`End`, and operators not allowed) after.
macro_rules! const_op {
    ($O:ident, $op:expr, $type_ids:expr, $offset:expr, { $($first:tt)* }, { $($last:tt)* }) => {
        match $op {
            $($first)*
            $O::I32Const { value } => ConstOp::I32(value),
            $O::I64Const { value } => ConstOp::I64(value),
            $O::F32Const { value } => ConstOp::F32(value.bits()),
            $O::F64Const { value } => ConstOp::F64(value.bits()),
            $O::RefNull { hty } => {
                ConstOp::RefNull(RefType::new(true, heap_type(hty, $type_ids, $offset)?))
            }
            $O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            $O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            $O::I32Add => ConstOp::I32Add,
            $O::I32Sub => ConstOp::I32Sub,
            $O::I32Mul => ConstOp::I32Mul,
            $O::I64Add => ConstOp::I64Add,
            $O::I64Sub => ConstOp::I64Sub,
            $O::I64Mul => ConstOp::I64Mul,
            $($last)*
        }
    };
}

impl ConstExpr {
    /// wisp's form of a constant expression wasmparser delimited.
    #[cfg(not(feature = "own-validator"))]
    fn parse(expr: &wasmparser::ConstExpr<'_>, type_ids: &[u32]) -> Result<ConstExpr> {
        use wasmparser::Operator as O;
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            let (op, offset) = reader.read_with_offset()?;
            ops.push(const_op!(O, op, type_ids, offset, {
                #[cfg(feature = "simd")]
                O::V128Const { value } => ConstOp::V128(value.i128() as u128),
            }, {
                O::End => continue,
                // wasmparser's validator refuses these first; wisp's own meets them here.
                _ => return Err(not_a_constant(offset)),
            }));
        }
        Ok(ConstExpr { ops: ops.into() })
    }

    /// Reads a constant expression with wisp's decoder (`operators`): its operators up to
    /// and including its `end`, after which `reader` is left. What the own validator's
    /// loader reads every constant expression with, so firmware links no other decoder.
    fn read(reader: &mut crate::operators::Reader<'_>, type_ids: &[u32]) -> Result<ConstExpr> {
        use crate::operators::Operator as O;
        let mut ops = Vec::new();
        loop {
            let (op, offset) = reader.read_with_offset()?;
            ops.push(const_op!(O, op, type_ids, offset, {}, {
                O::End => return Ok(ConstExpr { ops: ops.into() }),
                _ => return Err(not_a_constant(offset)),
            }));
        }
    }
}

/// An operator that may not appear in a constant expression, at `offset`.
fn not_a_constant(offset: u64) -> Error {
    crate::validate::Invalid::new(crate::validate::Why::ConstantRequired, offset).into()
}

/// wisp's heap type for wasmparser's, with concrete types (module type indices) mapped to
/// their engine-wide ids; `type_ids` holds the module's types interned so far. Types that
/// need GC (structs, arrays, `any`, `eq`, `i31`, shared types) are unsupported.
fn heap_type(heap: wasmparser::HeapType, type_ids: &[u32], offset: u64) -> Result<HeapType> {
    use wasmparser::{AbstractHeapType as A, HeapType as H};
    Ok(match heap {
        H::Abstract { shared: false, ty } => match ty {
            A::Func => HeapType::Func,
            A::NoFunc => HeapType::NoFunc,
            A::Extern => HeapType::Extern,
            A::NoExtern => HeapType::NoExtern,
            A::Exn => HeapType::Exn,
            A::NoExn => HeapType::NoExn,
            _ => return Err(unsupported("GC reference type", offset)),
        },
        H::Concrete(wasmparser::UnpackedIndex::Module(i))
        | H::Exact(wasmparser::UnpackedIndex::Module(i)) => match type_ids.get(i as usize) {
            Some(&id) => HeapType::ConcreteFunc(id),
            // A reference to a type not defined yet needs recursive type groups (GC).
            None => return Err(unsupported("recursive type reference", offset)),
        },
        _ => return Err(unsupported("GC reference type", offset)),
    })
}

fn unsupported(what: &str, offset: u64) -> Error {
    Error::Unsupported(ModuleError {
        message: what.into(),
        offset,
    })
}

/// wisp's value type for wasmparser's (see `heap_type`).
pub(crate) fn val_type(ty: wasmparser::ValType, type_ids: &[u32], offset: u64) -> Result<ValType> {
    use wasmparser::ValType as W;
    Ok(match ty {
        W::I32 => ValType::I32,
        W::I64 => ValType::I64,
        W::F32 => ValType::F32,
        W::F64 => ValType::F64,
        W::V128 => ValType::V128,
        W::Ref(r) => ValType::Ref(ref_type(r, type_ids, offset)?),
    })
}

fn ref_type(ty: wasmparser::RefType, type_ids: &[u32], offset: u64) -> Result<RefType> {
    Ok(RefType::new(
        ty.is_nullable(),
        heap_type(ty.heap_type(), type_ids, offset)?,
    ))
}

/// What an import asks for.
#[derive(Debug, Clone)]
pub enum ImportKind {
    /// A function of this module type index.
    Func(u32),
    /// A table of this type.
    Table(TableType),
    /// A memory of this type.
    Memory(MemoryType),
    /// A global of this type.
    Global(GlobalType),
    /// An exception tag of this module type index.
    Tag(u32),
}

/// One import of a module: the two names it is linked by, and what it asks for.
#[derive(Debug, Clone)]
pub struct Import {
    /// The module name.
    pub module: String,
    /// The field name.
    pub name: String,
    /// What kind of definition it needs, and its type.
    pub kind: ImportKind,
}

/// The index spaces an export can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternIndex {
    /// A function index.
    Func(u32),
    /// A table index.
    Table(u32),
    /// A memory index.
    Memory(u32),
    /// A global index.
    Global(u32),
    /// A tag index.
    Tag(u32),
}

/// One export of a module.
#[derive(Debug, Clone)]
pub struct Export {
    /// The name it is exported under.
    pub name: String,
    /// What it exports, in the module's index spaces.
    pub index: ExternIndex,
}

/// How an element segment is used.
#[derive(Debug, Clone)]
pub enum ElementMode {
    /// Only for `table.init` (and dropped by `elem.drop`).
    Passive,
    /// Copied into a table at instantiation.
    Active {
        /// The table's index.
        table: u32,
        /// Where in the table the first reference goes.
        offset: ConstExpr,
    },
    /// Only declares functions that `ref.func` may name; never copied.
    Declared,
}

/// An element segment: references for tables.
#[derive(Debug, Clone)]
pub struct ElementSegment {
    /// How it is used.
    pub mode: ElementMode,
    /// The type of its references.
    pub ty: RefType,
    /// One constant expression per element (`ref.func i` for the index form).
    pub items: Box<[ConstExpr]>,
}

/// How a data segment is used.
#[derive(Debug, Clone)]
pub enum DataMode {
    /// Only for `memory.init` (and dropped by `data.drop`).
    Passive,
    /// Copied into a memory at instantiation.
    Active {
        /// The memory's index.
        memory: u32,
        /// Where in the memory the first byte goes.
        offset: ConstExpr,
    },
}

/// A data segment: bytes for memories.
#[derive(Debug, Clone)]
pub struct DataSegment {
    /// How it is used.
    pub mode: DataMode,
    /// Where the bytes lie in the module's binary.
    pub bytes: Range<usize>,
}

/// What a tier needs to know about one defined function before translating it.
#[derive(Debug, Clone)]
pub struct FuncBody {
    /// The body (locals declaration and code) within the module's binary.
    pub range: Range<usize>,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// The highest the operand stack gets, as measured by the validator.
    pub max_stack_height: u32,
    /// Whether the body makes a tail call (`return_call`, `return_call_indirect`,
    /// `return_call_ref`): only such a function can leave one for its caller to make
    /// (the JIT's `status::TAIL_CALL`), so calls to the others need not look for it.
    pub tail_calls: bool,
    /// Whether a `v128` value may ever sit on this function's operand stack. In such a
    /// function every operand-stack position takes two slots (`OsrFrame::operands_layout`),
    /// so that positions stay slots apart by a constant and a value's place does not depend
    /// on the types below it; all others keep one slot per position.
    #[cfg(feature = "simd")]
    pub vector: bool,
}

impl FuncBody {
    /// Whether a `v128` can be on this function's operand stack (the field `vector`, which
    /// builds without SIMD do not have: there none can).
    #[inline(always)]
    pub fn is_vector(&self) -> bool {
        #[cfg(feature = "simd")]
        return self.vector;
        #[cfg(not(feature = "simd"))]
        false
    }
}

/// A module's binary: a copy the module owns, or a binary that outlives the program's use
/// of it ([`Module::from_static`]). Either way it reads as a byte slice.
pub enum ModuleBytes {
    /// Copied when the module was loaded.
    Owned(Box<[u8]>),
    /// Borrowed for the program's whole life.
    Static(&'static [u8]),
}

impl core::ops::Deref for ModuleBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            ModuleBytes::Owned(bytes) => bytes,
            ModuleBytes::Static(bytes) => bytes,
        }
    }
}

/// Everything decoded from a module. Public for the tiers; embedders use [`Module`].
pub struct ModuleInner {
    /// The engine the module was loaded for.
    pub engine: Engine,
    /// The module's name from its name section, if any.
    pub name: Option<String>,
    /// The module's binary, which function bodies and data segments are ranges of.
    pub bytes: ModuleBytes,
    /// Function types by module type index, with their engine-wide ids.
    pub types: Vec<FuncType>,
    /// The engine-wide id of each entry of `types`.
    pub type_ids: Vec<u32>,
    /// The imports, in the module's order.
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    /// How many of `funcs` are imported.
    pub num_imported_funcs: u32,
    /// Every table's type, imported ones first.
    pub tables: Vec<TableType>,
    /// How many of `tables` are imported.
    pub num_imported_tables: u32,
    /// Initialiser of each defined table (`None`: null).
    pub table_inits: Vec<Option<ConstExpr>>,
    /// Every memory's type, imported ones first.
    pub memories: Vec<MemoryType>,
    /// How many of `memories` are imported.
    pub num_imported_memories: u32,
    /// Every global's type, imported ones first.
    pub globals: Vec<GlobalType>,
    /// How many of `globals` are imported.
    pub num_imported_globals: u32,
    /// The initialiser of each defined global.
    pub global_inits: Vec<ConstExpr>,
    /// Type index of every exception tag, imported ones first.
    pub tags: Vec<u32>,
    /// How many of `tags` are imported.
    pub num_imported_tags: u32,
    /// The exports, in the module's order.
    pub exports: Vec<Export>,
    /// Indices into `exports`, sorted by name (names are unique): looked up by binary
    /// search, which costs the firmware less code than a hash map.
    pub(crate) exports_by_name: Vec<u32>,
    /// The start function's index, if any.
    pub start: Option<u32>,
    /// The element segments, in order.
    pub elements: Vec<ElementSegment>,
    /// The data segments, in order.
    pub data: Vec<DataSegment>,
    /// Defined functions, in order (index = function index - imported functions).
    pub bodies: Vec<FuncBody>,
    /// Function names from the name section.
    pub func_names: Names,
    /// Tag names from the name section.
    pub tag_names: Names,
    /// The interpreter's per-module state (its translated code and profile), created on
    /// demand.
    pub interp_data: spin::Once<Box<dyn Any + Send + Sync>>,
    /// The JIT's per-module state (native code), created on demand. A tiered engine uses
    /// both slots.
    pub jit_data: spin::Once<Box<dyn Any + Send + Sync>>,
    /// Single-pass loading: per defined function, the code its tier made while the
    /// loader validated it (`Executor::body_sink`), for `prepare_module` to take; empty
    /// otherwise.
    pub translated_at_load: spin::Mutex<Vec<Option<Box<dyn Any + Send + Sync>>>>,
    /// Per defined function, its native direct entry once a JIT has compiled it (null
    /// before): where native callers in this and other modules find it, so installing
    /// compiled code is one atomic store. Empty for engines without a JIT.
    pub native_code: Box<[AtomicPtr<u8>]>,
}

impl ModuleInner {
    /// The most legacy `try` constructs open at once in defined function `def`: a bound
    /// on how many catch blocks any point of it is inside, so on the slots the
    /// interpreter keeps their exceptions in (between the locals and the operand stack).
    /// A pass over the body: the tiers ask only of functions that have a `try` (the
    /// interpreter when it meets one, the JIT when it compiles a function to enter
    /// mid-loop), so code without one pays nothing, not even in validation.
    pub fn legacy_catch_slots(&self, def: u32) -> u32 {
        let range = self.bodies[def as usize].range.clone();
        let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
            &self.bytes[range.clone()],
            range.start as u64,
        ));
        let Ok(mut ops) = body.get_operators_reader() else {
            return 0;
        };
        // Per open construct: whether it is a legacy `try` (in its body or a catch block).
        let mut open: Vec<bool> = Vec::new();
        let (mut legacy, mut most) = (0u32, 0u32);
        while let Ok(op) = ops.read() {
            use wasmparser::Operator as O;
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } | O::TryTable { .. } => {
                    open.push(false)
                }
                O::Try { .. } => {
                    open.push(true);
                    legacy += 1;
                    most = most.max(legacy);
                }
                // The guard closes the construct whichever it was.
                O::End | O::Delegate { .. } if open.pop() == Some(true) => legacy -= 1,
                _ => {}
            }
            if ops.eof() {
                break;
            }
        }
        most
    }

    /// The value of global `index` as raw slot bits and whether it is 64-bit, when it is
    /// the same in every instance: immutable, defined here, and initialised by a single
    /// numeric constant. (Imported globals, `ref.func` and `global.get` initialisers differ
    /// between instances.)
    pub fn constant_global(&self, index: u32) -> Option<(u64, bool)> {
        let defined = index.checked_sub(self.num_imported_globals)?;
        if self.globals.get(index as usize)?.mutability != Mutability::Const {
            return None;
        }
        match *self.global_inits.get(defined as usize)?.ops {
            [ConstOp::I32(v)] => Some((u64::from(v as u32), false)),
            [ConstOp::I64(v)] => Some((v as u64, true)),
            [ConstOp::F32(bits)] => Some((u64::from(bits), false)),
            [ConstOp::F64(bits)] => Some((bits, true)),
            _ => None,
        }
    }

    /// The type of function `func_index`.
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.funcs[func_index as usize] as usize]
    }

    /// The engine-wide id of function `func_index`'s type.
    pub fn func_type_id(&self, func_index: u32) -> u32 {
        self.type_ids[self.funcs[func_index as usize] as usize]
    }

    /// The export called `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        let exports = &self.exports;
        let at = self
            .exports_by_name
            .binary_search_by(|&i| exports[i as usize].name.as_str().cmp(name))
            .ok()?;
        Some(&exports[self.exports_by_name[at] as usize])
    }

    /// The type of export `index`, in this module's terms.
    pub fn extern_type(&self, index: ExternIndex) -> ExternType {
        match index {
            ExternIndex::Func(i) => ExternType::Func(self.func_type(i).clone()),
            ExternIndex::Table(i) => ExternType::Table(self.tables[i as usize]),
            ExternIndex::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            ExternIndex::Global(i) => ExternType::Global(self.globals[i as usize]),
            ExternIndex::Tag(i) => ExternType::Tag(self.tag_type(i)),
        }
    }

    /// The type of tag `index`.
    pub fn tag_type(&self, index: u32) -> TagType {
        TagType::from_func_type(self.types[self.tags[index as usize] as usize].clone())
    }
}

/// A validated WebAssembly module. Cheap to clone; instantiate it any number of times.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl Module {
    /// Decodes and validates `bytes`, a module in the binary format. The module keeps a
    /// copy of them.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let raw = bytes.as_ref();
        check_size(engine, raw)?;
        Module::load(engine, raw, ModuleBytes::Owned(raw.into()))
    }

    /// [`Module::new`] for a binary that lives as long as the program (in flash, or
    /// `include_bytes!`): the module reads it where it is rather than keeping a copy, which
    /// spares a board the module's size in RAM.
    pub fn from_static(engine: &Engine, bytes: &'static [u8]) -> Result<Module> {
        check_size(engine, bytes)?;
        Module::load(engine, bytes, ModuleBytes::Static(bytes))
    }

    fn load(engine: &Engine, raw: &[u8], bytes: ModuleBytes) -> Result<Module> {
        // A `match`, not `map_err`: a second `Result<ModuleInner>` on the stack would
        // cost firmware a quarter KiB of its 8 KiB.
        let mut parse = Parse::new(engine, bytes);
        parse.translate = !engine.config().lazy_translation;
        let inner = match parse.run() {
            Ok(inner) => inner,
            Err(e) => return Err(explain_left_out(engine, raw, e)),
        };
        let module = Module {
            inner: Arc::new(inner),
        };
        if !engine.config().lazy_translation {
            engine.executor().prepare_module(&module.inner)?;
        }
        Ok(module)
    }

    /// Checks `bytes` without keeping anything.
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        check_size(engine, bytes)?;
        Parse::new(engine, ModuleBytes::Owned(bytes.into()))
            .run()
            .map(drop)
            .map_err(|e| explain_left_out(engine, bytes, e))
    }

    /// The engine the module was loaded for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// Every import as module name, field name and type, in the module's order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = (&str, &str, ExternType)> + '_ {
        let m = &*self.inner;
        m.imports.iter().map(move |imp| {
            let ty = match &imp.kind {
                ImportKind::Func(t) => ExternType::Func(m.types[*t as usize].clone()),
                ImportKind::Table(t) => ExternType::Table(*t),
                ImportKind::Memory(t) => ExternType::Memory(*t),
                ImportKind::Global(t) => ExternType::Global(*t),
                ImportKind::Tag(t) => {
                    ExternType::Tag(TagType::from_func_type(m.types[*t as usize].clone()))
                }
            };
            (imp.module.as_str(), imp.name.as_str(), ty)
        })
    }

    /// Every export as name and type, in the module's order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = (&str, ExternType)> + '_ {
        self.inner
            .exports
            .iter()
            .map(|e| (e.name.as_str(), self.inner.extern_type(e.index)))
    }

    /// The internals the tiers work from.
    #[doc(hidden)]
    pub fn inner(&self) -> &Arc<ModuleInner> {
        &self.inner
    }

    /// The module whose internals a tier holds (for the events it reports).
    #[doc(hidden)]
    pub fn from_inner(inner: Arc<ModuleInner>) -> Module {
        Module { inner }
    }
}

impl core::fmt::Debug for Module {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.name)
            .field("funcs", &self.inner.funcs.len())
            .finish()
    }
}

/// Refuses a binary larger than `ModuleLimits::module_bytes` before it is copied or read.
fn check_size(engine: &Engine, bytes: &[u8]) -> Result<()> {
    let limit = engine.config().module_limits.module_bytes;
    check_module("module bytes", bytes.len() as u64, limit, 0)
}

/// Running totals over a module's sections, for the limits on sums (`ModuleLimits`).
#[derive(Default)]
struct Totals {
    data_bytes: u64,
    element_items: u64,
}

/// Checks the count a section of items declares (section `id`, at `offset`) against the
/// configured limits, before the validator reads (and allocates for) its entries.
fn check_count(
    limits: &ModuleLimits,
    m: &ModuleInner,
    id: u8,
    count: u32,
    offset: u64,
) -> Result<()> {
    let (what, limit) = match id {
        id::TYPE => ("types", limits.types),
        id::IMPORT => ("imports", limits.imports),
        id::EXPORT => ("exports", limits.exports),
        id::FUNCTION => {
            let count = u64::from(count) + m.funcs.len() as u64;
            return check_module("functions", count, limits.functions.into(), offset);
        }
        id::DATA => ("data segments", limits.data_segments),
        id::ELEMENT => ("element segments", limits.element_segments),
        _ => return Ok(()),
    };
    check_module(what, count.into(), limit.into(), offset)
}

/// [`check_count`] for wasmparser's payloads.
#[cfg(not(feature = "own-validator"))]
fn check_counts(limits: &ModuleLimits, m: &ModuleInner, payload: &Payload<'_>) -> Result<()> {
    let (id, count, offset) = match payload {
        Payload::TypeSection(r) => (id::TYPE, r.count(), r.range().start),
        Payload::ImportSection(r) => (id::IMPORT, r.count(), r.range().start),
        Payload::ExportSection(r) => (id::EXPORT, r.count(), r.range().start),
        Payload::FunctionSection(r) => (id::FUNCTION, r.count(), r.range().start),
        Payload::DataSection(r) => (id::DATA, r.count(), r.range().start),
        Payload::ElementSection(r) => (id::ELEMENT, r.count(), r.range().start),
        _ => return Ok(()),
    };
    check_count(limits, m, id, count, offset)
}

/// Records export `name` of `kind` and `index`.
fn add_export(m: &mut ModuleInner, name: &str, kind: wasmparser::ExternalKind, index: u32) {
    let index = match kind {
        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
            ExternIndex::Func(index)
        }
        wasmparser::ExternalKind::Table => ExternIndex::Table(index),
        wasmparser::ExternalKind::Memory => ExternIndex::Memory(index),
        wasmparser::ExternalKind::Global => ExternIndex::Global(index),
        wasmparser::ExternalKind::Tag => ExternIndex::Tag(index),
    };
    m.exports.push(Export {
        name: name.to_string(),
        index,
    });
}

/// The export section is recorded: its names are put in order for lookups.
fn exports_done(m: &mut ModuleInner) {
    let exports = &m.exports;
    let mut by_name: Vec<u32> = (0..exports.len() as u32).collect();
    heapsort_by(&mut by_name, |&a, &b| {
        exports[a as usize].name < exports[b as usize].name
    });
    m.exports_by_name = by_name;
}

/// Sorts `v` by `less`, in place, in O(n log n) whatever the input. A heapsort: a
/// tenth of the code of the standard library's sorts (which took 1.3 KB of firmware for
/// the exports), and a module's export names are sorted once, when it loads.
fn heapsort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    // Moves `v[root]` down the heap `v[..end]` until both its children are not greater.
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// A module refused as invalid may only need what the engine's tier was built without
/// (`vm::LeftOut`): then the error says so, rather than what the validator saw. Out of
/// line, so that its second parse's frame is not the loader's (firmware's stack is 8 KiB).
#[cold]
#[inline(never)]
fn explain_left_out(engine: &Engine, bytes: &[u8], error: Error) -> Error {
    // Invalid, or (the own validator's word for an operator its features turn off) outside
    // the profile without a proposal named.
    let invalid = match &error {
        Error::Module(e) => e,
        Error::Unsupported(e) if e.code() == Some(Why::OutsideProfile) => e,
        _ => return error,
    };
    let features = engine.config().features;
    for left_out in engine.executor().left_out() {
        // The loader's own pass, so that no second validator is built into firmware.
        let mut parse = Parse::new(engine, ModuleBytes::Owned(bytes.into()));
        parse.features = features.union(left_out.features);
        if parse.run().is_ok() {
            // Without the `messages` feature, the proposal's name alone (what the issue
            // asks a refusal to name), and none of the template.
            #[cfg(feature = "messages")]
            let message = crate::text!(
                "the module uses {}, which this build of wisp leaves out ({})",
                left_out.what,
                left_out.why
            );
            #[cfg(not(feature = "messages"))]
            let message = String::from(left_out.what);
            return Error::Unsupported(ModuleError {
                message: message.into(),
                offset: invalid.offset,
            });
        }
    }
    error
}

/// One pass over the binary: validate each payload, then record what it says.
struct Parse<'e> {
    engine: &'e Engine,
    bytes: ModuleBytes,
    /// What the validator accepts: the engine's configuration's.
    features: wasmparser::WasmFeatures,
    /// Single-pass loading: translate each body as wisp's own validator reads it
    /// (`Executor::body_sink`), for a module that is kept and translated eagerly. Only
    /// the own validator's loading asks for it; wasmparser's ignores it.
    translate: bool,
}

impl<'e> Parse<'e> {
    fn new(engine: &'e Engine, bytes: ModuleBytes) -> Self {
        let features = engine.config().features;
        Parse {
            engine,
            bytes,
            features,
            translate: false,
        }
    }

    fn run(self) -> Result<ModuleInner> {
        let config = self.engine.config();
        let own_validator = cfg!(feature = "own-validator") || config.own_validator;
        let mut m = ModuleInner {
            engine: self.engine.clone(),
            name: None,
            bytes: ModuleBytes::Static(&[]),
            types: Vec::new(),
            type_ids: Vec::new(),
            imports: Vec::new(),
            funcs: Vec::new(),
            num_imported_funcs: 0,
            tables: Vec::new(),
            num_imported_tables: 0,
            table_inits: Vec::new(),
            memories: Vec::new(),
            num_imported_memories: 0,
            globals: Vec::new(),
            num_imported_globals: 0,
            global_inits: Vec::new(),
            tags: Vec::new(),
            num_imported_tags: 0,
            exports: Vec::new(),
            exports_by_name: Vec::new(),
            start: None,
            elements: Vec::new(),
            data: Vec::new(),
            bodies: Vec::new(),
            func_names: Names::default(),
            tag_names: Names::default(),
            interp_data: spin::Once::new(),
            jit_data: spin::Once::new(),
            translated_at_load: spin::Mutex::new(Vec::new()),
            native_code: Box::default(),
        };
        let mut totals = Totals::default();
        let bytes = &*self.bytes;
        if own_validator {
            self.run_own(&mut m, &mut totals, bytes)?;
        } else {
            // wasmparser's `Parser` and validator and its bodies' allocations. With the
            // `own-validator` feature none of it is built, not even the drop of an empty
            // validator (its maps' and type lists' drop glue took 1.6 KiB of firmware).
            #[cfg(not(feature = "own-validator"))]
            {
                let limits = &config.module_limits;
                let mut validator = wasmparser::Validator::new_with_features(self.features);
                let mut allocs = wasmparser::FuncValidatorAllocations::default();
                // Whether an operator can push a `v128` below other values it pushes
                // (computed at the first body, when the types and tags are known).
                #[cfg(feature = "simd")]
                let mut vectors_below: Option<bool> = None;
                for payload in Parser::new(0).parse_all(bytes) {
                    let payload = payload?;
                    check_counts(limits, &m, &payload)?;
                    let valid = validator.payload(&payload)?;
                    if let wasmparser::ValidPayload::Func(to_validate, body) = valid {
                        let mut fv = to_validate.into_validator(core::mem::take(&mut allocs));
                        #[cfg(feature = "simd")]
                        let below = *vectors_below.get_or_insert_with(|| vectors_below_top(&m));
                        #[cfg(not(feature = "simd"))]
                        let below = false;
                        let info = validate_body(&mut fv, &body, config, below)?;
                        m.bodies.push(info);
                        allocs = fv.into_allocations();
                        continue;
                    }
                    self.record(&mut m, &mut totals, payload)?;
                }
            }
        }
        // Tiers encode table and memory indices in 16 bits.
        if m.tables.len() > usize::from(u16::MAX) || m.memories.len() > usize::from(u16::MAX) {
            return Err(Error::Limit(ModuleError {
                message: "more than 65535 tables or memories".into(),
                offset: 0,
            }));
        }
        // Moved, not cloned: a second copy of the whole binary cost a module-sized
        // allocation, its page faults and a memcpy on every load.
        m.bytes = self.bytes;
        if self.engine.executor().native() {
            m.native_code = (0..m.bodies.len())
                .map(|_| AtomicPtr::new(core::ptr::null_mut()))
                .collect();
        }
        Ok(m)
    }

    /// Loading with wisp's own validator (`Config::own_validator`, and always with the
    /// `own-validator` feature): wisp's framing (`crate::framing`), each section checked by
    /// `validate::Sections` around recording it (`record_own`), and each body validated,
    /// and with `translate` translated, in the same pass.
    fn run_own(&self, m: &mut ModuleInner, totals: &mut Totals, bytes: &[u8]) -> Result<()> {
        let config = self.engine.config();
        // The data count section's count, and the bodies' context, made at the first body.
        let mut data_count = None;
        let mut cx: Option<crate::validate::Context> = None;
        let mut sections = crate::validate::Sections::default();
        for section in crate::framing::Framing::new(bytes) {
            let section = section?;
            match section {
                Section::Items {
                    id, count, start, ..
                } => check_count(&config.module_limits, m, id, count, start as u64)?,
                Section::DataCount { count, .. } => data_count = Some(count),
                Section::CodeEntry { body, start } => {
                    let features = &self.features;
                    let cx = cx.get_or_insert_with(|| {
                        crate::validate::Context::new(m, data_count, features)
                    });
                    let def = m.bodies.len() as u32;
                    let func = m.num_imported_funcs + def;
                    // Single-pass loading: the tier translates the body as it validates.
                    let mut sink = match self.translate {
                        true => self.engine.executor().body_sink(m, def, body.len()),
                        false => None,
                    };
                    let info = own_body(cx, m, func, (body, start), config, sink.as_deref_mut())?;
                    let code = sink.and_then(|sink| sink.finish(info.max_stack_height));
                    m.bodies.push(info);
                    if self.translate {
                        m.translated_at_load.get_mut().push(code);
                    }
                    continue;
                }
                _ => {}
            }
            let added = sections.before(&section)?;
            // What the module keeps no form for is outside the profile, however the
            // loader words it (the proposal's name, when the reader knew it).
            if let Err(e) = self.record_own(m, totals, section) {
                return Err(match e {
                    Error::Unsupported(e) if e.code().is_none() => {
                        outside(Why::OutsideProfile, e.offset)
                    }
                    e => e,
                });
            }
            sections.after(m, added, &self.features)?;
        }
        Ok(())
    }

    /// Records what `section` says into `m`, each section's items read by wisp's decoder,
    /// so that firmware links no other.
    // Out of line, like the validator's steps: inlined into `run_own`, their locals would
    // all share one frame, which is the deepest a board's stack gets.
    #[inline(never)]
    fn record_own(
        &self,
        m: &mut ModuleInner,
        totals: &mut Totals,
        section: Section<'_>,
    ) -> Result<()> {
        match section {
            Section::Items {
                id, data, start, ..
            } => {
                let mut r = OwnReader::new(data, start, self.features.multi_memory());
                match id {
                    id::TYPE => self.own_types(m, r)?,
                    id::IMPORT => self.own_imports(m, r)?,
                    id::FUNCTION => {
                        for _ in 0..r.var_u32()? {
                            m.funcs.push(r.var_u32()?);
                        }
                        section_end(&r)?;
                    }
                    id::MEMORY => {
                        let base = r.original_position();
                        for _ in 0..r.var_u32()? {
                            m.memories
                                .push(self.memory_type(own_memory_type(&mut r)?, base)?);
                        }
                        section_end(&r)?;
                    }
                    id::EXPORT => {
                        for _ in 0..r.var_u32()? {
                            let name = own_name(&mut r)?;
                            let kind = own_external_kind(&mut r)?;
                            add_export(m, name, kind, r.var_u32()?);
                        }
                        section_end(&r)?;
                        exports_done(m);
                    }
                    id::TABLE => self.own_tables(m, r)?,
                    id::GLOBAL => self.own_globals(m, r)?,
                    id::ELEMENT => self.own_elements(m, totals, r)?,
                    id::DATA => self.own_data(m, totals, r)?,
                    // Tags: `validate::Sections` refuses them before they get here.
                    _ => {}
                }
            }
            Section::Start { func, .. } => m.start = Some(func),
            // Only the name section is read; its name was checked when it was framed.
            Section::Custom { data, start } => {
                let mut r = OwnReader::new(data, start, false);
                if own_name(&mut r)? == "name" {
                    // Advisory, as wasmparser's path treats it (`record`).
                    let _ = own_names(m, &mut r);
                }
            }
            Section::DataCount { .. }
            | Section::CodeStart { .. }
            | Section::CodeEntry { .. }
            | Section::End { .. } => {}
        }
        Ok(())
    }

    /// Records what `payload` says into `m`: wasmparser's loading.
    // Out of line, as `record_own` is.
    #[inline(never)]
    #[cfg(not(feature = "own-validator"))]
    fn record(&self, m: &mut ModuleInner, totals: &mut Totals, payload: Payload<'_>) -> Result<()> {
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader.into_iter_with_offsets() {
                    let (offset, group) = group?;
                    for sub in group.into_types() {
                        let wasmparser::CompositeInnerType::Func(f) = &sub.composite_type.inner
                        else {
                            return Err(unsupported("GC type", offset));
                        };
                        self.add_func_type(m, f.params(), f.results(), offset)?;
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let end = reader.range().end;
                for import in reader.into_imports_with_offsets() {
                    let (offset, import) = import?;
                    self.add_import(m, import.module, import.name, import.ty, offset)?;
                }
                self.imports_done(m, end)?;
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                let base = reader.range().start;
                for table in reader {
                    let table = table?;
                    m.tables.push(self.table_type(table.ty, &m.type_ids, base)?);
                    m.table_inits.push(match table.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(ConstExpr::parse(&e, &m.type_ids)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                let base = reader.range().start;
                for mem in reader {
                    m.memories.push(self.memory_type(mem?, base)?);
                }
            }
            Payload::GlobalSection(reader) => {
                let base = reader.range().start;
                for g in reader {
                    let g = g?;
                    m.globals.push(global_type(g.ty, &m.type_ids, base)?);
                    m.global_inits
                        .push(ConstExpr::parse(&g.init_expr, &m.type_ids)?);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e?;
                    add_export(m, e.name, e.kind, e.index);
                }
                exports_done(m);
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem?;
                    let offset = elem.range.start;
                    let mode = match elem.kind {
                        wasmparser::ElementKind::Passive => ElementMode::Passive,
                        wasmparser::ElementKind::Declared => ElementMode::Declared,
                        wasmparser::ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElementMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::parse(&offset_expr, &m.type_ids)?,
                        },
                    };
                    let count = match &elem.items {
                        wasmparser::ElementItems::Functions(funcs) => funcs.count(),
                        wasmparser::ElementItems::Expressions(_, exprs) => exprs.count(),
                    };
                    self.count_element_items(totals, count, offset)?;
                    let (ty, items) = match elem.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            let items = funcs
                                .into_iter()
                                .map(|f| {
                                    Ok(ConstExpr {
                                        ops: Box::new([ConstOp::RefFunc(f?)]),
                                    })
                                })
                                .collect::<Result<Vec<_>>>()?;
                            (RefType::FUNCREF, items)
                        }
                        wasmparser::ElementItems::Expressions(ty, exprs) => {
                            let items = exprs
                                .into_iter()
                                .map(|e| ConstExpr::parse(&e?, &m.type_ids))
                                .collect::<Result<Vec<_>>>()?;
                            (ref_type(ty, &m.type_ids, offset)?, items)
                        }
                    };
                    m.elements.push(ElementSegment {
                        mode,
                        ty,
                        items: items.into(),
                    });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let start = data.data.as_ptr() as usize - self.bytes.as_ptr() as usize;
                    self.count_data_bytes(totals, data.data.len(), start)?;
                    let mode = match data.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: ConstExpr::parse(&offset_expr, &m.type_ids)?,
                        },
                    };
                    m.data.push(DataSegment {
                        mode,
                        bytes: start..start + data.data.len(),
                    });
                }
            }
            #[cfg(feature = "exceptions")]
            Payload::TagSection(reader) => {
                for tag in reader {
                    m.tags.push(tag?.func_type_idx);
                }
            }
            // Only the name section is read: wasmparser's `as_known` would parse every
            // custom section it knows (producers, linking, core dumps...) to pick it out,
            // which costs each load.
            Payload::CustomSection(reader) if reader.name() == "name" => {
                let data = wasmparser::BinaryReader::new(reader.data(), reader.data_offset());
                // The name section is advisory: a malformed one is ignored, as the spec
                // asks, rather than failing the module.
                let _ = record_names(m, wasmparser::NameSectionReader::new(data));
            }
            _ => {}
        }
        Ok(())
    }

    /// Records function type `params -> results`, read at `offset`.
    fn add_func_type(
        &self,
        m: &mut ModuleInner,
        params: &[wasmparser::ValType],
        results: &[wasmparser::ValType],
        offset: u64,
    ) -> Result<()> {
        let ids = &m.type_ids;
        let params = params.iter().map(|t| val_type(*t, ids, offset));
        let results = results.iter().map(|t| val_type(*t, ids, offset));
        let ty = FuncType::new(
            params.collect::<Result<Vec<_>>>()?,
            results.collect::<Result<Vec<_>>>()?,
        );
        m.type_ids.push(self.engine.type_id(&ty));
        m.types.push(ty);
        Ok(())
    }

    /// Records import `module::name` of type `ty`, read at `offset`.
    fn add_import(
        &self,
        m: &mut ModuleInner,
        module: &str,
        name: &str,
        ty: wasmparser::TypeRef,
        offset: u64,
    ) -> Result<()> {
        let kind = match ty {
            wasmparser::TypeRef::Func(t) => {
                m.funcs.push(t);
                m.num_imported_funcs += 1;
                ImportKind::Func(t)
            }
            wasmparser::TypeRef::Table(t) => {
                let t = self.table_type(t, &m.type_ids, offset)?;
                m.tables.push(t);
                m.num_imported_tables += 1;
                ImportKind::Table(t)
            }
            wasmparser::TypeRef::Memory(t) => {
                let t = self.memory_type(t, offset)?;
                m.memories.push(t);
                m.num_imported_memories += 1;
                ImportKind::Memory(t)
            }
            wasmparser::TypeRef::Global(t) => {
                let t = global_type(t, &m.type_ids, offset)?;
                m.globals.push(t);
                m.num_imported_globals += 1;
                ImportKind::Global(t)
            }
            #[cfg(feature = "exceptions")]
            wasmparser::TypeRef::Tag(t) => {
                m.tags.push(t.func_type_idx);
                m.num_imported_tags += 1;
                ImportKind::Tag(t.func_type_idx)
            }
            _ => return Err(unsupported("import kind", offset)),
        };
        m.imports.push(Import {
            module: module.to_string(),
            name: name.to_string(),
            kind,
        });
        Ok(())
    }

    /// The import section ended at `end`: imports count against the function limit.
    fn imports_done(&self, m: &ModuleInner, end: u64) -> Result<()> {
        let limits = &self.engine.config().module_limits;
        check_module(
            "functions",
            m.funcs.len() as u64,
            limits.functions.into(),
            end,
        )
    }

    /// The type section, read by wisp's decoder: function types only (`0x60`, then
    /// parameters and results, at most 1,000 each as wasmparser bounds them); recursion
    /// groups, subtypes and GC's composite types are outside the profile.
    fn own_types(&self, m: &mut ModuleInner, mut r: OwnReader<'_>) -> Result<()> {
        for _ in 0..r.var_u32()? {
            let offset = r.original_position();
            match r.byte()? {
                0x60 => {}
                // rec, sub, sub final, struct, array: GC's; cont: stack switching's;
                // shared: shared-everything threads'; descriptors.
                0x4E | 0x50 | 0x4F | 0x5F | 0x5E => return Err(outside(Why::Gc, offset)),
                0x5D => return Err(outside(Why::StackSwitching, offset)),
                0x65 => return Err(outside(Why::Threads, offset)),
                0x4C | 0x4D => return Err(outside(Why::OutsideProfile, offset)),
                _ => return Err(malformed(offset)),
            }
            let types = |r: &mut OwnReader<'_>| -> Result<Vec<wasmparser::ValType>> {
                let at = r.original_position();
                let count = r.var_u32()?;
                if count > 1_000 {
                    return Err(malformed(at));
                }
                (0..count).map(|_| Ok(r.val_type()?)).collect()
            };
            let params = types(&mut r)?;
            let results = types(&mut r)?;
            self.add_func_type(m, &params, &results, offset)?;
        }
        section_end(&r)
    }

    /// The import section, read by wisp's decoder: each import's module and name, then
    /// its kind and type. (The compact encodings, an empty name before `0x7F` or `0x7E`,
    /// are a proposal outside the profile.)
    fn own_imports(&self, m: &mut ModuleInner, mut r: OwnReader<'_>) -> Result<()> {
        for _ in 0..r.var_u32()? {
            let offset = r.original_position();
            let module = own_name(&mut r)?;
            let name = own_name(&mut r)?;
            if name.is_empty() && matches!(r.peek()?, 0x7E | 0x7F) {
                return Err(outside(Why::OutsideProfile, r.original_position()));
            }
            let ty = match own_external_kind(&mut r)? {
                wasmparser::ExternalKind::Func => wasmparser::TypeRef::Func(r.var_u32()?),
                wasmparser::ExternalKind::Table => {
                    wasmparser::TypeRef::Table(own_table_type(&mut r)?)
                }
                wasmparser::ExternalKind::Memory => {
                    wasmparser::TypeRef::Memory(own_memory_type(&mut r)?)
                }
                wasmparser::ExternalKind::Global => {
                    wasmparser::TypeRef::Global(own_global_type(&mut r)?)
                }
                // `own_external_kind` refuses the others.
                _ => return Err(outside(Why::OutsideProfile, offset)),
            };
            self.add_import(m, module, name, ty, offset)?;
        }
        section_end(&r)?;
        self.imports_done(m, r.original_position())
    }

    /// Counts an element segment's `count` items against the module's limit, before they
    /// are read (`offset`: the segment's).
    fn count_element_items(&self, totals: &mut Totals, count: u32, offset: u64) -> Result<()> {
        totals.element_items += u64::from(count);
        let limit = self.engine.config().module_limits.element_items;
        check_module("element items", totals.element_items, limit, offset)
    }

    /// Counts a data segment's `len` bytes, at `start`, against the module's limit.
    fn count_data_bytes(&self, totals: &mut Totals, len: usize, start: usize) -> Result<()> {
        totals.data_bytes += len as u64;
        let limit = self.engine.config().module_limits.data_bytes;
        check_module("data segment bytes", totals.data_bytes, limit, start as u64)
    }

    /// The table section, read by wisp's decoder: each table's type, and its
    /// initialiser if it has one (`0x40 0x00` before the type).
    fn own_tables(&self, m: &mut ModuleInner, mut r: OwnReader<'_>) -> Result<()> {
        let base = r.original_position();
        for _ in 0..r.var_u32()? {
            let init = r.peek()? == 0x40;
            if init {
                r.byte()?;
                if r.byte()? != 0x00 {
                    return Err(malformed(r.original_position() - 1));
                }
            }
            let ty = own_table_type(&mut r)?;
            m.tables.push(self.table_type(ty, &m.type_ids, base)?);
            let init = if init {
                Some(ConstExpr::read(&mut r, &m.type_ids)?)
            } else {
                None
            };
            m.table_inits.push(init);
        }
        section_end(&r)
    }

    /// The global section, read by wisp's decoder.
    fn own_globals(&self, m: &mut ModuleInner, mut r: OwnReader<'_>) -> Result<()> {
        let base = r.original_position();
        for _ in 0..r.var_u32()? {
            let ty = own_global_type(&mut r)?;
            m.globals.push(global_type(ty, &m.type_ids, base)?);
            m.global_inits.push(ConstExpr::read(&mut r, &m.type_ids)?);
        }
        section_end(&r)
    }

    /// The element section, read by wisp's decoder: flags (bit 0 passive or declared,
    /// bit 1 a table index or declared, bit 2 expressions rather than function indices),
    /// then per the flags a table, an offset, a kind or type, and the items.
    fn own_elements(
        &self,
        m: &mut ModuleInner,
        totals: &mut Totals,
        mut r: OwnReader<'_>,
    ) -> Result<()> {
        for _ in 0..r.var_u32()? {
            let offset = r.original_position();
            let flags = r.var_u32()?;
            if flags & !0b111 != 0 {
                return Err(malformed(r.original_position() - 1));
            }
            let mode = match flags & 0b011 {
                0b001 => ElementMode::Passive,
                0b011 => ElementMode::Declared,
                _ => {
                    let table = if flags & 0b010 != 0 { r.var_u32()? } else { 0 };
                    let offset = ConstExpr::read(&mut r, &m.type_ids)?;
                    ElementMode::Active { table, offset }
                }
            };
            let exprs = flags & 0b100 != 0;
            // Flags 0 and 4 (active in table 0) name no type: functions'.
            let ty = if flags & 0b011 == 0 {
                RefType::FUNCREF
            } else if exprs {
                ref_type(r.ref_type()?, &m.type_ids, offset)?
            } else {
                // An element kind: only functions' (0x00) exists.
                if r.byte()? != 0x00 {
                    return Err(malformed(r.original_position() - 1));
                }
                RefType::FUNCREF
            };
            let at = r.original_position();
            let count = r.var_u32()?;
            // Each item takes a byte at least: a count beyond the bytes left cannot be
            // met, and is refused before room for it is allocated.
            if count as usize > r.remaining() {
                return Err(malformed(at));
            }
            self.count_element_items(totals, count, offset)?;
            let items = (0..count)
                .map(|_| match exprs {
                    true => ConstExpr::read(&mut r, &m.type_ids),
                    false => Ok(ConstExpr {
                        ops: Box::new([ConstOp::RefFunc(r.var_u32()?)]),
                    }),
                })
                .collect::<Result<Vec<_>>>()?;
            m.elements.push(ElementSegment {
                mode,
                ty,
                items: items.into(),
            });
        }
        section_end(&r)
    }

    /// The data section, read by wisp's decoder: flags (0 active in memory 0, 1 passive,
    /// 2 active in a memory named next), the offset of an active one, then the bytes.
    fn own_data(
        &self,
        m: &mut ModuleInner,
        totals: &mut Totals,
        mut r: OwnReader<'_>,
    ) -> Result<()> {
        for _ in 0..r.var_u32()? {
            let at = r.original_position();
            let mode = match r.var_u32()? {
                1 => DataMode::Passive,
                flags @ (0 | 2) => {
                    let memory = if flags == 2 { r.var_u32()? } else { 0 };
                    let offset = ConstExpr::read(&mut r, &m.type_ids)?;
                    DataMode::Active { memory, offset }
                }
                _ => return Err(malformed(at)),
            };
            let len = r.var_u32()?;
            let start = r.original_position() as usize;
            r.slice(len)?;
            self.count_data_bytes(totals, len as usize, start)?;
            m.data.push(DataSegment {
                mode,
                bytes: start..start + len as usize,
            });
        }
        section_end(&r)
    }

    fn table_type(
        &self,
        t: wasmparser::TableType,
        type_ids: &[u32],
        offset: u64,
    ) -> Result<TableType> {
        if t.shared {
            return Err(unsupported("shared table", offset));
        }
        // wasmparser's validator refuses these first; wisp's own meets them here.
        let too_large = |n: u64| n > u64::from(u32::MAX);
        if !t.table64 && (too_large(t.initial) || t.maximum.is_some_and(too_large)) {
            let why = crate::validate::Why::TableTooLarge;
            return Err(crate::validate::Invalid::new(why, offset).into());
        }
        Ok(TableType {
            element: ref_type(t.element_type, type_ids, offset)?,
            min: t.initial,
            max: t.maximum,
            table64: t.table64,
        })
    }

    fn memory_type(&self, t: wasmparser::MemoryType, offset: u64) -> Result<MemoryType> {
        if t.shared && !crate::memory::SHARED_MEMORIES {
            return Err(unsupported(
                "shared memory (this build or target has no threads: it needs `std` and \
                 64-bit atomics)",
                offset,
            ));
        }
        Ok(MemoryType {
            min: t.initial,
            max: t.maximum,
            page_size_log2: t.page_size_log2() as u8,
            memory64: t.memory64,
            shared: t.shared,
        })
    }
}

fn global_type(t: wasmparser::GlobalType, type_ids: &[u32], offset: u64) -> Result<GlobalType> {
    if t.shared {
        return Err(unsupported("shared global", offset));
    }
    Ok(GlobalType {
        content: val_type(t.content_type, type_ids, offset)?,
        mutability: if t.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

/// wisp's decoder, as the loader uses it for sections (`Parse::own_reader`).
type OwnReader<'a> = crate::operators::Reader<'a>;

/// A table type, read by wisp's decoder: the element type, then flags (bit 0 a maximum
/// follows, bit 1 shared, bit 2 64-bit) and the limits (64-bit ones for a 64-bit table, as
/// wasmparser reads them with memory64 on); a shared or 64-bit table is then refused,
/// outside the profile.
fn own_table_type(r: &mut OwnReader<'_>) -> Result<wasmparser::TableType> {
    let element_type = r.ref_type()?;
    let at = r.original_position();
    let flags = r.byte()?;
    if flags & !0b111 != 0 {
        return Err(malformed(at));
    }
    let initial = limit(r, flags)?;
    let maximum = match flags & 0b001 {
        0 => None,
        _ => Some(limit(r, flags)?),
    };
    shared_or_64(flags, at)?;
    Ok(wasmparser::TableType {
        element_type,
        table64: false,
        initial,
        maximum,
        shared: false,
    })
}

/// A table's or memory's limit: 64 bits wide when its limits flags (`flags`, bit 2) say
/// it is a 64-bit one, else 32.
fn limit(r: &mut OwnReader<'_>, flags: u8) -> Result<u64> {
    Ok(match flags & 0b100 {
        0 => r.var_u32()?.into(),
        _ => r.var_u64()?,
    })
}

/// Refuses a table's or memory's limits flags (at `at`) that ask for a shared one
/// (threads, bit 1) or a 64-bit one (memory64 and table64, bit 2): outside the profile.
/// Called once the type is decoded whole, so that a malformed one is refused as such.
fn shared_or_64(flags: u8, at: u64) -> Result<()> {
    match flags & 0b110 {
        0 => Ok(()),
        0b010 => Err(outside(Why::Threads, at)),
        _ => Err(outside(Why::Memory64, at)),
    }
}

/// A section read by wisp's decoder must end where its last item does.
fn section_end(r: &OwnReader<'_>) -> Result<()> {
    match r.eof() {
        true => Ok(()),
        false => Err(malformed(r.original_position())),
    }
}

/// A global type, read by wisp's decoder: the value type, then flags (bit 0 mutable,
/// bit 1 shared).
fn own_global_type(r: &mut OwnReader<'_>) -> Result<wasmparser::GlobalType> {
    let content_type = r.val_type()?;
    let flags = r.byte()?;
    if flags > 0b11 {
        return Err(malformed(r.original_position() - 1));
    }
    Ok(wasmparser::GlobalType {
        content_type,
        mutable: flags & 0b01 != 0,
        shared: flags & 0b10 != 0,
    })
}

/// A memory type, read by wisp's decoder: flags (bit 0 a maximum follows, bit 1 shared,
/// bit 2 64-bit, bit 3 a page size follows), the limits (`limit`), and the page size's
/// log2, below 64.
fn own_memory_type(r: &mut OwnReader<'_>) -> Result<wasmparser::MemoryType> {
    let at = r.original_position();
    let flags = r.byte()?;
    if flags & !0b1111 != 0 {
        return Err(malformed(at));
    }
    let initial = limit(r, flags)?;
    let maximum = match flags & 0b0001 {
        0 => None,
        _ => Some(limit(r, flags)?),
    };
    let page_size_log2 = match flags & 0b1000 {
        0 => None,
        _ => match r.var_u32()? {
            log2 if log2 < 64 => Some(log2),
            _ => return Err(malformed(at)),
        },
    };
    shared_or_64(flags, at)?;
    Ok(wasmparser::MemoryType {
        memory64: false,
        shared: false,
        initial,
        maximum,
        page_size_log2,
    })
}

/// An import's or export's kind, read by wisp's decoder: a function, table, memory or
/// global; a tag (exceptions) or an exact function (custom descriptors) is outside the
/// profile.
fn own_external_kind(r: &mut OwnReader<'_>) -> Result<wasmparser::ExternalKind> {
    let at = r.original_position();
    Ok(match r.byte()? {
        0x00 => wasmparser::ExternalKind::Func,
        0x01 => wasmparser::ExternalKind::Table,
        0x02 => wasmparser::ExternalKind::Memory,
        0x03 => wasmparser::ExternalKind::Global,
        0x04 => return Err(outside(Why::ExceptionHandling, at)),
        0x20 => return Err(outside(Why::OutsideProfile, at)),
        _ => return Err(malformed(at)),
    })
}

/// A name, read by wisp's decoder: a length, at most 100,000 as wasmparser bounds it,
/// then that many bytes of UTF-8.
pub(crate) fn own_name<'a>(r: &mut OwnReader<'a>) -> Result<&'a str> {
    let at = r.original_position();
    let len = r.var_u32()?;
    if len > 100_000 {
        return Err(malformed(at));
    }
    crate::operators::utf8(r.slice(len)?).ok_or_else(|| malformed(at))
}

/// The name section's names, read by wisp's decoder (the own validator's loading): the
/// module's name (subsection 0), the functions' (1) and, with exceptions, the tags' (11);
/// other subsections are skipped. It stops at the first malformed byte, keeping the names
/// read: the section is advisory.
fn own_names(m: &mut ModuleInner, r: &mut OwnReader<'_>) -> Result<()> {
    while !r.eof() {
        let id = r.byte()?;
        let len = r.var_u32()?;
        let base = r.original_position() as usize;
        let mut sub = OwnReader::new(r.slice(len)?, base, false);
        let names = match id {
            0 => {
                m.name = Some(own_name(&mut sub)?.to_string());
                continue;
            }
            1 => &mut m.func_names,
            #[cfg(feature = "exceptions")]
            11 => &mut m.tag_names,
            _ => continue,
        };
        for _ in 0..sub.var_u32()? {
            let index = sub.var_u32()?;
            names.push(index, own_name(&mut sub)?)?;
        }
    }
    Ok(())
}

/// Something outside the firmware profile, at `offset`: `why` names the proposal where
/// it is known (`Why::is_outside_profile`).
fn outside(why: Why, offset: u64) -> Error {
    crate::validate::Invalid::new(why, offset).into()
}

/// Bytes that do not decode, at `offset`.
fn malformed(offset: u64) -> Error {
    crate::validate::Invalid::new(crate::validate::Why::Malformed, offset).into()
}

/// Names from the name section, by index (of a function, a tag): kept in the section's
/// order, which the format makes ascending, and searched by halving.
#[derive(Debug, Default)]
pub struct Names(Vec<(u32, String)>);

impl Names {
    /// The name of index `index`.
    pub fn get(&self, index: &u32) -> Option<&String> {
        let at = self.0.binary_search_by_key(index, |(i, _)| *i).ok()?;
        Some(&self.0[at].1)
    }

    /// Adds a name; one out of order (or repeated) makes the map malformed, and the whole
    /// map is dropped, as the spec has a malformed name section ignored.
    fn push(&mut self, index: u32, name: &str) -> Result<()> {
        if self.0.last().is_some_and(|(last, _)| *last >= index) {
            self.0.clear();
            return Err(unsupported("names out of order", 0));
        }
        self.0.push((index, name.to_string()));
        Ok(())
    }
}

#[cfg(not(feature = "own-validator"))]
fn record_names(m: &mut ModuleInner, names: wasmparser::NameSectionReader<'_>) -> Result<()> {
    for name in names {
        match name? {
            wasmparser::Name::Module { name, .. } => m.name = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    m.func_names.push(naming.index, naming.name)?;
                }
            }
            #[cfg(feature = "exceptions")]
            wasmparser::Name::Tag(map) => {
                for naming in map {
                    let naming = naming?;
                    m.tag_names.push(naming.index, naming.name)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether some operator of `m` can push a `v128` that is not the top value it leaves: a
/// call or block end with several results, one of them a `v128`, or a `catch` of a tag with
/// a `v128` among its values. Without one, every `v128` an operator pushes is on top of
/// the stack right after it, which is how `validate_body` finds the functions that hold
/// one (`FuncBody::vector`).
#[cfg(all(feature = "simd", not(feature = "own-validator")))]
fn vectors_below_top(m: &ModuleInner) -> bool {
    let has_v128 = |tys: &[ValType]| tys.contains(&ValType::V128);
    m.types
        .iter()
        .any(|t| t.results().len() > 1 && has_v128(t.results()))
        || m.tags.iter().any(|&t| {
            m.types
                .get(t as usize)
                .is_some_and(|t| has_v128(t.params()))
        })
}

/// `validate_body` with wisp's validator (`Config::own_validator`): the same facts, the
/// same limits.
#[inline(never)]
fn own_body(
    cx: &crate::validate::Context,
    m: &ModuleInner,
    func: u32,
    (body, start): (&[u8], usize),
    config: &crate::engine::Config,
    sink: Option<&mut (dyn crate::vm::BodySink + '_)>,
) -> Result<FuncBody> {
    let limits = &config.module_limits;
    let ty = m.func_type(func);
    let facts = crate::validate::func_body(cx, func, ty, body, start, limits.nesting, sink)?;
    if facts.num_locals > limits.locals {
        let (count, limit) = (facts.num_locals.into(), limits.locals.into());
        return Err(func_limit("locals", func, count, limit, start as u64));
    }
    let frame = u64::from(facts.num_locals) + u64::from(facts.max_stack_height) + 1;
    let max_frame = config.max_frame_slots.into();
    if frame > max_frame {
        return Err(func_limit(
            "frame slots",
            func,
            frame,
            max_frame,
            start as u64,
        ));
    }
    Ok(FuncBody {
        range: start..facts.end,
        num_locals: facts.num_locals,
        max_stack_height: facts.max_stack_height,
        tail_calls: facts.tail_calls,
        #[cfg(feature = "simd")]
        vector: false,
    })
}

/// Validates one function body operator by operator, measuring its frame on the way and
/// holding it to the limits on locals, nesting and frame size. `vectors_below`: see
/// `vectors_below_top`.
#[cfg(not(feature = "own-validator"))]
fn validate_body(
    fv: &mut wasmparser::FuncValidator<wasmparser::ValidatorResources>,
    body: &wasmparser::FunctionBody<'_>,
    config: &crate::engine::Config,
    vectors_below: bool,
) -> Result<FuncBody> {
    let limits = &config.module_limits;
    let func = fv.index();
    let mut reader = body.get_binary_reader();
    let start = reader.original_position();
    // The validator refuses more than 50,000 locals (the JS API's bound) itself, as
    // malformed, which the spec's tests expect; below that, what it reads and keeps is
    // bounded, so the configured limit is checked after it.
    fv.read_locals(&mut reader)?;
    let num_locals = fv.len_locals();
    if num_locals > limits.locals {
        let (count, limit) = (num_locals.into(), limits.locals.into());
        return Err(func_limit("locals", func, count, limit, start));
    }
    // Locals and parameters in slots: a `v128` takes two. (Without SIMD no `v128`
    // validates, and none of this is built.)
    #[cfg_attr(not(feature = "simd"), allow(unused_mut))]
    let mut local_slots = u64::from(num_locals);
    #[cfg_attr(not(feature = "simd"), allow(unused_mut))]
    let mut vector = cfg!(feature = "simd") && vectors_below;
    #[cfg(feature = "simd")]
    for i in 0..num_locals {
        if fv.get_local_type(i) == Some(wasmparser::ValType::V128) {
            local_slots += 1;
            vector = true;
        }
    }
    let mut max_height = 0u32;
    let mut tail_calls = false;
    // The function's own block is the first control frame.
    let max_control = limits.nesting.saturating_add(1);
    let mut ops = wasmparser::OperatorsReader::new(reader);
    while !ops.eof() {
        // The visitor validates without building an `Operator` first.
        let offset = ops.original_position();
        // An operator's first byte is its opcode; these three are single-byte ones.
        let opcode = ops.get_binary_reader().read_u8().ok();
        tail_calls |= matches!(opcode, Some(0x12 | 0x13 | 0x15));
        ops.visit_operator(&mut fv.visitor(offset))??;
        max_height = max_height.max(fv.operand_stack_height());
        // Every `v128` is on top right after the operator pushing it (`vectors_below`).
        #[cfg(feature = "simd")]
        {
            vector |= fv.get_operand_type(0) == Some(Some(wasmparser::ValType::V128));
        }
        if fv.control_stack_height() > max_control {
            let depth = u64::from(fv.control_stack_height()) - 1;
            let limit = limits.nesting.into();
            return Err(func_limit("nested blocks", func, depth, limit, offset));
        }
    }
    ops.finish()?;
    let end = ops.original_position();
    // Headroom: a call's results may exceed the height its arguments reached (by two slots
    // for a `v128`). Operand positions take two slots where a `v128` can be one.
    let per_operand = if vector { 2 } else { 1 };
    let frame = local_slots + per_operand * (u64::from(max_height) + 1);
    let max_frame = config.max_frame_slots.into();
    if frame > max_frame {
        return Err(func_limit("frame slots", func, frame, max_frame, start));
    }
    Ok(FuncBody {
        range: start as usize..end as usize,
        num_locals,
        max_stack_height: max_height,
        tail_calls,
        #[cfg(feature = "simd")]
        vector,
    })
}

#[cfg(test)]
mod tests {
    use super::heapsort_by;
    use alloc::vec::Vec;

    #[test]
    fn heapsort_sorts_inputs_of_every_length_and_shape() {
        for len in 0..64u32 {
            let shapes: [Vec<u32>; 4] = [
                (0..len).collect(),
                (0..len).rev().collect(),
                (0..len).map(|i| i % 3).collect(),
                (0..len)
                    .map(|i| i.wrapping_mul(2_654_435_761) % 101)
                    .collect(),
            ];
            for mut v in shapes {
                let mut expected = v.clone();
                expected.sort_unstable();
                heapsort_by(&mut v, |a, b| a < b);
                assert_eq!(v, expected);
            }
        }
    }
}
