//! The `no-float` build (firmware with integer-only guests): float code is refused when it
//! loads, integer code runs. `cargo test --features no-float --test no_float`.
#![cfg(feature = "no-float")]

use wisp::{Config, Engine, Error, Linker, Module, Store};

#[test]
fn float_modules_are_refused_at_load() {
    let engine = Engine::new(&Config::default());
    for text in [
        r#"(module (func (export "f") (result f32) (f32.const 1)))"#,
        r#"(module (func (export "f") (param f64) (result i32) (i32.trunc_f64_s (local.get 0))))"#,
        r#"(module (global f64 (f64.const 0)))"#,
    ] {
        let wasm = wat::parse_str(text).unwrap();
        let err = Module::new(&engine, &wasm).unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{text}: {err}");
        assert!(err.to_string().contains("floating-point"), "{text}: {err}");
        assert!(err.to_string().contains("no-float"), "{text}: {err}");
    }
}

#[test]
fn integer_modules_run() {
    let engine = Engine::new(&Config::default());
    let wasm = wat::parse_str(
        r#"(module
            (func (export "sum") (param i32) (result i64) (local i64)
              (block $out (loop $l
                (br_if $out (i32.eqz (local.get 0)))
                (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $l)))
              (local.get 1)))"#,
    )
    .unwrap();
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let sum = instance.get_typed_func::<i32, i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 100).unwrap(), 5050);
}
