//! `--process`: what a user of the command-line tools sees. Two reports:
//!
//! - **whole process**: each workload run as its own process, cold, with the workload's
//!   full (or `--small`) input: `wisp run --tier jit|tiered --invoke run FILE N` against
//!   `wasmtime run -C cache=n --invoke run FILE N`, and, when a wasmi CLI is found,
//!   `wisp run --tier interp` against `wasmi --invoke run FILE N`. Wall time from spawn to
//!   exit, the median of `--runs`; every run's printed result is checked against the
//!   workload's checksum.
//! - **compile**: for each `--compile FILE`, else each `large` workload the filter keeps,
//!   wisp's eager JIT compile (`wisp run --tier jit --stats`: its compile time and native
//!   code bytes, and the whole process's wall time) against `wasmtime compile` (wall time,
//!   and the `.text` bytes of the ELF file it writes); with the harness's `jit` and
//!   `wasmtime` features also both compiles in this process, through the libraries.
//!
//! Every measurement takes rounds: every contender once per round, in an order of its own
//! (`round_order`), after one round that is not counted (it fills the page cache).
//! `RUST_BACKTRACE` is removed from the children's environment (wasmtime captures a
//! backtrace per trap or exception with it).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wisp_benches::sizes::{elf_section_size, wasm_code_section_size};
use wisp_benches::{geomean, median, round_order, Workload};

use crate::Options;

/// The command-line tools: wisp's (built with its `jit` feature), and the peers found.
pub struct Tools {
    pub wisp: PathBuf,
    pub wasmtime: Option<PathBuf>,
    pub wasmi: Option<PathBuf>,
}

/// `--NAME PATH`, else `$VAR`, else `name` on `PATH`.
pub fn find_tool(given: Option<&str>, var: &str, name: &str) -> Result<Option<PathBuf>, String> {
    if let Some(path) = given
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(var).map(PathBuf::from))
    {
        return if path.is_file() {
            Ok(Some(path))
        } else {
            Err(format!("{}: no such file (for {name})", path.display()))
        };
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    Ok(found)
}

/// One command compared: a tool and its arguments before the module and `n`.
struct Contender {
    name: &'static str,
    program: PathBuf,
    args: &'static [&'static str],
}

/// The ratios reported, ours over theirs, where both ran.
const PAIRS: [(&str, &str); 3] = [
    ("wisp jit", "wasmtime"),
    ("wisp tiered", "wasmtime"),
    ("wisp interp", "wasmi"),
];

fn contenders(tools: &Tools) -> Vec<Contender> {
    let wisp = |name, tier| Contender {
        name,
        program: tools.wisp.clone(),
        args: tier,
    };
    let mut list = vec![
        wisp("wisp jit", &["run", "--tier", "jit", "--invoke", "run"]),
        wisp(
            "wisp tiered",
            &["run", "--tier", "tiered", "--invoke", "run"],
        ),
    ];
    if let Some(path) = &tools.wasmtime {
        list.push(Contender {
            name: "wasmtime",
            program: path.clone(),
            args: &["run", "-C", "cache=n", "--invoke", "run"],
        });
    }
    if let Some(path) = &tools.wasmi {
        list.push(wisp(
            "wisp interp",
            &["run", "--tier", "interp", "--invoke", "run"],
        ));
        list.push(Contender {
            name: "wasmi",
            program: path.clone(),
            args: &["--invoke", "run"],
        });
    }
    list
}

/// Spawns `program` and waits for it, its output captured; the wall time from spawn to
/// exit.
fn spawn_timed(program: &Path, args: &[OsString]) -> Result<(Duration, Output), String> {
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    Ok((start.elapsed(), out))
}

fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The process succeeded and its last line of output is `expected`.
fn check(out: &Output, expected: i64) -> Result<(), String> {
    if !out.status.success() {
        return Err(format!("{}: {}", out.status, last_line(&out.stderr)));
    }
    let line = last_line(&out.stdout);
    let token = line.split_whitespace().next().unwrap_or("");
    let got = token
        .parse::<i64>()
        .ok()
        .or_else(|| token.parse::<u64>().ok().map(|u| u as i64));
    if got == Some(expected) {
        Ok(())
    } else {
        Err(format!("printed {line:?}, expected {expected}"))
    }
}

/// One workload's samples per contender (`None`: it failed).
type Samples = Vec<Option<Vec<Duration>>>;

fn measure(cs: &[Contender], w: &Workload, opts: &Options, ok: &mut bool) -> Samples {
    let (n, checksum) = w.size(opts.small);
    let mut samples: Samples = vec![Some(Vec::new()); cs.len()];
    for round in 0..=opts.runs {
        for i in round_order(round, cs.len()) {
            let c = &cs[i];
            let Some(list) = &mut samples[i] else {
                continue;
            };
            eprint!("  {:<20} {:<12} {round}\r", w.name, c.name);
            let mut args: Vec<OsString> = c.args.iter().map(OsString::from).collect();
            args.push(w.path.clone().into());
            args.push(n.to_string().into());
            match spawn_timed(&c.program, &args)
                .and_then(|(t, out)| check(&out, checksum).map(|()| t))
            {
                Ok(t) if round > 0 => list.push(t),
                Ok(_) => {}
                Err(e) => {
                    eprintln!("error: {}: {}: {e}", w.name, c.name);
                    *ok = false;
                    samples[i] = None;
                }
            }
        }
    }
    samples
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Milliseconds to the microsecond, for the JSON file.
fn ms3(d: Duration) -> f64 {
    (ms(d) * 1e3).round() / 1e3
}

/// A contender's median over its samples, if it ran.
fn med(samples: &Option<Vec<Duration>>) -> Option<Duration> {
    samples
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| median(&mut s.clone()))
}

/// Each workload with its samples per contender.
type Results = Vec<(Workload, Samples)>;

/// The pairs of contenders whose ratio is reported: indices into `names`.
fn pairs(names: &[&str]) -> Vec<(usize, usize)> {
    let at = |n: &str| names.iter().position(|m| *m == n);
    PAIRS
        .iter()
        .filter_map(|(a, b)| Some((at(a)?, at(b)?)))
        .collect()
}

fn ratio(rows: &Samples, (a, b): (usize, usize)) -> Option<f64> {
    Some(ms(med(&rows[a])?) / ms(med(&rows[b])?))
}

/// Which geometric mean a workload counts in: the programs and micro workloads, the SIMD
/// ones apart (as in process), and none for `large` (a compile test: the compile report
/// is about it).
fn group(w: &Workload) -> Option<usize> {
    match w.kind.as_str() {
        "large" => None,
        "simd" => Some(1),
        _ => Some(0),
    }
}

fn report(names: &[&str], results: &Results, runs: usize) -> String {
    let pairs = pairs(names);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## whole process: wall time (ms), median of {runs} cold runs\n"
    );
    let _ = write!(out, "| workload | {} |", names.join(" | "));
    for &(a, b) in &pairs {
        let _ = write!(out, " {} / {} |", names[a], names[b]);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "|---|{}", "---:|".repeat(names.len() + pairs.len()));
    let mut ratios = [vec![Vec::new(); pairs.len()], vec![Vec::new(); pairs.len()]];
    let mut worst: Vec<Option<(f64, &str)>> = vec![None; pairs.len()];
    for (w, rows) in results {
        let _ = write!(out, "| {} |", w.name);
        for r in rows {
            match med(r) {
                Some(d) => {
                    let _ = write!(out, " {:.1} |", ms(d));
                }
                None => out.push_str(" – |"),
            }
        }
        for (k, &p) in pairs.iter().enumerate() {
            match ratio(rows, p) {
                Some(r) => {
                    let _ = write!(out, " {r:.2} |");
                    if let Some(g) = group(w) {
                        ratios[g][k].push(r);
                    }
                    if worst[k].is_none_or(|(m, _)| r > m) {
                        worst[k] = Some((r, &w.name));
                    }
                }
                None => out.push_str(" – |"),
            }
        }
        let _ = writeln!(out);
    }
    let labels = ["geomean", "geomean (simd)"];
    for (g, label) in labels.iter().enumerate() {
        if results.iter().any(|(w, _)| group(w) == Some(g)) {
            let _ = write!(out, "| **{label}** |{}", " |".repeat(names.len()));
            for r in &ratios[g] {
                if r.is_empty() {
                    out.push_str(" – |");
                } else {
                    let _ = write!(out, " **{:.2}** |", geomean(r));
                }
            }
            let _ = writeln!(out);
        }
    }
    if !pairs.is_empty() {
        let _ = write!(out, "| **worst** |{}", " |".repeat(names.len()));
        for w in &worst {
            match w {
                Some((r, name)) => {
                    let _ = write!(out, " {name} {r:.2} |");
                }
                None => out.push_str(" – |"),
            }
        }
        let _ = writeln!(out);
        if results.iter().any(|(w, _)| group(w).is_none()) {
            let _ = writeln!(
                out,
                "\n(`large` is left out of the geometric means: a compile test, in the compile report.)"
            );
        }
    }
    out
}

/// The ratios as a bar chart, a group per workload, bars from 1.0; `large` left out, as
/// from the geometric means (its tiered ratio, a fiftieth, would take most of the axis).
fn chart(names: &[&str], results: &Results) -> String {
    const COLORS: [&str; 3] = ["#2980b9", "#e67e22", "#7f8c8d"];
    let pairs = pairs(names);
    let legends: Vec<String> = pairs
        .iter()
        .map(|&(a, b)| format!("{} / {}", names[a], names[b]))
        .collect();
    let series: Vec<(&str, &str)> = legends
        .iter()
        .zip(COLORS)
        .map(|(l, c)| (l.as_str(), c))
        .collect();
    crate::chart::svg(&crate::chart::Chart {
        title: "Whole process wall time, wisp over the peer (log scale; below 1: wisp is faster)",
        series: &series,
        groups: results
            .iter()
            .filter(|(w, _)| group(w).is_some())
            .map(|(w, rows)| {
                let values = pairs.iter().map(|&p| ratio(rows, p)).collect();
                (w.name.as_str(), values)
            })
            .collect(),
        origin: Some(1.0),
    })
}

fn results_json(names: &[&str], results: &Results) -> Value {
    let workloads: Vec<Value> = results
        .iter()
        .map(|(w, rows)| {
            let mut commands = serde_json::Map::new();
            for (name, r) in names.iter().zip(rows) {
                commands.insert(
                    (*name).to_string(),
                    json!({
                        "median_ms": med(r).map(ms3),
                        "samples_ms": r.as_ref().map(|s| s.iter().map(|d| ms3(*d)).collect::<Vec<_>>()),
                    }),
                );
            }
            json!({"workload": w.name, "kind": w.kind, "commands": commands})
        })
        .collect();
    Value::Array(workloads)
}

/// One sample of a compile: wall time (of the process, or of the call in process), the
/// compile time the runtime reports, and the native code bytes.
#[derive(Clone, Copy, Default)]
struct CompileSample {
    wall: Option<Duration>,
    compile: Option<Duration>,
    code_bytes: Option<u64>,
}

/// A compile contender: its name and a function taking one sample.
type CompileRun<'a> = (
    String,
    Box<dyn FnMut() -> Result<CompileSample, String> + 'a>,
);

/// `  compile (jit)   901.180 ms   958 functions, 796415 wasm bytes -> 3857091 native code bytes`
/// in `wisp run --stats`'s output: the compile time and the native code bytes.
fn parse_jit_stats(stderr: &str) -> Option<(Duration, u64)> {
    let line = stderr.lines().find(|l| l.contains("compile (jit)"))?;
    let rest = line.split("compile (jit)").nth(1)?;
    let t: Vec<&str> = rest.split_whitespace().collect();
    let value: f64 = t.first()?.parse().ok()?;
    let secs = match *t.get(1)? {
        "s" => value,
        "ms" => value / 1e3,
        _ => return None,
    };
    let functions: u64 = t.get(2)?.parse().ok()?;
    let code = t.iter().position(|s| *s == "->")?;
    let bytes: u64 = t.get(code + 1)?.parse().ok()?;
    (functions > 0).then(|| (Duration::from_secs_f64(secs), bytes))
}

/// How `wisp run` gets a module compiled: a call of `run(0)` (the workloads' ABI), else
/// the module's default function (`_start`), else a call of the first exported function
/// taking numbers, with zeros. The JIT compiles the whole module on the first call.
fn wisp_invocation(bytes: &[u8]) -> Result<Vec<String>, String> {
    use wisp::{ExternType, ValType};
    let engine = wisp::Engine::with_tier(&wisp::Config::default(), wisp::Tier::Interp)
        .map_err(|e| e.to_string())?;
    let module = wisp::Module::new(&engine, bytes).map_err(|e| e.to_string())?;
    let mut first = None;
    for (name, ty) in module.exports() {
        let ExternType::Func(f) = ty else { continue };
        let numeric = f
            .params()
            .iter()
            .all(|p| matches!(p, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64));
        if name == "_start" && f.params().is_empty() {
            first = first.or(Some(None));
        } else if numeric && (name == "run" || first.is_none()) {
            let mut args = vec!["--invoke".to_string(), name.to_string()];
            args.extend(f.params().iter().map(|_| "0".to_string()));
            if name == "run" {
                return Ok(args);
            }
            first = Some(Some(args));
        }
    }
    match first {
        Some(Some(args)) => Ok(args),
        Some(None) => Ok(Vec::new()),
        None => Err("exports no function `wisp run` can call with numbers".into()),
    }
}

/// The compile contenders for `module`: wisp's CLI, wasmtime's, and the libraries linked
/// into this build.
fn compile_runs<'a>(
    tools: &'a Tools,
    module: &'a Path,
    bytes: &'a [u8],
    cwasm: &'a Path,
) -> Result<Vec<CompileRun<'a>>, String> {
    let mut list: Vec<CompileRun<'a>> = Vec::new();
    let mut args: Vec<OsString> = ["run", "--tier", "jit", "--stats"]
        .iter()
        .map(OsString::from)
        .collect();
    let invoke = wisp_invocation(bytes)?;
    let (call, rest) = invoke.split_at(invoke.len().min(2));
    args.extend(call.iter().map(OsString::from));
    args.push(module.into());
    args.extend(rest.iter().map(OsString::from));
    let label = format!(
        "wisp run --tier jit {}",
        if call.is_empty() {
            "(`_start`)".to_string()
        } else {
            format!("--invoke {}({})", call[1], vec!["0"; rest.len()].join(", "))
        }
    );
    list.push((
        label,
        Box::new(move || {
            let (wall, out) = spawn_timed(&tools.wisp, &args)?;
            let stderr = String::from_utf8_lossy(&out.stderr);
            let (compile, bytes) = parse_jit_stats(&stderr).ok_or_else(|| {
                format!(
                    "{}: no JIT compile in its --stats: {}",
                    out.status,
                    last_line(&out.stderr)
                )
            })?;
            Ok(CompileSample {
                wall: Some(wall),
                compile: Some(compile),
                code_bytes: Some(bytes),
            })
        }),
    ));
    if let Some(wasmtime) = &tools.wasmtime {
        let args: Vec<OsString> = vec![
            "compile".into(),
            "-C".into(),
            "cache=n".into(),
            module.into(),
            "-o".into(),
            cwasm.into(),
        ];
        list.push((
            "wasmtime compile".into(),
            Box::new(move || {
                let (wall, out) = spawn_timed(wasmtime, &args)?;
                if !out.status.success() {
                    return Err(format!("{}: {}", out.status, last_line(&out.stderr)));
                }
                let elf = std::fs::read(cwasm).map_err(|e| format!("{}: {e}", cwasm.display()))?;
                let text = elf_section_size(&elf, ".text")
                    .ok_or_else(|| format!("{}: no .text section", cwasm.display()))?;
                Ok(CompileSample {
                    wall: Some(wall),
                    compile: None,
                    code_bytes: Some(text),
                })
            }),
        ));
    }
    #[cfg(feature = "jit")]
    list.push((
        "wisp-jit, in process (Module::new, eager)".into(),
        Box::new(move || {
            let mut config = wisp::Config::default();
            config.lazy_translation(false);
            let engine =
                wisp::Engine::with_tier(&config, wisp::Tier::Jit).map_err(|e| e.to_string())?;
            let start = Instant::now();
            let module = wisp::Module::new(&engine, bytes).map_err(|e| e.to_string())?;
            let wall = start.elapsed();
            let stats = wisp::jit::compile_stats(&module).ok_or("the JIT did not compile it")?;
            Ok(CompileSample {
                wall: Some(wall),
                compile: Some(Duration::from_nanos(stats.nanos)),
                code_bytes: Some(stats.code_bytes),
            })
        }),
    ));
    #[cfg(feature = "wasmtime")]
    list.push((
        "wasmtime (linked, 1 thread), in process (precompile_module)".into(),
        Box::new(move || {
            let engine =
                wasmtime::Engine::new(&wasmtime::Config::new()).map_err(|e| e.to_string())?;
            let start = Instant::now();
            let elf = engine.precompile_module(bytes).map_err(|e| e.to_string())?;
            let wall = start.elapsed();
            let text = elf_section_size(&elf, ".text").ok_or("no .text section")?;
            Ok(CompileSample {
                wall: Some(wall),
                compile: Some(wall),
                code_bytes: Some(text),
            })
        }),
    ));
    Ok(list)
}

/// One module's compile report: per contender, its name and samples (`None`: it failed).
struct CompileResult {
    name: String,
    wasm_bytes: usize,
    code_section: Option<u64>,
    rows: Vec<(String, Option<Vec<CompileSample>>)>,
}

fn measure_compile(
    tools: &Tools,
    name: &str,
    path: &Path,
    runs: usize,
    ok: &mut bool,
) -> Option<CompileResult> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            *ok = false;
            return None;
        }
    };
    let cwasm = std::env::temp_dir().join(format!("wisp-compare-{}.cwasm", std::process::id()));
    let mut list = match compile_runs(tools, path, &bytes, &cwasm) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            *ok = false;
            return None;
        }
    };
    let mut samples: Vec<Option<Vec<CompileSample>>> = vec![Some(Vec::new()); list.len()];
    for round in 0..=runs {
        for i in round_order(round, list.len()) {
            let (label, run) = &mut list[i];
            let Some(s) = &mut samples[i] else { continue };
            eprint!("  compile {name:<12} {:<24.24} {round}\r", label);
            match run() {
                Ok(sample) if round > 0 => s.push(sample),
                Ok(_) => {}
                Err(e) => {
                    eprintln!("error: compile {name}: {label}: {e}");
                    *ok = false;
                    samples[i] = None;
                }
            }
        }
    }
    let _ = std::fs::remove_file(&cwasm);
    let rows = list.into_iter().map(|(l, _)| l).zip(samples).collect();
    Some(CompileResult {
        name: name.to_string(),
        wasm_bytes: bytes.len(),
        code_section: wasm_code_section_size(&bytes),
        rows,
    })
}

/// The medians of a contender's samples: wall, compile, code bytes.
fn compile_medians(s: &[CompileSample]) -> CompileSample {
    let pick = |f: fn(&CompileSample) -> Option<Duration>| {
        let mut v: Vec<Duration> = s.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| median(&mut v))
    };
    let mut code: Vec<u64> = s.iter().filter_map(|x| x.code_bytes).collect();
    code.sort_unstable();
    CompileSample {
        wall: pick(|x| x.wall),
        compile: pick(|x| x.compile),
        code_bytes: code.get(code.len() / 2).copied(),
    }
}

fn compile_report(results: &[CompileResult], runs: usize) -> String {
    let mut out = String::new();
    for r in results {
        let section = r.code_section.unwrap_or(r.wasm_bytes as u64);
        let _ = writeln!(
            out,
            "\n## compile: {} ({} bytes, code section {} bytes), median of {runs}\n",
            r.name, r.wasm_bytes, section
        );
        let _ = writeln!(
            out,
            "| how | whole process (ms) | compile (ms) | native code bytes | per code-section byte |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        let medians: Vec<Option<CompileSample>> = r
            .rows
            .iter()
            .map(|(_, s)| s.as_deref().filter(|s| !s.is_empty()).map(compile_medians))
            .collect();
        for ((label, _), m) in r.rows.iter().zip(&medians) {
            let m = m.unwrap_or_default();
            let process = label.starts_with("wisp run") || label.starts_with("wasmtime compile");
            let cell = |v: Option<String>| v.unwrap_or_else(|| "–".into());
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {} |",
                cell(m.wall.filter(|_| process).map(|d| format!("{:.1}", ms(d)))),
                cell(m.compile.map(|d| format!("{:.1}", ms(d)))),
                cell(m.code_bytes.map(|b| b.to_string())),
                cell(
                    m.code_bytes
                        .map(|b| format!("{:.2}", b as f64 / section as f64))
                ),
            );
        }
        // wisp's CLI over wasmtime's: whole process and native code.
        let cli = |prefix: &str| {
            r.rows
                .iter()
                .zip(&medians)
                .find(|((label, _), _)| label.starts_with(prefix))
                .and_then(|(_, m)| *m)
        };
        if let (Some(w), Some(t)) = (cli("wisp run"), cli("wasmtime compile")) {
            let div = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) if b > 0.0 => format!("**{:.2}**", a / b),
                _ => "–".into(),
            };
            let _ = writeln!(
                out,
                "| **wisp / wasmtime (CLIs)** | {} | | {} | |",
                div(w.wall.map(ms), t.wall.map(ms)),
                div(
                    w.code_bytes.map(|b| b as f64),
                    t.code_bytes.map(|b| b as f64)
                ),
            );
        }
    }
    out
}

fn compile_json(results: &[CompileResult]) -> Value {
    Value::Array(
        results
            .iter()
            .map(|r| {
                let mut rows = serde_json::Map::new();
                for (label, s) in &r.rows {
                    let m = s.as_deref().filter(|s| !s.is_empty()).map(compile_medians);
                    rows.insert(
                        label.clone(),
                        json!({
                            "wall_ms": m.and_then(|m| m.wall).map(ms3),
                            "compile_ms": m.and_then(|m| m.compile).map(ms3),
                            "native_code_bytes": m.and_then(|m| m.code_bytes),
                        }),
                    );
                }
                json!({
                    "module": r.name,
                    "wasm_bytes": r.wasm_bytes,
                    "code_section_bytes": r.code_section,
                    "contenders": rows,
                })
            })
            .collect(),
    )
}

fn version(program: &Path, flag: &str) -> String {
    Command::new(program)
        .arg(flag)
        .output()
        .map(|o| last_line(&o.stdout))
        .unwrap_or_default()
}

/// `--process`: the reports; returns the exit status.
pub fn run(tools: &Tools, workloads: &[Workload], opts: &Options) -> i32 {
    let mut ok = true;
    let cs = contenders(tools);
    let names: Vec<&str> = cs.iter().map(|c| c.name).collect();
    eprintln!(
        "wisp: {} ({})",
        tools.wisp.display(),
        version(&tools.wisp, "--version")
    );
    for (name, tool, hint) in [
        (
            "wasmtime",
            &tools.wasmtime,
            "--wasmtime PATH or $WASMTIME_CLI",
        ),
        ("wasmi", &tools.wasmi, "--wasmi PATH or $WASMI_CLI"),
    ] {
        match tool {
            Some(p) => eprintln!("{name}: {} ({})", p.display(), version(p, "--version")),
            None => eprintln!("{name}: not found, left out (give {hint})"),
        }
    }
    let mut results: Results = Vec::new();
    if !opts.compile_only {
        eprintln!(
            "whole process: {}; {} workloads; median of {} runs; {} sizes",
            names.join(", "),
            workloads.len(),
            opts.runs,
            if opts.small { "small" } else { "full" }
        );
        for w in workloads {
            let samples = measure(&cs, w, opts, &mut ok);
            results.push((w.clone(), samples));
        }
        eprintln!();
        print!("{}", report(&names, &results, opts.runs));
    }
    // The `--compile` modules, else the `large` workloads the filter keeps.
    let modules: Vec<(String, PathBuf)> = if opts.compile.is_empty() {
        workloads
            .iter()
            .filter(|w| w.kind == "large")
            .map(|w| (w.name.clone(), w.path.clone()))
            .collect()
    } else {
        opts.compile
            .iter()
            .map(|f| {
                let p = PathBuf::from(f);
                let name = p
                    .file_stem()
                    .map_or_else(|| f.clone(), |s| s.to_string_lossy().into_owned());
                (name, p)
            })
            .collect()
    };
    let mut compiled = Vec::new();
    for (name, path) in &modules {
        if let Some(r) = measure_compile(tools, name, path, opts.runs, &mut ok) {
            compiled.push(r);
        }
    }
    if !modules.is_empty() {
        eprintln!();
        print!("{}", compile_report(&compiled, opts.runs));
    }
    if let Some(path) = &opts.svg {
        if results.is_empty() {
            eprintln!("note: no whole-process results, no chart");
        } else if let Err(e) = std::fs::write(path, chart(&names, &results)) {
            eprintln!("error: {path}: {e}");
            ok = false;
        }
    }
    if let Some(path) = &opts.json {
        let doc = json!({
            "runs": opts.runs,
            "small": opts.small,
            "whole_process": results_json(&names, &results),
            "compile": compile_json(&compiled),
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: {path}: {e}");
            ok = false;
        }
    }
    i32::from(!ok)
}

#[cfg(test)]
mod tests {
    use super::parse_jit_stats;
    use std::time::Duration;

    #[test]
    fn reads_wisp_run_stats() {
        let stderr = "wisp stats:\n  load (decode + validate)     1.470 ms   162139 bytes\n  compile (jit)              358.231 ms   191 functions, 130984 wasm bytes -> 549463 native code bytes\n";
        assert_eq!(
            parse_jit_stats(stderr),
            Some((Duration::from_secs_f64(0.358231), 549463))
        );
        let slow = "  compile (jit)                5.101 s   4801 functions, 1 wasm bytes -> 7 native code bytes";
        assert_eq!(
            parse_jit_stats(slow),
            Some((Duration::from_secs_f64(5.101), 7))
        );
        let none = "  compile (jit)                0.000 ms   0 functions, 0 wasm bytes -> 0 native code bytes";
        assert_eq!(parse_jit_stats(none), None);
        assert_eq!(parse_jit_stats("  translate   1.0 ms"), None);
    }
}
