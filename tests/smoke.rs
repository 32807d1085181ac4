//! A first look through the facade: recursion and a loop on the default engine, and a
//! caller's constants surviving its calls (also run under Miri, see .ci/steps/miri.sh).

use wisp::{Engine, Linker, Module, Store};

#[test]
fn fib() {
    let wasm = wat::parse_str(
        r#"(module
            (func $fib (export "fib") (param i32) (result i32)
              (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
                (then (local.get 0))
                (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                               (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
            (func (export "loop") (param i32) (result i64) (local i64)
              (block $out (loop $l
                (br_if $out (i32.eqz (local.get 0)))
                (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $l)))
              (local.get 1)))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let fib = instance.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
    let sum = instance.get_typed_func::<i32, i64>(&store, "loop").unwrap();
    assert_eq!(sum.call(&mut store, 100_000).unwrap(), 5_000_050_000);
}

/// A callee's frame overlaps its caller's stack top, where the caller's constant pool
/// lives; the pool must be intact after every call returns.
#[test]
fn constants_survive_calls() {
    let wasm = wat::parse_str(
        r#"(module
            (func $clobber (param f64 f64 f64 f64) (result f64)
              (f64.add (f64.add (local.get 0) (local.get 1)) (f64.add (local.get 2) (local.get 3))))
            (func (export "run") (param $n i32) (result f64) (local $acc f64)
              (loop $l
                (local.set $acc (f64.add (f64.mul (local.get $acc) (f64.const 0.5))
                  (call $clobber (f64.const 1.25) (f64.const 2.5) (f64.const 4.0) (f64.const 8.0))))
                (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
              (f64.mul (local.get $acc) (f64.const 3.0))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, f64>(&store, "run").unwrap();
    // acc converges to 2 * 15.75; the final multiply reads 3.0 from the pool after calls.
    let mut acc = 0.0f64;
    for _ in 0..10 {
        acc = acc * 0.5 + 15.75;
    }
    assert_eq!(run.call(&mut store, 10).unwrap(), acc * 3.0);
}
