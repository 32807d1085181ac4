//! `wisp run`: load, link with WASI, and run `_start` or an `--invoke`d export.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wisp::wasi::{Ending, I32Exit, WasiCtx, WasiThreads};
use wisp::{Config, Engine, Error, Func, Linker, Module, Store, Trap, TrapCode, Val, ValType};

use crate::args::{RunOptions, Tier, EXIT_TIMEOUT, EXIT_TRAP, EXIT_USAGE};
use crate::{load, Failure};

/// Runs the guest and returns the process exit status.
pub fn run(opts: RunOptions) -> Result<u8, Failure> {
    let mut config = Config::default();
    config.consume_fuel(opts.fuel.is_some());
    // wasi-threads ends a program's other threads by interrupting their stores.
    config.interruptible(opts.timeout.is_some() || opts.wasi_threads);
    if let Some(bytes) = opts.max_memory {
        config.max_memory_bytes(bytes);
    }
    if let Some(depth) = opts.max_stack {
        config.max_call_depth(depth);
    }
    for &(setter, enable) in &opts.proposals {
        setter(&mut config, enable);
    }
    let engine = engine(&config, opts.tier)?;

    let started = Instant::now();
    let bytes = load::read_module(&opts.file)?;
    let module = Module::new(&engine, &bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", opts.file.display())))?;
    let loaded = started.elapsed();

    let timed_out = Arc::new(AtomicBool::new(false));
    let mut ctx = crate::wasi::context(&opts, timed_out.clone())?;
    if opts.wasi_threads {
        ctx = ctx.into_shared();
    }
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = opts.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| Failure::usage(e.to_string()))?;
    }
    let mut linker = Linker::<WasiCtx>::new(&engine);
    wisp::wasi::add_to_linker(&mut linker).map_err(|e| Failure::usage(e.to_string()))?;
    let threads = if opts.wasi_threads {
        Some(
            wasi_threads(&engine, &module, &opts, &mut linker, &mut store)
                .map_err(|e| Failure::usage(format!("{}: {e}", opts.file.display())))?,
        )
    } else {
        None
    };

    let started = Instant::now();
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(Error::Trap(trap)) => {
            let what = describe_trap(&trap, &store, None);
            return Ok(report_trap(&trap, &what, &opts));
        }
        Err(e) => {
            let hint = if !opts.wasi_threads && imports_shared_memory(&module) {
                " (the module imports a shared memory: it is built for wasi-threads; run it \
                 with -S threads)"
            } else {
                ""
            };
            return Err(Failure::usage(format!(
                "{}: {e}{hint}",
                opts.file.display()
            )));
        }
    };
    let instantiated = started.elapsed();
    if let Some(threads) = &threads {
        threads.ready(&linker, &store);
    }

    if let Some(timeout) = opts.timeout {
        let handle = store.interrupt_handle();
        let flag = timed_out.clone();
        let threads = threads.clone();
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            flag.store(true, Ordering::Relaxed);
            handle.interrupt();
            if let Some(threads) = threads {
                threads.end();
            }
        });
    }

    let started = Instant::now();
    let outcome = match &opts.invoke {
        Some(name) => invoke(&mut store, instance, name, &opts),
        None => run_default(&mut store, instance).unwrap_or_else(|| {
            Err(Error::NotFound(format!(
                "{}: no `_start` function (use --invoke NAME to call an export)",
                opts.file.display()
            )))
        }),
    };
    let ran = started.elapsed();
    // The program is over when its main thread is: stop the others. If one of them ended
    // it (an exit or a trap, which interrupted the main thread), that is the outcome.
    let outcome = match threads.as_ref() {
        Some(threads) => {
            threads.end();
            let ended = threads.ending();
            match (outcome, ended) {
                (Err(Error::Trap(trap)), Some(ending))
                    if trap.code() == Some(TrapCode::Interrupted)
                        && !timed_out.load(Ordering::Relaxed) =>
                {
                    match ending {
                        Ending::Exit(status) => Err(Error::Trap(Trap::host(I32Exit(status)))),
                        Ending::Trap(e) => Err(e),
                    }
                }
                (outcome, _) => outcome,
            }
        }
        None => outcome,
    };

    let status = match outcome {
        Ok(results) => {
            for r in &results {
                println!("{}", show(r));
            }
            0
        }
        Err(Error::Trap(trap)) => {
            if let Some(exit) = trap.downcast_ref::<I32Exit>() {
                // Only the low 8 bits reach the parent process, as with a native exit.
                exit.0 as u8
            } else if trap.code() == Some(TrapCode::Interrupted)
                && timed_out.load(std::sync::atomic::Ordering::Relaxed)
            {
                eprintln!(
                    "error: timed out after {}",
                    fmt_duration(opts.timeout.unwrap_or_default())
                );
                EXIT_TIMEOUT
            } else {
                let what = describe_trap(&trap, &store, Some(instance));
                report_trap(&trap, &what, &opts)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    };
    if opts.tier_stats {
        print_tier_stats(&module);
    }
    if opts.stats {
        print_stats(
            &module,
            &store,
            &opts,
            [loaded, instantiated, ran],
            bytes.len(),
        );
    }
    Ok(status)
}

/// Calls export `name` with the guest arguments parsed by its parameter types.
fn invoke(
    store: &mut Store<WasiCtx>,
    instance: wisp::Instance,
    name: &str,
    opts: &RunOptions,
) -> wisp::Result<Vec<Val>> {
    let func: Func = instance
        .get_func(&*store, name)
        .ok_or_else(|| Error::NotFound(format!("no exported function `{name}`")))?;
    let ty = func.ty(&*store)?;
    if ty.params().len() != opts.args.len() {
        return Err(Error::TypeMismatch(format!(
            "`{name}` is {ty}: it takes {} arguments, {} given",
            ty.params().len(),
            opts.args.len()
        )));
    }
    let params = ty
        .params()
        .iter()
        .zip(&opts.args)
        .map(|(t, text)| parse_val(*t, text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::TypeMismatch)?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    func.call(&mut *store, &params, &mut results)?;
    Ok(results)
}

/// Parses a command-line value as `ty`. Integers may be given signed or unsigned, in
/// decimal or in hexadecimal after `0x`; a `v128` is one 128-bit integer, lane 0 in its low
/// bits (the form results print in, as wasmtime prints them).
fn parse_val(ty: ValType, text: &str) -> Result<Val, String> {
    let bad = || format!("`{text}` is not a valid {ty}");
    Ok(match ty {
        ValType::I32 => Val::I32(parse_int(text, 32).ok_or_else(bad)? as i32),
        ValType::I64 => Val::I64(parse_int(text, 64).ok_or_else(bad)? as i64),
        ValType::V128 => Val::from(parse_int(text, 128).ok_or_else(bad)?),
        ValType::F32 => Val::from(text.parse::<f32>().map_err(|_| bad())?),
        ValType::F64 => Val::from(text.parse::<f64>().map_err(|_| bad())?),
        other => return Err(format!("cannot pass a {other} from the command line")),
    })
}

/// An integer of `bits` bits (at most 128) as its two's-complement bits: an optional sign,
/// then decimal digits or `0x`/`0X` and hexadecimal ones. Out of range (below
/// -2^(bits-1) or above 2^bits - 1) is `None`.
fn parse_int(text: &str, bits: u32) -> Option<u128> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, rest),
    };
    // `from_str_radix` takes a sign of its own: one was taken off already.
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let max = u128::MAX >> (128 - bits);
    if negative {
        // Down to -2^(bits-1).
        (magnitude <= (max >> 1) + 1).then(|| magnitude.wrapping_neg() & max)
    } else {
        (magnitude <= max).then_some(magnitude)
    }
}

/// One result, printed the way `wasmtime run --invoke` prints it.
fn show(v: &Val) -> String {
    match *v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(bits) => f32::from_bits(bits).to_string(),
        Val::F64(bits) => f64::from_bits(bits).to_string(),
        Val::V128(x) => x.as_u128().to_string(),
        Val::FuncRef(None) => "<null funcref>".into(),
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::ExternRef(None) => "<null externref>".into(),
        Val::ExternRef(Some(_)) => "<externref>".into(),
        Val::ExnRef(None) => "<null exnref>".into(),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
    }
}

/// What went wrong, for `report_trap`: `wasm trap: ...`, or for an exception that
/// nothing caught, its tag (named as the module names it, when `instance` is the module's
/// instance) and values.
fn describe_trap<T>(trap: &Trap, store: &Store<T>, instance: Option<wisp::Instance>) -> String {
    let Some(exn) = trap.exception() else {
        return format!("wasm trap: {trap}");
    };
    let mut msg = String::from("uncaught wasm exception");
    if let Ok(tag) = exn.tag(store) {
        let index = instance.and_then(|i| Some((i, i.tag_index(store, &tag)?)));
        match index.and_then(|(i, t)| Some((i.module(store).ok()?, t))) {
            Some((module, t)) => {
                let _ = write!(msg, " of tag {}", tag_label(module.inner(), t));
            }
            None => msg.push_str(" of a host tag"),
        }
    }
    if let Ok(fields) = exn.fields(store) {
        if !fields.is_empty() {
            let values: Vec<String> = fields
                .iter()
                .map(|v| format!("{} {}", v.ty(), show(v)))
                .collect();
            let _ = write!(msg, " with ({})", values.join(", "));
        }
    }
    msg
}

/// Tag `index` of `module` as the module names it: its name-section name, its export, its
/// import, or its index.
fn tag_label(module: &wisp::module::ModuleInner, index: u32) -> String {
    let mut label = match module.tag_names.get(&index) {
        Some(name) => format!("${name}"),
        None => format!("{index}"),
    };
    if let Some(export) = module
        .exports
        .iter()
        .find(|e| e.index == wisp::module::ExternIndex::Tag(index))
    {
        let _ = write!(label, " (export \"{}\")", export.name);
    } else if let Some(import) = module
        .imports
        .iter()
        .filter(|i| matches!(i.kind, wisp::module::ImportKind::Tag(_)))
        .nth(index as usize)
    {
        let _ = write!(label, " (import \"{}\" \"{}\")", import.module, import.name);
    }
    label
}

/// Prints `error:` with what went wrong (`describe_trap`) and the wasm backtrace (unless
/// `-q`); returns the trap exit status.
fn report_trap(trap: &Trap, what: &str, opts: &RunOptions) -> u8 {
    if opts.quiet {
        return EXIT_TRAP;
    }
    let mut msg = format!("error: {}: {what}", opts.file.display());
    if !trap.backtrace().is_empty() {
        msg.push_str("\nwasm backtrace:");
        for (i, frame) in trap.backtrace().iter().enumerate() {
            let _ = match frame.func_name.as_deref() {
                // `{:#}` leaves out the hash suffix of Rust symbols.
                Some(name) => write!(
                    msg,
                    "\n  {i:>3}: {:#} (function {})",
                    rustc_demangle::demangle(name),
                    frame.func_index
                ),
                None => write!(msg, "\n  {i:>3}: <unnamed> (function {})", frame.func_index),
            };
        }
    }
    eprintln!("{msg}");
    EXIT_TRAP
}

/// An engine running wasm on `tier` (the build's default if `None`), if this build has it.
fn engine(config: &Config, tier: Option<Tier>) -> Result<Engine, Failure> {
    match tier {
        None => Ok(Engine::new(config)),
        Some(tier) => Engine::with_tier(config, tier).map_err(|e| {
            let name = format!("{tier:?}").to_lowercase();
            Failure::usage(format!("--tier {name}: {e}"))
        }),
    }
}

/// The tier `module`'s engine runs.
fn engine_tier(module: &Module) -> Tier {
    module.engine().config().get_tier().unwrap_or(Tier::Interp)
}

/// `--tier-stats`: what tier-up did, per function that ran.
fn print_tier_stats(module: &Module) {
    #[cfg(wisp_jit)]
    if let Some(stats) = wisp::jit::tier_stats(module) {
        let mut out = String::from(
            "wisp tier stats:\n      func      calls      loops  tiered up at     compile    osr\n",
        );
        let (mut tiered, mut compile, mut osr) = (0, Duration::ZERO, 0);
        for f in stats
            .iter()
            .filter(|f| f.interpreted_calls > 0 || f.tiered_up_at.is_some() || f.failure.is_some())
        {
            let at = f.tiered_up_at.map_or("-".into(), fmt_duration);
            let _ = write!(
                out,
                "  {:>8} {:>10} {:>10} {:>13} {:>11} {:>6}",
                f.func,
                f.interpreted_calls,
                f.interpreted_loops,
                at,
                fmt_duration(f.compile_time),
                f.osr_entries
            );
            if let Some(name) = module.inner().func_names.get(&f.func) {
                let _ = write!(out, "  {}", rustc_demangle::demangle(name));
            }
            if let Some(failure) = &f.failure {
                let _ = write!(out, "  (compile failed: {failure})");
            }
            out.push('\n');
            tiered += usize::from(f.tiered_up_at.is_some());
            compile += f.compile_time;
            osr += f.osr_entries;
        }
        let _ = writeln!(
            out,
            "  {tiered} of {} functions tiered up; {} compiling; {osr} on-stack replacements",
            stats.len(),
            fmt_duration(compile)
        );
        eprint!("{out}");
        return;
    }
    let tier = format!("{:?}", engine_tier(module)).to_lowercase();
    eprintln!("wisp tier stats: none (the engine runs the {tier} tier, which does not tier up)");
}

fn fmt_duration(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{:.3} s", d.as_secs_f64())
    } else {
        format!("{:.3} ms", d.as_secs_f64() * 1e3)
    }
}

fn print_stats(
    module: &Module,
    store: &Store<WasiCtx>,
    opts: &RunOptions,
    [load, inst, run]: [Duration; 3],
    size: usize,
) {
    let mut out = String::from("wisp stats:\n");
    let _ = writeln!(
        out,
        "  load (decode + validate) {:>12}   {size} bytes",
        fmt_duration(load)
    );
    let _ = writeln!(out, "  instantiate              {:>12}", fmt_duration(inst));
    match engine_tier(module) {
        #[cfg(wisp_jit)]
        Tier::Jit => {
            // The module is compiled whole on its first call (inside instantiate when it
            // has a start function, else inside run).
            let c = wisp::jit::compile_stats(module).unwrap_or_default();
            let _ = writeln!(
                out,
                "  compile (jit)            {:>12}   {} functions, {} wasm bytes -> {} native code bytes",
                fmt_duration(Duration::from_nanos(c.nanos)),
                c.functions,
                c.wasm_bytes,
                c.code_bytes
            );
        }
        _ => {
            let t = wisp::interp::translation_stats(module);
            let _ = writeln!(
                out,
                "  translate                {:>12}   {} functions, {} wasm bytes -> {} bytecode bytes (lazily, inside run)",
                fmt_duration(Duration::from_nanos(t.nanos.unwrap_or(0))),
                t.functions,
                t.wasm_bytes,
                t.bytecode_bytes
            );
        }
    }
    let _ = writeln!(out, "  run                      {:>12}", fmt_duration(run));
    if let Some(fuel) = opts.fuel {
        let left = store.get_fuel().unwrap_or(0);
        let _ = writeln!(out, "  fuel consumed            {:>12}", fuel - left);
    }
    let _ = writeln!(
        out,
        "  peak heap                {:>9} KiB",
        crate::ALLOC.peak().div_ceil(1024)
    );
    eprint!("{out}");
}

/// wasi-threads for the run (`-S threads`): the module's shared memory, `thread-spawn`,
/// and each new thread's store (a handle to the shared WASI context, the same fuel).
fn wasi_threads(
    engine: &Engine,
    module: &Module,
    opts: &RunOptions,
    linker: &mut Linker<WasiCtx>,
    store: &mut Store<WasiCtx>,
) -> Result<WasiThreads<WasiCtx>, Error> {
    let fuel = opts.fuel;
    let thread_engine = engine.clone();
    let threads = WasiThreads::new(engine, module, move |ctx: &WasiCtx| {
        // The main store's context is shared (`into_shared`), and so is every handle made
        // from it.
        let mut store = Store::new(&thread_engine, ctx.share()?);
        if let Some(fuel) = fuel {
            // The engine consumes fuel exactly when `--fuel` was given.
            store.set_fuel(fuel).ok()?;
        }
        Some(store)
    })?;
    if let Some(max) = opts.max_threads {
        threads.max_threads(max);
    }
    threads.add_to_linker(linker, store)?;
    Ok(threads)
}

/// Whether `module` imports a shared memory (it was built for wasi-threads).
fn imports_shared_memory(module: &Module) -> bool {
    module
        .imports()
        .any(|(_, _, ty)| matches!(ty, wisp::ExternType::Memory(m) if m.shared))
}

/// Runs the module's default function as `wasmtime run` does: the export named `""` if
/// there is one, else `_start`; a reactor (no `_start`) gets its `_initialize` called
/// first. `None` if there is no default function.
fn run_default(
    store: &mut Store<WasiCtx>,
    instance: wisp::Instance,
) -> Option<Result<Vec<Val>, Error>> {
    let entry = ["", "_start"]
        .into_iter()
        .find_map(|name| instance.get_typed_func::<(), ()>(&*store, name).ok())?;
    let reactor = instance.get_func(&*store, "_start").is_none();
    let init = instance
        .get_typed_func::<(), ()>(&*store, "_initialize")
        .ok()
        .filter(|_| reactor);
    Some(
        init.map_or(Ok(()), |init| init.call(&mut *store, ()))
            .and_then(|()| entry.call(&mut *store, ()))
            .map(|()| Vec::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_int;

    #[test]
    fn integers_parse_signed_or_unsigned_in_decimal_or_hex() {
        assert_eq!(parse_int("5", 32), Some(5));
        assert_eq!(parse_int("-1", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("4294967295", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("4294967296", 32), None);
        assert_eq!(parse_int("-2147483648", 32), Some(0x8000_0000));
        assert_eq!(parse_int("-2147483649", 32), None);
        assert_eq!(parse_int("0x10", 32), Some(16));
        assert_eq!(parse_int("+5", 32), Some(5));
        assert_eq!(parse_int("+0x5", 32), Some(5));
        assert_eq!(parse_int("0XfFfFfFfF", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("-0x1", 64), Some(u128::from(u64::MAX)));
        assert_eq!(parse_int(&u128::MAX.to_string(), 128), Some(u128::MAX));
        assert_eq!(
            parse_int("340282366920938463463374607431768211456", 128),
            None
        );
        assert_eq!(
            parse_int(&format!("0x{}", "f".repeat(32)), 128),
            Some(u128::MAX)
        );
        assert_eq!(parse_int(&format!("0x1{}", "0".repeat(32)), 128), None);
        assert_eq!(parse_int("-1", 128), Some(u128::MAX));
        assert_eq!(parse_int(&i128::MIN.to_string(), 128), Some(1 << 127));
        assert_eq!(
            parse_int("-170141183460469231731687303715884105729", 128),
            None
        );
        for bad in [
            "", "-", "0x", "++5", "+-5", "--1", "0x+1", "0x-1", "-+1", "1.0", "abc", " 1",
        ] {
            assert_eq!(parse_int(bad, 128), None, "{bad:?}");
        }
    }
}
