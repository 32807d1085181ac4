//! A build of the interpreter without exception handling (`--no-default-features
//! --features std,wat`: firmware's choice) refuses modules that use it when they load,
//! saying what is missing; everything else runs.
#![cfg(not(feature = "exceptions"))]

use wisp::{Config, Engine, Error, Linker, Module, Store};

#[test]
fn exception_handling_is_refused_at_load_with_the_reason() {
    let engine = Engine::new(&Config::default());
    for text in [
        r#"(module (tag $t) (func (export "f") (throw $t)))"#,
        r#"(module (func (export "f") (block $b (try_table (catch_all $b)))))"#,
        "(module (func (export \"f\") try catch_all end))",
    ] {
        let wasm = wat::parse_str(text).unwrap();
        let err = Module::new(&engine, &wasm).unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{text}: {err}");
        let message = err.to_string();
        assert!(message.contains("exception handling"), "{text}: {message}");
        assert!(
            message.contains("`exceptions` feature"),
            "{text}: {message}"
        );
    }
}

#[test]
fn tail_calls_and_typed_references_still_run() {
    let engine = Engine::new(&Config::default());
    let wasm = wat::parse_str(
        r#"(module
            (type $t (func (param i32) (result i32)))
            (elem declare func $count)
            (func $count (type $t)
              (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
                (else (return_call_ref $t (i32.sub (local.get 0) (i32.const 1))
                                          (ref.func $count)))))
            (func (export "run") (param i32) (result i32) (call $count (local.get 0))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 100_000).unwrap(), 7);
}
