//! Store limits and fuel on every tier: growth past the store's memory cap or refused by
//! its `ResourceLimiter` is -1 (or the limiter's trap, or its panic, passed to the caller)
//! whether `memory.grow` / `table.grow` run interpreted or native; and a store that ran out
//! of fuel, given more, continues the guest's work where it stopped, at the same points on
//! every tier. After each, the same store keeps running.

use std::sync::{Arc, Mutex};

use wisp_core::{
    Config, Error, Instance, Linker, Module, ResourceLimiter, Store, Trap, TrapCode, TypedFunc,
};

mod common;

use common::{engine, Tier, ALL};

fn instantiate(
    tier: Tier,
    config: &Config,
    wat: &str,
    limiter: Option<Limiter>,
) -> (Store<()>, Instance) {
    let engine = engine(tier, config);
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    if let Some(limiter) = limiter {
        store.limiter(limiter);
    }
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

const PAGE: u64 = 65536;

/// Growth in a loop, so that the tiered engines run it native after the first iteration,
/// and in a function of its own, called once per test step.
const GROWER: &str = r#"(module
  (memory (export "mem") 1)
  (table 1 externref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_each") (param $times i32) (param $by i32) (result i32)
    (local $failed i32)
    (loop $l
      (if (i32.eq (memory.grow (local.get $by)) (i32.const -1))
        (then (local.set $failed (i32.add (local.get $failed) (i32.const 1)))))
      (br_if $l (local.tee $times (i32.sub (local.get $times) (i32.const 1)))))
    (local.get $failed))
  (func (export "size") (result i32) (memory.size))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow (ref.null extern) (local.get 0)))
  (func (export "table_size") (result i32) (table.size)))"#;

struct Grower {
    grow: TypedFunc<i32, i32>,
    grow_each: TypedFunc<(i32, i32), i32>,
    size: TypedFunc<(), i32>,
    table_grow: TypedFunc<i32, i32>,
    table_size: TypedFunc<(), i32>,
}

fn grower(store: &Store<()>, instance: Instance) -> Grower {
    Grower {
        grow: instance.get_typed_func(store, "grow").unwrap(),
        grow_each: instance.get_typed_func(store, "grow_each").unwrap(),
        size: instance.get_typed_func(store, "size").unwrap(),
        table_grow: instance.get_typed_func(store, "table_grow").unwrap(),
        table_size: instance.get_typed_func(store, "table_size").unwrap(),
    }
}

#[derive(Debug)]
struct Denied(u64);
impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "denied: {} wanted", self.0)
    }
}

/// What the limiter does past its budget.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Past {
    Refuse,
    Trap,
    Panic,
}

/// Allows memories up to `memory` bytes and tables up to `elements`; past that, `past`.
/// Records every question.
#[derive(Clone)]
struct Limiter {
    memory: u64,
    elements: u32,
    past: Past,
    asked: Arc<Mutex<Vec<(u64, u64)>>>,
}

impl Limiter {
    fn new(memory: u64, elements: u32, past: Past) -> Limiter {
        Limiter {
            memory,
            elements,
            past,
            asked: Arc::default(),
        }
    }

    fn over(&self, wanted: u64) -> Result<bool, Trap> {
        match self.past {
            Past::Refuse => Ok(false),
            Past::Trap => Err(Trap::host(Denied(wanted))),
            Past::Panic => panic!("limiter panic"),
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: u64, desired: u64, _: Option<u64>) -> Result<bool, Trap> {
        self.asked.lock().unwrap().push((current, desired));
        if desired > self.memory {
            return self.over(desired);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _: u32, desired: u32, _: Option<u32>) -> Result<bool, Trap> {
        if desired > self.elements {
            return self.over(desired.into());
        }
        Ok(true)
    }
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    e.as_trap().and_then(Trap::code)
}

#[test]
fn limiter_refusals_are_minus_one_on_every_tier() {
    for tier in ALL {
        let limiter = Limiter::new(10 * PAGE, 3, Past::Refuse);
        let asked = limiter.asked.clone();
        let (mut store, instance) = instantiate(tier, &Config::default(), GROWER, Some(limiter));
        let g = grower(&store, instance);
        // Twenty growths by one page: nine fit (1 + 9 = 10 pages), eleven are refused.
        assert_eq!(
            g.grow_each.call(&mut store, (20, 1)).unwrap(),
            11,
            "{tier:?}"
        );
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 10, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 2).unwrap(), 1, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(g.table_size.call(&mut store, ()).unwrap(), 3, "{tier:?}");
        // Asked at creation, then before each growth: the same questions on every tier.
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 1 + 20 + 1, "{tier:?}");
        assert_eq!(asked[0], (0, PAGE));
        assert_eq!(asked[9], (9 * PAGE, 10 * PAGE));
        assert_eq!(asked[10], (10 * PAGE, 11 * PAGE));
    }
}

#[test]
fn a_limiter_trap_stops_the_guest_on_every_tier() {
    for tier in ALL {
        let limiter = Limiter::new(4 * PAGE, 3, Past::Trap);
        let (mut store, instance) = instantiate(tier, &Config::default(), GROWER, Some(limiter));
        let g = grower(&store, instance);
        // The loop grows three pages, then traps at the fourth: the guest does not go on.
        let err = g.grow_each.call(&mut store, (20, 1)).unwrap_err();
        let denied = err.as_trap().and_then(|t| t.downcast_ref::<Denied>());
        assert_eq!(denied.map(|d| d.0), Some(5 * PAGE), "{tier:?}");
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 4, "{tier:?}");
        let err = g.table_grow.call(&mut store, 3).unwrap_err();
        assert!(
            err.as_trap().unwrap().downcast_ref::<Denied>().is_some(),
            "{tier:?}"
        );
        // The store runs on.
        assert_eq!(g.grow.call(&mut store, 0).unwrap(), 4, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 2).unwrap(), 1, "{tier:?}");
    }
}

#[test]
fn a_limiter_panic_reaches_the_caller_and_the_store_still_works() {
    for tier in ALL {
        let limiter = Limiter::new(2 * PAGE, 3, Past::Panic);
        let (mut store, instance) = instantiate(tier, &Config::default(), GROWER, Some(limiter));
        let g = grower(&store, instance);
        for call in [&g.grow, &g.table_grow] {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = call.call(&mut store, 5);
            }));
            let payload = caught.expect_err("the limiter's panic reaches the caller");
            assert_eq!(
                payload.downcast_ref::<&str>(),
                Some(&"limiter panic"),
                "{tier:?}"
            );
        }
        store.limiter(Limiter::new(u64::MAX, u32::MAX, Past::Refuse));
        assert_eq!(g.grow_each.call(&mut store, (3, 1)).unwrap(), 0, "{tier:?}");
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 4, "{tier:?}");
    }
}

#[test]
fn the_store_memory_cap_is_minus_one_on_every_tier() {
    for tier in ALL {
        let mut config = Config::default();
        config.max_store_memory_bytes(8 * PAGE);
        let (mut store, instance) = instantiate(tier, &config, GROWER, None);
        let g = grower(&store, instance);
        assert_eq!(
            g.grow_each.call(&mut store, (10, 1)).unwrap(),
            3,
            "{tier:?}"
        );
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 8, "{tier:?}");
        // The hostile request: all the address space at once.
        assert_eq!(g.grow.call(&mut store, 65535).unwrap(), -1, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 0).unwrap(), 8, "{tier:?}");
    }
}

/// Work that keeps its progress in globals: each call continues from where the last one
/// stopped, so a guest that ran out of fuel finishes when given more.
const WORK: &str = r#"(module
  (global $i (export "i") (mut i32) (i32.const 0))
  (global $sum (mut i64) (i64.const 0))
  (func $step (param $i i32) (result i64) (i64.extend_i32_u (i32.mul (local.get $i) (local.get $i))))
  (func (export "work") (param $n i32) (result i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (global.get $i) (local.get $n)))
        (global.set $sum (i64.add (global.get $sum) (call $step (global.get $i))))
        (global.set $i (i32.add (global.get $i) (i32.const 1)))
        (br $l)))
    (global.get $sum)))"#;

/// Runs `work(1000)` with 700 fuel at a time, adding 700 each time it runs out: the
/// progress made before each refuel, and the result.
fn work_in_installments(tier: Tier) -> (Vec<(i32, u64)>, i64) {
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, instance) = instantiate(tier, &config, WORK, None);
    let work = instance.get_typed_func::<i32, i64>(&store, "work").unwrap();
    let i = instance.get_global(&store, "i").unwrap();
    let mut stops = Vec::new();
    loop {
        store.set_fuel(700).unwrap();
        match work.call(&mut store, 1000) {
            Ok(sum) => return (stops, sum),
            Err(e) => {
                assert_eq!(trap_code(&e), Some(TrapCode::OutOfFuel), "{tier:?}");
                let done = i.get(&store).unwrap().i32().unwrap();
                stops.push((done, store.get_fuel().unwrap()));
                assert!(stops.len() < 1000, "{tier:?} makes no progress");
            }
        }
    }
}

#[test]
fn out_of_fuel_then_refuelled_continues_at_the_same_points_on_every_tier() {
    let (stops, sum) = work_in_installments(Tier::Interp);
    assert_eq!(sum, (0..1000i64).map(|i| i * i).sum::<i64>());
    assert!(stops.len() > 10, "{} installments", stops.len());
    // Each stop made progress.
    assert!(stops.windows(2).all(|w| w[0].0 < w[1].0));
    for tier in &ALL[1..] {
        assert_eq!(
            work_in_installments(*tier),
            (stops.clone(), sum),
            "{tier:?}"
        );
    }
}

/// Compiling a module counts against the store's interrupt as running it does: with the
/// interrupt already asked for, the first call stops the compile before its first
/// function and traps with `Interrupted`, keeping nothing; the next call compiles (on one
/// thread, `Config::compile_threads(1)`, or on every core) and runs.
#[test]
fn an_interrupt_stops_the_compile_and_the_next_call_compiles_again() {
    // 400 functions of ~200 bytes: enough for every compile thread to take some.
    let mut wat = String::from("(module\n");
    for i in 0..400 {
        wat.push_str(&format!(
            "(func $f{i} (param i32) (result i32) (local.get 0)"
        ));
        for k in 0..40 {
            wat.push_str(&format!(
                " (i32.add (i32.const {k})) (i32.mul (i32.const 3))"
            ));
        }
        wat.push_str(")\n");
    }
    wat.push_str("(func (export \"run\") (param i32) (result i32) (call $f399 (local.get 0))))");
    let wasm = wat::parse_str(&wat).unwrap();
    for threads in [1, 0] {
        let mut config = Config::default();
        config.interruptible(true).compile_threads(threads);
        let engine = engine(Tier::Jit, &config);
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
        store.interrupt_handle().interrupt();
        let e = run.call(&mut store, 1).unwrap_err();
        assert_eq!(
            e.as_trap().and_then(Trap::code),
            Some(TrapCode::Interrupted)
        );
        assert!(
            wisp_jit::compile_stats(&module).is_none(),
            "the interrupted compile kept nothing"
        );
        assert!(!store.interrupt_handle().is_interrupted(), "consumed");
        let expected = (0..40).fold(1i32, |x, k| x.wrapping_add(k).wrapping_mul(3));
        assert_eq!(run.call(&mut store, 1).unwrap(), expected);
        let stats = wisp_jit::compile_stats(&module).expect("compiled on the second call");
        assert_eq!(stats.functions, 401);
    }
}
