//! In-process figures for `benches/exceptions/throw100.wat`: `throw(n)` and `return(n)` on
//! each of wisp's tiers, timed around the call alone (a fresh instance each run; the
//! median of 7), beside what `benches/exceptions/measure.py` times as whole processes.
//!
//!     cargo run --release -p wisp-benches --features jit --example throw [N]

use std::time::Instant;

use wisp::{Config, Engine, Linker, Module, Store, Tier};

fn main() {
    let n: i32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/exceptions/throw100.wat");
    let text = std::fs::read_to_string(path).expect("throw100.wat");
    println!("| tier | throw(n) ms | return(n) ms | µs per round (100 calls, a throw, a catch) |");
    println!("|---|---:|---:|---:|");
    for tier in [Tier::Interp, Tier::Jit, Tier::Tiered] {
        let Ok(engine) = Engine::with_tier(&Config::default(), tier) else {
            continue;
        };
        let module = Module::new(&engine, wisp::wat::parse_str(&text).unwrap()).unwrap();
        let median = |name: &str, expected: i64| {
            let mut times: Vec<f64> = (0..7)
                .map(|_| {
                    let mut store = Store::new(&engine, ());
                    let instance = Linker::new(&engine)
                        .instantiate(&mut store, &module)
                        .unwrap();
                    let f = instance.get_typed_func::<i32, i64>(&store, name).unwrap();
                    let start = Instant::now();
                    assert_eq!(f.call(&mut store, n).unwrap(), expected);
                    start.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[3]
        };
        let throw = median("throw", 7 * i64::from(n));
        let ret = median("return", 107 * i64::from(n));
        println!(
            "| {tier:?} | {:.1} | {:.1} | {:.3} |",
            throw * 1e3,
            ret * 1e3,
            throw / f64::from(n) * 1e6
        );
    }
}
