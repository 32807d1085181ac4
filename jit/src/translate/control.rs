//! Structured control flow: blocks, loops, `if`/`else`, branches and returns.
//!
//! A construct's continuation (`Control::next`) takes its results as block parameters, a
//! loop's header its parameters, so a branch is a jump carrying the top values of the
//! operand stack. Values the construct was given stay plain SSA values: the blocks of an
//! `if`'s arms are dominated by the `if`.
//!
//! Except with on-stack replacement (`Env::osr`). An OSR landing enters a loop, and every
//! construct around it, in the middle, so the operands below a construct (which wasm
//! keeps unchanged inside it) reach its joins by two kinds of path: from its entry, as
//! the SSA values it was given, and from a landing, as values loaded from the
//! interpreter's frame. There the operand stack is also kept in Cranelift variables, one
//! per position and type: defined on entry to every construct and at every landing, and
//! read back at every join (a loop header, an `else`, a construct's continuation), so the
//! SSA builder merges the two kinds of path with block parameters where they differ.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, JumpTableData, Type};
use cranelift_frontend::Variable;
use wasmparser::BlockType;

use wisp_core::vm::OsrFrame;

use super::{slot_offset, slot_type, Control, ControlKind, Result, Translator};

impl Translator<'_, '_> {
    fn new_block_with_params(&mut self, types: &[cranelift_codegen::ir::Type]) -> Block {
        let block = self.b.create_block();
        for &t in types {
            self.b.append_block_param(block, t);
        }
        block
    }

    /// Jumps to `block` with `args`.
    fn jump_with(&mut self, block: Block, args: &[cranelift_codegen::ir::Value]) {
        let args = Self::block_args(args);
        self.b.ins().jump(block, &args);
    }

    pub(super) fn op_block(&mut self, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_signature(bt)?;
        let next = self.new_block_with_params(&results);
        let height = self.stack.len() - params.len();
        self.define_operands(height);
        self.control.push(Control {
            kind: ControlKind::Block,
            next,
            height,
            params,
            results,
            next_reachable: false,
            landing_outside: self.landing,
        });
        Ok(())
    }

    pub(super) fn op_loop(&mut self, bt: BlockType) -> Result<()> {
        self.enter_loop();
        let (params, results) = self.block_signature(bt)?;
        let header = self.new_block_with_params(&params);
        let next = self.new_block_with_params(&results);
        let args = self.popn(params.len());
        self.jump_with(header, &args);
        // Sealed at the loop's `end`, once every back edge is known.
        self.b.switch_to_block(header);
        // The parameters before reading the operands back, which may add the SSA
        // builder's own after them.
        let header_params = self.b.block_params(header).to_vec();
        let height = self.stack.len();
        self.reload_operands(height);
        self.stack.extend(header_params);
        self.control.push(Control {
            kind: ControlKind::Loop { header },
            next,
            height: self.stack.len() - params.len(),
            params,
            results,
            next_reachable: false,
            landing_outside: self.landing,
        });
        self.start_fuel_block();
        self.check_interrupt();
        Ok(())
    }

    /// On-stack replacement at this loop (with `Env::osr`): the code before the loop and a
    /// landing both jump to a block that goes on into the loop, the landing with the
    /// operands loaded from the interpreter's frame (slot `locals + position`, where the
    /// interpreter keeps them from every block's entry when it profiles) into the
    /// operands' variables. The locals were loaded on the OSR path; `finish` branches to
    /// the landing when the frame is at this loop. From here on the loop is translated as
    /// usual, on operands read back from the variables.
    ///
    /// Not inside a legacy catch block: its exception, which `rethrow` needs, is not among
    /// what the interpreter's frame hands over.
    fn enter_loop(&mut self) {
        let Some((frame, operands)) = self.osr.as_ref().map(|o| {
            // The interpreter keeps its operands above the locals and its catch slots.
            let types = self
                .stack
                .iter()
                .map(|&v| slot_type(self.b.func.dfg.value_type(v)));
            let catch_slots = self.interp_catch_slots as usize;
            (
                o.frame,
                OsrFrame::operands_layout(&o.locals, catch_slots, types, self.interp_vector),
            )
        }) else {
            return;
        };
        if self.catch_depth > 0 {
            return;
        }
        let height = self.stack.len();
        self.define_operands(height);
        let join = self.b.create_block();
        self.b.ins().jump(join, &[]);

        // Sealed by `finish`, which fills in its predecessor.
        let landing = self.b.create_block();
        self.b.set_cold_block(landing);
        self.b.switch_to_block(landing);
        for i in 0..height {
            let ty = self.b.func.dfg.value_type(self.stack[i]);
            let value = super::load_raw(
                &mut self.b,
                ty,
                cranelift_codegen::ir::MemFlagsData::trusted(),
                frame,
                slot_offset(&operands, i),
            );
            if let Some(var) = self.operand_var(i, ty) {
                self.b.def_var(var, value);
            }
        }
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(join);
        self.b.seal_block(join);
        self.reload_operands(height);
        let offset = self.offset;
        if let Some(osr) = &mut self.osr {
            osr.landings.push((offset, landing));
        }
    }

    /// With OSR, the variable of operand stack position `position` holding a `ty`.
    fn operand_var(&mut self, position: usize, ty: Type) -> Option<Variable> {
        let osr = self.osr.as_mut()?;
        let b = &mut self.b;
        Some(
            *osr.operands
                .entry((position, ty))
                .or_insert_with(|| b.declare_var(ty)),
        )
    }

    /// With OSR, sets the variables of the operand stack's first `height` positions to
    /// their values here: on entry to a construct, whose joins read them back.
    fn define_operands(&mut self, height: usize) {
        if self.osr.is_none() {
            return;
        }
        for i in 0..height {
            let value = self.stack[i];
            let ty = self.b.func.dfg.value_type(value);
            if let Some(var) = self.operand_var(i, ty) {
                self.b.def_var(var, value);
            }
        }
    }

    /// With OSR, reads the operand stack's first `height` positions back from their
    /// variables: at a join, which a landing's path may reach as well as the construct's
    /// entry.
    pub(super) fn reload_operands(&mut self, height: usize) {
        if self.osr.is_none() {
            return;
        }
        for i in 0..height {
            let ty = self.b.func.dfg.value_type(self.stack[i]);
            if let Some(var) = self.operand_var(i, ty) {
                self.stack[i] = self.b.use_var(var);
            }
        }
    }

    pub(super) fn op_if(&mut self, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_signature(bt)?;
        let cond = self.pop();
        let then_block = self.b.create_block();
        let else_block = self.b.create_block();
        let next = self.new_block_with_params(&results);
        let else_params = self.peekn(params.len()).to_vec();
        self.define_operands(self.stack.len() - params.len());
        self.b.ins().brif(cond, then_block, &[], else_block, &[]);
        self.b.seal_block(else_block);
        self.b.switch_to_block(then_block);
        self.b.seal_block(then_block);
        self.control.push(Control {
            kind: ControlKind::If {
                else_block,
                else_params,
                has_else: false,
            },
            next,
            height: self.stack.len() - params.len(),
            params,
            results,
            next_reachable: false,
            landing_outside: self.landing,
        });
        self.start_fuel_block();
        Ok(())
    }

    pub(super) fn op_else(&mut self) {
        let reachable = self.reachable;
        let frame = self
            .control
            .last()
            .expect("validated: `else` inside an `if`");
        let (next, n, height) = (frame.next, frame.results.len(), frame.height);
        if reachable {
            let args = self.popn(n);
            self.jump_with(next, &args);
        }
        let frame = self.control.last_mut().expect("checked above");
        frame.next_reachable |= reachable;
        let ControlKind::If {
            else_block,
            else_params,
            has_else,
        } = &mut frame.kind
        else {
            unreachable!("validated: `else` ends an `if`'s first arm");
        };
        *has_else = true;
        let else_block = *else_block;
        let else_params = else_params.clone();
        self.stack.truncate(height);
        self.b.switch_to_block(else_block);
        self.reload_operands(height);
        self.stack.extend(else_params);
        // The `if` itself was reached (constructs are only opened in reachable code).
        self.reachable = true;
        self.start_fuel_block();
    }

    pub(super) fn op_end(&mut self) {
        let mut frame = self
            .control
            .pop()
            .expect("validated: `end` closes something");
        if self.reachable {
            self.end_catch_block(&frame);
        }
        if self.reachable {
            let args = self.popn(frame.results.len());
            self.jump_with(frame.next, &args);
            frame.next_reachable = true;
        }
        match &frame.kind {
            ControlKind::If {
                else_block,
                else_params,
                has_else: false,
            } => {
                // No `else`: the false edge passes the parameters on as the results.
                let (else_block, params) = (*else_block, else_params.clone());
                self.b.switch_to_block(else_block);
                self.jump_with(frame.next, &params);
                frame.next_reachable = true;
            }
            ControlKind::Loop { header } => self.b.seal_block(*header),
            _ => {}
        }
        self.close_handler(&frame);
        if self.control.is_empty() {
            // The function's own `end`: `next` is the return block, built by `finish`.
            self.reachable = false;
            return;
        }
        self.stack.truncate(frame.height);
        self.reachable = frame.next_reachable;
        if frame.next_reachable {
            self.b.switch_to_block(frame.next);
            self.b.seal_block(frame.next);
            // As for a loop's header: the results first.
            let results = self.b.block_params(frame.next).to_vec();
            self.reload_operands(frame.height);
            self.stack.extend(results);
            self.start_fuel_block();
        } else {
            self.start_unreached_fuel_block();
        }
    }

    /// The block a branch to label `depth` goes to and the values it carries, noting
    /// that the label is reached.
    fn branch_target(&mut self, depth: u32) -> (Block, usize) {
        let at = self.control.len() - 1 - depth as usize;
        let frame = &mut self.control[at];
        if !matches!(frame.kind, ControlKind::Loop { .. }) {
            frame.next_reachable = true;
        }
        frame.branch_target()
    }

    pub(super) fn op_br(&mut self, depth: u32) {
        let (target, n) = self.branch_target(depth);
        let args = self.peekn(n).to_vec();
        let exits = self.catch_exits(Some(depth));
        self.leave_catch_blocks(&exits);
        self.jump_with(target, &args);
        self.reachable = false;
    }

    /// Branches to label `depth` with the top values when `cond` is not zero, leaving
    /// the catch blocks the branch leaves on the way; else goes on.
    fn branch_if(&mut self, cond: cranelift_codegen::ir::Value, depth: u32) {
        let (target, n) = self.branch_target(depth);
        let args = self.peekn(n).to_vec();
        let exits = self.catch_exits(Some(depth));
        let cont = self.b.create_block();
        if exits.is_empty() {
            let args = Self::block_args(&args);
            self.b.ins().brif(cond, target, &args, cont, &[]);
        } else {
            let edge = self.b.create_block();
            self.b.ins().brif(cond, edge, &[], cont, &[]);
            self.b.switch_to_block(edge);
            self.b.seal_block(edge);
            self.leave_catch_blocks(&exits);
            self.jump_with(target, &args);
        }
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    pub(super) fn op_br_if(&mut self, depth: u32) {
        let cond = self.pop();
        self.branch_if(cond, depth);
    }

    /// `br_on_null`: branches with the values below the reference when it is null, else
    /// goes on with it.
    pub(super) fn op_br_on_null(&mut self, depth: u32) {
        let v = self.pop();
        let null = self.b.ins().icmp_imm_u(IntCC::Equal, v, 0);
        self.branch_if(null, depth);
        self.push(v);
    }

    /// `br_on_non_null`: branches with the values and the reference when it is not null,
    /// else goes on without it.
    pub(super) fn op_br_on_non_null(&mut self, depth: u32) {
        let v = *self.stack.last().expect("validated");
        self.branch_if(v, depth);
        self.pop();
    }

    pub(super) fn op_br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> Result<()> {
        let index = self.pop();
        let mut depths = Vec::with_capacity(targets.len() as usize);
        for t in targets.targets() {
            depths.push(t?);
        }
        let default = targets.default();
        // Every target carries as many values (validation); Cranelift's jump tables take
        // no arguments, so a target that needs values, or leaves catch blocks, gets an
        // edge block that jumps on.
        let (_, n) = self.branch_target(default);
        let args = self.peekn(n).to_vec();
        let mut edges: HashMap<u32, Block> = HashMap::new();
        let mut edge_for = |t: &mut Self, depth: u32| -> Block {
            if let Some(&b) = edges.get(&depth) {
                return b;
            }
            let (target, _) = t.branch_target(depth);
            let direct = n == 0 && t.catch_exits(Some(depth)).is_empty();
            let block = if direct { target } else { t.b.create_block() };
            edges.insert(depth, block);
            block
        };
        let default_block = edge_for(self, default);
        let table: Vec<Block> = depths.iter().map(|&d| edge_for(self, d)).collect();
        let default_call = self.b.func.dfg.block_call(default_block, &[]);
        let calls: Vec<_> = table
            .iter()
            .map(|&b| self.b.func.dfg.block_call(b, &[]))
            .collect();
        let jt = self
            .b
            .create_jump_table(JumpTableData::new(default_call, &calls));
        self.b.ins().br_table(index, jt);
        let mut all: Vec<u32> = depths.clone();
        all.push(default);
        all.sort_unstable();
        all.dedup();
        for depth in all {
            let edge = edges[&depth];
            let at = self.control.len() - 1 - depth as usize;
            let (target, _) = self.control[at].branch_target();
            if edge == target {
                continue;
            }
            self.b.switch_to_block(edge);
            self.b.seal_block(edge);
            let exits = self.catch_exits(Some(depth));
            self.leave_catch_blocks(&exits);
            let block_args: Vec<BlockArg> = Self::block_args(&args);
            self.b.ins().jump(target, &block_args);
        }
        self.reachable = false;
        Ok(())
    }

    pub(super) fn op_return(&mut self) {
        let exits = self.catch_exits(None);
        self.leave_catch_blocks(&exits);
        let n = self.results.len();
        let args = self.peekn(n).to_vec();
        let ret = self.ret;
        self.jump_with(ret, &args);
        self.reachable = false;
    }
}
