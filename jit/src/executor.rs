//! The JIT as a `wisp_core::vm::Executor`: entering native code from Rust.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use wisp_core::module::ModuleInner;
use wisp_core::vm::{status, ArrayCallFn, Executor, LeftOut, VmCtx};
use wisp_core::{Error, FuncKind, InstanceEntity, ModuleError, StoreInner, Trap, TrapCode};

use crate::compile::{module_code, Stop};
use crate::libcalls::{self, PANICKED};
use crate::{signals, stack};

/// The Cranelift JIT tier. Stateless: per-module code lives in each module, the execution
/// state of a call in the store and on the native stack.
#[derive(Debug, Default, Clone, Copy)]
pub struct Jit;

impl Jit {
    /// The JIT for this machine, or why there is none (an architecture Cranelift does not
    /// serve, or a 32-bit host).
    pub fn new() -> Result<Jit, String> {
        isa()?;
        Ok(Jit)
    }
}

/// The host's instruction set, with the flags every module is compiled with.
pub(crate) fn isa() -> Result<&'static dyn TargetIsa, String> {
    static ISA: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(build_isa)
        .as_ref()
        .map(|isa| &**isa)
        .map_err(Clone::clone)
}

fn build_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags
            .set(name, value)
            .map_err(|e| format!("Cranelift setting {name}={value}: {e}"))
    };
    set(&mut flags, "opt_level", "speed")?;
    // Direct calls return a status before the results; many results go through a return
    // area both sides are generated to agree on.
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    // Cranelift's tail calls (`return_call`) need every frame to keep its frame pointer.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    // Code runs where it is mapped: no PIC, no GOT.
    set(&mut flags, "is_pic", "false")?;
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let builder = cranelift_native::builder()?;
    let isa = builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("Cranelift ISA: {e}"))?;
    if isa.pointer_bits() != 64 {
        return Err("the JIT needs a 64-bit host".into());
    }
    Ok(isa)
}

/// Why this host's JIT cannot compile SIMD, if it cannot: the CPU feature Cranelift's
/// vector lowering needs that the host lacks (the ISA's flags are the host's,
/// `cranelift_native`).
///
/// - x86_64: SSE4.1 (with the SSE3 and SSSE3 before it). Cranelift lowers some operators
///   to library calls without them (`pshufb`, the roundings), which wisp does not provide
///   for vectors; CPUs have had SSE4.1 since 2008. FMA is not needed: without it,
///   `relaxed_madd` calls the fused multiply-add of the standard library per lane.
/// - aarch64: nothing (NEON is baseline).
/// - riscv64: the V extension (which implies a vector length of at least 128 bits).
pub fn simd_unsupported() -> Option<&'static str> {
    static WHY: OnceLock<Option<&'static str>> = OnceLock::new();
    *WHY.get_or_init(|| {
        let isa = isa().ok()?;
        let has = |name: &str| {
            isa.isa_flags()
                .iter()
                .any(|f| f.name == name && f.as_bool() == Some(true))
        };
        // The ISA is the host's (`cranelift_native`).
        if cfg!(target_arch = "x86_64") {
            (!(has("has_sse3") && has("has_ssse3") && has("has_sse41")))
                .then_some("the JIT needs SSE4.1 for SIMD on x86_64, which this CPU lacks")
        } else if cfg!(target_arch = "riscv64") {
            (!has("has_v")).then_some(
                "the JIT needs the V extension for SIMD on riscv64, which this CPU lacks",
            )
        } else {
            None
        }
    })
}

/// What the JIT cannot run on this host: SIMD and relaxed SIMD without the CPU features
/// `simd_unsupported` names.
fn left_out() -> Vec<LeftOut> {
    use wasmparser::WasmFeatures as F;
    let Some(why) = simd_unsupported() else {
        return Vec::new();
    };
    // A module with relaxed SIMD validates only with both: tried second, it is named for
    // what it uses.
    vec![
        LeftOut {
            features: F::SIMD,
            what: "SIMD",
            why,
        },
        LeftOut {
            features: F::SIMD.union(F::RELAXED_SIMD),
            what: "relaxed SIMD",
            why,
        },
    ]
}

impl Executor for Jit {
    fn name(&self) -> &'static str {
        "jit"
    }

    fn left_out(&self) -> Vec<LeftOut> {
        left_out()
    }

    fn native(&self) -> bool {
        true
    }

    fn guard_pages(&self) -> bool {
        crate::signals::supported()
    }

    fn prepare_module(&self, module: &Arc<ModuleInner>) -> wisp_core::Result<()> {
        match module_code(module, None) {
            Ok(_) => Ok(()),
            Err(Stop::Failed(message)) => Err(Error::Limit(ModuleError {
                message: message.into(),
                offset: 0,
            })),
            Err(Stop::Interrupted) => unreachable!("no interrupt flag was given"),
        }
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
                    return Err(Trap::msg("the JIT was asked to run a host function"))
                }
            };
            let status = enter(
                store,
                instance,
                index,
                slots.as_mut_ptr(),
                Budget::Fresh,
                Tails::Complete,
            );
            outcome(store, status)
        }
    }
}

/// What an entry does with the call budget (`StoreInner::depth_left`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// An entry from the host starts a fresh one, as each interpreter execution starts
    /// with no frames.
    Fresh,
    /// A call from native code through the runtime continues the caller's.
    Carry,
}

/// What an entry does when the function it called returns `status::TAIL_CALL`, having
/// left a tail call to make in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tails {
    /// Makes it, and any it leaves in turn (`libcalls::complete_tail_calls`): the status
    /// is never `TAIL_CALL`.
    Complete,
    /// Returns `TAIL_CALL` to the caller, which is making such calls already (so a chain
    /// of them takes no stack).
    Leave,
}

/// Runs function `index` of store instance `instance` with the array `args`, compiling
/// its module first if need be; returns the array call's status.
///
/// # Safety
/// `store` is live and unaliased; `instance` and `index` name a function defined by that
/// instance; `args` holds its type's `slots_len` slots.
pub(crate) unsafe fn enter(
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
        let mut entry = (*vmctx).func(index).native.load(Ordering::Acquire);
        if entry.is_null() {
            // The compile counts against the store's interrupt (`--timeout`), as the code
            // it makes would.
            let interrupt = (*store)
                .engine
                .config()
                .get_interruptible()
                .then(|| &*(*store).interrupt);
            match publish(inst, interrupt) {
                Ok(()) => {}
                Err(Stop::Interrupted) => {
                    (*store).interrupt.store(false, Ordering::Relaxed);
                    return TrapCode::Interrupted.status();
                }
                Err(Stop::Failed(e)) => {
                    return libcalls::pend(
                        store,
                        Trap::msg(format!("JIT compilation failed: {e}")),
                    );
                }
            }
            entry = (*vmctx).func(index).native.load(Ordering::Acquire);
        }
        run(store, vmctx, entry, args, budget, tails)
    }
}

/// Calls the array-call entry `entry` of a function of the instance of `vmctx`. The stack
/// limit is set by the outermost entry and kept by nested ones; the call budget is put
/// back afterwards, also after a trap (which skips the returns that would have given it
/// back). A tail call the function leaves is made as `tails` says.
///
/// # Safety
/// `store` is live and unaliased; `vmctx` is one of its instances'; `entry` is an
/// array-call entry of native code of that instance's module (alive as long as the
/// module); `args` holds the function type's `slots_len` slots.
pub(crate) unsafe fn run(
    store: *mut StoreInner,
    vmctx: *mut VmCtx,
    entry: *mut u8,
    args: *mut u64,
    budget: Budget,
    tails: Tails,
) -> u32 {
    // SAFETY: the contract.
    unsafe {
        (*vmctx).store = store;
        let outermost = (*store).stack_limit == 0;
        if outermost {
            (*store).stack_limit = stack::limit();
        }
        let saved_budget = (*store).depth_left;
        if budget == Budget::Fresh {
            (*store).depth_left = (*store).engine.config().get_max_call_depth();
        }
        let f: ArrayCallFn = std::mem::transmute::<*mut u8, ArrayCallFn>(entry);
        let status = signals::call(store, f, vmctx, vmctx, args);
        (*store).depth_left = saved_budget;
        if outermost {
            (*store).stack_limit = 0;
        }
        if status == status::TAIL_CALL && tails == Tails::Complete {
            // The results go where the function's would have: same types.
            return libcalls::complete_tail_calls(store, args, budget);
        }
        status
    }
}

/// Compiles the instance's module if need be and publishes its functions' array entries
/// in the instance's function entries (one atomic store each). The compile stops if
/// `interrupt` is set meanwhile.
///
/// # Safety
/// `inst` is a live instance entity.
unsafe fn publish(inst: *mut InstanceEntity, interrupt: Option<&AtomicBool>) -> Result<(), Stop> {
    // SAFETY: the contract.
    unsafe {
        let module = (*inst).module.inner();
        let code = module_code(module, interrupt)?;
        let vmctx = &(*inst).vmctx;
        for def in 0..module.bodies.len() as u32 {
            vmctx
                .func(module.num_imported_funcs + def)
                .native
                .store(code.array_entry(def), Ordering::Release);
        }
    }
    Ok(())
}

/// The result of an execution that ended with `status`, a trap carrying the native frames
/// it left (`StoreInner::native_frames`); a host function's panic held while native code
/// ran resumes here.
///
/// # Safety
/// `store` is live and unaliased.
pub(crate) unsafe fn outcome(store: *mut StoreInner, status: u32) -> Result<(), Trap> {
    if status == status::OK {
        return Ok(());
    }
    // SAFETY: the contract.
    let store = unsafe { &mut *store };
    let mut trap = match status {
        status::TRAP_PENDING => store
            .pending_trap
            .take()
            .unwrap_or_else(|| Trap::msg("native code reported a trap it did not leave")),
        status::EXCEPTION => uncaught(store),
        PANICKED => {
            store.native_frames.len = 0;
            match libcalls::take_panic() {
                Some(payload) => std::panic::resume_unwind(payload),
                None => return Err(Trap::msg("a host function panicked")),
            }
        }
        code => TrapCode::from_status(code)
            .map(Trap::from)
            .unwrap_or_else(|| Trap::msg(format!("native code returned status {code}"))),
    };
    store.attach_native_frames(&mut trap);
    Err(trap)
}

/// The exception native code propagated out of wasm, as the host gets it: the trap that
/// brought it into native code (a host function's, or the interpreter's, with its
/// backtrace) if one did.
fn uncaught(store: &mut StoreInner) -> Trap {
    let trap = store.pending_trap.take();
    let Some(index) = store.pending_exception.take() else {
        return Trap::msg("native code reported an exception it did not leave");
    };
    match trap {
        Some(t) if t.exception().and_then(|e| store.exception_index(&e)) == Some(index) => t,
        _ => Trap::throw(store.exception_handle(index)),
    }
}

#[cfg(test)]
mod tests {
    /// THREAT_MODEL.md, section 4: every debug build (all tests) verifies the IR Cranelift
    /// is given, so a malformed translation fails loudly rather than compiling.
    #[test]
    fn the_ir_verifier_is_on_in_debug_builds() {
        let isa = super::build_isa().unwrap();
        assert_eq!(isa.flags().enable_verifier(), cfg!(debug_assertions));
    }

    /// SIMD is compiled exactly where the CPU has what Cranelift needs for it.
    #[test]
    fn simd_follows_the_cpu() {
        #[cfg(target_arch = "x86_64")]
        let has = std::is_x86_feature_detected!("sse4.1");
        #[cfg(target_arch = "aarch64")]
        let has = true;
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        let has = super::simd_unsupported().is_none();
        assert_eq!(super::simd_unsupported().is_none(), has);
        assert_eq!(super::left_out().is_empty(), has);
    }
}
