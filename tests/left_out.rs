//! A build of the interpreter that leaves a proposal out (firmware's choice, e.g.
//! `--no-default-features --features std,wat`) refuses modules that use it when they load,
//! saying what is missing and which feature brings it back; what the build keeps runs.
//! Every test here means something under any combination of the facade's `exceptions`,
//! `tail-call`, `function-references`, `wide-arithmetic`, `memory64` and `threads`
//! features.

use wisp::{Config, Engine, Error, Linker, Module, Store};

/// Loads `text` and checks it is refused as `Unsupported`, naming `what` and `feature`.
/// With wisp's own validator (the `own-validator` feature) a proposal outside its profile
/// (exception handling, typed function references) is refused naming the proposal by its
/// code, and no feature brings it back; what the profile has (tail calls) names the
/// feature as above.
#[allow(dead_code)]
fn assert_refused(text: &str, what: &str, feature: &str) {
    assert_refused_with(&Config::default(), text, what, feature)
}

/// As `assert_refused`, on an engine with `config` (which enables the proposal).
#[allow(dead_code)]
fn assert_refused_with(config: &Config, text: &str, what: &str, feature: &str) {
    let engine = Engine::new(config);
    let wasm = wat::parse_str(text).unwrap();
    let err = Module::new(&engine, &wasm).unwrap_err();
    let Error::Unsupported(e) = &err else {
        panic!("{text}: {err}");
    };
    let message = err.to_string();
    assert!(message.contains(what), "{text}: {message}");
    if cfg!(feature = "own-validator") && e.code().is_some() {
        assert!(e.code().unwrap().is_outside_profile(), "{text}: {message}");
        return;
    }
    assert!(
        message.contains(&format!("`{feature}` feature")),
        "{text}: {message}"
    );
}

#[cfg(not(feature = "exceptions"))]
#[test]
fn exception_handling_is_refused_at_load_with_the_reason() {
    for text in [
        r#"(module (tag $t) (func (export "f") (throw $t)))"#,
        r#"(module (func (export "f") (block $b (try_table (catch_all $b)))))"#,
        "(module (func (export \"f\") try catch_all end))",
    ] {
        assert_refused(text, "exception handling", "exceptions");
    }
}

#[cfg(not(feature = "tail-call"))]
#[test]
fn tail_calls_are_refused_at_load_with_the_reason() {
    assert_refused(
        r#"(module (func $f (result i32) (i32.const 1))
                   (func (export "g") (result i32) (return_call $f)))"#,
        "tail calls",
        "tail-call",
    );
}

#[cfg(not(feature = "function-references"))]
#[test]
fn typed_function_references_are_refused_at_load_with_the_reason() {
    assert_refused(
        r#"(module (type $t (func (result i32)))
                   (func $f (type $t) (i32.const 1))
                   (elem declare func $f)
                   (func (export "g") (result i32) (call_ref $t (ref.func $f))))"#,
        "typed function references",
        "function-references",
    );
}

#[cfg(not(feature = "wide-arithmetic"))]
#[test]
fn wide_arithmetic_is_refused_at_load_with_the_reason() {
    let mut config = Config::default();
    config.wasm_wide_arithmetic(true);
    assert_refused_with(
        &config,
        r#"(module (func (export "f") (param i64 i64) (result i64 i64)
                     (i64.mul_wide_u (local.get 0) (local.get 1))))"#,
        "wide arithmetic",
        "wide-arithmetic",
    );
}

#[cfg(not(feature = "memory64"))]
#[test]
fn memory64_is_refused_at_load_with_the_reason() {
    for text in [
        r#"(module (memory i64 1) (func (export "f") (param i64) (result i32) (i32.load (local.get 0))))"#,
        "(module (table i64 1 funcref))",
    ] {
        assert_refused(text, "memory64", "memory64");
    }
}

#[cfg(not(feature = "threads"))]
#[test]
fn threads_are_refused_at_load_with_the_reason() {
    for text in [
        r#"(module (memory 1) (func (export "f") (result i32) (i32.atomic.load (i32.const 0))))"#,
        "(module (memory 1 1 shared))",
    ] {
        assert_refused(text, "threads", "threads");
    }
}

/// Runs export `run` of `wat` with `arg` on a fresh store.
fn run(wat: &str, arg: i32) -> i32 {
    let engine = Engine::new(&Config::default());
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    run.call(&mut store, arg).unwrap()
}

/// What every build keeps: plain Wasm 2.0 runs whatever the proposals' features are.
#[test]
fn wasm_2_modules_still_run() {
    let wat = r#"(module
        (func $count (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
            (else (call $count (i32.sub (local.get 0) (i32.const 1))))))
        (func (export "run") (param i32) (result i32) (call $count (local.get 0))))"#;
    assert_eq!(run(wat, 1_000), 7);
}

#[cfg(all(feature = "tail-call", feature = "function-references"))]
#[test]
fn tail_calls_and_typed_references_still_run() {
    let wat = r#"(module
        (type $t (func (param i32) (result i32)))
        (elem declare func $count)
        (func $count (type $t)
          (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
            (else (return_call_ref $t (i32.sub (local.get 0) (i32.const 1))
                                      (ref.func $count)))))
        (func (export "run") (param i32) (result i32) (call $count (local.get 0))))"#;
    assert_eq!(run(wat, 100_000), 7);
}
