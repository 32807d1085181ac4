//! Script values: turning `invoke` arguments into [`Val`]s and checking results against
//! `assert_return` patterns.

use std::collections::HashMap;

use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};
use wisp::{ExternRef, Store, Val};

/// The host references a script passes as `ref.extern N`. Each `N` maps to one reference, so
/// a reference passed twice is the same reference, as in the reference interpreter.
#[derive(Default)]
pub struct HostRefs {
    refs: HashMap<u32, ExternRef>,
}

impl HostRefs {
    fn get(&mut self, store: &mut Store<()>, n: u32) -> ExternRef {
        *self
            .refs
            .entry(n)
            .or_insert_with(|| ExternRef::new(store, n))
    }
}

/// The value an `invoke` argument stands for, or why wisp has no such value.
pub fn arg(store: &mut Store<()>, refs: &mut HostRefs, arg: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model values are not supported".into());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(ty) => null_of(ty)?,
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(refs.get(store, *n))),
        WastArgCore::RefHost(_) => return Err("`ref.host` needs GC (anyref)".into()),
    })
}

/// The null of heap type `ty`. The bottom types (`nofunc`, `noextern`, `noexn`) and the
/// concrete function types have their hierarchy's null.
fn null_of(ty: &HeapType<'_>) -> Result<Val, String> {
    use AbstractHeapType as A;
    match ty {
        HeapType::Abstract {
            shared: false,
            ty: A::Func | A::NoFunc,
        }
        | HeapType::Concrete(_) => Ok(Val::FuncRef(None)),
        HeapType::Abstract {
            shared: false,
            ty: A::Extern | A::NoExtern,
        } => Ok(Val::ExternRef(None)),
        HeapType::Abstract {
            shared: false,
            ty: A::Exn | A::NoExn,
        } => Ok(Val::ExnRef(None)),
        _ => Err(format!("null of heap type {ty:?} needs GC")),
    }
}

/// Checks `actual` against the expected `results`: `Err` says how they differ.
pub fn check_results(
    store: &Store<()>,
    expected: &[WastRet<'_>],
    actual: &[Val],
) -> Result<(), String> {
    if expected.len() != actual.len() {
        return Err(format!(
            "expected {} results, got {}: {}",
            expected.len(),
            actual.len(),
            describe_all(store, actual)
        ));
    }
    for (i, (expected, actual)) in expected.iter().zip(actual).enumerate() {
        let WastRet::Core(expected) = expected else {
            return Err("component-model results are not supported".into());
        };
        if !matches(store, expected, actual)? {
            return Err(format!(
                "result {i}: expected {}, got {}",
                describe_pattern(expected),
                describe(store, actual)
            ));
        }
    }
    Ok(())
}

/// Whether `actual` fits the pattern; `Err` for patterns of values wisp cannot have.
fn matches(store: &Store<()>, expected: &WastRetCore<'_>, actual: &Val) -> Result<bool, String> {
    use WastRetCore as R;
    Ok(match (expected, actual) {
        (R::I32(e), Val::I32(a)) => e == a,
        (R::I64(e), Val::I64(a)) => e == a,
        (R::F32(e), Val::F32(a)) => nan_pattern_matches(bits_of_f32(e), u64::from(*a), 32),
        (R::F64(e), Val::F64(a)) => nan_pattern_matches(bits_of_f64(e), *a, 64),
        (R::RefNull(ty), Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None)) => match ty
        {
            None => true,
            Some(ty) => null_of(ty)? == *actual,
        },
        (R::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (R::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
            let data = r.data(store).map_err(|e| e.to_string())?;
            data.downcast_ref::<u32>() == Some(n)
        }
        // A specific function can only be named by index in its own module, which the
        // embedding API does not expose; the suite's 2.0 files only ask for non-null.
        (R::RefFunc(None), Val::FuncRef(Some(_))) => true,
        (R::RefFunc(Some(index)), Val::FuncRef(Some(_))) => {
            return Err(format!(
                "comparing with a specific function ({index:?}) is not supported"
            ));
        }
        (R::Either(options), actual) => {
            for option in options {
                if matches(store, option, actual)? {
                    return Ok(true);
                }
            }
            false
        }
        (R::V128(pattern), Val::V128(v)) => v128_matches(pattern, *v),
        (
            R::RefHost(_)
            | R::RefAny
            | R::RefEq
            | R::RefArray
            | R::RefStruct
            | R::RefI31
            | R::RefI31Shared,
            _,
        ) => return Err("GC reference results need GC".into()),
        _ => false,
    })
}

/// A `v128` against a pattern lane by lane: integers by bits, floats as `nan_pattern_matches`.
fn v128_matches(pattern: &wast::core::V128Pattern, v: u128) -> bool {
    use wast::core::V128Pattern as P;
    let lane = |i: usize, bits: u32| (v >> (i as u32 * bits)) as u64 & (u64::MAX >> (64 - bits));
    match pattern {
        P::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, &x)| lane(i, 8) == u64::from(x as u8)),
        P::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, &x)| lane(i, 16) == u64::from(x as u16)),
        P::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, &x)| lane(i, 32) == u64::from(x as u32)),
        P::I64x2(l) => l.iter().enumerate().all(|(i, &x)| lane(i, 64) == x as u64),
        P::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| nan_pattern_matches(bits_of_f32(p), lane(i, 32), 32)),
        P::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| nan_pattern_matches(bits_of_f64(p), lane(i, 64), 64)),
    }
}

/// The pattern with its value as bits, so one check serves both widths.
fn bits_of_f32(pattern: &NanPattern<wast::token::F32>) -> NanPattern<u64> {
    match *pattern {
        NanPattern::CanonicalNan => NanPattern::CanonicalNan,
        NanPattern::ArithmeticNan => NanPattern::ArithmeticNan,
        NanPattern::Value(v) => NanPattern::Value(u64::from(v.bits)),
    }
}

fn bits_of_f64(pattern: &NanPattern<wast::token::F64>) -> NanPattern<u64> {
    match *pattern {
        NanPattern::CanonicalNan => NanPattern::CanonicalNan,
        NanPattern::ArithmeticNan => NanPattern::ArithmeticNan,
        NanPattern::Value(v) => NanPattern::Value(v.bits),
    }
}

/// Float bits against a pattern: values compare bit for bit (so a NaN's payload and the
/// sign of zero count); a canonical NaN has only the quiet bit set in its payload, an
/// arithmetic NaN has at least the quiet bit set. Either sign is allowed.
fn nan_pattern_matches(pattern: NanPattern<u64>, actual: u64, width: u32) -> bool {
    let mantissa_bits = if width == 32 { 23 } else { 52 };
    let sign = 1u64 << (width - 1);
    let quiet = 1u64 << (mantissa_bits - 1);
    let exponent = (sign - 1) & !((1u64 << mantissa_bits) - 1);
    let magnitude = actual & (sign - 1);
    match pattern {
        NanPattern::Value(bits) => bits == actual,
        NanPattern::CanonicalNan => magnitude == exponent | quiet,
        NanPattern::ArithmeticNan => magnitude & (exponent | quiet) == exponent | quiet,
    }
}

fn describe_all(store: &Store<()>, vals: &[Val]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| describe(store, v)).collect();
    format!("[{}]", parts.join(", "))
}

/// A value as the script would write it.
pub fn describe(store: &Store<()>, val: &Val) -> String {
    match val {
        Val::I32(v) => format!("(i32.const {v})"),
        Val::I64(v) => format!("(i64.const {v})"),
        Val::F32(b) => format!("(f32.const {} (0x{b:08x}))", f32::from_bits(*b)),
        Val::F64(b) => format!("(f64.const {} (0x{b:016x}))", f64::from_bits(*b)),
        Val::V128(v) => format!(
            "(v128.const i64x2 0x{:016x} 0x{:016x})",
            *v as u64,
            (v >> 64) as u64
        ),
        Val::FuncRef(None) => "(ref.null func)".into(),
        Val::FuncRef(Some(_)) => "(ref.func)".into(),
        Val::ExternRef(None) => "(ref.null extern)".into(),
        Val::ExternRef(Some(r)) => match r.data(store).ok().and_then(|d| d.downcast_ref::<u32>()) {
            Some(n) => format!("(ref.extern {n})"),
            None => "(ref.extern)".into(),
        },
        Val::ExnRef(None) => "(ref.null exn)".into(),
        Val::ExnRef(Some(_)) => "(ref.exn)".into(),
    }
}

fn describe_pattern(pattern: &WastRetCore<'_>) -> String {
    use WastRetCore as R;
    let float = |p: NanPattern<u64>, width: u32| match p {
        NanPattern::CanonicalNan => format!("(f{width}.const nan:canonical)"),
        NanPattern::ArithmeticNan => format!("(f{width}.const nan:arithmetic)"),
        NanPattern::Value(b) if width == 32 => {
            format!("(f32.const {} (0x{b:08x}))", f32::from_bits(b as u32))
        }
        NanPattern::Value(b) => format!("(f64.const {} (0x{b:016x}))", f64::from_bits(b)),
    };
    match pattern {
        R::I32(v) => format!("(i32.const {v})"),
        R::I64(v) => format!("(i64.const {v})"),
        R::F32(p) => float(bits_of_f32(p), 32),
        R::F64(p) => float(bits_of_f64(p), 64),
        R::RefNull(None) => "(ref.null)".into(),
        R::RefNull(Some(ty)) => format!("(ref.null {ty:?})"),
        R::RefExtern(None) => "(ref.extern)".into(),
        R::RefExtern(Some(n)) => format!("(ref.extern {n})"),
        R::RefFunc(_) => "(ref.func)".into(),
        R::Either(options) => {
            let parts: Vec<String> = options.iter().map(describe_pattern).collect();
            format!("(either {})", parts.join(" "))
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_nan_is_only_the_quiet_bit_of_either_sign() {
        let canonical = |bits: u64| nan_pattern_matches(NanPattern::CanonicalNan, bits, 32);
        assert!(canonical(0x7fc0_0000));
        assert!(canonical(0xffc0_0000));
        assert!(!canonical(0x7fc0_0001));
        assert!(!canonical(0x7fa0_0000));
        assert!(!canonical(0x7f80_0000));
    }

    #[test]
    fn arithmetic_nan_needs_the_quiet_bit() {
        let arithmetic = |bits: u64| nan_pattern_matches(NanPattern::ArithmeticNan, bits, 64);
        assert!(arithmetic(0x7ff8_0000_0000_0000));
        assert!(arithmetic(0xfff8_0000_0000_0001));
        assert!(!arithmetic(0x7ff4_0000_0000_0000));
        assert!(!arithmetic(0x7ff0_0000_0000_0000));
        assert!(!arithmetic(0x3ff8_0000_0000_0000));
    }

    #[test]
    fn float_values_compare_bit_for_bit() {
        assert!(nan_pattern_matches(
            NanPattern::Value(0x7fa0_0000),
            0x7fa0_0000,
            32
        ));
        assert!(!nan_pattern_matches(NanPattern::Value(0x8000_0000), 0, 32));
    }

    #[test]
    fn extern_refs_compare_by_their_number() {
        let engine = wisp::Engine::default();
        let mut store = Store::new(&engine, ());
        let mut refs = HostRefs::default();
        let one = refs.get(&mut store, 1);
        assert_eq!(refs.get(&mut store, 1), one);
        let pattern = |n| WastRetCore::RefExtern(n);
        let val = Val::ExternRef(Some(one));
        assert_eq!(matches(&store, &pattern(Some(1)), &val), Ok(true));
        assert_eq!(matches(&store, &pattern(Some(2)), &val), Ok(false));
        assert_eq!(matches(&store, &pattern(None), &val), Ok(true));
        assert_eq!(
            matches(&store, &pattern(None), &Val::ExternRef(None)),
            Ok(false)
        );
        assert_eq!(
            matches(&store, &WastRetCore::RefNull(None), &Val::ExternRef(None)),
            Ok(true)
        );
    }
}
