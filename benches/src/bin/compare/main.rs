//! Runs every workload on wisp and on the peer runtimes linked into this build, checks that
//! their checksums agree with the table, and prints medians and ratios:
//!
//!     cargo run --release -p wisp-benches --bin compare -- [--runs N] [--small] [--json FILE] [FILTER...]
//!
//! With the crate's `jit` feature, `--tiers` compares wisp's tiers instead (`tiers.rs`),
//! and `--svg FILE` draws that comparison.
//!
//! `--process` compares the command-line tools instead, a process per run, as their users
//! run them (`process.rs`): `wisp run --tier jit|tiered` against `wasmtime run` on every
//! workload, and a compile report (wisp's JIT against `wasmtime compile`: time, native
//! code bytes) for the `large` workload, or the `--compile FILE`s; `--svg FILE` draws the
//! ratios. The tools: `--wisp PATH` (a wisp CLI built with the `jit` feature),
//! `--wasmtime PATH`, `--wasmi PATH`, else `$WISP_CLI`, `$WASMTIME_CLI`, `$WASMI_CLI`,
//! else `wisp`, `wasmtime`, `wasmi` on `PATH`; a peer not found is left out.
//!
//! Measured separately, like for like:
//! - execute: `run(n)` on a fresh instance of an eagerly compiled module;
//! - compile (eager): decode + validate + translate everything;
//! - compile (lazy): decode + validate, translation left for first calls;
//! - startup: instantiate + the first call `run(0)` on a lazily compiled module (so it
//!   includes translating what that call reaches);
//! - code heap: bytes the eagerly compiled module keeps on the heap, per wasm byte;
//! - peak heap: the most heap live while compiling lazily, instantiating and running `run(n)`.

mod chart;
mod process;
#[cfg(feature = "jit")]
mod tiers;

use std::fmt::Write as _;
use std::time::Duration;

use wisp::peak::PeakAlloc;
use wisp_benches::{
    geomean, load_workloads, median, round_order, runtimes, timed, Compiled, Mode, Runtime,
    Workload,
};

/// Every allocation of the process, counted for the peak-heap figures.
#[global_allocator]
pub static ALLOC: PeakAlloc = PeakAlloc::new();

/// The command line.
pub struct Options {
    /// Timed runs per measurement (`--runs`); the median is reported.
    pub runs: usize,
    /// Each workload's small input (`--small`), for a quick pass.
    pub small: bool,
    json: Option<String>,
    /// Compare wisp's tiers (`tiers.rs`) rather than runtimes.
    tiers: bool,
    svg: Option<String>,
    /// Compare the command-line tools, a process per run (`process.rs`).
    process: bool,
    /// The tools' paths, as given (`--wisp`, `--wasmtime`, `--wasmi`).
    wisp: Option<String>,
    wasmtime: Option<String>,
    wasmi: Option<String>,
    /// The compile report's modules (`--compile FILE`) instead of the `large` workload.
    pub compile: Vec<String>,
    /// The compile report alone (`--compile-only`).
    pub compile_only: bool,
    filter: Vec<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut opts = Options {
        runs: 5,
        small: false,
        json: None,
        tiers: false,
        svg: None,
        process: false,
        wisp: None,
        wasmtime: None,
        wasmi: None,
        compile: Vec::new(),
        compile_only: false,
        filter: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().ok_or("--runs needs a number")?;
                opts.runs = n.parse().map_err(|_| format!("--runs {n}: not a number"))?;
                if opts.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--small" => opts.small = true,
            "--json" => opts.json = Some(args.next().ok_or("--json needs a file")?),
            "--tiers" if cfg!(feature = "jit") => opts.tiers = true,
            "--tiers" => return Err("--tiers needs the crate's `jit` feature".into()),
            "--svg" => opts.svg = Some(args.next().ok_or("--svg needs a file")?),
            "--process" => opts.process = true,
            "--wisp" => opts.wisp = Some(args.next().ok_or("--wisp needs a path")?),
            "--wasmtime" => opts.wasmtime = Some(args.next().ok_or("--wasmtime needs a path")?),
            "--wasmi" => opts.wasmi = Some(args.next().ok_or("--wasmi needs a path")?),
            "--compile" => opts
                .compile
                .push(args.next().ok_or("--compile needs a file")?),
            "--compile-only" => opts.compile_only = true,
            "-h" | "--help" => {
                println!(
                    "usage: compare [--runs N] [--small] [--json FILE] [--tiers [--svg FILE]] [FILTER...]\n       \
                     compare --process [--wisp PATH] [--wasmtime PATH] [--wasmi PATH] [--compile FILE]... \
                     [--compile-only] [--runs N] [--small] [--json FILE] [--svg FILE] [FILTER...]"
                );
                std::process::exit(0);
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => opts.filter.push(arg),
        }
    }
    if opts.process && opts.tiers {
        return Err("--process and --tiers are different comparisons: one at a time".into());
    }
    let process_only = [
        (opts.wisp.is_some(), "--wisp"),
        (opts.wasmtime.is_some(), "--wasmtime"),
        (opts.wasmi.is_some(), "--wasmi"),
        (!opts.compile.is_empty(), "--compile"),
        (opts.compile_only, "--compile-only"),
    ];
    if let Some((_, name)) = process_only.iter().find(|(set, _)| *set && !opts.process) {
        return Err(format!("{name} is an option of --process"));
    }
    Ok(opts)
}

/// One runtime's figures for one workload.
#[derive(Default, Clone)]
struct Row {
    execute: Duration,
    compile_eager: Duration,
    compile_lazy: Duration,
    startup: Duration,
    code_bytes: usize,
    peak_heap: usize,
}

/// A reported measure: its title, how to read it from a row, and its unit.
type Measure = (&'static str, fn(&Row) -> f64, &'static str);

const MEASURES: &[Measure] = &[
    ("execute", |r| r.execute.as_secs_f64() * 1e3, "ms"),
    (
        "compile (eager)",
        |r| r.compile_eager.as_secs_f64() * 1e3,
        "ms",
    ),
    (
        "compile (lazy)",
        |r| r.compile_lazy.as_secs_f64() * 1e3,
        "ms",
    ),
    (
        "startup (instantiate + first call, lazy)",
        |r| r.startup.as_secs_f64() * 1e3,
        "ms",
    ),
    ("code heap (eager)", |r| r.code_bytes as f64 / 1024.0, "KiB"),
    (
        "peak heap (lazy compile + run)",
        |r| r.peak_heap as f64 / 1024.0,
        "KiB",
    ),
];

/// One runtime's measurement of one workload, taken a round at a time (`round`) and
/// summed up by `finish`.
struct Contender<'a> {
    rt: &'a dyn Runtime,
    /// The eagerly compiled module `execute` instantiates afresh each round.
    compiled: Box<dyn Compiled>,
    code_bytes: usize,
    eager: Vec<Duration>,
    lazy: Vec<Duration>,
    exec: Vec<Duration>,
    startup: Vec<Duration>,
}

impl<'a> Contender<'a> {
    fn new(rt: &'a dyn Runtime, wasm: &[u8]) -> Result<Contender<'a>, String> {
        // What an eagerly compiled module keeps.
        let before = ALLOC.current();
        let compiled = rt.compile(wasm, Mode::Eager)?;
        let code_bytes = ALLOC.current().saturating_sub(before);
        Ok(Contender {
            rt,
            compiled,
            code_bytes,
            eager: Vec::new(),
            lazy: Vec::new(),
            exec: Vec::new(),
            startup: Vec::new(),
        })
    }

    /// One sample of each timed measure; kept if `counted`.
    fn round(
        &mut self,
        w: &Workload,
        wasm: &[u8],
        small: bool,
        counted: bool,
    ) -> Result<(), String> {
        let (n, checksum) = w.size(small);
        let rt = self.rt;
        let (c, eager) = timed(|| rt.compile(wasm, Mode::Eager));
        drop(c?);
        let (c, lazy) = timed(|| rt.compile(wasm, Mode::Lazy));
        drop(c?);

        // Execution, on a fresh instance.
        let mut instance = self.compiled.instantiate()?;
        let (got, exec) = timed(|| instance.run(n));
        let got = got?;
        if got != checksum {
            return Err(format!("returned checksum {got}, expected {checksum}"));
        }
        drop(instance);

        // Startup: the first call on a lazily compiled module.
        let module = rt.compile(wasm, Mode::Lazy)?;
        let (r, startup) = timed(|| module.instantiate().and_then(|mut i| i.run(0)));
        r?;

        if counted {
            self.eager.push(eager);
            self.lazy.push(lazy);
            self.exec.push(exec);
            self.startup.push(startup);
        }
        Ok(())
    }

    /// The medians, and the peak heap over a whole lazy run, measured last, alone.
    fn finish(mut self, w: &Workload, wasm: &[u8], small: bool) -> Result<Row, String> {
        drop(self.compiled);
        let (n, _) = w.size(small);
        ALLOC.reset_peak();
        let base = ALLOC.current();
        {
            let lazy = self.rt.compile(wasm, Mode::Lazy)?;
            let mut instance = lazy.instantiate()?;
            instance.run(n)?;
        }
        Ok(Row {
            execute: median(&mut self.exec),
            compile_eager: median(&mut self.eager),
            compile_lazy: median(&mut self.lazy),
            startup: median(&mut self.startup),
            code_bytes: self.code_bytes,
            peak_heap: ALLOC.peak().saturating_sub(base),
        })
    }
}

/// Every runtime's row for workload `w`. The runtimes take turns (`round_order`), one
/// sample of every measure each per round, so that the machine's drift over the
/// measurement falls on all of them alike; one round first is not counted (a runtime's
/// first use in the process). A runtime that fails gets an empty row.
fn measure(
    rts: &[Box<dyn Runtime>],
    w: &Workload,
    wasm: &[u8],
    opts: &Options,
) -> (Vec<Row>, bool) {
    let mut ok = true;
    let mut fail = |rt: &dyn Runtime, e: String| {
        eprintln!("error: {}: {}: {e}", w.name, rt.name());
        ok = false;
    };
    let mut contenders: Vec<Option<Contender>> = rts
        .iter()
        .map(|rt| {
            Contender::new(rt.as_ref(), wasm)
                .map_err(|e| fail(rt.as_ref(), e))
                .ok()
        })
        .collect();
    for round in 0..=opts.runs {
        for i in round_order(round, rts.len()) {
            let Some(c) = &mut contenders[i] else {
                continue;
            };
            eprint!("  {:<20} {:<9} {round}\r", w.name, c.rt.name());
            if let Err(e) = c.round(w, wasm, opts.small, round > 0) {
                fail(c.rt, e);
                contenders[i] = None;
            }
        }
    }
    let rows = contenders
        .into_iter()
        .zip(rts)
        .map(|(c, rt)| match c.map(|c| c.finish(w, wasm, opts.small)) {
            Some(Ok(row)) => row,
            Some(Err(e)) => {
                fail(rt.as_ref(), e);
                Row::default()
            }
            None => Row::default(),
        })
        .collect();
    (rows, ok)
}

fn main() {
    let opts = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if opts.process {
        std::process::exit(compare_processes(&opts));
    }
    let workloads = match load_workloads(&opts.filter) {
        Ok(w) if !w.is_empty() => w,
        Ok(_) => {
            eprintln!("error: no workload matches the filter");
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    #[cfg(feature = "jit")]
    if opts.tiers {
        std::process::exit(compare_tiers(&workloads, &opts));
    }
    let rts = runtimes();
    let names: Vec<&str> = rts.iter().map(|r| r.name()).collect();
    eprintln!(
        "runtimes: {}; {} workloads; median of {} runs; {} sizes",
        names.join(", "),
        workloads.len(),
        opts.runs,
        if opts.small { "small" } else { "full" }
    );

    let mut results: Vec<(Workload, Vec<Row>)> = Vec::new();
    let mut failed = false;
    for w in &workloads {
        let wasm = match w.bytes() {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", w.name);
                failed = true;
                continue;
            }
        };
        let (rows, ok) = measure(&rts, w, &wasm, &opts);
        failed |= !ok;
        results.push((w.clone(), rows));
    }
    eprintln!();
    print!("{}", report(&names, &results));
    if let Some(path) = &opts.json {
        if let Err(e) = std::fs::write(path, json(&names, &results)) {
            eprintln!("error: {path}: {e}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}

/// `--process`: finds the tools, runs the reports; returns the exit status.
fn compare_processes(opts: &Options) -> i32 {
    let found = process::find_tool(opts.wisp.as_deref(), "WISP_CLI", "wisp").and_then(|wisp| {
        Ok(process::Tools {
            wisp: wisp.ok_or("no wisp CLI: give --wisp PATH (or $WISP_CLI)")?,
            wasmtime: process::find_tool(opts.wasmtime.as_deref(), "WASMTIME_CLI", "wasmtime")?,
            wasmi: process::find_tool(opts.wasmi.as_deref(), "WASMI_CLI", "wasmi")?,
        })
    });
    let tools = match found {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let workloads = match load_workloads(&opts.filter) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let nothing = if opts.compile_only {
        opts.compile.is_empty() && !workloads.iter().any(|w| w.kind == "large")
    } else {
        workloads.is_empty()
    };
    if nothing {
        eprintln!("error: nothing to measure: no workload matches the filter");
        return 2;
    }
    process::run(&tools, &workloads, opts)
}

/// `--tiers`: prints the tiers tables and writes the chart; returns the exit status.
#[cfg(feature = "jit")]
fn compare_tiers(workloads: &[Workload], opts: &Options) -> i32 {
    let mut loaded = Vec::new();
    let mut ok = true;
    for w in workloads {
        match w.bytes() {
            Ok(b) => loaded.push((w.clone(), b)),
            Err(e) => {
                eprintln!("{}: {e}", w.name);
                ok = false;
            }
        }
    }
    let (names, results, ran) = tiers::run(&loaded, opts);
    print!("{}", tiers::report(&names, &results));
    if let Some(path) = &opts.svg {
        if let Err(e) = std::fs::write(path, tiers::svg(&results)) {
            eprintln!("error: {path}: {e}");
            ok = false;
        }
    }
    i32::from(!(ok && ran))
}

/// One table per measure: each runtime's median, and wisp's figure over each peer's
/// (below 1.00: wisp is faster or smaller), with their geometric mean; with both JITs in
/// the run, also wisp-jit's over wasmtime's (native code against native code). The SIMD
/// workloads (kind `simd`) get a geometric mean of their own, and the first one is over
/// the others only, so adding them leaves it comparable with earlier runs.
fn report(names: &[&str], results: &[(Workload, Vec<Row>)]) -> String {
    let index = |name: &str| names.iter().position(|n| *n == name);
    // (ours, theirs) column pairs: wisp against every peer, then JIT against JIT.
    let mut pairs: Vec<(usize, usize)> = (1..names.len()).map(|i| (0, i)).collect();
    if let (Some(jit), Some(wasmtime)) = (index("wisp-jit"), index("wasmtime")) {
        pairs.push((jit, wasmtime));
    }
    let mut out = String::new();
    for (title, get, unit) in MEASURES {
        let _ = writeln!(out, "\n## {title} ({unit})\n");
        let _ = write!(out, "| workload | {} |", names.join(" | "));
        for &(a, b) in &pairs {
            let _ = write!(out, " {}/{} |", names[a], names[b]);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "|---|{}", "---:|".repeat(names.len() + pairs.len()));
        // [group][pair]: the other workloads, then the SIMD ones.
        let mut ratios: [Vec<Vec<f64>>; 2] =
            [vec![Vec::new(); pairs.len()], vec![Vec::new(); pairs.len()]];
        for (w, rows) in results {
            let _ = write!(out, "| {} |", w.name);
            for r in rows {
                let _ = write!(out, " {:.2} |", get(r));
            }
            for (k, &(a, b)) in pairs.iter().enumerate() {
                let (ours, theirs) = (get(&rows[a]), get(&rows[b]));
                if ours > 0.0 && theirs > 0.0 {
                    ratios[usize::from(w.is_simd())][k].push(ours / theirs);
                    let _ = write!(out, " {:.2} |", ours / theirs);
                } else {
                    let _ = write!(out, " – |");
                }
            }
            let _ = writeln!(out);
        }
        let simd = results.iter().any(|(w, _)| w.is_simd());
        let plain = results.iter().any(|(w, _)| !w.is_simd());
        for (group, label, present) in [(0, "geomean", plain), (1, "geomean (simd)", simd)] {
            if !present {
                continue;
            }
            let _ = write!(out, "| **{label}** |{}", " |".repeat(names.len()));
            for r in &ratios[group] {
                let _ = write!(out, " **{:.2}** |", geomean(r));
            }
            let _ = writeln!(out);
        }
    }
    out
}

fn json(names: &[&str], results: &[(Workload, Vec<Row>)]) -> String {
    let mut out = String::from("[\n");
    for (i, (w, rows)) in results.iter().enumerate() {
        let _ = write!(
            out,
            "  {{\"workload\": \"{}\", \"kind\": \"{}\", \"runtimes\": {{",
            w.name, w.kind
        );
        for (j, (name, r)) in names.iter().zip(rows).enumerate() {
            let _ = write!(
                out,
                "{}\"{name}\": {{\"execute_ms\": {:.3}, \"compile_eager_ms\": {:.3}, \"compile_lazy_ms\": {:.3}, \"startup_ms\": {:.3}, \"code_bytes\": {}, \"peak_heap_bytes\": {}}}",
                if j > 0 { ", " } else { "" },
                r.execute.as_secs_f64() * 1e3,
                r.compile_eager.as_secs_f64() * 1e3,
                r.compile_lazy.as_secs_f64() * 1e3,
                r.startup.as_secs_f64() * 1e3,
                r.code_bytes,
                r.peak_heap
            );
        }
        let _ = writeln!(out, "}}}}{}", if i + 1 < results.len() { "," } else { "" });
    }
    out.push_str("]\n");
    out
}
