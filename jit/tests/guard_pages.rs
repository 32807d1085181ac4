//! Guarded memories (`Config::signals_based_traps`): native code leaves their bounds to the
//! hardware, and the fault handler (`signals.rs`) turns an out-of-bounds access into the
//! trap and backtrace the explicit check gives. Every case runs on every tier in both
//! modes and must agree with the interpreter: the edge of memory at every width, offsets
//! inside and beyond the guard region, growth, a trapped store's memory, traps in native
//! code nested under a host function that recovers, and many memories at once.

use wisp_core::{
    Caller, Config, Engine, Error, Instance, Linker, Module, Store, Trap, TrapCode, Val,
};

mod common;

use common::{engine, Tier, ALL, NATIVE};

/// The configurations every case runs in: guard pages where the host has them, and
/// explicit checks.
fn configs() -> [Config; 2] {
    let guarded = Config::default();
    let mut explicit = Config::default();
    explicit.signals_based_traps(false);
    [guarded, explicit]
}

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

/// What a call gave: its result, or its trap code and backtrace (function names).
#[derive(Debug, PartialEq)]
enum Outcome {
    Value(i64),
    Trap(Option<TrapCode>, Vec<Option<String>>),
}

fn outcome(r: Result<i64, Error>) -> Outcome {
    match r {
        Ok(v) => Outcome::Value(v),
        Err(e) => {
            let trap = e.as_trap().expect("a trap");
            Outcome::Trap(
                trap.code(),
                trap.backtrace()
                    .iter()
                    .map(|f| f.func_name.clone())
                    .collect(),
            )
        }
    }
}

const EDGES: &str = r#"(module
  (memory 1 3)
  (func $load8 (param i32) (result i64) (i64.load8_u (local.get 0)))
  (func $load16 (param i32) (result i64) (i64.load16_s (local.get 0)))
  (func $load32 (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func $load64 (param i32) (result i64) (i64.load (local.get 0)))
  (func $loadf64 (param i32) (result i64) (i64.reinterpret_f64 (f64.load (local.get 0))))
  (func $load_near_guard (param i32) (result i64) (i64.load offset=33554424 (local.get 0)))
  (func $load_past_guard (param i32) (result i64) (i64.load offset=4294967295 (local.get 0)))
  (func $store32 (param i32) (result i64) (i32.store (local.get 0) (i32.const -1)) (i64.const 1))
  (func $store64 (param i32) (result i64) (i64.store offset=8 (local.get 0) (i64.const -1)) (i64.const 1))
  (func $grow (param i32) (result i64) (i64.extend_i32_s (memory.grow (local.get 0))))
  (func $sum (param i32) (result i64)
    (local $i i32) (local $s i64)
    (loop $l
      (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (local.get $s))
  (func $outer (param i32 i32) (result i64)
    (call_indirect (param i32) (result i64) (local.get 0) (local.get 1)))
  (table 16 funcref)
  (elem (i32.const 0) $load8 $load16 $load32 $load64 $loadf64 $load_near_guard
    $load_past_guard $store32 $store64 $grow $sum)
  (export "outer" (func $outer)))"#;

/// Each access (table index), at addresses around the end of one, two and three pages.
fn edge_calls() -> Vec<(i32, i32)> {
    let mut calls = Vec::new();
    for page_end in [65536i32, 131072, 196608] {
        for index in 0..9 {
            for delta in [-9, -8, -5, -4, -2, -1, 0, 1, 7] {
                calls.push((index, page_end + delta));
            }
            calls.push((index, -1));
            calls.push((index, i32::MIN));
            calls.push((index, 0));
        }
        // Grow a page (to 2, then 3, then fail at the maximum) and read everything.
        calls.push((9, 1));
        calls.push((10, page_end));
    }
    calls.push((5, -33554424));
    calls
}

fn run_edges(engine: &Engine) -> Vec<Outcome> {
    let (mut store, instance) = instantiate(engine, EDGES);
    let outer = instance
        .get_typed_func::<(i32, i32), i64>(&store, "outer")
        .unwrap();
    edge_calls()
        .into_iter()
        .map(|(index, addr)| outcome(outer.call(&mut store, (addr, index))))
        .collect()
}

#[test]
fn every_tier_and_mode_agrees_at_the_edge_of_memory() {
    let reference = run_edges(&engine(Tier::Interp, &Config::default()));
    assert!(reference
        .iter()
        .any(|o| matches!(o, Outcome::Trap(Some(TrapCode::MemoryOutOfBounds), f) if f.len() == 2)));
    for config in configs() {
        for tier in ALL {
            assert_eq!(
                run_edges(&engine(tier, &config)),
                reference,
                "{tier:?}, signals-based traps {}",
                config.get_memory_guard() > 0
            );
        }
    }
}

/// Bulk memory and table operators run in the runtime, which can fail them only out of
/// bounds: native code raises that trap itself after the call (a trap instruction when
/// traps are signals), so their callers pass on no status.
const BULK: &str = r#"(module
  (memory 1)
  (table 4 funcref)
  (func $fill (param i32) (result i64)
    (memory.fill (local.get 0) (i32.const 7) (i32.const 16)) (i64.const 1))
  (func $copy (param i32) (result i64)
    (memory.copy (i32.const 8) (local.get 0) (i32.const 16)) (i64.const 2))
  (func $table_set (param i32) (result i64)
    (table.set (local.get 0) (ref.null func)) (i64.const 3))
  (func $table_get (param i32) (result i64)
    (drop (table.get (local.get 0))) (i64.const 4))
  (func $table_fill (param i32) (result i64)
    (table.fill (local.get 0) (ref.null func) (i32.const 2)) (i64.const 5))
  (func $middle (param i32 i32) (result i64)
    (if (i32.eqz (local.get 1)) (then (return (call $fill (local.get 0)))))
    (if (i32.eq (local.get 1) (i32.const 1)) (then (return (call $copy (local.get 0)))))
    (if (i32.eq (local.get 1) (i32.const 2)) (then (return (call $table_set (local.get 0)))))
    (if (i32.eq (local.get 1) (i32.const 3)) (then (return (call $table_get (local.get 0)))))
    (call $table_fill (local.get 0)))
  (func $outer (export "outer") (param i32 i32) (result i64)
    (i64.add (call $middle (local.get 0) (local.get 1)) (i64.const 100))))"#;

fn run_bulk(engine: &Engine) -> Vec<Outcome> {
    let (mut store, instance) = instantiate(engine, BULK);
    let outer = instance
        .get_typed_func::<(i32, i32), i64>(&store, "outer")
        .unwrap();
    let mut outcomes = Vec::new();
    for op in 0..5 {
        for at in [0, 2, 3, 4, 65519, 65520, 65521, 65536, -1] {
            outcomes.push(outcome(outer.call(&mut store, (at, op))));
        }
    }
    outcomes
}

#[test]
fn bulk_operators_out_of_bounds_trap_with_their_backtrace_in_every_mode() {
    let reference = run_bulk(&engine(Tier::Interp, &Config::default()));
    let frames = |op: &str| {
        vec![
            Some(op.to_string()),
            Some("middle".into()),
            Some("outer".into()),
        ]
    };
    for (op, code) in [
        ("fill", TrapCode::MemoryOutOfBounds),
        ("copy", TrapCode::MemoryOutOfBounds),
        ("table_set", TrapCode::TableOutOfBounds),
        ("table_get", TrapCode::TableOutOfBounds),
        ("table_fill", TrapCode::TableOutOfBounds),
    ] {
        assert!(
            reference.contains(&Outcome::Trap(Some(code), frames(op))),
            "{op}"
        );
    }
    assert!(reference.contains(&Outcome::Value(101)));
    for config in configs() {
        for tier in ALL {
            assert_eq!(
                run_bulk(&engine(tier, &config)),
                reference,
                "{tier:?}, signals-based traps {}",
                config.get_memory_guard() > 0
            );
        }
    }
}

#[test]
fn native_engines_guard_their_memories_on_hosts_that_can() {
    let [guarded, explicit] = configs();
    let host = cfg!(wisp_signals);
    for tier in NATIVE {
        assert_eq!(
            engine(tier, &guarded).config().get_memory_guard() > 0,
            host,
            "{tier:?}"
        );
        assert_eq!(engine(tier, &explicit).config().get_memory_guard(), 0);
    }
    // The interpreter checks every access: its memories need no guard.
    assert_eq!(
        engine(Tier::Interp, &guarded).config().get_memory_guard(),
        0
    );
}

#[test]
fn a_trapped_store_changes_nothing() {
    for config in configs() {
        for tier in NATIVE {
            let engine = engine(tier, &config);
            let (mut store, instance) = instantiate(
                &engine,
                r#"(module (memory (export "m") 1)
                  (func (export "store") (param i32)
                    (i64.store (local.get 0) (i64.const -1))))"#,
            );
            let f = instance.get_typed_func::<i32, ()>(&store, "store").unwrap();
            for addr in [65536, 65540, -8] {
                let e = f.call(&mut store, addr).unwrap_err();
                assert_eq!(
                    e.as_trap().and_then(Trap::code),
                    Some(TrapCode::MemoryOutOfBounds)
                );
            }
            let m = instance.get_memory(&store, "m").unwrap();
            assert!(m.data(&store).unwrap().iter().all(|&b| b == 0), "{tier:?}");
        }
    }
}

/// Native code traps under a host function that native code called, which recovers and
/// returns: the fault resumes at the innermost entry (the host's call), not the outer one,
/// and the outer native code goes on with its registers intact.
#[test]
fn a_fault_nested_under_a_host_call_resumes_at_the_inner_entry() {
    let wat = r#"(module
      (import "host" "recover" (func $recover (param i32) (result i32)))
      (memory 1)
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
      (func (export "run") (param i32) (result i32)
        (local $a i32) (local $b i32) (local $i i32)
        (local.set $a (i32.mul (local.get 0) (i32.const 3)))
        (local.set $b (i32.add (local.get 0) (i32.const 11)))
        (loop $l
          (local.set $a (i32.add (local.get $a)
            (call $recover (i32.add (i32.const 65531) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
        (i32.add (i32.mul (local.get $a) (i32.const 100)) (local.get $b))))"#;
    for config in configs() {
        for tier in NATIVE {
            let engine = engine(tier, &config);
            let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
            let mut store = Store::new(&engine, ());
            let mut linker = Linker::new(&engine);
            linker
                .func_wrap(
                    "host",
                    "recover",
                    |mut caller: Caller<'_, ()>, addr: i32| -> Result<i32, Trap> {
                        let load = caller.get_export("load").and_then(|e| e.into_func());
                        let load = load.expect("the module exports load");
                        let mut out = [Val::I32(0)];
                        match load.call(&mut caller, &[Val::I32(addr)], &mut out) {
                            Ok(()) => Ok(out[0].i32().unwrap_or(-1)),
                            Err(e) => {
                                let code = e.as_trap().and_then(Trap::code);
                                assert_eq!(code, Some(TrapCode::MemoryOutOfBounds));
                                Ok(1000)
                            }
                        }
                    },
                )
                .unwrap();
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
            // Loads at 65531..65534: the first two read zeroes, the last two fault (their
            // 4 bytes pass 65536).
            assert_eq!(
                run.call(&mut store, 5).unwrap(),
                (15 + 2000) * 100 + 16,
                "{tier:?}"
            );
            assert_eq!(
                run.call(&mut store, 7).unwrap(),
                (21 + 2000) * 100 + 18,
                "{tier:?}"
            );
        }
    }
}

/// The command prefix that runs this test binary (`scripts/cross-test.sh` sets it to
/// qemu-user's), if any.
fn runner() -> Option<Vec<String>> {
    let runner = std::env::var("WISP_TEST_RUNNER").ok()?;
    Some(runner.split_whitespace().map(String::from).collect())
}

/// A store with a thousand guarded memories (4 GiB of address space each) works, and
/// releases them when it drops. (Under qemu-user, 20: qemu keeps a record of every
/// reserved guest page in the host's memory, about 75 MiB per memory.)
#[test]
fn many_guarded_memories() {
    let count = if runner().is_some() { 20 } else { 1000 };
    for round in 0..3 {
        let engine = engine(Tier::Jit, &Config::default());
        let mut store = Store::new(&engine, ());
        let mut memories = Vec::new();
        for _ in 0..count {
            memories.push(
                wisp_core::Memory::new(&mut store, wisp_core::MemoryType::new(1, None)).unwrap(),
            );
        }
        let mut linker = Linker::new(&engine);
        linker.define("env", "m", memories[count - 1]).unwrap();
        let module = Module::new(
            &engine,
            wat::parse_str(
                r#"(module (import "env" "m" (memory 1))
                  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
            )
            .unwrap(),
        )
        .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let peek = instance.get_func(&store, "peek").unwrap();
        let mut out = [Val::I32(0)];
        peek.call(&mut store, &[Val::I32(65535)], &mut out).unwrap();
        assert_eq!(out[0].i32(), Some(0), "round {round}");
        assert!(peek.call(&mut store, &[Val::I32(65536)], &mut out).is_err());
    }
}

/// Runs test `name` of this binary alone in a child process with `child` set to `value`
/// (the child does the work; a fault may end it), and returns how the child ended.
fn in_child(name: &str, child: &str, value: &str) -> std::process::ExitStatus {
    let exe = std::env::current_exe().unwrap();
    let mut command = match runner() {
        Some(runner) => {
            let mut c = std::process::Command::new(&runner[0]);
            c.args(&runner[1..]).arg(exe);
            c
        }
        None => std::process::Command::new(exe),
    };
    command
        .args(["--exact", name, "--test-threads=1"])
        .env(child, value)
        .status()
        .unwrap()
}

/// The signals a trap of native code may raise: `SIGSEGV` and `SIGBUS` (a guarded
/// memory's fault), `SIGILL` (a trap instruction), `SIGFPE` (x86's division by zero), and
/// `SIGTRAP`, which wisp never uses.
#[cfg(unix)]
const TRAP_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGTRAP,
];

/// With `signals_based_traps(false)` native code traps every way (memory bounds, division,
/// `unreachable`, a conversion, the stack) by its own checks, and the process's handlers
/// for every signal a trap could raise stay as they were before any engine existed. Run
/// in a child process: other tests install the handler.
#[cfg(unix)]
#[test]
fn explicit_mode_installs_no_signal_handler() {
    const CHILD: &str = "WISP_EXPLICIT_MODE_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let status = in_child("explicit_mode_installs_no_signal_handler", CHILD, "1");
        assert!(status.success(), "the child ended with {status}");
        return;
    }
    fn handlers() -> Vec<usize> {
        TRAP_SIGNALS
            .iter()
            .map(|&sig| {
                // SAFETY: reads the disposition only (no new action is given).
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut old), 0);
                    old.sa_sigaction
                }
            })
            .collect()
    }
    let before = handlers();
    let mut explicit = Config::default();
    explicit.signals_based_traps(false);
    for tier in NATIVE {
        let engine = engine(tier, &explicit);
        let (mut store, instance) = instantiate(
            &engine,
            r#"(module (memory 1)
              (func (export "oob") (result i32) (i32.load (i32.const 65536)))
              (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
              (func (export "conv") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
              (func $deep (export "deep") (param i32) (result i32)
                (i32.add (i32.const 1) (call $deep (local.get 0))))
              (func (export "unreachable") unreachable))"#,
        );
        let mut out = [Val::I32(0)];
        for (name, arg, code) in [
            ("oob", None, TrapCode::MemoryOutOfBounds),
            ("div", Some(Val::I32(0)), TrapCode::IntegerDivisionByZero),
            (
                "conv",
                Some(Val::F64(f64::NAN.to_bits())),
                TrapCode::BadConversionToInteger,
            ),
            ("deep", Some(Val::I32(0)), TrapCode::StackExhausted),
            ("unreachable", None, TrapCode::Unreachable),
        ] {
            let f = instance.get_func(&mut store, name).unwrap();
            let args: Vec<Val> = arg.into_iter().collect();
            let results = if name == "unreachable" {
                &mut out[..0]
            } else {
                &mut out[..]
            };
            let e = f.call(&mut store, &args, results).unwrap_err();
            assert_eq!(
                e.as_trap().and_then(Trap::code),
                Some(code),
                "{tier:?} {name}"
            );
        }
    }
    assert_eq!(handlers(), before, "a signal handler was installed");
}

/// The handler claims only faults in wisp's code: a fault elsewhere in the process goes to
/// the handler that was there before (here one that exits with status 42), also after
/// native code has trapped through the same signal. Run in a child process per signal,
/// which the fault ends: `SIGSEGV` (a wild read in Rust, after a guarded memory's fault)
/// and `SIGILL` (raised by Rust code, after a trap instruction's).
#[cfg(wisp_signals)]
#[test]
fn faults_outside_wasm_go_to_the_previous_handler() {
    const CHILD: &str = "WISP_GUARD_PAGES_CHILD";
    let Ok(which) = std::env::var(CHILD) else {
        for which in ["segv", "ill"] {
            let status = in_child(
                "faults_outside_wasm_go_to_the_previous_handler",
                CHILD,
                which,
            );
            assert_eq!(
                status.code(),
                Some(42),
                "{which}: the child ended with {status}"
            );
        }
        return;
    };
    extern "C" fn previous(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: `_exit` is async-signal-safe.
        unsafe { libc::_exit(42) }
    }
    // A wild read is a `SIGSEGV` on Linux and may be a `SIGBUS` elsewhere.
    let signals: &[libc::c_int] = if which == "ill" {
        &[libc::SIGILL]
    } else {
        &[libc::SIGSEGV, libc::SIGBUS]
    };
    for &sig in signals {
        // SAFETY: a valid action whose handler only exits.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = previous as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(libc::sigaction(sig, &action, std::ptr::null_mut()), 0);
        }
    }
    let engine = engine(Tier::Jit, &Config::default());
    assert!(engine.config().get_memory_guard() > 0);
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module (memory 1)
          (func (export "oob") (result i32) (i32.load (i32.const 65536)))
          (func (export "unreachable") unreachable))"#,
    );
    let oob = instance.get_typed_func::<(), i32>(&store, "oob").unwrap();
    let e = oob.call(&mut store, ()).unwrap_err();
    assert_eq!(
        e.as_trap().and_then(Trap::code),
        Some(TrapCode::MemoryOutOfBounds)
    );
    let u = instance
        .get_typed_func::<(), ()>(&store, "unreachable")
        .unwrap();
    let e = u.call(&mut store, ()).unwrap_err();
    assert_eq!(
        e.as_trap().and_then(Trap::code),
        Some(TrapCode::Unreachable)
    );
    if which == "ill" {
        // A SIGILL outside wasm: the previous handler's.
        // SAFETY: raising a signal whose handler (installed above) ends the process.
        unsafe { libc::raise(libc::SIGILL) };
        unreachable!("the signal ends the process");
    }
    // A fault in Rust code, outside any wasm: the previous handler's.
    let page = std::ptr::dangling_mut::<u8>().wrapping_add(0x1000);
    // SAFETY: not safe at all, on purpose: the fault this read takes ends the process
    // (in the handler installed above).
    unsafe { std::ptr::read_volatile(page) };
    unreachable!("the read faults");
}
