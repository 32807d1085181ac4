//! The wide-arithmetic proposal (`i64.add128`, `i64.sub128`, `i64.mul_wide_s/u`) on every
//! tier, against 128-bit arithmetic computed here with Rust's `i128`/`u128`: operands from
//! parameters and constants, results written over their own operands' locals in a loop
//! (which tier-up enters by on-stack replacement), and in a function holding a `v128`,
//! whose stack positions are two slots wide in the interpreter.

mod common;

use common::{Tier, TierEngine, ALL};
use wisp_core::{Config, Val};

const WAT: &str = r#"(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; Constants as operands: x + 2^64 - 1 - (1 + 2^64 * y), whose high half goes to a
  ;; parameter's local and whose low half is multiplied by x.
  (func (export "consts") (param i64 i64) (result i64 i64)
    (i64.sub128
      (i64.add128 (local.get 0) (i64.const 0) (i64.const -1) (i64.const 0))
      (i64.const 1) (local.get 1))
    (local.set 1)
    (i64.mul_wide_u (local.get 0)))
  ;; sum of i * k for i in 0..n, in 128 bits, the products wide: each step's results go
  ;; back into the locals they were computed from.
  (func (export "sum") (param $n i64) (param $k i64) (result i64 i64)
    (local $i i64) (local $lo i64) (local $hi i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (i64.mul_wide_u (local.get $i) (local.get $k))
        (local.get $lo) (local.get $hi)
        (i64.add128)
        (local.set $hi) (local.set $lo)
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $lo) (local.get $hi))
  ;; The same operator in a function with a v128 local: (a * b) + (a * b) as 128 bits.
  (func (export "vector") (param $a i64) (param $b i64) (result i64 i64)
    (local $v v128)
    (local.set $v (i64x2.splat (local.get $a)))
    (i64.mul_wide_s (i64x2.extract_lane 1 (local.get $v)) (local.get $b))
    (i64.mul_wide_s (local.get $a) (local.get $b))
    (i64.add128))
)"#;

const VALUES: [i64; 9] = [
    0,
    1,
    -1,
    2,
    i64::MIN,
    i64::MAX,
    1 << 32,
    0x1234_5678_9abc_def0,
    -0x0fed_cba9_8765_4321,
];

fn join(lo: i64, hi: i64) -> u128 {
    (u128::from(hi as u64) << 64) | u128::from(lo as u64)
}

fn split(v: u128) -> [i64; 2] {
    [v as u64 as i64, (v >> 64) as u64 as i64]
}

fn call(store: &mut wisp_core::Store<()>, f: &wisp_core::Func, args: &[i64]) -> [i64; 2] {
    let args: Vec<Val> = args.iter().map(|&v| Val::I64(v)).collect();
    let mut results = [Val::I64(0), Val::I64(0)];
    f.call(&mut *store, &args, &mut results).unwrap();
    results.map(|v| match v {
        Val::I64(v) => v,
        other => panic!("not an i64: {other:?}"),
    })
}

#[test]
fn wide_arithmetic_agrees_with_i128_on_every_tier() {
    let mut config = Config::default();
    config.wasm_wide_arithmetic(true);
    let tiers = ALL.iter().copied().chain([Tier::Split(&[0, 2, 4])]);
    // `vector` holds a `v128`.
    for tier in tiers.filter(|&t| common::runs_simd(t)) {
        let engine = TierEngine::new(tier, &config);
        let (mut store, instance) = engine.instantiate(WAT);
        let get =
            |store: &wisp_core::Store<()>, name: &str| instance.get_func(store, name).unwrap();
        let func = |name: &str| get(&store, name);
        let (add, sub) = (func("add128"), func("sub128"));
        let (mul_s, mul_u) = (func("mul_wide_s"), func("mul_wide_u"));
        let (consts, vector) = (func("consts"), func("vector"));
        for &a in &VALUES {
            for &b in &VALUES {
                let wide_s = (i128::from(a) * i128::from(b)) as u128;
                let wide_u = u128::from(a as u64) * u128::from(b as u64);
                assert_eq!(call(&mut store, &mul_s, &[a, b]), split(wide_s), "{tier:?}");
                assert_eq!(call(&mut store, &mul_u, &[a, b]), split(wide_u), "{tier:?}");
                assert_eq!(
                    call(&mut store, &vector, &[a, b]),
                    split(wide_s.wrapping_add(wide_s)),
                    "{tier:?}"
                );
                let x = join(a, 0).wrapping_add(u128::from(u64::MAX));
                let low = split(x.wrapping_sub(join(1, b)))[0];
                let expected = u128::from(low as u64) * u128::from(a as u64);
                assert_eq!(call(&mut store, &consts, &[a, b]), split(expected));
                for &c in &VALUES {
                    for &d in &VALUES[..4] {
                        let (x, y) = (join(a, b), join(c, d));
                        let args = [a, b, c, d];
                        assert_eq!(call(&mut store, &add, &args), split(x.wrapping_add(y)));
                        assert_eq!(call(&mut store, &sub, &args), split(x.wrapping_sub(y)));
                    }
                }
            }
        }
        let sum = get(&store, "sum");
        for (n, k) in [(0, 5), (10, 3), (5_000, -1), (3_000, i64::MIN)] {
            let expected = (0..n as u64).fold(0u128, |acc, i| {
                acc.wrapping_add(u128::from(i) * u128::from(k as u64))
            });
            assert_eq!(
                call(&mut store, &sum, &[n, k]),
                split(expected),
                "{tier:?}: sum({n}, {k})"
            );
        }
    }
}

#[test]
fn wide_arithmetic_is_off_unless_enabled() {
    for tier in [Tier::Interp, Tier::Jit]
        .into_iter()
        .filter(|&t| common::runs_simd(t))
    {
        let engine = TierEngine::new(tier, &Config::default());
        let wasm = wat::parse_str(WAT).unwrap();
        let err = wisp_core::Module::new(&engine.engine, &wasm).unwrap_err();
        assert!(err.to_string().contains("wide"), "{tier:?}: {err}");
    }
}

/// A call stuck in `sum`'s loop moves to native code at the loop header (on-stack
/// replacement) with its 128-bit accumulator's halves in locals, and finishes there.
#[test]
fn a_wide_accumulator_survives_on_stack_replacement() {
    let mut config = Config::default();
    config.wasm_wide_arithmetic(true);
    let engine = common::osr_engine(&config);
    let module = wisp_core::Module::new(&engine, wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = wisp_core::Store::new(&engine, ());
    let instance = wisp_core::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let sum = instance.get_func(&store, "sum").unwrap();
    let (n, k) = (1_000, -3);
    let expected = (0..n as u64).fold(0u128, |acc, i| {
        acc.wrapping_add(u128::from(i) * u128::from(k as u64))
    });
    assert_eq!(call(&mut store, &sum, &[n, k]), split(expected));
    let stats = common::tier_stats_of(&module, "sum");
    assert_eq!(
        (stats.interpreted_calls, stats.osr_entries),
        (1, 1),
        "{stats:?}"
    );
}
