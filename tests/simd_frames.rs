//! `v128` values wherever a value can go in a frame: calls with mixed arguments and
//! several results (packed and unpacked around the call), returns, blocks, loops and
//! `br_table` carrying them, `select`, globals, exceptions, tail calls and host functions.
//! Each module runs on the interpreter, and on the JIT tiers too when the facade is built
//! with its `jit` feature. The operators themselves are the spec suite's (`simd_*.wast`).

use wisp::{Config, Engine, FuncType, Instance, Linker, Module, Store, Tier, Val, ValType};

fn tiers() -> Vec<Tier> {
    let mut tiers = vec![Tier::Interp];
    if cfg!(feature = "jit") {
        tiers.extend([Tier::Jit, Tier::Tiered]);
    }
    tiers
}

/// `src` instantiated on `tier`, with a host function `host.swap` that returns its two
/// arguments swapped (a `v128` and an `i32`).
fn instance(tier: Tier, src: &str) -> (Store<()>, Instance) {
    let engine = Engine::with_tier(&Config::default(), tier).unwrap();
    let module = Module::new(&engine, wat::parse_str(src).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let ty = FuncType::new([ValType::V128, ValType::I32], [ValType::I32, ValType::V128]);
    linker
        .func_new("host", "swap", ty, |_, params, results| {
            results[0] = params[1];
            results[1] = params[0];
            Ok(())
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<()>, instance: &Instance, name: &str, params: &[Val]) -> Vec<Val> {
    let func = instance.get_func(&*store, name).unwrap();
    let n = func.ty(&*store).unwrap().results().len();
    let mut results = vec![Val::I32(0); n];
    func.call(&mut *store, params, &mut results).unwrap();
    results
}

const A: u128 = 0x0f0e0d0c_0b0a0908_07060504_03020100;
const B: u128 = 0xfffefdfc_fbfaf9f8_f7f6f5f4_f3f2f1f0;

const FRAMES: &str = r#"
(module
  (import "host" "swap" (func $swap (param v128 i32) (result i32 v128)))
  (global $g (mut v128) (v128.const i64x2 1 2))
  (global $k v128 (v128.const i32x4 7 8 9 10))
  (tag $t (param i32 v128))
  ;; Mixed widths in and out: the callee's layout packs them.
  (func $mix (param i32 v128 f64 v128) (result v128 i32 v128)
    (i8x16.add (local.get 1) (local.get 3))
    (i32.add (local.get 0) (i32.trunc_f64_s (local.get 2)))
    (v128.xor (local.get 1) (local.get 3)))
  (func (export "mix") (param v128 v128) (result v128 i32 v128)
    (call $mix (i32.const 40) (local.get 0) (f64.const 2.5) (local.get 1)))
  ;; The results of a call used as arguments of the next, with a scalar between.
  (func (export "chain") (param v128 v128) (result v128)
    (local $tmp v128)
    (call $mix (i32.const 1) (local.get 0) (f64.const 1) (local.get 1))
    (drop)
    (drop)
    (i32.const 3)
    (call $swap)
    (local.set $tmp)
    (drop)
    (local.get $tmp))
  ;; Recursion with a v128 accumulator: n additions of `step`.
  (func $sum (param $n i32) (param $acc v128) (param $step v128) (result v128)
    (if (result v128) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (call $sum (i32.sub (local.get $n) (i32.const 1))
                       (i32x4.add (local.get $acc) (local.get $step))
                       (local.get $step)))))
  (func (export "sum") (param i32 v128) (result v128)
    (call $sum (local.get 0) (v128.const i64x2 0 0) (local.get 1)))
  ;; Tail calls carry v128 arguments into the frame's first slots.
  (func $loop_tail (param $n i32) (param $acc v128) (result v128)
    (if (result v128) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $loop_tail (i32.sub (local.get $n) (i32.const 1))
                                    (i64x2.add (local.get $acc) (v128.const i64x2 1 1))))))
  (func (export "tail") (param i32) (result v128)
    (return_call $loop_tail (local.get 0) (v128.const i64x2 100 200)))
  ;; Blocks, loops and br_table with v128 values.
  (func (export "blocks") (param $i i32) (param $v v128) (result v128)
    (block $b2 (result v128)
      (block $b1 (result v128)
        (block $b0 (result v128)
          (local.get $v)
          (local.get $i)
          (br_table $b0 $b1 $b2))
        (return (i32x4.splat (i32.const 10))))
      (return (i16x8.add (v128.const i16x8 1 1 1 1 1 1 1 1))))
    (i8x16.neg))
  (func (export "loop") (param $n i32) (result v128)
    (v128.const i32x4 0 0 0 0)
    (loop $l (param v128) (result v128)
      (i32x4.add (v128.const i32x4 1 2 3 4))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  ;; select on v128, and on scalars with constants in a vector function.
  (func (export "select") (param v128 v128 i32) (result v128 i32)
    (select (local.get 0) (local.get 1) (local.get 2))
    (select (i32.const 5) (i32.const 6) (local.get 2)))
  (func (export "select_typed") (param v128 v128 i32) (result v128)
    (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
  ;; Globals.
  (func (export "globals") (param v128) (result v128 v128)
    (global.set $g (i32x4.add (global.get $g) (local.get 0)))
    (global.get $g)
    (global.get $k))
  ;; Exceptions carrying an i32 and a v128, caught every way.
  (func $throw (param i32 v128) (throw $t (local.get 0) (local.get 1)))
  (func (export "catch") (param i32 v128) (result i32 v128)
    (block $h (result i32 v128)
      (try_table (catch $t $h) (call $throw (local.get 0) (local.get 1)))
      (unreachable)))
  (func (export "catch_ref") (param i32 v128) (result i32 v128)
    (local $e exnref)
    (block $h (result i32 v128 exnref)
      (try_table (catch_ref $t $h) (call $throw (local.get 0) (local.get 1)))
      (unreachable))
    (local.set $e))
  ;; An uncaught v128 exception from a function whose label it returns to.
  (func (export "catch_return") (param i32 v128) (result i32 v128)
    (try_table (catch $t 0) (call $throw (local.get 0) (local.get 1)))
    (unreachable))
  ;; A host call in the middle.
  (func (export "host") (param v128) (result i32 v128)
    (call $swap (local.get 0) (i32.const 77)))
)
"#;

#[test]
fn v128_values_move_through_frames_on_every_tier() {
    let v = |x: u128| Val::V128(x);
    let add8 = |a: u128, b: u128| {
        let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
        u128::from_le_bytes(core::array::from_fn(|i| a[i].wrapping_add(b[i])))
    };
    let i32x4 = |l: [u32; 4]| {
        l.iter()
            .rev()
            .fold(0u128, |acc, &x| acc << 32 | u128::from(x))
    };
    for tier in tiers() {
        let (mut store, inst) = instance(tier, FRAMES);
        let s = &mut store;
        assert_eq!(
            call(s, &inst, "mix", &[v(A), v(B)]),
            [v(add8(A, B)), Val::I32(42), v(A ^ B)],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "chain", &[v(A), v(B)]),
            [v(add8(A, B))],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "sum", &[Val::I32(1000), v(i32x4([1, 2, 3, 4]))]),
            [v(i32x4([1000, 2000, 3000, 4000]))],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "tail", &[Val::I32(100_000)]),
            [v(100_100 | 100_200 << 64)],
            "{tier:?}"
        );
        let ones = u128::from_le_bytes([1, 0].repeat(8).try_into().unwrap());
        for (i, expected) in [
            (0, i32x4([10; 4])),
            (1, add16(A, ones)),
            (2, neg8(A)),
            (7, neg8(A)),
        ] {
            assert_eq!(
                call(s, &inst, "blocks", &[Val::I32(i), v(A)]),
                [v(expected)],
                "{tier:?} blocks {i}"
            );
        }
        assert_eq!(
            call(s, &inst, "loop", &[Val::I32(5000)]),
            [v(i32x4([5000, 10000, 15000, 20000]))],
            "{tier:?}"
        );
        for (c, picked, scalar) in [(1, A, 5), (0, B, 6)] {
            assert_eq!(
                call(s, &inst, "select", &[v(A), v(B), Val::I32(c)]),
                [v(picked), Val::I32(scalar)],
                "{tier:?}"
            );
            assert_eq!(
                call(s, &inst, "select_typed", &[v(A), v(B), Val::I32(c)]),
                [v(picked)],
                "{tier:?}"
            );
        }
        let g0 = 1u128 | 2 << 64;
        let k = i32x4([7, 8, 9, 10]);
        let step = i32x4([1, 1, 1, 1]);
        let g1 = i32x4_add(g0, step);
        assert_eq!(
            call(s, &inst, "globals", &[v(step)]),
            [v(g1), v(k)],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "catch", &[Val::I32(9), v(A)]),
            [Val::I32(9), v(A)],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "catch_ref", &[Val::I32(9), v(B)]),
            [Val::I32(9), v(B)],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "catch_return", &[Val::I32(3), v(B)]),
            [Val::I32(3), v(B)],
            "{tier:?}"
        );
        assert_eq!(
            call(s, &inst, "host", &[v(A)]),
            [Val::I32(77), v(A)],
            "{tier:?}"
        );
    }
}

fn add16(a: u128, b: u128) -> u128 {
    let lanes = |x: u128| -> [u16; 8] { core::array::from_fn(|i| (x >> (16 * i)) as u16) };
    let (a, b) = (lanes(a), lanes(b));
    (0..8).fold(0, |acc, i| {
        acc | u128::from(a[i].wrapping_add(b[i])) << (16 * i)
    })
}

fn i32x4_add(a: u128, b: u128) -> u128 {
    let lanes = |x: u128| -> [u32; 4] { core::array::from_fn(|i| (x >> (32 * i)) as u32) };
    let (a, b) = (lanes(a), lanes(b));
    (0..4).fold(0, |acc, i| {
        acc | u128::from(a[i].wrapping_add(b[i])) << (32 * i)
    })
}

fn neg8(a: u128) -> u128 {
    u128::from_le_bytes(a.to_le_bytes().map(|x| x.wrapping_neg()))
}
