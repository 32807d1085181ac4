//! Values through the slot layout (`wisp_core::layout`) on every tier: many parameters and
//! results of mixed types in and out of wasm by `Func::call` (the array-call convention),
//! through host functions called from wasm (host-call marshalling), and through on-stack
//! replacement (`OsrFrame`: locals and operands at a loop header), coming back bit-exact,
//! NaN payloads included.
//!
//! `v128` takes two slots, but no tier runs it yet (SIMD is refused at load): its part is
//! at the API level, through host functions, `Func::call` and exception payloads, which
//! use the same layouts. `core/tests/layout.rs` checks the layouts themselves.

mod common;

use wisp_core::{
    Config, Engine, ExnRef, ExternRef, Func, FuncType, Instance, Linker, Module, Store, Tag,
    TagType, Val, ValType,
};

/// The tiers compared: tier-up with thresholds of one (the first call compiles; a loop
/// moves to native code at once), and functions spread over both tiers.
const TIERS: [common::Tier; 4] = [
    common::Tier::Interp,
    common::Tier::Jit,
    common::Tier::Tiered,
    common::Tier::Mixed(7),
];

fn engines() -> impl Iterator<Item = (common::Tier, Engine)> {
    TIERS
        .into_iter()
        .map(|tier| (tier, common::engine(tier, &Config::default())))
}

/// The mixed signature, twice over (twelve values), so that values sit past the first
/// few slots and every type follows every other.
const TYPES: &str = "i32 i64 f32 f64 externref funcref f64 funcref i32 externref f32 i64";

fn types() -> Vec<ValType> {
    TYPES
        .split(' ')
        .map(|t| match t {
            "i32" => ValType::I32,
            "i64" => ValType::I64,
            "f32" => ValType::F32,
            "f64" => ValType::F64,
            "externref" => ValType::EXTERNREF,
            "funcref" => ValType::FUNCREF,
            _ => unreachable!(),
        })
        .collect()
}

/// Values of `types()`, with bits that show a slot read from the wrong place, or only
/// half of it: NaNs with payloads (quiet and signalling), high bits set, a null and
/// non-null references.
fn values(store: &mut Store<()>, func: Func, round: u32) -> Vec<Val> {
    let ext = ExternRef::new(&mut *store, round);
    vec![
        Val::I32(-0x1234_5679 ^ round as i32),
        Val::I64(0x8000_0000_dead_beef_u64 as i64 ^ i64::from(round)),
        Val::F32(0x7fa0_0001 ^ (round & 0xff)),
        Val::F64(0xfff4_0000_0000_0123 ^ u64::from(round)),
        Val::ExternRef(Some(ext)),
        Val::FuncRef(Some(func)),
        Val::F64(0x7ff8_dead_0000_0001),
        Val::FuncRef(None),
        Val::I32(i32::MIN | round as i32),
        Val::ExternRef(None),
        Val::F32(0xff80_0003),
        Val::I64(-1 ^ i64::from(round) << 40),
    ]
}

/// The wasm under test: `id` returns its parameters; `via_host` passes them through the
/// imported host identity; `osr` keeps them as operands across a hot loop (and a copy in
/// locals it changes and restores), then returns the operands.
fn module_wat() -> String {
    let n = types().len();
    let gets: String = (0..n).map(|i| format!("(local.get {i})")).collect();
    format!(
        r#"(module
  (import "host" "id" (func $host (param {TYPES}) (result {TYPES})))
  (func $id (export "id") (param {TYPES}) (result {TYPES}) {gets})
  (func (export "via_host") (param {TYPES}) (result {TYPES}) (call $host {gets}))
  (func (export "osr") (param {TYPES}) (result {TYPES})
    (local $n i32) (local $a i64) (local $b f64)
    {gets}
    (loop $l
      ;; Each iteration disturbs the locals and puts them back, so values only come
      ;; out right if the frame moved with every slot where the layout says.
      (local.set $a (local.get 1))
      (local.set 1 (i64.const 0))
      (local.set 1 (local.get $a))
      (local.set $b (local.get 3))
      (local.set 3 (f64.const 0))
      (local.set 3 (local.get $b))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $n) (i32.const 3000)))))
  (elem declare func $id))"#
    )
}

fn host_identity(store: &mut Store<()>, ty: FuncType) -> Func {
    Func::new(&mut *store, ty, |_, params, results| {
        results.copy_from_slice(params);
        Ok(())
    })
}

#[test]
fn mixed_values_round_trip_through_every_tier() {
    let ty = FuncType::new(types(), types());
    let wasm = wat::parse_str(module_wat()).unwrap();
    for (tier, engine) in engines() {
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let host = host_identity(&mut store, ty.clone());
        let mut linker = Linker::new(&engine);
        linker.define("host", "id", host).unwrap();
        let instance: Instance = linker.instantiate(&mut store, &module).unwrap();
        for name in ["id", "via_host", "osr"] {
            let f = instance.get_func(&store, name).unwrap();
            assert_eq!(f.ty(&store).unwrap(), ty);
            // Several rounds: with tier-up, the first runs interpreted (and moves to
            // native code in `osr`'s loop), later ones natively from the start.
            for round in 0..4 {
                let args = values(&mut store, f, round);
                let mut results = vec![Val::I32(0); args.len()];
                f.call(&mut store, &args, &mut results).unwrap();
                assert_eq!(results, args, "{tier:?}: {name}, round {round}");
            }
        }
        if tier == common::Tier::Tiered {
            let stats = wisp_jit::tier_stats(&module).unwrap();
            let osr = module
                .inner()
                .exports
                .iter()
                .find(|e| e.name == "osr")
                .map(|e| match e.index {
                    wisp_core::module::ExternIndex::Func(f) => f,
                    _ => unreachable!(),
                })
                .unwrap();
            let stats = stats.iter().find(|s| s.func == osr).unwrap();
            assert!(stats.osr_entries >= 1, "{stats:?}");
        }
    }
}

#[test]
fn v128_takes_two_slots_through_host_calls_and_exceptions() {
    use ValType::{F32, F64, I32, I64, V128};
    let params = [I32, V128, F64, V128, I64, ValType::EXTERNREF, V128, F32];
    let results = [V128, I64, V128, V128, F32, I32];
    let ty = FuncType::new(params, results);
    assert_eq!(
        (ty.param_slots(), ty.result_slots(), ty.slots_len()),
        (11, 9, 11)
    );
    // The host sees each argument whole, and its results go back whole: a value read
    // from the wrong slots, or half of a `v128`, would not come back.
    let lanes = |seed: u128| (seed * 0x0101_0101_0101_0101_0101_0101_0101_0101) ^ (1 << 127);
    for (tier, engine) in engines() {
        let mut store = Store::new(&engine, ());
        let ext = ExternRef::new(&mut store, "x");
        let args = [
            Val::I32(-7),
            Val::from(lanes(0x11)),
            Val::F64(0x7ff4_0000_0000_0042),
            Val::from(lanes(0x22)),
            Val::I64(i64::MIN + 3),
            Val::ExternRef(Some(ext)),
            Val::from(u128::MAX - 5),
            Val::F32(0x7f80_0101),
        ];
        let shuffled = Func::new(&mut store, ty.clone(), move |_, p, r| {
            r.copy_from_slice(&[p[6], p[4], p[1], p[3], p[7], p[0]]);
            Ok(())
        });
        let mut out = vec![Val::I32(0); results.len()];
        shuffled.call(&mut store, &args, &mut out).unwrap();
        assert_eq!(
            out,
            [args[6], args[4], args[1], args[3], args[7], args[0]],
            "{tier:?}"
        );

        // An exception's payload is laid out the same way.
        let tag = Tag::new(&mut store, &TagType::new(params)).unwrap();
        let exn = ExnRef::new(&mut store, &tag, &args).unwrap();
        assert_eq!(exn.fields(&store).unwrap(), args, "{tier:?}");
    }
}
