//! Every numeric operator of the instruction table, on every tier, against its semantics
//! in `wisp_core::wasm` (the oracle, `NumericOp::oracle`): on operands from parameters, with
//! either operand a constant (the interpreter's immediate and swapped forms), and tested by
//! `br_if` and `if` (its fused compare-and-branch and the branch's complement). The list of
//! operators is the table's, so an operator added there is tested here without a line more.

mod common;

use common::{Tier, TierEngine};
use wisp_core::{Config, Func, Store, TrapCode, Val};
use wisp_interp::bytecode::NumericOp;

/// The tiers compared: the interpreter, the JIT, and tier-up at the first call.
const TIERS: [Tier; 3] = [Tier::Interp, Tier::Jit, Tier::Tiered];

/// Operands worth trying, by type, as raw slots: zeros and signs, shift counts around the
/// width, the extremes, values just outside `i32` (immediates that do not fit), NaN,
/// infinities, halves (rounding), and floats outside every integer range.
fn values(ty: &str) -> Vec<u64> {
    match ty {
        "i32" => [0, 1, -1, 2, 31, 32, i32::MIN, i32::MAX, 0x1234_5678]
            .map(|v: i32| u64::from(v as u32))
            .to_vec(),
        "i64" => [
            0,
            1,
            -1,
            63,
            64,
            i64::MIN,
            i64::MAX,
            1 << 31,
            -(1 << 31) - 1,
            0x1234_5678_9abc_def0,
        ]
        .map(|v: i64| v as u64)
        .to_vec(),
        "f32" => [
            0.0,
            -0.0,
            1.0,
            -1.5,
            2.5,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            3e9,
            -2147483904.0,
            0.49999997,
        ]
        .map(|v: f32| u64::from(v.to_bits()))
        .to_vec(),
        "f64" => [
            0.0,
            -0.0,
            1.0,
            -1.5,
            2.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e19,
            -2147483648.9,
            4503599627370495.5,
        ]
        .map(|v: f64| v.to_bits())
        .to_vec(),
        other => panic!("no values of type {other}"),
    }
}

/// The operator's name in the text format: `I32TruncSatF32S` is `i32.trunc_sat_f32_s`.
fn text_name(op: NumericOp) -> String {
    let debug = format!("{op:?}");
    let (ty, rest) = debug.split_at(3);
    let mut name = ty.to_lowercase() + ".";
    for (i, c) in rest.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// A constant of type `ty` with raw value `raw`, in the text format.
fn constant(ty: &str, raw: u64) -> String {
    match ty {
        "i32" => format!("(i32.const {})", raw as u32 as i32),
        "i64" => format!("(i64.const {})", raw as i64),
        "f32" => format!("(f32.reinterpret_i32 (i32.const {}))", raw as u32 as i32),
        "f64" => format!("(f64.reinterpret_i64 (i64.const {}))", raw as i64),
        _ => unreachable!(),
    }
}

fn val(ty: &str, raw: u64) -> Val {
    match ty {
        "i32" => Val::I32(raw as u32 as i32),
        "i64" => Val::I64(raw as i64),
        "f32" => Val::F32(raw as u32),
        "f64" => Val::F64(raw),
        _ => unreachable!(),
    }
}

fn raw(v: &Val) -> u64 {
    match *v {
        Val::I32(v) => u64::from(v as u32),
        Val::I64(v) => v as u64,
        Val::F32(v) => u64::from(v),
        Val::F64(v) => v,
        _ => unreachable!(),
    }
}

/// Whether a tier's result matches the oracle's: exactly, but for NaN results of float
/// arithmetic, where wasm allows any NaN (the sign operations keep the payload exactly,
/// and the tiers must too).
fn same(op: NumericOp, ty: &str, want: u64, got: u64) -> bool {
    let exact = matches!(
        op,
        NumericOp::F32Abs
            | NumericOp::F32Neg
            | NumericOp::F32Copysign
            | NumericOp::F64Abs
            | NumericOp::F64Neg
            | NumericOp::F64Copysign
    );
    let nan = |raw: u64| match ty {
        "f32" => f32::from_bits(raw as u32).is_nan(),
        "f64" => f64::from_bits(raw).is_nan(),
        _ => false,
    };
    want == got || (!exact && nan(want) && nan(got))
}

/// Whether a tier's outcome (a raw result or a trap) matches the oracle's (see `same`).
fn agrees(
    op: NumericOp,
    ty: &str,
    want: Result<u64, TrapCode>,
    got: Result<u64, TrapCode>,
) -> bool {
    match (want, got) {
        (Ok(w), Ok(g)) => same(op, ty, w, g),
        (w, g) => w == g,
    }
}

/// The functions testing `op` (a binary or unary operator with numeric operands): `plain`
/// on parameters; for binary operators `right{i}`/`left{i}` with the `i`-th value as the
/// right or left operand; and for `i32` results `br_if` and `if` on the result (1 if it
/// is non-zero).
fn module(op: NumericOp, params: &[&str], result: &str) -> String {
    let name = text_name(op);
    let sig = format!("(param {}) (result {result})", params.join(" "));
    let args = (0..params.len())
        .map(|i| format!("(local.get {i})"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut m = format!("(module\n  (func (export \"plain\") {sig} ({name} {args}))\n");
    if params.len() == 2 {
        for (i, &c) in values(params[1]).iter().enumerate() {
            m += &format!(
                "  (func (export \"right{i}\") (param {}) (result {result}) ({name} (local.get 0) {}))\n",
                params[0],
                constant(params[1], c)
            );
        }
        for (i, &c) in values(params[0]).iter().enumerate() {
            m += &format!(
                "  (func (export \"left{i}\") (param {}) (result {result}) ({name} {} (local.get 0)))\n",
                params[1],
                constant(params[0], c)
            );
        }
    }
    if result == "i32" {
        m += &format!(
            "  (func (export \"br_if\") {sig} (block $t (br_if $t ({name} {args})) (return (i32.const 0))) (i32.const 1))\n"
        );
        m += &format!(
            "  (func (export \"if\") {sig} (if (result i32) ({name} {args}) (then (i32.const 1)) (else (i32.const 0))))\n"
        );
    }
    m + ")"
}

/// Calls `f` with `args`; its result as a raw slot, or its trap.
fn call(store: &mut Store<()>, f: &Func, args: &[Val], result: &str) -> Result<u64, TrapCode> {
    let mut out = [val(result, 0)];
    match f.call(&mut *store, args, &mut out) {
        Ok(()) => Ok(raw(&out[0])),
        Err(e) => Err(e
            .as_trap()
            .and_then(|t| t.code())
            .unwrap_or_else(|| panic!("not a trap: {e}"))),
    }
}

#[test]
fn every_operator_agrees_with_its_semantics_on_every_tier() {
    let mut checked = 0usize;
    let mut operators = 0usize;
    for &op in NumericOp::ALL {
        let (params, result) = op.signature();
        // Loads, stores and `ref.is_null` have operands that are no numbers.
        let (Some(result), Some(_)) = (result, op.oracle(&[0, 0])) else {
            continue;
        };
        if params.contains(&"ref") {
            continue;
        }
        operators += 1;
        let wat = module(op, params, result);
        let combos: Vec<Vec<u64>> = match params {
            [a] => values(a).into_iter().map(|x| vec![x]).collect(),
            [a, b] => values(a)
                .into_iter()
                .flat_map(|x| values(b).into_iter().map(move |y| vec![x, y]))
                .collect(),
            _ => unreachable!(),
        };
        for tier in TIERS {
            let engine = TierEngine::new(tier, &Config::default());
            let (mut store, instance) = engine.instantiate(&wat);
            let func = |store: &Store<()>, name: &str| instance.get_func(store, name).unwrap();
            let plain = func(&store, "plain");
            let fused = (result == "i32").then(|| (func(&store, "br_if"), func(&store, "if")));
            for args in &combos {
                let want = op.oracle(args).unwrap();
                let vals: Vec<Val> = args.iter().zip(params).map(|(&a, t)| val(t, a)).collect();
                let got = call(&mut store, &plain, &vals, result);
                assert!(
                    agrees(op, result, want, got),
                    "{tier:?} {op:?}{args:x?}: {got:x?}, want {want:x?}"
                );
                if let Some((br_if, if_)) = &fused {
                    let truth = want.map(|w| u64::from(w != 0));
                    for f in [br_if, if_] {
                        assert_eq!(
                            call(&mut store, f, &vals, "i32"),
                            truth,
                            "{tier:?} {op:?}{args:x?} as a branch condition"
                        );
                    }
                }
                checked += 1;
            }
            if let [a, b] = params {
                for (i, &c) in values(b).iter().enumerate() {
                    let f = func(&store, &format!("right{i}"));
                    for &x in &values(a) {
                        let want = op.oracle(&[x, c]).unwrap();
                        let got = call(&mut store, &f, &[val(a, x)], result);
                        assert!(
                            agrees(op, result, want, got),
                            "{tier:?} {op:?}({x:x}, const {c:x}): {got:x?}, want {want:x?}"
                        );
                    }
                }
                for (i, &c) in values(a).iter().enumerate() {
                    let f = func(&store, &format!("left{i}"));
                    for &y in &values(b) {
                        let want = op.oracle(&[c, y]).unwrap();
                        let got = call(&mut store, &f, &[val(b, y)], result);
                        assert!(
                            agrees(op, result, want, got),
                            "{tier:?} {op:?}(const {c:x}, {y:x}): {got:x?}, want {want:x?}"
                        );
                    }
                }
            }
        }
    }
    // Every numeric operator of Wasm 2.0 but the reinterpretations and `i32.wrap_i64`
    // (which are no instructions of the interpreter's table).
    assert_eq!(operators, 76 + 55, "numeric operators tested");
    assert!(checked > 10_000, "{checked} operand sets");
}
