//! `--tiers`: each workload run start to finish, as a program's user sees it, on wisp's
//! interpreter (lazy), its JIT (eager) and its tiered engine, beside the peers built in.
//!
//! One run: load the module, instantiate, call `run(0)` (the first result), call `run(n)`,
//! with a fresh engine each time. Reported per workload, as medians:
//! - total: load to `run(n)`'s result, wall time;
//! - first result: load to `run(0)`'s result (what eager compilation delays);
//! - compiling: time spent translating or compiling on any thread (the tiered engine's
//!   compile thread included), where the runtime tells;
//! - peak heap: the most heap live during the run (Cranelift's working memory included).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use wisp_benches::runtimes::tier_runtimes;
use wisp_benches::{median, Mode, Runtime, Workload};

use crate::{Options, ALLOC};

/// One contender's medians for one workload.
#[derive(Debug, Default, Clone)]
pub struct TierRow {
    pub total: Duration,
    pub first: Duration,
    pub compile: Option<Duration>,
    pub peak_heap: usize,
}

fn run_once(
    rt: &dyn Runtime,
    mode: Mode,
    w: &Workload,
    wasm: &[u8],
    small: bool,
) -> Result<TierRow, String> {
    let (n, checksum) = w.size(small);
    ALLOC.reset_peak();
    let base = ALLOC.current();
    let start = Instant::now();
    let compiled = rt.compile(wasm, mode)?;
    let mut instance = compiled.instantiate()?;
    instance.run(0)?;
    let first = start.elapsed();
    let got = instance.run(n)?;
    let total = start.elapsed();
    if got != checksum {
        return Err(format!("returned checksum {got}, expected {checksum}"));
    }
    let compile = compiled.compile_time();
    let peak_heap = ALLOC.peak().saturating_sub(base);
    Ok(TierRow {
        total,
        first,
        compile,
        peak_heap,
    })
}

/// The medians of one contender's runs (`runs` is not empty).
fn summarize(runs: &[TierRow]) -> TierRow {
    let pick = |f: fn(&TierRow) -> Duration| {
        let mut v: Vec<Duration> = runs.iter().map(f).collect();
        median(&mut v)
    };
    let total = pick(|r| r.total);
    let first = pick(|r| r.first);
    let compile = runs[0]
        .compile
        .map(|_| pick(|r| r.compile.unwrap_or_default()));
    let mut peaks: Vec<usize> = runs.iter().map(|r| r.peak_heap).collect();
    peaks.sort_unstable();
    TierRow {
        total,
        first,
        compile,
        peak_heap: peaks[peaks.len() / 2],
    }
}

/// Each workload with its row per contender.
pub type Results = Vec<(Workload, Vec<TierRow>)>;

/// Runs the comparison; returns the contenders' names, each workload's rows, and whether
/// every run succeeded.
pub fn run(
    workloads: &[(Workload, Vec<u8>)],
    opts: &Options,
) -> (Vec<&'static str>, Results, bool) {
    let rts = tier_runtimes();
    let names: Vec<&'static str> = rts.iter().map(|(r, _)| r.name()).collect();
    eprintln!(
        "tiers: {}; {} workloads; median of {} runs",
        names.join(", "),
        workloads.len(),
        opts.runs
    );
    let mut ok = true;
    let mut results = Vec::new();
    for (w, wasm) in workloads {
        // Rounds, each in its own order (`round_order`), not one contender after another.
        // One round first is not counted: the process's first use of a runtime (and of
        // heap the allocator has not handed out yet) would otherwise fall on whichever
        // runs first.
        let mut runs: Vec<Option<Vec<TierRow>>> = vec![Some(Vec::new()); rts.len()];
        for round in 0..=opts.runs {
            for i in wisp_benches::round_order(round, rts.len()) {
                let (rt, mode) = &rts[i];
                let runs = &mut runs[i];
                let Some(list) = runs else { continue };
                eprint!("  {:<20} {:<12} {round}\r", w.name, rt.name());
                match run_once(rt.as_ref(), *mode, w, wasm, opts.small) {
                    Ok(row) if round > 0 => list.push(row),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("error: {}: {}: {e}", w.name, rt.name());
                        ok = false;
                        *runs = None;
                    }
                }
            }
        }
        let rows = runs
            .iter()
            .map(|r| match r {
                Some(list) if !list.is_empty() => summarize(list),
                _ => TierRow::default(),
            })
            .collect();
        results.push((w.clone(), rows));
    }
    eprintln!();
    (names, results, ok)
}

const INTERP: usize = 0;
const JIT: usize = 1;
const TIERED: usize = 2;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The tables: one per measure, and for totals the ratios the targets are stated in.
pub fn report(names: &[&str], results: &[(Workload, Vec<TierRow>)]) -> String {
    let mut out = String::new();
    type Get = fn(&TierRow) -> Option<f64>;
    let measures: [(&str, Get, &str); 4] = [
        ("total wall time", |r| Some(ms(r.total)), "ms"),
        ("time to first result", |r| Some(ms(r.first)), "ms"),
        ("time spent compiling", |r| r.compile.map(ms), "ms"),
        ("peak heap", |r| Some(r.peak_heap as f64 / 1024.0), "KiB"),
    ];
    for (i, (title, get, unit)) in measures.iter().enumerate() {
        let _ = writeln!(out, "\n## tiers: {title} ({unit})\n");
        let _ = write!(out, "| workload | {} |", names.join(" | "));
        let ratios = i == 0;
        if ratios {
            let _ = write!(
                out,
                " tiered / min(interp, jit) | tiered / jit |{}",
                if names.len() > 3 {
                    " tiered / best peer |"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(out);
        let cols = names.len()
            + if ratios {
                2 + usize::from(names.len() > 3)
            } else {
                0
            };
        let _ = writeln!(out, "|---|{}", "---:|".repeat(cols));
        for (w, rows) in results {
            let _ = write!(out, "| {} |", w.name);
            for r in rows {
                match get(r) {
                    Some(v) => {
                        let _ = write!(out, " {v:.2} |");
                    }
                    None => {
                        let _ = write!(out, " – |");
                    }
                }
            }
            if ratios {
                let t = ms(rows[TIERED].total);
                let best_own = ms(rows[INTERP].total).min(ms(rows[JIT].total));
                let _ = write!(
                    out,
                    " {:.2} | {:.2} |",
                    t / best_own,
                    t / ms(rows[JIT].total)
                );
                if names.len() > 3 {
                    let best_peer = rows[3..]
                        .iter()
                        .map(|r| ms(r.total))
                        .fold(f64::INFINITY, f64::min);
                    let _ = write!(out, " {:.2} |", t / best_peer);
                }
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// A horizontal bar chart of each workload's total wall time on the interpreter, the JIT
/// and the tiered engine, on a log scale, as an SVG document.
pub fn svg(results: &[(Workload, Vec<TierRow>)]) -> String {
    let series = [INTERP, JIT, TIERED];
    crate::chart::svg(&crate::chart::Chart {
        title: "Total wall time per workload (ms, log scale): load, instantiate, run",
        series: &[
            ("interpreter (lazy)", "#7f8c8d"),
            ("JIT (eager)", "#2980b9"),
            ("tiered", "#e67e22"),
        ],
        groups: results
            .iter()
            .map(|(w, rows)| {
                let values = series.iter().map(|&i| Some(ms(rows[i].total))).collect();
                (w.name.as_str(), values)
            })
            .collect(),
        origin: None,
    })
}
