//! Tier-up: hot functions are compiled and swapped in while the program runs, a frame
//! stuck in a hot loop moves to native code at the loop header (on-stack replacement),
//! and every switch leaves results, traps and fuel as the interpreter alone gives them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wisp_core::{Config, Engine, Instance, Linker, Module, Store, Tier, TierUp, Trap, TrapCode};
use wisp_jit::{tier_stats, Tiered};

mod common;

use common::tier_stats_of as stats_of;

fn tiered(tier_up: TierUp, config: &Config) -> Engine {
    let mut config = config.clone();
    config.tier(Tier::Tiered).tier_up(tier_up);
    Engine::with_executor(config.clone(), Arc::new(Tiered::new().unwrap()))
}

fn interp(config: &Config) -> Engine {
    Engine::with_executor(config.clone(), Arc::new(wisp_interp::Interpreter::new()))
}

fn instantiate(engine: &Engine, wat: &str) -> (Module, Store<()>, Instance) {
    let module = Module::new(engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (module, store, instance)
}

const FIB: &str = r#"(module
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;

#[test]
fn a_hot_function_is_swapped_in_and_every_caller_takes_it() {
    let engine = tiered(
        TierUp {
            calls: 50,
            loops: 1_000,
            background: false,
        },
        &Config::default(),
    );
    let (module, mut store, instance) = instantiate(&engine, FIB);
    let fib = instance.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
    let stats = stats_of(&module, "fib");
    assert!(stats.tiered_up_at.is_some(), "{stats:?}");
    // The 50th call compiled it; interpreted frames already running finished
    // interpreted, and every call after that (from native code or the interpreter's
    // stubs) ran natively, uncounted.
    assert!((50..100).contains(&stats.interpreted_calls), "{stats:?}");
    assert_eq!(fib.call(&mut store, 25).unwrap(), 75025);
    let again = stats_of(&module, "fib");
    assert_eq!(again.interpreted_calls, stats.interpreted_calls);
    assert!(again.compile_time > Duration::ZERO);
}

/// A `_start`-like function whose whole work is one loop, with values live on the operand
/// stack across it (below the loop, and as the loop's parameters) and locals of every
/// type.
const ONE_LOOP: &str = r#"(module
  (type $step (func (param i64 i32) (result i64 i32)))
  (func (export "run") (param $n i32) (result i64 f64 i32)
    (local $f f64) (local $g f32) (local $x i64) (local $i i32)
    (local.set $g (f32.const 1.5))
    (i32.const 7)                          ;; below the loop, used after it
    (i64.const 1) (i32.const 0)            ;; the loop's parameters
    (loop $l (type $step)
      ;; acc' = acc * 3 + i (wrapping), i' = i + 1
      (local.set $i)
      (local.set $x)
      (local.set $f (f64.add (local.get $f) (f64.promote_f32 (local.get $g))))
      (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.extend_i32_u (local.get $i)))
      (i32.add (local.get $i) (i32.const 1))
      (br_if $l (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))))
    (local.set $i)
    (local.set $x)
    (local.set $i (i32.add (local.get $i)))  ;; 7 + the count
    (local.get $x)
    (local.get $f)
    (local.get $i))
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))"#;

#[test]
fn a_frame_in_a_hot_loop_moves_to_native_code_with_its_locals_and_operands() {
    let n = 100_000;
    let (_, mut store, instance) = instantiate(&interp(&Config::default()), ONE_LOOP);
    let run = instance
        .get_typed_func::<i32, (i64, f64, i32)>(&store, "run")
        .unwrap();
    let expected = run.call(&mut store, n).unwrap();

    let engine = tiered(
        TierUp {
            calls: 1_000,
            loops: 5_000,
            background: false,
        },
        &Config::default(),
    );
    let (module, mut store, instance) = instantiate(&engine, ONE_LOOP);
    let run = instance
        .get_typed_func::<i32, (i64, f64, i32)>(&store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, n).unwrap(), expected);
    let stats = stats_of(&module, "run");
    // One call, never returning before its loop got hot: it moved once, at the header,
    // after the threshold's iterations.
    assert_eq!(stats.interpreted_calls, 1, "{stats:?}");
    assert_eq!(stats.interpreted_loops, 5_000, "{stats:?}");
    assert_eq!(stats.osr_entries, 1, "{stats:?}");
    // The whole function was compiled too: the next call runs natively from the start.
    assert!(stats.tiered_up_at.is_some());
    assert_eq!(run.call(&mut store, n).unwrap(), expected);
    let again = stats_of(&module, "run");
    assert_eq!((again.interpreted_calls, again.osr_entries), (1, 1));
}

/// Operands live across loops that a frame may enter natively in their middle: two below
/// the outer loop, one pushed inside it below the inner loop, a block left before the
/// inner loop on some iterations, and the outer loop's back edge taken after the inner.
const NESTED_LOOPS: &str = r#"(module
  (func (export "run") (param $n i32) (result i64 i32)
    (local $i i32) (local $j i32) (local $acc i64)
    (local.set $i (i32.const 1))
    (i64.const 5)
    (i32.const 7)
    (loop $outer
      (i32.const 3)
      (block $skip
        (br_if $skip (i32.eqz (i32.and (local.get $i) (i32.const 1))))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $j))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (i32.const 50)))))
      (local.set $acc (i64.add (i64.extend_i32_u) (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $j (i32.add (local.get $i)))
    (i64.add (local.get $acc))
    (local.get $j)))"#;

/// On-stack replacement at either loop, at each of the first loop header entries: the
/// landing's path reaches the outer loop's header, the block's exit and the function's
/// end, where operands from before it must arrive (this once compiled to invalid IR,
/// which a release build's Cranelift failed on and the interpreter silently kept).
#[test]
fn a_frame_moves_to_native_code_inside_nested_loops_with_operands_live_across() {
    let n = 40;
    let (_, mut store, instance) = instantiate(&interp(&Config::default()), NESTED_LOOPS);
    let run = instance
        .get_typed_func::<i32, (i64, i32)>(&store, "run")
        .unwrap();
    let expected = run.call(&mut store, n).unwrap();
    for loops in 1..=8 {
        let engine = tiered(
            TierUp {
                calls: 1_000,
                loops,
                background: false,
            },
            &Config::default(),
        );
        let (module, mut store, instance) = instantiate(&engine, NESTED_LOOPS);
        let run = instance
            .get_typed_func::<i32, (i64, i32)>(&store, "run")
            .unwrap();
        assert_eq!(
            run.call(&mut store, n).unwrap(),
            expected,
            "loops = {loops}"
        );
        let stats = stats_of(&module, "run");
        assert_eq!(stats.failure, None, "loops = {loops}");
        assert_eq!(stats.osr_entries, 1, "loops = {loops}: {stats:?}");
    }
}

#[test]
fn fuel_and_traps_are_the_same_after_switching_mid_loop() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let run = |engine: &Engine, fuel: u64| {
        let (_, mut store, instance) = instantiate(engine, ONE_LOOP);
        store.set_fuel(fuel).unwrap();
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        let result = count
            .call(&mut store, 10_000)
            .map_err(|e| e.as_trap().and_then(|t| t.code()));
        (result, store.get_fuel().unwrap())
    };
    let engine = tiered(
        TierUp {
            calls: 1,
            loops: 100,
            background: false,
        },
        &config,
    );
    let reference = interp(&config);
    let (ok, left) = run(&reference, 1_000_000);
    assert_eq!(ok, Ok(10_000));
    let used = 1_000_000 - left;
    for fuel in [1_000_000, used, used - 1, used / 2, 50, 0] {
        assert_eq!(
            run(&engine, fuel),
            run(&reference, fuel),
            "with {fuel} fuel"
        );
    }
    assert_eq!(
        run(&engine, used / 2).0,
        Err(Some(TrapCode::OutOfFuel)),
        "runs out natively, after the switch"
    );
}

#[test]
fn background_compilation_swaps_code_in_while_the_interpreter_runs() {
    let engine = tiered(
        TierUp {
            calls: 20,
            loops: 1_000,
            background: true,
        },
        &Config::default(),
    );
    let (module, mut store, instance) = instantiate(&engine, FIB);
    let fib = instance.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert_eq!(fib.call(&mut store, 15).unwrap(), 610);
        if stats_of(&module, "fib").tiered_up_at.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "fib was never swapped in");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);

    // A loop long enough that its frame moves while it runs: the compile thread has the
    // loop entry ready long before 200 million interpreted iterations would end.
    let (module, mut store, instance) = instantiate(&engine, ONE_LOOP);
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 200_000_000).unwrap(), 200_000_000);
    let stats = stats_of(&module, "count");
    assert_eq!(stats.osr_entries, 1, "{stats:?}");
}

#[test]
fn without_tier_up_the_interpreter_counts_nothing() {
    // The profiling instructions exist only in code translated for a tiered engine.
    let module = Module::new(
        &interp(&Config::default()),
        wat::parse_str(ONE_LOOP).unwrap(),
    )
    .unwrap();
    for def in 0..2 {
        let code = wisp_interp::bytecode_of(&module, def).unwrap().code;
        assert!(
            !code.iter().any(|i| matches!(
                i,
                wisp_interp::bytecode::Instr::Hot { .. }
                    | wisp_interp::bytecode::Instr::HotLoop { .. }
            )),
            "{code:?}"
        );
    }
    let engine = tiered(TierUp::default(), &Config::default());
    let module = Module::new(&engine, wat::parse_str(ONE_LOOP).unwrap()).unwrap();
    let code = wisp_interp::bytecode_of(&module, 1).unwrap().code;
    assert!(matches!(
        code.first(),
        Some(wisp_interp::bytecode::Instr::Hot { def: 1 })
    ));
    assert!(code
        .iter()
        .any(|i| matches!(i, wisp_interp::bytecode::Instr::HotLoop { def: 1, .. })));
}

/// Found by the differential test: a function that calls itself from inside a loop. Its
/// loop entry (on-stack replacement) is not the function's direct entry, so the recursive
/// call must not go to it.
#[test]
fn a_loop_entry_calls_its_own_function_through_the_function_entry() {
    let wat = r#"(module
      (func $f (export "f") (param i32) (result i32) (local i32)
        (loop $l
          (if (i32.gt_u (local.get 0) (local.get 1))
            (then
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (drop (call $f (i32.sub (local.get 0) (i32.const 1))))
              (br $l))))
        (local.get 1)))"#;
    let expect = {
        let (_, mut store, instance) = instantiate(&interp(&Config::default()), wat);
        let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
        f.call(&mut store, 6).unwrap()
    };
    let forced = TierUp {
        calls: 1_000,
        loops: 1,
        background: false,
    };
    let (module, mut store, instance) = instantiate(&tiered(forced, &Config::default()), wat);
    let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, 6).unwrap(), expect);
    assert!(stats_of(&module, "f").osr_entries > 0);
}

/// Found by the differential test: with profiling, operands are materialized for loop
/// headers; a constant below an `if` whose one arm holds a loop must still be there when
/// the other arm runs.
#[test]
fn operands_below_a_conditional_loop_survive_the_arm_without_it() {
    let wat = r#"(module
      (func (export "g") (param i32) (result i64)
        (i64.const -8388608)
        (if (local.get 0) (then (loop $l)))))"#;
    let profiling = TierUp {
        calls: 1_000,
        loops: 1_000,
        background: false,
    };
    let (_, mut store, instance) = instantiate(&tiered(profiling, &Config::default()), wat);
    let g = instance.get_typed_func::<i32, i64>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, 0).unwrap(), -8388608);
    assert_eq!(g.call(&mut store, 1).unwrap(), -8388608);
}

#[test]
fn the_embedder_hears_of_every_compilation_and_on_stack_replacement() {
    use std::sync::Mutex;
    use wisp_core::TierEvent;

    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut config = Config::default();
    let log = events.clone();
    config.on_tier_event(move |event| {
        let line = match event {
            TierEvent::Compiled { func, .. } => format!("compiled {func}"),
            TierEvent::CompileFailed { func, message, .. } => format!("failed {func}: {message}"),
            TierEvent::OsrEntered { func, .. } => format!("osr {func}"),
            _ => "other".into(),
        };
        log.lock().unwrap().push(line);
    });
    let engine = tiered(
        TierUp {
            calls: 1,
            loops: 1_000,
            background: false,
        },
        &config,
    );
    let (_, mut store, instance) = instantiate(&engine, ONE_LOOP);
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 100_000).unwrap(), 100_000);
    // `count` is function 1: compiled at its first call (hot by calls: without loop
    // landings), compiled again with them when its frame, still in the loop, passed the
    // loop threshold, and that frame moved at the next poll.
    assert_eq!(
        *events.lock().unwrap(),
        ["compiled 1", "compiled 1", "osr 1"]
    );
}

#[test]
fn a_failed_compile_leaves_the_function_interpreted_and_is_reported() {
    use std::sync::Mutex;
    use wisp_core::TierEvent;

    let failures: Arc<Mutex<Vec<u32>>> = Arc::default();
    let mut config = Config::default();
    let log = failures.clone();
    config
        .tier(Tier::Tiered)
        .tier_up(TierUp {
            calls: 1,
            loops: 1,
            background: false,
        })
        .on_tier_event(move |event| {
            if let TierEvent::CompileFailed { func, .. } = event {
                log.lock().unwrap().push(*func);
            }
        });
    let tiered = Arc::new(Tiered::new().unwrap());
    let engine = Engine::with_executor(config.clone(), tiered.clone());
    let module = Module::new(&engine, wat::parse_str(ONE_LOOP).unwrap()).unwrap();
    // `run` (function 0) cannot be compiled; `count` (function 1) can.
    tiered.fail_compiles_of(&module, 0);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance
        .get_typed_func::<i32, (i64, f64, i32)>(&store, "run")
        .unwrap();
    let expected = {
        let (_, mut store, instance) = instantiate(&interp(&Config::default()), ONE_LOOP);
        let run = instance
            .get_typed_func::<i32, (i64, f64, i32)>(&store, "run")
            .unwrap();
        run.call(&mut store, 5_000).unwrap()
    };
    for _ in 0..3 {
        assert_eq!(run.call(&mut store, 5_000).unwrap(), expected);
    }
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 5_000).unwrap(), 5_000);

    let failed = stats_of(&module, "run");
    assert!(failed.tiered_up_at.is_none(), "{failed:?}");
    assert_eq!(failed.interpreted_calls, 3, "every call stayed interpreted");
    assert!(failed.failure.as_deref().unwrap().contains("refused"));
    assert!(stats_of(&module, "count").tiered_up_at.is_some());
    // Reported once: a failed function is not queued again.
    assert_eq!(*failures.lock().unwrap(), [0]);
}

/// `$leaf` reaches nothing beyond its frame, so once native its code never fails by
/// status; `$hosty` calls the host, which may. Each is called more often than `$mid`, and
/// `$mid` more than `$top`, so tier-up compiles them callee first: `$mid`'s unit may call
/// `$leaf`'s code without a status test, but must test `$hosty`'s.
const STATUS_FREE_CALLEES: &str = r#"(module
  (import "env" "check" (func $check (param i32)))
  (func $leaf (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func $hosty (param i32) (result i32)
    (call $check (local.get 0))
    (i32.add (local.get 0) (i32.const 1)))
  (func $mid (param i32 i32) (result i32)
    (i32.add
      (i32.add (call $leaf (local.get 0) (local.get 1)) (call $leaf (local.get 0) (i32.const 1)))
      (i32.add (call $hosty (local.get 0)) (call $hosty (local.get 1))))
    (i32.add (call $leaf (local.get 0) (i32.const 2)))
    (i32.add (call $leaf (local.get 0) (i32.const 3)))
    (i32.add (call $hosty (i32.const 1))))
  (func $top (export "top") (param i32 i32) (result i32)
    (i32.add (call $mid (local.get 0) (local.get 1))
             (call $mid (local.get 1) (i32.add (local.get 1) (i32.const 1))))))"#;

#[test]
fn calls_to_native_code_that_cannot_fail_skip_the_status_test_and_lose_no_trap() {
    type Outcome = Result<i32, (Option<TrapCode>, String, Vec<u32>)>;
    let run = |engine: &Engine| -> (Module, Vec<Outcome>) {
        let module = Module::new(engine, wat::parse_str(STATUS_FREE_CALLEES).unwrap()).unwrap();
        let mut store = Store::new(engine, ());
        let mut linker = Linker::<()>::new(engine);
        linker
            .func_wrap("env", "check", |x: i32| -> Result<(), Trap> {
                match x {
                    0 => Err(Trap::msg("checked zero")),
                    _ => Ok(()),
                }
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let top = instance
            .get_typed_func::<(i32, i32), i32>(&store, "top")
            .unwrap();
        // Warm-up, then past tier-up: a division by zero in `$leaf` (a trap by signal)
        // and the host's trap passed on by `$hosty` (by status), with their backtraces.
        let args = (1..=60)
            .map(|i| (i * 7, i % 5 + 1))
            .chain([(9, 0), (0, 4), (100, 3)]);
        let outcomes = args
            .map(|args| {
                top.call(&mut store, args).map_err(|e| {
                    let trap = e.as_trap().expect("a trap");
                    let frames = trap.backtrace().iter().map(|f| f.func_index).collect();
                    (trap.code(), trap.to_string(), frames)
                })
            })
            .collect();
        (module, outcomes)
    };
    let (_, reference) = run(&interp(&Config::default()));
    assert_eq!(
        reference[60..],
        [
            Err((
                Some(TrapCode::IntegerDivisionByZero),
                "integer divide by zero".into(),
                vec![1, 3, 4]
            )),
            Err((None, "checked zero".into(), vec![2, 3, 4])),
            Ok(reference[62].clone().unwrap()),
        ]
    );
    let engine = tiered(
        TierUp {
            calls: 40,
            loops: 1_000,
            background: false,
        },
        &Config::default(),
    );
    let (module, outcomes) = run(&engine);
    assert_eq!(outcomes, reference);
    // Every function went native, callees first.
    let stats = tier_stats(&module).unwrap();
    let at: Vec<Duration> = stats.iter().map(|f| f.tiered_up_at.unwrap()).collect();
    assert!(at[0] < at[2] && at[1] < at[2] && at[2] < at[3], "{stats:?}");
}
