//! Wasm function bodies to register bytecode.
//!
//! The translator walks the (already validated) operators once, keeping a *virtual* operand
//! stack: an entry is either a value in its canonical slot (`Temp`, slot = locals +
//! position), a local that has not been copied anywhere (`Local`), or a constant (`Const`).
//! Instructions read locals and constants straight from where they are, so
//! `local.get a; local.get b; i32.add; local.set c` becomes one `I32Add { dst: c, a, b }`.
//!
//! Invariants:
//! - A `Temp` at position `p` lives in slot `locals + p * width`; nothing else writes that
//!   slot while the entry is on the stack. `width` is 1, or 2 in a function that can hold
//!   a `v128` on its stack (`FuncBody::vector`): there every position is two slots, so a
//!   position's place never depends on the types below it, and copies between positions
//!   copy both. Calls, returns and exceptions pack their values as `SlotLayout` lays them
//!   out (a scalar in one slot) and unpack them into positions again.
//! - Before a local is written, every `Local` entry naming it is copied to its own slot
//!   ("preserved"), so the stack still sees the old value.
//! - At the entry of every block, loop and if, all `Local` entries are preserved, so a
//!   preservation inside one arm of control flow never leaves another arm reading a slot
//!   that was not written.
//! - Values crossing a branch are copied into the target label's slots (positions from the
//!   label's height up), which are always at or below the copied values' positions, so
//!   copying in ascending order never overwrites a source before it is read.
//!
//! Where each part lives: `stack` (the virtual operand stack, slots, constants),
//! `control` (labels, branches, blocks, fuel), `calls`, `shapes` (the operators that are
//! one instruction of the table, by group), `fusion` (single-instruction rewrites the
//! table's relations drive), `operators` (the operator switch, locals and globals, dead
//! code), `exceptions`, and `jumps` (jump threading and loop rotation, after translation).
//!
//! Fuel: with metering on, every basic block (function entry, loop header, each arm of an
//! `if`, each label after `end`) starts with `ConsumeFuel`, charged one unit per wasm
//! operator of the block, up front.

mod calls;
mod control;
mod exceptions;
mod fusion;
pub(crate) mod input;
mod jumps;
mod operators;
mod shapes;
#[cfg(feature = "simd")]
mod simd;
mod stack;
#[cfg(wisp_own_decoder)]
pub(crate) mod stream;

use alloc::vec::Vec;

use wasmparser::{BinaryReaderError, BlockType};
use wisp_core::dead_code::{DeadCode, Step};
use wisp_core::layout::SlotLayout;
use wisp_core::module::ModuleInner;
use wisp_core::validate::Invalid;
use wisp_core::vm::OsrFrame;

use input::{Operator, OperatorsReader};
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
    Ok(encoded(translate_instrs(module, def, options)?))
}

/// A translated function, encoded for the executor.
fn encoded(translation: Translation) -> CompiledFunc {
    let Translation {
        code,
        dying,
        func,
        regions,
        clauses,
    } = translation;
    if !cfg!(feature = "exceptions") {
        // No handlers: nothing keeps instruction indices.
        let code = encode(code, &dying);
        return CompiledFunc { code, ..func };
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
    CompiledFunc {
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
    }
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
    let multi_memory = module.engine.config().wasm_features().multi_memory();
    let mut locals = OsrFrame::locals_layout(ty.params().iter().copied());
    let mut reader: OperatorsReader<'_> = input::read_body(
        &module.bytes[body_info.range.clone()],
        body_info.range.start,
        multi_memory,
        |count, ty| add_locals(&mut locals, count, ty),
    )?;
    let width = if body_info.is_vector() { 2 } else { 1 };
    // The constant pool goes above the operand stack's highest position, plus one spare
    // position: a call's results may need more than its arguments did.
    let const_base = pool_base(&locals, catch_slots, body_info.max_stack_height, width);
    let mut t = Translator::start(
        module,
        def,
        options,
        locals,
        catch_slots,
        width,
        body_info.range.len(),
        const_base,
    );
    while !reader.eof() {
        t.offset = reader.original_position() as u32;
        let op = reader.read()?;
        t.op(op)?;
    }
    t.finish(const_base)
}

/// Where a function's constant pool starts: past its locals, its `catch_slots` catch
/// slots and `max_stack_height` operand positions of `width` slots, plus one spare.
fn pool_base(locals: &SlotLayout, catch_slots: u32, max_stack_height: u32, width: u32) -> u32 {
    locals.end() as u32 + catch_slots + (max_stack_height + 1) * width
}

impl<'m> Translator<'m> {
    /// A translator of defined function `def` (its body `body_len` bytes) with its locals
    /// laid out, room for `catch_slots` catch slots, operand positions `width` slots wide
    /// and its constant pool at `const_base` (where it belongs, or provisionally: see
    /// `finish`), having emitted what starts every function.
    #[allow(clippy::too_many_arguments)]
    fn start(
        module: &'m ModuleInner,
        def: u32,
        options: Options,
        locals: SlotLayout,
        catch_slots: u32,
        width: u32,
        body_len: usize,
        const_base: u32,
    ) -> Self {
        let func_index = module.num_imported_funcs + def;
        let num_results = module.func_type(func_index).results().len() as u32;
        // Slots of the locals: all of the frame below the catch slots and the operand stack.
        let locals_end = locals.end() as u32;
        // Most operators take two or more bytes and become at most one instruction: sizing
        // the code for that up front spares the reallocations of growing it, each of which
        // briefly holds the old and the new buffer (a board's heap peaks there).
        let expected = body_len / 2 + 4;
        let mut t = Translator {
            module,
            code: Vec::with_capacity(expected),
            dying: Vec::with_capacity(expected),
            stack: Vec::new(),
            ctrl: Vec::new(),
            // The operand stack starts above the locals and the catch slots.
            locals: locals_end + catch_slots,
            width,
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
            const_base,
            consts: Vec::new(),
            const_index: wisp_core::hash::Map::default(),
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
        t
    }

    /// Ends the translation, with the constant pool at `const_base`: moved there if it was
    /// translated at a provisional base (single-pass loading, `stream`, which knows the
    /// operand stack's height only at the end).
    fn finish(mut self, const_base: u32) -> Result<Translation> {
        self.emit_pads();
        if const_base != self.const_base {
            self.relocate_pool(const_base);
        }
        // The slots legacy `catch` blocks keep their exception in: between the locals and the
        // operand stack, where no callee's frame reaches (a callee's frame starts at its
        // arguments, on the operand stack, and overlaps the caller's frame above them).
        debug_assert!(self.catch_slots <= self.reserved_catch_slots);
        let frame_size = self.const_base + self.consts.len() as u32;
        if frame_size > u32::from(Slot::MAX) + 1 {
            return Err(TranslateError::Unsupported);
        }
        let locals_end = self.locals_layout.end() as u32;
        self.place_catch_slots(locals_end as Slot);
        let (regions, clauses) = self.take_handlers();
        jumps::shorten(&mut self.code);
        debug_assert_eq!(self.code.len(), self.dying.len());
        let ty = self
            .module
            .func_type(self.module.num_imported_funcs + self.def);
        let func = CompiledFunc {
            code: Default::default(),
            frame_size,
            const_base: self.const_base,
            consts: self.consts.into(),
            num_params: ty.param_slots() as u32,
            num_locals: locals_end,
            native: None,
            regions: Default::default(),
            clauses: Default::default(),
        };
        Ok(Translation {
            code: self.code,
            dying: self.dying,
            func,
            regions,
            clauses,
        })
    }

    /// Moves the constant pool to `base`: every slot the code names in the pool (at
    /// `const_base..`, above every operand position) now names the same entry at `base`.
    fn relocate_pool(&mut self, base: u32) {
        let pool = self.const_base..self.const_base + self.consts.len() as u32;
        for instr in &mut self.code {
            instr.for_each_slot(|slot| {
                if pool.contains(&u32::from(*slot)) {
                    *slot = (u32::from(*slot) - pool.start + base) as Slot;
                }
            });
        }
        self.const_base = base;
    }
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

/// Adds `count` locals of type `ty` to `layout`: where each local of the function sits in
/// its frame (parameters first), core's layout, which the JIT's on-stack replacement reads
/// the frame by too (`OsrFrame::locals_layout`). Only widths matter here, so reference
/// types stand in for one another.
fn add_locals(layout: &mut SlotLayout, count: u32, ty: wasmparser::ValType) {
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
    /// Slots per operand-stack position: 2 in a function that can hold a `v128` on its
    /// stack (`FuncBody::vector`), else 1. A position's value owns all of them, so copies
    /// between positions copy them all (a narrower value's upper slot is then a don't-care).
    width: u32,
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
    const_index: wisp_core::hash::Map<u64, u32>,
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
    /// wisp's own decoder's error (`input`).
    Decode(#[allow(dead_code)] Invalid),
    Unsupported,
    /// A legacy `try` met with no catch slots reserved: translate again with them.
    NeedsCatchSlots,
}

impl From<BinaryReaderError> for TranslateError {
    fn from(e: BinaryReaderError) -> Self {
        TranslateError::Read(e)
    }
}

impl From<Invalid> for TranslateError {
    fn from(e: Invalid) -> Self {
        TranslateError::Decode(e)
    }
}

type Result<T> = core::result::Result<T, TranslateError>;
