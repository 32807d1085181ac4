//! Wasm function bodies to register bytecode.
//!
//! The translator walks the (already validated) operators once, keeping a *virtual* operand
//! stack: an entry is either a value in its canonical slot (`Temp`, slot = locals +
//! position), a local that has not been copied anywhere (`Local`), or a constant (`Const`).
//! Instructions read locals and constants straight from where they are, so
//! `local.get a; local.get b; i32.add; local.set c` becomes one `I32Add { dst: c, a, b }`.
//!
//! Invariants:
//! - A `Temp` at position `p` lives in slot `locals + p`; nothing else writes that slot
//!   while the entry is on the stack.
//! - Before a local is written, every `Local` entry naming it is copied to its own slot
//!   ("preserved"), so the stack still sees the old value.
//! - At the entry of every block, loop and if, all `Local` entries are preserved, so a
//!   preservation inside one arm of control flow never leaves another arm reading a slot
//!   that was not written.
//! - Values crossing a branch are copied into the target label's slots (positions from the
//!   label's height up), which are always at or below the copied values' positions, so
//!   copying in ascending order never overwrites a source before it is read.
//!
//! Fuel: with metering on, every basic block (function entry, loop header, each arm of an
//! `if`, each label after `end`) starts with `ConsumeFuel`, charged one unit per wasm
//! operator of the block, up front.

mod exceptions;
mod jumps;
mod ops;

use alloc::vec::Vec;

use wasmparser::{BinaryReaderError, BlockType, FunctionBody, Operator, OperatorsReader};
use wisp_core::dead_code::{DeadCode, Step};
use wisp_core::layout::SlotLayout;
use wisp_core::module::ModuleInner;
use wisp_core::vm::OsrFrame;
use wisp_core::ValType;

use crate::bytecode::{
    encode, encode_with_targets, operator_instr, Clause, CompiledFunc, Group, Instr, Region, Slot,
    Tag,
};

/// Translates defined function `def` of `module`.
/// What the engine's configuration asks the bytecode to check.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Charge fuel per basic block.
    pub fuel: bool,
    /// Check for interruption at function entry and loop headers.
    pub interruptible: bool,
    /// Count calls and loop iterations for tier-up (`Hot`, `HotLoop`), and keep every
    /// operand in its canonical slot from each block's entry (`enter_block`), so a frame
    /// can move to native code at any loop header.
    pub profile: bool,
}

/// Translates defined function `def` and encodes it for the executor.
pub fn translate(module: &ModuleInner, def: u32, options: Options) -> Result<CompiledFunc> {
    let Translation {
        code,
        dying,
        func,
        regions,
        clauses,
    } = translate_instrs(module, def, options)?;
    if !cfg!(feature = "exceptions") {
        // No handlers: nothing keeps instruction indices.
        let code = encode(code, &dying);
        return Ok(CompiledFunc { code, ..func });
    }
    // A release clause's `pad` is a catch slot, not a place in the code.
    let is_pad = |c: &Clause| c.tag != Clause::RELEASE;
    let pads: Vec<usize> = clauses
        .iter()
        .filter(|c| is_pad(c))
        .map(|c| c.pad as usize)
        .collect();
    let (code, at) = encode_with_targets(code, &dying, &pads);
    // Instruction indices to word offsets.
    let word = |i: u32| at[i as usize] as u32;
    Ok(CompiledFunc {
        code,
        regions: regions
            .into_iter()
            .map(|r| Region {
                start: word(r.start),
                end: word(r.end),
                ..r
            })
            .collect(),
        clauses: clauses
            .into_iter()
            .map(|c| Clause {
                pad: if is_pad(&c) { word(c.pad) } else { c.pad },
                ..c
            })
            .collect(),
        ..func
    })
}

/// A function translated but not yet encoded.
pub struct Translation {
    pub code: Vec<Instr>,
    /// Per instruction: its result is a temp that dies with the next read of it
    /// (`Translator::dying`), for `encode` to skip its store when that read is the next
    /// instruction's, from the accumulator.
    pub dying: Vec<bool>,
    /// The rest of the `CompiledFunc`, with no code yet.
    pub func: CompiledFunc,
    /// Exception handling's regions and clauses, with instruction indices where the
    /// `CompiledFunc` has word offsets.
    pub regions: Vec<Region>,
    pub clauses: Vec<Clause>,
}

/// Translates defined function `def`: its instructions before encoding (for inspection).
pub fn translate_instrs(module: &ModuleInner, def: u32, options: Options) -> Result<Translation> {
    // Catch slots go below the operand stack, so their number must be known before the
    // first operand's slot: found by a pass over the body, but only for the functions
    // that turn out to have a legacy `try` (translation starts over when it meets one).
    match translate_with_catch_slots(module, def, options, 0) {
        Err(TranslateError::NeedsCatchSlots) if cfg!(feature = "exceptions") => {
            let catch_slots = module.legacy_catch_slots(def);
            translate_with_catch_slots(module, def, options, catch_slots)
        }
        done => done,
    }
}

/// `translate_instrs`, with room for `catch_slots` catch slots between the locals and the
/// operand stack.
fn translate_with_catch_slots(
    module: &ModuleInner,
    def: u32,
    options: Options,
    catch_slots: u32,
) -> Result<Translation> {
    let body_info = &module.bodies[def as usize];
    let func_index = module.num_imported_funcs + def;
    let ty = module.func_type(func_index);
    let body = FunctionBody::new(wasmparser::BinaryReader::new(
        &module.bytes[body_info.range.clone()],
        body_info.range.start as u64,
    ));
    let num_results = ty.results().len() as u32;
    let locals = locals_layout(ty, &body)?;
    // Slots of the locals: all of the frame below the catch slots and the operand stack.
    let locals_end = locals.end() as u32;
    let mut t = Translator {
        module,
        code: Vec::new(),
        dying: Vec::new(),
        stack: Vec::new(),
        ctrl: Vec::new(),
        // The operand stack starts above the locals and the catch slots.
        locals: locals_end + catch_slots,
        locals_layout: locals,
        reserved_catch_slots: catch_slots,
        last_result: None,
        prev_result: None,
        fuel: options.fuel.then_some(0),
        interruptible: options.interruptible,
        profile: options.profile,
        def,
        offset: 0,
        dead_code: DeadCode::default(),
        const_base: locals_end + catch_slots + body_info.max_stack_height + 1,
        consts: Vec::new(),
        const_index: wisp_core::hash::HashMap::default(),
        copy_mergeable: false,
        regions: Vec::new(),
        region_stack: Vec::new(),
        clauses: Vec::new(),
        pads: Vec::new(),
        catch_depth: 0,
        catch_slots: 0,
        catch_slot_uses: Vec::new(),
    };
    t.push_ctrl_raw(CtrlKind::Block, 0, 0, num_results, 0);
    if t.profile {
        t.emit(Instr::Hot { def });
    }
    t.start_fuel_block();
    t.check_interrupt();
    let mut reader: OperatorsReader<'_> = body.get_operators_reader()?;
    while !reader.eof() {
        t.offset = reader.original_position() as u32;
        let op = reader.read()?;
        t.op(op)?;
    }
    t.emit_pads();
    // The slots legacy `catch` blocks keep their exception in: between the locals and the
    // operand stack, where no callee's frame reaches (a callee's frame starts at its
    // arguments, on the operand stack, and overlaps the caller's frame above them).
    debug_assert!(t.catch_slots <= catch_slots);
    let frame_size = t.const_base + t.consts.len() as u32;
    if frame_size > u32::from(Slot::MAX) + 1 {
        return Err(TranslateError::Unsupported);
    }
    t.place_catch_slots(locals_end as Slot);
    let (regions, clauses) = t.take_handlers();
    jumps::shorten(&mut t.code);
    debug_assert_eq!(t.code.len(), t.dying.len());
    let func = CompiledFunc {
        code: Default::default(),
        frame_size,
        const_base: t.const_base,
        consts: t.consts.into(),
        num_params: ty.param_slots() as u32,
        num_locals: locals_end,
        native: None,
        regions: Default::default(),
        clauses: Default::default(),
    };
    Ok(Translation {
        code: t.code,
        dying: t.dying,
        func,
        regions,
        clauses,
    })
}

#[derive(Debug, Copy, Clone, PartialEq)]
enum Operand {
    /// In its canonical slot.
    Temp,
    /// The current value of this local.
    Local(u32),
    /// A constant; `wide` for 64-bit types (and so `Const64` when materialised).
    Const { value: u64, wide: bool },
}

#[derive(Debug, Copy, Clone, PartialEq)]
enum CtrlKind {
    Block,
    Loop,
    If,
    Else,
    /// A `try_table`: a block whose body is a region (`Ctrl::region`).
    TryTable,
    /// A legacy `try` in its body, a region.
    Try,
    /// A legacy `try` in one of its `catch` blocks, which keep their exception in the
    /// `Ctrl::catch_slot`-th catch slot.
    Catch,
}

#[derive(Debug)]
struct Ctrl {
    kind: CtrlKind,
    /// Operand stack height below the block's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// For loops: where a branch to the label goes.
    head: usize,
    /// Forward branches to the block's end, patched when it is reached.
    fixups: Vec<usize>,
    /// For `if`: the branch to the `else` arm (or the end).
    else_fixup: Option<usize>,
    /// For `if`: the parameter operands, restored for the `else` arm.
    else_operands: Vec<Operand>,
    /// The rest of this block cannot be reached.
    dead: bool,
    /// The `try_table` pads (`Translator::pads`) that branch to this label, told where it
    /// is when the construct ends.
    pads: Vec<usize>,
    /// The region in effect when the construct was entered (`Region::NONE` for none).
    outer_region: u32,
    /// For `TryTable` and `Try`: the body's region.
    region: u32,
    /// For `Catch`: which catch slot the blocks keep their exception in.
    catch_slot: u32,
    /// For `Catch`: the catch block's region, whose one clause lets go of its exception
    /// when another passes out of the block (`Clause::RELEASE`).
    catch_region: u32,
}

impl Ctrl {
    /// How many values a branch to this label carries.
    fn branch_arity(&self) -> u32 {
        if self.kind == CtrlKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// Where each local of the function sits in its frame (parameters first): core's layout,
/// which the JIT's on-stack replacement reads the frame by too (`OsrFrame::locals_layout`).
/// Only widths matter here, so reference types stand in for one another.
fn locals_layout(ty: &wisp_core::FuncType, body: &FunctionBody<'_>) -> Result<SlotLayout> {
    let mut layout = OsrFrame::locals_layout(ty.params().iter().copied());
    for local in body.get_locals_reader()? {
        let (count, ty) = local?;
        let ty = match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(_) => ValType::FUNCREF,
        };
        for _ in 0..count {
            layout.push(ty);
        }
    }
    Ok(layout)
}

struct Translator<'m> {
    module: &'m ModuleInner,
    code: Vec<Instr>,
    /// Beside `code`, one entry per instruction: whether the temp it computed was popped
    /// while it was still the last instruction (`pop`). Such a temp is read once, by the
    /// instruction the popping operator emits, and never after: the operand stack no
    /// longer holds it, and an `else` arm that re-reads the `if`'s parameters starts at a
    /// label. So when that read is the very next instruction's, from the accumulator, the
    /// producer need not store it (`bytecode::encode`).
    dying: Vec<bool>,
    stack: Vec<Operand>,
    ctrl: Vec<Ctrl>,
    /// Where the operand stack starts: past the locals and the catch slots.
    locals: u32,
    /// Each local's slot.
    locals_layout: SlotLayout,
    /// The last instruction, if it wrote a fresh result to this slot and no label has
    /// been bound since: `local.set` can retarget it, `br_if` can fuse with it.
    last_result: Option<(usize, Slot)>,
    /// The same for the instruction before `last_result`'s, when that one was emitted
    /// right after it: `br_if (i32.eqz (i32.and ..))` fuses across the `eqz`.
    prev_result: Option<(usize, Slot)>,
    /// Index of the current block's `ConsumeFuel`, with fuel metering on.
    fuel: Option<usize>,
    interruptible: bool,
    profile: bool,
    /// The function being translated (index among defined functions).
    def: u32,
    /// Byte offset in the module of the operator being translated.
    offset: u32,
    /// Block nesting inside unreachable code.
    dead_code: DeadCode,
    /// First slot of the constant pool: constants operands read in place, in slots above
    /// every local and temp (so nothing else writes them), filled when a frame is pushed.
    const_base: u32,
    consts: Vec<u64>,
    /// Where each constant sits in `consts`, once there are more than a linear search
    /// should go through (`SMALL_POOL`): large generated functions have thousands.
    const_index: wisp_core::hash::HashMap<u64, u32>,
    /// The last instruction is a `Copy` that a following copy may merge into.
    copy_mergeable: bool,
    /// Exception handling (`exceptions.rs`): the regions so far (instruction indices), the
    /// ones in effect here (innermost last), every clause, and the `try_table` clauses'
    /// pads still to emit.
    regions: Vec<Region>,
    region_stack: Vec<u32>,
    /// Each region's clauses (a region's own, since a legacy `try`'s come one `catch` at a
    /// time, between those of `try`s nested in its `catch` blocks).
    clauses: Vec<Vec<Clause>>,
    pads: Vec<exceptions::Pad>,
    /// How many legacy `catch` blocks enclose the current position; the most at once is
    /// how many catch slots the frame needs.
    catch_depth: u32,
    catch_slots: u32,
    /// The catch slots the frame has room for, between the locals and the operand stack
    /// (`translate_instrs`).
    reserved_catch_slots: u32,
    /// Instructions naming a catch slot by number, placed once translation ends
    /// (`place_catch_slots`).
    catch_slot_uses: Vec<usize>,
}

/// The memory a load or store addresses (GC array targets are not enabled).
fn memory_of(memarg: &wasmparser::MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        wasmparser::MemArgTarget::Array(_) => 0,
    }
}

/// Why a function could not be translated. Validation makes both impossible in practice:
/// the body was read once already, and it uses only enabled features.
#[derive(Debug)]
pub enum TranslateError {
    Read(#[allow(dead_code)] BinaryReaderError),
    Unsupported,
    /// A legacy `try` met with no catch slots reserved: translate again with them.
    NeedsCatchSlots,
}

impl From<BinaryReaderError> for TranslateError {
    fn from(e: BinaryReaderError) -> Self {
        TranslateError::Read(e)
    }
}

type Result<T> = core::result::Result<T, TranslateError>;

impl Translator<'_> {
    // ----- slots and operands -------------------------------------------------------

    /// The slot of operand stack position `pos`. Every operand a function can have today
    /// is one slot wide (v128 is refused at load), so positions are slots; SIMD will keep a
    /// running layout of the stack's types here (`OsrFrame::operands_layout`).
    fn slot_at(&self, pos: usize) -> Slot {
        // Fits: module loading refused frames larger than `Slot` can index.
        (self.locals as usize + pos) as Slot
    }

    /// The slot of local `local` (`locals_layout`).
    fn local_slot(&self, local: u32) -> Slot {
        // Fits: as `slot_at`.
        self.locals_layout.offset(local as usize) as Slot
    }

    fn height(&self) -> usize {
        self.stack.len()
    }

    fn push_temp(&mut self) -> Slot {
        let s = self.slot_at(self.stack.len());
        self.stack.push(Operand::Temp);
        s
    }

    fn pop(&mut self) -> (Operand, usize) {
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.stack.len();
        if op == Operand::Temp {
            if let Some(at) = self.producer_of(self.slot_at(pos)) {
                self.dying[at] = true;
            }
        }
        (op, pos)
    }

    fn emit(&mut self, instr: Instr) -> usize {
        self.code.push(instr);
        self.dying.push(false);
        self.last_result = None;
        self.code.len() - 1
    }

    /// Emits `dst = src`, merged into the previous instruction when that is a lone copy
    /// and no label lies between them. A second copy reading what the first wrote reads
    /// the first's source instead, as `Copy2` requires; the two still run as in sequence.
    fn emit_slot_copy(&mut self, dst: Slot, src: Slot) {
        if self.copy_mergeable {
            if let Some(Instr::Copy {
                dst: dst0,
                src: src0,
            }) = self.code.last().copied()
            {
                *self.code.last_mut().expect("checked above") = Instr::Copy2 {
                    dst0,
                    src0,
                    dst1: dst,
                    src1: if src == dst0 { src0 } else { src },
                };
                self.copy_mergeable = false;
                self.last_result = None;
                return;
            }
        }
        self.emit(Instr::Copy { dst, src });
        self.copy_mergeable = true;
    }

    /// Emits an instruction whose result is the fresh temp in `dst`.
    fn emit_result(&mut self, instr: Instr, dst: Slot) {
        let before = self.last_result;
        let at = self.emit(instr);
        self.prev_result = before;
        self.last_result = Some((at, dst));
    }

    /// Where the last instruction is, if it computed the fresh temp in `slot`, the
    /// operand about to be consumed: a fusion may rewrite it or take it back.
    fn producer_of(&self, slot: Slot) -> Option<usize> {
        let (at, dst) = self.last_result?;
        (at + 1 == self.code.len() && dst == slot).then_some(at)
    }

    /// Removes the last instruction, which a fusion has folded into the next one.
    fn take_back_last(&mut self) {
        self.code.pop();
        self.dying.pop();
        self.last_result = None;
        self.prev_result = None;
    }

    /// Writes `op` (found at stack position `pos`) into slot `dst`.
    fn emit_copy(&mut self, dst: Slot, op: Operand, pos: usize) {
        match op {
            Operand::Temp => {
                let src = self.slot_at(pos);
                if src != dst {
                    self.emit_slot_copy(dst, src);
                }
            }
            Operand::Local(l) => {
                let l = self.local_slot(l);
                if l != dst {
                    self.emit_slot_copy(dst, l);
                }
            }
            Operand::Const { value, wide } => {
                self.emit(if wide {
                    Instr::Const64 { dst, value }
                } else {
                    Instr::Const32 {
                        dst,
                        value: value as u32,
                    }
                });
            }
        }
    }

    /// Moves the entry at `pos` into its canonical slot.
    fn materialize(&mut self, pos: usize) {
        let op = self.stack[pos];
        if op != Operand::Temp {
            let dst = self.slot_at(pos);
            self.emit_copy(dst, op, pos);
            self.stack[pos] = Operand::Temp;
        }
    }

    fn materialize_top(&mut self, n: usize) {
        let h = self.height();
        for pos in h - n..h {
            self.materialize(pos);
        }
    }

    /// Copies every `Local` entry (of `local`, or of any local) to its own slot.
    fn preserve_locals(&mut self, local: Option<u32>) {
        for pos in 0..self.stack.len() {
            if let Operand::Local(l) = self.stack[pos] {
                if local.is_none() || local == Some(l) {
                    self.materialize(pos);
                }
            }
        }
    }

    /// The slot an operand can be read from: constants come from the pool.
    fn read(&mut self, op: Operand, pos: usize) -> Slot {
        match op {
            Operand::Temp => self.slot_at(pos),
            Operand::Local(l) => self.local_slot(l),
            Operand::Const { value, .. } => match self.pool_slot(value) {
                Some(slot) => slot,
                None => {
                    let dst = self.slot_at(pos);
                    self.emit_copy(dst, op, pos);
                    dst
                }
            },
        }
    }

    /// The pool slot holding `value`, added if new; `None` once the frame would outgrow
    /// 16-bit slot indices (the constant is then materialised where it is used).
    fn pool_slot(&mut self, value: u64) -> Option<Slot> {
        const SMALL_POOL: usize = 16;
        let found = if self.consts.len() <= SMALL_POOL {
            self.consts.iter().position(|&c| c == value)
        } else {
            if self.const_index.is_empty() {
                for (i, &c) in self.consts.iter().enumerate() {
                    self.const_index.insert(c, i as u32);
                }
            }
            self.const_index.get(&value).map(|&i| i as usize)
        };
        let index = match found {
            Some(i) => i,
            None => {
                self.consts.push(value);
                if !self.const_index.is_empty() {
                    self.const_index.insert(value, self.consts.len() as u32 - 1);
                }
                self.consts.len() - 1
            }
        };
        let slot = self.const_base as usize + index;
        if slot > usize::from(Slot::MAX) {
            self.consts.truncate(
                self.consts
                    .len()
                    .min(usize::from(Slot::MAX) + 1 - self.const_base as usize),
            );
            return None;
        }
        Some(slot as Slot)
    }

    fn pop_read(&mut self) -> (Slot, usize) {
        let (op, pos) = self.pop();
        (self.read(op, pos), pos)
    }

    fn push_const(&mut self, value: u64, wide: bool) {
        self.stack.push(Operand::Const { value, wide });
    }

    // ----- labels, branches and fuel ------------------------------------------------

    fn pc(&self) -> usize {
        self.code.len()
    }

    fn start_fuel_block(&mut self) {
        if self.fuel.is_some() {
            let at = self.emit(Instr::ConsumeFuel { amount: 0 });
            self.fuel = Some(at);
        }
    }

    /// At function entry and loop headers: every unbounded execution passes one.
    fn check_interrupt(&mut self) {
        if self.interruptible {
            self.emit(Instr::CheckInterrupt);
        }
    }

    fn charge_fuel(&mut self) {
        if let Some(at) = self.fuel {
            if let Instr::ConsumeFuel { amount } = &mut self.code[at] {
                *amount = amount.saturating_add(1);
            }
        }
    }

    /// Marks the current position as a branch target.
    fn bind_label(&mut self) {
        self.last_result = None;
        self.copy_mergeable = false;
    }

    /// Points the branch at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i32 - at as i32;
        match self.code[at].branch_offset_mut() {
            Some(o) => *o = offset,
            None => debug_assert!(false, "not a branch: {:?}", self.code[at]),
        }
    }

    /// Emits an unconditional branch to label `depth`, with no value copies.
    fn emit_br_to(&mut self, depth: usize) {
        let at = self.emit(Instr::Br { offset: 0 });
        self.link(at, depth);
    }

    /// Registers the branch at `at` as going to label `depth`.
    fn link(&mut self, at: usize, depth: usize) {
        let idx = self.ctrl.len() - 1 - depth;
        if self.ctrl[idx].kind == CtrlKind::Loop {
            let head = self.ctrl[idx].head;
            self.patch(at, head);
        } else {
            self.ctrl[idx].fixups.push(at);
        }
    }

    /// Whether a branch to label `depth` is one instruction: to a label in this function
    /// (not a return), with its values in place, leaving no catch block.
    fn branch_is_direct(&self, depth: usize) -> bool {
        !self.is_function_label(depth)
            && !self.branch_needs_copies(depth)
            && !self.leaves_catch_blocks(Some(depth))
    }

    /// The branch to label `depth`, whatever it needs: the catch blocks it leaves ended,
    /// then a return, or the value copies and the jump.
    fn emit_branch_out(&mut self, depth: usize) {
        self.emit_catch_exits(Some(depth));
        if self.is_function_label(depth) {
            self.emit_return();
        } else {
            self.emit_branch_copies(depth);
            self.emit_br_to(depth);
        }
    }

    /// Whether a branch to label `depth` (`None`: a return) leaves a legacy catch block.
    fn leaves_catch_blocks(&self, depth: Option<usize>) -> bool {
        // Outside catch blocks (nearly always), without looking.
        if !cfg!(feature = "exceptions") || self.catch_depth == 0 {
            return false;
        }
        let stop = depth.map_or(0, |d| self.ctrl.len() - 1 - d);
        self.ctrl[stop..].iter().any(|c| c.kind == CtrlKind::Catch)
    }

    /// Before a branch to label `depth` (`None`: a return or tail call): lets go of the
    /// exceptions of the catch blocks it leaves (`wisp_core::exception`'s lifetimes).
    fn emit_catch_exits(&mut self, depth: Option<usize>) {
        if !cfg!(feature = "exceptions") || self.catch_depth == 0 {
            return;
        }
        let stop = depth.map_or(0, |d| self.ctrl.len() - 1 - d);
        for i in (stop..self.ctrl.len()).rev() {
            if self.ctrl[i].kind == CtrlKind::Catch {
                let slot = self.ctrl[i].catch_slot;
                self.emit_catch_end(slot);
            }
        }
    }

    /// Whether a branch to label `depth` needs any copy (values not already in place).
    fn branch_needs_copies(&self, depth: usize) -> bool {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth];
        let n = c.branch_arity() as usize;
        let h = self.height();
        (h - n..h).any(|pos| self.stack[pos] != Operand::Temp) || h - n != c.height as usize
    }

    /// Copies the values a branch to label `depth` carries into the label's slots.
    fn emit_branch_copies(&mut self, depth: usize) {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth];
        self.emit_copies_to(c.height as usize, c.branch_arity() as usize);
    }

    /// Copies the top `n` operands to the slots of positions `base..base + n`.
    fn emit_copies_to(&mut self, base: usize, n: usize) {
        let h = self.height();
        for k in 0..n {
            let dst = self.slot_at(base + k);
            let op = self.stack[h - n + k];
            self.emit_copy(dst, op, h - n + k);
        }
    }

    fn is_function_label(&self, depth: usize) -> bool {
        depth == self.ctrl.len() - 1
    }

    /// Emits a return of the function's results from the top of the stack.
    fn emit_return(&mut self) {
        let n = self.ctrl[0].results as usize;
        let h = self.height();
        match n {
            0 => {
                self.emit(Instr::Return0);
            }
            1 => {
                let (op, pos) = (self.stack[h - 1], h - 1);
                let src = self.read(op, pos);
                self.emit(Instr::Return1 { src });
            }
            _ => {
                // Copies without marking the entries as materialised: under `br_if` this
                // code runs only on the taken path.
                for pos in h - n..h {
                    let dst = self.slot_at(pos);
                    self.emit_copy(dst, self.stack[pos], pos);
                }
                let src = self.slot_at(h - n);
                self.emit(Instr::ReturnMany { src, len: n as u16 });
            }
        }
    }

    /// The rest of the current block is unreachable.
    fn mark_dead(&mut self) {
        let c = self
            .ctrl
            .last_mut()
            .expect("control stack is never empty inside a body");
        c.dead = true;
        let height = c.height as usize;
        self.stack.truncate(height);
        self.last_result = None;
    }

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let ty = &self.module.types[t as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    fn push_ctrl(&mut self, kind: CtrlKind, bt: BlockType, head: usize) {
        let (params, results) = self.block_arity(bt);
        let height = (self.height() - params as usize) as u32;
        self.push_ctrl_raw(kind, height, params, results, head);
    }

    fn push_ctrl_raw(
        &mut self,
        kind: CtrlKind,
        height: u32,
        params: u32,
        results: u32,
        head: usize,
    ) {
        let outer_region = match self.region_stack.last() {
            Some(&region) if cfg!(feature = "exceptions") => region,
            _ => Region::NONE,
        };
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            head,
            fixups: Vec::new(),
            else_fixup: None,
            else_operands: Vec::new(),
            dead: false,
            pads: Vec::new(),
            outer_region,
            region: Region::NONE,
            catch_slot: 0,
            catch_region: Region::NONE,
        });
    }

    // ----- control operators --------------------------------------------------------

    /// Settles the operand stack on entry to a block, loop or `if` whose parameters are
    /// the top `params` entries: `Local` entries are copied out (a local written inside
    /// the block must not change what they read), and the parameters of a loop or `if`
    /// are put in their slots.
    ///
    /// With profiling, a frame may move to native code at any loop header, handing over
    /// every operand in its canonical slot, so everything is materialized. That happens
    /// here, on entry, where every path into the block passes, never inside it: entries
    /// below a block's base belong to the code around it, and materializing one inside
    /// one arm of an `if` would leave the other arm reading a slot never written.
    fn enter_block(&mut self, params: usize) {
        self.preserve_locals(None);
        let live = if self.profile { self.height() } else { params };
        self.materialize_top(live);
    }

    fn op_block(&mut self, bt: BlockType) {
        // A block's parameters may stay constants: only its own code reads them.
        self.enter_block(0);
        self.push_ctrl(CtrlKind::Block, bt, 0);
    }

    fn op_loop(&mut self, bt: BlockType) {
        let (params, _) = self.block_arity(bt);
        self.enter_block(params as usize);
        self.bind_label();
        let head = self.pc();
        self.push_ctrl(CtrlKind::Loop, bt, head);
        if self.profile {
            let (def, offset) = (self.def, self.offset);
            self.emit(Instr::HotLoop { def, offset });
        }
        self.start_fuel_block();
        self.check_interrupt();
    }

    fn op_if(&mut self, bt: BlockType) {
        let (cond, pos) = self.pop();
        let (params, _) = self.block_arity(bt);
        self.enter_block(params as usize);
        let at = self.emit_branch_if(cond, pos, false);
        self.push_ctrl(CtrlKind::If, bt, 0);
        let h = self.height();
        let c = self.ctrl.last_mut().expect("just pushed");
        c.else_fixup = Some(at);
        c.else_operands = self.stack[h - params as usize..].to_vec();
        self.start_fuel_block();
    }

    fn op_else(&mut self) {
        let depth_top = self.ctrl.len() - 1;
        if !self.ctrl[depth_top].dead {
            self.emit_branch_copies(0);
            self.emit_br_to(0);
        }
        let c = &mut self.ctrl[depth_top];
        c.kind = CtrlKind::Else;
        c.dead = false;
        let else_at = c.else_fixup.take();
        let height = c.height as usize;
        let operands = core::mem::take(&mut c.else_operands);
        self.stack.truncate(height);
        self.stack.extend(operands);
        self.bind_label();
        if let Some(at) = else_at {
            let pc = self.pc();
            self.patch(at, pc);
        }
        self.start_fuel_block();
    }

    fn op_end(&mut self) {
        if self.ctrl.len() == 1 {
            // The function's own block. Branches to it were emitted as returns, so only
            // the fall-through remains.
            if !self.ctrl[0].dead {
                self.emit_return();
            }
            self.ctrl.pop();
            return;
        }
        self.close_handlers();
        let top = self.ctrl.len() - 1;
        if !self.ctrl[top].dead {
            let (height, results) = (self.ctrl[top].height, self.ctrl[top].results);
            self.emit_copies_to(height as usize, results as usize);
        }
        let c = self.ctrl.pop().expect("checked above");
        self.bind_label();
        let pc = self.pc();
        for &pad in &c.pads {
            self.pads[pad].label_at = Some(pc);
        }
        for at in c.fixups {
            self.patch(at, pc);
        }
        if let Some(at) = c.else_fixup {
            // An `if` without `else`: the false edge carries the parameters, which are
            // the results, and were materialised in place at the `if`.
            self.patch(at, pc);
        }
        self.stack.truncate(c.height as usize);
        for _ in 0..c.results {
            self.push_temp();
        }
        self.start_fuel_block();
    }

    /// Emits a branch taken when `cond` is non-zero (`when = true`) or zero, fusing a
    /// just-computed i32 comparison when possible. Returns the branch to link or patch.
    fn emit_branch_if(&mut self, cond: Operand, pos: usize, when: bool) -> usize {
        if cond == Operand::Temp {
            if let Some(at) = self.producer_of(self.slot_at(pos)) {
                if let Some(at) = self.fuse_across_eqz(at, when) {
                    return at;
                }
                if let Some(fused) = ops::fuse_compare_branch(self.code[at], when) {
                    self.code[at] = fused;
                    self.last_result = None;
                    return at;
                }
            }
        }
        let cond = self.read(cond, pos);
        self.emit(if when {
            Instr::BrIfNez { cond, offset: 0 }
        } else {
            Instr::BrIfEqz { cond, offset: 0 }
        })
    }

    /// `br_if (i32.eqz x)` where the `eqz` at `at` directly follows the instruction that
    /// computed `x` as a temp: branches on that instruction's result with the sense
    /// inverted, and drops the `eqz` (its result is only the branch's condition).
    fn fuse_across_eqz(&mut self, at: usize, when: bool) -> Option<usize> {
        let Instr::I32Eqz { src, .. } = self.code[at] else {
            return None;
        };
        let (before, dst) = self.prev_result?;
        if before + 1 != at || dst != src {
            return None;
        }
        let fused = ops::fuse_compare_branch(self.code[before], !when)?;
        self.code[before] = fused;
        self.take_back_last();
        Some(before)
    }

    fn op_br(&mut self, depth: u32) {
        self.emit_branch_out(depth as usize);
        self.mark_dead();
    }

    fn op_br_if(&mut self, depth: u32) {
        let depth = depth as usize;
        let (cond, pos) = self.pop();
        if self.branch_is_direct(depth) {
            let at = self.emit_branch_if(cond, pos, true);
            self.link(at, depth);
            return;
        }
        // Skip over the copies and the branch when the condition is false.
        let skip = self.emit_branch_if(cond, pos, false);
        self.emit_branch_out(depth);
        self.bind_label();
        let pc = self.pc();
        self.patch(skip, pc);
    }

    fn op_br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> Result<()> {
        let (index, _) = self.pop_read();
        let mut depths = Vec::with_capacity(targets.len() as usize + 1);
        for t in targets.targets() {
            depths.push(t? as usize);
        }
        depths.push(targets.default() as usize);
        self.emit(Instr::BrTable {
            index,
            len: depths.len() as u32,
        });
        let table_start = self.pc();
        for _ in &depths {
            self.emit(Instr::Br { offset: 0 });
        }
        for (i, &depth) in depths.iter().enumerate() {
            let at = table_start + i;
            if self.branch_is_direct(depth) {
                self.link(at, depth);
                continue;
            }
            // A stub after the table does the copies (or the return), then branches.
            let pc = self.pc();
            self.patch(at, pc);
            self.emit_branch_out(depth);
        }
        self.mark_dead();
        Ok(())
    }

    fn op_return(&mut self) {
        self.emit_catch_exits(None);
        self.emit_return();
        self.mark_dead();
    }

    // ----- calls ----------------------------------------------------------------------

    fn op_call(&mut self, func: u32) {
        let ty = self.module.func_type(func);
        let (np, nr) = (ty.params().len(), ty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(if func >= self.module.num_imported_funcs {
            Instr::CallInternal {
                def: func - self.module.num_imported_funcs,
                base,
            }
        } else {
            Instr::Call { func, base }
        });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    fn op_call_indirect(&mut self, ty: u32, table: u32) {
        let (index, _) = self.pop_read();
        let fty = &self.module.types[ty as usize];
        let (np, nr) = (fty.params().len(), fty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(Instr::CallIndirect {
            ty,
            table,
            index,
            base,
        });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    /// `call_ref`: the reference is on top, the arguments below it.
    fn op_call_ref(&mut self, ty: u32) {
        let (func, _) = self.pop_read();
        let fty = &self.module.types[ty as usize];
        let (np, nr) = (fty.params().len(), fty.results().len());
        self.materialize_top(np);
        let base = self.slot_at(self.height() - np);
        self.emit(Instr::CallRef { func, base });
        self.stack.truncate(self.height() - np);
        for _ in 0..nr {
            self.push_temp();
        }
    }

    /// The arguments of a tail call to a function of type `ty`, in their slots: their
    /// base and count.
    /// The catch blocks the call leaves are ended.
    fn tail_call_args(&mut self, ty: &wisp_core::FuncType) -> (Slot, u16) {
        let np = ty.params().len();
        self.materialize_top(np);
        self.emit_catch_exits(None);
        (self.slot_at(self.height() - np), np as u16)
    }

    fn op_return_call(&mut self, func: u32) {
        let ty = self.module.func_type(func);
        let (base, len) = self.tail_call_args(ty);
        self.emit(if func >= self.module.num_imported_funcs {
            Instr::ReturnCallInternal {
                def: func - self.module.num_imported_funcs,
                base,
                len,
            }
        } else {
            Instr::ReturnCall { func, base, len }
        });
        self.mark_dead();
    }

    fn op_return_call_indirect(&mut self, ty: u32, table: u32) {
        let (index, _) = self.pop_read();
        let (base, len) = self.tail_call_args(&self.module.types[ty as usize]);
        self.emit(Instr::ReturnCallIndirect {
            ty,
            table,
            index,
            base,
            len,
        });
        self.mark_dead();
    }

    fn op_return_call_ref(&mut self, ty: u32) {
        let (func, _) = self.pop_read();
        let (base, len) = self.tail_call_args(&self.module.types[ty as usize]);
        self.emit(Instr::ReturnCallRef { func, base, len });
        self.mark_dead();
    }

    /// `br_on_null $l`: branches with the label's values when the reference on top is
    /// null, which is dropped; else goes on with it.
    fn op_br_on_null(&mut self, depth: u32) {
        let depth = depth as usize;
        // Taken off without marking it dying: it is read again after the branch.
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.height();
        let cond = self.read(op, pos);
        if self.branch_is_direct(depth) {
            let at = self.emit(Instr::BrIfEqz { cond, offset: 0 });
            self.link(at, depth);
        } else {
            let skip = self.emit(Instr::BrIfNez { cond, offset: 0 });
            self.emit_branch_out(depth);
            self.bind_label();
            let pc = self.pc();
            self.patch(skip, pc);
        }
        self.stack.push(op);
    }

    /// `br_on_non_null $l`: branches with the label's values, the reference last, when
    /// the reference on top is not null; else drops it and goes on.
    fn op_br_on_non_null(&mut self, depth: u32) {
        let depth = depth as usize;
        let op = self.stack.pop().unwrap_or(Operand::Temp);
        let pos = self.height();
        let cond = self.read(op, pos);
        // The reference is the label's last value: back on the stack for the copies.
        self.stack.push(op);
        if self.branch_is_direct(depth) {
            let at = self.emit(Instr::BrIfNez { cond, offset: 0 });
            self.link(at, depth);
        } else {
            let skip = self.emit(Instr::BrIfEqz { cond, offset: 0 });
            self.emit_branch_out(depth);
            self.bind_label();
            let pc = self.pc();
            self.patch(skip, pc);
        }
        self.pop();
    }

    // ----- locals and globals -----------------------------------------------------------

    fn op_local_set(&mut self, local: u32, tee: bool) {
        let (op, pos) = self.pop();
        self.preserve_locals(Some(local));
        let dst = self.local_slot(local);
        let retargeted = match (op, self.producer_of(self.slot_at(pos))) {
            (Operand::Temp, Some(at)) => {
                // The result now lives on in the local.
                self.dying[at] = false;
                ops::set_result_slot(&mut self.code[at], dst)
            }
            _ => false,
        };
        if !retargeted {
            self.emit_copy(dst, op, pos);
        }
        self.last_result = None;
        if tee {
            self.stack.push(Operand::Local(local));
        }
    }

    fn op_global_get(&mut self, global: u32) {
        // An immutable global the module defines with a constant initialiser has the same
        // value in every instance: it is a constant.
        if let Some((value, wide)) = self.module.constant_global(global) {
            return self.push_const(value, wide);
        }
        let dst = self.slot_at(self.height());
        self.stack.push(Operand::Temp);
        self.emit_result(Instr::GlobalGet { dst, global }, dst);
    }

    // ----- generic shapes -------------------------------------------------------------

    fn unary(&mut self, op: Tag) {
        let (src, pos) = self.pop_read();
        let dst = self.slot_at(pos);
        self.stack.push(Operand::Temp);
        self.emit_result(Instr::unary(op, dst, src), dst);
    }

    fn binary(&mut self, op: Tag) {
        let forms = op.binary_forms().expect("a binary operator");
        let (b, bpos) = self.pop();
        let (a, apos) = self.pop();
        let dst = self.slot_at(apos);
        if let Some(imm) = forms.imm {
            if let Some(v) = ops::imm_of(b, forms.wide) {
                let a = self.read(a, apos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::binary_imm(imm, dst, a, v), dst);
                return;
            }
        }
        if let Some(swapped) = forms.swapped {
            if let Some(v) = ops::imm_of(a, forms.wide) {
                let b = self.read(b, bpos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::binary_imm(swapped, dst, b, v), dst);
                return;
            }
        }
        let a_slot = self.read(a, apos);
        let b_slot = self.read(b, bpos);
        self.stack.push(Operand::Temp);
        if op == Tag::I32Add {
            if let Some(fused) = self.fuse_scaled_index(dst, (a, a_slot), (b, b_slot)) {
                return self.emit_result(fused, dst);
            }
        }
        self.emit_result(Instr::binary(op, dst, a_slot, b_slot), dst);
    }

    /// `i32.add` of an `i32.shl` by a constant just computed for it alone (array
    /// indexing: `base + (i << 2)`): takes the shift back and returns the one instruction
    /// doing both. Reading the other operand emits nothing (it is a local or a temporary),
    /// so the shift is still the last instruction and its input slot unchanged since.
    fn fuse_scaled_index(
        &mut self,
        dst: Slot,
        a: (Operand, Slot),
        b: (Operand, Slot),
    ) -> Option<Instr> {
        // The shift may be either operand; the other is the base.
        let (at, base) = [(b, a.1), (a, b.1)]
            .into_iter()
            .find_map(|((op, slot), base)| {
                let at = self.producer_of(slot).filter(|_| op == Operand::Temp)?;
                Some((at, base))
            })?;
        let Instr::I32ShlImm { a: index, imm, .. } = self.code[at] else {
            return None;
        };
        self.take_back_last();
        Some(Instr::I32AddShl {
            dst,
            a: base,
            b: index,
            // wasm shifts by the count modulo 32.
            shift: (imm & 31) as u16,
        })
    }

    /// Runs `emit` with memory `mem` selected (see `Instr::UseMemory`).
    fn on_memory(&mut self, mem: u32, emit: impl FnOnce(&mut Self)) {
        if mem == 0 {
            return emit(self);
        }
        self.emit(Instr::UseMemory { mem });
        emit(self);
        self.emit(Instr::UseMemory { mem: 0 });
    }

    fn load(&mut self, memarg: wasmparser::MemArg, op: Tag) {
        let (addr_op, pos) = self.pop();
        let dst = self.slot_at(pos);
        let mem = memory_of(&memarg);
        // `i32.add x imm` computed just before, only for this address: one instruction.
        if let (Operand::Temp, Some(at), 0) = (addr_op, self.producer_of(dst), mem) {
            if let Instr::I32AddImm { dst: s, a, imm } = self.code[at] {
                let load = Instr::load(op, dst, dst, memarg.offset as u32);
                if s == dst {
                    if let Some(fused) = ops::load_from_sum(load, a, imm) {
                        self.take_back_last();
                        self.stack.push(Operand::Temp);
                        self.emit_result(fused, dst);
                        return;
                    }
                }
            }
        }
        let addr = self.read(addr_op, pos);
        self.stack.push(Operand::Temp);
        self.on_memory(mem, |t| {
            t.emit_result(Instr::load(op, dst, addr, memarg.offset as u32), dst)
        });
    }

    fn store(&mut self, memarg: wasmparser::MemArg, op: Tag) {
        let (value, _) = self.pop_read();
        let (addr, _) = self.pop_read();
        self.on_memory(memory_of(&memarg), |t| {
            t.emit(Instr::store(op, addr, value, memarg.offset as u32));
        });
    }

    /// Pops `n` operands, materialising constants, and returns their slots bottom-first.
    fn pop_n<const N: usize>(&mut self) -> ([Slot; N], usize) {
        let mut slots = [0; N];
        let mut pos = 0;
        for i in (0..N).rev() {
            let (s, p) = self.pop_read();
            slots[i] = s;
            pos = p;
        }
        (slots, pos)
    }

    // ----- the operator switch ----------------------------------------------------------

    fn op(&mut self, op: Operator<'_>) -> Result<()> {
        let dead = self.ctrl.last().is_none_or(|c| c.dead);
        if dead {
            return self.dead_op(op);
        }
        self.charge_fuel();
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.mark_dead();
            }
            O::Nop => {}
            O::Block { blockty } => self.op_block(blockty),
            O::Loop { blockty } => self.op_loop(blockty),
            O::If { blockty } => self.op_if(blockty),
            O::Else => self.op_else(),
            O::End => self.op_end(),
            O::Br { relative_depth } => self.op_br(relative_depth),
            O::BrIf { relative_depth } => self.op_br_if(relative_depth),
            O::BrTable { targets } => self.op_br_table(&targets)?,
            O::Return => self.op_return(),
            O::Call { function_index } => self.op_call(function_index),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.op_call_indirect(type_index, table_index),
            // Each proposal's operators only with its feature: without it the engine
            // refuses such modules at load (`Interpreter::left_out`).
            #[cfg(feature = "function-references")]
            O::CallRef { type_index } => self.op_call_ref(type_index),
            #[cfg(feature = "tail-call")]
            O::ReturnCall { function_index } => self.op_return_call(function_index),
            #[cfg(feature = "tail-call")]
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.op_return_call_indirect(type_index, table_index),
            #[cfg(all(feature = "tail-call", feature = "function-references"))]
            O::ReturnCallRef { type_index } => self.op_return_call_ref(type_index),
            #[cfg(feature = "function-references")]
            O::RefAsNonNull => {
                let (src, pos) = self.pop_read();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::RefAsNonNull { dst, src }, dst);
            }
            #[cfg(feature = "function-references")]
            O::BrOnNull { relative_depth } => self.op_br_on_null(relative_depth),
            #[cfg(feature = "function-references")]
            O::BrOnNonNull { relative_depth } => self.op_br_on_non_null(relative_depth),
            // Without the feature, the engine refuses these modules at load (`left_out`).
            #[cfg(feature = "exceptions")]
            O::TryTable { try_table } => self.op_try_table(&try_table),
            #[cfg(feature = "exceptions")]
            O::Throw { tag_index } => self.op_throw(tag_index),
            #[cfg(feature = "exceptions")]
            O::ThrowRef => self.op_throw_ref(),
            #[cfg(feature = "exceptions")]
            O::Try { .. } if self.reserved_catch_slots == 0 => {
                return Err(TranslateError::NeedsCatchSlots)
            }
            #[cfg(feature = "exceptions")]
            O::Try { blockty } => self.op_try(blockty),
            #[cfg(feature = "exceptions")]
            O::Catch { tag_index } => self.op_catch(Some(tag_index)),
            #[cfg(feature = "exceptions")]
            O::CatchAll => self.op_catch(None),
            #[cfg(feature = "exceptions")]
            O::Delegate { relative_depth } => self.op_delegate(relative_depth),
            #[cfg(feature = "exceptions")]
            O::Rethrow { relative_depth } => self.op_rethrow(relative_depth),
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } | O::TypedSelectMulti { .. } => {
                let ([a, b, cond], pos) = self.pop_n::<3>();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::Select { dst, cond, a, b }, dst);
            }
            O::LocalGet { local_index } => self.stack.push(Operand::Local(local_index)),
            O::LocalSet { local_index } => self.op_local_set(local_index, false),
            O::LocalTee { local_index } => self.op_local_set(local_index, true),
            O::GlobalGet { global_index } => self.op_global_get(global_index),
            O::GlobalSet { global_index } => {
                let (src, _) = self.pop_read();
                self.emit(Instr::GlobalSet {
                    src,
                    global: global_index,
                });
            }

            O::I32Const { value } => self.push_const(value as u32 as u64, false),
            O::I64Const { value } => self.push_const(value as u64, true),
            O::F32Const { value } => self.push_const(u64::from(value.bits()), false),
            O::F64Const { value } => self.push_const(value.bits(), true),
            O::RefNull { .. } => self.push_const(0, true),
            O::RefFunc { function_index } => {
                let dst = self.push_temp();
                self.emit_result(
                    Instr::RefFunc {
                        dst,
                        func: function_index,
                    },
                    dst,
                );
            }

            // Conversions that only change how the bits are read: the slot already holds
            // the right bits (i32 readers look at the low half only).
            O::I32WrapI64
            | O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}

            O::MemorySize { mem } => {
                let dst = self.push_temp();
                self.on_memory(mem, |t| t.emit_result(Instr::MemorySize { dst }, dst));
            }
            O::MemoryGrow { mem } => {
                let (delta, pos) = self.pop_read();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.on_memory(mem, |t| {
                    t.emit_result(Instr::MemoryGrow { dst, delta }, dst)
                });
            }
            O::MemoryFill { mem } => {
                let ([dst, value, len], _) = self.pop_n::<3>();
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryFill { dst, value, len });
                });
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                if dst_mem == src_mem {
                    self.on_memory(dst_mem, |t| {
                        t.emit(Instr::MemoryCopy { dst, src, len });
                    });
                } else {
                    // Module loading caps memories well below `u16::MAX`.
                    self.emit(Instr::MemoryCopyBetween {
                        dst,
                        src,
                        len,
                        dst_mem: dst_mem as u16,
                        src_mem: src_mem as u16,
                    });
                }
            }
            O::MemoryInit { data_index, mem } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryInit {
                        dst,
                        src,
                        len,
                        data: data_index,
                    });
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }

            O::TableGet { table } => {
                let (index, pos) = self.pop_read();
                let dst = self.slot_at(pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::TableGet { dst, index, table }, dst);
            }
            O::TableSet { table } => {
                let ([index, value], _) = self.pop_n::<2>();
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            O::TableSize { table } => {
                let dst = self.push_temp();
                self.emit_result(Instr::TableSize { dst, table }, dst);
            }
            O::TableGrow { table } => {
                let (delta, _) = self.pop_read();
                let (init, pos) = self.pop();
                let dst = self.slot_at(pos);
                self.emit_copy(dst, init, pos);
                self.stack.push(Operand::Temp);
                self.emit_result(Instr::TableGrow { dst, delta, table }, dst);
            }
            O::TableFill { table } => {
                let ([dst, value, len], _) = self.pop_n::<3>();
                self.emit(Instr::TableFill {
                    dst,
                    value,
                    len,
                    table,
                });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                self.emit(Instr::TableCopy {
                    dst,
                    src,
                    len,
                    dst_table: dst_table as u16,
                    src_table: src_table as u16,
                });
            }
            O::TableInit { elem_index, table } => {
                let ([dst, src, len], _) = self.pop_n::<3>();
                self.emit(Instr::TableInit {
                    dst,
                    src,
                    len,
                    table: table as u16,
                    elem: elem_index,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }

            // The operators that are one instruction of the table, by their group.
            other => match operator_instr(&other) {
                Some((op, None)) if op.group() == Group::Binary => self.binary(op),
                Some((op, None)) => self.unary(op),
                Some((op, Some(memarg))) if op.group() == Group::Load => self.load(memarg, op),
                Some((op, Some(memarg))) => self.store(memarg, op),
                // Validation admits only the enabled features, all handled above.
                None => return Err(TranslateError::Unsupported),
            },
        }
        Ok(())
    }

    /// Inside unreachable code only the block structure matters (`wisp_core::dead_code`).
    fn dead_op(&mut self, op: Operator<'_>) -> Result<()> {
        // Even a dead `try` counts (`ModuleInner::legacy_catch_slots` does, and the JIT
        // reads an on-stack replacement frame by it).
        let is_try = cfg!(feature = "exceptions") && matches!(op, Operator::Try { .. });
        if is_try && self.reserved_catch_slots == 0 {
            return Err(TranslateError::NeedsCatchSlots);
        }
        match self.dead_code.step(&op) {
            Step::Else => {
                self.charge_fuel();
                self.op_else();
            }
            #[cfg(feature = "exceptions")]
            Step::Catch => {
                self.charge_fuel();
                match op {
                    Operator::Catch { tag_index } => self.op_catch(Some(tag_index)),
                    _ => self.op_catch(None),
                }
            }
            #[cfg(not(feature = "exceptions"))]
            Step::Catch => return Err(TranslateError::Unsupported),
            Step::End => match op {
                #[cfg(feature = "exceptions")]
                Operator::Delegate { relative_depth } => self.op_delegate(relative_depth),
                _ => self.op_end(),
            },
            Step::Skip => {}
        }
        Ok(())
    }
}
