//! Compiling a module: every defined function and its array-call trampoline, laid out in
//! one code mapping and linked there.
//!
//! A module is compiled whole, once, on the first call into any of its instances (or
//! when it loads, with `Config::lazy_translation(false)`), and the result is kept in the
//! module's tier data, shared by its instances and threads.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{ExternalName, Function, LibCall, UserFuncName};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_codegen::{Context, FinalizedRelocTarget};
use cranelift_frontend::FunctionBuilderContext;
use wisp_core::module::ModuleInner;
use wisp_core::TrapCode;

use crate::code_memory::{self, CodeMemory, WritableCode};
use crate::trampolines::{self, Callee};
use crate::translate::{self, Env, WASM_FUNCTION_NAMESPACE};
use crate::{executor, libcalls, perf_map, signals, trap_codes};

/// A module's native code.
pub struct ModuleCode {
    code: CodeMemory,
    /// Where each defined function's array-call trampoline starts, from the code's base.
    array_entries: Box<[u32]>,
    stats: CompileStats,
}

/// What compiling a module cost and produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompileStats {
    /// Functions compiled (each also has a trampoline).
    pub functions: u32,
    /// Size of their wasm bodies.
    pub wasm_bytes: u64,
    /// Size of the native code, trampolines and padding included.
    pub code_bytes: u64,
    /// Time spent translating, compiling and linking, in nanoseconds.
    pub nanos: u64,
}

impl ModuleCode {
    /// The array-call entry of defined function `def`.
    pub fn array_entry(&self, def: u32) -> *mut u8 {
        (self.code.base() + self.array_entries[def as usize] as usize) as *mut u8
    }

    pub fn stats(&self) -> CompileStats {
        self.stats
    }
}

type CompileResult = Result<ModuleCode, String>;

/// Why a module's native code is not there.
#[derive(Debug)]
pub enum Stop {
    /// Compiling it failed (which a valid module should not), with this message; it keeps
    /// failing with the same one.
    Failed(String),
    /// The store's interrupt flag was set while it compiled: nothing is kept, and the next
    /// use compiles it again.
    Interrupted,
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Failed(message)
    }
}

/// `module`'s native code, compiled on first use. With `interrupt` (the flag of the store
/// whose call needs the code, in an interruptible engine), compiling stops between
/// functions once the flag is set, so that a module that takes seconds to compile counts
/// against `--timeout` and `InterruptHandle` as running code does.
pub fn module_code<'m>(
    module: &'m ModuleInner,
    interrupt: Option<&AtomicBool>,
) -> Result<&'m ModuleCode, Stop> {
    let data = module
        .jit_data
        .try_call_once(|| match compile_module(module, interrupt) {
            Err(Stop::Interrupted) => Err(Stop::Interrupted),
            Err(Stop::Failed(message)) => Ok(Box::new(CompileResult::Err(message)) as _),
            Ok(code) => Ok(Box::new(CompileResult::Ok(code)) as _),
        })?;
    let result = data.downcast_ref::<CompileResult>().ok_or_else(|| {
        Stop::Failed("the module is compiled a function at a time, by a tiered engine".into())
    })?;
    result.as_ref().map_err(|m| Stop::Failed(m.clone()))
}

/// The compile statistics of `module`, if it has been compiled by the JIT.
pub fn stats(module: &ModuleInner) -> Option<CompileStats> {
    let data = module.jit_data.get()?;
    data.downcast_ref::<CompileResult>()?
        .as_ref()
        .ok()
        .map(ModuleCode::stats)
}

/// Where a relocation points.
enum Target {
    /// The direct entry of a defined function.
    Func(u32),
    /// The runtime adapter for functions of a type index (`trampolines::runtime_adapter`),
    /// compiled with the code that calls it.
    Adapter(u32),
    /// One of Cranelift's library calls.
    LibCall(LibCall),
}

/// The type indices whose runtime adapters `pieces` call, in order, each once.
fn adapters_called(pieces: &[Compiled]) -> Vec<u32> {
    let mut types: Vec<u32> = pieces
        .iter()
        .flat_map(|p| &p.relocs)
        .filter_map(|r| match r.target {
            Target::Adapter(ty) => Some(ty),
            _ => None,
        })
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// Compiles the runtime adapters for `types` (small: on this thread's compile stack).
fn compile_adapters(
    env: &Env<'_>,
    isa: &dyn TargetIsa,
    types: &[u32],
) -> Result<Vec<Compiled>, String> {
    if types.is_empty() {
        return Ok(Vec::new());
    }
    on_compile_stack(|| {
        let mut ctx = Context::new();
        let mut fctx = FunctionBuilderContext::new();
        types
            .iter()
            .map(|&ty| {
                ctx.func = trampolines::runtime_adapter(env, ty, &mut fctx);
                emit(&mut ctx, isa, ty)
            })
            .collect()
    })
}

struct Relocation {
    /// From the start of the function's code.
    offset: u32,
    kind: Reloc,
    target: Target,
    addend: i64,
}

/// One compiled function, before layout.
struct Compiled {
    bytes: Vec<u8>,
    alignment: u32,
    relocs: Vec<Relocation>,
    /// The instructions that trap, by offset, and the wasm trap each stands for
    /// (`signals.rs`): guarded memories' accesses, and with `Env::trap_by_signal` every
    /// trap the code tests for.
    traps: Vec<(u32, TrapCode)>,
}

/// The translation environment for `module` on this host, with calls made as `calls`.
pub(crate) fn env<'m>(
    module: &'m ModuleInner,
    isa: &dyn TargetIsa,
    calls: translate::Calls,
) -> Env<'m> {
    let config = module.engine.config();
    Env {
        module,
        ptr: isa.pointer_type(),
        call_conv: isa.default_call_conv(),
        wasm_call_conv: CallConv::Tail,
        fuel: config.get_consume_fuel(),
        interruptible: config.get_interruptible(),
        trap_by_signal: config.get_signals_based_traps() && crate::signals::supported(),
        status_free: Vec::new(),
        frontend: isa.frontend_config(),
        calls,
    }
}

fn compile_module(
    module: &ModuleInner,
    interrupt: Option<&AtomicBool>,
) -> Result<ModuleCode, Stop> {
    let started = Instant::now();
    let isa = executor::isa()?;
    let mut env = env(module, isa, translate::Calls::Direct);
    if env.trap_by_signal {
        // A whole-module scan: 11 ms of the 6 MB module's 4 s compile.
        env.status_free = translate::status_free(module);
    }
    let count = module.bodies.len();
    let mut pieces = compile_all(&env, isa, interrupt)?;
    let adapters = adapters_called(&pieces);
    pieces.extend(compile_adapters(&env, isa, &adapters)?);
    // Functions first, trampolines after, then adapters: a call to function `def` goes to
    // piece `def`.
    let imported = module.num_imported_funcs;
    let (code, offsets, size) = link(
        module,
        &pieces,
        |target| match *target {
            Target::Func(def) => Some(def as usize),
            Target::Adapter(ty) => adapters.binary_search(&ty).ok().map(|a| 2 * count + a),
            Target::LibCall(_) => None,
        },
        |i| (i < count).then_some(imported + i as u32),
        |i| match i / count.max(1) {
            0 => perf_map::func_name(module, imported + i as u32),
            1 => perf_map::func_name(module, imported + (i - count) as u32) + " array trampoline",
            _ => format!("runtime adapter for type {}", adapters[i - 2 * count]),
        },
        false,
    )?;
    let array_entries = offsets[count..2 * count]
        .iter()
        .map(|&o| o as u32)
        .collect();
    // Native callers in other modules (imports, `call_indirect`) find the functions here.
    for (cell, &at) in module.native_code.iter().zip(&offsets) {
        cell.store((code.base() + at) as *mut u8, Ordering::Release);
    }
    let stats = CompileStats {
        functions: count as u32,
        wasm_bytes: module.bodies.iter().map(|b| b.range.len() as u64).sum(),
        code_bytes: size as u64,
        nanos: u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
    };
    Ok(ModuleCode {
        code,
        array_entries,
        stats,
    })
}

/// Lays `pieces` out in one new mapping, each at its alignment, applies their relocations
/// (a call to a defined function or an adapter goes to the piece `piece_of` names), and makes
/// it executable, registered for the fault handler (`signals.rs`: its trap sites, and
/// which pieces are wasm functions, `func_of` giving a piece's function index). Returns the
/// code, each piece's offset in it, and the bytes laid out. With `coloured`, the code
/// starts where `code_memory::colour` says in its first page, not at the page's start (for
/// code mapped one function at a time).
fn link(
    module: &ModuleInner,
    pieces: &[Compiled],
    piece_of: impl Fn(&Target) -> Option<usize>,
    func_of: impl Fn(usize) -> Option<u32>,
    name: impl Fn(usize) -> String,
    coloured: bool,
) -> Result<(CodeMemory, Vec<usize>, usize), String> {
    let mut offsets = Vec::with_capacity(pieces.len());
    let mut size = 0usize;
    let mut align = 16;
    for piece in pieces {
        align = align.max(piece.alignment as usize);
        size = size.next_multiple_of(piece.alignment.max(16) as usize);
        offsets.push(size);
        size += piece.bytes.len();
    }
    if coloured {
        // Shifting every piece by a multiple of the largest alignment keeps each aligned.
        let start = code_memory::colour(size).next_multiple_of(align);
        for at in &mut offsets {
            *at += start;
        }
        size += start;
    }
    if u32::try_from(size).is_err() {
        return Err(format!(
            "{size} bytes of native code is more than wisp lays out"
        ));
    }
    let mut memory = WritableCode::new(size).map_err(|e| format!("code memory: {e}"))?;
    let base = memory.base();
    let bytes = memory.bytes_mut();
    for (piece, &at) in pieces.iter().zip(&offsets) {
        bytes[at..at + piece.bytes.len()].copy_from_slice(&piece.bytes);
    }
    for (piece, &at) in pieces.iter().zip(&offsets) {
        for reloc in &piece.relocs {
            let target = match reloc.target {
                Target::Func(def) => {
                    let piece = piece_of(&reloc.target)
                        .ok_or_else(|| format!("a call to function {def} outside the code"))?;
                    base + offsets[piece]
                }
                Target::Adapter(ty) => {
                    let piece = piece_of(&reloc.target)
                        .ok_or_else(|| format!("no runtime adapter for type {ty}"))?;
                    base + offsets[piece]
                }
                Target::LibCall(lc) => libcalls::cranelift_libcall_address(lc)
                    .ok_or_else(|| format!("Cranelift asked for library call {lc:?}"))?,
            };
            let at = at + reloc.offset as usize;
            let value = (target as i64).wrapping_add(reloc.addend);
            apply(bytes, at, base + at, reloc.kind, value)?;
        }
    }
    let mut map = signals::CodeMap::new(module);
    for (i, (piece, &at)) in pieces.iter().zip(&offsets).enumerate() {
        for &(trap, code) in &piece.traps {
            map.trap(at as u32 + trap, code);
        }
        if let Some(func) = func_of(i) {
            map.func(at as u32, (at + piece.bytes.len()) as u32, func);
        }
    }
    let mut code = memory.publish().map_err(|e| format!("code memory: {e}"))?;
    code.register(signals::register(base, size, map));
    if perf_map::enabled() {
        for (i, (piece, &at)) in pieces.iter().zip(&offsets).enumerate() {
            perf_map::record(base + at, piece.bytes.len(), &name(i));
        }
    }
    Ok((code, offsets, size))
}

/// One function compiled on its own for tier-up: its native code, in a mapping of its own.
pub struct Unit {
    /// Keeps the code mapped; the entries point into it.
    pub code: CodeMemory,
    /// The direct entry (`Env::direct_signature`, with the OSR parameter).
    pub direct: *mut u8,
    /// The array-call entry: a call with the arguments in the array.
    pub array: *mut u8,
    /// The array-call entry for on-stack replacement, whose array is an `OsrFrame`, if
    /// compiled with landings.
    pub osr: Option<*mut u8>,
    /// The loops `osr` can enter at, by byte offset.
    pub loops: Vec<u32>,
    /// What compiling it cost.
    pub stats: CompileStats,
    /// Whether the direct entry always returns status 0 (`translate::status_free_unit`),
    /// so that units compiled after it call it without a status test.
    pub status_free: bool,
}

/// Compiles defined function `def` alone, calling the module's other functions through
/// `table`, and with `landings` enterable at its loops (`translate::Calls::Table`): its
/// code, and its trampolines (a call, and with `landings` an on-stack replacement).
/// `native_free(f)`: whether function `f`'s entry in `table` is final and its code
/// status-free (`Unit::status_free`), so that a call to it needs no status test.
pub fn compile_unit(
    module: &ModuleInner,
    def: u32,
    table: usize,
    landings: bool,
    native_free: impl Fn(u32) -> bool,
) -> Result<Unit, String> {
    let started = Instant::now();
    let isa = executor::isa()?;
    let mut env = env(module, isa, translate::Calls::Table { table, landings });
    // Which calls need no status test: only traps by signal leave a body without one.
    let status_free =
        env.trap_by_signal && translate::status_free_unit(module, def, landings, &native_free);
    if env.trap_by_signal {
        env.status_free = (0..module.bodies.len() as u32)
            .map(|f| {
                if f == def {
                    status_free && !landings
                } else {
                    native_free(f)
                }
            })
            .collect();
    }
    let (pieces, loops) = on_compile_stack(|| {
        let mut ctx = Context::new();
        let mut fctx = FunctionBuilderContext::new();
        let ty = module.func_type(module.num_imported_funcs + def);
        ctx.func = Function::with_name_signature(
            UserFuncName::user(WASM_FUNCTION_NAMESPACE, def),
            env.direct_signature(ty),
        );
        let loops = translate::translate(&env, def, &mut ctx.func, &mut fctx)
            .map_err(|e| format!("function {}: {e}", module.num_imported_funcs + def))?;
        let mut pieces = vec![emit(&mut ctx, isa, def)?];
        let callees: &[Callee] = if landings {
            &[Callee::Direct, Callee::Loop]
        } else {
            &[Callee::Direct]
        };
        for &callee in callees {
            ctx.func = trampolines::array_to(&env, def, callee, &mut fctx);
            pieces.push(emit(&mut ctx, isa, def)?);
        }
        Ok((pieces, loops))
    })?;
    // Each unit has its own copy of the adapters it calls (one per callee type: about 100
    // bytes each), after its function and trampolines.
    let adapters = adapters_called(&pieces);
    let first_adapter = pieces.len();
    let mut pieces = pieces;
    pieces.extend(compile_adapters(&env, isa, &adapters)?);
    // The only direct call a unit makes is to its own function, piece 0: the trampolines'
    // calls, and the function's recursion.
    let func = module.num_imported_funcs + def;
    let (code, offsets, size) = link(
        module,
        &pieces,
        |target| match *target {
            Target::Func(callee) => (callee == def).then_some(0),
            Target::Adapter(ty) => adapters.binary_search(&ty).ok().map(|a| first_adapter + a),
            Target::LibCall(_) => None,
        },
        |i| (i == 0).then_some(func),
        |i| {
            let name = perf_map::func_name(module, func);
            match i {
                0 => name + " (tier-up)",
                1 => name + " array trampoline",
                _ if i >= first_adapter => {
                    format!("runtime adapter for type {}", adapters[i - first_adapter])
                }
                _ => name + " OSR trampoline",
            }
        },
        true,
    )?;
    let at = |piece: usize| (code.base() + offsets[piece]) as *mut u8;
    let (direct, array, osr) = (at(0), at(1), landings.then(|| at(2)));
    let stats = CompileStats {
        functions: 1,
        wasm_bytes: module.bodies[def as usize].range.len() as u64,
        code_bytes: size as u64,
        nanos: u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
    };
    Ok(Unit {
        code,
        direct,
        array,
        osr,
        loops,
        stats,
        status_free,
    })
}

/// The native stack of a thread that runs Cranelift. Compiling never happens on the
/// caller's thread, whose stack may be small (an embedder's 64 KiB worker, or a wasm
/// call's own native frames above it): Cranelift's stack use grows with the function
/// compiled, and an overflow would abort the process.
const COMPILE_STACK: usize = 16 << 20;

std::thread_local! {
    /// Whether this thread was started by `compile_thread`, with `COMPILE_STACK` of stack.
    static ON_COMPILE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A thread named `name` with `COMPILE_STACK` bytes of stack, running `work` there. Work
/// on it calls `on_compile_stack` without starting another thread (tier-up's compile
/// thread, which compiles one function after another).
pub(crate) fn compile_thread<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(COMPILE_STACK)
        .spawn(move || {
            ON_COMPILE_STACK.with(|on| on.set(true));
            work()
        })
}

/// Runs `work` with `COMPILE_STACK` bytes of stack: here on a `compile_thread`, else on a
/// thread of its own, waiting for it. A panic in Cranelift becomes an error (it must not
/// unwind into the caller, which may have native wasm frames above it).
pub(crate) fn on_compile_stack<R: Send>(
    work: impl FnOnce() -> Result<R, String> + Send,
) -> Result<R, String> {
    let panicked = |_| Err("Cranelift panicked while compiling".into());
    if ON_COMPILE_STACK.with(std::cell::Cell::get) {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .unwrap_or_else(panicked);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("wisp-compile".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, work)
            .map_err(|e| format!("cannot start a compile thread: {e}"))?
            .join()
            .unwrap_or_else(panicked)
    })
}

/// Every function of the module, then every trampoline, compiled on as many threads as
/// `Config::compile_threads` says (each with its own Cranelift contexts), in that order;
/// each thread looks at `interrupt` before each function.
fn compile_all(
    env: &Env<'_>,
    isa: &dyn TargetIsa,
    interrupt: Option<&AtomicBool>,
) -> Result<Vec<Compiled>, Stop> {
    let module = env.module;
    let count = module.bodies.len();
    let jobs = 2 * count;
    // Every module on every thread, however small: a thread costs some 50 us to start,
    // and a module of a few KB compiles for milliseconds. (Below 64 KB of wasm, modules
    // were compiled on one thread: miniz, 60 KB, then took 1.23x wasmtime's whole-process
    // time with the JIT, 0.95x on two; simd_scan 1.13x, 0.89x. BENCHMARKS.md.)
    let threads = match module.engine.config().get_compile_threads() {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        n => n as usize,
    }
    .min(jobs);
    let next = AtomicUsize::new(0);
    // Each worker takes the next job until none is left; the first error (or the
    // interrupt) stops them all.
    let work = || -> Result<Vec<(usize, Compiled)>, Stop> {
        let mut ctx = Context::new();
        let mut fctx = FunctionBuilderContext::new();
        let mut done = Vec::new();
        loop {
            if interrupt.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                next.store(jobs, Ordering::Relaxed);
                return Err(Stop::Interrupted);
            }
            let job = next.fetch_add(1, Ordering::Relaxed);
            if job >= jobs {
                return Ok(done);
            }
            let def = (job % count) as u32;
            let compiled = if job < count {
                let ty = module.func_type(module.num_imported_funcs + def);
                ctx.func = Function::with_name_signature(
                    UserFuncName::user(WASM_FUNCTION_NAMESPACE, def),
                    env.direct_signature(ty),
                );
                translate::translate(env, def, &mut ctx.func, &mut fctx)
                    .map_err(|e| format!("function {}: {e}", module.num_imported_funcs + def))
                    .and_then(|_| emit(&mut ctx, isa, def))
            } else {
                ctx.func = trampolines::array_to(env, def, Callee::Direct, &mut fctx);
                emit(&mut ctx, isa, def)
            };
            match compiled {
                Ok(c) => done.push((job, c)),
                Err(e) => {
                    next.store(jobs, Ordering::Relaxed);
                    return Err(e.into());
                }
            }
        }
    };
    let results: Vec<Result<Vec<(usize, Compiled)>, Stop>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .name("wisp-compile".into())
                    .stack_size(COMPILE_STACK)
                    .spawn_scoped(scope, work)
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w {
                Ok(w) => w.join().unwrap_or_else(|_| {
                    Err(Stop::Failed("Cranelift panicked while compiling".into()))
                }),
                Err(e) => Err(Stop::Failed(format!("cannot start a compile thread: {e}"))),
            })
            .collect()
    });
    let mut pieces: Vec<Option<Compiled>> = (0..jobs).map(|_| None).collect();
    for result in results {
        for (job, compiled) in result? {
            pieces[job] = Some(compiled);
        }
    }
    pieces
        .into_iter()
        .map(|p| p.ok_or_else(|| Stop::Failed("a function was not compiled".into())))
        .collect()
}

/// Compiles `ctx.func` and takes its code and relocations.
fn emit(ctx: &mut Context, isa: &dyn TargetIsa, def: u32) -> Result<Compiled, String> {
    // `WISP_JIT_ASM` prints every function's machine code as Cranelift's lowering sees it
    // (register-allocated VCode, with sizes: a debugging aid beside `wasmtime objdump`).
    let asm = std::env::var_os("WISP_JIT_ASM").is_some();
    ctx.set_disasm(asm);
    let compiled = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| {
            // `WISP_JIT_DUMP_FAILED` prints the function Cranelift refused (a debugging aid:
            // its verifier, on in debug builds, names the instruction).
            if std::env::var_os("WISP_JIT_DUMP_FAILED").is_some() {
                eprintln!("{}", e.func.display());
            }
            format!("compiling function {def}: {:?}", e.inner)
        })?;
    let bytes = compiled.code_buffer().to_vec();
    let vcode = compiled.vcode.clone().filter(|_| asm);
    let alignment = compiled.buffer.alignment;
    let traps = compiled
        .buffer
        .traps()
        .iter()
        .filter_map(|t| Some((t.offset, trap_codes::to_wasm(t.code)?)))
        .collect();
    let raw: Vec<_> = compiled
        .buffer
        .relocs()
        .iter()
        .map(|r| (r.offset, r.kind, r.target.clone(), r.addend))
        .collect();
    // `WISP_JIT_CLIF` prints every function's IR as Cranelift optimised it, with the size
    // of its code (a debugging aid, to read beside `wasmtime explore`).
    if std::env::var_os("WISP_JIT_CLIF").is_some() {
        eprintln!("; {} bytes\n{}", bytes.len(), ctx.func.display());
    }
    if let Some(vcode) = vcode {
        eprintln!("; function {def}: {} bytes\n{vcode}", bytes.len());
    }
    let mut relocs = Vec::with_capacity(raw.len());
    for (offset, kind, target, addend) in raw {
        let target = match target {
            FinalizedRelocTarget::ExternalName(ExternalName::User(name)) => {
                let name = &ctx.func.params.user_named_funcs()[name];
                match name.namespace {
                    trampolines::ADAPTER_NAMESPACE => Target::Adapter(name.index),
                    _ => Target::Func(name.index),
                }
            }
            FinalizedRelocTarget::ExternalName(ExternalName::LibCall(lc)) => Target::LibCall(lc),
            other => return Err(format!("unexpected relocation target {other:?}")),
        };
        relocs.push(Relocation {
            offset,
            kind,
            target,
            addend,
        });
    }
    ctx.clear();
    Ok(Compiled {
        bytes,
        alignment,
        relocs,
        traps,
    })
}

/// Patches relocation `kind` at `bytes[at..]` (which will run at address `pc`) to refer to
/// `value` (target plus addend).
fn apply(bytes: &mut [u8], at: usize, pc: usize, kind: Reloc, value: i64) -> Result<(), String> {
    let pcrel = value.wrapping_sub(pc as i64);
    let out_of_range = || format!("relocation {kind:?} out of range");
    match kind {
        Reloc::Abs8 => bytes[at..at + 8].copy_from_slice(&value.to_le_bytes()),
        Reloc::X86PCRel4 | Reloc::X86CallPCRel4 | Reloc::X86CallPLTRel4 => {
            let v = i32::try_from(pcrel).map_err(|_| out_of_range())?;
            bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        Reloc::Arm64Call => {
            // `bl`: a signed 26-bit word offset in the low bits.
            if pcrel % 4 != 0 || !(-(1 << 27)..(1 << 27)).contains(&pcrel) {
                return Err(out_of_range());
            }
            let insn = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            let insn = (insn & 0xfc00_0000) | ((pcrel >> 2) as u32 & 0x03ff_ffff);
            bytes[at..at + 4].copy_from_slice(&insn.to_le_bytes());
        }
        Reloc::RiscvCallPlt => {
            // `auipc ra, hi20; jalr ra, lo12(ra)`, lo12 sign-extended.
            if !(-(1i64 << 31)..(1i64 << 31) - 0x800).contains(&pcrel) {
                return Err(out_of_range());
            }
            let hi20 = (pcrel + 0x800) & !0xfff;
            let lo12 = pcrel - hi20;
            let auipc = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            let jalr = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
            let auipc = (auipc & 0xfff) | (hi20 as u32 & 0xffff_f000);
            let jalr = (jalr & 0x000f_ffff) | ((lo12 as u32 & 0xfff) << 20);
            bytes[at..at + 4].copy_from_slice(&auipc.to_le_bytes());
            bytes[at + 4..at + 8].copy_from_slice(&jalr.to_le_bytes());
        }
        other => return Err(format!("unsupported relocation {other:?}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `kind` to `insns` as if they ran at `pc` and called `pc + pcrel`.
    fn patched(kind: Reloc, insns: &[u32], pcrel: i64) -> Result<Vec<u32>, String> {
        let mut bytes: Vec<u8> = insns.iter().flat_map(|i| i.to_le_bytes()).collect();
        let pc = 0x4000_0000usize;
        apply(&mut bytes, 0, pc, kind, pc as i64 + pcrel)?;
        Ok(bytes
            .chunks(4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
            .collect())
    }

    // The encodings are checked on every host, though only AArch64 and RISC-V hosts
    // emit them: a wrong one shows there only as a call to a wrong address.

    #[test]
    fn arm64_call_encodes_the_word_offset() {
        const BL: u32 = 0x9400_0000;
        for pcrel in [
            0,
            4,
            -4,
            0x0234_5678,
            -0x0234_5678,
            (1 << 27) - 4,
            -(1 << 27),
        ] {
            let insn = patched(Reloc::Arm64Call, &[BL], pcrel).unwrap()[0];
            assert_eq!(insn & 0xfc00_0000, BL, "{pcrel:#x}");
            let imm26 = ((insn << 6) as i32 >> 6) as i64;
            assert_eq!(imm26 * 4, pcrel, "{pcrel:#x}");
        }
        for pcrel in [1 << 27, -(1 << 27) - 4, 2] {
            assert!(
                patched(Reloc::Arm64Call, &[BL], pcrel).is_err(),
                "{pcrel:#x}"
            );
        }
    }

    #[test]
    fn riscv_call_plt_splits_the_offset_with_a_sign_extended_low_part() {
        // auipc ra, 0; jalr ra, 0(ra)
        const AUIPC: u32 = 0x0000_0097;
        const JALR: u32 = 0x0000_80e7;
        let edges = [0x7ff, 0x800, 0x801, 0xfff, 0x1000, -0x800, -0x801, -0x1000];
        for pcrel in [0, 4, -4, 0x1234_5678, -0x1234_5678, 0x7fff_f7fc, -(1 << 31)]
            .into_iter()
            .chain(edges)
        {
            let insns = patched(Reloc::RiscvCallPlt, &[AUIPC, JALR], pcrel).unwrap();
            assert_eq!(insns[0] & 0xfff, AUIPC, "{pcrel:#x}");
            assert_eq!(insns[1] & 0x000f_ffff, JALR, "{pcrel:#x}");
            let hi = (insns[0] & 0xffff_f000) as i32 as i64;
            let lo = (insns[1] as i32 >> 20) as i64;
            assert_eq!(hi + lo, pcrel, "{pcrel:#x}");
        }
        for pcrel in [1i64 << 31, 0x7fff_f800, -(1i64 << 31) - 1] {
            assert!(
                patched(Reloc::RiscvCallPlt, &[AUIPC, JALR], pcrel).is_err(),
                "{pcrel:#x}"
            );
        }
    }
}
