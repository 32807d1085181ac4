//! Exception handling in translation: `throw`, `throw_ref`, `try_table` and the legacy
//! `try`/`catch`/`catch_all`/`delegate`/`rethrow`.
//!
//! Nothing is emitted on the normal path into, through or out of a handler's scope: a
//! `try_table` is a block, a legacy `try` a block whose `catch` blocks are skipped over
//! like an `if`'s `else`. What handles exceptions is a table beside the code
//! (`CompiledFunc::regions`, `clauses`): each `try_table` body and legacy `try` body is a
//! region, whose clauses say which exceptions it catches and where their handler starts.
//! The executor consults it only when an exception is raised (`exec::Exec::unwind`).
//!
//! A handler starts with `Caught`, which takes the exception being handled into slots.
//! For a legacy `catch` that is the catch block's first instruction, and its values land
//! where the block's operand stack starts. A `try_table` clause branches to a label
//! outside the body with the values; its *pad*, `Caught` writing them straight into the
//! label's slots and a `Br` to the label, is emitted after the function's code (so the
//! normal path never runs past it), once every label's place is known.
//!
//! A legacy `catch` block keeps its exception for `rethrow` in a *catch slot*: one per
//! level of nesting of catch blocks, between the locals and the operand stack (as many as
//! `ModuleInner::legacy_catch_slots` counts, reserved when translation meets the first
//! `try`), numbered while translating and placed at the end (`place_catch_slots`). Control leaving the
//! block lets go of it (`wisp_core::exception`'s lifetimes): at the block's end and
//! before a branch or return out of it, a `CatchEnd`; for an exception passing out, the
//! block's own region, whose one clause (`Clause::RELEASE`) the unwinder obeys on its
//! way past.

use alloc::vec::Vec;

use wasmparser::BlockType;

use super::{CtrlKind, ModuleInner, SlotLayout, Translator, ValType};
use crate::bytecode::{Clause, Instr, Region, Slot};

/// A `try_table` clause's pad, to emit after the body.
pub(super) struct Pad {
    /// The clause whose pad this is: its region, and its place among the region's.
    region: usize,
    clause: usize,
    /// Whether the label is the function's: a return.
    returns: bool,
    /// Where the label is: a loop's header, known at once, or a construct's end, told when
    /// it is reached (`Ctrl::pads`).
    pub(super) label_at: Option<usize>,
    /// Where the values go: the label's operand stack height.
    height: u32,
    /// Whether the exception's `exnref` follows its values.
    with_ref: bool,
    /// The tag (`None` for `catch_all`): the values the exception carries.
    tag: Option<u32>,
    /// The catch slots of the legacy catch blocks the branch to the label leaves.
    releases: Vec<u32>,
}

/// `Caught`'s `mode`s.
const PLAIN: u16 = 0;
const WITH_REF: u16 = 1;
const LEGACY: u16 = 2;

impl<'m> Translator<'m> {
    /// The types of the values an exception of tag `tag` carries (none for `catch_all`).
    fn tag_types(&self, tag: Option<u32>) -> &'m [ValType] {
        let m: &'m ModuleInner = self.module;
        tag.map_or(&[], |tag| m.types[m.tags[tag as usize] as usize].params())
    }

    /// The slots `types` take packed (`pack`), as `Throw` and `Caught` count them.
    fn packed_len(&self, types: &[ValType]) -> u16 {
        // Fits: the values are within a frame.
        SlotLayout::new(types.iter().copied()).slots() as u16
    }

    /// A new region starting here, for the construct about to be pushed, in effect from
    /// now on, with `clauses` (a legacy `try`'s come with its `catch` blocks).
    fn open_region(&mut self, clauses: Vec<Clause>) -> u32 {
        let index = self.regions.len() as u32;
        self.regions.push(Region {
            start: self.pc() as u32,
            end: self.pc() as u32,
            parent: self.region_stack.last().copied().unwrap_or(Region::NONE),
            // Set when the clauses are laid out one region after another (`finish`).
            first: 0,
            count: 0,
        });
        self.clauses.push(clauses);
        self.region_stack.push(index);
        index
    }

    /// The region `region` ends here: no longer in effect.
    fn close_region(&mut self, region: u32) {
        self.regions[region as usize].end = self.pc() as u32;
        let popped = self.region_stack.pop();
        debug_assert_eq!(popped, Some(region));
    }

    /// Before the top construct's `end` (or `delegate`): ends what it handles.
    pub(super) fn close_handlers(&mut self) {
        if !cfg!(feature = "exceptions") {
            return;
        }
        let top = self.ctrl.last().expect("inside a body");
        match top.kind {
            CtrlKind::TryTable | CtrlKind::Try => {
                let region = top.region;
                self.close_region(region);
            }
            CtrlKind::Catch => {
                let (dead, slot, region) = (top.dead, top.catch_slot, top.catch_region);
                if !dead {
                    self.emit_catch_end(slot);
                }
                self.close_region(region);
                self.catch_depth -= 1;
            }
            _ => {}
        }
    }

    pub(super) fn op_try_table(&mut self, try_table: &wasmparser::TryTable) {
        // Clauses name labels outside the `try_table`; each gets a pad after the body.
        let region = self.regions.len();
        let mut clauses = Vec::with_capacity(try_table.catches.len());
        for catch in &try_table.catches {
            let (tag, label, with_ref) = match *catch {
                wasmparser::Catch::One { tag, label } => (Some(tag), label, false),
                wasmparser::Catch::OneRef { tag, label } => (Some(tag), label, true),
                wasmparser::Catch::All { label } => (None, label, false),
                wasmparser::Catch::AllRef { label } => (None, label, true),
            };
            let depth = label as usize;
            let releases = self.ctrl[self.ctrl.len() - 1 - depth..]
                .iter()
                .filter(|c| c.kind == CtrlKind::Catch)
                .map(|c| c.catch_slot)
                .collect();
            let at = self.ctrl.len() - 1 - depth;
            let target = &self.ctrl[at];
            let (is_loop, head, height) =
                (target.kind == CtrlKind::Loop, target.head, target.height);
            if !is_loop {
                let pad = self.pads.len();
                self.ctrl[at].pads.push(pad);
            }
            self.pads.push(Pad {
                region,
                clause: clauses.len(),
                returns: at == 0,
                label_at: is_loop.then_some(head),
                height,
                with_ref,
                tag,
                releases,
            });
            clauses.push(Clause {
                tag: tag.unwrap_or(Clause::ANY),
                pad: 0,
            });
        }
        self.op_block(try_table.ty);
        let region = self.open_region(clauses);
        let c = self.ctrl.last_mut().expect("just pushed");
        c.kind = CtrlKind::TryTable;
        c.region = region;
    }

    pub(super) fn op_try(&mut self, bt: BlockType) {
        self.op_block(bt);
        let region = self.open_region(Vec::new());
        let c = self.ctrl.last_mut().expect("just pushed");
        c.kind = CtrlKind::Try;
        c.region = region;
    }

    /// `catch $tag` (`Some`) or `catch_all` (`None`): ends the `try` body, or the catch
    /// block before, and starts a catch block, the handler of a clause of the body's
    /// region.
    pub(super) fn op_catch(&mut self, tag: Option<u32>) {
        let top = self.ctrl.len() - 1;
        if self.ctrl[top].kind == CtrlKind::Catch {
            let (dead, slot, region) = (
                self.ctrl[top].dead,
                self.ctrl[top].catch_slot,
                self.ctrl[top].catch_region,
            );
            if !dead {
                self.emit_catch_end(slot);
            }
            self.close_region(region);
        }
        if self.ctrl[top].kind == CtrlKind::Try {
            let region = self.ctrl[top].region;
            self.close_region(region);
            let c = &mut self.ctrl[top];
            c.kind = CtrlKind::Catch;
            c.catch_slot = self.catch_depth;
            self.catch_depth += 1;
            self.catch_slots = self.catch_slots.max(self.catch_depth);
        }
        // The body or previous catch block falls through to the end, past this one.
        if !self.ctrl[top].dead {
            self.emit_branch_copies(0);
            self.emit_br_to(0);
        }
        let c = &mut self.ctrl[top];
        c.dead = false;
        let (height, slot) = (c.height as usize, c.catch_slot);
        let region = c.region;
        self.stack.truncate(height);
        self.bind_label();
        let pad = self.pc();
        self.clauses[region as usize].push(Clause {
            tag: tag.unwrap_or(Clause::ANY),
            pad: pad as u32,
        });
        let types = self.tag_types(tag);
        let dst = self.slot_at(height);
        self.catch_slot_uses.push(pad);
        self.emit(Instr::Caught {
            dst,
            len: self.packed_len(types),
            // The catch slot's number until `place_catch_slots`.
            exn: slot as Slot,
            mode: LEGACY,
        });
        // The block's own region, from after `Caught`: an exception leaving the block
        // lets go of its exception on the way.
        let catch_region = self.open_region(alloc::vec![Clause {
            tag: Clause::RELEASE,
            pad: slot,
        }]);
        self.regions[catch_region as usize].parent = self.ctrl[top].outer_region;
        self.ctrl[top].catch_region = catch_region;
        for _ in types {
            self.push_temp();
        }
        self.unpack(height, types);
        self.start_fuel_block();
    }

    /// The normal end of a catch block holding its exception in catch slot `slot`.
    pub(super) fn emit_catch_end(&mut self, slot: u32) {
        let at = self.emit(Instr::CatchEnd { exn: slot as Slot });
        self.catch_slot_uses.push(at);
    }

    /// `delegate $l`: ends the `try` body, whose exceptions go on to the region in effect
    /// just inside label `$l` (the label's own body if it is a `try` still in its body,
    /// else the region around the labelled construct), or to the caller.
    pub(super) fn op_delegate(&mut self, depth: u32) {
        let top = self.ctrl.len() - 1;
        // The label is counted from outside the `try`.
        let target = &self.ctrl[top - 1 - depth as usize];
        let to = if top - 1 - depth as usize == 0 {
            Region::NONE
        } else {
            match target.kind {
                CtrlKind::Try | CtrlKind::TryTable => target.region,
                CtrlKind::Catch => target.catch_region,
                _ => target.outer_region,
            }
        };
        let region = self.ctrl[top].region;
        self.regions[region as usize].parent = to;
        // A `try` ending in `delegate` has no catch blocks: an `end`.
        self.op_end();
    }

    pub(super) fn op_throw(&mut self, tag: u32) {
        let types = self.tag_types(Some(tag));
        self.materialize_top(types.len());
        let from = self.height() - types.len();
        self.pack(from, types);
        let base = self.slot_at(from);
        self.emit(Instr::Throw {
            tag,
            base,
            len: self.packed_len(types),
        });
        self.mark_dead();
    }

    pub(super) fn op_throw_ref(&mut self) {
        let (src, _) = self.pop_read();
        self.emit(Instr::ThrowRef { src });
        self.mark_dead();
    }

    /// `rethrow $l`: the exception of the catch block `$l` names, from its catch slot.
    pub(super) fn op_rethrow(&mut self, depth: u32) {
        let slot = self.ctrl[self.ctrl.len() - 1 - depth as usize].catch_slot;
        let at = self.emit(Instr::ThrowRef { src: slot as Slot });
        self.catch_slot_uses.push(at);
        self.mark_dead();
    }

    /// After the body: each `try_table` clause's pad takes the exception into its label's
    /// slots and branches there (or, for the function's label, returns the values).
    pub(super) fn emit_pads(&mut self) {
        if !cfg!(feature = "exceptions") {
            return;
        }
        for pad in core::mem::take(&mut self.pads) {
            self.bind_label();
            let at = self.pc();
            self.clauses[pad.region][pad.clause].pad = at as u32;
            let dst = self.slot_at(pad.height as usize);
            let types = self.tag_types(pad.tag);
            let packed = self.packed_len(types);
            self.emit(Instr::Caught {
                dst,
                len: packed,
                exn: 0,
                mode: if pad.with_ref { WITH_REF } else { PLAIN },
            });
            // As slots: the values packed, then the `exnref`.
            let n = usize::from(packed) + usize::from(pad.with_ref);
            if !pad.returns && self.width == 2 {
                // The label's positions: the values, then the `exnref`.
                let mut all = types.to_vec();
                if pad.with_ref {
                    all.push(ValType::EXNREF);
                }
                self.unpack(pad.height as usize, &all);
            }
            for &slot in &pad.releases {
                self.emit_catch_end(slot);
            }
            match pad.label_at {
                Some(to) if !pad.returns => {
                    let br = self.emit(Instr::Br { offset: 0 });
                    self.patch(br, to);
                }
                _ => {
                    // The function's label: its results are the values, from slot 0 up.
                    // Packed already, as a return wants them.
                    let src = self.slot_at(0);
                    self.emit(match n {
                        0 => Instr::Return0,
                        1 => Instr::Return1 { src },
                        _ => Instr::ReturnMany { src, len: n as u16 },
                    });
                }
            }
        }
    }

    /// The regions with their clauses laid out one after another, as `CompiledFunc` keeps
    /// them.
    pub(super) fn take_handlers(&mut self) -> (Vec<Region>, Vec<Clause>) {
        let mut regions = core::mem::take(&mut self.regions);
        let mut clauses = Vec::new();
        for (r, own) in regions.iter_mut().zip(core::mem::take(&mut self.clauses)) {
            r.first = clauses.len() as u32;
            r.count = own.len() as u32;
            clauses.extend(own);
        }
        (regions, clauses)
    }

    /// Puts the catch slots (numbered from 0 while translating) at `base` and up.
    pub(super) fn place_catch_slots(&mut self, base: Slot) {
        for clause in self.clauses.iter_mut().flatten() {
            if clause.tag == Clause::RELEASE {
                clause.pad += u32::from(base);
            }
        }
        for &at in &self.catch_slot_uses {
            match &mut self.code[at] {
                Instr::Caught { exn, .. } => *exn += base,
                Instr::ThrowRef { src } => *src += base,
                Instr::CatchEnd { exn } => *exn += base,
                other => debug_assert!(false, "not a catch slot user: {other:?}"),
            }
        }
    }
}
