//! wisp's own validator for the firmware profile (issue 21): Wasm 2.0 without SIMD, plus
//! multiple memories, extended constant expressions, custom page sizes and tail calls.
//! A module outside the profile is refused with [`Why::OutsideProfile`].
//!
//! It exists so that firmware need not link wasmparser's validator, which carries every
//! proposal behind runtime flags. Today it validates function bodies
//! ([`Config::own_validator`](crate::Config::own_validator)) in `func.rs`, and sections in
//! `sections.rs`. The sections' framing (`crate::framing`), bodies and every section's
//! items are decoded by wisp's code (`crate::operators`, and the loader's `own_*` readers);
//! of wasmparser only its readers of a section's count, a custom section's name and the
//! name section are left. Errors are codes with byte offsets, formatted only where an
//! error is shown.

mod func;
mod sections;

use alloc::vec::Vec;

pub use func::FuncValidator;
pub use sections::{Added, Sections};

use crate::module::{ConstOp, ModuleInner};
use crate::operators::Operator;
use crate::types::{FuncType, GlobalType, HeapType, MemoryType, RefType, TableType, ValType};

/// Why a module is invalid: one code per rule, with no text until it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Why {
    /// An operator or type the firmware profile leaves out (SIMD, GC, exceptions...).
    OutsideProfile,
    /// An operand of the wrong type.
    TypeMismatch,
    /// An operand popped from an empty stack.
    StackEmpty,
    /// A block ended with values left over.
    ValuesRemain,
    /// A branch to a label that is not open.
    UnknownLabel,
    /// A reference to a type index that does not exist.
    UnknownType,
    /// A reference to a function that does not exist.
    UnknownFunction,
    /// A reference to a local that does not exist.
    UnknownLocal,
    /// A reference to a global that does not exist.
    UnknownGlobal,
    /// A reference to a table that does not exist.
    UnknownTable,
    /// A reference to a memory that does not exist.
    UnknownMemory,
    /// A reference to an element segment that does not exist.
    UnknownElem,
    /// A reference to a data segment that does not exist.
    UnknownData,
    /// `memory.init` or `data.drop` without a data count section.
    DataCountMissing,
    /// `global.set` of an immutable global.
    ImmutableGlobal,
    /// An access aligned more than its natural alignment.
    Alignment,
    /// A static offset beyond a 32-bit memory's addresses.
    OffsetTooLarge,
    /// `ref.func` of a function not declared outside function bodies.
    UndeclaredFuncRef,
    /// `else` outside an `if`.
    ElseWithoutIf,
    /// An operator after the body's final `end`.
    OperatorAfterEnd,
    /// The body's bytes ran out before its final `end`.
    BodyNotEnded,
    /// More locals than the binary format allows.
    TooManyLocals,
    /// Bytes that do not decode.
    Malformed,
    /// A section out of order, or twice.
    SectionOrder,
    /// A data count section whose count is not the data section's.
    DataCountMismatch,
    /// A code section whose count is not the function section's.
    FuncCodeMismatch,
    /// An export of something that does not exist.
    UnknownExport,
    /// Two exports of one name.
    DuplicateExport,
    /// A start function that takes or returns values.
    StartType,
    /// Limits whose minimum is above their maximum.
    LimitsMinAboveMax,
    /// A page size the custom-page-sizes proposal does not allow.
    PageSize,
    /// A memory larger than 4 GiB.
    MemoryTooLarge,
    /// More than one memory without the multi-memory proposal.
    MultipleMemories,
    /// A non-constant operator, or a global it may not read, in a constant expression.
    ConstantRequired,
    /// A 32-bit table larger than 2^32 - 1 elements.
    TableTooLarge,
    /// A float type or operator where the engine's features leave floats out (the
    /// `no-float` builds): invalid for this engine, so that the loader can say which
    /// feature the module needs (`explain_left_out`).
    FloatsDisabled,
    /// Not a core module's header: another magic number, or another version (a
    /// component's).
    Header,
    /// A section or code entry whose size runs past the bytes holding it.
    UnexpectedEnd,
    // The proposals outside the firmware profile that a refusal names (issue 21): what
    // `OutsideProfile` says when the decoder or validator knows which. After the other
    // rules, so that their numbers stay as they were.
    /// Fixed-width or relaxed SIMD: `v128`, the `0xFD` operators.
    Simd,
    /// Threads: atomics (the `0xFE` operators), shared memories and types.
    Threads,
    /// Exception handling: tags, `try_table`, `throw`, `exnref`, the legacy `try`.
    ExceptionHandling,
    /// Typed function references: `(ref $t)`, `call_ref`, `br_on_null`, table
    /// initialisers.
    FunctionReferences,
    /// Garbage collection: its types, heap types and the `0xFB` operators.
    Gc,
    /// memory64 and table64: 64-bit memories and tables.
    Memory64,
    /// Wide arithmetic: `i64.add128` and its kin.
    WideArithmetic,
    /// Stack switching: continuations and their operators.
    StackSwitching,
}

impl Why {
    /// The rule's number, which is what a build without the `messages` feature shows:
    /// its position in this enum's declaration, starting at 0 (`OutsideProfile`).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// What the rule says, for people (the `messages` feature's).
    #[cfg(feature = "messages")]
    pub fn describe(self) -> &'static str {
        match self {
            Why::OutsideProfile => "operator or type outside the firmware profile",
            Why::TypeMismatch => "type mismatch",
            Why::StackEmpty => "type mismatch: operand stack empty",
            Why::ValuesRemain => "type mismatch: values remain on the stack at end of block",
            Why::UnknownLabel => "unknown label",
            Why::UnknownType => "unknown type",
            Why::UnknownFunction => "unknown function",
            Why::UnknownLocal => "unknown local",
            Why::UnknownGlobal => "unknown global",
            Why::UnknownTable => "unknown table",
            Why::UnknownMemory => "unknown memory",
            Why::UnknownElem => "unknown elem segment",
            Why::UnknownData => "unknown data segment",
            Why::DataCountMissing => "data count section required",
            Why::ImmutableGlobal => "global is immutable",
            Why::Alignment => "alignment must not be larger than natural",
            Why::OffsetTooLarge => "offset out of range",
            Why::UndeclaredFuncRef => "undeclared function reference",
            Why::ElseWithoutIf => "else found outside of an `if` block",
            Why::OperatorAfterEnd => "operators remaining after end of function",
            Why::BodyNotEnded => "control frames remain at end of function",
            Why::TooManyLocals => "too many locals",
            Why::Malformed => "malformed operator",
            Why::SectionOrder => "section out of order",
            Why::DataCountMismatch => "data count and data section have inconsistent lengths",
            Why::FuncCodeMismatch => "function and code section have inconsistent lengths",
            Why::UnknownExport => "unknown export index",
            Why::DuplicateExport => "duplicate export name",
            Why::StartType => "invalid start function type",
            Why::LimitsMinAboveMax => "size minimum must not be greater than maximum",
            Why::PageSize => "invalid custom page size",
            Why::MemoryTooLarge => "memory size must be at most 4 GiB",
            Why::MultipleMemories => "multiple memories",
            Why::ConstantRequired => "constant expression required",
            Why::TableTooLarge => "table size must be at most 2^32-1",
            Why::FloatsDisabled => "floating-point support is disabled",
            Why::Header => "not a core module's magic number and version",
            Why::UnexpectedEnd => "unexpected end-of-file",
            Why::Simd => "SIMD is outside the firmware profile",
            Why::Threads => "threads (atomics, shared memories) are outside the firmware profile",
            Why::ExceptionHandling => "exception handling is outside the firmware profile",
            Why::FunctionReferences => "typed function references are outside the firmware profile",
            Why::Gc => "garbage collection is outside the firmware profile",
            Why::Memory64 => "memory64 and table64 are outside the firmware profile",
            Why::WideArithmetic => "wide arithmetic is outside the firmware profile",
            Why::StackSwitching => "stack switching is outside the firmware profile",
        }
    }

    /// Whether the rule is that the module uses something outside the firmware profile:
    /// [`OutsideProfile`](Why::OutsideProfile), or one of the proposals named after it
    /// ([`Simd`](Why::Simd) to [`StackSwitching`](Why::StackSwitching)). Such a module
    /// is refused as `Error::Unsupported`, not as invalid.
    pub fn is_outside_profile(self) -> bool {
        self == Why::OutsideProfile || self as u8 >= Why::Simd as u8
    }
}

/// A module found invalid: why, and where (a byte offset into the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid {
    /// The rule broken.
    pub why: Why,
    /// Where in the binary.
    pub offset: u64,
}

impl Invalid {
    pub(crate) fn new(why: Why, offset: u64) -> Self {
        Invalid { why, offset }
    }
}

impl From<Invalid> for crate::Error {
    // Out of line: it is every `?` of the validator and the own readers, and inlined at
    // each one it costs firmware flash (about 1 KiB on mps2-an386).
    #[inline(never)]
    fn from(e: Invalid) -> Self {
        let error = crate::error::ModuleError {
            message: e.why.into(),
            offset: e.offset,
        };
        if e.why.is_outside_profile() {
            crate::Error::Unsupported(error)
        } else {
            crate::Error::Module(error)
        }
    }
}

/// What a function body may refer to: the module's index spaces, complete before its code
/// section. A copy, so that the loader can go on filling the module while bodies are
/// validated against it.
pub struct Context {
    pub(crate) types: Vec<FuncType>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<TableType>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<GlobalType>,
    /// Each element segment's reference type.
    pub(crate) elements: Vec<RefType>,
    /// The data count section's count, if there is one.
    pub(crate) data_count: Option<u32>,
    /// The functions `ref.func` may name (those referred to outside function bodies), as
    /// a bit per function: no sort, which costs firmware code.
    pub(crate) declared: Vec<u32>,
    /// Whether `return_call` and `return_call_indirect` are allowed.
    pub(crate) tail_call: bool,
    /// Whether memory indices are LEB128 integers rather than a zero byte (multiple
    /// memories), as the decoder reads them.
    pub(crate) multi_memory: bool,
    /// Whether a type or global of the module has a `v128` (SIMD, outside the profile).
    pub(crate) vectors: bool,
    /// Whether float types and operators are allowed (`WasmFeatures::floats`).
    pub(crate) floats: bool,
}

impl Context {
    /// The context of `m`'s function bodies, once every section before its code is in.
    pub fn new(
        m: &ModuleInner,
        data_count: Option<u32>,
        features: &wasmparser::WasmFeatures,
    ) -> Self {
        let mut declared: Vec<u32> = alloc::vec![0; m.funcs.len().div_ceil(32)];
        let mut declare = |f: u32| {
            if let Some(word) = declared.get_mut(f as usize / 32) {
                *word |= 1 << (f % 32);
            }
        };
        let mut note = |ops: &[ConstOp]| {
            for op in ops {
                if let ConstOp::RefFunc(f) = *op {
                    declare(f);
                }
            }
        };
        for e in &m.elements {
            for item in e.items.iter() {
                note(&item.ops);
            }
        }
        for g in &m.global_inits {
            note(&g.ops);
        }
        for t in m.table_inits.iter().flatten() {
            note(&t.ops);
        }
        for e in &m.exports {
            if let crate::module::ExternIndex::Func(f) = e.index {
                declare(f);
            }
        }
        let v128 = |t: &ValType| *t == ValType::V128;
        let vectors = m
            .types
            .iter()
            .any(|t| t.params().iter().chain(t.results()).any(v128))
            || m.globals.iter().any(|g| v128(&g.content));
        Context {
            types: m.types.clone(),
            funcs: m.funcs.clone(),
            tables: m.tables.clone(),
            memories: m.memories.clone(),
            globals: m.globals.clone(),
            elements: m.elements.iter().map(|e| e.ty).collect(),
            data_count,
            declared,
            tail_call: features.tail_call(),
            multi_memory: features.multi_memory(),
            vectors,
            floats: features.floats(),
        }
    }

    fn declared(&self, func: u32) -> bool {
        self.declared
            .get(func as usize / 32)
            .is_some_and(|word| word & (1 << (func % 32)) != 0)
    }

    /// A value type of the profile.
    pub(crate) fn val_type(
        &self,
        ty: wasmparser::ValType,
        offset: u64,
    ) -> Result<ValType, Invalid> {
        use wasmparser::ValType as W;
        Ok(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 | W::F64 if !self.floats => {
                return Err(Invalid::new(Why::FloatsDisabled, offset))
            }
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::Ref(r) if r.is_nullable() => {
                ValType::Ref(RefType::new(true, self.heap_type(r.heap_type(), offset)?))
            }
            _ => return Err(Invalid::new(Why::OutsideProfile, offset)),
        })
    }

    /// A heap type of the profile: `func` or `extern`.
    pub(crate) fn heap_type(
        &self,
        ty: wasmparser::HeapType,
        offset: u64,
    ) -> Result<HeapType, Invalid> {
        use wasmparser::{AbstractHeapType as A, HeapType as H};
        match ty {
            H::Abstract {
                shared: false,
                ty: A::Func,
            } => Ok(HeapType::Func),
            H::Abstract {
                shared: false,
                ty: A::Extern,
            } => Ok(HeapType::Extern),
            _ => Err(Invalid::new(Why::OutsideProfile, offset)),
        }
    }
}

/// Validates the body of function `func`, of type `ty`, with wisp's validator: returns
/// the highest its operand stack gets, whether it makes a tail call, and its number of
/// locals (parameters included). `body` is the code entry's bytes (locals, then the
/// expression), from offset `start` in the module. `max_nesting` bounds the control frames
/// open at once.
pub fn func_body(
    cx: &Context,
    func: u32,
    ty: &FuncType,
    body: &[u8],
    start: usize,
    max_nesting: u32,
    mut sink: Option<&mut (dyn crate::vm::BodySink + '_)>,
) -> Result<BodyFacts, crate::Error> {
    let offset = start as u64;
    if cx.vectors {
        return Err(Invalid::new(Why::Simd, offset).into());
    }
    let mut reader = crate::operators::Reader::new(body, start, cx.multi_memory);
    let mut locals: Vec<ValType> = ty.params().to_vec();
    let mut declared = 0u32;
    reader.read_locals(|count, t| {
        // The binary format's bound (the JS API's), which the spec's tests expect.
        declared = match declared.checked_add(count) {
            Some(n) if n <= 50_000 => n,
            _ => return Err(Invalid::new(Why::TooManyLocals, offset)),
        };
        let valid = cx.val_type(t, offset)?;
        locals.extend(core::iter::repeat_n(valid, count as usize));
        if let Some(sink) = sink.as_deref_mut() {
            sink.locals(count, t);
        }
        Ok(())
    })?;
    let num_locals = locals.len() as u32;
    let mut v = FuncValidator::new(cx, cx.funcs[func as usize], locals);
    let mut tail_calls = false;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        tail_calls |= matches!(
            op,
            Operator::ReturnCall { .. } | Operator::ReturnCallIndirect { .. }
        );
        v.op(&op, offset)?;
        if let Some(sink) = sink.as_deref_mut() {
            sink.op(&op, offset as u32);
        }
        if v.depth() > max_nesting as usize + 1 {
            return Err(crate::limits::func_limit(
                "nested blocks",
                func,
                v.depth() as u64 - 1,
                max_nesting.into(),
                offset,
            ));
        }
    }
    let end = reader.original_position();
    v.finish(end)?;
    Ok(BodyFacts {
        num_locals,
        max_stack_height: v.max_height(),
        tail_calls,
        end: end as usize,
    })
}

/// What validating a body found out.
pub struct BodyFacts {
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// The highest the operand stack got.
    pub max_stack_height: u32,
    /// Whether it makes a tail call.
    pub tail_calls: bool,
    /// The byte offset just past the body.
    pub end: usize,
}
