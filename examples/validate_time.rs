//! Load time with wasmparser's validator against wisp's own (the firmware profile):
//! `cargo run --release --example validate_time -- FILE.wasm...` prints, per file, the
//! fastest of 20 `Module::validate` runs with each, and whether they agree.

use std::time::{Duration, Instant};

use wisp::{Config, Engine, Module, Tier};

fn engine(own: bool) -> Engine {
    let mut config = Config::default();
    config.own_validator(own);
    Engine::with_tier(&config, Tier::Interp).expect("the interpreter is always available")
}

/// The fastest of `runs` validations of `bytes`, and the last result.
fn fastest(engine: &Engine, bytes: &[u8], runs: u32) -> (Duration, wisp::Result<()>) {
    let mut best = Duration::MAX;
    let mut result = Ok(());
    for _ in 0..runs {
        let start = Instant::now();
        result = Module::validate(engine, bytes);
        best = best.min(start.elapsed());
    }
    (best, result)
}

fn main() {
    let (theirs, ours) = (engine(false), engine(true));
    println!("| module | bytes | wasmparser (ms) | wisp's own (ms) | own / wasmparser |");
    println!("|---|---:|---:|---:|---:|");
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let (t, a) = fastest(&theirs, &bytes, 20);
        let (o, b) = fastest(&ours, &bytes, 20);
        let name = path.rsplit('/').next().unwrap_or(&path);
        match (&a, &b) {
            (Ok(()), Ok(())) => println!(
                "| {name} | {} | {:.2} | {:.2} | {:.2} |",
                bytes.len(),
                t.as_secs_f64() * 1e3,
                o.as_secs_f64() * 1e3,
                o.as_secs_f64() / t.as_secs_f64()
            ),
            _ => println!(
                "| {name} | {} | {a:?} | {b:?} | not both valid |",
                bytes.len()
            ),
        }
    }
}
