//! Exceptions across the tiers: thrown in native code and caught by an interpreted frame
//! and the reverse, at any depth, through host functions, and in and out of frames that
//! on-stack replacement moved to native code; the embedding API's view of them (host
//! tags, host throws, uncaught exceptions it can inspect and throw again); and fuel,
//! interruption, stack exhaustion and the store's bounds while they unwind.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Tier, TierEngine, ALL};
use wisp_core::{
    Caller, Config, Engine, Error, ExnRef, Extern, FuncType, Instance, Linker, Module, Store, Tag,
    TagType, TierUp, Trap, TrapCode, Val, ValType,
};
use wisp_jit::{tier_stats, Tiered};

/// Throwers, catchers of every kind, and host functions in between. Defined functions by
/// index: 0 `$down_a` and 1 `$down_b` recurse into each other and throw at the bottom; 2
/// to 8 catch in each way; 9 to 11 loop (for on-stack replacement); 12 catches deep
/// exceptions in a loop.
const EXN: &str = r#"(module
  (import "host" "tag" (tag $h (param i32)))
  (import "host" "throw" (func $host_throw (param i32)))
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (import "host" "rethrow" (func $host_rethrow))
  (tag $e (export "e") (param i32))

  (func $down_a (export "down") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
    (i32.add (i32.const 1) (call $down_b (i32.sub (local.get 0) (i32.const 1)))))
  (func $down_b (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 43))))
    (i32.add (i32.const 2) (call $down_a (i32.sub (local.get 0) (i32.const 1)))))

  (func (export "catch_table") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $down_a (local.get 0)))
      (return))
    (i32.add (i32.const 1000)))
  ;; The legacy instructions in flat form (the text parser takes no folded `try`).
  (func $catch_legacy (export "catch_legacy") (param i32) (result i32)
    try (result i32)
      try (result i32)
        local.get 0
        call $down_a
      catch $e
        drop
        ;; A call in a catch block: its frame must not reach the block's exception.
        i32.const 1
        i32.const 2
        i32.const 3
        call $clobber
        drop
        rethrow 0
      end
    catch $e
      i32.const 2000
      i32.add
    end)
  (func (export "delegate") (param i32) (result i32)
    try (result i32)
      try (result i32)
        local.get 0
        call $down_a
      delegate 0
    catch_all
      i32.const 3000
    end)
  (func (export "catch_ref_rethrow") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $h (result i32 exnref)
          (try_table (result i32) (catch_ref $e $h) (call $down_a (local.get 0)))
          (return))
        (throw_ref)))
    (i32.add (i32.const 4000)))
  (func (export "from_host") (param i32) (result i32)
    (block $c (result i32)
      (try_table (catch $h $c) (call $host_throw (local.get 0)))
      (return (i32.const -1)))
    (i32.add (i32.const 5000)))
  (func $through_host (export "through_host") (param i32) (result i32)
    (block $c (result i32)
      (try_table (result i32) (catch $e $c) (call $call_back (local.get 0)))
      (return))
    (i32.add (i32.const 6000)))
  (func (export "uncaught") (param i32) (result i32)
    (call $down_a (local.get 0)))

  (func (export "loop_catch") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (block $c (result i32)
        (try_table (result i32) (catch $e $c)
          (call $down_a (i32.and (local.get $n) (i32.const 7)))))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func $loop_throw (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (throw $e (local.get $i)))
  (func (export "outer_catch") (param i32) (result i32)
    (block $c (result i32)
      (try_table (result i32) (catch $e $c) (call $loop_throw (local.get 0)))
      (return))
    (i32.add (i32.const 7000)))
  (func (export "deep_loop_catch") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (block $c
        (try_table (catch_all $c) (drop (call $down_a (i32.const 50)))))
      (local.set $sum (i32.add (local.get $sum) (i32.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func (export "catch_rethrown") (result i32)
    (block $c (result i32)
      (try_table (catch $e $c) (call $host_rethrow))
      (return (i32.const -1))))

  ;; Leaving catch blocks every way, many times in one call (14 to 16).
  (func $legacy_exits (param i32) (result i32)
    block $out (result i32)
      try (result i32)
        local.get 0
        call $down_a
      catch $e
        local.get 0
        i32.const 1
        i32.and
        br_if $out
        return
      end
    end)
  (func (export "many") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (i32.add (call $catch_legacy (i32.and (local.get $n) (i32.const 7)))
          (i32.add (call $legacy_exits (local.get $n))
                   (call $through_host (i32.and (local.get $n) (i32.const 3)))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; A frame with a catch slot (below its operands) that moves mid-loop, an operand
  ;; live across the loop (16).
  (func (export "osr_with_catch_slot") (param $n i32) (result i32) (local $i i32)
    i32.const 1000
    try (result i32)
      i32.const 5
    catch_all
      i32.const 6
    end
    drop
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $i)))
  (func $clobber (param i32 i32 i32) (result i32) (local i64 i64 i64 i64 i64 i64)
    (local.set 3 (i64.const -1)) (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1)) (local.set 8 (i64.const -1))
    (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2)))))"#;

/// What the host functions of `EXN` share: the host tag, and an exception to throw again.
#[derive(Default)]
struct Host {
    tag: Option<Tag>,
    saved: Arc<Mutex<Option<ExnRef>>>,
}

/// `EXN` instantiated with its host functions in a new store of `engine`.
fn instantiate(engine: &Engine, module: &Module) -> (Store<Host>, Instance) {
    let mut store = Store::new(engine, Host::default());
    let tag = Tag::new(&mut store, &TagType::new([ValType::I32])).unwrap();
    store.data_mut().tag = Some(tag);
    let mut linker = Linker::new(engine);
    linker.define("host", "tag", Extern::Tag(tag)).unwrap();
    linker
        .func_new(
            "host",
            "throw",
            FuncType::new([ValType::I32], []),
            |mut caller: Caller<'_, Host>, args, _| {
                let tag = caller.data().tag.unwrap();
                let exn = ExnRef::new(&mut caller, &tag, &[args[0]])
                    .map_err(|e| Trap::msg(format!("making the exception: {e}")))?;
                Err(Trap::throw(exn))
            },
        )
        .unwrap();
    linker
        .func_new(
            "host",
            "call_back",
            FuncType::new([ValType::I32], [ValType::I32]),
            |mut caller: Caller<'_, Host>, args, results| {
                let down = caller.get_export("down").unwrap().into_func().unwrap();
                // An exception from `down` passes through this frame as the trap.
                let trap = match down.call(&mut caller, args, results) {
                    Ok(()) => return Ok(()),
                    Err(Error::Trap(trap)) => trap,
                    Err(e) => return Err(Trap::msg(e.to_string())),
                };
                let exn = trap.exception().expect("an exception");
                // The host may look at it on the way.
                assert_eq!(exn.fields(&caller).unwrap().len(), 1);
                Err(trap)
            },
        )
        .unwrap();
    let saved = store.data().saved.clone();
    linker
        .func_new("host", "rethrow", FuncType::new([], []), move |_, _, _| {
            let exn = saved.lock().unwrap().expect("saved by the test");
            Err(Trap::throw(exn))
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<Host>, instance: &Instance, name: &str, arg: i32) -> Result<i32, Error> {
    let f = instance.get_typed_func::<i32, i32>(&*store, name).unwrap();
    f.call(store, arg)
}

/// Every tier, and tier-up with the throwers, the catchers, or one of each recursion's two
/// functions kept interpreted: so exceptions cross from the interpreter to native code and
/// back at every frame.
const PLACEMENTS: [Tier; 9] = [
    ALL[0],
    ALL[1],
    ALL[2],
    ALL[3],
    ALL[4],
    Tier::Split(&[0]),
    Tier::Split(&[1]),
    Tier::Split(&[0, 1]),
    Tier::Split(&[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15]),
];

/// Each catcher with each depth, as `(name, depth, expected)`.
fn catches() -> Vec<(&'static str, i32, i32)> {
    let mut cases = Vec::new();
    for depth in [0, 1, 2, 7, 100] {
        // The bottom frame is `$down_a` at an even depth, `$down_b` at an odd one.
        let thrown = if depth % 2 == 0 { 42 } else { 43 };
        cases.push(("catch_table", depth, 1000 + thrown));
        cases.push(("catch_legacy", depth, 2000 + thrown));
        cases.push(("delegate", depth, 3000));
        cases.push(("catch_ref_rethrow", depth, 4000 + thrown));
        cases.push(("through_host", depth, 6000 + thrown));
    }
    cases.push(("from_host", 9, 5009));
    cases.push(("loop_catch", 100, (1..=100).map(|n| 42 + (n & 7) % 2).sum()));
    cases.push(("outer_catch", 500, 7500));
    cases
}

#[test]
fn exceptions_are_caught_across_tiers_at_any_depth() {
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &Config::default());
        let module = engine.module(EXN);
        let (mut store, instance) = instantiate(&engine.engine, &module);
        for (name, depth, expected) in catches() {
            let got = call(&mut store, &instance, name, depth);
            assert_eq!(got.ok(), Some(expected), "{tier:?}: {name}({depth})");
        }
    }
}

/// An engine that tiers up loops after two iterations but functions only after many
/// calls, so a frame in a loop moves to native code (on-stack replacement); the defined
/// functions `interpreted` stay interpreted.
fn osr_engine(config: &Config, interpreted: &[u32]) -> (Engine, Module) {
    let mut config = config.clone();
    config.tier(wisp_core::Tier::Tiered).tier_up(TierUp {
        calls: 1_000,
        loops: 2,
        background: false,
    });
    let tiered = Arc::new(Tiered::new().unwrap());
    let engine = Engine::with_executor(config, tiered.clone());
    let module = Module::new(&engine, wat::parse_str(EXN).unwrap()).unwrap();
    for &def in interpreted {
        tiered.fail_compiles_of(&module, def);
    }
    (engine, module)
}

#[test]
fn a_frame_moved_to_native_code_mid_loop_catches_and_throws() {
    // `loop_catch` (9) moves to native code and catches what interpreted `$down_a` and
    // `$down_b` throw.
    let (engine, module) = osr_engine(&Config::default(), &[0, 1]);
    let (mut store, instance) = instantiate(&engine, &module);
    let expected: i32 = (1..=100).map(|n| 42 + (n & 7) % 2).sum();
    assert_eq!(
        call(&mut store, &instance, "loop_catch", 100).ok(),
        Some(expected)
    );
    let stats = tier_stats(&module).unwrap();
    assert!(stats[9].osr_entries > 0, "{:?}", stats[9]);

    // `$loop_throw` (10) moves to native code and throws to interpreted `outer_catch` (11).
    let (engine, module) = osr_engine(&Config::default(), &[11]);
    let (mut store, instance) = instantiate(&engine, &module);
    assert_eq!(
        call(&mut store, &instance, "outer_catch", 500).ok(),
        Some(7500)
    );
    let stats = tier_stats(&module).unwrap();
    assert!(stats[10].osr_entries > 0, "{:?}", stats[10]);
    assert!(stats[11].tiered_up_at.is_none());

    // A frame whose catch slot sits between its locals and its operands moves too.
    let (engine, module) = osr_engine(&Config::default(), &[]);
    let (mut store, instance) = instantiate(&engine, &module);
    assert_eq!(
        call(&mut store, &instance, "osr_with_catch_slot", 5_000).ok(),
        Some(6_000)
    );
    let stats = tier_stats(&module).unwrap();
    assert!(stats[16].osr_entries > 0, "{:?}", stats[16]);
}

#[test]
fn the_host_sees_uncaught_exceptions_and_throws_them_back() {
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &Config::default());
        let module = engine.module(EXN);
        let (mut store, instance) = instantiate(&engine.engine, &module);
        let err = call(&mut store, &instance, "uncaught", 4).unwrap_err();
        let exn = err
            .as_trap()
            .and_then(Trap::exception)
            .expect("an exception");
        let tag = instance.get_tag(&store, "e").unwrap();
        assert_eq!(exn.tag(&store).unwrap(), tag, "{tier:?}");
        assert_eq!(exn.fields(&store).unwrap(), [Val::I32(42)], "{tier:?}");
        assert!(err.to_string().contains("uncaught wasm exception"), "{err}");
        // Kept for the host, which throws it into wasm again.
        *store.data().saved.lock().unwrap() = Some(exn);
        let f = instance
            .get_typed_func::<(), i32>(&store, "catch_rethrown")
            .unwrap();
        assert_eq!(f.call(&mut store, ()).ok(), Some(42), "{tier:?}");
        // And may still read it afterwards.
        assert_eq!(exn.field(&store, 0).unwrap(), Val::I32(42));
    }
}

#[test]
fn exceptions_caught_after_passing_host_frames_are_freed() {
    // With room for 4 live exceptions, a thousand that each cross a host function and
    // a thousand thrown and caught within wasm leave none behind.
    let mut config = Config::default();
    config.max_exceptions(4);
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &config);
        let module = engine.module(EXN);
        let (mut store, instance) = instantiate(&engine.engine, &module);
        for i in 0..1_000 {
            let got = call(&mut store, &instance, "through_host", i % 5);
            assert_eq!(got.ok(), Some(6042 + (i % 5) % 2), "{tier:?}, round {i}");
        }
        assert_eq!(
            call(&mut store, &instance, "deep_loop_catch", 1_000).ok(),
            Some(1_000),
            "{tier:?}"
        );
        // Legacy catch blocks left by their end, a `rethrow`, a branch and a return,
        // and exceptions through host frames, all within one call.
        let expected: i32 = (1..=1_000)
            .map(|n| {
                let parity = |d: i32| 42 + d % 2;
                2000 + parity(n & 7) + parity(n) + 6000 + parity(n & 3)
            })
            .sum();
        assert_eq!(
            call(&mut store, &instance, "many", 1_000).ok(),
            Some(expected),
            "{tier:?}"
        );
        for depth in 0..1_000 {
            let got = call(&mut store, &instance, "catch_legacy", depth % 9);
            assert!(got.is_ok(), "{tier:?}: {got:?}");
        }
    }
}

#[test]
fn the_call_depth_is_restored_when_a_handler_catches() {
    // Each catch of an exception thrown 50 frames down, 1,000 times in one call: frames
    // an exception left must give their budget back, or the 64 allowed run out.
    let mut config = Config::default();
    config.max_call_depth(64);
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &config);
        let module = engine.module(EXN);
        let (mut store, instance) = instantiate(&engine.engine, &module);
        let got = call(&mut store, &instance, "deep_loop_catch", 1_000);
        assert_eq!(got.ok(), Some(1_000), "{tier:?}");
    }
}

#[test]
fn fuel_is_charged_alike_while_exceptions_unwind() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let mut reference: Option<Vec<u64>> = None;
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &config);
        let module = engine.module(EXN);
        let (mut store, instance) = instantiate(&engine.engine, &module);
        let mut used = Vec::new();
        for (name, depth, expected) in catches() {
            store.set_fuel(1 << 40).unwrap();
            let got = call(&mut store, &instance, name, depth);
            assert_eq!(got.ok(), Some(expected), "{tier:?}: {name}({depth})");
            used.push((1 << 40) - store.get_fuel().unwrap());
        }
        // Running out of fuel while exceptions fly is a trap, on every tier.
        store.set_fuel(300).unwrap();
        let err = call(&mut store, &instance, "loop_catch", 1_000).unwrap_err();
        let code = err.as_trap().and_then(Trap::code);
        assert_eq!(code, Some(TrapCode::OutOfFuel), "{tier:?}");
        match &reference {
            None => reference = Some(used),
            Some(r) => assert_eq!(&used, r, "{tier:?}"),
        }
    }
}

#[test]
fn a_clause_naming_a_loop_goes_round_again() {
    // `catch_all` to a loop's label branches to its header, as `br` does.
    const LOOP: &str = r#"(module
      (tag $t)
      (func (export "count") (param $n i32) (result i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then (try_table (catch_all $l) (throw $t)))))
        (local.get $i)))"#;
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &Config::default());
        let (mut store, instance) = engine.instantiate(LOOP);
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        assert_eq!(count.call(&mut store, 1_000).ok(), Some(1_000), "{tier:?}");
    }
}

#[test]
fn a_handle_kept_past_its_exception_fails_rather_than_naming_another() {
    const PASS: &str = r#"(module
      (tag $e (param i32))
      (import "host" "pass" (func $pass (param i32)))
      (func (export "thrower") (param i32) (throw $e (local.get 0)))
      (func (export "run") (param i32) (result i32)
        (block $c (result i32)
          (try_table (catch $e $c) (call $pass (local.get 0)))
          (i32.const -1))))"#;
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &Config::default());
        let module = engine.module(PASS);
        let kept: Arc<Mutex<Vec<ExnRef>>> = Arc::default();
        let mut store = Store::new(&engine.engine, ());
        let mut linker = Linker::new(&engine.engine);
        let log = kept.clone();
        linker
            .func_new(
                "host",
                "pass",
                FuncType::new([ValType::I32], []),
                move |mut caller: Caller<'_, ()>, args, _| {
                    let thrower = caller.get_export("thrower").unwrap().into_func().unwrap();
                    let Err(Error::Trap(trap)) = thrower.call(&mut caller, args, &mut []) else {
                        return Err(Trap::msg("the thrower did not throw"));
                    };
                    // Kept past the call: the exception only passes through here.
                    log.lock().unwrap().push(trap.exception().unwrap());
                    Err(trap)
                },
            )
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 5).ok(), Some(5), "{tier:?}");
        // The first exception was caught and freed; the second takes its entry.
        assert_eq!(run.call(&mut store, 6).ok(), Some(6), "{tier:?}");
        let kept = kept.lock().unwrap();
        for exn in kept.iter() {
            let err = exn.fields(&store).unwrap_err();
            assert!(matches!(err, Error::NotFound(_)), "{tier:?}: {err}");
        }
    }
}

#[test]
fn stack_exhaustion_is_not_an_exception() {
    const INF: &str = r#"(module
      (func $inf (export "inf")
        (block $c (try_table (catch_all $c) (call $inf))))
      (func (export "ok") (result i32)
        (block $c (try_table (catch_all $c) (throw $t)))
        (i32.const 7))
      (tag $t))"#;
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &Config::default());
        let (mut store, instance) = engine.instantiate(INF);
        let inf = instance.get_typed_func::<(), ()>(&store, "inf").unwrap();
        let err = inf.call(&mut store, ()).unwrap_err();
        let code = err.as_trap().and_then(Trap::code);
        assert_eq!(code, Some(TrapCode::StackExhausted), "{tier:?}");
        let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
        assert_eq!(ok.call(&mut store, ()).ok(), Some(7), "{tier:?}");
    }
}

#[test]
fn interruption_stops_a_loop_of_throws() {
    const SPIN: &str = r#"(module
      (tag $t (param i32))
      (func $thrower (param i32) (throw $t (local.get 0)))
      (func (export "spin") (local $i i32)
        (loop $l
          (block $c (result i32)
            (try_table (catch $t $c) (call $thrower (local.get $i)))
            (i32.const 0))
          (local.set $i (i32.add (i32.const 1)))
          (br $l))))"#;
    let mut config = Config::default();
    config.interruptible(true);
    for tier in PLACEMENTS {
        let engine = TierEngine::new(tier, &config);
        let (mut store, instance) = engine.instantiate(SPIN);
        let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
        let handle = store.interrupt_handle();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            handle.interrupt();
        });
        let err = spin.call(&mut store, ()).unwrap_err();
        stopper.join().unwrap();
        let code = err.as_trap().and_then(Trap::code);
        assert_eq!(code, Some(TrapCode::Interrupted), "{tier:?}");
    }
}

/// Frames for the backtrace test: defined functions 0 `$inner` (throws, or traps), 1
/// `$middle`, 2 `$outer`, and 3, which catches one exception and then traps.
const FRAMES: &str = r#"(module
  (tag $boom (param i32))
  (func $inner (param i32) (result i32)
    (if (local.get 0) (then (throw $boom (i32.const 1))))
    unreachable)
  (func $middle (param i32) (result i32) (i32.add (i32.const 1) (call $inner (local.get 0))))
  (func $outer (export "run") (param i32) (result i32)
    (i32.add (i32.const 1) (call $middle (local.get 0))))
  (func $caught_then_trap (export "caught_then_trap") (param i32) (result i32)
    (block $h (try_table (catch_all $h) (drop (call $outer (i32.const 1)))))
    (call $outer (i32.const 0))))"#;

#[test]
fn traps_and_exceptions_carry_every_wasm_frame_on_every_tier() {
    let placements = PLACEMENTS
        .into_iter()
        .chain([
            Tier::Split(&[2]),
            Tier::Split(&[1, 2]),
            Tier::Split(&[0, 2]),
        ])
        .chain((0..8).map(Tier::Mixed));
    for tier in placements {
        let engine = TierEngine::new(tier, &Config::default());
        let (mut store, instance) = engine.instantiate(FRAMES);
        let frames = |err: Error| -> Vec<(u32, Option<String>)> {
            let trap = err.as_trap().expect("a trap");
            trap.backtrace()
                .iter()
                .map(|f| (f.func_index, f.func_name.clone()))
                .collect()
        };
        let named = |names: &[(u32, &str)]| -> Vec<(u32, Option<String>)> {
            names
                .iter()
                .map(|&(i, n)| (i, Some(n.to_string())))
                .collect()
        };
        let three = named(&[(0, "inner"), (1, "middle"), (2, "outer")]);
        for (name, arg) in [("run", 1), ("run", 0)] {
            let f = instance.get_typed_func::<i32, i32>(&store, name).unwrap();
            let err = f.call(&mut store, arg).unwrap_err();
            assert_eq!(frames(err), three, "{tier:?} {name}({arg})");
        }
        // The frames an exception left before a handler caught it are not a later trap's.
        let f = instance
            .get_typed_func::<i32, i32>(&store, "caught_then_trap")
            .unwrap();
        let err = f.call(&mut store, 0).unwrap_err();
        let mut four = three.clone();
        four.push((3, Some("caught_then_trap".to_string())));
        assert_eq!(frames(err), four, "{tier:?}");
    }
}
