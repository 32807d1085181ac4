//! The JIT against the interpreter: the same results, traps and fuel for the same code,
//! and the JIT's own guarantees (stack exhaustion is a trap, never a crash; interruption;
//! host functions, their traps and panics; memory growth; stores that move), on every
//! tier with native code: the JIT alone, tier-up with thresholds that force switches
//! (every function compiled at its first call, every loop entered natively at its first
//! iteration), and a mixed engine (functions on either tier by a seeded choice).

use wisp_core::{Caller, Config, Error, Instance, Linker, Module, Store, Trap, TrapCode, Val};

mod common;

use common::{engine, Tier, NATIVE};

fn instantiate(tier: Tier, config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = engine(tier, config);
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    e.as_trap().and_then(Trap::code)
}

/// Control flow of every shape the fuel rules distinguish: loops, both arms of `if`s, `if`
/// without `else`, `else` after a branch, blocks whose end nothing reaches, `br_table`,
/// calls, early returns.
const FUEL_SHAPES: &str = r#"(module
  (func $leaf (param i32) (result i32)
    (if (result i32) (i32.and (local.get 0) (i32.const 1))
      (then (return (i32.mul (local.get 0) (i32.const 3))))
      (else (i32.add (local.get 0) (i32.const 1)))))
  (func $switch (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (i32.rem_u (local.get 0) (i32.const 3))))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func $dead_ends (param i32) (result i32)
    (block $out (result i32)
      (if (local.get 0)
        (then (block (br $out (i32.const 7))) (drop (i32.const 1)))
        (else (nop)))
      (i32.const 8)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $leaf (local.get $i))))
      (local.set $acc (i32.add (local.get $acc) (call $switch (local.get $i))))
      (local.set $acc (i32.add (local.get $acc) (call $dead_ends (i32.and (local.get $i) (i32.const 1)))))
      (if (i32.eq (local.get $i) (i32.const 5)) (then (local.set $acc (i32.sub (local.get $acc) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))"#;

/// Runs `run(n)` with `fuel`: the result or trap, and the fuel left.
fn run_with_fuel(tier: Tier, n: i32, fuel: u64) -> (Result<i32, Option<TrapCode>>, u64) {
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, instance) = instantiate(tier, &config, FUEL_SHAPES);
    store.set_fuel(fuel).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    let result = run.call(&mut store, n).map_err(|e| trap_code(&e));
    (result, store.get_fuel().unwrap())
}

#[test]
fn fuel_is_charged_as_the_interpreter_charges_it() {
    let (result, left) = run_with_fuel(Tier::Interp, 20, 1_000_000);
    let used = 1_000_000 - left;
    assert!(result.is_ok());
    for tier in NATIVE {
        assert_eq!(
            run_with_fuel(tier, 20, 1_000_000),
            (result, left),
            "{tier:?}"
        );
        // Every budget up to what the run needs: the same point of exhaustion, the same
        // fuel left (a block that cannot be paid for is not charged).
        for fuel in (0..=used + 1).step_by(7).chain([used - 1, used, used + 1]) {
            assert_eq!(
                run_with_fuel(tier, 20, fuel),
                run_with_fuel(Tier::Interp, 20, fuel),
                "{tier:?} with {fuel} fuel"
            );
        }
    }
}

const REC: &str = r#"(module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $forever (export "forever") (param i64) (result i64)
    (i64.add (call $forever (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
  (func $wide (export "wide") (param i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (local.get 0)) (local.set 9 (i64.mul (local.get 0) (local.get 0)))
    (i64.add (call $wide (i64.add (local.get 1) (local.get 9))) (local.get 16))))"#;

#[test]
fn unbounded_recursion_is_stack_exhausted_on_a_small_thread() {
    for tier in NATIVE {
        // 512 KiB: far less than 100,000 frames need, so the stack limit (not the call
        // budget) ends the recursion. 64 KiB: the smallest stack the interpreter is tested
        // on (`tests/dispatch.rs`), which native code must run on too.
        for stack in [512 << 10, 64 << 10] {
            unbounded_recursion_on_a_small_thread(tier, stack);
        }
    }
}

fn unbounded_recursion_on_a_small_thread(tier: Tier, stack: usize) {
    let (mut store, instance) = instantiate(tier, &Config::default(), REC);
    let forever = instance
        .get_typed_func::<i64, i64>(&store, "forever")
        .unwrap();
    let wide = instance.get_typed_func::<i64, i64>(&store, "wide").unwrap();
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    let codes = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let a = trap_code(&forever.call(&mut store, 0).unwrap_err());
            let b = trap_code(&wide.call(&mut store, 0).unwrap_err());
            // The store keeps working after the traps.
            assert_eq!(depth.call(&mut store, 100).unwrap(), 100);
            (a, b)
        })
        .unwrap()
        .join()
        .expect("the small-stack thread must not overflow");
    assert_eq!(
        codes,
        (
            Some(TrapCode::StackExhausted),
            Some(TrapCode::StackExhausted)
        ),
        "{tier:?} on a stack of {stack} bytes"
    );
}

#[test]
fn max_call_depth_bounds_native_recursion_as_it_bounds_the_interpreter() {
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        let mut config = Config::default();
        config.max_call_depth(1_000);
        let (mut store, instance) = instantiate(tier, &config, REC);
        let depth = instance
            .get_typed_func::<i32, i32>(&store, "depth")
            .unwrap();
        // 1,000 frames: `depth(999)` down to `depth(0)`.
        assert_eq!(depth.call(&mut store, 999).unwrap(), 999, "{tier:?}");
        let err = depth.call(&mut store, 1_000).unwrap_err();
        assert_eq!(trap_code(&err), Some(TrapCode::StackExhausted), "{tier:?}");
        assert_eq!(depth.call(&mut store, 10).unwrap(), 10, "{tier:?}");
    }
}

/// A leaf function checks the call budget without taking it (`EntryChecks::Leaf` in the
/// JIT's translator): the same trap at the same depth as the interpreter, and the budget
/// whole afterwards.
#[test]
fn a_leaf_at_the_call_budget_s_edge_traps_as_in_the_interpreter() {
    const LEAF_AT_THE_BOTTOM: &str = r#"(module
      (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (call $leaf (i32.const 7)))
          (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))"#;
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        let mut config = Config::default();
        config.max_call_depth(1_000);
        let (mut store, instance) = instantiate(tier, &config, LEAF_AT_THE_BOTTOM);
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        for _ in 0..3 {
            // 999 frames of `down` and the leaf: 1,000.
            assert_eq!(down.call(&mut store, 998).unwrap(), 998 + 21, "{tier:?}");
            let err = down.call(&mut store, 999).unwrap_err();
            assert_eq!(trap_code(&err), Some(TrapCode::StackExhausted), "{tier:?}");
        }
    }
}

#[test]
fn an_interrupt_stops_an_endless_loop() {
    for tier in NATIVE {
        interrupt_an_endless_loop(tier);
    }
}

fn interrupt_an_endless_loop(tier: Tier) {
    let mut config = Config::default();
    config.interruptible(true);
    let (mut store, instance) = instantiate(
        tier,
        &config,
        r#"(module (func (export "spin") (loop $l (br $l))) (func (export "one") (result i32) (i32.const 1)))"#,
    );
    let handle = store.interrupt_handle();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::Interrupted));
    // Consumed: the store runs again.
    let one = instance.get_typed_func::<(), i32>(&store, "one").unwrap();
    assert_eq!(one.call(&mut store, ()).unwrap(), 1);
}

#[derive(Debug)]
struct Refused(i32);
impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused {}", self.0)
    }
}

const HOST: &str = r#"(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "refuse" (func $refuse (param i32)))
  (import "env" "panic" (func $panic))
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "twice_plus_one") (param i32) (result i32)
    (i32.add (call $twice (local.get 0)) (i32.const 1)))
  (func (export "refuse") (param i32) (call $refuse (local.get 0)) unreachable)
  (func (export "panic") (call $panic))
  (func (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $reenter (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))"#;

fn host_instance(tier: Tier) -> (Store<()>, Instance) {
    let engine = engine(tier, &Config::default());
    let module = Module::new(&engine, wat::parse_str(HOST).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "twice", |x: i32| x * 2)
        .unwrap()
        .func_wrap("env", "refuse", |x: i32| -> Result<(), Trap> {
            Err(Trap::host(Refused(x)))
        })
        .unwrap()
        .func_wrap("env", "panic", || -> () { panic!("host panic") })
        .unwrap()
        .func_wrap(
            "env",
            "reenter",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                // wasm -> host -> wasm, through the same store.
                let down = caller.get_export("down").unwrap().into_func().unwrap();
                let mut out = [Val::I32(0)];
                down.call(&mut caller, &[Val::I32(x)], &mut out)
                    .map_err(|e| Trap::msg(e.to_string()))?;
                Ok(out[0].i32().unwrap())
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn host_functions_their_traps_and_reentry() {
    for tier in NATIVE {
        host_functions(tier);
    }
}

fn host_functions(tier: Tier) {
    let (mut store, instance) = host_instance(tier);
    let f = instance
        .get_typed_func::<i32, i32>(&store, "twice_plus_one")
        .unwrap();
    assert_eq!(f.call(&mut store, 20).unwrap(), 41);
    let refuse = instance
        .get_typed_func::<i32, ()>(&store, "refuse")
        .unwrap();
    let err = refuse.call(&mut store, 7).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.downcast_ref::<Refused>().map(|r| r.0), Some(7));
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 50).unwrap(), 50);
}

#[test]
fn a_host_panic_unwinds_to_the_caller_and_the_store_still_works() {
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        host_panic(tier);
    }
}

fn host_panic(tier: Tier) {
    let (mut store, instance) = host_instance(tier);
    let panic = instance.get_typed_func::<(), ()>(&store, "panic").unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = panic.call(&mut store, ());
    }));
    let payload = caught.expect_err("the host's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"host panic"));
    let f = instance
        .get_typed_func::<i32, i32>(&store, "twice_plus_one")
        .unwrap();
    assert_eq!(f.call(&mut store, 1).unwrap(), 3);
}

#[test]
fn memory_growth_moves_memory_under_running_code() {
    // Memories in reserved address space never move; heap memories move as they grow.
    for reserve in [true, false] {
        let mut config = Config::default();
        config.memory_reservation(reserve);
        for tier in NATIVE {
            memory_growth(tier, &config);
        }
    }
}

fn memory_growth(tier: Tier, config: &Config) {
    let (mut store, instance) = instantiate(
        tier,
        config,
        r#"(module (memory 1)
          (func (export "fill") (result i32) (local $i i32) (local $sum i32)
            ;; Grow one page at a time, writing into each new page, then read it all back.
            (loop $grow
              (drop (memory.grow (i32.const 1)))
              (i32.store (i32.mul (local.get $i) (i32.const 65536)) (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $grow (i32.lt_u (local.get $i) (i32.const 64))))
            (local.set $i (i32.const 0))
            (loop $read
              (local.set $sum (i32.add (local.get $sum)
                (i32.load (i32.mul (local.get $i) (i32.const 65536)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $read (i32.lt_u (local.get $i) (i32.const 64))))
            (i32.add (local.get $sum) (memory.size)))
          ;; The last 4 bytes of 65 pages are in bounds, one byte further is not.
          (func (export "last") (result i32) (i32.load (i32.const 4259836)))
          (func (export "oob") (result i32) (i32.load (i32.const 4259837))))"#,
    );
    let fill = instance.get_typed_func::<(), i32>(&store, "fill").unwrap();
    // 0 + 1 + ... + 63, plus 65 pages.
    assert_eq!(fill.call(&mut store, ()).unwrap(), 2016 + 65);
    let last = instance.get_typed_func::<(), i32>(&store, "last").unwrap();
    assert_eq!(last.call(&mut store, ()).unwrap(), 0);
    let oob = instance.get_typed_func::<(), i32>(&store, "oob").unwrap();
    let err = oob.call(&mut store, ()).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::MemoryOutOfBounds));
}

#[test]
fn many_results_and_a_store_that_moves_between_calls() {
    let wat = r#"(module
      (func $many (param i64) (result i64 i32 f64 f32 i64 i64 i32 i32 f64 i64 i64 i64)
        (local.get 0) (i32.const 2) (f64.const 3.5) (f32.const 4.5) (i64.const 5) (i64.const 6)
        (i32.const 7) (i32.const 8) (f64.const 9.25) (i64.const 10) (i64.const 11) (local.get 0))
      (func (export "sum") (param i64) (result f64)
        (local i64 i32 f64 f32 i64 i64 i32 i32 f64 i64 i64 i64)
        (call $many (local.get 0))
        (local.set 12) (local.set 11) (local.set 10) (local.set 9) (local.set 8) (local.set 7)
        (local.set 6) (local.set 5) (local.set 4) (local.set 3) (local.set 2) (local.set 1)
        (f64.add
          (f64.convert_i64_s (i64.add (i64.add (i64.add (local.get 1) (local.get 5)) (i64.add (local.get 6) (local.get 10)))
            (i64.add (i64.add (local.get 11) (local.get 12)) (i64.extend_i32_s (i32.add (local.get 2) (i32.add (local.get 7) (local.get 8)))))))
          (f64.add (f64.add (local.get 3) (f64.promote_f32 (local.get 4))) (local.get 9)))))"#;
    let mut stores = Vec::new();
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        let (store, instance) = instantiate(tier, &Config::default(), wat);
        stores.push((tier, Box::new(store), instance));
    }
    let mut results = Vec::new();
    for (tier, store, instance) in stores {
        let sum = instance.get_typed_func::<i64, f64>(&*store, "sum").unwrap();
        // Move the store out of its box and back: native code must not keep its address.
        let mut store = *store;
        let first = sum.call(&mut store, 100).unwrap();
        let mut moved = Box::new(store);
        let second = sum.call(&mut *moved, 1).unwrap();
        results.push((tier, first, second));
    }
    assert_eq!(
        results[0].1,
        100.0 + 2.0 + 3.5 + 4.5 + 5.0 + 6.0 + 7.0 + 8.0 + 9.25 + 10.0 + 11.0 + 100.0
    );
    for r in &results[1..] {
        assert_eq!((results[0].1, results[0].2), (r.1, r.2), "{:?}", r.0);
    }
}

#[test]
fn calls_across_instances_and_tables() {
    for tier in NATIVE {
        calls_across_instances(tier);
    }
}

fn calls_across_instances(tier: Tier) {
    let engine = engine(tier, &Config::default());
    let a = Module::new(
        &engine,
        wat::parse_str(
            r#"(module
              (table (export "t") 4 funcref)
              (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
              (func (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
              (elem (i32.const 0) $sq))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let b = Module::new(
        &engine,
        wat::parse_str(
            r#"(module
              (import "a" "t" (table 4 funcref))
              (import "a" "neg" (func $neg (param i32) (result i32)))
              (type $i2i (func (param i32) (result i32)))
              (func $self (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
              (func (export "setup") (table.set 0 (i32.const 1) (ref.func $self))
                                     (table.set 0 (i32.const 2) (ref.func $neg)))
              (func (export "at") (param i32 i32) (result i32)
                (call_indirect (type $i2i) (local.get 1) (local.get 0)))
              (func (export "wrong") (result i64)
                (call_indirect (result i64) (i32.const 0)))
              (elem declare func $self $neg))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let ia = linker.instantiate(&mut store, &a).unwrap();
    linker.instance(&mut store, "a", ia).unwrap();
    let ib = linker.instantiate(&mut store, &b).unwrap();
    let setup = ib.get_typed_func::<(), ()>(&store, "setup").unwrap();
    setup.call(&mut store, ()).unwrap();
    let at = ib.get_typed_func::<(i32, i32), i32>(&store, "at").unwrap();
    assert_eq!(at.call(&mut store, (0, 7)).unwrap(), 49);
    assert_eq!(at.call(&mut store, (1, 7)).unwrap(), 107);
    assert_eq!(at.call(&mut store, (2, 7)).unwrap(), -7);
    let code = |r: Result<i32, Error>| trap_code(&r.unwrap_err());
    assert_eq!(
        code(at.call(&mut store, (3, 7))),
        Some(TrapCode::IndirectCallToNull)
    );
    assert_eq!(
        code(at.call(&mut store, (4, 7))),
        Some(TrapCode::TableOutOfBounds)
    );
    let wrong = ib.get_typed_func::<(), i64>(&store, "wrong").unwrap();
    let err = wrong.call(&mut store, ()).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::BadSignature));
    // A function reference made by native code works from the host, and from the table.
    let t = ia.get_table(&store, "t").unwrap();
    let Some(Val::FuncRef(Some(f))) = t.get(&store, 1).unwrap() else {
        panic!("table.set left a function in slot 1");
    };
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(1)], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(101));

    // Native code calls another instance's compiled function directly (an import, or
    // through the table), with that instance's context, whose store pointer was last set
    // when the host entered it: the store has moved since, and the call must not use the
    // old address.
    let neg = ia.get_typed_func::<i32, i32>(&store, "neg").unwrap();
    assert_eq!(neg.call(&mut store, 3).unwrap(), -3);
    let moved = Box::new(store);
    let mut store = *moved;
    for _ in 0..3 {
        assert_eq!(at.call(&mut store, (2, 7)).unwrap(), -7, "{tier:?}");
        assert_eq!(at.call(&mut store, (0, 7)).unwrap(), 49, "{tier:?}");
    }
}

#[test]
fn functions_with_thousands_of_locals_keep_them_in_stack_slots() {
    // 2,000 locals over ~25 KB of code: past the point where the translator keeps locals
    // in stack slots rather than SSA variables (`SLOT_LOCALS_ABOVE`).
    let n = 2000;
    let mut body = String::new();
    for i in 1..n {
        body.push_str(&format!(
            "(local.set {i} (i64.add (local.get {}) (i64.const {i})))\n",
            i - 1
        ));
    }
    let wat = format!(
        r#"(module (func (export "f") (param i64) (result i64) (local i64 i64)
             (local {locals})
             (loop $l
               {body}
               (local.set 0 (i64.add (local.get {last}) (i64.const 1)))
               (br_if $l (i64.lt_u (local.get 0) (i64.const 100000000))))
             (local.get {last})))"#,
        locals = "i64 ".repeat(n - 3),
        last = n - 1,
    );
    let mut results = Vec::new();
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        let (mut store, instance) = instantiate(tier, &Config::default(), &wat);
        let f = instance.get_typed_func::<i64, i64>(&store, "f").unwrap();
        results.push((
            f.call(&mut store, 0).unwrap(),
            f.call(&mut store, 5).unwrap(),
        ));
    }
    assert_eq!(results[0], results[1]);
}

/// Host -> wasm re-entry is bounded (`MAX_REENTRANCY`, 256 nested entries): a guest that
/// recurses through a host function ends in `StackExhausted`, not a native stack overflow,
/// on every tier, and the store keeps working.
#[test]
fn reentry_through_the_host_is_bounded() {
    for tier in [Tier::Interp].into_iter().chain(NATIVE) {
        let (mut store, instance) = host_instance(tier);
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        let err = down.call(&mut store, 1_000).unwrap_err();
        assert!(
            err.to_string().contains("call stack exhausted"),
            "{tier:?}: {err}"
        );
        assert_eq!(down.call(&mut store, 20).unwrap(), 20, "{tier:?}");
    }
}
