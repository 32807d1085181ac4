//! What a 64-bit memory costs against a 32-bit one, on each tier, in one run: the same
//! loop of loads and stores (a running sum over 64 Ki `i64`s, written back) on a module
//! whose memory is `i32`-addressed and on one whose memory is `i64`-addressed, nothing else
//! differing. Prints nanoseconds per loop iteration (one load, one store), the best of five
//! runs, and the ratio memory64 / memory32. The native tiers run twice: by default, where a
//! 32-bit memory is guarded (no bounds check; a 64-bit one never is), and with
//! `Config::signals_based_traps(false)`, where both are checked explicitly:
//!
//!     cargo run --release -p wisp-benches --features jit --bin memory64
//!
//! Without the `jit` feature only the interpreter is measured.

use std::time::Instant;

use wisp::{Config, Engine, Module, Store, Tier};

/// Iterations per run: 64 Ki elements, 128 passes (8 Mi).
const PASSES: i32 = 128;
const ELEMENTS: i32 = 65_536;
const RUNS: usize = 5;

/// The loop, for an address type `addr` (`i32` or `i64`).
fn text(addr: &str) -> String {
    let index = if addr == "i64" {
        "i64.extend_i32_u"
    } else {
        "nop"
    };
    format!(
        r#"(module
      (memory {addr} 8)
      (func (export "run") (param $passes i32) (result i64)
        (local $p i32) (local $i i32) (local $acc i64) (local $at {addr})
        (loop $pass
          (local.set $i (i32.const 0))
          (loop $next
            (local.set $at ({addr}.shl ({index} (local.get $i)) ({addr}.const 3)))
            (local.set $acc (i64.add (local.get $acc) (i64.load (local.get $at))))
            (i64.store (local.get $at) (i64.add (local.get $acc) (i64.const 1)))
            (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                   (i32.const {ELEMENTS}))))
          (br_if $pass (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
                                 (local.get $passes))))
        (local.get $acc)))"#
    )
}

/// Nanoseconds per iteration: the best of `RUNS` runs, each on a fresh instance (so
/// tier-up's first run includes its compile, and the best run shows its steady state).
fn measure(engine: &Engine, addr: &str) -> (f64, i64) {
    let module = Module::new(engine, wisp::wat::parse_str(text(addr)).unwrap()).unwrap();
    let mut best = f64::MAX;
    let mut result = 0;
    for _ in 0..RUNS {
        let mut store = Store::new(engine, ());
        let instance = wisp::Linker::new(engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let run = instance.get_typed_func::<i32, i64>(&store, "run").unwrap();
        let start = Instant::now();
        result = run.call(&mut store, PASSES).unwrap();
        let ns = start.elapsed().as_nanos() as f64 / f64::from(PASSES * ELEMENTS);
        best = best.min(ns);
    }
    (best, result)
}

fn main() {
    let mut runs = vec![(Tier::Interp, true)];
    if cfg!(feature = "jit") {
        for guarded in [true, false] {
            runs.extend([(Tier::Jit, guarded), (Tier::Tiered, guarded)]);
        }
    }
    println!("tier              memory32 ns/iter  memory64 ns/iter  memory64/memory32");
    for (tier, guarded) in runs {
        let mut config = Config::default();
        config.signals_based_traps(guarded);
        let name = match guarded {
            true => format!("{tier:?}"),
            false => format!("{tier:?} explicit"),
        };
        let engine = match Engine::with_tier(&config, tier) {
            Ok(engine) => engine,
            Err(e) => {
                println!("{tier:?}: {e}");
                continue;
            }
        };
        let (m32, r32) = measure(&engine, "i32");
        let (m64, r64) = measure(&engine, "i64");
        assert_eq!(r32, r64, "both modules compute the same sum");
        println!("{name:<17} {m32:>16.2}  {m64:>16.2}  {:>17.2}", m64 / m32);
    }
}
