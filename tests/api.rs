//! The embedding API: host functions, typed and dynamic calls, imports checked at
//! instantiation, instances linking each other's exports, memories, tables and globals.

use wisp::{
    Caller, Config, Engine, Error, Extern, Func, FuncType, Global, GlobalType, Instance, Linker,
    Memory, MemoryType, Module, Mutability, RefType, Store, Table, TableType, Trap, TrapCode, Val,
    ValType,
};

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
}

#[derive(Debug)]
struct Exit(i32);
impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

#[test]
fn host_functions_from_closures_with_caller_and_fallible_results() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
            (import "env" "add" (func $add (param i32 i64) (result i64)))
            (import "env" "log" (func $log (param i32 i32)))
            (import "env" "exit" (func $exit (param i32)))
            (memory (export "memory") 1)
            (data (i32.const 8) "hello")
            (func (export "run") (result i64)
              (call $log (i32.const 8) (i32.const 5))
              (call $add (i32.const 40) (i64.const 2)))
            (func (export "quit") (call $exit (i32.const 3)) unreachable))"#,
    );
    let mut linker = Linker::<Vec<String>>::new(&engine);
    linker
        .func_wrap(
            "env",
            "add",
            |caller: Caller<'_, Vec<String>>, a: i32, b: i64| -> i64 {
                assert_eq!(caller.data().len(), 1);
                i64::from(a) + b
            },
        )
        .unwrap()
        .func_wrap(
            "env",
            "log",
            |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .unwrap();
                let mut buf = vec![0; len as usize];
                memory.read(&caller, ptr as usize, &mut buf).unwrap();
                caller.data_mut().push(String::from_utf8(buf).unwrap());
            },
        )
        .unwrap()
        .func_wrap("env", "exit", |code: i32| -> Result<(), Trap> {
            Err(Trap::host(Exit(code)))
        })
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &m).unwrap();
    let run = instance.get_typed_func::<(), i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 42);
    assert_eq!(store.data(), &["hello".to_string()]);

    let quit = instance.get_typed_func::<(), ()>(&store, "quit").unwrap();
    let err = quit.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.downcast_ref::<Exit>().map(|e| e.0), Some(3));
    assert_eq!(trap.code(), None);
}

#[test]
fn dynamic_calls_check_types() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module (func (export "f") (param i32 f64) (result f64 i32)
        (f64.add (local.get 1) (f64.const 0.5)) (local.get 0)))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    assert_eq!(
        f.ty(&store).unwrap(),
        FuncType::new([ValType::I32, ValType::F64], [ValType::F64, ValType::I32])
    );
    let mut results = [Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[Val::I32(7), Val::from(1.0f64)], &mut results)
        .unwrap();
    assert_eq!(results, [Val::from(1.5f64), Val::I32(7)]);
    assert!(matches!(
        f.call(&mut store, &[Val::I64(7), Val::from(1.0f64)], &mut results),
        Err(Error::TypeMismatch(_))
    ));
    assert!(matches!(
        f.call(&mut store, &[Val::I32(7)], &mut results),
        Err(Error::TypeMismatch(_))
    ));
    assert!(instance
        .get_typed_func::<(i32, f64), i32>(&store, "f")
        .is_err());
    let typed = instance
        .get_typed_func::<(i32, f64), (f64, i32)>(&store, "f")
        .unwrap();
    assert_eq!(typed.call(&mut store, (1, 2.0)).unwrap(), (2.5, 1));
}

#[test]
fn imports_are_type_checked_and_errors_name_the_import() {
    let engine = Engine::default();
    let m = module(&engine, r#"(module (import "env" "f" (func (param i32))))"#);
    let mut store = Store::new(&engine, ());

    let err = Linker::new(&engine)
        .instantiate(&mut store, &m)
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownImport { module, name } if module == "env" && name == "f")
    );
    assert!(err.to_string().contains("env::f"), "{err}");

    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |_: i64| {}).unwrap();
    let err = linker.instantiate(&mut store, &m).unwrap_err();
    assert!(
        matches!(&err, Error::IncompatibleImport { module, name, .. } if module == "env" && name == "f")
    );
    assert!(err.to_string().contains("env::f"), "{err}");

    let m = module(&engine, r#"(module (import "env" "g" (global (mut i32))))"#);
    let g = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(1),
    )
    .unwrap();
    let err = Instance::new(&mut store, &m, &[g.into()]).unwrap_err();
    assert!(matches!(err, Error::IncompatibleImport { .. }));
}

#[test]
fn instances_import_each_others_functions_memories_tables_and_globals() {
    let engine = Engine::default();
    let a = module(
        &engine,
        r#"(module
            (memory (export "mem") 1 2)
            (table (export "tab") 2 funcref)
            (global (export "counter") (mut i32) (i32.const 10))
            (func $double (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
            (elem (i32.const 0) $double))"#,
    );
    let b = module(
        &engine,
        r#"(module
            (import "a" "double" (func $double (param i32) (result i32)))
            (import "a" "mem" (memory 1))
            (import "a" "tab" (table 2 funcref))
            (import "a" "counter" (global $c (mut i32)))
            (type $t (func (param i32) (result i32)))
            (func (export "run") (param i32) (result i32)
              (i32.store (i32.const 100) (call $double (local.get 0)))
              (global.set $c (i32.add (global.get $c) (i32.const 1)))
              (call_indirect (type $t) (i32.load (i32.const 100)) (i32.const 0))))"#,
    );
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let ia = linker.instantiate(&mut store, &a).unwrap();
    linker.instance(&mut store, "a", ia).unwrap();
    let ib = linker.instantiate(&mut store, &b).unwrap();
    let run = ib.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 20);

    let mem = ia.get_memory(&store, "mem").unwrap();
    let mut word = [0u8; 4];
    mem.read(&store, 100, &mut word).unwrap();
    assert_eq!(i32::from_le_bytes(word), 10);
    assert_eq!(
        ia.get_global(&store, "counter")
            .unwrap()
            .get(&store)
            .unwrap(),
        Val::I32(11)
    );
}

#[test]
fn memories_tables_and_globals_from_the_host() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    let mem = Memory::new(&mut store, MemoryType::new(1, Some(3))).unwrap();
    mem.write(&mut store, 65_530, b"wisp!!").unwrap();
    assert!(
        mem.write(&mut store, 65_535, b"xy").is_err(),
        "writes past the end fail whole"
    );
    assert_eq!(mem.grow(&mut store, 2).unwrap(), 1);
    assert!(mem.grow(&mut store, 1).is_err(), "maximum is 3 pages");
    assert_eq!(mem.size(&store).unwrap(), 3);
    assert_eq!(&mem.data(&store).unwrap()[65_530..65_536], b"wisp!!");

    let table = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 1, None),
        Val::FuncRef(None),
    )
    .unwrap();
    let f = Func::wrap(&mut store, || 7i32);
    table.set(&mut store, 0, Val::FuncRef(Some(f))).unwrap();
    assert_eq!(table.grow(&mut store, 2, Val::FuncRef(None)).unwrap(), 1);
    assert_eq!(table.get(&store, 0).unwrap(), Some(Val::FuncRef(Some(f))));
    assert_eq!(table.get(&store, 9).unwrap(), None);
    assert!(table.set(&mut store, 0, Val::I32(1)).is_err());

    let g = Global::new(
        &mut store,
        GlobalType::new(ValType::I64, Mutability::Var),
        Val::I64(1),
    )
    .unwrap();
    g.set(&mut store, Val::I64(2)).unwrap();
    assert!(g.set(&mut store, Val::I32(2)).is_err());
    assert_eq!(g.get(&store).unwrap(), Val::I64(2));

    let m = module(
        &engine,
        r#"(module
        (import "h" "mem" (memory 1))
        (import "h" "tab" (table 1 funcref))
        (import "h" "g" (global (mut i64)))
        (type $r (func (result i32)))
        (func (export "f") (result i64)
          (i64.add (global.get 0)
            (i64.extend_i32_u (i32.add (i32.load8_u (i32.const 65530)) (call_indirect (type $r) (i32.const 0)))))))"#,
    );
    let mut linker = Linker::new(&engine);
    linker
        .define("h", "mem", mem)
        .unwrap()
        .define("h", "tab", table)
        .unwrap()
        .define("h", "g", g)
        .unwrap();
    let instance = linker.instantiate(&mut store, &m).unwrap();
    let f = instance.get_typed_func::<(), i64>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 2 + i64::from(b'w') + 7);
}

#[test]
fn handles_from_another_store_are_refused() {
    let engine = Engine::default();
    let mut one = Store::new(&engine, ());
    let mut two = Store::new(&engine, ());
    let f = Func::wrap(&mut one, || {});
    assert!(matches!(
        f.call(&mut two, &[], &mut []),
        Err(Error::StoreMismatch)
    ));
    assert!(matches!(f.ty(&two), Err(Error::StoreMismatch)));
}

#[test]
fn traps_are_values_with_codes_and_named_backtraces() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
        (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
        (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    let err = outer.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.code(), Some(TrapCode::IntegerDivisionByZero));
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.as_deref())
        .collect();
    assert_eq!(names, [Some("inner"), Some("outer")]);
    assert_eq!(outer.call(&mut store, 1).unwrap(), 1);
}

#[test]
fn fuel_is_charged_per_block_and_runs_out_with_a_trap() {
    let src = r#"(module (func (export "spin") (param i32)
        (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let m = module(&engine, src);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let spin = instance.get_typed_func::<i32, ()>(&store, "spin").unwrap();

    // A store starts empty.
    assert_eq!(store.get_fuel().unwrap(), 0);
    let err = spin.call(&mut store, 10).unwrap_err();
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::OutOfFuel)
    );

    store.set_fuel(1_000_000).unwrap();
    spin.call(&mut store, 10).unwrap();
    let used_10 = 1_000_000 - store.get_fuel().unwrap();
    store.set_fuel(1_000_000).unwrap();
    spin.call(&mut store, 20).unwrap();
    let used_20 = 1_000_000 - store.get_fuel().unwrap();
    // One unit per operator: `loop` in the entry block, then per iteration the loop's
    // block (local.get, i32.const, i32.sub, local.tee, br_if, end), then the final `end`.
    assert_eq!(used_10, 1 + 6 * 10 + 1);
    assert_eq!(used_20, 1 + 6 * 20 + 1);

    store.set_fuel(50).unwrap();
    let err = spin.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::OutOfFuel)
    );
    // Out of fuel is resumable in the sense that adding fuel lets the store run again.
    store.set_fuel(1_000).unwrap();
    spin.call(&mut store, 3).unwrap();

    // Without fuel metering, nothing is charged and the fuel API says so.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    assert!(store.set_fuel(1).is_err());
    assert!(store.get_fuel().is_err());
}

#[test]
fn fuel_counts_agree_between_lazy_and_eager_translation() {
    let src = r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
          (else (i32.add (call $f (i32.sub (local.get 0) (i32.const 1))) (call $f (i32.sub (local.get 0) (i32.const 2))))))))"#;
    let mut used = Vec::new();
    for lazy in [true, false] {
        let mut config = Config::default();
        config.consume_fuel(true).lazy_translation(lazy);
        let engine = Engine::new(&config);
        let m = module(&engine, src);
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX).unwrap();
        let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
        let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, 15).unwrap(), 610);
        used.push(u64::MAX - store.get_fuel().unwrap());
    }
    assert_eq!(used[0], used[1]);
    assert!(used[0] > 1_000);
}

#[test]
fn api_types_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send_sync::<Linker<()>>();
    send_sync::<Func>();
    send::<Store<Vec<u8>>>();
    send::<Trap>();
    send::<Error>();
}

#[test]
fn an_interrupt_handle_stops_an_endless_loop_from_another_thread() {
    let mut config = Config::default();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let m = module(
        &engine,
        r#"(module
        (func (export "forever") (loop $l (br $l)))
        (func (export "one") (result i32) (i32.const 1)))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();
    let handle: wisp::InterruptHandle = store.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let err = forever.call(&mut store, ()).unwrap_err();
    interrupter.join().unwrap();
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::Interrupted)
    );
    // The interrupt was consumed: the store runs again.
    let one = instance.get_typed_func::<(), i32>(&store, "one").unwrap();
    assert_eq!(one.call(&mut store, ()).unwrap(), 1);
}

#[test]
fn custom_page_sizes_give_small_memories_when_enabled() {
    let wat = r#"(module
        (memory (export "mem") 4096 8192 (pagesize 1))
        (func (export "size") (result i32) memory.size)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7))))"#;
    let bytes = wat::parse_str(wat).unwrap();

    let refused = Module::new(&Engine::default(), &bytes).unwrap_err();
    assert!(matches!(refused, Error::Module { .. }), "{refused}");

    let mut config = Config::default();
    config.wasm_custom_page_sizes(true);
    let engine = Engine::new(&config);
    let m = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let mem = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.data(&store).unwrap().len(), 4096, "4 KiB, not 64 KiB");

    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let poke = instance.get_typed_func::<i32, ()>(&store, "poke").unwrap();
    assert_eq!(size.call(&mut store, ()).unwrap(), 4096);
    let trap = poke.call(&mut store, 4096).unwrap_err();
    assert_eq!(
        trap.as_trap().and_then(|t| t.code()),
        Some(TrapCode::MemoryOutOfBounds)
    );
    // Pages are one byte: growing by 10 adds exactly 10 bytes, up to the 8192-byte maximum.
    assert_eq!(grow.call(&mut store, 10).unwrap(), 4096);
    poke.call(&mut store, 4105).unwrap();
    assert_eq!(mem.data(&store).unwrap()[4105], 7);
    assert_eq!(grow.call(&mut store, 8192).unwrap(), -1);
    assert_eq!(mem.size(&store).unwrap(), 4106);
}

/// Typed function references through the API: `(ref null $t)` and `(ref $t)` parameters,
/// results, globals and table elements take exactly the functions of type `$t` (the
/// module's own, or host functions of the same signature), and `call_ref` of a null one
/// traps.
#[test]
fn typed_function_references_cross_the_api_checked() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
        (type $t (func (param i32) (result i32)))
        (type $u (func (result i64)))
        (func $double (export "double") (type $t) (i32.mul (local.get 0) (i32.const 2)))
        (func $other (export "other") (type $u) (i64.const 1))
        (table (export "tab") 4 (ref null $t))
        (global (export "g") (mut (ref null $t)) (ref.null $t))
        (elem declare func $double)
        (func (export "apply") (param $f (ref null $t)) (param i32) (result i32)
          (call_ref $t (local.get 1) (local.get $f)))
        (func (export "pick") (result (ref $t)) (ref.func $double)))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();
    let func = |store: &Store<()>, name| instance.get_func(store, name).unwrap();
    let (apply, pick, double, other) = (
        func(&store, "apply"),
        func(&store, "pick"),
        func(&store, "double"),
        func(&store, "other"),
    );
    let host = Func::wrap(&mut store, |x: i32| x + 1);

    // A `(ref $t)` result is a function of type `$t`.
    let mut picked = [Val::FuncRef(None)];
    pick.call(&mut store, &[], &mut picked).unwrap();
    let Val::FuncRef(Some(picked)) = picked[0] else {
        panic!("pick returned {:?}", picked[0]);
    };
    assert_eq!(
        picked.ty(&store).unwrap(),
        FuncType::new([ValType::I32], [ValType::I32])
    );

    // `(ref null $t)` arguments: functions of type `$t`, the module's or the host's.
    let mut out = [Val::I32(0)];
    for (f, expected) in [(double, 42), (picked, 42), (host, 22)] {
        apply
            .call(&mut store, &[Val::FuncRef(Some(f)), Val::I32(21)], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::I32(expected));
    }
    // A function of another type is refused before the call; null traps in it.
    let err = apply
        .call(
            &mut store,
            &[Val::FuncRef(Some(other)), Val::I32(1)],
            &mut out,
        )
        .unwrap_err();
    assert!(matches!(err, Error::TypeMismatch(_)), "{err}");
    let err = apply
        .call(&mut store, &[Val::FuncRef(None), Val::I32(1)], &mut out)
        .unwrap_err();
    assert_eq!(
        err.as_trap().and_then(Trap::code),
        Some(TrapCode::NullFunctionReference)
    );

    // Globals and tables of `(ref null $t)` take the same and refuse the rest.
    let g = instance.get_global(&store, "g").unwrap();
    assert!(g.set(&mut store, Val::FuncRef(Some(other))).is_err());
    g.set(&mut store, Val::FuncRef(Some(host))).unwrap();
    assert_eq!(g.get(&store).unwrap(), Val::FuncRef(Some(host)));
    let tab = instance.get_table(&store, "tab").unwrap();
    assert!(tab.set(&mut store, 0, Val::FuncRef(Some(other))).is_err());
    tab.set(&mut store, 1, Val::FuncRef(Some(double))).unwrap();
    assert_eq!(
        tab.get(&store, 1).unwrap(),
        Some(Val::FuncRef(Some(double)))
    );
}

/// The linker keeps its definitions sorted by name: names defined out of order, shadowed,
/// refused as duplicates, and a whole instance defined at once (all of it or nothing) are
/// all found again; a module's exports are found by name among many.
#[test]
fn linker_and_export_lookups_by_name() {
    let engine = Engine::default();
    // Fewer under Miri, which interprets every step of loading them.
    let n: i32 = if cfg!(miri) { 24 } else { 600 };
    let mut exports = String::new();
    for i in (0..n).rev() {
        exports.push_str(&format!(
            "(func (export \"f{i}\") (result i32) i32.const {i})"
        ));
    }
    let many = module(&engine, &format!("(module {exports})"));
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &many, &[]).unwrap();
    let call = |store: &mut Store<()>, ext: Extern| {
        let f = ext.into_func().unwrap().typed::<(), i32>(&*store).unwrap();
        f.call(&mut *store, ()).unwrap()
    };
    for i in [0, 1, n / 2, n - 1] {
        let f = instance.get_export(&store, &format!("f{i}")).unwrap();
        assert_eq!(call(&mut store, f), i);
    }
    assert!(instance.get_export(&store, &format!("f{n}")).is_none());

    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("z", "last", || 1i32).unwrap();
    linker.func_wrap("a", "first", || 2i32).unwrap();
    linker.instance(&store, "m", instance).unwrap();
    for (module, name, want) in [("z", "last", 1), ("a", "first", 2), ("m", "f7", 7)] {
        let f = linker.get(&mut store, module, name).unwrap();
        assert_eq!(call(&mut store, f), want, "{module}::{name}");
    }
    assert!(linker.get(&mut store, "m", &format!("f{n}")).is_none());
    assert!(linker.get(&mut store, "b", "first").is_none());

    // A duplicate is refused, and an instance clashing in one name defines nothing.
    assert!(matches!(
        linker.func_wrap("a", "first", || 3i32),
        Err(Error::Duplicate { .. })
    ));
    let mut partial = Linker::<()>::new(&engine);
    partial.func_wrap("m", "f7", || 7i32).unwrap();
    assert!(partial.instance(&store, "m", instance).is_err());
    assert!(partial.get(&mut store, "m", "f8").is_none());

    // With shadowing, the later definition wins, one name at a time or a whole instance.
    partial.allow_shadowing(true);
    partial.func_wrap("m", "f7", || -7i32).unwrap();
    let f = partial.get(&mut store, "m", "f7").unwrap();
    assert_eq!(call(&mut store, f), -7);
    partial.instance(&store, "m", instance).unwrap();
    for i in [7, 8] {
        let f = partial.get(&mut store, "m", &format!("f{i}")).unwrap();
        assert_eq!(call(&mut store, f), i);
    }
}

/// A typed view is refused with words that say why: a missing export, another signature
/// (the types as the text format writes them), a function of another store.
#[test]
fn typed_views_are_refused_with_their_reason() {
    let engine = Engine::default();
    let m = module(
        &engine,
        r#"(module
            (global (export "g") i32 (i32.const 0))
            (func (export "add") (param i32 i64) (result i64)
              (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &m).unwrap();

    let add = instance
        .get_typed_func::<(i32, i64), i64>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);

    for name in ["missing", "g"] {
        match instance.get_typed_func::<(), ()>(&store, name) {
            Err(e @ Error::NotFound(_)) => {
                assert_eq!(
                    e.to_string(),
                    format!("not found: no exported function `{name}`")
                )
            }
            other => panic!("{name}: {:?}", other.err()),
        }
    }
    let wrong = instance.get_typed_func::<i32, (i64, f32)>(&store, "add");
    match wrong {
        Err(e @ Error::TypeMismatch(_)) => assert_eq!(
            e.to_string(),
            "type mismatch: function is (func (param i32 i64) (result i64)), \
             not (func (param i32) (result i64 f32))"
        ),
        other => panic!("{:?}", other.err()),
    }
    let func = instance.get_func(&store, "add").unwrap();
    assert!(func.typed::<(i32, i64), i64>(&store).is_ok());
    assert!(matches!(
        func.typed::<(), ()>(&store),
        Err(Error::TypeMismatch(_))
    ));

    let other = Store::new(&engine, ());
    assert!(matches!(
        instance.get_typed_func::<(i32, i64), i64>(&other, "add"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        func.typed::<(i32, i64), i64>(&other),
        Err(Error::StoreMismatch)
    ));
}
