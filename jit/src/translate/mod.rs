//! Wasm function bodies to Cranelift IR.
//!
//! One [`Translator`] walks a validated body once, keeping the wasm operand stack as a
//! stack of SSA values and wasm locals as `cranelift_frontend` variables; blocks, loops and
//! `if`s become Cranelift blocks whose parameters carry the values that cross them.
//!
//! Every compiled function has the *direct* signature `(vmctx, depth, params...) -> (status,
//! results...)` (see [`Env::direct_signature`]): status 0 is a normal return, anything else
//! a failure travelling outwards (`wisp_core::vm::status`): an exception, or a trap the
//! runtime reported. A failure goes to the function's one failure exit, which returns the
//! status with zeroed results, and each caller passes a failed status on to its own.
//!
//! Traps the code tests for itself take one of two paths (`Env::trap_by_signal`):
//! - **by signal** (`Config::signals_based_traps`, on a host with the handler): each is a
//!   Cranelift trap instruction (`trapnz`, `trapz`, `trap`, and Cranelift's own division
//!   traps) whose site is registered with the signal handler (`crate::signals`), which
//!   leaves all the native frames at once with the trap's status and their backtrace. No
//!   status constant and no branch to the failure exit: 3-7% less code. An access to a
//!   guarded memory (`memory.rs`) has no check at all: it faults the same way. A call to
//!   a function that can return no failure (`reach::status_free`, and for tier-up units
//!   `reach::status_free_unit`) then has no status test.
//! - **by status** (explicit mode, and hosts without the handler): a branch to the
//!   failure exit with the trap's status.
//!
//! Invariants:
//! - Every function entry checks, in this order, the native stack against
//!   `StoreInner::stack_limit` and its call budget `depth` (both `StackExhausted`),
//!   charges the entry block's fuel, and checks for interruption; loop headers charge
//!   their fuel, then check for interruption. That is the interpreter's order
//!   (`wisp-interp`'s `push_frame`, `ConsumeFuel`, `CheckInterrupt`).
//! - The call budget travels as a parameter, inverted (`!budget`, so that the prologue's
//!   one add both checks it and makes the callees'): a call passes the budget less one, a
//!   tail call the function's own, and an entry from Rust (`trampolines.rs`)
//!   `StoreInner::depth_left`'s, which is where the runtime keeps it. Before any call through the runtime the budget it
//!   passes on is written there (`publish_depth`); nothing else writes it, so a return
//!   has nothing to give back. (In memory it cost fib 15%: a load and two stores a call.)
//! - Fuel is charged exactly where the interpreter charges it (`fuel.rs`).
//! - Memory base and length are loaded from the memory entity at each access, so nothing
//!   that grows or moves memory (`memory.grow`, any call) can leave a stale base behind
//!   (a guarded memory's base never changes, so its loads may be shared and hoisted).

mod atomics;
mod calls;
mod control;
mod exceptions;
mod fuel;
mod memory;
mod numeric;
mod reach;
mod simd;
mod tables;

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, types, AbiParam, Block, BlockArg, FuncRef, Function, InstBuilder, MemFlagsData, SigRef,
    Signature, StackSlot, StackSlotData, StackSlotKind, Type, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmparser::{BlockType, FunctionBody, Operator};
use wisp_core::dead_code::{DeadCode, Step};
use wisp_core::module::ModuleInner;
use wisp_core::vm::OsrFrame;
use wisp_core::{FuncType, SlotLayout, TrapCode, ValType};

use crate::libcalls::Libcall;
use crate::offsets;
use crate::trap_codes;

pub use calls::WASM_FUNCTION_NAMESPACE;
use exceptions::Handler;
use fuel::FuelBlock;
pub use reach::{status_free, status_free_unit};

/// What translating a body depends on besides the body itself.
pub struct Env<'m> {
    pub module: &'m ModuleInner,
    /// The host's pointer type.
    pub ptr: Type,
    /// The convention of trampolines and runtime calls: the platform's C convention, so
    /// Rust can call trampolines and be called by native code.
    pub call_conv: CallConv,
    /// The convention of wasm functions' direct entries: Cranelift's `tail`, the one that
    /// has `return_call` (wasm's tail calls), used by every function so any may tail-call
    /// any other.
    pub wasm_call_conv: CallConv,
    /// Charge fuel (`Config::consume_fuel`).
    pub fuel: bool,
    /// Check the interrupt flag (`Config::interruptible`).
    pub interruptible: bool,
    /// Traps are Cranelift trap instructions, which the signal handler turns into the
    /// wasm trap (`crate::signals`), rather than branches to the failure exit
    /// (`Config::signals_based_traps`, on a host with the handler).
    pub trap_by_signal: bool,
    /// With `trap_by_signal` and `Calls::Direct`, which defined functions always return
    /// status 0 (`reach::status_free`): a call to one has no status test. Empty otherwise.
    pub status_free: Vec<bool>,
    /// What the frontend needs to know of the target.
    pub frontend: TargetFrontendConfig,
    /// How calls to the module's own functions are made.
    pub calls: Calls,
}

/// How compiled code calls the functions its module defines.
#[derive(Debug, Clone, Copy)]
pub enum Calls {
    /// The whole module is compiled into one mapping: PC-relative direct calls.
    Direct,
    /// Functions are compiled one at a time (tier-up): a call loads the callee's direct
    /// entry from `table` (the module's `AtomicPtr` per defined function, null until it is
    /// compiled) and calls it, or, while it is null, has the runtime run the callee. A
    /// function calls itself directly, or with landings through the table too. Such a
    /// function can also be entered at any of its loop headers (on-stack replacement): its
    /// direct signature has a parameter after the call budget, null for a call, or a
    /// `wisp_core::vm::OsrFrame` to continue.
    Table {
        table: usize,
        /// Whether frames may enter mid-loop (on-stack replacement): a landing at every
        /// loop, and the operand stack kept in variables at every join (`control.rs`).
        /// Landings slow a function's calls, measured 10-15% on recursive `fib`: a
        /// function hot by its calls keeps its code without them for calls, and code with
        /// them, if a loop gets hot later, serves only frames entering mid-loop
        /// (`tiering::state`).
        landings: bool,
    },
}

impl Env<'_> {
    /// Whether functions take the on-stack-replacement parameter (`Calls::Table`).
    pub fn osr(&self) -> bool {
        matches!(self.calls, Calls::Table { .. })
    }

    /// Whether the function is compiled enterable at its loops (`Calls::Table`'s
    /// `landings`).
    pub fn landings(&self) -> bool {
        matches!(self.calls, Calls::Table { landings: true, .. })
    }

    /// The array-call signature (`wisp_core::vm::ArrayCallFn`).
    pub fn array_signature(&self) -> Signature {
        let mut sig = Signature::new(self.call_conv);
        sig.params.extend([AbiParam::new(self.ptr); 3]);
        // Rust reads the status as a `u32` returned by the C convention.
        sig.returns.push(crate::libcalls::abi_param(types::I32));
        sig
    }
}

impl Env<'_> {
    /// The direct signature of a wasm function of type `ty`: `(vmctx, depth: i32, [osr,]
    /// params...) -> (status: i32, results...)`, the OSR parameter only with
    /// `Calls::Table`.
    pub fn direct_signature(&self, ty: &FuncType) -> Signature {
        // The call budget: how many more frames this call may start, itself included,
        // inverted (`!budget`: `budget_param`, `publish_depth`).
        let osr = self.osr().then_some(self.ptr);
        self.call_signature(ty, osr)
    }

    /// The signature of the runtime adapter for functions of type `ty`
    /// (`trampolines::runtime_adapter`): the direct signature's, with the store function
    /// to call in place of the OSR parameter, and the caller's context.
    pub fn adapter_signature(&self, ty: &FuncType) -> Signature {
        self.call_signature(ty, Some(types::I32))
    }

    /// `(vmctx, depth: i32, [extra,] params...) -> (status: i32, results...)` in the wasm
    /// calling convention, for functions of type `ty`.
    fn call_signature(&self, ty: &FuncType, extra: Option<Type>) -> Signature {
        let mut sig = Signature::new(self.wasm_call_conv);
        sig.params.push(AbiParam::new(self.ptr));
        sig.params.push(AbiParam::new(types::I32));
        sig.params.extend(extra.map(AbiParam::new));
        sig.params
            .extend(ty.params().iter().map(|&t| AbiParam::new(clif_type(t))));
        sig.returns.push(AbiParam::new(types::I32));
        sig.returns
            .extend(ty.results().iter().map(|&t| AbiParam::new(clif_type(t))));
        sig
    }
}

/// The call budget parameter for a budget of `budget` frames (`StoreInner::depth_left`):
/// its bits inverted, so that a function's prologue checks it and makes its callees' with
/// one add (`Translator::prologue`).
pub fn budget_param(b: &mut FunctionBuilder<'_>, budget: Value) -> Value {
    b.ins().bnot(budget)
}

/// Stores the budget that parameter `depth` carries into `store`'s `depth_left`, where the
/// runtime finds the budget of the frames it starts.
pub fn publish_depth(b: &mut FunctionBuilder<'_>, depth: Value, store: Value) {
    let budget = b.ins().bnot(depth);
    b.ins()
        .store(vm_flags(), budget, store, offsets::STORE_DEPTH_LEFT);
}

/// The Cranelift type of a wasm value: references are their raw 64-bit encoding
/// (`wisp_core::value`: 0 for null, store index + 1).
pub fn clif_type(ty: ValType) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 | ValType::Ref(_) => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        // Every `v128` is an `i8x16` where it crosses anything (locals, block parameters,
        // calls, the operand stack between operators); an operator on lanes of another
        // shape bitcasts its operands and its result (`simd.rs`).
        ValType::V128 => V128,
    }
}

/// The wasm type whose raw slots a Cranelift value of type `ty` fills (a reference is an
/// `I64`, one slot like an `i64`): the translator's values carry Cranelift types, and
/// core's `SlotLayout` places wasm types.
pub fn slot_type(ty: Type) -> ValType {
    match ty {
        types::I32 => ValType::I32,
        types::I64 => ValType::I64,
        types::F32 => ValType::F32,
        types::F64 => ValType::F64,
        t if is_v128(t) => ValType::V128,
        other => unreachable!("no wasm value is a Cranelift {other}"),
    }
}

/// Where values of Cranelift types `types` sit in a slot array, by core's one layout
/// (`wisp_core::layout`): every slot offset native code uses comes from one of these,
/// never from an index times the slot size.
pub fn slot_layout(types: impl IntoIterator<Item = Type>) -> SlotLayout {
    SlotLayout::new(types.into_iter().map(slot_type))
}

/// Value `i`'s byte offset in a slot array laid out by `layout`, as a load or store's
/// offset (frames are at most 65,535 slots, arrays a signature's or a tag's values).
pub fn slot_offset(layout: &SlotLayout, i: usize) -> i32 {
    layout.offset_bytes(i) as i32
}

fn wasm_type(ty: wasmparser::ValType) -> Result<Type> {
    Ok(match ty {
        wasmparser::ValType::I32 => types::I32,
        wasmparser::ValType::I64 | wasmparser::ValType::Ref(_) => types::I64,
        wasmparser::ValType::F32 => types::F32,
        wasmparser::ValType::F64 => types::F64,
        wasmparser::ValType::V128 => V128,
    })
}

/// The Cranelift type of a wasm `v128` wherever it crosses anything: see `clif_type`.
pub const V128: Type = types::I8X16;

/// Whether a value of Cranelift type `ty` is a wasm `v128` (any 128-bit vector shape).
pub fn is_v128(ty: Type) -> bool {
    ty.is_vector() && ty.bits() == 128
}

/// Flags for a `v128` in raw slots: slot arrays are aligned for `u64`s only, so a vector
/// access is never marked aligned (x86_64 would fold an aligned vector load into an SSE
/// instruction, which faults on an address that is not a multiple of 16), and its 16 bytes
/// are little-endian, the low half in the first slot (`wisp_core::layout`).
fn v128_slot_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_notrap()
        .with_endianness(ir::Endianness::Little)
}

/// A value of type `ty` from raw slots at `base + offset` (`wisp_core::value`): one 64-bit
/// slot decoded, or the two of a `v128`. `flags` are those of the slot array (a `v128`
/// drops their alignment, see `v128_slot_flags`).
pub fn load_raw(
    b: &mut FunctionBuilder<'_>,
    ty: Type,
    flags: MemFlagsData,
    base: Value,
    offset: i32,
) -> Value {
    if is_v128(ty) {
        return b.ins().load(ty, v128_slot_flags(), base, offset);
    }
    let raw = b.ins().load(types::I64, flags, base, offset);
    decode_raw(b, ty, raw)
}

/// Stores `v` into raw slots at `base + offset`, as `load_raw` reads them.
pub fn store_raw(
    b: &mut FunctionBuilder<'_>,
    v: Value,
    flags: MemFlagsData,
    base: Value,
    offset: i32,
) {
    if is_v128(b.func.dfg.value_type(v)) {
        b.ins().store(v128_slot_flags(), v, base, offset);
        return;
    }
    let raw = encode_raw(b, v);
    b.ins().store(flags, raw, base, offset);
}

/// Why a body could not be translated: neither happens for modules the loader accepted
/// with the features wisp enables.
#[derive(Debug)]
pub enum TranslateError {
    Read(wasmparser::BinaryReaderError),
    Unsupported(&'static str),
}

impl From<wasmparser::BinaryReaderError> for TranslateError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        TranslateError::Read(e)
    }
}

impl std::fmt::Display for TranslateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TranslateError::Read(e) => write!(f, "{e}"),
            TranslateError::Unsupported(what) => write!(f, "unsupported operator: {what}"),
        }
    }
}

type Result<T> = std::result::Result<T, TranslateError>;

/// `v` as a raw 64-bit slot (`wisp_core::value`): 32-bit values zero-extended, floats as
/// their bits.
pub fn encode_raw(b: &mut FunctionBuilder<'_>, v: Value) -> Value {
    match b.func.dfg.value_type(v) {
        types::I32 => b.ins().uextend(types::I64, v),
        types::F32 => {
            let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
            b.ins().uextend(types::I64, bits)
        }
        types::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), v),
        _ => v,
    }
}

/// A value of type `ty` from a raw 64-bit slot.
pub fn decode_raw(b: &mut FunctionBuilder<'_>, ty: Type, raw: Value) -> Value {
    match ty {
        types::I32 => b.ins().ireduce(types::I32, raw),
        types::F32 => {
            let bits = b.ins().ireduce(types::I32, raw);
            b.ins().bitcast(types::F32, MemFlagsData::new(), bits)
        }
        types::F64 => b.ins().bitcast(types::F64, MemFlagsData::new(), raw),
        _ => raw,
    }
}

/// A zero of type `ty` (integers, references, floats and vectors).
pub fn zero(b: &mut FunctionBuilder<'_>, ty: Type) -> Value {
    match ty {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        t if t.is_vector() => {
            let c = b.func.dfg.constants.insert(vec![0u8; 16].into());
            b.ins().vconst(t, c)
        }
        _ => b.ins().iconst(ty, 0),
    }
}

/// Translates defined function `def` of `env.module` into `func`, whose signature must be
/// the function's direct signature. Returns the byte offsets of the loops it can be
/// entered at (with `Env::osr`; none otherwise).
pub fn translate(
    env: &Env<'_>,
    def: u32,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<Vec<u32>> {
    let module = env.module;
    let body_info = &module.bodies[def as usize];
    let ty = module.func_type(module.num_imported_funcs + def);
    let body = FunctionBody::new(wasmparser::BinaryReader::new(
        &module.bytes[body_info.range.clone()],
        body_info.range.start as u64,
    ));
    let b = FunctionBuilder::new(func, fctx);
    let mut t = Translator::new(env, b, ty, def);
    t.entry_checks = EntryChecks::of(&body, body_info)?;
    if env.landings() {
        // As the interpreter lays its frame out: catch slots only if a `try` needs them
        // (`wisp-interp`'s `translate_instrs`).
        t.interp_catch_slots = module.legacy_catch_slots(def);
        t.interp_vector = body_info.is_vector();
    }
    // Blocks: about one per 10 bytes of code (a branch or a checked access each).
    let pairs = u64::from(body_info.num_locals) * (body_info.range.len() as u64 / 10);
    t.prologue(ty, &body, pairs > SLOT_LOCALS_ABOVE)?;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        t.offset = reader.original_position() as u32;
        let op = reader.read()?;
        t.op(op)?;
    }
    let loops = t.osr.as_ref().map_or_else(Vec::new, |o| {
        o.landings.iter().map(|&(offset, _)| offset).collect()
    });
    t.finish();
    Ok(loops)
}

/// How much of the entry checks a function needs (`Translator::prologue`). A small function
/// that starts no other frame needs less: only a frame below it could run on the stack it
/// does not check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EntryChecks {
    /// The stack check and the call budget's.
    Full,
    /// A leaf: no call, tail call, `throw` or handler, and no operator served by the
    /// runtime, in a body of at most `LEAF_BODY` bytes with at most `LEAF_LOCALS` locals.
    /// The budget is checked, and the stack is not: the frame is
    /// bounded by its body (`LEAF_BODY` values and `LEAF_LOCALS` locals, at most 16 bytes
    /// each: under 5 KiB) and its caller's check left at least `stack::MIN_RESERVE`
    /// (16 KiB) below the limit, which also holds its failure exit's runtime call, as it
    /// holds every checked frame's.
    Leaf,
}

const LEAF_BODY: usize = 256;
const LEAF_LOCALS: u32 = 16;

impl EntryChecks {
    fn of(body: &FunctionBody<'_>, info: &wisp_core::module::FuncBody) -> Result<EntryChecks> {
        if info.range.len() > LEAF_BODY || info.num_locals > LEAF_LOCALS {
            return Ok(EntryChecks::Full);
        }
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            if reach::reach(&reader.read()?) != reach::Reach::Frame {
                return Ok(EntryChecks::Full);
            }
        }
        Ok(EntryChecks::Leaf)
    }
}

/// Where a wasm local lives.
#[derive(Clone, Copy)]
enum Local {
    /// An SSA variable (`cranelift_frontend` builds the phis).
    Var(Variable),
    /// A stack slot of the given type, read and written by loads and stores.
    Slot(StackSlot, Type),
}

/// Above this many (local, estimated block) pairs a function keeps its locals in stack
/// slots. Cranelift's SSA construction and register allocation need memory for every
/// variable live across every block; for functions with thousands of locals and blocks
/// that is gigabytes, which untrusted code must not be able to make the host spend.
/// (The largest function of the regex workload, 473 locals over ~5,000 blocks, cost
/// 340 MB as variables.)
const SLOT_LOCALS_ABOVE: u64 = 1 << 20;

/// A block, loop or `if` being translated.
struct Control {
    kind: ControlKind,
    /// Where control continues after `end`; its parameters are the construct's results.
    next: Block,
    /// The operand stack height below the construct's parameters.
    height: usize,
    params: Vec<Type>,
    results: Vec<Type>,
    /// Whether anything reaches `next`: a branch to the label, or falling off the end.
    next_reachable: bool,
    /// The handler in effect where the construct starts (`Translator::landing`).
    landing_outside: Option<usize>,
}

enum ControlKind {
    Block,
    /// Branches to a loop go to its header, with the loop's parameters.
    Loop {
        header: Block,
    },
    /// `else_block` starts the else arm (or, without one, passes the parameters through);
    /// `else_params` are the values the `if` was given.
    If {
        else_block: Block,
        else_params: Vec<Value>,
        has_else: bool,
    },
    /// A `try_table`, whose body handler `handler` covers (`Translator::handlers`).
    TryTable {
        handler: usize,
    },
    /// A legacy `try`, in its body, which handler `handler` covers.
    Try {
        handler: usize,
    },
    /// A legacy `try` in one of its catch blocks, whose exception (an `exnref`, for
    /// `rethrow`) is in `exn`; `handler` takes more catch blocks, and `cleanup` covers
    /// the blocks: it lets go of `exn` when a failure passes out.
    Catch {
        handler: usize,
        exn: Variable,
        cleanup: usize,
    },
}

impl Control {
    /// The block a branch to this label goes to, and how many values it carries.
    fn branch_target(&self) -> (Block, usize) {
        match self.kind {
            ControlKind::Loop { header } => (header, self.params.len()),
            _ => (self.next, self.results.len()),
        }
    }
}

/// On-stack replacement (`Env::osr`): the path from the function's entry, when its OSR
/// parameter is not null, to the loop the interpreter frame is at.
struct Osr {
    /// The interpreter frame's slots (`OsrFrame::slots`), loaded on that path.
    frame: Value,
    /// `OsrFrame::loop_offset`.
    offset: Value,
    /// Where the path chooses its loop: filled in by `finish`, once every loop is known.
    switch: Block,
    /// Per loop so far: its byte offset, and the block that loads the operands at its
    /// header from the frame and joins the loop.
    landings: Vec<(u32, Block)>,
    /// Operand stack positions as variables, by position and type (see
    /// `Translator::define_operands`).
    operands: HashMap<(usize, Type), Variable>,
    /// Where the frame keeps the locals (`OsrFrame::locals_layout`); the operands at a
    /// loop header sit after them and the interpreter's catch slots.
    locals: SlotLayout,
}

pub struct Translator<'e, 'b> {
    env: &'e Env<'e>,
    b: FunctionBuilder<'b>,
    /// The function being translated (index among defined functions).
    def: u32,
    /// Byte offset of the operator being translated.
    offset: u32,
    /// With `Env::osr`.
    osr: Option<Osr>,
    vmctx: Value,
    /// `VmCtx::store`, loaded once: it is the same for the whole execution.
    store: Value,
    /// Memory 0's entity, loaded once (entities never move); `None` without memories.
    memory0: Option<Value>,
    locals: Vec<Local>,
    stack: Vec<Value>,
    control: Vec<Control>,
    /// False after an unconditional branch, until the enclosing construct's `else`/`end`.
    reachable: bool,
    /// Block nesting inside unreachable code (not translated, only counted).
    unreachable: DeadCode,
    results: Vec<Type>,
    /// The failure exit: one parameter, the status to return.
    fail: Block,
    /// The normal exit: the results as parameters.
    ret: Block,
    fuel: Option<FuelBlock>,
    libcall_sigs: HashMap<Libcall, SigRef>,
    /// The functions of the same code called so far, by name (`calls.rs`: `colocated`).
    callees: HashMap<(u32, u32), FuncRef>,
    /// SIMD float results made canonical (`simd.rs`: `canonical_nans`), as they are on the
    /// operand stack, to the raw result and its shape: another canonicalising operator of
    /// the same shape takes the raw one (`simd.rs`: `vpop_arith`).
    canonical: HashMap<Value, (Value, Type)>,
    /// Per local, the float shape whose raw results it holds (`simd.rs`: `raw_nan_locals`),
    /// or `None` for a local that holds its value as wasm sees it.
    raw_locals: Vec<Option<Type>>,
    /// Every exception handler of the function so far (`exceptions.rs`), by index.
    handlers: Vec<Handler>,
    /// The handler a failed call goes to here (`propagate`), or `None`: the failure exit.
    landing: Option<usize>,
    /// How many legacy catch blocks the current position is inside.
    catch_depth: u32,
    /// The call budget this function was called with (its parameter), set by the
    /// prologue: what a tail call passes on, since the callee takes this frame's place
    /// (`Translator::callee_depth`: what a call passes).
    depth: Option<Value>,
    /// `depth - 1`, what a call passes, set by the prologue.
    callee_depth: Option<Value>,
    /// The one stack slot every call into the runtime passes its arguments and takes its
    /// results in (`scratch`), once one needs it.
    scratch: Option<StackSlot>,
    /// Which entry checks the prologue makes.
    entry_checks: EntryChecks,
    /// With OSR: the catch slots the interpreter's frame of this function has between its
    /// locals and its operands (`ModuleInner::legacy_catch_slots`).
    interp_catch_slots: u32,
    /// With OSR: whether the interpreter's frame gives each operand two slots
    /// (`FuncBody::vector`).
    interp_vector: bool,
}

/// Flags for loads of runtime fields: aligned, and never trapping (the pointers come from
/// the runtime, valid for the whole execution).
fn vm_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// As `vm_flags`, for fields that never change while wasm runs (entity pointers).
fn vm_readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

impl<'e, 'b> Translator<'e, 'b> {
    fn new(env: &'e Env<'e>, mut b: FunctionBuilder<'b>, ty: &FuncType, def: u32) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let vmctx = b.block_params(entry)[0];
        let results: Vec<Type> = ty.results().iter().map(|&t| clif_type(t)).collect();
        let fail = b.create_block();
        b.append_block_param(fail, types::I32);
        b.set_cold_block(fail);
        let ret = b.create_block();
        for &t in &results {
            b.append_block_param(ret, t);
        }
        let store = b
            .ins()
            .load(env.ptr, vm_readonly(), vmctx, offsets::VMCTX_STORE);
        let memory0 = (!env.module.memories.is_empty()).then(|| {
            b.ins()
                .load(env.ptr, vm_readonly(), vmctx, offsets::VMCTX_MEMORY0)
        });
        Translator {
            env,
            b,
            def,
            offset: 0,
            osr: None,
            vmctx,
            store,
            memory0,
            locals: Vec::new(),
            stack: Vec::new(),
            control: Vec::new(),
            reachable: true,
            unreachable: DeadCode::default(),
            results,
            fail,
            ret,
            fuel: None,
            libcall_sigs: HashMap::new(),
            callees: HashMap::new(),
            canonical: HashMap::new(),
            raw_locals: Vec::new(),
            handlers: Vec::new(),
            landing: None,
            catch_depth: 0,
            depth: None,
            callee_depth: None,
            scratch: None,
            entry_checks: EntryChecks::Full,
            interp_catch_slots: 0,
            interp_vector: false,
        }
    }

    /// Locals, the entry checks, and the function's own label.
    fn prologue(&mut self, ty: &FuncType, body: &FunctionBody<'_>, in_slots: bool) -> Result<()> {
        let entry = self.b.current_block().expect("the entry block is current");
        let mut types: Vec<Type> = ty.params().iter().map(|&t| clif_type(t)).collect();
        let mut reader = body.get_locals_reader()?;
        for _ in 0..reader.get_count() {
            let (count, ty) = reader.read()?;
            let ty = wasm_type(ty)?;
            types.extend((0..count).map(|_| ty));
        }
        // After the context and the call budget, and the OSR parameter where there is one.
        let first_param = if self.env.osr() { 3 } else { 2 };
        let params: Vec<Value> = self.b.block_params(entry)[first_param..].to_vec();
        for (i, &t) in types.iter().enumerate() {
            let init = if i < ty.params().len() {
                params[i]
            } else {
                self.zero(t)
            };
            self.declare_local(t, init, in_slots);
        }
        if types[ty.params().len()..].contains(&V128) {
            self.raw_locals = simd::raw_nan_locals(body, ty.params().len(), &types)?;
        }

        // The native stack, then the call budget: `StackExhausted` either way. A leaf
        // checks the budget only (`EntryChecks::Leaf`).
        let full = self.entry_checks == EntryChecks::Full;
        if full {
            let sp = self.b.ins().get_stack_pointer(self.env.ptr);
            let limit = self.b.ins().load(
                self.env.ptr,
                vm_flags(),
                self.store,
                offsets::STORE_STACK_LIMIT,
            );
            let below = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
            self.trap_if(below, TrapCode::StackExhausted);
        }
        // The budget travels inverted (`Env::direct_signature`): no budget left is all
        // ones, and the callees' budget is one more. With traps by signal, one add that
        // traps on its carry checks the budget and makes the callees' (`add $1; jb` on
        // x86); as one value, it is computed once. (Cranelift rematerialises an add of a
        // constant at each use, which cost a reload and a `lea` at every call: 2% of a
        // call-heavy module's code.)
        let depth = self.b.block_params(entry)[1];
        let one = self.i32_const(1);
        let callee_depth = if self.env.trap_by_signal {
            let code = crate::trap_codes::to_ir(TrapCode::StackExhausted);
            self.b.ins().uadd_overflow_trap(depth, one, code)
        } else {
            let exhausted = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, depth, u32::MAX as i64);
            self.trap_if(exhausted, TrapCode::StackExhausted);
            self.b.ins().iadd(depth, one)
        };
        self.depth = Some(depth);
        self.callee_depth = Some(callee_depth);

        if self.env.landings() {
            let osr = self.b.block_params(entry)[2];
            self.osr_path(osr, &types);
        }
        self.start_fuel_block();
        self.check_interrupt();

        let next = self.ret;
        self.control.push(Control {
            kind: ControlKind::Block,
            next,
            height: 0,
            params: Vec::new(),
            results: self.results.clone(),
            next_reachable: false,
            landing_outside: None,
        });
        Ok(())
    }

    /// Adds a local of type `ty` holding `init`.
    fn declare_local(&mut self, ty: Type, init: Value, in_slot: bool) {
        let local = if in_slot {
            let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                ty.bytes(),
                ty.bytes().trailing_zeros() as u8,
            ));
            self.b.ins().stack_store(self.env.ptr, init, slot, 0);
            Local::Slot(slot, ty)
        } else {
            let var = self.b.declare_var(ty);
            self.b.def_var(var, init);
            Local::Var(var)
        };
        self.locals.push(local);
    }

    fn local_get(&mut self, index: u32) -> Value {
        match self.locals[index as usize] {
            Local::Var(var) => self.b.use_var(var),
            Local::Slot(slot, ty) => self.b.ins().stack_load(self.env.ptr, ty, slot, 0),
        }
    }

    fn local_set(&mut self, index: u32, v: Value) {
        match self.locals[index as usize] {
            Local::Var(var) => self.b.def_var(var, v),
            Local::Slot(slot, _) => {
                self.b.ins().stack_store(self.env.ptr, v, slot, 0);
            }
        }
    }

    /// With `Env::osr`: branches on the OSR parameter. Null (a call) goes on to the body;
    /// otherwise the locals are loaded from the interpreter frame, and `finish` picks the
    /// loop to join among those `enter_loop` prepared.
    fn osr_path(&mut self, osr: Value, local_types: &[Type]) {
        let path = self.b.create_block();
        let body = self.b.create_block();
        self.b.set_cold_block(path);
        self.b.ins().brif(osr, path, &[], body, &[]);

        self.b.switch_to_block(path);
        self.b.seal_block(path);
        // The interpreter's `OsrFrame`, valid for the call.
        let flags = MemFlagsData::trusted();
        let frame = self.b.ins().load(
            self.env.ptr,
            flags,
            osr,
            std::mem::offset_of!(OsrFrame, slots) as i32,
        );
        let offset = self.b.ins().load(
            types::I32,
            flags,
            osr,
            std::mem::offset_of!(OsrFrame, loop_offset) as i32,
        );
        let locals = OsrFrame::locals_layout(local_types.iter().map(|&t| slot_type(t)));
        for (i, &t) in local_types.iter().enumerate() {
            let at = slot_offset(&locals, i);
            let v = load_raw(&mut self.b, t, flags, frame, at);
            self.local_set(i as u32, v);
        }
        let switch = self.b.create_block();
        self.b.ins().jump(switch, &[]);
        self.osr = Some(Osr {
            frame,
            offset,
            switch,
            landings: Vec::new(),
            operands: HashMap::new(),
            locals,
        });

        self.b.switch_to_block(body);
        self.b.seal_block(body);
    }

    /// The exits, after the last operator.
    fn finish(mut self) {
        self.close_fuel_block();

        // On-stack replacement: the loop the frame is at. An offset without a loop never
        // comes: the tier-up manager enters only at the loops `translate` returned.
        if let Some(osr) = self.osr.take() {
            self.b.switch_to_block(osr.switch);
            self.b.seal_block(osr.switch);
            for (offset, landing) in osr.landings {
                let hit = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::Equal, osr.offset, i64::from(offset));
                let next = self.b.create_block();
                self.b.ins().brif(hit, landing, &[], next, &[]);
                self.b.seal_block(landing);
                self.b.switch_to_block(next);
                self.b.seal_block(next);
            }
            let status = self.i32_const(i64::from(TrapCode::Unreachable.status()));
            let fail = self.fail;
            self.b.ins().jump(fail, &[BlockArg::Value(status)]);
        }

        // Both ways out share one return, so the function has one epilogue (restoring the
        // callee-saved registers, ~30 bytes on x86).
        let exit = self.b.create_block();
        self.b.append_block_param(exit, types::I32);
        for &t in &self.results.clone() {
            self.b.append_block_param(exit, t);
        }

        self.b.switch_to_block(self.ret);
        let ok = self.b.ins().iconst(types::I32, 0);
        let mut values = vec![ok];
        values.extend_from_slice(self.b.block_params(self.ret));
        self.b.ins().jump(exit, &Self::block_args(&values));

        // The failure exit: the frame goes on the trap's backtrace, and the status leaves
        // with zeroes for the results. (`status::TAIL_CALL` never comes here: it is a
        // return.)
        self.b.switch_to_block(self.fail);
        let status = self.b.block_params(self.fail)[0];
        let status = self.record_frame(status);
        let mut values = vec![status];
        for &t in &self.results.clone() {
            values.push(self.zero(t));
        }
        self.b.ins().jump(exit, &Self::block_args(&values));

        self.b.switch_to_block(exit);
        let values = self.b.block_params(exit).to_vec();
        self.b.ins().return_(&values);

        self.b.seal_all_blocks();
        self.b.finalize(self.env.frontend);
    }

    // ----- operand stack --------------------------------------------------------------

    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validation keeps the operand stack balanced")
    }

    fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    /// Pops the top `n` values, bottom first.
    fn popn(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    // ----- small helpers --------------------------------------------------------------

    fn zero(&mut self, ty: Type) -> Value {
        zero(&mut self.b, ty)
    }

    fn i32_const(&mut self, v: i64) -> Value {
        self.b.ins().iconst(types::I32, v)
    }

    /// A boolean (`i8` from a comparison) as wasm's `i32` 0 or 1.
    fn bool_to_i32(&mut self, cond: Value) -> Value {
        self.b.ins().uextend(types::I32, cond)
    }

    fn block_args(values: &[Value]) -> Vec<BlockArg> {
        values.iter().map(|&v| BlockArg::Value(v)).collect()
    }

    /// Traps with `code` when `cond` is non-zero: a trap instruction the signal handler
    /// claims (`Env::trap_by_signal`), or a branch to the failure exit.
    fn trap_if(&mut self, cond: Value, code: TrapCode) {
        if self.env.trap_by_signal {
            self.b.ins().trapnz(cond, trap_codes::to_ir(code));
            return;
        }
        let status = self.i32_const(i64::from(code.status()));
        self.fail_if(cond, status);
    }

    fn trap_if_zero(&mut self, value: Value, code: TrapCode) {
        if self.env.trap_by_signal {
            self.b.ins().trapz(value, trap_codes::to_ir(code));
            return;
        }
        let zero = self.b.ins().icmp_imm_u(IntCC::Equal, value, 0);
        self.trap_if(zero, code);
    }

    /// Leaves through the failure exit with `status` when `cond` is non-zero.
    fn fail_if(&mut self, cond: Value, status: Value) {
        let cont = self.b.create_block();
        let fail = self.fail;
        self.b
            .ins()
            .brif(cond, fail, &[BlockArg::Value(status)], cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// Passes on a failed status from a call (any non-zero `status`): to the handler in
    /// effect, which catches it if it is an exception it takes, else to the failure exit.
    fn propagate(&mut self, status: Value) {
        let to = self.failure_target();
        let cont = self.b.create_block();
        self.b
            .ins()
            .brif(status, to, &[BlockArg::Value(status)], cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// Passes on a failed `status` unconditionally (a `throw`), as `propagate`.
    fn raise(&mut self, status: Value) {
        let to = self.failure_target();
        self.b.ins().jump(to, &[BlockArg::Value(status)]);
    }

    /// Where a failed call goes from here: the landing of the handler in effect, or the
    /// failure exit.
    fn failure_target(&mut self) -> Block {
        match self.landing {
            Some(h) => self.handler_landing(h),
            None => self.fail,
        }
    }

    /// Appends this frame to the store's `NativeFrames` while there is room
    /// (`libcalls::record_frame`: instance and function index).
    fn record_frame(&mut self, status: Value) -> Value {
        let func_index = self.env.module.num_imported_funcs + self.def;
        let func_index = self.i32_const(i64::from(func_index));
        let vmctx = self.vmctx;
        self.call_libcall(Libcall::RecordFrame, &[vmctx, func_index, status])[0]
    }

    /// This function's call budget (`depth`).
    fn own_depth(&self) -> Value {
        self.depth.expect("set by the prologue")
    }

    /// The call budget this function's callees get: one less than its own (inverted, one
    /// more), computed by the prologue's check.
    fn callee_depth(&mut self) -> Value {
        self.callee_depth.expect("set by the prologue")
    }

    /// Tells the runtime `depth` (inverted, as parameters carry it), the call budget of
    /// the frames it starts for this function (`StoreInner::depth_left`), before a call
    /// through it: `own_depth` for a call in this frame's place (a tail call the runtime
    /// makes), else `callee_depth`. Native callees get theirs as a parameter; the runtime
    /// has only the store.
    fn publish_depth(&mut self, depth: Value) {
        publish_depth(&mut self.b, depth, self.store);
    }

    /// Traps with `code`, unconditionally (as `trap_if`).
    fn trap(&mut self, code: TrapCode) {
        if self.env.trap_by_signal {
            self.b.ins().trap(trap_codes::to_ir(code));
            return;
        }
        let status = self.i32_const(i64::from(code.status()));
        let fail = self.fail;
        self.b.ins().jump(fail, &[BlockArg::Value(status)]);
    }

    /// At function entry and loop headers, when the engine is interruptible: a set flag
    /// is cleared and traps with `Interrupted` (as the interpreter's `CheckInterrupt`).
    fn check_interrupt(&mut self) {
        if !self.env.interruptible {
            return;
        }
        let flag_ptr = self.b.ins().load(
            self.env.ptr,
            vm_readonly(),
            self.vmctx,
            offsets::VMCTX_INTERRUPT,
        );
        // An atomic load: another thread sets the flag, and a plain load in a loop header
        // would be merged with the one before the loop (nothing in between stores to it).
        let flag = self
            .b
            .ins()
            .atomic_load(types::I8, MemFlagsData::trusted(), flag_ptr);
        let set = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(set);
        self.b.ins().brif(flag, set, &[], cont, &[]);
        self.b.switch_to_block(set);
        self.b.seal_block(set);
        let zero = self.b.ins().iconst(types::I8, 0);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), zero, flag_ptr, 0);
        self.trap(TrapCode::Interrupted);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// The types of a block type's parameters and results.
    fn block_signature(&self, bt: BlockType) -> Result<(Vec<Type>, Vec<Type>)> {
        Ok(match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Type(t) => (Vec::new(), vec![wasm_type(t)?]),
            BlockType::FuncType(i) => {
                let ty = &self.env.module.types[i as usize];
                (
                    ty.params().iter().map(|&t| clif_type(t)).collect(),
                    ty.results().iter().map(|&t| clif_type(t)).collect(),
                )
            }
        })
    }

    // ----- globals ----------------------------------------------------------------------

    /// Global `index`'s cell.
    fn global_cell(&mut self, index: u32) -> Value {
        let ptr = self.env.ptr;
        let globals = self
            .b
            .ins()
            .load(ptr, vm_readonly(), self.vmctx, offsets::VMCTX_GLOBALS);
        let at = (index as usize * ptr.bytes() as usize) as i32;
        self.b.ins().load(ptr, vm_readonly(), globals, at)
    }

    fn global_type(&self, index: u32) -> Type {
        clif_type(self.env.module.globals[index as usize].content)
    }

    fn global_get(&mut self, index: u32) {
        let ty = self.global_type(index);
        // As the interpreter: an immutable global the module defines with a constant is that
        // constant in every instance.
        if let Some((bits, _)) = self.env.module.constant_global(index) {
            let v = self.const_from_raw(ty, bits);
            return self.push(v);
        }
        let cell = self.global_cell(index);
        let v = load_raw(&mut self.b, ty, vm_flags(), cell, offsets::GLOBAL_VALUE);
        self.push(v);
    }

    fn global_set(&mut self, index: u32) {
        let v = self.pop();
        let cell = self.global_cell(index);
        store_raw(&mut self.b, v, vm_flags(), cell, offsets::GLOBAL_VALUE);
    }

    /// A constant of type `ty` from its raw slot bits.
    fn const_from_raw(&mut self, ty: Type, bits: u64) -> Value {
        match ty {
            types::I32 => self.b.ins().iconst(types::I32, i64::from(bits as u32)),
            types::F32 => self
                .b
                .ins()
                .f32const(ir::immediates::Ieee32::with_bits(bits as u32)),
            types::F64 => self
                .b
                .ins()
                .f64const(ir::immediates::Ieee64::with_bits(bits)),
            _ => self.b.ins().iconst(types::I64, bits as i64),
        }
    }

    /// A value of type `ty` from the raw slots of stack slot `slot` at `offset`.
    fn stack_load_raw(&mut self, ty: Type, slot: StackSlot, offset: i32) -> Value {
        if is_v128(ty) {
            let at = self.b.ins().stack_addr(self.env.ptr, slot, offset);
            return load_raw(&mut self.b, ty, vm_flags(), at, 0);
        }
        let raw = self
            .b
            .ins()
            .stack_load(self.env.ptr, types::I64, slot, offset);
        self.decode_raw(ty, raw)
    }

    /// Stores `v` into the raw slots of stack slot `slot` at `offset`.
    fn stack_store_raw(&mut self, v: Value, slot: StackSlot, offset: i32) {
        if is_v128(self.b.func.dfg.value_type(v)) {
            let at = self.b.ins().stack_addr(self.env.ptr, slot, offset);
            store_raw(&mut self.b, v, vm_flags(), at, 0);
            return;
        }
        let raw = self.encode_raw(v);
        self.b.ins().stack_store(self.env.ptr, raw, slot, offset);
    }

    fn encode_raw(&mut self, v: Value) -> Value {
        encode_raw(&mut self.b, v)
    }

    fn decode_raw(&mut self, ty: Type, raw: Value) -> Value {
        decode_raw(&mut self.b, ty, raw)
    }

    // ----- the operator switch ----------------------------------------------------------

    fn op(&mut self, op: Operator<'_>) -> Result<()> {
        if !self.reachable {
            return self.unreachable_op(op);
        }
        self.charge_fuel();
        use Operator as O;
        match op {
            O::Unreachable => {
                self.trap(TrapCode::Unreachable);
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => self.op_block(blockty)?,
            O::Loop { blockty } => self.op_loop(blockty)?,
            O::If { blockty } => self.op_if(blockty)?,
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
            O::CallRef { type_index } => self.op_call_ref(type_index),
            O::ReturnCall { function_index } => {
                self.op_return_call(function_index);
                self.reachable = false;
            }
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                self.op_return_call_indirect(type_index, table_index);
                self.reachable = false;
            }
            O::ReturnCallRef { type_index } => {
                self.op_return_call_ref(type_index);
                self.reachable = false;
            }

            O::TryTable { try_table } => self.op_try_table(&try_table)?,
            O::Throw { tag_index } => self.op_throw(tag_index),
            O::ThrowRef => self.op_throw_ref(),
            O::Try { blockty } => self.op_try(blockty)?,
            O::Catch { tag_index } => self.op_catch(Some(tag_index)),
            O::CatchAll => self.op_catch(None),
            O::Delegate { relative_depth } => self.op_delegate(relative_depth),
            O::Rethrow { relative_depth } => self.op_rethrow(relative_depth),
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let (a, b, cond) = self.pop3();
                let v = self.b.ins().select(cond, a, b);
                self.push(v);
            }
            O::LocalGet { local_index } => {
                let v = self.local_get(local_index);
                match self.raw_local(local_index) {
                    Some(shape) => self.push_raw_local(v, shape),
                    None => self.push(v),
                }
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                let v = self.local_value(local_index, v);
                self.local_set(local_index, v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                let v = self.local_value(local_index, v);
                self.local_set(local_index, v);
            }
            O::GlobalGet { global_index } => self.global_get(global_index),
            O::GlobalSet { global_index } => self.global_set(global_index),

            O::RefNull { .. } => {
                let v = self.b.ins().iconst(types::I64, 0);
                self.push(v);
            }
            O::RefFunc { function_index } => self.op_ref_func(function_index),
            O::RefAsNonNull => {
                let v = *self.stack.last().expect("validated");
                self.trap_if_zero(v, TrapCode::NullReference);
            }
            O::BrOnNull { relative_depth } => self.op_br_on_null(relative_depth),
            O::BrOnNonNull { relative_depth } => self.op_br_on_non_null(relative_depth),

            O::MemorySize { mem } => self.op_memory_size(mem),
            O::MemoryGrow { mem } => self.op_memory_grow(mem),
            O::MemoryFill { mem } => self.op_memory_fill(mem),
            O::MemoryCopy { dst_mem, src_mem } => self.op_memory_copy(dst_mem, src_mem),
            O::MemoryInit { data_index, mem } => self.op_memory_init(data_index, mem),
            O::DataDrop { data_index } => self.op_data_drop(data_index),

            O::TableGet { table } => self.op_table_get(table),
            O::TableSet { table } => self.op_table_set(table),
            O::TableSize { table } => self.op_table_size(table),
            O::TableGrow { table } => self.op_table_grow(table),
            O::TableFill { table } => self.op_table_fill(table),
            O::TableCopy {
                dst_table,
                src_table,
            } => self.op_table_copy(dst_table, src_table),
            O::TableInit { elem_index, table } => self.op_table_init(elem_index, table),
            O::ElemDrop { elem_index } => self.op_elem_drop(elem_index),

            O::AtomicFence { .. } => {
                self.b.ins().fence();
            }
            other => {
                if let Some(atomic) = wisp_core::wasm::atomic::Atomic::of(&other) {
                    self.op_atomic(atomic);
                    return Ok(());
                }
                if !self.numeric_op(&other) && !self.simd_op(&other) {
                    // Validation admits only the enabled features, all handled above.
                    return Err(TranslateError::Unsupported(
                        "operator outside wisp's features",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Inside unreachable code only the structure matters, and fuel only where the
    /// interpreter charges it there (`else`).
    fn unreachable_op(&mut self, op: Operator<'_>) -> Result<()> {
        match self.unreachable.step(&op) {
            Step::Else => {
                self.charge_fuel();
                self.op_else();
            }
            Step::Catch => {
                self.charge_fuel();
                match op {
                    Operator::Catch { tag_index } => self.op_catch(Some(tag_index)),
                    _ => self.op_catch(None),
                }
            }
            Step::End => match op {
                Operator::Delegate { relative_depth } => self.op_delegate(relative_depth),
                _ => self.op_end(),
            },
            Step::Skip => {}
        }
        Ok(())
    }

    /// Calls runtime function `libcall` with `args`; returns its results.
    fn call_libcall(&mut self, libcall: Libcall, args: &[Value]) -> Vec<Value> {
        let sig = match self.libcall_sigs.get(&libcall) {
            Some(&sig) => sig,
            None => {
                let sig = self
                    .b
                    .import_signature(libcall.signature(self.env.ptr, self.env.call_conv));
                self.libcall_sigs.insert(libcall, sig);
                sig
            }
        };
        let addr = self.b.ins().iconst(self.env.ptr, libcall.address() as i64);
        let call = self.b.ins().call_indirect(sig, addr, args);
        self.b.inst_results(call).to_vec()
    }

    /// Calls a runtime function that returns a status, and passes a failure on to the
    /// failure exit: these functions trap, but never throw. One that fails only with its
    /// own trap (`Libcall::trap`) gets it raised here, as any trap the code tests for (a
    /// trap instruction when traps are signals: no status leaves this function).
    fn call_checked(&mut self, libcall: Libcall, args: &[Value]) {
        let status = self.call_libcall(libcall, args)[0];
        match libcall.trap() {
            Some(code) => self.trap_if(status, code),
            None => self.fail_if(status, status),
        }
    }
}
