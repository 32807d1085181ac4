//! jsonq: a small real program built from published crates (serde_json, regex).
//!
//! ```text
//! jsonq FILE|- [POINTER [REGEX]]   read JSON from FILE (in a preopen) or stdin
//! jsonq gen N SEED [REGEX]         generate N pseudo-random records, then the same
//! ```
//!
//! It parses the document, selects the value at the JSON pointer (default: the whole
//! document), and prints a stable summary: counts of each JSON type and the maximum depth,
//! integer and float sums, every string under the selection that the regex matches (tallied
//! by capture group 1 if the regex has one, else by the whole match), and FNV-1a checksums
//! of the input and of the canonical re-serialisation (object keys sorted). `gen` builds
//! the document itself, serialises it, parses that back and checks the round trip first,
//! a CPU-heavy but deterministic workload that needs no files.
//!
//! Exit status: 0 on success, 1 for invalid input or a failed check, 2 for bad usage.

use regex::Regex;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

const DEFAULT_REGEX: &str = r"^[^@\s]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$";

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[derive(Default)]
struct Stats {
    objects: u64,
    arrays: u64,
    strings: u64,
    numbers: u64,
    bools: u64,
    nulls: u64,
    max_depth: usize,
    int_sum: i128,
    float_sum: f64,
    string_bytes: u64,
    matched: u64,
    tally: BTreeMap<String, u64>,
}

impl Stats {
    fn walk(&mut self, v: &Value, depth: usize, re: &Regex) {
        self.max_depth = self.max_depth.max(depth);
        match v {
            Value::Null => self.nulls += 1,
            Value::Bool(_) => self.bools += 1,
            Value::Number(n) => {
                self.numbers += 1;
                if let Some(i) = n.as_i64() {
                    self.int_sum += i128::from(i);
                } else if let Some(u) = n.as_u64() {
                    self.int_sum += i128::from(u);
                } else if let Some(f) = n.as_f64() {
                    self.float_sum += f;
                }
            }
            Value::String(s) => {
                self.strings += 1;
                self.string_bytes += s.len() as u64;
                if let Some(c) = re.captures(s) {
                    self.matched += 1;
                    let key = c.get(1).or_else(|| c.get(0)).map_or("", |m| m.as_str());
                    *self.tally.entry(key.to_owned()).or_default() += 1;
                }
            }
            Value::Array(items) => {
                self.arrays += 1;
                for item in items {
                    self.walk(item, depth + 1, re);
                }
            }
            // serde_json's Map is a BTreeMap (no preserve_order): keys in sorted order.
            Value::Object(map) => {
                self.objects += 1;
                for item in map.values() {
                    self.walk(item, depth + 1, re);
                }
            }
        }
    }
}

/// xorshift64*: deterministic across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn generate(n: u64, seed: u64) -> Value {
    const FIRST: &[&str] = &[
        "ada", "alan", "grace", "edsger", "barbara", "donald", "frances", "ken", "dennis", "radia",
        "tony", "leslie",
    ];
    const DOMAINS: &[&str] = &[
        "example.org",
        "mail.example.com",
        "wisp.dev",
        "uni.example.edu",
        "lists.example.net",
    ];
    const WORDS: &[&str] = &[
        "wasm",
        "runtime",
        "sandbox",
        "json",
        "regex",
        "interp",
        "jit",
        "wasi",
        "clock",
        "file",
        "ünïcödé",
        "日本語",
    ];
    let mut rng = Rng(seed.max(1));
    let records: Vec<Value> = (0..n)
        .map(|i| {
            let name = rng.pick(FIRST);
            let tags: Vec<&str> = (0..rng.below(4)).map(|_| rng.pick(WORDS)).collect();
            let email = if rng.below(10) == 0 {
                Value::Null
            } else {
                Value::String(format!("{name}.{}@{}", rng.below(1000), rng.pick(DOMAINS)))
            };
            json!({
                "id": i,
                "name": format!("{name}-{}", rng.below(100_000)),
                "email": email,
                "active": rng.below(2) == 1,
                "score": (rng.below(1_000_000) as f64) / 1000.0,
                "delta": rng.below(2001) as i64 - 1000,
                "tags": tags,
                "note": format!("line one\nline \"two\" \\ {}\t{}", rng.pick(WORDS), rng.below(7)),
            })
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("generator".into(), json!({ "seed": seed, "count": n }));
    doc.insert("records".into(), Value::Array(records));
    Value::Object(doc)
}

fn usage() -> ExitCode {
    eprintln!("usage: jsonq FILE|- [POINTER [REGEX]]\n       jsonq gen N SEED [REGEX]");
    ExitCode::from(2)
}

fn run(args: &[String]) -> Result<(), String> {
    let (text, pointer, pattern) = if args[0] == "gen" {
        let n: u64 = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .ok_or("gen: N must be a number")?;
        let seed: u64 = args
            .get(2)
            .and_then(|s| s.parse().ok())
            .ok_or("gen: SEED must be a number")?;
        let doc = generate(n, seed);
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        let back: Value =
            serde_json::from_str(&text).map_err(|e| format!("gen: re-parsing: {e}"))?;
        if back != doc {
            return Err("gen: the document changed in a serialise/parse round trip".into());
        }
        println!("jsonq: generated {n} records from seed {seed}; round trip ok");
        (
            text.into_bytes(),
            "/records".to_owned(),
            args.get(3).cloned(),
        )
    } else {
        let text = if args[0] == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("reading stdin: {e}"))?;
            buf
        } else {
            std::fs::read(&args[0]).map_err(|e| format!("reading {}: {e}", args[0]))?
        };
        (
            text,
            args.get(1).cloned().unwrap_or_default(),
            args.get(2).cloned(),
        )
    };
    let pattern = pattern.unwrap_or_else(|| DEFAULT_REGEX.to_owned());
    let re = Regex::new(&pattern).map_err(|e| format!("bad regex: {e}"))?;

    let doc: Value = serde_json::from_slice(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    println!("input: {} bytes, fnv64 {:016x}", text.len(), fnv(&text));
    let canonical = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
    println!(
        "canonical: {} bytes, fnv64 {:016x}",
        canonical.len(),
        fnv(canonical.as_bytes())
    );
    let sel = doc
        .pointer(&pointer)
        .ok_or_else(|| format!("no value at pointer {pointer:?}"))?;
    let kind = match sel {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    println!("selected {pointer:?}: {kind}");

    let mut st = Stats::default();
    st.walk(sel, 0, &re);
    println!(
        "values: {} objects, {} arrays, {} strings ({} bytes), {} numbers, {} bools, {} nulls; depth {}",
        st.objects, st.arrays, st.strings, st.string_bytes, st.numbers, st.bools, st.nulls, st.max_depth
    );
    println!("sums: integers {}, floats {:.3}", st.int_sum, st.float_sum);
    println!(
        "regex /{pattern}/: {} of {} strings match, {} distinct",
        st.matched,
        st.strings,
        st.tally.len()
    );
    let mut by_count: Vec<(&String, &u64)> = st.tally.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (key, count) in by_count.iter().take(20) {
        println!("  {count:6}  {key}");
    }
    if by_count.len() > 20 {
        println!("  ... {} more", by_count.len() - 20);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.len() > 4 {
        return usage();
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jsonq: {e}");
            ExitCode::FAILURE
        }
    }
}
