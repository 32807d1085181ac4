//! memory64 and table64 on every tier: `i64` addresses checked for every value up to
//! 2^64 (offsets that overflow, addresses past the end, a memory larger than 4 GiB with
//! scalar, SIMD and bulk accesses above 4 GiB), `i64` sizes and growth results, and
//! table64's indices, saturated where a table instruction takes them.

mod common;

use common::{Tier, TierEngine, ALL};
use wisp_core::{
    Config, Engine, Linker, Memory, MemoryType, Module, RefType, Store, Table, TableType, TrapCode,
    Val,
};

const WAT: &str = r#"(module
  (memory $m i64 1 3)
  (memory $small 1)
  (table $t i64 4 funcref)
  (elem (table $t) (i64.const 1) func $seven $eight)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "load8_at_max_offset") (param i64) (result i32)
    (i32.load8_u offset=0xffff_ffff_ffff_fff0 (local.get 0)))
  (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "store16") (param i64 i32) (i32.store16 offset=2 (local.get 0) (local.get 1)))
  (func (export "v128") (param i64) (result i64)
    (v128.store offset=16 (local.get 0) (i64x2.splat (i64.const 0x0102030405060708)))
    (i64x2.extract_lane 1 (v128.load offset=16 (local.get 0))))
  (func (export "lane") (param i64) (result i64)
    (i64x2.extract_lane 1 (v128.load64_lane 1 (local.get 0) (v128.const i64x2 0 0))))
  (func (export "size") (result i64) (memory.size $m))
  (func (export "grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy $m $m (local.get 0) (local.get 1) (local.get 2)))
  ;; Between a 64-bit and a 32-bit memory the length is an i32.
  (func (export "copy_down") (param i32 i64 i32) (memory.copy $small $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "small_load") (param i32) (result i64) (i64.load $small (local.get 0)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "table_size") (result i64) (table.size $t))
  (func (export "table_grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "table_fill") (param i64 i64) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
  ;; A loop summing the i64s at 0, 8, ... (n - 1) * 8: on-stack replacement enters it.
  (func (export "sum") (param $n i64) (result i64) (local $i i64) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.load (i64.shl (local.get $i) (i64.const 3)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc))
)"#;

#[derive(Debug, PartialEq)]
enum Out {
    Vals(Vec<Val>),
    Trap(TrapCode),
}

fn call(store: &mut Store<()>, instance: &wisp_core::Instance, name: &str, args: &[Val]) -> Out {
    let f = instance.get_func(&*store, name).unwrap();
    let n = f.ty(&*store).unwrap().results().len();
    let mut results = vec![Val::I32(0); n];
    match f.call(&mut *store, args, &mut results) {
        Ok(()) => Out::Vals(results),
        Err(e) => Out::Trap(
            e.as_trap()
                .and_then(|t| t.code())
                .unwrap_or_else(|| panic!("{e}")),
        ),
    }
}

fn i64s(v: &[i64]) -> Out {
    Out::Vals(v.iter().map(|&v| Val::I64(v)).collect())
}

fn i32s(v: &[i32]) -> Out {
    Out::Vals(v.iter().map(|&v| Val::I32(v)).collect())
}

const OOB: Out = Out::Trap(TrapCode::MemoryOutOfBounds);

#[test]
fn memory64_and_table64_agree_with_the_spec_on_every_tier() {
    let tiers = ALL.iter().copied().chain([Tier::Split(&[2, 4, 7])]);
    // The module has SIMD functions.
    for tier in tiers.filter(|&t| common::runs_simd(t)) {
        let engine = TierEngine::new(tier, &Config::default());
        let (mut store, instance) = engine.instantiate(WAT);
        let mut run = |name: &str, args: &[Val]| call(&mut store, &instance, name, args);
        let page = 65536i64;
        assert_eq!(run("size", &[]), i64s(&[1]), "{tier:?}");
        assert_eq!(
            run("store", &[Val::I64(page - 8), Val::I64(-2)]),
            i64s(&[]),
            "{tier:?}"
        );
        assert_eq!(run("load", &[Val::I64(page - 8)]), i64s(&[-2]), "{tier:?}");
        // Every address whose access reaches past the end traps, up to 2^64 - 1, and so does
        // an offset that makes the sum wrap.
        for addr in [page - 7, page, 1 << 32, (1 << 32) - 8, i64::MAX, -8, -1] {
            assert_eq!(
                run("load", &[Val::I64(addr)]),
                OOB,
                "{tier:?} load {addr:#x}"
            );
            assert_eq!(
                run("store", &[Val::I64(addr), Val::I64(1)]),
                OOB,
                "{tier:?}"
            );
        }
        for addr in [0, 0x10, 0x20, -1] {
            assert_eq!(
                run("load8_at_max_offset", &[Val::I64(addr)]),
                OOB,
                "{tier:?}"
            );
        }
        assert_eq!(
            run("store16", &[Val::I64(page - 4), Val::I32(0x1234)]),
            i64s(&[])
        );
        assert_eq!(
            run("store16", &[Val::I64(page - 3), Val::I32(1)]),
            OOB,
            "{tier:?}"
        );
        assert_eq!(
            run("v128", &[Val::I64(page - 32)]),
            i64s(&[0x0102030405060708])
        );
        assert_eq!(run("v128", &[Val::I64(page - 31)]), OOB, "{tier:?}");
        assert_eq!(run("v128", &[Val::I64(-16)]), OOB, "{tier:?}");
        assert_eq!(
            run("lane", &[Val::I64(page - 16)]),
            i64s(&[0x0102030405060708])
        );
        assert_eq!(run("lane", &[Val::I64(page - 7)]), OOB, "{tier:?}");

        // Growth: sizes and -1 in 64 bits, past the maximum and past 2^64 bytes.
        assert_eq!(run("grow", &[Val::I64(1)]), i64s(&[1]), "{tier:?}");
        assert_eq!(run("grow", &[Val::I64(2)]), i64s(&[-1]), "{tier:?}");
        assert_eq!(run("grow", &[Val::I64(1 << 48)]), i64s(&[-1]), "{tier:?}");
        assert_eq!(run("grow", &[Val::I64(-1)]), i64s(&[-1]), "{tier:?}");
        assert_eq!(run("size", &[]), i64s(&[2]), "{tier:?}");

        // Bulk operations with 64-bit operands, and between 64- and 32-bit memories.
        let top = 2 * page;
        assert_eq!(
            run("fill", &[Val::I64(top - 16), Val::I32(0xab), Val::I64(16)]),
            i64s(&[])
        );
        assert_eq!(
            run("load", &[Val::I64(top - 8)]),
            i64s(&[0xabababababababab_u64 as i64])
        );
        assert_eq!(
            run("fill", &[Val::I64(top - 16), Val::I32(0), Val::I64(17)]),
            OOB
        );
        assert_eq!(
            run("fill", &[Val::I64(1), Val::I32(0), Val::I64(-1)]),
            OOB,
            "{tier:?}"
        );
        assert_eq!(
            run("copy", &[Val::I64(0), Val::I64(top - 8), Val::I64(8)]),
            i64s(&[])
        );
        assert_eq!(
            run("load", &[Val::I64(0)]),
            i64s(&[0xabababababababab_u64 as i64])
        );
        assert_eq!(
            run("copy", &[Val::I64(-8), Val::I64(0), Val::I64(8)]),
            OOB,
            "{tier:?}"
        );
        let down = [Val::I32(8), Val::I64(top - 8), Val::I32(8)];
        assert_eq!(run("copy_down", &down), Out::Vals(vec![]), "{tier:?}");
        assert_eq!(
            run("small_load", &[Val::I32(8)]),
            i64s(&[0xabababababababab_u64 as i64])
        );
        let from_far = [Val::I32(0), Val::I64(1 << 40), Val::I32(1)];
        assert_eq!(run("copy_down", &from_far), OOB, "{tier:?}");

        // The loop, long enough for tier-up's on-stack replacement where it runs.
        assert_eq!(
            run("sum", &[Val::I64(2)]),
            i64s(&[0xabababababababab_u64 as i64])
        );

        // table64: i64 indices, sizes and growth; indices past 2^32 stay out of bounds.
        assert_eq!(run("call", &[Val::I64(1)]), i32s(&[7]), "{tier:?}");
        assert_eq!(run("call", &[Val::I64(2)]), i32s(&[8]), "{tier:?}");
        for index in [4, 1 << 32, (1 << 32) + 1, -1] {
            let got = run("call", &[Val::I64(index)]);
            assert_eq!(
                got,
                Out::Trap(TrapCode::TableOutOfBounds),
                "{tier:?} {index:#x}"
            );
        }
        assert_eq!(run("table_size", &[]), i64s(&[4]), "{tier:?}");
        assert_eq!(run("table_grow", &[Val::I64(2)]), i64s(&[4]), "{tier:?}");
        assert_eq!(
            run("table_grow", &[Val::I64(1 << 32)]),
            i64s(&[-1]),
            "{tier:?}"
        );
        assert_eq!(run("table_grow", &[Val::I64(-1)]), i64s(&[-1]), "{tier:?}");
        assert_eq!(run("table_size", &[]), i64s(&[6]), "{tier:?}");
        assert_eq!(
            run("table_fill", &[Val::I64(5), Val::I64(1)]),
            i64s(&[]),
            "{tier:?}"
        );
        let fill_far = run("table_fill", &[Val::I64(6), Val::I64((1 << 32) - 6)]);
        assert_eq!(fill_far, Out::Trap(TrapCode::TableOutOfBounds), "{tier:?}");
    }
}

/// A memory64 of more than 4 GiB, as `max_memory_bytes` allows: scalar, SIMD and bulk
/// accesses above 4 GiB on every tier. Reserved, not touched: only the pages written are
/// committed.
#[cfg(all(unix, target_pointer_width = "64"))]
#[test]
fn a_memory64_larger_than_4_gib_works_above_4_gib_on_every_tier() {
    let mut config = Config::default();
    config.max_memory_bytes(5 << 30);
    let wat = r#"(module
      (memory (export "m") i64 65537)
      (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
      (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
      (func (export "v128") (param i64) (result i64)
        (v128.store (local.get 0) (i64x2.splat (i64.const 0x55)))
        (i64x2.extract_lane 1 (v128.load (local.get 0))))
      (func (export "fill") (param i64 i64) (memory.fill (local.get 0) (i32.const 0x11) (local.get 1)))
      (func (export "size") (result i64) (memory.size)))"#;
    let four_gib = 1i64 << 32;
    for tier in ALL.into_iter().filter(|&t| common::runs_simd(t)) {
        let engine = TierEngine::new(tier, &config);
        let (mut store, instance) = engine.instantiate(wat);
        let mut run = |name: &str, args: &[Val]| call(&mut store, &instance, name, args);
        assert_eq!(run("size", &[]), i64s(&[65537]), "{tier:?}");
        let end = four_gib + 65536;
        assert_eq!(
            run("store", &[Val::I64(four_gib + 8), Val::I64(42)]),
            i64s(&[])
        );
        assert_eq!(
            run("load", &[Val::I64(four_gib + 8)]),
            i64s(&[42]),
            "{tier:?}"
        );
        assert_eq!(run("load", &[Val::I64(end - 8)]), i64s(&[0]), "{tier:?}");
        assert_eq!(run("load", &[Val::I64(end - 7)]), OOB, "{tier:?}");
        assert_eq!(
            run("v128", &[Val::I64(end - 16)]),
            i64s(&[0x55]),
            "{tier:?}"
        );
        assert_eq!(run("v128", &[Val::I64(end - 15)]), OOB, "{tier:?}");
        assert_eq!(
            run("fill", &[Val::I64(four_gib - 4), Val::I64(8)]),
            i64s(&[])
        );
        assert_eq!(
            run("load", &[Val::I64(four_gib - 4)]),
            i64s(&[0x1111111111111111])
        );
        assert_eq!(
            run("fill", &[Val::I64(end - 4), Val::I64(5)]),
            OOB,
            "{tier:?}"
        );
    }
}

/// The API: 64-bit memories and tables made by the host, their `i64` types, and imports
/// that must match the index type.
#[test]
fn the_api_makes_and_matches_64_bit_memories_and_tables() {
    let engine = Engine::with_executor(
        Config::default(),
        std::sync::Arc::new(wisp_interp::Interpreter::new()),
    );
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new64(1, Some(4))).unwrap();
    assert_eq!(memory.grow(&mut store, 2).unwrap(), 1);
    assert_eq!(memory.size(&store).unwrap(), 3);
    assert!(memory.ty(&store).unwrap().memory64);
    let table = Table::new(
        &mut store,
        TableType::new64(RefType::FUNCREF, 2, None),
        Val::FuncRef(None),
    )
    .unwrap();
    assert!(table.ty(&store).unwrap().table64);

    let wants = |ty: &str| {
        let wat = format!(r#"(module (import "host" "x" {ty}))"#);
        Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap()
    };
    let mut linker = Linker::new(&engine);
    linker.define("host", "x", memory).unwrap();
    assert!(linker
        .instantiate(&mut store, &wants("(memory i64 1)"))
        .is_ok());
    assert!(linker
        .instantiate(&mut store, &wants("(memory 1)"))
        .is_err());
    let mut linker = Linker::new(&engine);
    linker.define("host", "x", table).unwrap();
    assert!(linker
        .instantiate(&mut store, &wants("(table i64 1 funcref)"))
        .is_ok());
    assert!(linker
        .instantiate(&mut store, &wants("(table 1 funcref)"))
        .is_err());

    // Off in the configuration, such modules do not load.
    let mut config = Config::default();
    config.wasm_memory64(false);
    let engine =
        Engine::with_executor(config, std::sync::Arc::new(wisp_interp::Interpreter::new()));
    let wasm = wat::parse_str("(module (memory i64 1))").unwrap();
    assert!(Module::new(&engine, &wasm).is_err());
}

/// A call stuck in a loop of 64-bit loads moves to native code by on-stack replacement and
/// finishes there with the same sum.
#[test]
fn a_loop_over_a_memory64_survives_on_stack_replacement() {
    let engine = common::osr_engine(&Config::default());
    let module = Module::new(&engine, wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    for i in 0..1_000i64 {
        call(
            &mut store,
            &instance,
            "store",
            &[Val::I64(i * 8), Val::I64(i * i)],
        );
    }
    let expected: i64 = (0..1_000i64).map(|i| i * i).sum();
    assert_eq!(
        call(&mut store, &instance, "sum", &[Val::I64(1_000)]),
        i64s(&[expected])
    );
    let stats = common::tier_stats_of(&module, "sum");
    assert_eq!(
        (stats.interpreted_calls, stats.osr_entries),
        (1, 1),
        "{stats:?}"
    );
}
