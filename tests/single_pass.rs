//! Single-pass loading (issue 21): with wisp's own validator and eager translation, the
//! firmware's build translates each body in the loader's pass, from the operators the
//! validator has just decoded and accepted, so a body is decoded once. The code it makes
//! must be the code lazy translation makes, however the constant pool was placed
//! (provisionally, then moved), and a function it gives up on is still translated.
//!
//! The pass exists in builds whose interpreter reads bodies with wisp's own decoder: the
//! facade's `own-validator` without SIMD, exceptions or typed function references, which
//! is the firmware's profile (`--no-default-features --features std,wat,own-validator`,
//! as CI runs this file). Other builds translate after loading; the tests here then check
//! that nothing is claimed for the loader's pass.

use wisp::{Config, Engine, Linker, Module, Store, Val};

/// Whether this build has the pass (see the module docs).
const SINGLE_PASS: bool = cfg!(all(
    feature = "own-validator",
    not(feature = "simd"),
    not(feature = "exceptions"),
    not(feature = "function-references")
));

/// Calls into every part of the translator a body can reach: locals of every type,
/// constants of both widths (pooled and repeated), loops, `br_table` with values, calls,
/// memory, globals, `select`, and a result-carrying `if`.
const PROGRAM: &str = r#"(module
    (memory 1)
    (global $g (mut i64) (i64.const 5))
    (func $mix (export "mix") (param i32 i64) (result i64)
      (local f64 i32 i64)
      (local.set 2 (f64.const 2.5))
      (local.set 3 (i32.add (local.get 0) (i32.const 100000)))
      (local.set 4 (i64.mul (local.get 1) (i64.const 0x1_0000_0001)))
      (i32.store (i32.const 64) (local.get 3))
      (i64.store offset=8 (i32.const 64) (local.get 4))
      (global.set $g (i64.add (global.get $g) (i64.const 0x1_0000_0001)))
      (i64.add
        (i64.add (i64.load offset=8 (i32.const 64)) (i64.extend_i32_u (i32.load (i32.const 64))))
        (i64.add (global.get $g) (i64.trunc_f64_s (f64.mul (local.get 2) (f64.const 4.0))))))
    (func $sum (export "sum") (param i32) (result i32)
      (local i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const 3))))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $next)))
      (local.get 1))
    (func $pick (export "pick") (param i32) (result i32)
      (block $c (result i32)
        (block $b (result i32)
          (block $a (result i32)
            (br_table $a $b $c (i32.const 7) (local.get 0)))
          (return (i32.add (i32.const 1000)))
        )
        (return (i32.add (i32.const 2000))))
      (i32.add (i32.const 3000)))
    (func $fac (export "fac") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0))
        (then (i64.const 1))
        (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
    (func (export "sel") (param i32) (result i64)
      (select (i64.const 0x7fff_ffff_ffff) (call $fac (i64.const 10)) (local.get 0))))"#;

/// An engine with wisp's own validator, translating lazily or in the load.
fn engine(lazy: bool) -> Engine {
    let mut config = Config::default();
    config.own_validator(true);
    config.lazy_translation(lazy);
    Engine::with_tier(&config, wisp::Tier::Interp).unwrap()
}

/// Every export of `module` called with each of `args`, as printed values.
fn run_all(engine: &Engine, module: &Module, args: &[i64]) -> Vec<String> {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate(&mut store, module).unwrap();
    let mut seen = Vec::new();
    for name in ["mix", "sum", "pick", "fac", "sel"] {
        let func = instance.get_func(&mut store, name).unwrap();
        let ty = func.ty(&store).unwrap();
        for &arg in args {
            let params: Vec<Val> = ty
                .params()
                .iter()
                .enumerate()
                .map(|(i, t)| match t {
                    wisp::ValType::I32 => Val::I32(arg as i32 + i as i32),
                    _ => Val::I64(arg + i as i64),
                })
                .collect();
            let mut results = vec![Val::I32(0); ty.results().len()];
            let outcome = func.call(&mut store, &params, &mut results);
            seen.push(format!("{name}({arg}) = {outcome:?} {results:?}"));
        }
    }
    seen
}

#[test]
fn the_load_pass_translates_every_body_as_lazy_translation_would() {
    let bytes = wat::parse_str(PROGRAM).unwrap();
    let (eager, lazy) = (engine(false), engine(true));
    let in_load = Module::new(&eager, &bytes).unwrap();
    let later = Module::new(&lazy, &bytes).unwrap();
    let stats = wisp::interp::translation_stats(&in_load);
    assert_eq!(stats.functions, 5);
    assert_eq!(stats.in_load_pass, if SINGLE_PASS { 5 } else { 0 });
    // Same code, byte for byte, however the pool was placed.
    for def in 0..5 {
        assert_eq!(
            wisp::interp::disassemble(&in_load, def),
            wisp::interp::disassemble(&later, def),
            "function {def}"
        );
    }
    let args = [0, 1, 2, 3, 5, 20];
    assert_eq!(
        run_all(&eager, &in_load, &args),
        run_all(&lazy, &later, &args)
    );
    // Lazy translation is untouched by the pass.
    assert_eq!(wisp::interp::translation_stats(&later).in_load_pass, 0);
}

/// A function whose operand stack reaches past the provisional pool (32,768 positions) is
/// given up in the load pass and translated from its bytes after it: the module still
/// loads and runs, and the pass keeps the other functions.
#[test]
fn a_function_too_deep_for_the_provisional_pool_is_translated_after_the_load() {
    let depth = 33_000;
    let mut deep = String::from("(func (export \"deep\") (result i32)");
    deep.push_str(&" (i32.const 1)".repeat(depth));
    deep.push_str(&" (i32.add)".repeat(depth - 1));
    deep.push(')');
    let text = format!(
        "(module {deep} (func (export \"small\") (result i64) (i64.const 0x1234_5678_9abc)))"
    );
    let bytes = wat::parse_str(&text).unwrap();
    let engine = engine(false);
    let module = Module::new(&engine, &bytes).unwrap();
    let stats = wisp::interp::translation_stats(&module);
    assert_eq!(stats.functions, 2);
    assert_eq!(stats.in_load_pass, if SINGLE_PASS { 1 } else { 0 });
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let deep = instance
        .get_typed_func::<(), i32>(&mut store, "deep")
        .unwrap();
    assert_eq!(deep.call(&mut store, ()).unwrap(), depth as i32);
    let small = instance
        .get_typed_func::<(), i64>(&mut store, "small")
        .unwrap();
    assert_eq!(small.call(&mut store, ()).unwrap(), 0x1234_5678_9abc);
}
