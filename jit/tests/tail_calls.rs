//! Tail calls take no stack, on every tier and between them: chains of a million
//! `return_call`, `return_call_indirect` and `return_call_ref` run on a 64 KiB native
//! stack whether each function runs interpreted or native, into host functions and across
//! instances, with the interpreter's results.

mod common;

use common::{Tier, TierEngine, ALL};
use wisp_core::{Config, Extern, Func, FuncType, Linker, Store, ValType};

/// Three functions that tail-call each other round, each a different way, counting `n`
/// down; the result says who ended it and what was added on the way.
const CYCLE: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (table funcref (elem $a $b $c))
  (elem declare func $a)
  (func $a (export "run") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $b (i64.sub (local.get 0) (i64.const 1))
                            (i64.add (local.get 1) (i64.const 1))))))
  (func $b (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.sub (i64.const 0) (local.get 1)))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 2))
              (i32.const 2)))))
  (func $c (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.mul (local.get 1) (i64.const 10)))
      (else (return_call_ref $t
              (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 3))
              (ref.func $a))))))"#;

/// The result of `CYCLE`'s `run(n, 0)`.
fn cycle(n: i64) -> i64 {
    let rounds = n / 3;
    let acc = rounds * 6;
    match n % 3 {
        0 => acc,
        1 => -(acc + 1),
        _ => (acc + 3) * 10,
    }
}

/// Every tier, and tier-up with each of the cycle's functions (alone and in pairs) kept
/// interpreted, so every kind of tail call goes from the interpreter to native code and
/// back.
const PLACEMENTS: [Tier; 11] = [
    ALL[0],
    ALL[1],
    ALL[2],
    ALL[3],
    ALL[4],
    Tier::Split(&[0]),
    Tier::Split(&[1]),
    Tier::Split(&[2]),
    Tier::Split(&[0, 1]),
    Tier::Split(&[1, 2]),
    Tier::Split(&[0, 2]),
];

/// Runs `f` on a thread with a 64 KiB stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_million_tail_calls_run_on_a_64_kib_stack_on_every_tier_and_between_them() {
    for tier in PLACEMENTS {
        // Parsing the text (a debug build's `wast` parser takes much of 64 KiB) and
        // compiling happen here; instantiating and running, on the small stack.
        let engine = TierEngine::new(tier, &Config::default());
        let module = engine.module(CYCLE);
        let engine = engine.engine;
        on_small_stack(move || {
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let run = instance
                .get_typed_func::<(i64, i64), i64>(&store, "run")
                .unwrap();
            for n in [0, 1, 2, 3, 1_000_000, 1_000_001, 1_000_002] {
                let got = run.call(&mut store, (n, 0));
                assert_eq!(got.ok(), Some(cycle(n)), "{tier:?}, n = {n}");
            }
        });
    }
}

/// A function that tail-calls a host function and one of another instance, which
/// tail-calls back through a table the first instance exports.
const HOME: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (import "host" "finish" (func $finish (type $t)))
  (table (export "table") 1 funcref)
  (func (export "run") (type $t)
    (if (result i64) (i64.eqz (local.get 0))
      (then (return_call $finish (local.get 0) (local.get 1)))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 1))
              (i32.const 0))))))"#;

const AWAY: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (import "home" "run" (func $run (type $t)))
  (import "home" "table" (table 1 funcref))
  (elem (i32.const 0) $away)
  ;; Defined function 0, kept interpreted with `HOME`'s `run` by `Split(&[0])`.
  (func $unused)
  (func $away (type $t)
    (return_call $run (local.get 0) (i64.add (local.get 1) (i64.const 2)))))"#;

#[test]
fn tail_calls_reach_host_functions_and_other_instances_without_stack() {
    let placements = [ALL[0], ALL[1], ALL[2], ALL[3], ALL[4], Tier::Split(&[0])];
    for tier in placements {
        on_small_stack(move || {
            let engine = TierEngine::new(tier, &Config::default());
            let home = engine.module(HOME);
            let away = engine.module(AWAY);
            let mut store = Store::new(&engine.engine, ());
            let mut linker = Linker::new(&engine.engine);
            let finish = Func::new(
                &mut store,
                FuncType::new([ValType::I64, ValType::I64], [ValType::I64]),
                |_, args, results| {
                    results[0] = wisp_core::Val::I64(args[1].i64().unwrap() * 7);
                    Ok(())
                },
            );
            linker
                .define("host", "finish", Extern::Func(finish))
                .unwrap();
            let instance = linker.instantiate(&mut store, &home).unwrap();
            linker.instance(&mut store, "home", instance).unwrap();
            linker.instantiate(&mut store, &away).unwrap();
            let run = instance
                .get_typed_func::<(i64, i64), i64>(&store, "run")
                .unwrap();
            for n in [0, 1, 1_000_000] {
                let got = run.call(&mut store, (n, 0));
                assert_eq!(got.ok(), Some(n * 3 * 7), "{tier:?}, n = {n}");
            }
        });
    }
}

/// Ordinary calls still count against the call depth; tail calls don't.
#[test]
fn only_calls_that_stay_count_against_the_depth_limit() {
    const DEEP: &str = r#"(module
      (func $count (export "count") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (i32.const 1)
                  (call $count (i32.sub (local.get 0) (i32.const 1)))))))
      (func $loop (export "loop") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 7))
          (else (return_call $loop (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let mut config = Config::default();
    config.max_call_depth(100);
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &config);
        let (mut store, instance) = engine.instantiate(DEEP);
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        let looped = instance.get_typed_func::<i32, i32>(&store, "loop").unwrap();
        assert_eq!(count.call(&mut store, 50).ok(), Some(50), "{tier:?}");
        let trap = count.call(&mut store, 200).unwrap_err();
        assert_eq!(
            trap.as_trap().and_then(wisp_core::Trap::code),
            Some(wisp_core::TrapCode::StackExhausted),
            "{tier:?}"
        );
        assert_eq!(looped.call(&mut store, 100_000).ok(), Some(7), "{tier:?}");
    }
}
