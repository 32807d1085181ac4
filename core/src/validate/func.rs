//! Validation of one function body, operator by operator: the algorithm of the spec's
//! appendix (an operand stack of possibly unknown types and a stack of control frames),
//! for the firmware profile (`super`). It reads the operators the translator reads, so a
//! loader can validate and translate in the same pass.
//!
//! Invariant kept here: `operands` never shrinks below the innermost frame's `height`;
//! an operand popped from an unreachable frame's empty stack is `Unknown`, which matches
//! every type. The highest `operands` ever gets is the body's `max_stack_height`, the
//! same figure as wasmparser's (both follow the appendix), which the tiers size frames by.

use alloc::vec::Vec;
use wasmparser::{BlockType, MemArg};

use crate::operators::Operator;

use super::{Context, Invalid, Why};
use crate::types::{FuncType, RefType, ValType};

/// A block's type, without allocating: empty, one result, or a module type (by index,
/// checked when the block opened). `Body` is the function's own block: its type's
/// results, and no parameters.
#[derive(Clone, Copy, PartialEq)]
enum Sig {
    Empty,
    One(ValType),
    Type(u32),
    Body(u32),
}

impl Sig {
    fn params<'a>(&'a self, cx: &'a Context) -> &'a [ValType] {
        match self {
            Sig::Type(i) => cx.types[*i as usize].params(),
            Sig::Empty | Sig::One(_) | Sig::Body(_) => &[],
        }
    }

    fn results<'a>(&'a self, cx: &'a Context) -> &'a [ValType] {
        match self {
            Sig::Empty => &[],
            Sig::One(t) => core::slice::from_ref(t),
            Sig::Type(i) | Sig::Body(i) => cx.types[*i as usize].results(),
        }
    }
}

/// An operand's type: known, or unknown (popped from an unreachable frame's empty stack).
type Operand = Option<ValType>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Block,
    Loop,
    If,
    Else,
}

struct Frame {
    kind: FrameKind,
    /// The block's type.
    sig: Sig,
    /// Operand stack height when the block was entered, below its parameters.
    height: usize,
    /// The rest of the block cannot be reached (after `br`, `return`, `unreachable`...).
    unreachable: bool,
}

/// What a branch to a label carries: its frame's type, and whether that is a loop's
/// (which takes its parameters).
#[derive(Clone, Copy)]
struct LabelTypes {
    sig: Sig,
    params: bool,
}

impl LabelTypes {
    fn types<'a>(&'a self, cx: &'a Context) -> &'a [ValType] {
        if self.params {
            self.sig.params(cx)
        } else {
            self.sig.results(cx)
        }
    }
}

/// The state of one function body's validation.
pub struct FuncValidator<'c> {
    cx: &'c Context,
    /// The function's type index: its results are what `return` carries.
    func_type: u32,
    /// Every local's type, parameters first.
    locals: Vec<ValType>,
    operands: Vec<Operand>,
    frames: Vec<Frame>,
    max_height: usize,
    /// The function's outermost frame has ended: no operator may follow.
    finished: bool,
    /// Byte offset of the operator being validated, for errors.
    offset: u64,
}

impl<'c> FuncValidator<'c> {
    /// Starts validating a body of module type `func_type` (an index checked by the
    /// loader) whose locals (parameters first) are `locals`.
    pub fn new(cx: &'c Context, func_type: u32, locals: Vec<ValType>) -> Self {
        let mut v = FuncValidator {
            cx,
            func_type,
            locals,
            operands: Vec::new(),
            frames: Vec::new(),
            max_height: 0,
            finished: false,
            offset: 0,
        };
        v.frames.push(Frame {
            kind: FrameKind::Block,
            sig: Sig::Body(func_type),
            height: 0,
            unreachable: false,
        });
        v
    }

    /// The highest the operand stack got.
    pub fn max_height(&self) -> u32 {
        self.max_height as u32
    }

    /// How many control frames are open.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    /// Checks that the body ended where it should: after the `end` of its outermost
    /// frame, at `offset`.
    pub fn finish(&self, offset: u64) -> Result<(), Invalid> {
        if self.finished {
            Ok(())
        } else {
            Err(Invalid::new(Why::BodyNotEnded, offset))
        }
    }

    fn err<T>(&self, why: Why) -> Result<T, Invalid> {
        Err(Invalid::new(why, self.offset))
    }

    fn push(&mut self, ty: ValType) {
        self.operands.push(Some(ty));
        self.max_height = self.max_height.max(self.operands.len());
    }

    fn push_operand(&mut self, ty: Operand) {
        self.operands.push(ty);
        self.max_height = self.max_height.max(self.operands.len());
    }

    fn push_all(&mut self, types: &[ValType]) {
        for &t in types {
            self.push(t);
        }
    }

    /// Pops any operand.
    fn pop_any(&mut self) -> Result<Operand, Invalid> {
        let frame = self
            .frames
            .last()
            .expect("a frame is open while operators come");
        if self.operands.len() == frame.height {
            if frame.unreachable {
                return Ok(None);
            }
            return self.err(Why::StackEmpty);
        }
        Ok(self.operands.pop().flatten())
    }

    /// Pops an operand of type `expected` (or of a subtype).
    fn pop(&mut self, expected: ValType) -> Result<Operand, Invalid> {
        let actual = self.pop_any()?;
        match actual {
            Some(t) if !t.matches(expected) => self.err(Why::TypeMismatch),
            _ => Ok(actual),
        }
    }

    fn pop_all(&mut self, types: &[ValType]) -> Result<(), Invalid> {
        for &t in types.iter().rev() {
            self.pop(t)?;
        }
        Ok(())
    }

    /// Pops a reference of any type.
    fn pop_ref(&mut self) -> Result<Operand, Invalid> {
        match self.pop_any()? {
            Some(t) if !t.is_ref() => self.err(Why::TypeMismatch),
            t => Ok(t),
        }
    }

    /// Enters a block: its parameters move from the enclosing frame's stack to its own.
    fn push_frame(&mut self, kind: FrameKind, sig: Sig) -> Result<(), Invalid> {
        let cx = self.cx;
        self.pop_all(sig.params(cx))?;
        self.open_frame(kind, sig);
        Ok(())
    }

    /// Opens a frame on the current stack, with its parameters pushed.
    fn open_frame(&mut self, kind: FrameKind, sig: Sig) {
        let height = self.operands.len();
        let cx = self.cx;
        self.push_all(sig.params(cx));
        self.frames.push(Frame {
            kind,
            sig,
            height,
            unreachable: false,
        });
    }

    /// Closes the innermost frame: its results must be exactly what is on its stack.
    fn pop_frame(&mut self) -> Result<Frame, Invalid> {
        let Some(frame) = self.frames.last() else {
            return self.err(Why::OperatorAfterEnd);
        };
        let (sig, height) = (frame.sig, frame.height);
        let cx = self.cx;
        self.pop_all(sig.results(cx))?;
        if self.operands.len() != height {
            return self.err(Why::ValuesRemain);
        }
        Ok(self.frames.pop().expect("checked above"))
    }

    /// The rest of the innermost frame cannot be reached.
    fn set_unreachable(&mut self) {
        let frame = self.frames.last_mut().expect("a frame is open");
        self.operands.truncate(frame.height);
        frame.unreachable = true;
    }

    /// The frame a branch of relative depth `depth` targets.
    fn label(&self, depth: u32) -> Result<&Frame, Invalid> {
        let n = self.frames.len();
        match (depth as usize).checked_add(1).filter(|&d| d <= n) {
            Some(d) => Ok(&self.frames[n - d]),
            None => self.err(Why::UnknownLabel),
        }
    }

    /// The types a branch of relative depth `depth` carries: a loop's parameters, any
    /// other block's results.
    fn label_types(&self, depth: u32) -> Result<LabelTypes, Invalid> {
        let frame = self.label(depth)?;
        Ok(LabelTypes {
            sig: frame.sig,
            params: frame.kind == FrameKind::Loop,
        })
    }

    fn block_type(&self, ty: BlockType) -> Result<Sig, Invalid> {
        match ty {
            BlockType::Empty => Ok(Sig::Empty),
            BlockType::Type(t) => Ok(Sig::One(self.cx.val_type(t, self.offset)?)),
            BlockType::FuncType(i) if (i as usize) < self.cx.types.len() => Ok(Sig::Type(i)),
            BlockType::FuncType(_) => self.err(Why::UnknownType),
        }
    }

    fn local(&self, index: u32) -> Result<ValType, Invalid> {
        match self.locals.get(index as usize) {
            Some(&t) => Ok(t),
            None => self.err(Why::UnknownLocal),
        }
    }

    /// Function `func`'s type. (Borrowed from the context, not from `self`, so that the
    /// operand stack can change while it is read.)
    fn func_type(&self, func: u32) -> Result<&'c FuncType, Invalid> {
        let cx: &'c Context = self.cx;
        match cx.funcs.get(func as usize) {
            Some(&t) => Ok(&cx.types[t as usize]),
            None => self.err(Why::UnknownFunction),
        }
    }

    fn type_at(&self, index: u32) -> Result<&'c FuncType, Invalid> {
        let cx: &'c Context = self.cx;
        match cx.types.get(index as usize) {
            Some(t) => Ok(t),
            None => self.err(Why::UnknownType),
        }
    }

    fn table(&self, table: u32) -> Result<RefType, Invalid> {
        match self.cx.tables.get(table as usize) {
            Some(t) => Ok(t.element),
            None => self.err(Why::UnknownTable),
        }
    }

    fn memory(&self, memory: u32) -> Result<(), Invalid> {
        if (memory as usize) < self.cx.memories.len() {
            Ok(())
        } else {
            self.err(Why::UnknownMemory)
        }
    }

    fn elem(&self, elem: u32) -> Result<RefType, Invalid> {
        match self.cx.elements.get(elem as usize) {
            Some(&t) => Ok(t),
            None => self.err(Why::UnknownElem),
        }
    }

    fn data(&self, data: u32) -> Result<(), Invalid> {
        match self.cx.data_count {
            None => self.err(Why::DataCountMissing),
            Some(n) if data >= n => self.err(Why::UnknownData),
            Some(_) => Ok(()),
        }
    }

    /// A load's or store's memory argument: its memory exists, its alignment is at most
    /// the access's natural one, its offset fits a 32-bit memory's addresses.
    fn memarg(&self, memarg: &MemArg) -> Result<(), Invalid> {
        let wasmparser::MemArgTarget::Memory(memory) = memarg.target else {
            return self.err(Why::OutsideProfile);
        };
        // Shared-everything threads' memory orderings.
        if memarg.ordering.is_some() {
            return self.err(Why::Threads);
        }
        self.memory(memory)?;
        if memarg.align > memarg.max_align {
            return self.err(Why::Alignment);
        }
        if memarg.offset > u64::from(u32::MAX) {
            return self.err(Why::OffsetTooLarge);
        }
        Ok(())
    }

    fn call(&mut self, ty: &FuncType) -> Result<(), Invalid> {
        self.pop_all(ty.params())?;
        self.push_all(ty.results());
        Ok(())
    }

    /// A tail call's callee must return what this function returns.
    fn tail_call(&mut self, ty: &FuncType) -> Result<(), Invalid> {
        self.pop_all(ty.params())?;
        let cx: &'c Context = self.cx;
        let ours = cx.types[self.func_type as usize].results();
        let fits = ty.results().len() == ours.len()
            && ty.results().iter().zip(ours).all(|(a, b)| a.matches(*b));
        if !fits {
            return self.err(Why::TypeMismatch);
        }
        self.set_unreachable();
        Ok(())
    }

    fn indirect_table(&self, table: u32) -> Result<(), Invalid> {
        if self.table(table)?.matches(RefType::FUNCREF) {
            Ok(())
        } else {
            self.err(Why::TypeMismatch)
        }
    }

    /// Validates `op`, found at byte `offset`.
    pub fn op(&mut self, op: &Operator<'_>, offset: u64) -> Result<(), Invalid> {
        use Operator as O;
        use ValType::{F32, F64, I32, I64};
        let cx: &'c Context = self.cx;
        self.offset = offset;
        if self.finished {
            return self.err(Why::OperatorAfterEnd);
        }
        if let Some((params, result)) = numeric(op) {
            let float = |t: &ValType| matches!(t, F32 | F64);
            if !self.cx.floats && (float(&result) || params.iter().any(float)) {
                return self.err(Why::FloatsDisabled);
            }
            self.pop_all(params)?;
            self.push(result);
            return Ok(());
        }
        match *op {
            O::F32Const { .. }
            | O::F64Const { .. }
            | O::F32Load { .. }
            | O::F64Load { .. }
            | O::F32Store { .. }
            | O::F64Store { .. }
                if !self.cx.floats =>
            {
                return self.err(Why::FloatsDisabled)
            }
            O::Unreachable => self.set_unreachable(),
            O::Nop => {}
            O::Block { blockty } => {
                let ty = self.block_type(blockty)?;
                self.push_frame(FrameKind::Block, ty)?;
            }
            O::Loop { blockty } => {
                let ty = self.block_type(blockty)?;
                self.push_frame(FrameKind::Loop, ty)?;
            }
            O::If { blockty } => {
                let ty = self.block_type(blockty)?;
                self.pop(I32)?;
                self.push_frame(FrameKind::If, ty)?;
            }
            O::Else => {
                if self.frames.last().map(|f| f.kind) != Some(FrameKind::If) {
                    return self.err(Why::ElseWithoutIf);
                }
                let frame = self.pop_frame()?;
                self.open_frame(FrameKind::Else, frame.sig);
            }
            O::End => {
                let frame = self.pop_frame()?;
                let cx = self.cx;
                // An `if` without `else` passes its parameters through the missing arm.
                if frame.kind == FrameKind::If && frame.sig.params(cx) != frame.sig.results(cx) {
                    return self.err(Why::TypeMismatch);
                }
                self.push_all(frame.sig.results(cx));
                if self.frames.is_empty() {
                    self.finished = true;
                }
            }
            O::Br { relative_depth } => {
                let ty = self.label_types(relative_depth)?;
                self.pop_all(ty.types(cx))?;
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => {
                self.pop(I32)?;
                let ty = self.label_types(relative_depth)?;
                self.pop_all(ty.types(cx))?;
                self.push_all(ty.types(cx));
            }
            O::BrTable { ref targets } => {
                self.pop(I32)?;
                let default = self.label_types(targets.default())?;
                let arity = default.types(cx).len();
                for target in targets.targets() {
                    let target = target.map_err(|_| Invalid::new(Why::Malformed, offset))?;
                    let ty = self.label_types(target)?;
                    if ty.types(cx).len() != arity {
                        return self.err(Why::TypeMismatch);
                    }
                    // Each label's types checked against the same operands, which stay.
                    let mut popped = Vec::with_capacity(arity);
                    for &t in ty.types(cx).iter().rev() {
                        popped.push(self.pop(t)?);
                    }
                    for t in popped.into_iter().rev() {
                        self.push_operand(t);
                    }
                }
                self.pop_all(default.types(cx))?;
                self.set_unreachable();
            }
            O::Return => {
                self.pop_all(cx.types[self.func_type as usize].results())?;
                self.set_unreachable();
            }
            O::Call { function_index } => {
                let ty = self.func_type(function_index)?;
                self.call(ty)?;
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                self.indirect_table(table_index)?;
                let ty = self.type_at(type_index)?;
                self.pop(I32)?;
                self.call(ty)?;
            }
            O::ReturnCall { function_index } if self.cx.tail_call => {
                let ty = self.func_type(function_index)?;
                self.tail_call(ty)?;
            }
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } if self.cx.tail_call => {
                self.indirect_table(table_index)?;
                let ty = self.type_at(type_index)?;
                self.pop(I32)?;
                self.tail_call(ty)?;
            }
            O::Drop => {
                self.pop_any()?;
            }
            O::Select => {
                self.pop(I32)?;
                let a = self.pop_any()?;
                let b = self.pop_any()?;
                // Without a type, only numbers (or unknowns) may be selected.
                if a.is_some_and(ValType::is_ref) || b.is_some_and(ValType::is_ref) {
                    return self.err(Why::TypeMismatch);
                }
                if a.is_some() && b.is_some() && a != b {
                    return self.err(Why::TypeMismatch);
                }
                self.push_operand(a.or(b));
            }
            O::TypedSelect { ty } => {
                let ty = self.cx.val_type(ty, offset)?;
                self.pop(I32)?;
                self.pop(ty)?;
                self.pop(ty)?;
                self.push(ty);
            }
            O::LocalGet { local_index } => {
                let ty = self.local(local_index)?;
                self.push(ty);
            }
            O::LocalSet { local_index } => {
                let ty = self.local(local_index)?;
                self.pop(ty)?;
            }
            O::LocalTee { local_index } => {
                let ty = self.local(local_index)?;
                self.pop(ty)?;
                self.push(ty);
            }
            O::GlobalGet { global_index } => match self.cx.globals.get(global_index as usize) {
                Some(g) => self.push(g.content),
                None => return self.err(Why::UnknownGlobal),
            },
            O::GlobalSet { global_index } => {
                let Some(g) = self.cx.globals.get(global_index as usize) else {
                    return self.err(Why::UnknownGlobal);
                };
                if g.mutability != crate::types::Mutability::Var {
                    return self.err(Why::ImmutableGlobal);
                }
                self.pop(g.content)?;
            }
            O::I32Load { memarg }
            | O::I32Load8S { memarg }
            | O::I32Load8U { memarg }
            | O::I32Load16S { memarg }
            | O::I32Load16U { memarg } => self.load(&memarg, I32)?,
            O::I64Load { memarg }
            | O::I64Load8S { memarg }
            | O::I64Load8U { memarg }
            | O::I64Load16S { memarg }
            | O::I64Load16U { memarg }
            | O::I64Load32S { memarg }
            | O::I64Load32U { memarg } => self.load(&memarg, I64)?,
            O::F32Load { memarg } => self.load(&memarg, F32)?,
            O::F64Load { memarg } => self.load(&memarg, F64)?,
            O::I32Store { memarg } | O::I32Store8 { memarg } | O::I32Store16 { memarg } => {
                self.store(&memarg, I32)?
            }
            O::I64Store { memarg }
            | O::I64Store8 { memarg }
            | O::I64Store16 { memarg }
            | O::I64Store32 { memarg } => self.store(&memarg, I64)?,
            O::F32Store { memarg } => self.store(&memarg, F32)?,
            O::F64Store { memarg } => self.store(&memarg, F64)?,
            O::MemorySize { mem } => {
                self.memory(mem)?;
                self.push(I32);
            }
            O::MemoryGrow { mem } => {
                self.memory(mem)?;
                self.pop(I32)?;
                self.push(I32);
            }
            O::MemoryFill { mem } => {
                self.memory(mem)?;
                self.pop_all(&[I32, I32, I32])?;
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                self.memory(dst_mem)?;
                self.memory(src_mem)?;
                self.pop_all(&[I32, I32, I32])?;
            }
            O::MemoryInit { data_index, mem } => {
                self.memory(mem)?;
                self.data(data_index)?;
                self.pop_all(&[I32, I32, I32])?;
            }
            O::DataDrop { data_index } => self.data(data_index)?,
            O::I32Const { .. } => self.push(I32),
            O::I64Const { .. } => self.push(I64),
            O::F32Const { .. } => self.push(F32),
            O::F64Const { .. } => self.push(F64),
            O::RefNull { hty } => {
                let heap = self.cx.heap_type(hty, offset)?;
                self.push(ValType::Ref(RefType::new(true, heap)));
            }
            O::RefIsNull => {
                self.pop_ref()?;
                self.push(I32);
            }
            O::RefFunc { function_index } => {
                self.func_type(function_index)?;
                if !self.cx.declared(function_index) {
                    return self.err(Why::UndeclaredFuncRef);
                }
                self.push(ValType::FUNCREF);
            }
            O::TableGet { table } => {
                let elem = self.table(table)?;
                self.pop(I32)?;
                self.push(elem.into());
            }
            O::TableSet { table } => {
                let elem = self.table(table)?;
                self.pop(elem.into())?;
                self.pop(I32)?;
            }
            O::TableSize { table } => {
                self.table(table)?;
                self.push(I32);
            }
            O::TableGrow { table } => {
                let elem = self.table(table)?;
                self.pop(I32)?;
                self.pop(elem.into())?;
                self.push(I32);
            }
            O::TableFill { table } => {
                let elem = self.table(table)?;
                self.pop(I32)?;
                self.pop(elem.into())?;
                self.pop(I32)?;
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let dst = self.table(dst_table)?;
                let src = self.table(src_table)?;
                if !src.matches(dst) {
                    return self.err(Why::TypeMismatch);
                }
                self.pop_all(&[I32, I32, I32])?;
            }
            O::TableInit { elem_index, table } => {
                let dst = self.table(table)?;
                let src = self.elem(elem_index)?;
                if !src.matches(dst) {
                    return self.err(Why::TypeMismatch);
                }
                self.pop_all(&[I32, I32, I32])?;
            }
            O::ElemDrop { elem_index } => {
                self.elem(elem_index)?;
            }
            _ => return self.err(Why::OutsideProfile),
        }
        Ok(())
    }

    fn load(&mut self, memarg: &MemArg, ty: ValType) -> Result<(), Invalid> {
        self.memarg(memarg)?;
        self.pop(ValType::I32)?;
        self.push(ty);
        Ok(())
    }

    fn store(&mut self, memarg: &MemArg, ty: ValType) -> Result<(), Invalid> {
        self.memarg(memarg)?;
        self.pop(ty)?;
        self.pop(ValType::I32)?;
        Ok(())
    }
}

/// The operand and result types of a numeric operator (constants aside), or `None` for
/// any other operator.
fn numeric(op: &Operator<'_>) -> Option<(&'static [ValType], ValType)> {
    use Operator as O;
    use ValType::{F32, F64, I32, I64};
    const I32_1: &[ValType] = &[I32];
    const I32_2: &[ValType] = &[I32, I32];
    const I64_1: &[ValType] = &[I64];
    const I64_2: &[ValType] = &[I64, I64];
    const F32_1: &[ValType] = &[F32];
    const F32_2: &[ValType] = &[F32, F32];
    const F64_1: &[ValType] = &[F64];
    const F64_2: &[ValType] = &[F64, F64];
    Some(match op {
        O::I32Eqz | O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I32Extend8S | O::I32Extend16S => {
            (I32_1, I32)
        }
        O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU
        | O::I32Add
        | O::I32Sub
        | O::I32Mul
        | O::I32DivS
        | O::I32DivU
        | O::I32RemS
        | O::I32RemU
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr => (I32_2, I32),
        O::I64Eqz | O::I32WrapI64 => (I64_1, I32),
        O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU => (I64_2, I32),
        O::I64Clz
        | O::I64Ctz
        | O::I64Popcnt
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => (I64_1, I64),
        O::I64Add
        | O::I64Sub
        | O::I64Mul
        | O::I64DivS
        | O::I64DivU
        | O::I64RemS
        | O::I64RemU
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr => (I64_2, I64),
        O::F32Eq | O::F32Ne | O::F32Lt | O::F32Gt | O::F32Le | O::F32Ge => (F32_2, I32),
        O::F64Eq | O::F64Ne | O::F64Lt | O::F64Gt | O::F64Le | O::F64Ge => (F64_2, I32),
        O::F32Abs
        | O::F32Neg
        | O::F32Ceil
        | O::F32Floor
        | O::F32Trunc
        | O::F32Nearest
        | O::F32Sqrt => (F32_1, F32),
        O::F32Add | O::F32Sub | O::F32Mul | O::F32Div | O::F32Min | O::F32Max | O::F32Copysign => {
            (F32_2, F32)
        }
        O::F64Abs
        | O::F64Neg
        | O::F64Ceil
        | O::F64Floor
        | O::F64Trunc
        | O::F64Nearest
        | O::F64Sqrt => (F64_1, F64),
        O::F64Add | O::F64Sub | O::F64Mul | O::F64Div | O::F64Min | O::F64Max | O::F64Copysign => {
            (F64_2, F64)
        }
        O::I32TruncF32S
        | O::I32TruncF32U
        | O::I32TruncSatF32S
        | O::I32TruncSatF32U
        | O::I32ReinterpretF32 => (F32_1, I32),
        O::I32TruncF64S | O::I32TruncF64U | O::I32TruncSatF64S | O::I32TruncSatF64U => (F64_1, I32),
        O::I64ExtendI32S | O::I64ExtendI32U => (I32_1, I64),
        O::I64TruncF32S | O::I64TruncF32U | O::I64TruncSatF32S | O::I64TruncSatF32U => (F32_1, I64),
        O::I64TruncF64S
        | O::I64TruncF64U
        | O::I64TruncSatF64S
        | O::I64TruncSatF64U
        | O::I64ReinterpretF64 => (F64_1, I64),
        O::F32ConvertI32S | O::F32ConvertI32U | O::F32ReinterpretI32 => (I32_1, F32),
        O::F32ConvertI64S | O::F32ConvertI64U => (I64_1, F32),
        O::F32DemoteF64 => (F64_1, F32),
        O::F64ConvertI32S | O::F64ConvertI32U => (I32_1, F64),
        O::F64ConvertI64S | O::F64ConvertI64U | O::F64ReinterpretI64 => (I64_1, F64),
        O::F64PromoteF32 => (F32_1, F64),
        _ => return None,
    })
}
