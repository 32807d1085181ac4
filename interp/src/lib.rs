//! wisp-interp: wisp's register-based interpreter, `no_std` + `alloc`.
//!
//! - [`bytecode`]: the register instruction set, its encoding and disassembly.
//! - `translate`: wasm operators to bytecode, lazily per function.
//! - `exec`: the executor loop; wasm calls never recurse on the native stack.
//! - `code`: per-module translated code shared by instances.
//! - `isa`: the instruction table everything above derives from.

#![no_std]
// Without exception handling, the translator's and executor's scaffolding for it (regions,
// catch slots, `Raised::At`) is built but never reached: left for the linker to drop.
#![cfg_attr(
    not(all(
        feature = "exceptions",
        feature = "tail-call",
        feature = "function-references"
    )),
    allow(dead_code)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod bytecode;
mod code;
mod exec;
mod isa;
mod translate;

use alloc::sync::Arc;

use wisp_core::module::ModuleInner;
use wisp_core::vm::ArrayCallFn;
use wisp_core::{StoreInner, Trap};

/// The interpreter tier. Per-module code lives in each module, per-call state in each
/// store; the interpreter itself only knows the JIT it tiers up to, if any.
#[derive(Default, Clone)]
pub struct Interpreter {
    native: Option<Arc<dyn NativeTier>>,
}

impl core::fmt::Debug for Interpreter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Interpreter")
            .field("tiers_up", &self.native.is_some())
            .finish()
    }
}

impl Interpreter {
    /// An interpreter that runs everything itself (no tier-up).
    pub fn new() -> Self {
        Interpreter { native: None }
    }

    /// An interpreter that tiers up to `native`: in engines configured with
    /// `Tier::Tiered`, its code counts calls and loop iterations and reports hot code.
    pub fn with_native_tier(native: Arc<dyn NativeTier>) -> Self {
        Interpreter {
            native: Some(native),
        }
    }
}

/// Runs store function `func` as `Executor::call` does, but as a call from native code:
/// with at most `max_depth` frames (what the native caller has left of the call depth),
/// tiering up to `native`.
///
/// # Safety
/// As for `Executor::call`.
pub unsafe fn call_with_depth(
    store: *mut StoreInner,
    func: u32,
    slots: &mut [u64],
    max_depth: u32,
    native: Option<&dyn NativeTier>,
) -> Result<(), Trap> {
    // SAFETY: forwarded contract.
    unsafe { exec::call(store, func, slots, max_depth, native) }
}

/// What the interpreter asks of the JIT it tiers up to (`Interpreter::with_native_tier`).
///
/// The interpreter counts, per defined function, interpreted calls (`Hot`) and loop header
/// entries (`HotLoop`, all the function's loops together) in its module code. The JIT
/// installs compiled functions with [`install_native`].
pub trait NativeTier: Send + Sync + 'static {
    /// Defined function `def` of `module` reached the call threshold (`TierUp::calls`).
    /// Called once per function and module (the count passes the threshold once).
    fn hot_function(&self, module: &Arc<ModuleInner>, def: u32);

    /// A frame of defined function `def` is at the header of the loop at wasm byte
    /// `offset`, and the function's loops passed their threshold (`TierUp::loops`); asked
    /// again every so often while it stays hot. Returns native code to continue the frame
    /// in, if there is some yet: an array-call entry taking, as its array, an
    /// `wisp_core::vm::OsrFrame` (the frame's slots: locals, then the operand stack at the
    /// header, each in the interpreter's raw slot encoding; and the loop's offset), and
    /// returning the function's results in the frame's first slots.
    fn hot_loop(&self, module: &Arc<ModuleInner>, def: u32, offset: u32) -> Option<ArrayCallFn>;

    /// The trap a failed status of the JIT's code stands for (the JIT may hold more than
    /// the store does, such as a host function's panic, which it resumes here).
    fn native_trap(&self, store: *mut StoreInner, status: u32) -> Trap;

    /// Calls native code: `entry(vmctx, vmctx, array)`, through whatever the JIT needs
    /// around an entry from Rust (a JIT that turns hardware faults into traps resumes
    /// here after one, with the status of the trap).
    ///
    /// # Safety
    /// As calling `entry`: `store` and `vmctx` are live, `vmctx` is the instance of the
    /// module `entry` was installed for, and `array` is what `entry` takes.
    unsafe fn call_native(
        &self,
        store: *mut StoreInner,
        entry: ArrayCallFn,
        vmctx: *mut wisp_core::vm::VmCtx,
        array: *mut u64,
    ) -> u32;
}

/// Makes defined function `def` of `module` run `entry` (an array-call entry valid as long
/// as the module) whenever the interpreter calls it from now on.
pub fn install_native(module: &ModuleInner, def: u32, entry: ArrayCallFn) {
    code::module_code(module).install_native(module, def, entry);
}

/// What the profiling instructions counted for defined function `def` of `module`:
/// interpreted calls and loop header entries (zeroes unless the engine tiers up).
pub fn heat(module: &ModuleInner, def: u32) -> (u32, u32) {
    use core::sync::atomic::Ordering::Relaxed;
    code::module_code(module)
        .heat(def)
        .map_or((0, 0), |h| (h.calls.load(Relaxed), h.loops.load(Relaxed)))
}

impl wisp_core::vm::Executor for Interpreter {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn prepare_module(&self, module: &Arc<ModuleInner>) -> wisp_core::Result<()> {
        code::translate_all(module);
        Ok(())
    }

    #[cfg(wisp_own_decoder)]
    fn body_sink<'m>(
        &self,
        module: &'m ModuleInner,
        def: u32,
        body_len: usize,
    ) -> Option<alloc::boxed::Box<dyn wisp_core::vm::BodySink + 'm>> {
        let options = code::options(module);
        let stream = translate::stream::Stream::new(module, def, options, body_len);
        Some(alloc::boxed::Box::new(stream))
    }

    fn left_out(&self) -> alloc::vec::Vec<wisp_core::vm::LeftOut> {
        use wasmparser::WasmFeatures as F;
        use wisp_core::vm::LeftOut;
        let mut left_out = alloc::vec::Vec::new();
        if !cfg!(feature = "exceptions") {
            left_out.push(LeftOut {
                features: F::EXCEPTIONS.union(F::LEGACY_EXCEPTIONS),
                what: "exception handling",
                why: "wisp-interp's `exceptions` feature is off",
            });
        }
        if !cfg!(feature = "tail-call") {
            left_out.push(LeftOut {
                features: F::TAIL_CALL,
                what: "tail calls",
                why: "wisp-interp's `tail-call` feature is off",
            });
        }
        if !cfg!(feature = "function-references") {
            left_out.push(LeftOut {
                features: F::FUNCTION_REFERENCES,
                what: "typed function references",
                why: "wisp-interp's `function-references` feature is off",
            });
        }
        if !cfg!(feature = "memory64") {
            left_out.push(LeftOut {
                features: F::MEMORY64,
                what: "64-bit memories or tables (memory64)",
                why: "wisp-interp's `memory64` feature is off",
            });
        }
        if !cfg!(feature = "threads") {
            left_out.push(LeftOut {
                features: F::THREADS,
                what: "threads (atomic operators, shared memories)",
                why: "wisp-interp's `threads` feature is off",
            });
        }
        if !cfg!(feature = "wide-arithmetic") {
            left_out.push(LeftOut {
                features: F::WIDE_ARITHMETIC,
                what: "wide arithmetic (`i64.add128` and the rest)",
                why: "wisp-interp's `wide-arithmetic` feature is off",
            });
        }
        if !cfg!(feature = "simd") {
            left_out.push(LeftOut {
                features: F::SIMD.union(F::RELAXED_SIMD),
                what: "SIMD (`v128`)",
                why: "wisp-interp's `simd` feature is off",
            });
        }
        if cfg!(feature = "no-float") {
            left_out.push(LeftOut {
                features: F::FLOATS,
                what: "floating-point types or instructions",
                why: "it was built with the `no-float` feature",
            });
        }
        left_out
    }

    unsafe fn call(
        &self,
        store: *mut StoreInner,
        func: u32,
        slots: &mut [u64],
    ) -> Result<(), Trap> {
        // SAFETY: forwarded contract; `store` is live.
        let max_depth = unsafe { (*store).engine.config().get_max_call_depth() };
        // SAFETY: forwarded contract.
        unsafe { exec::call(store, func, slots, max_depth, self.native.as_deref()) }
    }
}

pub use code::TranslationStats;

/// How this build dispatches instructions: `"tail"` (handlers jump to each other) or
/// `"loop"` (a loop calls them). Chosen at build time; see `build.rs`.
pub const DISPATCH: &str = if cfg!(wisp_tail_dispatch) {
    "tail"
} else {
    "loop"
};

/// What translation has done for `module` so far (functions, bytes in and out, time).
pub fn translation_stats(module: &wisp_core::Module) -> TranslationStats {
    code::stats(module.inner())
}

/// Defined function `def` of `module` as the executor runs it: its encoded instructions,
/// one a line (`bytecode::Disassembly`: operands after forwarding, which results are not
/// stored, branch targets as word offsets), after a line with its frame size and constant
/// pool. The code installed for it if it has been translated (lazily, eagerly or in the
/// loader's pass); else translated now, with the options the module's engine translates
/// with, so the code is the same.
pub fn disassemble(module: &wisp_core::Module, def: u32) -> Option<alloc::string::String> {
    use core::fmt::Write;
    let inner = module.inner();
    if def as usize >= inner.bodies.len() {
        return None;
    }
    let code = code::module_code(inner);
    // The code the executor runs, if the function has been translated; else translated
    // now (and not kept).
    let fresh;
    let func = match code::translated(code, def) {
        Some(func) => func,
        None => {
            fresh = translate::translate(inner, def, code.options()).ok()?;
            &fresh
        }
    };
    let mut out = alloc::string::String::new();
    let _ = writeln!(
        out,
        "{} words, {} frame slots, constants {:x?} at slot {}",
        func.code.len(),
        func.frame_size,
        func.consts,
        func.const_base
    );
    let _ = write!(out, "{}", bytecode::Disassembly::new(&func.code));
    Some(out)
}

/// A translated function as inspection sees it.
#[derive(Debug, Clone)]
pub struct Bytecode {
    /// Its instructions, before encoding.
    pub code: alloc::vec::Vec<bytecode::Instr>,
    /// Slots the frame needs (locals, operand stack, constant pool).
    pub frame_size: u32,
    /// The constant pool, at slots `const_base..` of the frame.
    pub const_base: u32,
    /// The constant pool's values, as raw slots.
    pub consts: alloc::vec::Vec<u64>,
}

/// The translated bytecode of defined function `def` of `module`, for inspection and tests.
pub fn bytecode_of(module: &wisp_core::Module, def: u32) -> Option<Bytecode> {
    let inner = module.inner();
    if def as usize >= inner.bodies.len() {
        return None;
    }
    // Translated again, as the executor's encoding keeps no `Instr`s; with the options
    // the module's engine translates with, so the code is the same.
    let options = code::module_code(inner).options();
    let translate::Translation { code, func, .. } =
        translate::translate_instrs(inner, def, options).ok()?;
    Some(Bytecode {
        code,
        frame_size: func.frame_size,
        const_base: func.const_base,
        consts: func.consts.to_vec(),
    })
}
