//! Exception handling: `throw`, `throw_ref`, `try_table` and the legacy
//! `try`/`catch`/`catch_all`/`delegate`/`rethrow`.
//!
//! An exception travels as any failure does (`mod.rs`): a status, here
//! `wisp_core::vm::status::EXCEPTION` with the exception in
//! `StoreInner::pending_exception`, returned from frame to frame. What differs is where a
//! failed call goes inside a `try_table` or legacy `try` body: to the *landing* of the
//! body's [`Handler`] rather than to the failure exit. A landing passes anything but an
//! exception on, asks the runtime whether the exception's tag is one of its clauses' (in
//! their order), and takes it for the first that matches: a `try_table` clause branches to
//! its label with the values (and the `exnref`), a legacy clause enters its catch block.
//! An exception no clause takes goes on to the handler outside (for `delegate`, the one
//! its label names), or to the failure exit.
//!
//! Nothing of this is on the normal path: a handler's scope is a block, and its landing
//! is emitted after the construct's `end`, only if something in it can fail.
//!
//! Invariants:
//! - Traps never reach a clause: a landing checks for `EXCEPTION` first, and the checks
//!   that trap go straight to the failure exit or the signal handler (`trap_if`).
//! - A legacy catch block holds its exception (for `rethrow`) until control leaves it,
//!   as the interpreter's does (`wisp_core::exception`'s lifetimes): at its end, before
//!   a branch, return or tail call out of it, on entering a `try_table` clause's label
//!   outside it, and, for a failure passing out, in its cleanup handler's landing. The
//!   `Caught` modes are the interpreter's too (`CatchMode`).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, Block, BlockArg, InstBuilder, StackSlot, StackSlotData, StackSlotKind, Value,
};
use cranelift_frontend::Variable;
use wasmparser::BlockType;
use wisp_core::layout::slot_offset_bytes;
use wisp_core::vm::status;
use wisp_core::SLOT_BYTES;

use super::{clif_type, slot_layout, slot_offset, Control, ControlKind, Result, Translator};
use crate::libcalls::{CatchMode, Libcall};

/// An exception handler: a `try_table`'s or a legacy `try`'s.
pub(super) struct Handler {
    /// Where a failed call in its scope goes: one parameter, the status. Created when
    /// first needed (`handler_landing`).
    landing: Option<Block>,
    /// The handler an exception it doesn't take goes on to; `None`: the failure exit.
    outer: Option<usize>,
    clauses: Vec<Clause>,
    /// A legacy catch block's cleanup: no clauses; lets go of the block's exception,
    /// in this variable, before passing the failure on.
    release: Option<Variable>,
}

/// One clause of a handler: the exceptions it takes (`None`: all), and where they go.
struct Clause {
    tag: Option<u32>,
    to: ClauseTarget,
}

enum ClauseTarget {
    /// A `try_table` clause: a branch to the label of the construct at index `at` of
    /// `Translator::control`, with the exception's values and, with `with_ref`, its
    /// `exnref`.
    Label { at: usize, with_ref: bool },
    /// A legacy clause: its catch block, which takes the exception itself.
    CatchBlock(Block),
}

impl Translator<'_, '_> {
    /// How many values an exception of the instance's tag `tag` carries, and their types.
    fn tag_params(&self, tag: u32) -> Vec<cranelift_codegen::ir::Type> {
        let m = self.env.module;
        m.types[m.tags[tag as usize] as usize]
            .params()
            .iter()
            .map(|&t| clif_type(t))
            .collect()
    }

    /// A new handler, for a construct about to be opened, whose exceptions it does not
    /// take go to the handler in effect now.
    fn new_handler(&mut self) -> usize {
        self.handlers.push(Handler {
            landing: None,
            outer: self.landing,
            clauses: Vec::new(),
            release: None,
        });
        self.handlers.len() - 1
    }

    /// Handler `h`'s landing, created on first use.
    pub(super) fn handler_landing(&mut self, h: usize) -> Block {
        if let Some(block) = self.handlers[h].landing {
            return block;
        }
        let block = self.b.create_block();
        self.b.append_block_param(block, types::I32);
        self.b.set_cold_block(block);
        self.handlers[h].landing = Some(block);
        block
    }

    pub(super) fn op_try_table(&mut self, try_table: &wasmparser::TryTable) -> Result<()> {
        // Labels count from outside the `try_table`: resolved before it is pushed.
        let clauses = try_table
            .catches
            .iter()
            .map(|catch| {
                let (tag, label, with_ref) = match *catch {
                    wasmparser::Catch::One { tag, label } => (Some(tag), label, false),
                    wasmparser::Catch::OneRef { tag, label } => (Some(tag), label, true),
                    wasmparser::Catch::All { label } => (None, label, false),
                    wasmparser::Catch::AllRef { label } => (None, label, true),
                };
                let at = self.control.len() - 1 - label as usize;
                Clause {
                    tag,
                    to: ClauseTarget::Label { at, with_ref },
                }
            })
            .collect();
        let handler = self.new_handler();
        self.handlers[handler].clauses = clauses;
        self.op_block(try_table.ty)?;
        self.enter_handler(handler, ControlKind::TryTable { handler });
        Ok(())
    }

    pub(super) fn op_try(&mut self, bt: BlockType) -> Result<()> {
        let handler = self.new_handler();
        self.op_block(bt)?;
        self.enter_handler(handler, ControlKind::Try { handler });
        Ok(())
    }

    /// Makes the construct just opened (a block) `kind`, whose body `handler` covers.
    fn enter_handler(&mut self, handler: usize, kind: ControlKind) {
        let top = self.control.last_mut().expect("just pushed");
        top.kind = kind;
        self.landing = Some(handler);
    }

    /// `catch $tag` (`Some`) or `catch_all` (`None`): ends the `try` body, or the catch
    /// block before, and starts a catch block, entered from the landing with the
    /// exception pending.
    pub(super) fn op_catch(&mut self, tag: Option<u32>) {
        let top = self.control.len() - 1;
        if self.reachable {
            let exn = self.control[top].kind_catch_var();
            self.end_catch_block_of(exn);
            let (next, n) = (self.control[top].next, self.control[top].results.len());
            let args = self.popn(n);
            self.b.ins().jump(next, &Self::block_args(&args));
            self.control[top].next_reachable = true;
        }
        let (handler, exn) = match self.control[top].kind {
            ControlKind::Try { handler } => {
                // The body ends: its handler no longer applies, the blocks' cleanup does.
                let exn = self.b.declare_var(types::I64);
                self.landing = self.control[top].landing_outside;
                let cleanup = self.new_handler();
                self.handlers[cleanup].release = Some(exn);
                self.landing = Some(cleanup);
                self.control[top].kind = ControlKind::Catch {
                    handler,
                    exn,
                    cleanup,
                };
                self.catch_depth += 1;
                (handler, exn)
            }
            ControlKind::Catch { handler, exn, .. } => (handler, exn),
            _ => unreachable!("validated: `catch` follows a `try` body or a catch block"),
        };
        // Sealed once the landing, its one predecessor, is emitted.
        let block = self.b.create_block();
        self.handlers[handler].clauses.push(Clause {
            tag,
            to: ClauseTarget::CatchBlock(block),
        });
        let height = self.control[top].height;
        self.stack.truncate(height);
        self.b.switch_to_block(block);
        self.reload_operands(height);
        let params = tag.map_or_else(Vec::new, |t| self.tag_params(t));
        let (values, exnref) = self.take_exception(&params, CatchMode::Legacy);
        self.b.def_var(exn, exnref);
        self.stack.extend(values);
        self.reachable = true;
        self.start_fuel_block();
    }

    /// `delegate $l`: ends the `try` body, whose exceptions go on to the handler in
    /// effect just inside label `$l` (the label's own body's, if it is a `try_table` or a
    /// `try` still in its body), or to the caller for the function's label.
    pub(super) fn op_delegate(&mut self, depth: u32) {
        let top = self.control.len() - 1;
        // The label counts from outside the `try`.
        let at = top - 1 - depth as usize;
        let to = match self.control[at].kind {
            _ if at == 0 => None,
            ControlKind::TryTable { handler } | ControlKind::Try { handler } => Some(handler),
            ControlKind::Catch { cleanup, .. } => Some(cleanup),
            _ => self.control[at].landing_outside,
        };
        if let ControlKind::Try { handler } = self.control[top].kind {
            self.handlers[handler].outer = to;
        }
        // A `try` ending in `delegate` has no catch blocks: an `end`.
        self.op_end();
    }

    pub(super) fn op_throw(&mut self, tag: u32) {
        let n = self.tag_params(tag).len();
        let values = self.popn(n);
        let (array, _) = self.raw_array(&values, 0);
        let tag = self.i32_const(i64::from(tag));
        let status = self.call_libcall(Libcall::Throw, &[self.vmctx, tag, array])[0];
        self.raise(status);
        self.reachable = false;
    }

    pub(super) fn op_throw_ref(&mut self) {
        let exnref = self.pop();
        let status = self.call_libcall(Libcall::ThrowRef, &[self.vmctx, exnref])[0];
        self.raise(status);
        self.reachable = false;
    }

    /// `rethrow $l`: the exception of the catch block `$l` names.
    pub(super) fn op_rethrow(&mut self, depth: u32) {
        let at = self.control.len() - 1 - depth as usize;
        let ControlKind::Catch { exn, .. } = self.control[at].kind else {
            unreachable!("validated: `rethrow` names a catch block");
        };
        let exnref = self.b.use_var(exn);
        let status = self.call_libcall(Libcall::ThrowRef, &[self.vmctx, exnref])[0];
        self.raise(status);
        self.reachable = false;
    }

    /// At the normal end of a catch block (reachable code about to leave `frame` by its
    /// `end`): lets its exception go.
    pub(super) fn end_catch_block(&mut self, frame: &Control) {
        self.end_catch_block_of(frame.kind_catch_var());
    }

    fn end_catch_block_of(&mut self, exn: Option<Variable>) {
        if let Some(exn) = exn {
            let exnref = self.b.use_var(exn);
            self.call_libcall(Libcall::ReleaseException, &[self.vmctx, exnref]);
        }
    }

    /// The exception variables of the catch blocks a branch to label `depth` (`None`: a
    /// return or tail call) leaves, innermost first.
    pub(super) fn catch_exits(&self, depth: Option<u32>) -> Vec<Variable> {
        let stop = depth.map_or(0, |d| self.control.len() - 1 - d as usize);
        self.catch_exits_from(stop)
    }

    /// The exception variables of the catch blocks among `control[stop..]`.
    fn catch_exits_from(&self, stop: usize) -> Vec<Variable> {
        if self.catch_depth == 0 {
            return Vec::new();
        }
        self.control[stop..]
            .iter()
            .rev()
            .filter_map(Control::kind_catch_var)
            .collect()
    }

    /// Lets go of the exceptions of the catch blocks control leaves (`catch_exits`).
    pub(super) fn leave_catch_blocks(&mut self, exits: &[Variable]) {
        for &exn in exits {
            self.end_catch_block_of(Some(exn));
        }
    }

    /// After the `end` of `frame` (the current block filled): its handler no longer
    /// applies, and its landing, if anything can reach it, is emitted.
    pub(super) fn close_handler(&mut self, frame: &Control) {
        let handler = match frame.kind {
            ControlKind::TryTable { handler } | ControlKind::Try { handler } => handler,
            ControlKind::Catch {
                handler, cleanup, ..
            } => {
                self.catch_depth -= 1;
                self.emit_landing(cleanup);
                handler
            }
            _ => return,
        };
        self.landing = frame.landing_outside;
        self.emit_landing(handler);
    }

    /// Handler `h`'s landing: anything but an exception, and an exception no clause takes,
    /// go on outwards; the first clause whose tag matches takes it.
    fn emit_landing(&mut self, h: usize) {
        let Some(landing) = self.handlers[h].landing else {
            // Nothing in its scope can fail: no clause is entered either.
            for clause in &self.handlers[h].clauses {
                if let ClauseTarget::CatchBlock(block) = clause.to {
                    self.b.seal_block(block);
                }
            }
            return;
        };
        let outer = match self.handlers[h].outer {
            Some(o) => self.handler_landing(o),
            None => self.fail,
        };
        self.b.switch_to_block(landing);
        self.b.seal_block(landing);
        let status = self.b.block_params(landing)[0];
        if let Some(exn) = self.handlers[h].release {
            let exnref = self.b.use_var(exn);
            self.call_libcall(Libcall::ReleaseUnwinding, &[self.vmctx, exnref]);
            self.b.ins().jump(outer, &[BlockArg::Value(status)]);
            return;
        }
        let is_exception =
            self.b
                .ins()
                .icmp_imm_u(IntCC::Equal, status, i64::from(status::EXCEPTION));
        let dispatch = self.b.create_block();
        self.b.set_cold_block(dispatch);
        self.b.ins().brif(
            is_exception,
            dispatch,
            &[],
            outer,
            &[BlockArg::Value(status)],
        );
        self.b.switch_to_block(dispatch);
        self.b.seal_block(dispatch);

        let clauses = std::mem::take(&mut self.handlers[h].clauses);
        let mut caught_all = false;
        for clause in &clauses {
            if let Some(tag) = clause.tag {
                let tag = self.i32_const(i64::from(tag));
                let is = self.call_libcall(Libcall::ExceptionIs, &[self.vmctx, tag])[0];
                let take = self.b.create_block();
                let next = self.b.create_block();
                self.b.set_cold_block(take);
                self.b.set_cold_block(next);
                self.b.ins().brif(is, take, &[], next, &[]);
                self.b.switch_to_block(take);
                self.b.seal_block(take);
                self.enter_clause(clause);
                self.b.switch_to_block(next);
                self.b.seal_block(next);
            } else {
                self.enter_clause(clause);
                caught_all = true;
                break;
            }
        }
        if !caught_all {
            self.b.ins().jump(outer, &[BlockArg::Value(status)]);
        }
        for clause in &clauses {
            if let ClauseTarget::CatchBlock(block) = clause.to {
                self.b.seal_block(block);
            }
        }
    }

    /// Enters `clause` from its landing, with its exception pending.
    fn enter_clause(&mut self, clause: &Clause) {
        match clause.to {
            ClauseTarget::CatchBlock(block) => {
                self.b.ins().jump(block, &[]);
            }
            ClauseTarget::Label { at, with_ref } => {
                let params = clause.tag.map_or_else(Vec::new, |t| self.tag_params(t));
                let mode = if with_ref {
                    CatchMode::Ref
                } else {
                    CatchMode::Plain
                };
                let (mut values, exnref) = self.take_exception(&params, mode);
                if with_ref {
                    values.push(exnref);
                }
                // The label may be outside catch blocks the `try_table` is in.
                let exits = self.catch_exits_from(at);
                self.leave_catch_blocks(&exits);
                let frame = &mut self.control[at];
                if !matches!(frame.kind, ControlKind::Loop { .. }) {
                    frame.next_reachable = true;
                }
                let (target, _) = frame.branch_target();
                self.b.ins().jump(target, &Self::block_args(&values));
            }
        }
    }

    /// Takes the pending exception, whose values are of types `params`: returns them and
    /// its `exnref`.
    fn take_exception(
        &mut self,
        params: &[cranelift_codegen::ir::Type],
        mode: CatchMode,
    ) -> (Vec<Value>, Value) {
        let layout = slot_layout(params.iter().copied());
        let (out, slot) = self.raw_array(&[], layout.slots());
        let mode = self.i32_const(i64::from(mode as u32));
        let len = self.i32_const(layout.slots() as i64);
        let exnref = self.call_libcall(Libcall::CatchException, &[self.vmctx, mode, out, len])[0];
        let values = params
            .iter()
            .enumerate()
            .map(|(i, &t)| self.stack_load_raw(t, slot, slot_offset(&layout, i)))
            .collect();
        (values, exnref)
    }

    /// A new stack slot of `len` raw slots (at least one, and at least what `values`
    /// take), holding `values` laid out from the first (`slot_layout`): returns its
    /// address and the slot.
    pub(super) fn raw_array(&mut self, values: &[Value], len: usize) -> (Value, StackSlot) {
        let layout = slot_layout(values.iter().map(|&v| self.b.func.dfg.value_type(v)));
        let slots = len.max(layout.slots()).max(1);
        let slot = self.scratch(slot_offset_bytes(slots) as u32);
        for (i, &v) in values.iter().enumerate() {
            self.stack_store_raw(v, slot, slot_offset(&layout, i));
        }
        (self.b.ins().stack_addr(self.env.ptr, slot, 0), slot)
    }
}

impl Translator<'_, '_> {
    /// The function's scratch slot, at least `bytes` long and aligned as a `u64` (which
    /// the runtime reads and writes raw slots as). One slot serves every call into the
    /// runtime: each writes its arguments, calls, and reads its results before the next
    /// can start, and a frame the runtime starts has a slot of its own. (A slot per call
    /// had Cranelift hoist each one's address to the entry and keep it, spilled, for the
    /// whole function: 2.5% of regex's code.)
    pub(super) fn scratch(&mut self, bytes: u32) -> StackSlot {
        match self.scratch {
            Some(slot) => {
                let data = &mut self.b.func.sized_stack_slots[slot];
                data.size = data.size.max(bytes);
                slot
            }
            None => {
                let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    bytes,
                    SLOT_BYTES.trailing_zeros() as u8,
                ));
                self.scratch = Some(slot);
                slot
            }
        }
    }
}

impl Control {
    /// A catch block's exception variable.
    fn kind_catch_var(&self) -> Option<Variable> {
        match self.kind {
            ControlKind::Catch { exn, .. } => Some(exn),
            _ => None,
        }
    }
}
