//! Every SIMD and relaxed-SIMD operator on every tier, against its semantics in
//! `wisp_core::wasm::simd` (the oracle): on edge-case and random `v128` operands passed as
//! parameters, bit for bit. Also the memory forms (loads, stores, lanes, bounds), `v128`
//! through locals, globals, blocks, `select`, calls between tiers and exceptions.

mod common;

use common::{Tier, TierEngine};
use wisp_core::wasm::simd as s;
use wisp_core::{Config, Func, FuncType, Store, Val, ValType};

/// The tiers compared (the interpreter first: it runs the test's modules too).
const TIERS: [Tier; 5] = common::ALL;

/// `TIERS`, less those that cannot run SIMD on this host (`common::runs_simd`).
fn tiers() -> Vec<Tier> {
    TIERS
        .into_iter()
        .filter(|&t| common::runs_simd(t))
        .collect()
}

/// An operator's shape: what it takes (besides the `v128`s) and gives.
#[derive(Clone, Copy)]
enum Sig {
    Un(fn(u128) -> u128),
    Bin(fn(u128, u128) -> u128),
    Tern(fn(u128, u128, u128) -> u128),
    Test(fn(u128) -> i32),
    Shift(fn(u128, i32) -> u128),
}

/// `(text name, oracle)`: the name is the function's with its first `_` a `.`.
macro_rules! ops {
    ($($kind:ident $name:ident)*) => {
        vec![$((text(stringify!($name)), Sig::$kind(s::$name))),*]
    };
}

fn text(name: &str) -> String {
    name.replacen('_', ".", 1)
}

fn operators() -> Vec<(String, Sig)> {
    ops! {
        Un v128_not Bin v128_and Bin v128_andnot Bin v128_or Bin v128_xor
        Tern v128_bitselect Test v128_any_true

        Bin i8x16_add Bin i8x16_add_sat_s Bin i8x16_add_sat_u Bin i8x16_sub
        Bin i8x16_sub_sat_s Bin i8x16_sub_sat_u Bin i8x16_min_s Bin i8x16_min_u
        Bin i8x16_max_s Bin i8x16_max_u Bin i8x16_avgr_u
        Bin i16x8_add Bin i16x8_add_sat_s Bin i16x8_add_sat_u Bin i16x8_sub
        Bin i16x8_sub_sat_s Bin i16x8_sub_sat_u Bin i16x8_mul Bin i16x8_min_s
        Bin i16x8_min_u Bin i16x8_max_s Bin i16x8_max_u Bin i16x8_avgr_u
        Bin i16x8_q15mulr_sat_s
        Bin i32x4_add Bin i32x4_sub Bin i32x4_mul Bin i32x4_min_s Bin i32x4_min_u
        Bin i32x4_max_s Bin i32x4_max_u
        Bin i64x2_add Bin i64x2_sub Bin i64x2_mul

        Un i8x16_abs Un i8x16_neg Un i8x16_popcnt Un i16x8_abs Un i16x8_neg
        Un i32x4_abs Un i32x4_neg Un i64x2_abs Un i64x2_neg

        Shift i8x16_shl Shift i8x16_shr_s Shift i8x16_shr_u
        Shift i16x8_shl Shift i16x8_shr_s Shift i16x8_shr_u
        Shift i32x4_shl Shift i32x4_shr_s Shift i32x4_shr_u
        Shift i64x2_shl Shift i64x2_shr_s Shift i64x2_shr_u

        Bin i8x16_eq Bin i8x16_ne Bin i8x16_lt_s Bin i8x16_lt_u Bin i8x16_gt_s
        Bin i8x16_gt_u Bin i8x16_le_s Bin i8x16_le_u Bin i8x16_ge_s Bin i8x16_ge_u
        Bin i16x8_eq Bin i16x8_ne Bin i16x8_lt_s Bin i16x8_lt_u Bin i16x8_gt_s
        Bin i16x8_gt_u Bin i16x8_le_s Bin i16x8_le_u Bin i16x8_ge_s Bin i16x8_ge_u
        Bin i32x4_eq Bin i32x4_ne Bin i32x4_lt_s Bin i32x4_lt_u Bin i32x4_gt_s
        Bin i32x4_gt_u Bin i32x4_le_s Bin i32x4_le_u Bin i32x4_ge_s Bin i32x4_ge_u
        Bin i64x2_eq Bin i64x2_ne Bin i64x2_lt_s Bin i64x2_gt_s Bin i64x2_le_s
        Bin i64x2_ge_s
        Bin f32x4_eq Bin f32x4_ne Bin f32x4_lt Bin f32x4_gt Bin f32x4_le Bin f32x4_ge
        Bin f64x2_eq Bin f64x2_ne Bin f64x2_lt Bin f64x2_gt Bin f64x2_le Bin f64x2_ge

        Bin f32x4_add Bin f32x4_sub Bin f32x4_mul Bin f32x4_div Bin f32x4_min
        Bin f32x4_max Bin f32x4_pmin Bin f32x4_pmax
        Bin f64x2_add Bin f64x2_sub Bin f64x2_mul Bin f64x2_div Bin f64x2_min
        Bin f64x2_max Bin f64x2_pmin Bin f64x2_pmax
        Un f32x4_abs Un f32x4_neg Un f32x4_sqrt Un f32x4_ceil Un f32x4_floor
        Un f32x4_trunc Un f32x4_nearest
        Un f64x2_abs Un f64x2_neg Un f64x2_sqrt Un f64x2_ceil Un f64x2_floor
        Un f64x2_trunc Un f64x2_nearest

        Test i8x16_all_true Test i8x16_bitmask Test i16x8_all_true Test i16x8_bitmask
        Test i32x4_all_true Test i32x4_bitmask Test i64x2_all_true Test i64x2_bitmask

        Bin i8x16_narrow_i16x8_s Bin i8x16_narrow_i16x8_u
        Bin i16x8_narrow_i32x4_s Bin i16x8_narrow_i32x4_u
        Un i16x8_extend_low_i8x16_s Un i16x8_extend_high_i8x16_s
        Un i16x8_extend_low_i8x16_u Un i16x8_extend_high_i8x16_u
        Un i32x4_extend_low_i16x8_s Un i32x4_extend_high_i16x8_s
        Un i32x4_extend_low_i16x8_u Un i32x4_extend_high_i16x8_u
        Un i64x2_extend_low_i32x4_s Un i64x2_extend_high_i32x4_s
        Un i64x2_extend_low_i32x4_u Un i64x2_extend_high_i32x4_u
        Un i16x8_extadd_pairwise_i8x16_s Un i16x8_extadd_pairwise_i8x16_u
        Un i32x4_extadd_pairwise_i16x8_s Un i32x4_extadd_pairwise_i16x8_u
        Bin i16x8_extmul_low_i8x16_s Bin i16x8_extmul_high_i8x16_s
        Bin i16x8_extmul_low_i8x16_u Bin i16x8_extmul_high_i8x16_u
        Bin i32x4_extmul_low_i16x8_s Bin i32x4_extmul_high_i16x8_s
        Bin i32x4_extmul_low_i16x8_u Bin i32x4_extmul_high_i16x8_u
        Bin i64x2_extmul_low_i32x4_s Bin i64x2_extmul_high_i32x4_s
        Bin i64x2_extmul_low_i32x4_u Bin i64x2_extmul_high_i32x4_u
        Bin i32x4_dot_i16x8_s

        Un i32x4_trunc_sat_f32x4_s Un i32x4_trunc_sat_f32x4_u
        Un i32x4_trunc_sat_f64x2_s_zero Un i32x4_trunc_sat_f64x2_u_zero
        Un f32x4_convert_i32x4_s Un f32x4_convert_i32x4_u
        Un f64x2_convert_low_i32x4_s Un f64x2_convert_low_i32x4_u
        Un f32x4_demote_f64x2_zero Un f64x2_promote_low_f32x4
        Bin i8x16_swizzle

        Bin i8x16_relaxed_swizzle
        Un i32x4_relaxed_trunc_f32x4_s Un i32x4_relaxed_trunc_f32x4_u
        Un i32x4_relaxed_trunc_f64x2_s_zero Un i32x4_relaxed_trunc_f64x2_u_zero
        Tern f32x4_relaxed_madd Tern f32x4_relaxed_nmadd
        Tern f64x2_relaxed_madd Tern f64x2_relaxed_nmadd
        Tern i8x16_relaxed_laneselect Tern i16x8_relaxed_laneselect
        Tern i32x4_relaxed_laneselect Tern i64x2_relaxed_laneselect
        Bin f32x4_relaxed_min Bin f32x4_relaxed_max
        Bin f64x2_relaxed_min Bin f64x2_relaxed_max
        Bin i16x8_relaxed_q15mulr_s
        Bin i16x8_relaxed_dot_i8x16_i7x16_s Tern i32x4_relaxed_dot_i8x16_i7x16_add_s
    }
}

/// A `v128` from lanes of `f32`s.
fn f32s(l: [f32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |v, (i, x)| v | u128::from(x.to_bits()) << (32 * i))
}

fn f64s(l: [f64; 2]) -> u128 {
    u128::from(l[0].to_bits()) | u128::from(l[1].to_bits()) << 64
}

fn splat_bytes(lane: u128, bits: u32) -> u128 {
    (0..128 / bits).fold(0, |v, i| v | lane << (bits * i))
}

/// Operands worth trying: zeros and ones, each shape's extremes and signs, float NaNs
/// (quiet, signalling, with payloads, negative), zeros of both signs, infinities, halves,
/// values beyond every integer range, and denormals; then random ones.
fn values() -> Vec<u128> {
    let mut v = vec![0, u128::MAX, 1, 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10];
    for bits in [8u32, 16, 32, 64] {
        let one = 1u128;
        let max = (one << (bits - 1)) - 1;
        let min = one << (bits - 1);
        for lane in [
            max,
            min,
            min | 1,
            (one << bits) - 1,
            2,
            15,
            16,
            bits as u128 + 1,
        ] {
            v.push(splat_bytes(lane, bits));
        }
        // Alternating extremes.
        v.push(splat_bytes(
            max | (min << bits) & ((1 << (2 * bits).min(127)) - 1),
            2 * bits.min(32),
        ));
    }
    let snan32 = f32::from_bits(0x7fa0_0001);
    let nan32 = f32::from_bits(0xffc0_1234);
    v.extend([
        f32s([0.0, -0.0, 1.0, -1.0]),
        f32s([f32::NAN, snan32, nan32, -f32::NAN]),
        f32s([f32::INFINITY, f32::NEG_INFINITY, 2.5, -2.5]),
        f32s([0.5, -0.5, 1.5, -3.5]),
        f32s([3e9, -3e9, 4294967296.0, -2147483904.0]),
        f32s([f32::MIN_POSITIVE / 4.0, -1e-40, f32::MAX, f32::MIN]),
        f32s([-0.0, 0.0, f32::NAN, 1.0]),
        f32s([1.0e10, 8388609.5, -8388609.5, 0.49999997]),
        f64s([0.0, -0.0]),
        f64s([f64::NAN, f64::from_bits(0x7ff4_0000_0000_0001)]),
        f64s([f64::from_bits(0xfff8_0000_dead_beef), 1.0]),
        f64s([f64::INFINITY, f64::NEG_INFINITY]),
        f64s([2.5, -3.5]),
        f64s([1e19, -1e19]),
        f64s([4294967295.5, -2147483648.9]),
        f64s([4503599627370495.5, -0.5]),
        f64s([f64::MIN_POSITIVE / 8.0, 1e300]),
    ]);
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..24 {
        v.push(u128::from(next()) | u128::from(next()) << 64);
    }
    v
}

fn config() -> Config {
    Config::default()
}

/// Calls export `name` of `instance` with `args`; returns its one result.
fn call(store: &mut Store<()>, f: &Func, args: &[Val], result: Val) -> Val {
    let mut results = [result];
    f.call(&mut *store, args, &mut results)
        .unwrap_or_else(|e| panic!("{e}"));
    results[0]
}

/// A `v128` value with these bits.
fn vec128(bits: u128) -> Val {
    Val::from(bits)
}

fn v128(v: &Val) -> u128 {
    match v {
        Val::V128(v) => v.as_u128(),
        other => panic!("not a v128: {other:?}"),
    }
}

/// Every operator of `operators` on every tier, in one module per tier.
#[test]
fn every_operator_matches_the_oracle() {
    let ops = operators();
    let mut wat = String::from("(module\n");
    for (name, sig) in &ops {
        let (params, body) = match sig {
            Sig::Un(_) | Sig::Test(_) => ("(param v128)", "local.get 0"),
            Sig::Bin(_) => ("(param v128 v128)", "local.get 0 local.get 1"),
            Sig::Tern(_) => (
                "(param v128 v128 v128)",
                "local.get 0 local.get 1 local.get 2",
            ),
            Sig::Shift(_) => ("(param v128 i32)", "local.get 0 local.get 1"),
        };
        let result = if matches!(sig, Sig::Test(_)) {
            "i32"
        } else {
            "v128"
        };
        wat.push_str(&format!(
            "(func (export \"{name}\") {params} (result {result}) {body} {name})\n"
        ));
    }
    wat.push(')');
    let values = values();
    let shifts = [0, 1, 7, 8, 15, 16, 31, 32, 63, 64, -1, 100];
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config());
        let (mut store, instance) = engine.instantiate(&wat);
        for (name, sig) in &ops {
            let f = instance.get_func(&store, name).unwrap();
            let check = |got: u128, want: u128, args: &[u128]| {
                // Bit for bit, NaNs included: SIMD float arithmetic gives the canonical NaN
                // on every tier (`wisp_core::wasm::simd`).
                assert!(
                    got == want,
                    "{tier:?}: {name} {args:x?}: got {got:#034x}, want {want:#034x}"
                );
            };
            match *sig {
                Sig::Un(o) => {
                    for &a in &values {
                        let got = v128(&call(&mut store, &f, &[vec128(a)], vec128(0)));
                        check(got, o(a), &[a]);
                    }
                }
                Sig::Test(o) => {
                    for &a in &values {
                        let got = call(&mut store, &f, &[vec128(a)], Val::I32(0));
                        assert_eq!(got, Val::I32(o(a)), "{tier:?}: {name} {a:#x}");
                    }
                }
                Sig::Shift(o) => {
                    for &a in &values {
                        for &c in &shifts {
                            let args = [vec128(a), Val::I32(c)];
                            let got = v128(&call(&mut store, &f, &args, vec128(0)));
                            check(got, o(a, c), &[a, c as u128]);
                        }
                    }
                }
                Sig::Bin(o) => {
                    for &a in &values {
                        for &b in &values {
                            let args = [vec128(a), vec128(b)];
                            let got = v128(&call(&mut store, &f, &args, vec128(0)));
                            check(got, o(a, b), &[a, b]);
                        }
                    }
                }
                Sig::Tern(o) => {
                    for (i, &a) in values.iter().enumerate() {
                        for &b in &values {
                            let c = values[(i * 7 + 3) % values.len()];
                            let args = [vec128(a), vec128(b), vec128(c)];
                            let got = v128(&call(&mut store, &f, &args, vec128(0)));
                            check(got, o(a, b, c), &[a, b, c]);
                        }
                    }
                }
            }
        }
    }
}

/// `splat`, `extract_lane` and `replace_lane` of every shape, at every lane; `shuffle`
/// with a few masks; `v128.const`.
#[test]
fn lanes_splats_shuffles_and_constants() {
    let shuffles: [[u8; 16]; 4] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [
            31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
        ],
        [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23],
        [3, 3, 3, 3, 19, 19, 19, 19, 0, 1, 2, 3, 28, 29, 30, 31],
    ];
    let shapes = [
        ("i8x16", 16, "i32"),
        ("i16x8", 8, "i32"),
        ("i32x4", 4, "i32"),
        ("i64x2", 2, "i64"),
        ("f32x4", 4, "f32"),
        ("f64x2", 2, "f64"),
    ];
    let mut wat = String::from("(module\n");
    for (shape, lanes, scalar) in shapes {
        wat += &format!(
            "(func (export \"{shape}.splat\") (param {scalar}) (result v128) local.get 0 {shape}.splat)\n"
        );
        for lane in 0..lanes {
            let extracts: &[&str] = if lanes > 4 && scalar == "i32" {
                &["_s", "_u"]
            } else {
                &[""]
            };
            for sx in extracts {
                wat += &format!("(func (export \"{shape}.extract_lane{sx} {lane}\") (param v128) (result {scalar}) local.get 0 {shape}.extract_lane{sx} {lane})\n");
            }
            wat += &format!("(func (export \"{shape}.replace_lane {lane}\") (param v128 {scalar}) (result v128) local.get 0 local.get 1 {shape}.replace_lane {lane})\n");
        }
    }
    for (i, mask) in shuffles.iter().enumerate() {
        let mask: Vec<String> = mask.iter().map(|l| l.to_string()).collect();
        wat += &format!("(func (export \"shuffle {i}\") (param v128 v128) (result v128) local.get 0 local.get 1 i8x16.shuffle {})\n", mask.join(" "));
    }
    wat += "(func (export \"const\") (result v128) v128.const i64x2 0x0123456789abcdef 0xfedcba9876543210)\n)";
    let values = values();
    let scalars: [u64; 6] = [0, 1, 0x80, 0xffff_ffff, 0x7fc0_0001, 0xfff4_0000_0000_0001];
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config());
        let (mut store, instance) = engine.instantiate(&wat);
        let func = |store: &Store<()>, name: &str| instance.get_func(store, name).unwrap();
        for (shape, lanes, scalar) in shapes {
            let val = |x: u64| match scalar {
                "i32" => Val::I32(x as i32),
                "i64" => Val::I64(x as i64),
                "f32" => Val::F32(x as u32),
                _ => Val::F64(x),
            };
            let raw = |v: &Val| match *v {
                Val::I32(x) => x as u32 as u64,
                Val::I64(x) => x as u64,
                Val::F32(x) => u64::from(x),
                Val::F64(x) => x,
                _ => unreachable!(),
            };
            let bits = 128 / lanes;
            let mask = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            for &x in &scalars {
                let f = func(&store, &format!("{shape}.splat"));
                let got = v128(&call(&mut store, &f, &[val(x)], vec128(0)));
                assert_eq!(
                    got,
                    splat_bytes(u128::from(x & mask), bits),
                    "{tier:?} {shape}.splat {x:#x}"
                );
            }
            for lane in 0..lanes {
                for &v in &values {
                    let lane_bits = (v >> (bits * lane)) as u64 & mask;
                    for sx in ["", "_s", "_u"] {
                        let Some(f) =
                            instance.get_func(&store, &format!("{shape}.extract_lane{sx} {lane}"))
                        else {
                            continue;
                        };
                        let got = raw(&call(&mut store, &f, &[vec128(v)], val(0)));
                        let want = match sx {
                            "_s" => {
                                ((lane_bits << (64 - bits)) as i64 >> (64 - bits)) as u64
                                    & 0xffff_ffff
                            }
                            _ => lane_bits,
                        };
                        assert_eq!(got, want, "{tier:?} {shape}.extract_lane{sx} {lane} {v:#x}");
                    }
                    let f = func(&store, &format!("{shape}.replace_lane {lane}"));
                    for &x in &scalars[..3] {
                        let got = v128(&call(&mut store, &f, &[vec128(v), val(x)], vec128(0)));
                        let ones = u128::from(mask) << (bits * lane);
                        let want = (v & !ones) | u128::from(x & mask) << (bits * lane);
                        assert_eq!(got, want, "{tier:?} {shape}.replace_lane {lane}");
                    }
                }
            }
        }
        for (i, mask) in shuffles.iter().enumerate() {
            let f = func(&store, &format!("shuffle {i}"));
            let lanes = u128::from_le_bytes(*mask);
            for &a in &values[..20] {
                for &b in &values[20..40] {
                    let got = v128(&call(&mut store, &f, &[vec128(a), vec128(b)], vec128(0)));
                    assert_eq!(got, s::i8x16_shuffle(a, b, lanes), "{tier:?} shuffle {i}");
                }
            }
        }
        let f = func(&store, "const");
        let got = v128(&call(&mut store, &f, &[], vec128(0)));
        assert_eq!(got, 0xfedcba9876543210_0123456789abcdef);
    }
}

/// Every load and store form against the bytes in memory, at offsets up to the end of
/// memory, and the bounds check: one byte too far traps.
#[test]
fn loads_and_stores() {
    let wat = r#"(module
      (memory 1)
      (func (export "init") (local i32)
        loop
          local.get 0 local.get 0 i32.const 37 i32.mul i32.const 11 i32.add i32.store8
          local.get 0 i32.const 1 i32.add local.tee 0
          i32.const 65536 i32.lt_u br_if 0
        end)
      (func (export "load") (param i32) (result v128) local.get 0 v128.load offset=3)
      (func (export "load8x8_s") (param i32) (result v128) local.get 0 v128.load8x8_s)
      (func (export "load8x8_u") (param i32) (result v128) local.get 0 v128.load8x8_u)
      (func (export "load16x4_s") (param i32) (result v128) local.get 0 v128.load16x4_s)
      (func (export "load16x4_u") (param i32) (result v128) local.get 0 v128.load16x4_u)
      (func (export "load32x2_s") (param i32) (result v128) local.get 0 v128.load32x2_s)
      (func (export "load32x2_u") (param i32) (result v128) local.get 0 v128.load32x2_u)
      (func (export "load8_splat") (param i32) (result v128) local.get 0 v128.load8_splat)
      (func (export "load16_splat") (param i32) (result v128) local.get 0 v128.load16_splat)
      (func (export "load32_splat") (param i32) (result v128) local.get 0 v128.load32_splat)
      (func (export "load64_splat") (param i32) (result v128) local.get 0 v128.load64_splat)
      (func (export "load32_zero") (param i32) (result v128) local.get 0 v128.load32_zero)
      (func (export "load64_zero") (param i32) (result v128) local.get 0 v128.load64_zero)
      (func (export "load8_lane") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load8_lane 13)
      (func (export "load16_lane") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load16_lane 6)
      (func (export "load32_lane") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load32_lane 1)
      (func (export "load64_lane") (param i32 v128) (result v128) local.get 0 local.get 1 v128.load64_lane 1)
      (func (export "store") (param i32 v128) local.get 0 local.get 1 v128.store offset=1)
      (func (export "store8_lane") (param i32 v128) local.get 0 local.get 1 v128.store8_lane 15)
      (func (export "store16_lane") (param i32 v128) local.get 0 local.get 1 v128.store16_lane 3)
      (func (export "store32_lane") (param i32 v128) local.get 0 local.get 1 v128.store32_lane 2)
      (func (export "store64_lane") (param i32 v128) local.get 0 local.get 1 v128.store64_lane 0)
      (func (export "read") (param i32) (result i64) local.get 0 i64.load))"#;
    let byte = |i: u32| (i.wrapping_mul(37).wrapping_add(11)) as u8;
    let bytes = |at: u32, n: u32| -> u128 {
        (0..n).fold(0, |v, i| v | u128::from(byte(at + i)) << (8 * i))
    };
    type Load = (&'static str, u32, fn(u128) -> u128);
    let loads: [Load; 13] = [
        ("load", 16, |x| x),
        ("load8x8_s", 8, |x| s::v128_load8x8_s(x as u64)),
        ("load8x8_u", 8, |x| s::v128_load8x8_u(x as u64)),
        ("load16x4_s", 8, |x| s::v128_load16x4_s(x as u64)),
        ("load16x4_u", 8, |x| s::v128_load16x4_u(x as u64)),
        ("load32x2_s", 8, |x| s::v128_load32x2_s(x as u64)),
        ("load32x2_u", 8, |x| s::v128_load32x2_u(x as u64)),
        ("load8_splat", 1, |x| s::i8x16_splat(x as i32)),
        ("load16_splat", 2, |x| s::i16x8_splat(x as i32)),
        ("load32_splat", 4, |x| s::i32x4_splat(x as i32)),
        ("load64_splat", 8, |x| s::i64x2_splat(x as i64)),
        ("load32_zero", 4, |x| s::v128_load32_zero(x as u32)),
        ("load64_zero", 8, |x| s::v128_load64_zero(x as u64)),
    ];
    let v = 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff_u128;
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config());
        let (mut store, instance) = engine.instantiate(wat);
        let func = |store: &Store<()>, name: &str| instance.get_func(store, name).unwrap();
        let init = func(&store, "init");
        init.call(&mut store, &[], &mut []).unwrap();
        for (name, width, oracle) in loads {
            let f = func(&store, name);
            // `load` has offset=3.
            let extra = if name == "load" { 3 } else { 0 };
            let last = 65536 - width - extra;
            for at in [0, 1, 7, 1000, last] {
                let got = v128(&call(&mut store, &f, &[Val::I32(at as i32)], vec128(0)));
                assert_eq!(
                    got,
                    oracle(bytes(at + extra, width)),
                    "{tier:?} {name} at {at}"
                );
            }
            let mut r = [vec128(0)];
            let trap = f.call(&mut store, &[Val::I32(last as i32 + 1)], &mut r);
            assert!(trap.is_err(), "{tier:?} {name} past the end");
        }
        for (name, lane, width) in [
            ("load8_lane", 13, 8),
            ("load16_lane", 6, 16),
            ("load32_lane", 1, 32),
            ("load64_lane", 1, 64),
        ] {
            let f = func(&store, name);
            let last = 65536 - width / 8;
            let got = v128(&call(
                &mut store,
                &f,
                &[Val::I32(last as i32), vec128(v)],
                vec128(0),
            ));
            let ones = (u128::MAX >> (128 - width)) << (width * lane);
            let want = (v & !ones) | bytes(last, width / 8) << (width * lane);
            assert_eq!(got, want, "{tier:?} {name}");
            let mut r = [vec128(0)];
            assert!(f
                .call(&mut store, &[Val::I32(last as i32 + 1), vec128(v)], &mut r)
                .is_err());
        }
        let read = func(&store, "read");
        let read128 = |store: &mut Store<()>, at: i32| -> u128 {
            let lo = call(store, &read, &[Val::I32(at)], Val::I64(0));
            let hi = call(store, &read, &[Val::I32(at + 8)], Val::I64(0));
            match (lo, hi) {
                (Val::I64(lo), Val::I64(hi)) => lo as u64 as u128 | (hi as u64 as u128) << 64,
                _ => unreachable!(),
            }
        };
        let f = func(&store, "store");
        call0(&mut store, &f, &[Val::I32(100), vec128(v)]);
        assert_eq!(read128(&mut store, 101), v, "{tier:?} store");
        let mut r = [];
        assert!(f
            .call(&mut store, &[Val::I32(65536 - 16), vec128(v)], &mut r)
            .is_err());
        for (name, lane, width) in [
            ("store8_lane", 15, 8),
            ("store16_lane", 3, 16),
            ("store32_lane", 2, 32),
            ("store64_lane", 0, 64),
        ] {
            let f = func(&store, name);
            let before = read128(&mut store, 200);
            call0(&mut store, &f, &[Val::I32(200), vec128(v)]);
            let ones = u128::MAX >> (128 - width);
            let want = (before & !ones) | ((v >> (width * lane)) & ones);
            assert_eq!(read128(&mut store, 200), want, "{tier:?} {name}");
            let at = 65536 - width / 8 + 1;
            assert!(f
                .call(&mut store, &[Val::I32(at), vec128(v)], &mut r)
                .is_err());
        }
    }
}

fn call0(store: &mut Store<()>, f: &Func, args: &[Val]) {
    f.call(&mut *store, args, &mut [])
        .unwrap_or_else(|e| panic!("{e}"));
}

/// `v128` values through everything that carries values: locals, globals, block
/// parameters and results, `if`, `br_table`, `select` (both forms), calls (direct,
/// indirect, to host functions, tail calls) and exceptions, and loops entered by
/// on-stack replacement with `v128`s in locals and on the operand stack.
#[test]
fn v128_goes_everywhere() {
    let wat = r#"(module
      (import "host" "swap" (func $host (param v128 i32 v128) (result v128 v128)))
      (tag $t (param i32 v128))
      (global $g (mut v128) (v128.const i64x2 1 2))
      (table 2 funcref)
      (elem (i32.const 0) $id $add)
      (type $bin (func (param v128 v128) (result v128)))
      (func $id (param v128 v128) (result v128) local.get 0)
      (func $add (param v128 v128) (result v128) local.get 0 local.get 1 i64x2.add)
      (func $tail (param v128 v128) (result v128) local.get 1 local.get 0 return_call $add)
      (func (export "everywhere") (param $a v128) (param $b v128) (param $k i32) (result v128)
        (local $l v128) (local $i i32)
        ;; A global, a local.
        local.get $a global.set $g
        global.get $g local.set $l
        ;; Blocks with v128 parameters and results, and br_table.
        local.get $l local.get $b
        block (param v128 v128) (result v128 v128)
          block (param v128 v128) (result v128 v128)
            local.get $k br_table 0 1
          end
          i64x2.add local.get $b
        end
        ;; select, typed and untyped.
        local.get $k select (result v128)
        local.get $a local.get $k i32.const 1 i32.and select
        ;; if with a v128 result.
        local.get $k if (param v128) (result v128) local.get $b i8x16.add else local.get $a i8x16.sub end
        ;; calls: direct, indirect, tail, host.
        local.get $b call $add
        local.get $a local.get $k i32.const 1 i32.and call_indirect (type $bin)
        local.get $b call $tail
        i32.const 7 local.get $a call $host i64x2.sub
        ;; An exception carrying a v128.
        block $h (result i32 v128)
          try_table (catch $t $h)
            i32.const 3 local.get $a throw $t
          end
          unreachable
        end
        local.set $l drop
        local.get $l i32x4.add
        ;; A loop (on-stack replacement with tier-up) with v128s in locals and operands.
        local.get $b
        loop (param v128 v128) (result v128 v128)
          local.get $a i16x8.add
          local.get $i i32.const 1 i32.add local.tee $i
          i32.const 3000 i32.lt_u br_if 0
        end
        i8x16.add))"#;
    let oracle = |a: u128, b: u128, k: i32| -> u128 {
        let (l, bb) = (a, b);
        // `br_table`: 0 to the inner block, which adds; else past it.
        let (x, y) = if k == 0 {
            (s::i64x2_add(l, bb), b)
        } else {
            (l, bb)
        };
        let v = if k != 0 { x } else { y };
        let v = if k & 1 != 0 { v } else { a };
        let v = if k != 0 {
            s::i8x16_add(v, b)
        } else {
            s::i8x16_sub(v, a)
        };
        let v = s::i64x2_add(v, b);
        let v = if k & 1 != 0 { s::i64x2_add(v, a) } else { v };
        let v = s::i64x2_add(b, v);
        // host(v, 7, a) = (a, v): sub gives a - v.
        let v = s::i64x2_sub(a, v);
        let v = s::i32x4_add(v, a);
        let mut w = b;
        for _ in 0..3000 {
            w = s::i16x8_add(w, a);
        }
        s::i8x16_add(v, w)
    };
    let values = values();
    for tier in tiers().into_iter().chain([Tier::Mixed(3), Tier::Mixed(4)]) {
        let engine = TierEngine::new(tier, &config());
        let module = engine.module(wat);
        let mut store = Store::new(&engine.engine, ());
        let mut linker = wisp_core::Linker::new(&engine.engine);
        let ty = FuncType::new(
            [ValType::V128, ValType::I32, ValType::V128],
            [ValType::V128, ValType::V128],
        );
        linker
            .func_new("host", "swap", ty, |_, args, results| {
                results[0] = args[2];
                results[1] = args[0];
                Ok(())
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let f = instance.get_func(&store, "everywhere").unwrap();
        for (i, &a) in values.iter().enumerate().step_by(3) {
            let b = values[(i * 5 + 1) % values.len()];
            for k in [0, 1, 2] {
                let got = v128(&call(
                    &mut store,
                    &f,
                    &[vec128(a), vec128(b), Val::I32(k)],
                    vec128(0),
                ));
                assert_eq!(got, oracle(a, b, k), "{tier:?} a={a:#x} b={b:#x} k={k}");
            }
        }
    }
}

/// Fuel: a SIMD operator costs one unit, as any other, on every tier.
#[test]
fn fuel_counts_simd_operators() {
    let wat = r#"(module
      (func (export "f") (param v128) (result v128)
        local.get 0 local.get 0 i8x16.add v128.const i32x4 1 2 3 4 i32x4.mul))"#;
    let mut config = config();
    config.consume_fuel(true);
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config);
        let (mut store, instance) = engine.instantiate(wat);
        store.set_fuel(1000).unwrap();
        let f = instance.get_func(&store, "f").unwrap();
        call(&mut store, &f, &[vec128(5)], vec128(0));
        // Five operators and the `end`.
        assert_eq!(store.get_fuel().unwrap(), 1000 - 6, "{tier:?}");
    }
}

/// Chains of float arithmetic, where the JIT gives a canonicalising operator its operand's
/// raw result (`vpop_arith`), are bit for bit the oracle's operator by operator: NaN
/// payloads in, a result seen through `local.tee` as well as consumed, and an `f32x4`
/// result read as `f64x2` lanes (whose fix-up must not be skipped).
#[test]
fn float_chains_match_the_oracle_operator_by_operator() {
    let wat = r#"(module
      (func (export "madd") (param v128 v128 v128) (result v128)
        local.get 0 local.get 1 f32x4.mul local.get 2 f32x4.add)
      (func (export "tee") (param v128 v128 v128) (result v128 v128)
        (local $m v128)
        local.get 0 local.get 1 f32x4.mul local.tee $m local.get 2 f32x4.sub local.get $m)
      (func (export "shapes") (param v128 v128 v128) (result v128)
        local.get 0 local.get 1 f32x4.mul local.get 2 f64x2.add)
      (func (export "deep") (param v128 v128 v128) (result v128)
        local.get 0 local.get 1 f64x2.div f64x2.sqrt local.get 2 f64x2.min
        local.get 0 local.get 2 f64x2.mul f64x2.max f64x2.nearest
        f32x4.demote_f64x2_zero f32x4.neg local.get 1 f32x4.max))"#;
    let oracle = |name: &str, a: u128, b: u128, c: u128| -> Vec<u128> {
        match name {
            "madd" => vec![s::f32x4_add(s::f32x4_mul(a, b), c)],
            "tee" => {
                let m = s::f32x4_mul(a, b);
                vec![s::f32x4_sub(m, c), m]
            }
            "shapes" => vec![s::f64x2_add(s::f32x4_mul(a, b), c)],
            _ => {
                let x = s::f64x2_min(s::f64x2_sqrt(s::f64x2_div(a, b)), c);
                let y = s::f64x2_nearest(s::f64x2_max(x, s::f64x2_mul(a, c)));
                vec![s::f32x4_max(s::f32x4_neg(s::f32x4_demote_f64x2_zero(y)), b)]
            }
        }
    };
    let values = values();
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config());
        let (mut store, instance) = engine.instantiate(wat);
        for name in ["madd", "tee", "shapes", "deep"] {
            let f = instance.get_func(&store, name).unwrap();
            let n = if name == "tee" { 2 } else { 1 };
            for (i, &a) in values.iter().enumerate() {
                let b = values[(i * 7 + 3) % values.len()];
                let c = values[(i * 13 + 5) % values.len()];
                let mut out = vec![vec128(0); n];
                f.call(&mut store, &[vec128(a), vec128(b), vec128(c)], &mut out)
                    .unwrap();
                let got: Vec<u128> = out.iter().map(v128).collect();
                assert_eq!(
                    got,
                    oracle(name, a, b, c),
                    "{tier:?} {name} {a:#x} {b:#x} {c:#x}"
                );
            }
        }
    }
}

/// Locals that hold raw float results (`raw_nan_locals` in the JIT): an accumulator
/// carried around a loop, copies between such locals, a tee read back in another shape,
/// and the locals the scan must leave plain (set from a parameter, from two shapes, from
/// a constant with a non-canonical NaN) are bit for bit the oracle's on every tier.
#[test]
fn locals_holding_raw_float_results_match_the_oracle() {
    let wat = r#"(module
      (func (export "acc") (param v128 v128 v128) (result v128)
        (local $acc v128) (local $i i32)
        i32.const 3 local.set $i
        loop
          local.get $acc local.get 0 local.get 1 f32x4.mul f32x4.add local.set $acc
          local.get $acc local.get 2 f32x4.sub local.set $acc
          local.get $i i32.const 1 i32.sub local.tee $i br_if 0
        end
        local.get $acc)
      (func (export "copies") (param v128 v128 v128) (result v128)
        (local $l v128) (local $m v128)
        local.get 0 local.get 1 f32x4.mul local.tee $l local.set $m
        local.get $m local.get 2 f64x2.add local.get $l f32x4.add)
      (func (export "param") (param v128 v128 v128) (result v128)
        (local $l v128)
        local.get 0 local.get 1 f32x4.add local.set $l
        local.get 2 v128.any_true if local.get 0 local.set $l end
        local.get $l)
      (func (export "shapes") (param v128 v128 v128) (result v128)
        (local $l v128)
        local.get 0 local.get 1 f32x4.add local.set $l
        local.get 2 v128.any_true if local.get 0 local.get 1 f64x2.add local.set $l end
        local.get $l)
      (func (export "const") (param v128 v128 v128) (result v128)
        (local $l v128)
        v128.const i32x4 0x7fc00001 0xffc00000 0 0x7f800001 local.set $l
        local.get 2 v128.any_true if local.get 0 local.get 1 f32x4.add local.set $l end
        local.get $l))"#;
    let constant = 0x7f80_0001_0000_0000_ffc0_0000_7fc0_0001u128;
    let oracle = |name: &str, a: u128, b: u128, c: u128| -> u128 {
        match name {
            "acc" => (0..3).fold(0, |acc, _| {
                s::f32x4_sub(s::f32x4_add(acc, s::f32x4_mul(a, b)), c)
            }),
            "copies" => {
                let m = s::f32x4_mul(a, b);
                s::f32x4_add(s::f64x2_add(m, c), m)
            }
            "param" if c != 0 => a,
            "param" => s::f32x4_add(a, b),
            "shapes" if c != 0 => s::f64x2_add(a, b),
            "shapes" => s::f32x4_add(a, b),
            _ if c != 0 => s::f32x4_add(a, b),
            _ => constant,
        }
    };
    let values = values();
    for tier in tiers() {
        let engine = TierEngine::new(tier, &config());
        let (mut store, instance) = engine.instantiate(wat);
        for name in ["acc", "copies", "param", "shapes", "const"] {
            let f = instance.get_func(&store, name).unwrap();
            for (i, &a) in values.iter().enumerate() {
                let b = values[(i * 7 + 3) % values.len()];
                // Every third call with a zero `c`: the branches not taken otherwise.
                let c = if i % 3 == 0 {
                    0
                } else {
                    values[(i * 13 + 5) % values.len()]
                };
                let got = call(
                    &mut store,
                    &f,
                    &[vec128(a), vec128(b), vec128(c)],
                    vec128(0),
                );
                assert_eq!(
                    v128(&got),
                    oracle(name, a, b, c),
                    "{tier:?} {name} {a:#x} {b:#x} {c:#x}"
                );
            }
        }
    }
}
