//! `v128` values across the embedding API: `V128` itself, typed calls with `u128` and
//! `V128` parameters and results (two slots each, the low half first, among one-slot
//! values), dynamic calls with `Val::V128`, and host functions taking and returning them,
//! called from wasm and from the host.

use std::collections::HashSet;

use wisp::{Caller, Engine, Error, Func, Linker, Module, Store, Val, ValType, V128};

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
}

/// Lanes `seed, seed + 1, ...` of 8 bits: a value whose halves and bytes all differ, so a
/// half read from the wrong slot or a byte out of order shows.
fn bytes_from(seed: u8) -> u128 {
    u128::from_le_bytes(std::array::from_fn(|i| seed.wrapping_add(i as u8)))
}

/// `i32x4.add`, lane by lane.
fn i32x4_add(a: u128, b: u128) -> u128 {
    let lane = |v: u128, i: u32| (v >> (32 * i)) as u32;
    (0..4).fold(0, |acc, i| {
        acc | u128::from(lane(a, i).wrapping_add(lane(b, i))) << (32 * i)
    })
}

#[test]
fn v128_is_a_128_bit_value_lane_0_low() {
    let v = V128::from(0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128);
    assert_eq!(v.as_u128(), 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100);
    assert_eq!(u128::from(v), v.as_u128());
    // Memory order is lane 0 first.
    assert_eq!(v.to_le_bytes(), std::array::from_fn(|i| i as u8));
    assert_eq!(V128::from_le_bytes(v.to_le_bytes()), v);
    assert_eq!(format!("{:?}", V128::from(42u128)), "42");
    assert_eq!(format!("{:x?}", V128::from(0xabcu128)), "abc");
    assert_eq!(V128::default().as_u128(), 0);
    let set: HashSet<V128> = [1u128, 2, 1].into_iter().map(V128::from).collect();
    assert_eq!(set.len(), 2);
    assert!(V128::from(1u128) < V128::from(2u128));

    assert_eq!(Val::from(v), Val::V128(v));
    assert_eq!(Val::from(7u128), Val::V128(V128::from(7u128)));
    assert_eq!(Val::V128(v).v128(), Some(v));
    assert_eq!(Val::I32(1).v128(), None);
    assert_eq!(Val::V128(v).ty(), ValType::V128);
    assert_eq!(Val::default_for(ValType::V128), Val::V128(V128::default()));
}

#[test]
fn typed_calls_take_and_return_u128_and_v128() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
            (func (export "add") (param v128 v128) (result v128)
              (i32x4.add (local.get 0) (local.get 1)))
            ;; One-slot values around two-slot ones: each must be found at its own slots.
            (func (export "mixed") (param i32 v128 i64 v128 f64) (result v128 i32 v128 f64)
              (local.get 3)
              (i32.add (local.get 0) (i32.wrap_i64 (local.get 2)))
              (local.get 1)
              (f64.neg (local.get 4)))
            (func (export "lanes") (param i32) (result v128)
              (i32x4.splat (local.get 0))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = wisp::Instance::new(&mut store, &m, &[]).unwrap();

    let add = instance
        .get_typed_func::<(u128, V128), V128>(&store, "add")
        .unwrap();
    let (a, b) = (bytes_from(0x10), bytes_from(0xf8));
    let sum = add.call(&mut store, (a, V128::from(b))).unwrap();
    assert_eq!(sum.as_u128(), i32x4_add(a, b));
    // The same function as `u128` both ways.
    let add = instance
        .get_typed_func::<(V128, u128), u128>(&store, "add")
        .unwrap();
    assert_eq!(
        add.call(&mut store, (V128::from(u128::MAX), 1)).unwrap(),
        i32x4_add(u128::MAX, 1)
    );

    let mixed = instance
        .get_typed_func::<(i32, u128, i64, V128, f64), (V128, i32, u128, f64)>(&store, "mixed")
        .unwrap();
    let (x, y) = (bytes_from(1), bytes_from(0x81));
    let (r0, r1, r2, r3) = mixed
        .call(&mut store, (40, x, 2, V128::from(y), 1.5))
        .unwrap();
    assert_eq!((r0.as_u128(), r1, r2, r3), (y, 42, x, -1.5));

    let lanes = instance
        .get_typed_func::<i32, u128>(&store, "lanes")
        .unwrap();
    assert_eq!(
        lanes.call(&mut store, -2).unwrap(),
        0xffff_fffe_ffff_fffe_ffff_fffe_ffff_fffe
    );

    // A v128 is not an i64 or a pair of them.
    assert!(matches!(
        instance.get_typed_func::<(u128, u128), i64>(&store, "add"),
        Err(Error::TypeMismatch(_))
    ));
    assert!(matches!(
        instance.get_typed_func::<(i64, i64, u128), u128>(&store, "add"),
        Err(Error::TypeMismatch(_))
    ));
}

#[test]
fn dynamic_calls_pass_val_v128() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
            (func (export "swap") (param v128 i32 v128) (result v128 i32 v128)
              (local.get 2) (local.get 1) (local.get 0))
            (func (export "add") (param v128 v128) (result v128)
              (i32x4.add (local.get 0) (local.get 1))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = wisp::Instance::new(&mut store, &m, &[]).unwrap();
    let swap = instance.get_func(&store, "swap").unwrap();
    let (a, b) = (V128::from(bytes_from(3)), V128::from(u128::MAX - 9));
    let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
    swap.call(
        &mut store,
        &[Val::V128(a), Val::I32(-5), b.into()],
        &mut out,
    )
    .unwrap();
    assert_eq!(out, [Val::V128(b), Val::I32(-5), Val::V128(a)]);

    let add = instance.get_func(&store, "add").unwrap();
    let mut out = [Val::I32(0)];
    add.call(&mut store, &[a.into(), b.into()], &mut out)
        .unwrap();
    assert_eq!(
        out[0].v128().unwrap().as_u128(),
        i32x4_add(a.as_u128(), b.as_u128())
    );

    // Types are checked: an i64 is no v128, nor a v128 an i64.
    let err = add
        .call(&mut store, &[Val::I64(1), b.into()], &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::TypeMismatch(_)), "{err}");
    let err = swap
        .call(&mut store, &[a.into(), Val::I32(0), Val::I64(0)], &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::TypeMismatch(_)), "{err}");
}

#[test]
fn host_functions_take_and_return_v128_called_from_wasm() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
            (import "env" "mix" (func $mix (param v128 i32 v128) (result v128 i64 v128)))
            (import "env" "count" (func $count (param v128) (result i32)))
            (func (export "run") (param v128 v128) (result v128 i64 v128)
              (call $mix (local.get 0) (i32.const 7) (local.get 1)))
            ;; The host's results go on to SIMD operators.
            (func (export "sum") (param v128 v128) (result i32) (local $x v128) (local $k i64)
              (call $mix (local.get 0) (i32.const 1) (local.get 1))
              (local.set $x)
              (local.set $k)
              (i32x4.add (local.get $x))
              (call $count)))"#,
    );
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap(
            "env",
            "mix",
            |mut caller: Caller<'_, u32>, a: V128, k: i32, b: u128| -> (u128, i64, V128) {
                *caller.data_mut() += 1;
                (b ^ u128::from(k as u32), k as i64 * 3, a)
            },
        )
        .unwrap();
    linker
        .func_wrap("env", "count", |v: u128| v.count_ones() as i32)
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &m).unwrap();

    let run = instance
        .get_typed_func::<(V128, V128), (V128, i64, u128)>(&store, "run")
        .unwrap();
    let (a, b) = (bytes_from(0x40), bytes_from(0xc0));
    let (x, y, z) = run
        .call(&mut store, (V128::from(a), V128::from(b)))
        .unwrap();
    assert_eq!((x.as_u128(), y, z), (b ^ 7, 21, a));

    let sum = instance
        .get_typed_func::<(u128, u128), i32>(&store, "sum")
        .unwrap();
    let expected = i32x4_add(b ^ 1, a).count_ones() as i32;
    assert_eq!(sum.call(&mut store, (a, b)).unwrap(), expected);
    assert_eq!(*store.data(), 2);
}

#[test]
fn host_functions_with_v128_called_from_the_host() {
    // No wasm runs here: typed and dynamic calls straight into a host function.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(
        &mut store,
        |a: u128, x: i32, b: V128| -> (V128, i32, u128) {
            (V128::from(!a), x + 1, b.as_u128().rotate_left(8))
        },
    );
    let ty = f.ty(&store).unwrap();
    assert_eq!(ty.params(), [ValType::V128, ValType::I32, ValType::V128]);
    assert_eq!(ty.results(), [ValType::V128, ValType::I32, ValType::V128]);

    let typed = f
        .typed::<(u128, i32, V128), (V128, i32, u128)>(&store)
        .unwrap();
    let (a, b) = (bytes_from(0x20), bytes_from(0x90));
    let (r0, r1, r2) = typed.call(&mut store, (a, 9, V128::from(b))).unwrap();
    assert_eq!((r0.as_u128(), r1, r2), (!a, 10, b.rotate_left(8)));

    let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[a.into(), Val::I32(1), b.into()], &mut out)
        .unwrap();
    assert_eq!(
        out,
        [Val::from(!a), Val::I32(2), Val::from(b.rotate_left(8))]
    );
}
