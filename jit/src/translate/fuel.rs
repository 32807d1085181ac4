//! Fuel, charged where and as much as the interpreter charges it.
//!
//! The interpreter (`wisp-interp`'s `translate/mod.rs`) starts a *fuel block* at function
//! entry, at each loop header, at the start of each arm of an `if`, and after each `end`
//! of a block, loop or `if`; it charges, up front, one unit per wasm operator counted to the
//! block, where an operator counts to the fuel block that is current when it is read in
//! reachable code, `else` counts even in unreachable code, and nothing else there counts.
//!
//! Here a fuel block is a check at the start of the Cranelift block where the interpreter
//! puts its `ConsumeFuel`, whose amount is an `iconst` patched once the count is known
//! (when the next fuel block starts, or at the end of the function). A fuel block whose
//! code can't be reached (after the `end` of a construct nothing leaves) has no check, but
//! still takes the counts the interpreter would give it, so that no other block gets them.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Inst, InstBuilder};
use wisp_core::TrapCode;

use super::{vm_flags, Translator};
use crate::offsets;

/// The current fuel block: the instruction holding its amount (`None` for a block no code
/// reaches), and the operators counted to it so far.
pub struct FuelBlock {
    amount: Option<Inst>,
    count: u64,
}

impl Translator<'_, '_> {
    /// Starts a fuel block at the current position.
    pub(super) fn start_fuel_block(&mut self) {
        if !self.env.fuel {
            return;
        }
        self.close_fuel_block();
        let amount = self.b.ins().iconst(types::I64, 0);
        let inst = self
            .b
            .func
            .dfg
            .value_def(amount)
            .inst()
            .expect("an iconst is an instruction");
        let fuel = self
            .b
            .ins()
            .load(types::I64, vm_flags(), self.store, offsets::STORE_FUEL);
        let short = self.b.ins().icmp(IntCC::UnsignedLessThan, fuel, amount);
        self.trap_if(short, TrapCode::OutOfFuel);
        let left = self.b.ins().isub(fuel, amount);
        self.b
            .ins()
            .store(vm_flags(), left, self.store, offsets::STORE_FUEL);
        self.fuel = Some(FuelBlock {
            amount: Some(inst),
            count: 0,
        });
    }

    /// Starts a fuel block where no code runs (see the module comment).
    pub(super) fn start_unreached_fuel_block(&mut self) {
        if !self.env.fuel {
            return;
        }
        self.close_fuel_block();
        self.fuel = Some(FuelBlock {
            amount: None,
            count: 0,
        });
    }

    /// Counts one operator to the current fuel block.
    pub(super) fn charge_fuel(&mut self) {
        if let Some(block) = &mut self.fuel {
            block.count += 1;
        }
    }

    /// Writes the current fuel block's count into its check.
    pub(super) fn close_fuel_block(&mut self) {
        if let Some(FuelBlock {
            amount: Some(inst),
            count,
        }) = self.fuel.take()
        {
            // The interpreter's amounts are `u32`, saturating.
            let count = count.min(u64::from(u32::MAX)) as i64;
            self.b.func.replace(inst).iconst(types::I64, count);
        }
    }
}
