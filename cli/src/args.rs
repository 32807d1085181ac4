//! Command-line parsing. Hand-written: the grammar is small, and a parser crate would cost
//! more build time than this file.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use wisp::Config;
pub use wisp::Tier;

/// A `Config` switch for one proposal.
pub type ProposalSetter = fn(&mut Config, bool) -> &mut Config;

/// The proposals `-W` switches, by wasmtime's names for them.
const PROPOSALS: &[(&str, ProposalSetter)] = &[
    ("simd", Config::wasm_simd),
    ("relaxed-simd", Config::wasm_relaxed_simd),
    ("multi-value", Config::wasm_multi_value),
    ("bulk-memory", Config::wasm_bulk_memory),
    ("reference-types", Config::wasm_reference_types),
    ("multi-memory", Config::wasm_multi_memory),
    ("extended-const", Config::wasm_extended_const),
    ("tail-call", Config::wasm_tail_call),
    ("function-references", Config::wasm_function_references),
    ("exceptions", Config::wasm_exceptions),
    ("legacy-exceptions", Config::wasm_legacy_exceptions),
    ("custom-page-sizes", Config::wasm_custom_page_sizes),
    ("wide-arithmetic", Config::wasm_wide_arithmetic),
    ("memory64", Config::wasm_memory64),
    ("threads", Config::wasm_threads),
];

/// wasmtime's `-W` names of proposals wisp does not implement yet: asking for one is an
/// error that says so (switching one off is allowed, and changes nothing).
const NOT_IMPLEMENTED: &[&str] = &[
    "shared-everything-threads",
    "gc",
    "gc-types",
    "component-model",
    "stack-switching",
];

pub const HELP: &str = "\
wisp — a WebAssembly runtime

USAGE:
    wisp run [OPTIONS] FILE [ARGS...]
    wisp validate FILE
    wisp inspect [--bytecode] FILE
    wisp --help | --version

FILE is a binary module (.wasm) or, with the default `wat` feature, the text format (.wat).

RUN OPTIONS (before FILE; everything after FILE goes to the guest):
    --invoke NAME          call export NAME with ARGS parsed by its parameter types, and
                           print each result on its own line (instead of running _start);
                           integers signed or unsigned, decimal or 0x hexadecimal; a v128
                           as one 128-bit integer, lane 0 in the low bits (as it prints)
    --dir HOST[::GUEST]    give the guest the host directory HOST, seen as GUEST
                           (default: the same path)
    --dir-ro HOST[::GUEST] the same, read-only
    --env KEY=VALUE        set an environment variable for the guest (repeatable)
    --fuel N               run with N units of fuel (one per wasm operator executed)
    --max-memory BYTES     cap every linear memory (suffixes K, M, G: powers of 1024)
    --max-stack DEPTH      most nested wasm calls before a stack-exhausted trap
    --timeout DURATION     interrupt the guest after DURATION (e.g. 500ms, 3s, 2m)
    --tier TIER            interp | jit | tiered | mixed[:SEED] (the last three need
                           the JIT, built in by default on x86_64, aarch64 and riscv64
                           Unix, where the default is tiered; elsewhere, or built
                           without the `jit` feature, interp)
    --tier-stats           with tiered or mixed: print per function its interpreted calls
                           and loop iterations, when it tiered up, its compile time and
                           its on-stack replacements to stderr
    --stats                print load, translation and run times and peak memory to stderr
    -W NAME[=y|n],...      switch WebAssembly proposals on or off, by wasmtime's names:
                           simd, relaxed-simd, multi-value, bulk-memory, reference-types,
                           multi-memory, extended-const, tail-call, function-references,
                           exceptions, legacy-exceptions, memory64, threads (all on
                           by default),
                           custom-page-sizes, wide-arithmetic (off by default)
    -S NAME[=VALUE],...    WASI options, by wasmtime's names: threads (wasi-threads, for
                           programs built for wasm32-wasip1-threads: each thread-spawn
                           runs a new instance on a new OS thread, sharing the memory;
                           --fuel is given to each thread), max-threads=N (the most
                           spawned threads alive at once, default 64)
    -q, --quiet            print no trap or timeout report (the exit status still tells)

EXIT STATUS:
    0        the guest finished (or returned from --invoke)
    N        the guest called proc_exit(N)
    124      --timeout expired
    125      wisp could not run the guest: bad arguments, unreadable file, invalid module,
             failed instantiation (e.g. a missing import)
    134      the guest trapped (an error and a wasm backtrace are printed)
";

pub const EXIT_TIMEOUT: u8 = 124;
pub const EXIT_USAGE: u8 = 125;
pub const EXIT_TRAP: u8 = 134;

#[derive(Debug)]
pub enum Command {
    Run(Box<RunOptions>),
    Validate(PathBuf),
    /// `bytecode`: also print each function's interpreter bytecode.
    Inspect {
        file: PathBuf,
        bytecode: bool,
    },
    Help,
    Version,
}

/// A preopened directory.
#[derive(Debug, Clone)]
pub struct Preopen {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

#[derive(Debug)]
pub struct RunOptions {
    pub file: PathBuf,
    pub args: Vec<String>,
    pub invoke: Option<String>,
    pub dirs: Vec<Preopen>,
    pub env: Vec<(String, String)>,
    pub fuel: Option<u64>,
    pub max_memory: Option<u64>,
    pub max_stack: Option<u32>,
    pub timeout: Option<Duration>,
    /// The tier asked for; `None` for the build's default.
    pub tier: Option<Tier>,
    pub tier_stats: bool,
    pub stats: bool,
    pub quiet: bool,
    /// `-W` switches, in order: each proposal's setter and its value.
    pub proposals: Vec<(ProposalSetter, bool)>,
    /// `-S threads`: wasi-threads.
    pub wasi_threads: bool,
    /// `-S max-threads=N`: the most spawned threads alive at once.
    pub max_threads: Option<u32>,
}

/// wasmtime's `-S` names of WASI options wisp does not have: asking for one is an error
/// that says so.
const WASI_NOT_IMPLEMENTED: &[&str] = &[
    "http",
    "nn",
    "keyvalue",
    "config",
    "tcp",
    "udp",
    "inherit-network",
    "allow-ip-name-lookup",
    "listenfd",
    "tcplisten",
    "preview2",
    "cli-exit-with-code",
];

/// Parses `-S`'s value: `NAME[=VALUE]` items separated by commas.
fn parse_wasi_options(list: &str, opts: &mut RunOptions) -> Result<(), String> {
    for item in list.split(',').filter(|s| !s.is_empty()) {
        let (name, value) = item.split_once('=').unwrap_or((item, "y"));
        let flag = || match value {
            "y" | "yes" | "true" => Ok(true),
            "n" | "no" | "false" => Ok(false),
            _ => Err(format!("`-S {item}`: expected y or n after `=`")),
        };
        match name {
            "threads" => opts.wasi_threads = flag()?,
            "max-threads" => {
                let n = parse_number(value)?;
                opts.max_threads =
                    Some(u32::try_from(n).map_err(|_| format!("`-S {item}`: too many threads"))?);
            }
            // wisp's WASI always offers preview1 (preview0 is not offered).
            "cli" | "common" => {
                flag()?;
            }
            _ if WASI_NOT_IMPLEMENTED.contains(&name) => {
                if flag().unwrap_or(true) {
                    return Err(format!("`-S {name}`: wisp does not implement it"));
                }
            }
            _ => {
                return Err(format!(
                    "`-S {name}`: unknown WASI option (known: threads, max-threads)"
                ))
            }
        }
    }
    Ok(())
}

/// Parses `-W`'s value: `NAME[=y|n]` items separated by commas.
fn parse_proposals(list: &str, into: &mut Vec<(ProposalSetter, bool)>) -> Result<(), String> {
    for item in list.split(',').filter(|s| !s.is_empty()) {
        let (name, value) = item.split_once('=').unwrap_or((item, "y"));
        let enable = match value {
            "y" | "yes" | "true" => true,
            "n" | "no" | "false" => false,
            _ => return Err(format!("`-W {item}`: expected y or n after `=`")),
        };
        match PROPOSALS.iter().find(|(n, _)| *n == name) {
            Some(&(_, setter)) => into.push((setter, enable)),
            None if NOT_IMPLEMENTED.contains(&name) => {
                if enable {
                    return Err(format!(
                        "`-W {name}`: wisp does not implement the {name} proposal yet"
                    ));
                }
            }
            None => {
                let known: Vec<&str> = PROPOSALS.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "`-W {name}`: unknown proposal (known: {})",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// `interp`, `jit`, `tiered`, `mixed` or `mixed:SEED`.
fn parse_tier(s: &str) -> Result<Tier, String> {
    Ok(match s.split_once(':') {
        None if s == "interp" => Tier::Interp,
        None if s == "jit" => Tier::Jit,
        None if s == "tiered" => Tier::Tiered,
        None if s == "mixed" => Tier::Mixed { seed: 0 },
        Some(("mixed", seed)) => Tier::Mixed {
            seed: parse_number(seed)?,
        },
        _ => {
            return Err(format!(
                "unknown tier `{s}`: expected interp, jit, tiered or mixed[:SEED]"
            ))
        }
    })
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter().map(|a| {
        a.into_string()
            .map_err(|a| format!("argument is not valid UTF-8: {}", a.to_string_lossy()))
    });
    let Some(first) = args.next().transpose()? else {
        return Err("no command given (try `wisp --help`)".into());
    };
    match first.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "-V" | "--version" => Ok(Command::Version),
        "run" => parse_run(&mut args).map(|opts| Command::Run(Box::new(opts))),
        "validate" | "inspect" => {
            let mut file = None;
            let mut bytecode = false;
            for arg in args {
                let arg = arg?;
                match arg.as_str() {
                    "--bytecode" if first == "inspect" => bytecode = true,
                    _ if arg.starts_with("--") => return Err(format!("unknown option `{arg}`")),
                    _ if file.is_none() => file = Some(PathBuf::from(arg)),
                    _ => return Err(format!("unexpected argument `{arg}`")),
                }
            }
            let file = file.ok_or(format!("`wisp {first}` needs a FILE"))?;
            Ok(if first == "validate" {
                Command::Validate(file)
            } else {
                Command::Inspect { file, bytecode }
            })
        }
        other => Err(format!("unknown command `{other}` (try `wisp --help`)")),
    }
}

fn parse_run(
    args: &mut impl Iterator<Item = Result<String, String>>,
) -> Result<RunOptions, String> {
    let mut opts = RunOptions {
        file: PathBuf::new(),
        args: Vec::new(),
        invoke: None,
        dirs: Vec::new(),
        env: Vec::new(),
        fuel: None,
        max_memory: None,
        max_stack: None,
        timeout: None,
        tier: None,
        tier_stats: false,
        stats: false,
        quiet: false,
        proposals: Vec::new(),
        wasi_threads: false,
        max_threads: None,
    };
    loop {
        let Some(arg) = args.next().transpose()? else {
            return Err("`wisp run` needs a FILE".into());
        };
        // `--opt=value` and `--opt value` are both accepted.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .transpose()?
                    .ok_or(format!("`{name}` needs {what}")),
            }
        };
        match name.as_str() {
            "--invoke" => opts.invoke = Some(value("a function name")?),
            "--dir" => opts.dirs.push(parse_dir(&value("a directory")?, false)?),
            "--dir-ro" => opts.dirs.push(parse_dir(&value("a directory")?, true)?),
            "--env" => {
                let kv = value("KEY=VALUE")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or(format!("`--env {kv}`: expected KEY=VALUE"))?;
                opts.env.push((k.to_string(), v.to_string()));
            }
            "--fuel" => opts.fuel = Some(parse_number(&value("a number")?)?),
            "--max-memory" => opts.max_memory = Some(parse_bytes(&value("a size in bytes")?)?),
            "--max-stack" => {
                let depth = parse_number(&value("a call depth")?)?;
                opts.max_stack = Some(
                    u32::try_from(depth).map_err(|_| format!("call depth {depth} is too large"))?,
                );
            }
            "--timeout" => opts.timeout = Some(parse_duration(&value("a duration")?)?),
            "--tier" => opts.tier = Some(parse_tier(&value("interp, jit, tiered or mixed")?)?),
            "--tier-stats" => opts.tier_stats = true,
            "--stats" => opts.stats = true,
            "-q" | "--quiet" => opts.quiet = true,
            "-W" => parse_proposals(&value("NAME[=y|n]")?, &mut opts.proposals)?,
            _ if name.starts_with("-W") => parse_proposals(&name[2..], &mut opts.proposals)?,
            "-S" => parse_wasi_options(&value("NAME[=VALUE]")?, &mut opts)?,
            _ if name.starts_with("-S") => parse_wasi_options(&name[2..], &mut opts)?,
            _ if name.starts_with('-') && name != "-" => {
                return Err(format!("unknown option `{name}` (try `wisp --help`)"))
            }
            _ => {
                opts.file = PathBuf::from(arg);
                break;
            }
        }
    }
    opts.args = args.collect::<Result<_, _>>()?;
    Ok(opts)
}

fn parse_dir(spec: &str, read_only: bool) -> Result<Preopen, String> {
    let (host, guest) = match spec.split_once("::") {
        Some((h, g)) => (h, g),
        None => (spec, spec),
    };
    if host.is_empty() || guest.is_empty() {
        return Err(format!("`{spec}`: expected HOST[::GUEST]"));
    }
    Ok(Preopen {
        host: PathBuf::from(host),
        guest: guest.to_string(),
        read_only,
    })
}

fn parse_number(text: &str) -> Result<u64, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))
}

/// `65536`, `64K`, `16M`, `4G` (powers of 1024; `KiB`-style suffixes too).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = parse_number(num)?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{text}`: unknown size unit `{unit}`")),
    };
    num.checked_mul(1 << shift)
        .ok_or(format!("`{text}` is too large"))
}

/// `250ms`, `3s`, `1.5s`, `2m`, `1h`; a bare number is seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration"))?;
    let secs = match unit {
        "ms" => num / 1000.0,
        "" | "s" => num,
        "m" | "min" => num * 60.0,
        "h" => num * 3600.0,
        _ => {
            return Err(format!(
                "`{text}`: unknown duration unit `{unit}` (use ms, s, m or h)"
            ))
        }
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{text}` is not a valid duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<RunOptions, String> {
        match parse(args.iter().map(OsString::from))? {
            Command::Run(r) => Ok(*r),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn options_before_the_file_args_after() {
        let r = run(&[
            "run",
            "--env",
            "A=1",
            "--dir=/tmp::/sandbox",
            "--fuel",
            "1_000",
            "prog.wasm",
            "--env",
            "x",
        ])
        .unwrap();
        assert_eq!(r.file, PathBuf::from("prog.wasm"));
        assert_eq!(r.args, ["--env", "x"]);
        assert_eq!(r.env, [("A".to_string(), "1".to_string())]);
        assert_eq!(r.dirs[0].host, PathBuf::from("/tmp"));
        assert_eq!(r.dirs[0].guest, "/sandbox");
        assert_eq!(r.fuel, Some(1000));
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_bytes("64K").unwrap(), 65536);
        assert_eq!(parse_bytes("2MiB").unwrap(), 2 << 20);
        assert!(parse_bytes("3X").is_err());
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn proposals_switch_by_wasmtime_names() {
        let r = run(&[
            "run",
            "-W",
            "wide-arithmetic,simd=n",
            "-Wtail-call=no",
            "x.wasm",
        ])
        .unwrap();
        let mut config = Config::default();
        for (setter, enable) in r.proposals {
            setter(&mut config, enable);
        }
        let features = config.wasm_features();
        assert!(features.wide_arithmetic());
        assert!(!features.simd() && !features.tail_call());
        assert!(run(&["run", "-W", "gc=n", "x.wasm"]).is_ok());
        let err = run(&["run", "-W", "gc", "x.wasm"]).unwrap_err();
        assert!(err.contains("does not implement"), "{err}");
        assert!(run(&["run", "-W", "frobs", "x.wasm"]).is_err());
        assert!(run(&["run", "-W", "simd=maybe", "x.wasm"]).is_err());
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(run(&["run"]).is_err());
        assert!(run(&["run", "--tier", "fast", "x.wasm"]).is_err());
        assert!(run(&["run", "--bogus", "x.wasm"]).is_err());
        assert!(run(&["run", "--env", "novalue", "x.wasm"]).is_err());
        assert!(parse(["frobnicate"].map(OsString::from)).is_err());
    }
}
