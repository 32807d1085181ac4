//! Tier-up: the interpreter and the JIT on one engine (`Tier::Tiered`, and `Tier::Mixed`
//! for tests).
//!
//! Every function starts interpreted. The interpreter counts calls and loop header entries
//! (`wisp_interp::NativeTier`); a function past `Config::tier_up`'s thresholds is compiled
//! alone (`compile::compile_unit`) on the background thread of `manager.rs`, while the
//! interpreter keeps running it, and installed (`state.rs`):
//!
//! - its direct entry in the module's entry table, which native callers load and call;
//! - its array entry in the module's array table, which entries from the host and from the
//!   runtime take;
//! - a stub in the interpreter's code table, whose one instruction calls the array entry,
//!   so interpreted callers (calls, `call_indirect`) reach native code without checking.
//!
//! Each is one atomic store, and a caller that still sees the old value runs the
//! interpreter, which is right too. A frame that stays in a hot loop moves to native code
//! at the loop header (on-stack replacement) once its function is compiled: the same
//! code, which has a path from its entry to each of its loops, taken when its OSR
//! parameter is an interpreter frame (`wisp_core::vm::OsrFrame`) rather than null. So one
//! compile per function serves calls from either tier and frames already running.
//!
//! Invariants:
//! - Native code of a tiered module calls the module's functions through the entry table
//!   (a function calls itself directly), so a function may be compiled before or after
//!   its callers; a null entry sends the call to the runtime (`libcalls::call_func`),
//!   which runs the callee on whichever tier has it.
//! - Both tiers share one call-depth bound: the interpreter hands native code what is left
//!   of its frames (`StoreInner::depth_left`), and a call from native code into the
//!   interpreter gets what native code has left.
//! - The native stack limit is set by the outermost entry from the host, whichever tier
//!   runs first, since either may call the other.
//! - Code is never freed while its module lives: a unit stays mapped in its module's
//!   state, and interpreted code replaced by a stub in the interpreter's table.

mod manager;
mod state;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use wisp_core::module::ModuleInner;
use wisp_core::vm::{status, Executor, VmCtx};
use wisp_core::{FuncKind, InstanceEntity, StoreInner, Trap};
use wisp_interp::Interpreter;

use crate::executor::{self, outcome, Budget, Tails};
use crate::libcalls::{self, PANICKED};
use crate::stack;

use manager::Shared;
pub use state::FuncTierStats;
pub(crate) use state::TierModule;

/// The tiered executor: the interpreter with the JIT attached, for `Tier::Tiered` and
/// `Tier::Mixed` engines (which of the two is the engine's configuration).
pub struct Tiered {
    shared: Arc<Shared>,
    interp: Interpreter,
}

impl std::fmt::Debug for Tiered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiered").finish_non_exhaustive()
    }
}

impl Tiered {
    /// The tiered executor for this machine, or why there is none (see `Jit::new`).
    pub fn new() -> Result<Tiered, String> {
        executor::isa()?;
        let shared = Shared::new();
        let interp = Interpreter::with_native_tier(shared.clone());
        Ok(Tiered { shared, interp })
    }
}

impl Tiered {
    /// Makes every compile of defined function `def` of `module` (a module of an engine
    /// running this executor) fail as a Cranelift error would, so tests can check the
    /// fallback: the function stays interpreted, the failure is reported, nothing else
    /// changes.
    #[doc(hidden)]
    pub fn fail_compiles_of(&self, module: &wisp_core::Module, def: u32) {
        if let Some(tiers) = TierModule::of(module.inner(), &self.shared) {
            tiers.refuse(def);
        }
    }
}

impl Executor for Tiered {
    fn name(&self) -> &'static str {
        "tiered"
    }

    fn native(&self) -> bool {
        true
    }

    fn guard_pages(&self) -> bool {
        crate::signals::supported()
    }

    fn prepare_module(&self, module: &Arc<ModuleInner>) -> wisp_core::Result<()> {
        self.interp.prepare_module(module)?;
        TierModule::of(module, &self.shared)
            .map(drop)
            .ok_or_else(|| {
                wisp_core::Error::Unsupported(wisp_core::ModuleError {
                    message: "the module was loaded by an engine of another tier".into(),
                    offset: 0,
                })
            })
    }

    unsafe fn call(
        &self,
        store: *mut StoreInner,
        func: u32,
        slots: &mut [u64],
    ) -> Result<(), Trap> {
        // SAFETY: the trait's contract: `store` is live and unaliased, `func` one of its
        // functions, `slots` long enough for its type.
        unsafe {
            let (instance, index) = match &(&(*store).funcs)[func as usize].kind {
                FuncKind::Wasm { instance, index } => (*instance, *index),
                FuncKind::Host(_) => {
                    return Err(Trap::msg(
                        "the tiered engine was asked to run a host function",
                    ))
                }
            };
            // Set here rather than by the first native entry: interpreted code may call
            // native code at any depth.
            let outermost = (*store).stack_limit == 0;
            if outermost {
                (*store).stack_limit = stack::limit();
            }
            let code = call_function(
                &self.shared,
                store,
                instance,
                index,
                slots.as_mut_ptr(),
                Budget::Fresh,
                Tails::Complete,
            );
            if outermost {
                (*store).stack_limit = 0;
            }
            outcome(store, code)
        }
    }
}

/// Runs function `index` (a defined one) of store instance `instance` with the array
/// `args` on whichever tier has it: its native code if it has been compiled, else the
/// interpreter. Returns the status of an array call (a trap is left in the store, a host
/// function's panic held for the entry point); a tail call native code leaves is made as
/// `tails` says (the interpreter makes its own).
///
/// # Safety
/// `store` is live and unaliased; `instance` and `index` name a function the instance
/// defines; `args` holds its type's `slots_len` slots; the stack limit is set.
pub(crate) unsafe fn call_function(
    shared: &Arc<Shared>,
    store: *mut StoreInner,
    instance: u32,
    index: u32,
    args: *mut u64,
    budget: Budget,
    tails: Tails,
) -> u32 {
    // SAFETY: the contract; instance entities never move while the store lives.
    unsafe {
        let inst: *mut InstanceEntity = (&(*store).instances)[instance as usize].as_ptr();
        let vmctx: *mut VmCtx = &mut (*inst).vmctx;
        let module = (*inst).module.inner();
        let def = index - module.num_imported_funcs;
        let Some(tiers) = TierModule::of(module, shared) else {
            return libcalls::pend(store, Trap::msg("the module belongs to another tier"));
        };
        if let Some(entry) = tiers.array_entry(def) {
            return executor::run(store, vmctx, entry, args, budget, tails);
        }
        let depth = match budget {
            Budget::Fresh => (*store).engine.config().get_max_call_depth(),
            Budget::Carry => (*store).depth_left,
        };
        let func = (*vmctx).func(index).store_func;
        let len = (*store).func_type(func).slots_len();
        let slots = std::slice::from_raw_parts_mut(args, len);
        // A host function the interpreter calls may panic; native frames may be above
        // this one, which a panic must not unwind through.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            wisp_interp::call_with_depth(store, func, slots, depth, Some(&**shared))
        }));
        match outcome {
            Ok(Ok(())) => status::OK,
            Ok(Err(trap)) => libcalls::pend(store, trap),
            Err(payload) => {
                libcalls::hold_panic(payload);
                PANICKED
            }
        }
    }
}

/// Per-function tier-up statistics of `module`, if a tiered engine has run it: for each
/// defined function, its interpreted calls and loop iterations, when it was compiled and
/// what that cost, and its on-stack replacements.
pub fn tier_stats(module: &wisp_core::Module) -> Option<Vec<FuncTierStats>> {
    let tiers = module
        .inner()
        .jit_data
        .get()?
        .downcast_ref::<TierModule>()?;
    Some(tiers.stats(module.inner()))
}
