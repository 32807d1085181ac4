//! The threads proposal's atomic operators on every tier, on one thread, against Rust's
//! own arithmetic: every read-modify-write at every width on a shared and an unshared
//! memory (old value returned, new value stored, bytes around untouched), compare-exchange
//! with and without a match (bits above the width ignored), the order of the checks
//! (alignment before bounds), and `wait`/`notify` where no other thread can wake.

mod common;

use common::{TierEngine, ALL};
use wisp_core::{Config, Store, TrapCode, Val};

const OPS: [&str; 6] = ["add", "sub", "and", "or", "xor", "xchg"];

/// `(type, width in bits, name suffix)`: each atomic access width of each value type.
const WIDTHS: [(&str, u32, &str); 7] = [
    ("i32", 32, ""),
    ("i32", 8, "8"),
    ("i32", 16, "16"),
    ("i64", 64, ""),
    ("i64", 8, "8"),
    ("i64", 16, "16"),
    ("i64", 32, "32"),
];

/// A module with a shared memory (0) and an unshared one (1), and one function per
/// operator, width and memory.
fn module() -> String {
    let mut wat = String::from("(module (memory 1 1 shared) (memory 1)\n");
    for mem in [0, 1] {
        for (ty, bits, n) in WIDTHS {
            let u = if n.is_empty() { "" } else { "_u" };
            for op in OPS {
                wat += &format!(
                    "(func (export \"{op}{bits}{ty}m{mem}\") (param i32 {ty}) (result {ty})
                       ({ty}.atomic.rmw{n}.{op}{u} {mem} (local.get 0) (local.get 1)))\n"
                );
            }
            wat += &format!(
                "(func (export \"cmpxchg{bits}{ty}m{mem}\") (param i32 {ty} {ty}) (result {ty})
                   ({ty}.atomic.rmw{n}.cmpxchg{u} {mem} (local.get 0) (local.get 1) (local.get 2)))
                 (func (export \"load{bits}{ty}m{mem}\") (param i32) (result {ty})
                   ({ty}.atomic.load{n}{u} {mem} (local.get 0)))
                 (func (export \"store{bits}{ty}m{mem}\") (param i32 {ty})
                   ({ty}.atomic.store{n} {mem} (local.get 0) (local.get 1)))\n"
            );
        }
        wat += &format!(
            "(func (export \"wait32m{mem}\") (param i32 i32 i64) (result i32)
               (memory.atomic.wait32 {mem} (local.get 0) (local.get 1) (local.get 2)))
             (func (export \"notifym{mem}\") (param i32 i32) (result i32)
               (memory.atomic.notify {mem} (local.get 0) (local.get 1)))
             (func (export \"peek{mem}\") (param i32) (result i64) (i64.load {mem} (local.get 0)))
             (func (export \"poke{mem}\") (param i32 i64) (i64.store {mem} (local.get 0) (local.get 1)))\n"
        );
    }
    wat + "(func (export \"fence\") (atomic.fence)))"
}

fn val(ty: &str, v: u64) -> Val {
    match ty {
        "i32" => Val::I32(v as i32),
        _ => Val::I64(v as i64),
    }
}

fn raw(v: &Val) -> u64 {
    match *v {
        Val::I32(v) => u64::from(v as u32),
        Val::I64(v) => v as u64,
        ref other => panic!("{other:?}"),
    }
}

fn call(
    store: &mut Store<()>,
    instance: &wisp_core::Instance,
    name: &str,
    args: &[Val],
) -> Result<Option<u64>, TrapCode> {
    let f = instance
        .get_func(&*store, name)
        .unwrap_or_else(|| panic!("{name}"));
    let n = f.ty(&*store).unwrap().results().len();
    let mut results = vec![Val::I32(0); n];
    match f.call(&mut *store, args, &mut results) {
        Ok(()) => Ok(results.first().map(raw)),
        Err(e) => Err(e
            .as_trap()
            .and_then(|t| t.code())
            .unwrap_or_else(|| panic!("{e}"))),
    }
}

#[test]
fn atomic_operators_agree_with_rust_on_every_tier() {
    let wat = module();
    let background = 0x8877_6655_4433_2211u64;
    for tier in ALL {
        let engine = TierEngine::new(tier, &Config::default());
        let (mut store, instance) = engine.instantiate(&wat);
        let mut run = |name: &str, args: &[Val]| call(&mut store, &instance, name, args);
        for mem in [0, 1] {
            for (ty, bits, _) in WIDTHS {
                let mask = u64::MAX >> (64 - bits);
                let at = 16i32;
                for (i, op) in OPS.iter().enumerate() {
                    let name = format!("{op}{bits}{ty}m{mem}");
                    run(
                        &format!("poke{mem}"),
                        &[Val::I32(at), Val::I64(background as i64)],
                    )
                    .unwrap();
                    // An operand with bits above the width, which must not count.
                    let operand = 0xf0f0_f0f0_0f0f_0f0f_u64.rotate_left(i as u32 * 7);
                    let old = run(&name, &[Val::I32(at), val(ty, operand)]).unwrap();
                    assert_eq!(old, Some(background & mask), "{tier:?} {name}");
                    let operand = operand
                        & if ty == "i32" {
                            u64::from(u32::MAX)
                        } else {
                            u64::MAX
                        };
                    let new = match *op {
                        "add" => background.wrapping_add(operand),
                        "sub" => background.wrapping_sub(operand),
                        "and" => background & operand,
                        "or" => background | operand,
                        "xor" => background ^ operand,
                        _ => operand,
                    } & mask;
                    let cell = run(&format!("peek{mem}"), &[Val::I32(at)])
                        .unwrap()
                        .unwrap();
                    assert_eq!(
                        cell,
                        (background & !mask) | new,
                        "{tier:?} {name}: bytes past the cell kept"
                    );
                    // Unaligned (for wider than a byte) before out of bounds.
                    if bits > 8 {
                        let unaligned = run(&name, &[Val::I32(at + 1), val(ty, 0)]);
                        assert_eq!(unaligned, Err(TrapCode::UnalignedAtomic), "{tier:?} {name}");
                        let both = run(&name, &[Val::I32(65535), val(ty, 0)]);
                        assert_eq!(both, Err(TrapCode::UnalignedAtomic), "{tier:?} {name}");
                    }
                    let past = run(&name, &[Val::I32(65536), val(ty, 0)]);
                    assert_eq!(past, Err(TrapCode::MemoryOutOfBounds), "{tier:?} {name}");
                }
                // Compare-exchange: no match leaves the cell; a match stores; bits of the
                // expected value above the width do not count.
                let name = format!("cmpxchg{bits}{ty}m{mem}");
                run(
                    &format!("poke{mem}"),
                    &[Val::I32(at), Val::I64(background as i64)],
                )
                .unwrap();
                let cur = background & mask;
                let missed = run(&name, &[Val::I32(at), val(ty, cur ^ 1), val(ty, 5)]).unwrap();
                assert_eq!(missed, Some(cur), "{tier:?} {name}");
                let high = if bits < 64 { 1u64 << bits } else { 0 };
                let hit = run(&name, &[Val::I32(at), val(ty, cur | high), val(ty, 5)]).unwrap();
                assert_eq!(hit, Some(cur), "{tier:?} {name}");
                let load = run(&format!("load{bits}{ty}m{mem}"), &[Val::I32(at)]).unwrap();
                assert_eq!(load, Some(5), "{tier:?} {name}");
                run(
                    &format!("store{bits}{ty}m{mem}"),
                    &[Val::I32(at), val(ty, u64::MAX)],
                )
                .unwrap();
                let cell = run(&format!("peek{mem}"), &[Val::I32(at)])
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    cell,
                    (background & !mask) | mask,
                    "{tier:?} store{bits}{ty}"
                );
            }
        }
        // `wait` traps on an unshared memory, after its own checks; on a shared one,
        // nobody else can wake it: a different value is 1, a timeout 2.
        run("poke0", &[Val::I32(0), Val::I64(7)]).unwrap();
        assert_eq!(
            run("wait32m1", &[Val::I32(0), Val::I32(0), Val::I64(0)]),
            Err(TrapCode::AtomicWaitNonSharedMemory)
        );
        assert_eq!(
            run("wait32m1", &[Val::I32(2), Val::I32(0), Val::I64(0)]),
            Err(TrapCode::UnalignedAtomic)
        );
        assert_eq!(
            run("wait32m0", &[Val::I32(0), Val::I32(8), Val::I64(-1)]),
            Ok(Some(1))
        );
        assert_eq!(
            run("wait32m0", &[Val::I32(0), Val::I32(7), Val::I64(1_000)]),
            Ok(Some(2))
        );
        assert_eq!(
            run("wait32m0", &[Val::I32(65536), Val::I32(7), Val::I64(0)]),
            Err(TrapCode::MemoryOutOfBounds)
        );
        for mem in [0, 1] {
            assert_eq!(
                run(&format!("notifym{mem}"), &[Val::I32(0), Val::I32(10)]),
                Ok(Some(0))
            );
            assert_eq!(
                run(&format!("notifym{mem}"), &[Val::I32(1), Val::I32(1)]),
                Err(TrapCode::UnalignedAtomic)
            );
        }
        assert_eq!(run("fence", &[]), Ok(None));
    }
}
