//! The interpreter's wasm->wasm calls must not recurse on the native stack: deep recursion
//! works on a tiny native stack, and unbounded recursion ends in a `StackExhausted` trap,
//! not a crash.
//!
//! On the interpreter, pinned: a tiered engine (the default with the `jit` feature) runs
//! a function natively once it is hot, and native frames do use the native stack, so on a
//! 64 KiB thread the same recursion traps or not depending on when tier-up installs the
//! code. The native tiers' own guarantees on small stacks are `jit/tests/tiers.rs`'s.

use wisp::{Config, Engine, Error, Instance, Linker, Module, Store, Tier, TrapCode};

const REC: &str = r#"(module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $forever (export "forever") (param i64) (result i64)
    (i64.add (call $forever (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))"#;

/// The recursion module instantiated on an interpreter engine with `config`.
fn instantiate(config: &Config) -> (Store<()>, Instance) {
    let engine = Engine::with_tier(config, Tier::Interp).unwrap();
    let module = Module::new(&engine, wat::parse_str(REC).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn trap_code(err: &Error) -> Option<TrapCode> {
    err.as_trap().and_then(|t| t.code())
}

/// Runs `f` on a thread whose native stack is 64 KiB.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the small-stack thread must not overflow")
}

#[test]
fn recursion_50_000_deep_on_a_64_kib_native_stack() {
    let (mut store, instance) = instantiate(&Config::default());
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    let result = on_small_stack(move || depth.call(&mut store, 50_000).unwrap());
    assert_eq!(result, 50_000);
}

#[test]
fn unbounded_recursion_traps_with_stack_exhausted_on_a_64_kib_native_stack() {
    let (mut store, instance) = instantiate(&Config::default());
    let forever = instance
        .get_typed_func::<i64, i64>(&store, "forever")
        .unwrap();
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    let code = on_small_stack(move || {
        let err = forever.call(&mut store, 0).unwrap_err();
        // The same store keeps working after the trap.
        assert_eq!(depth.call(&mut store, 10).unwrap(), 10);
        trap_code(&err)
    });
    assert_eq!(code, Some(TrapCode::StackExhausted));
}

#[test]
fn call_depth_limit_is_configurable() {
    let mut config = Config::default();
    config.max_call_depth(1_000);
    let (mut store, instance) = instantiate(&config);
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    assert_eq!(depth.call(&mut store, 998).unwrap(), 998);
    let err = depth.call(&mut store, 5_000).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::StackExhausted));
}

#[test]
fn value_stack_limit_is_configurable() {
    let mut config = Config::default();
    config.max_stack_slots(4_096);
    let (mut store, instance) = instantiate(&config);
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    let err = depth.call(&mut store, 50_000).unwrap_err();
    assert_eq!(trap_code(&err), Some(TrapCode::StackExhausted));
}
