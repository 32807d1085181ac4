//! One shared memory, many threads, every tier: 8 threads, each with its own store and
//! instance, import one `SharedMemory` and hammer it: an atomic counter, a plain counter
//! guarded by a futex-style mutex (compare-exchange, `wait`, `notify`), and growth by one
//! thread that the others wait for and then use. No update may be lost, no wake-up missed
//! (waits carry a timeout, so a missed one shows as slowness rather than a hang), and no
//! access to the grown pages may trap.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::{osr_engine, TierEngine, ALL};
use wisp_core::{Config, Engine, Instance, Linker, MemoryType, Module, SharedMemory, Store};

const THREADS: u32 = 8;
const ROUNDS: i32 = 20_000;
/// Pages the growing thread adds, one at a time, before it signals.
const GROWN: u32 = 3;

/// Cells: 0 the atomic counter, 8 the mutex (0 free, 1 held, 2 held with waiters), 12 the
/// counter the mutex guards, 16 the size in pages once grown (0 before).
const WAT: &str = r#"(module
  (import "env" "memory" (memory 1 16 shared))
  (func $lock (local $c i32)
    (local.set $c (i32.atomic.rmw.cmpxchg (i32.const 8) (i32.const 0) (i32.const 1)))
    (if (local.get $c) (then
      (loop $retry
        (if (i32.or (i32.eq (local.get $c) (i32.const 2))
                    (i32.ne (i32.atomic.rmw.cmpxchg (i32.const 8) (i32.const 1) (i32.const 2))
                            (i32.const 0)))
          (then (drop (memory.atomic.wait32 (i32.const 8) (i32.const 2) (i64.const 100000000)))))
        (local.set $c (i32.atomic.rmw.cmpxchg (i32.const 8) (i32.const 0) (i32.const 2)))
        (br_if $retry (local.get $c))))))
  (func $unlock
    (if (i32.ne (i32.atomic.rmw.sub (i32.const 8) (i32.const 1)) (i32.const 1))
      (then
        (i32.atomic.store (i32.const 8) (i32.const 0))
        (drop (memory.atomic.notify (i32.const 8) (i32.const 1))))))
  (func (export "work") (param $n i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (call $lock)
      (i32.store (i32.const 12) (i32.add (i32.load (i32.const 12)) (i32.const 1)))
      (call $unlock)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "grow") (param $pages i32)
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (br_if $l (local.tee $pages (i32.sub (local.get $pages) (i32.const 1)))))
    (i32.atomic.store (i32.const 16) (memory.size))
    (drop (memory.atomic.notify (i32.const 16) (i32.const -1))))
  ;; Waits for the growth, then counts itself in the last word of the grown memory.
  (func (export "use_grown") (local $pages i32)
    (loop $wait
      (local.set $pages (i32.atomic.load (i32.const 16)))
      (if (i32.eqz (local.get $pages)) (then
        (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const 100000000)))
        (br $wait))))
    (drop (i32.atomic.rmw.add
      (i32.sub (i32.mul (local.get $pages) (i32.const 65536)) (i32.const 4)) (i32.const 1)))))"#;

/// Runs the workload on `engine`: thread 0 grows the memory while the others wait for it,
/// then all run `work`. With `fuel`, each store gets plenty.
fn hammer(engine: &Engine, fuel: bool) {
    let module = Module::new(engine, wat::parse_str(WAT).unwrap()).unwrap();
    let memory = SharedMemory::new(engine, MemoryType::shared(1, 16)).unwrap();
    let start = Arc::new(Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, module, memory, start) = (
                engine.clone(),
                module.clone(),
                memory.clone(),
                start.clone(),
            );
            thread::spawn(move || {
                let mut store = Store::new(&engine, ());
                if fuel {
                    store.set_fuel(u64::MAX).unwrap();
                }
                let import = memory.attach(&mut store).unwrap();
                let instance = Instance::new(&mut store, &module, &[import.into()]).unwrap();
                start.wait();
                let call = |store: &mut Store<()>, name: &str, args: &[wisp_core::Val]| {
                    let f = instance.get_func(&mut *store, name).unwrap();
                    f.call(&mut *store, args, &mut []).unwrap();
                };
                if t == 0 {
                    call(&mut store, "grow", &[wisp_core::Val::I32(GROWN as i32)]);
                } else {
                    call(&mut store, "use_grown", &[]);
                }
                call(&mut store, "work", &[wisp_core::Val::I32(ROUNDS)]);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let word = |at: usize| {
        let bytes: Vec<u8> = memory.data()[at..at + 4]
            .iter()
            // SAFETY: every thread has been joined; nothing writes the memory now.
            .map(|b| unsafe { *b.get() })
            .collect();
        u32::from_le_bytes(bytes.try_into().unwrap())
    };
    let total = THREADS * ROUNDS as u32;
    assert_eq!(memory.size(), 1 + u64::from(GROWN));
    assert_eq!(word(0), total, "atomic counter");
    assert_eq!(word(8), 0, "the mutex is free at the end");
    assert_eq!(word(12), total, "the counter the mutex guards");
    assert_eq!(word(16), 1 + GROWN, "the size the grower published");
    let last = (1 + GROWN as usize) * 65536 - 4;
    assert_eq!(word(last), THREADS - 1, "every waiter used the grown page");
}

#[test]
fn eight_threads_share_one_memory_on_every_tier() {
    for tier in ALL {
        for fuel in [false, true] {
            let mut config = Config::new();
            config.consume_fuel(fuel);
            hammer(&TierEngine::new(tier, &config).engine, fuel);
        }
    }
    hammer(&osr_engine(&Config::new()), false);
}

#[test]
fn explicit_bounds_checks_see_growth_too() {
    let mut config = Config::new();
    config.signals_based_traps(false);
    for tier in ALL {
        hammer(&TierEngine::new(tier, &config).engine, false);
    }
}

#[test]
fn a_shared_memory_is_one_memory_in_every_store() {
    let engine = common::engine(common::Tier::Interp, &Config::new());
    let memory = SharedMemory::new(&engine, MemoryType::shared(1, 2)).unwrap();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let in_a = memory.attach(&mut a).unwrap();
    assert_eq!(memory.attach(&mut a).unwrap(), in_a, "one handle per store");
    let in_b = memory.attach(&mut b).unwrap();
    in_a.write(&mut a, 100, b"shared").unwrap();
    let mut seen = [0; 6];
    in_b.read(&b, 100, &mut seen).unwrap();
    assert_eq!(&seen, b"shared");
    assert_eq!(in_b.grow(&mut b, 1).unwrap(), 1);
    assert_eq!(
        in_a.size(&a).unwrap(),
        2,
        "growth in one store is seen in the other"
    );
    assert!(in_a.grow(&mut a, 1).is_err(), "past the maximum");
    assert!(SharedMemory::same(
        &in_b.as_shared(&b).unwrap().unwrap(),
        &memory
    ));

    // An exported shared memory is shared too, and outlives the store that made it.
    let module = Module::new(
        &engine,
        wat::parse_str(r#"(module (memory (export "m") 1 1 shared))"#).unwrap(),
    )
    .unwrap();
    let mut c = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut c, &module).unwrap();
    let exported = instance.get_shared_memory(&c, "m").unwrap();
    drop(c);
    let in_b = exported.attach(&mut b).unwrap();
    in_b.write(&mut b, 0, &[1]).unwrap();
    assert_eq!(exported.data_size(), 65536);

    // Types and engines are checked.
    assert!(SharedMemory::new(&engine, MemoryType::new(1, Some(1))).is_err());
    let other = common::engine(common::Tier::Interp, &Config::new());
    let mut d = Store::new(&other, ());
    assert!(memory.attach(&mut d).is_err());
    let unshared = Module::new(
        &engine,
        wat::parse_str(r#"(module (import "env" "m" (memory 1)))"#).unwrap(),
    )
    .unwrap();
    let import = memory.attach(&mut a).unwrap();
    assert!(Instance::new(&mut a, &unshared, &[import.into()]).is_err());
}

/// An interrupt ends a `wait` with no timeout, however deep the calls above it, on every
/// tier, in each of several stores waiting at once.
#[test]
fn an_interrupt_ends_waits_in_every_store() {
    const WAITER: &str = r#"(module
      (import "env" "memory" (memory 1 1 shared))
      (func $wait (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
      (func $middle (result i32) (i32.add (call $wait) (i32.const 10)))
      (func (export "run") (result i32)
        (loop $again
          (br_if $again (i32.eq (call $middle) (i32.const 10))))
        (i32.const 7)))"#;
    for tier in ALL {
        let mut config = Config::new();
        config.interruptible(true);
        let engine = TierEngine::new(tier, &config).engine;
        let module = Module::new(&engine, wat::parse_str(WAITER).unwrap()).unwrap();
        let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1)).unwrap();
        let (handles, waiters): (Vec<_>, Vec<_>) = (0..4)
            .map(|_| {
                let mut store = Store::new(&engine, ());
                let import = memory.attach(&mut store).unwrap();
                let instance = Instance::new(&mut store, &module, &[import.into()]).unwrap();
                let handle = store.interrupt_handle();
                let waiter = thread::spawn(move || {
                    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
                    run.call(&mut store, ())
                });
                (handle, waiter)
            })
            .unzip();
        thread::sleep(std::time::Duration::from_millis(50));
        for h in &handles {
            h.interrupt();
        }
        for w in waiters {
            let trap = w.join().unwrap().unwrap_err();
            assert_eq!(
                trap.as_trap().and_then(|t| t.code()),
                Some(wisp_core::TrapCode::Interrupted),
                "{tier:?}: {trap}"
            );
        }
    }
}

/// What README's "Threads" section says crosses threads.
#[test]
fn what_crosses_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send_sync::<Linker<()>>();
    send_sync::<SharedMemory>();
    send_sync::<wisp_core::InterruptHandle>();
    send::<Store<()>>();
    send_sync::<Instance>();
    send_sync::<wisp_core::Func>();
    send_sync::<wisp_core::TypedFunc<i32, i32>>();
    send_sync::<wisp_core::Memory>();
    send_sync::<wisp_core::Table>();
    send_sync::<wisp_core::Global>();
}
