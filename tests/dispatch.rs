//! Whatever the dispatch (`wisp::interp::DISPATCH`), long runs of instructions must not grow
//! the native stack: with tail dispatch every handler's call to the next must have become a
//! jump. A loop of tens of millions of instructions on a 64 KiB thread would overflow at the
//! first handler that recursed.

use wisp::{Config, Engine, Instance, Linker, Module, Store, Tier};

/// A store and an instance of the module in `wat` on the interpreter (whatever the build's
/// default tier), translated and run on this thread.
fn instantiate(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::with_tier(&Config::default(), Tier::Interp).unwrap();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

#[test]
fn a_long_run_of_every_kind_of_handler_fits_a_64_kib_native_stack() {
    let wat = r#"(module
        (memory 1)
        (global $g (mut i64) (i64.const 0))
        (table 2 funcref)
        (elem (i32.const 0) $leaf $leaf)
        (type $t (func (param i32) (result i32)))
        (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "spin") (param $n i32) (result i64) (local $i i32) (local $f f64)
          (loop $l
            ;; arithmetic, memory, globals, floats, select, calls and a br_table each turn
            (i32.store (i32.and (local.get $i) (i32.const 0xfff)) (local.get $i))
            (global.set $g (i64.add (global.get $g)
              (i64.extend_i32_u (i32.load (i32.and (local.get $i) (i32.const 0xfff))))))
            (local.set $f (f64.add (local.get $f) (f64.convert_i32_u (local.get $i))))
            (local.set $i (call $leaf (local.get $i)))
            (local.set $i (call_indirect (type $t) (local.get $i) (i32.and (local.get $i) (i32.const 1))))
            (block (block (br_table 0 1 (i32.and (local.get $i) (i32.const 1)))) (nop))
            (local.set $i (select (local.get $i) (i32.const 0) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
          (i64.add (global.get $g) (i64.trunc_f64_u (local.get $f)))))"#;
    // Parsing and validating (unoptimised in test builds) happen here; only execution
    // runs on the small stack.
    let (mut store, instance) = instantiate(wat);
    let spin = instance.get_typed_func::<i32, i64>(&store, "spin").unwrap();
    let result = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || spin.call(&mut store, 2_000_000).unwrap())
        .unwrap()
        .join()
        .expect("no handler may recurse on the native stack");
    assert!(result > 0);
    eprintln!("dispatch: {}", wisp::interp::DISPATCH);
}

/// As above, for Wasm 3.0's control flow: tail calls of each kind, function references,
/// and exceptions thrown and caught every way, millions of times on a 64 KiB stack.
#[test]
fn tail_calls_and_exceptions_fit_a_64_kib_native_stack() {
    let wat = r#"(module
        (type $t (func (param i32) (result i32)))
        (table funcref (elem $even $odd))
        (elem declare func $odd)
        (tag $e (param i32))
        (func $even (type $t)
          (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
            (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))
                                                  (i32.const 1)))))
        (func $odd (type $t)
          (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
            (else (return_call $even2 (i32.sub (local.get 0) (i32.const 1))))))
        (func $even2 (type $t)
          local.get 0
          ref.func $odd
          br_on_null 0
          return_call_ref $t)
        (func $thrower (param i32) (throw $e (local.get 0)))
        (func $catch_table (param i32) (result i32)
          (block $c (result i32)
            (try_table (catch $e $c) (call $thrower (local.get 0)))
            (i32.const -1)))
        (func $catch_ref (param i32) (result i32)
          (block $c (result i32 exnref)
            (try_table (catch_ref $e $c) (call $thrower (local.get 0)))
            (return (i32.const -1)))
          (drop))
        (func $legacy (param i32) (result i32)
          try (result i32)
            try (result i32)
              local.get 0
              call $thrower
              i32.const -1
            catch $e
              rethrow 0
            end
          catch $e
          end)
        (func $delegated (param i32) (result i32)
          try (result i32)
            try (result i32)
              local.get 0
              call $thrower
              i32.const -1
            delegate 0
          catch_all
            i32.const 1
          end)
        (func (export "spin") (param $n i32) (result i32) (local $i i32) (local $sum i32)
          (loop $l
            (local.set $sum (i32.add (local.get $sum)
              (i32.add (call $even (i32.and (local.get $i) (i32.const 15)))
                (i32.add (call $catch_table (local.get $i))
                  (i32.add (call $catch_ref (local.get $i))
                    (i32.add (call $legacy (local.get $i))
                             (call $delegated (local.get $i))))))))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                (local.get $n))))
          (local.get $sum)))"#;
    let (mut store, instance) = instantiate(wat);
    let spin = instance.get_typed_func::<i32, i32>(&store, "spin").unwrap();
    let n = 300_000;
    let result = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || spin.call(&mut store, n).unwrap())
        .unwrap()
        .join()
        .expect("no handler may recurse on the native stack");
    let expected: i64 = (0..i64::from(n))
        .map(|i| i64::from(i & 15 == 0) + 3 * i + 1)
        .sum();
    assert_eq!(i64::from(result), expected as i32 as i64);
}

#[test]
fn optimised_builds_on_x86_64_use_tail_dispatch() {
    // `cargo test --release` builds without debug assertions, so unless the loop was asked
    // for, the test above ran the tail dispatch there.
    if cfg!(target_arch = "x86_64")
        && !cfg!(debug_assertions)
        && !cfg!(miri)
        && !cfg!(feature = "portable-dispatch")
    {
        assert_eq!(wisp::interp::DISPATCH, "tail");
    }
}

/// Results travel to the next instruction in an accumulator of their kind (integer, `f32`,
/// `f64`). A chain of sign operations on a signalling NaN must keep its payload bit for
/// bit through the float accumulators, and values crossing kinds (reinterpretations,
/// conversions, loads and stores) must come out exact whichever register carried them.
#[test]
fn forwarded_values_keep_their_bits_across_accumulator_kinds() {
    let wat = r#"(module
        (memory 1)
        (func (export "f32") (param i32) (result i32)
          (i32.reinterpret_f32 (f32.neg (f32.copysign (f32.abs (f32.reinterpret_i32 (local.get 0)))
                                                      (f32.const -1)))))
        (func (export "f64") (param i64) (result i64)
          (i64.reinterpret_f64 (f64.neg (f64.abs (f64.neg (f64.reinterpret_i64 (local.get 0)))))))
        (func (export "mixed") (param i32) (result i64)
          (f32.store (i32.const 8) (f32.mul (f32.convert_i32_s (local.get 0)) (f32.const 0.5)))
          (f64.store (i32.const 16) (f64.promote_f32 (f32.load (i32.const 8))))
          (i64.add (i64.trunc_f64_s (f64.add (f64.load (i32.const 16)) (f64.const 0.25)))
                   (i64.reinterpret_f64 (f64.load (i32.const 16))))))"#;
    let (mut store, instance) = instantiate(wat);
    let f32_chain = instance.get_typed_func::<i32, i32>(&store, "f32").unwrap();
    let f64_chain = instance.get_typed_func::<i64, i64>(&store, "f64").unwrap();
    let mixed = instance
        .get_typed_func::<i32, i64>(&store, "mixed")
        .unwrap();
    // A signalling NaN (quiet bit clear) with a payload; abs, copysign(-1), neg: positive.
    let snan32 = 0x7fa0_0001_u32 as i32;
    assert_eq!(f32_chain.call(&mut store, snan32).unwrap(), snan32);
    assert_eq!(
        f32_chain.call(&mut store, 0xffa0_0001_u32 as i32).unwrap(),
        snan32
    );
    let snan64 = 0x7ff4_0000_0000_0001_u64 as i64;
    // neg, abs, neg: the sign bit set.
    assert_eq!(
        f64_chain.call(&mut store, snan64).unwrap(),
        snan64 | i64::MIN
    );
    let x = -7.5f64;
    assert_eq!(
        mixed.call(&mut store, -15).unwrap(),
        -7 + x.to_bits() as i64
    );
}

/// A result the next instruction takes from an accumulator and overwrites is not stored
/// (`bytecode::encode`); one it also reads from its slot must be. Here `i32.mul` reads
/// local 1 twice, once forwarded from the `i32.add` that wrote it, once from the slot.
#[test]
fn skipped_result_stores_never_lose_a_value_read_again() {
    let wat = r#"(module
        (func (export "square_next") (param i32) (result i32) (local i32)
          (local.set 1 (i32.mul (local.tee 1 (i32.add (local.get 0) (i32.const 1)))
                                (local.get 1)))
          (local.get 1))
        (func (export "chain") (param i64) (result i64)
          (i64.xor (i64.mul (i64.add (local.get 0) (i64.const 3)) (i64.const 5))
                   (i64.shr_u (local.get 0) (i64.const 1)))))"#;
    let (mut store, instance) = instantiate(wat);
    let square_next = instance
        .get_typed_func::<i32, i32>(&store, "square_next")
        .unwrap();
    let chain = instance
        .get_typed_func::<i64, i64>(&store, "chain")
        .unwrap();
    assert_eq!(square_next.call(&mut store, 3).unwrap(), 16);
    assert_eq!(chain.call(&mut store, 10).unwrap(), (13 * 5) ^ 5);
}

/// A temp the next instruction pops and takes from an accumulator dies there, so its
/// producer does not store it (`Translation::dying`); temps read by the next instruction
/// but still on the operand stack after must be stored. Each function here reads a temp
/// once forwarded and once more from its slot: a `br_if` carrying it (copied to the
/// target, left for the fall-through), an `if`'s parameter (read again by `else`), and
/// `local.tee` of a computed value. Debug builds poison skipped stores, so a wrong skip
/// fails here rather than reading a stale value that happens to be right.
#[test]
fn temps_read_again_after_the_next_instruction_are_stored() {
    let wat = r#"(module
        (func (export "br_if_value") (param i32) (result i32)
          (block $b (result i32)
            (i32.add (local.get 0) (i32.const 7))
            (br_if $b (i32.eqz (local.get 0)))
            (i32.const 100)
            (i32.add)))
        (func (export "if_params") (param i32) (result i32)
          (i32.mul (local.get 0) (i32.const 3))
          (if (param i32) (result i32) (i32.and (local.get 0) (i32.const 1))
            (then (i32.add (i32.const 1)))
            (else (i32.sub (i32.const 1)))))
        (func (export "tee_then_use") (param i32) (result i32) (local i32)
          (i32.add
            (local.tee 1 (i32.mul (local.get 0) (local.get 0)))
            (i32.add (local.get 1) (i32.const 1)))))"#;
    let (mut store, instance) = instantiate(wat);
    let mut call = |name: &str, x: i32| {
        instance
            .get_typed_func::<i32, i32>(&store, name)
            .unwrap()
            .call(&mut store, x)
            .unwrap()
    };
    assert_eq!(call("br_if_value", 0), 7);
    assert_eq!(call("br_if_value", 5), 112);
    assert_eq!(call("if_params", 3), 10);
    assert_eq!(call("if_params", 4), 11);
    assert_eq!(call("tee_then_use", 6), 73);
}

/// `i32.load (i32.add x imm)` becomes one instruction (`I32LoadAdd`) that must add as
/// `i32.add` does, wrapping at 2^32, before the load's own offset applies (which does not
/// wrap): a sum that wraps below 2^32 loads from low memory, one that does not is out of
/// bounds.
#[test]
fn fused_address_additions_wrap_like_i32_add() {
    let wat = r#"(module
        (memory 1)
        (data (i32.const 8) "\2a\00\00\00")
        (func (export "at_plus") (param i32) (result i32)
          (i32.load offset=4 (i32.add (local.get 0) (i32.const 0x10))))
        (func (export "at_minus") (param i32) (result i32)
          (i32.load8_u (i32.add (local.get 0) (i32.const -4)))))"#;
    let (mut store, instance) = instantiate(wat);
    let at_plus = instance
        .get_typed_func::<i32, i32>(&store, "at_plus")
        .unwrap();
    let at_minus = instance
        .get_typed_func::<i32, i32>(&store, "at_minus")
        .unwrap();
    // 0xFFFF_FFF8 + 0x10 wraps to 8; the offset then makes it 12.
    assert_eq!(at_plus.call(&mut store, -8).unwrap(), 0);
    // 0xFFFF_FFF4 + 0x10 wraps to 4; plus the offset: the 42 at 8.
    assert_eq!(at_plus.call(&mut store, -12).unwrap(), 42);
    assert_eq!(at_minus.call(&mut store, 12).unwrap(), 0x2a);
    // 2 - 4 wraps to 0xFFFF_FFFE: out of bounds, not address -2.
    assert!(at_minus.call(&mut store, 2).is_err());
    assert!(at_plus.call(&mut store, 0x7fff_fff0).is_err());
}

/// `i32.add` of an `i32.shl` by a constant (an array's scaled index) becomes one
/// instruction (`I32AddShl`), whichever side of the add the shift is on. It must shift by
/// the count modulo 32 and add wrapping, as the two operators do, and read the index
/// forwarded from the instruction before it as well as from its slot.
#[test]
fn fused_scaled_indices_shift_and_wrap_like_the_operators() {
    use wisp::interp::bytecode::Instr;
    let wat = r#"(module
        (func (export "index_last") (param $base i32) (param $i i32) (result i32)
          (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))
        (func (export "index_first") (param $base i32) (param $i i32) (result i32)
          (i32.add (i32.shl (local.get $i) (i32.const 35)) (local.get $base)))
        (func (export "index_computed") (param $base i32) (param $i i32) (result i32)
          (i32.add (local.get $base)
            (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))))"#;
    let (mut store, instance) = instantiate(wat);
    let module = Module::new(store.engine(), wat::parse_str(wat).unwrap()).unwrap();
    for def in 0..3 {
        let code = wisp::interp::bytecode_of(&module, def).unwrap().code;
        assert!(
            code.iter().any(|i| matches!(i, Instr::I32AddShl { .. })),
            "function {def}: {code:?}"
        );
        assert!(
            !code.iter().any(|i| matches!(i, Instr::I32ShlImm { .. })),
            "function {def}: {code:?}"
        );
    }
    let call = |store: &mut Store<()>, name: &str, base: i32, i: i32| {
        instance
            .get_typed_func::<(i32, i32), i32>(&*store, name)
            .unwrap()
            .call(store, (base, i))
            .unwrap()
    };
    assert_eq!(call(&mut store, "index_last", 1000, 5), 1020);
    // Wrapping: the shift drops the high bits, the add wraps.
    assert_eq!(call(&mut store, "index_last", -4, 0x4000_0001), 0);
    // 35 shifts by 3.
    assert_eq!(call(&mut store, "index_first", 7, 2), 23);
    assert_eq!(call(&mut store, "index_computed", 100, 4), 140);
    assert_eq!(call(&mut store, "index_computed", 0, -1), 0);
}
