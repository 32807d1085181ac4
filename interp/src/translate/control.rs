//! Control: labels and branches (with the copies a branch's values need), fuel
//! charged per basic block, blocks, loops, `if`/`else`, `end`, `br`, `br_if` (fused with
//! the comparison it tests), `br_table` and `return`.

use super::*;

impl<'m> Translator<'m> {
    pub(super) fn pc(&self) -> usize {
        self.code.len()
    }

    pub(super) fn start_fuel_block(&mut self) {
        if self.fuel.is_some() {
            let at = self.emit(Instr::ConsumeFuel { amount: 0 });
            self.fuel = Some(at);
        }
    }

    /// At function entry and loop headers: every unbounded execution passes one.
    pub(super) fn check_interrupt(&mut self) {
        if self.interruptible {
            self.emit(Instr::CheckInterrupt);
        }
    }

    pub(super) fn charge_fuel(&mut self) {
        if let Some(at) = self.fuel {
            if let Instr::ConsumeFuel { amount } = &mut self.code[at] {
                *amount = amount.saturating_add(1);
            }
        }
    }

    /// Marks the current position as a branch target.
    pub(super) fn bind_label(&mut self) {
        self.last_result = None;
        self.copy_mergeable = false;
    }

    /// Points the branch at `at` to `target`.
    pub(super) fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i32 - at as i32;
        match self.code[at].branch_offset_mut() {
            Some(o) => *o = offset,
            None => debug_assert!(false, "not a branch: {:?}", self.code[at]),
        }
    }

    /// Emits an unconditional branch to label `depth`, with no value copies.
    pub(super) fn emit_br_to(&mut self, depth: usize) {
        let at = self.emit(Instr::Br { offset: 0 });
        self.link(at, depth);
    }

    /// Registers the branch at `at` as going to label `depth`.
    pub(super) fn link(&mut self, at: usize, depth: usize) {
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
    pub(super) fn branch_is_direct(&self, depth: usize) -> bool {
        !self.is_function_label(depth)
            && !self.branch_needs_copies(depth)
            && !self.leaves_catch_blocks(Some(depth))
    }

    /// The branch to label `depth`, whatever it needs: the catch blocks it leaves ended,
    /// then a return, or the value copies and the jump.
    pub(super) fn emit_branch_out(&mut self, depth: usize) {
        self.emit_catch_exits(Some(depth));
        if self.is_function_label(depth) {
            self.emit_return();
        } else {
            self.emit_branch_copies(depth);
            self.emit_br_to(depth);
        }
    }

    /// Whether a branch to label `depth` (`None`: a return) leaves a legacy catch block.
    pub(super) fn leaves_catch_blocks(&self, depth: Option<usize>) -> bool {
        // Outside catch blocks (nearly always), without looking.
        if !cfg!(feature = "exceptions") || self.catch_depth == 0 {
            return false;
        }
        let stop = depth.map_or(0, |d| self.ctrl.len() - 1 - d);
        self.ctrl[stop..].iter().any(|c| c.kind == CtrlKind::Catch)
    }

    /// Before a branch to label `depth` (`None`: a return or tail call): lets go of the
    /// exceptions of the catch blocks it leaves (`wisp_core::exception`'s lifetimes).
    pub(super) fn emit_catch_exits(&mut self, depth: Option<usize>) {
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
    pub(super) fn branch_needs_copies(&self, depth: usize) -> bool {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth];
        let n = c.branch_arity() as usize;
        let h = self.height();
        (h - n..h).any(|pos| self.stack[pos] != Operand::Temp) || h - n != c.height as usize
    }

    /// Copies the values a branch to label `depth` carries into the label's slots.
    pub(super) fn emit_branch_copies(&mut self, depth: usize) {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth];
        self.emit_copies_to(c.height as usize, c.branch_arity() as usize);
    }

    /// Copies the top `n` operands to the slots of positions `base..base + n`.
    pub(super) fn emit_copies_to(&mut self, base: usize, n: usize) {
        let h = self.height();
        for k in 0..n {
            let dst = self.slot_at(base + k);
            let op = self.stack[h - n + k];
            self.emit_copy(dst, op, h - n + k);
        }
    }

    pub(super) fn is_function_label(&self, depth: usize) -> bool {
        depth == self.ctrl.len() - 1
    }

    /// The function's result types.
    pub(super) fn results(&self) -> &'m [ValType] {
        let module: &'m ModuleInner = self.module;
        module
            .func_type(module.num_imported_funcs + self.def)
            .results()
    }

    /// Emits a return of the function's results from the top of the stack.
    pub(super) fn emit_return(&mut self) {
        let n = self.ctrl[0].results as usize;
        let h = self.height();
        match n {
            0 => {
                self.emit(Instr::Return0);
            }
            1 if !self.vector() || self.results()[0].slots() == 1 => {
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
                let len = if self.vector() {
                    let results = self.results();
                    self.pack(h - n, results);
                    SlotLayout::new(results.iter().copied()).slots()
                } else {
                    n
                };
                self.emit(Instr::ReturnMany {
                    src,
                    len: len as u16,
                });
            }
        }
    }

    /// The rest of the current block is unreachable.
    pub(super) fn mark_dead(&mut self) {
        let c = self
            .ctrl
            .last_mut()
            .expect("control stack is never empty inside a body");
        c.dead = true;
        let height = c.height as usize;
        self.stack.truncate(height);
        self.last_result = None;
    }

    pub(super) fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let ty = &self.module.types[t as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    pub(super) fn push_ctrl(&mut self, kind: CtrlKind, bt: BlockType, head: usize) {
        let (params, results) = self.block_arity(bt);
        let height = (self.height() - params as usize) as u32;
        self.push_ctrl_raw(kind, height, params, results, head);
    }

    pub(super) fn push_ctrl_raw(
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
    pub(super) fn enter_block(&mut self, params: usize) {
        self.preserve_locals(None);
        let live = if self.profile { self.height() } else { params };
        self.materialize_top(live);
    }

    pub(super) fn op_block(&mut self, bt: BlockType) {
        // A block's parameters may stay constants: only its own code reads them.
        self.enter_block(0);
        self.push_ctrl(CtrlKind::Block, bt, 0);
    }

    pub(super) fn op_loop(&mut self, bt: BlockType) {
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

    pub(super) fn op_if(&mut self, bt: BlockType) {
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

    pub(super) fn op_else(&mut self) {
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

    pub(super) fn op_end(&mut self) {
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
    pub(super) fn emit_branch_if(&mut self, cond: Operand, pos: usize, when: bool) -> usize {
        if cond == Operand::Temp {
            if let Some(at) = self.producer_of(self.slot_at(pos)) {
                if let Some(at) = self.fuse_across_eqz(at, when) {
                    return at;
                }
                if let Some(fused) = fusion::fuse_compare_branch(self.code[at], when) {
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
    pub(super) fn fuse_across_eqz(&mut self, at: usize, when: bool) -> Option<usize> {
        let Instr::I32Eqz { src, .. } = self.code[at] else {
            return None;
        };
        let (before, dst) = self.prev_result?;
        if before + 1 != at || dst != src {
            return None;
        }
        let fused = fusion::fuse_compare_branch(self.code[before], !when)?;
        self.code[before] = fused;
        self.take_back_last();
        Some(before)
    }

    pub(super) fn op_br(&mut self, depth: u32) {
        self.emit_branch_out(depth as usize);
        self.mark_dead();
    }

    pub(super) fn op_br_if(&mut self, depth: u32) {
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

    pub(super) fn op_br_table(&mut self, targets: &super::input::BrTable<'_>) -> Result<()> {
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

    pub(super) fn op_return(&mut self) {
        self.emit_catch_exits(None);
        self.emit_return();
        self.mark_dead();
    }
}
