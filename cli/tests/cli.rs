//! The `wisp` binary: run, --invoke, validate, inspect, options and exit statuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wisp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .output()
        .expect("the wisp binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `wat` to a fresh file in the target's temp dir and returns its path.
fn module_file(name: &str, wat: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, wat).unwrap();
    path
}

/// Whether this binary has the JIT: the `jit` feature on a host the JIT builds on.
fn jit_built() -> bool {
    cfg!(all(
        feature = "jit",
        unix,
        any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64"
        )
    ))
}

/// A proposal off by default runs once `-W` switches it on, on every tier.
#[test]
fn w_switches_a_proposal_on() {
    let f = module_file(
        "wide.wat",
        r#"(module (func (export "mul") (param i64 i64) (result i64 i64)
             (i64.mul_wide_u (local.get 0) (local.get 1))))"#,
    );
    let f = f.to_str().unwrap();
    let o = wisp(&["run", "--invoke", "mul", f, "-1", "-1"]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    for tier in ["interp", "jit", "tiered"] {
        if tier != "interp" && !jit_built() {
            continue;
        }
        let args = [
            "run",
            "--tier",
            tier,
            "-W",
            "wide-arithmetic=y",
            "--invoke",
            "mul",
            f,
        ];
        let o = wisp(&[&args[..], &["-1", "-1"]].concat());
        assert!(o.status.success(), "{tier}: {}", stderr(&o));
        // (2^64 - 1)^2 = 2^128 - 2^65 + 1: low half 1, high half 2^64 - 2.
        assert_eq!(stdout(&o), "1\n-2\n", "{tier}");
    }
}

/// `examples/fib.wat` of the repository (this crate is `cli/` in it).
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/fib.wat");

/// The tool a user installs is the fast one: built with its default `jit` feature on a host
/// the JIT builds on (x86_64, aarch64 and riscv64 Unix), the binary tiers up when no
/// `--tier` is given (Cargo.toml's target-specific dependency brought the facade's `jit`
/// feature); elsewhere, or built without the feature, it runs the interpreter. Tested from
/// the feature and the host, not from build.rs's `wisp_jit`, so the two cannot drift apart.
#[test]
fn tier_up_is_the_default_where_the_jit_builds() {
    let o = wisp(&["run", "--tier-stats", "--invoke", "fib", EXAMPLE, "20"]);
    assert_eq!(stdout(&o), "6765\n");
    let err = stderr(&o);
    if jit_built() {
        assert!(err.contains("of 2 functions tiered up"), "{err}");
    } else {
        assert!(
            err.contains("none (the engine runs the interp tier"),
            "{err}"
        );
    }
}

#[test]
fn invoke_prints_each_result_on_its_own_line() {
    let o = wisp(&["run", "--invoke", "fib", EXAMPLE, "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "6765\n");

    let f = module_file(
        "multi.wat",
        r#"(module (func (export "f") (param i32 f64) (result i32 i64 f32 f64 funcref externref)
        (local.get 0) (i64.const -5) (f32.const 1.5) (local.get 1) (ref.null func) (ref.null extern)))"#,
    );
    let o = wisp(&[
        "run",
        "--invoke",
        "f",
        f.to_str().unwrap(),
        "4294967295",
        "-0.25",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "-1\n-5\n1.5\n-0.25\n<null funcref>\n<null externref>\n"
    );
}

#[test]
fn invoke_passes_and_prints_v128_as_wasmtime_does() {
    let f = module_file(
        "v128.wat",
        r#"(module
        (func (export "id") (param v128) (result v128) (local.get 0))
        (func (export "add") (param v128 i32 v128) (result v128)
          (i32x4.add (local.get 0) (i32x4.add (local.get 2) (i32x4.splat (local.get 1)))))
        (func (export "lanes") (result v128 i64 v128)
          (v128.const i32x4 -1 -2 0x80000000 0) (i64.const -7) (v128.const i64x2 -1 -1)))"#,
    );
    let f = f.to_str().unwrap();
    // wasmtime 49 prints a v128 result as one unsigned 128-bit integer, lane 0 in the low
    // bits, each result on its own line; these are its outputs for the same calls.
    let o = wisp(&["run", "--invoke", "lanes", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "39614081275578912866186559487\n-7\n340282366920938463463374607431768211455\n"
    );
    // Arguments are read in the form results are printed in (wasmtime takes none), or
    // signed, or in hex.
    for (arg, printed) in [
        ("0", "0"),
        (
            "39614081275578912866186559487",
            "39614081275578912866186559487",
        ),
        (
            "340282366920938463463374607431768211455",
            "340282366920938463463374607431768211455",
        ),
        ("-1", "340282366920938463463374607431768211455"),
        (
            "0x0102030405060708090a0b0c0d0e0f10",
            "1339673755198158349044581307228491536",
        ),
        (
            "-170141183460469231731687303715884105728",
            "170141183460469231731687303715884105728",
        ),
    ] {
        let o = wisp(&["run", "--invoke", "id", f, arg]);
        assert!(o.status.success(), "{arg}: {}", stderr(&o));
        assert_eq!(stdout(&o), format!("{printed}\n"), "{arg}");
    }
    // Lane by lane: (1, 2, 3, 4) + (10, 20, 30, 40) + splat(0x10) on every tier.
    let a = (1u128 | 2 << 32 | 3 << 64 | 4 << 96).to_string();
    let b = format!("0x{:032x}", 10u128 | 20 << 32 | 30 << 64 | 40 << 96);
    let sum = (27u128 | 38 << 32 | 49 << 64 | 60 << 96).to_string();
    for tier in tiers() {
        let o = wisp(&["run", "--tier", tier, "--invoke", "add", f, &a, "0x10", &b]);
        assert!(o.status.success(), "{tier}: {}", stderr(&o));
        assert_eq!(stdout(&o), format!("{sum}\n"), "{tier}");
    }
    // Out of range or not a number: a usage error naming the type.
    for bad in [
        "340282366920938463463374607431768211456",
        "-170141183460469231731687303715884105729",
        "0x1000000000000000000000000000000000",
        "1.5",
        "v128",
    ] {
        let o = wisp(&["run", "--invoke", "id", f, bad]);
        assert_eq!(o.status.code(), Some(125), "{bad}");
        assert!(
            stderr(&o).contains("is not a valid v128"),
            "{bad}: {}",
            stderr(&o)
        );
    }
}

/// Without `--invoke`, `wisp run` calls the default function as `wasmtime run` does: the
/// export named `""` before `_start`, and a reactor's `_initialize` first (itk-wasm's WASI
/// programs are such reactors).
#[test]
fn run_calls_the_default_export_after_a_reactors_initialize() {
    let reactor = module_file(
        "reactor.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (global $g (mut i32) (i32.const 0))
          (func (export "_initialize") (global.set $g (i32.const 40)))
          (func (export "") (call $exit (i32.add (global.get $g) (i32.const 2)))))"#,
    );
    for tier in tiers() {
        let o = wisp(&["run", "--tier", tier, reactor.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(42), "{tier}: {}", stderr(&o));
    }
    // A command (with `_start`) gets no `_initialize` call, and `""` still wins.
    let command = module_file(
        "command.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (func (export "_initialize") (call $exit (i32.const 1)))
          (func (export "_start") (call $exit (i32.const 2)))
          (func (export "") (call $exit (i32.const 3))))"#,
    );
    let o = wisp(&["run", command.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn a_trap_prints_the_error_and_a_named_backtrace() {
    let f = module_file(
        "trap.wat",
        r#"(module
        (func $divide (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
        (func $main (export "main") (param i32) (result i32) (call $divide (local.get 0))))"#,
    );
    for tier in tiers() {
        let o = wisp(&[
            "run",
            "--tier",
            tier,
            "--invoke",
            "main",
            f.to_str().unwrap(),
            "0",
        ]);
        assert_eq!(o.status.code(), Some(134), "{tier}");
        let err = stderr(&o);
        assert!(err.starts_with("error: "), "{tier}: {err}");
        assert!(err.contains("integer divide by zero"), "{tier}: {err}");
        assert!(
            err.contains("wasm backtrace:\n    0: divide (function 0)\n    1: main (function 1)\n"),
            "{tier}: {err}"
        );
    }
}

#[test]
fn an_uncaught_exception_names_its_tag_on_every_tier() {
    let f = module_file(
        "throw.wat",
        r#"(module
        (tag $boom (export "boom") (param i32 i64))
        (func $inner (param i32) (throw $boom (local.get 0) (i64.const 7)))
        (func $main (export "main") (param i32) (call $inner (local.get 0))))"#,
    );
    for tier in tiers() {
        let o = wisp(&[
            "run",
            "--tier",
            tier,
            "--invoke",
            "main",
            f.to_str().unwrap(),
            "42",
        ]);
        assert_eq!(o.status.code(), Some(134), "{tier}");
        let err = stderr(&o);
        assert!(err.starts_with("error: "), "{tier}: {err}");
        assert!(
            err.contains(
                r#"uncaught wasm exception of tag $boom (export "boom") with (i32 42, i64 7)"#
            ),
            "{tier}: {err}"
        );
        // Native frames are on the backtrace as the interpreter's are.
        assert!(
            err.contains("wasm backtrace:\n    0: inner (function 0)\n    1: main (function 1)\n"),
            "{tier}: {err}"
        );
    }
}

#[test]
fn bad_modules_and_bad_arguments_exit_125() {
    let f = module_file("bad.wasm", "\0asm\x01\0\0\0\x01\x05\x01\x60");
    let o = wisp(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("offset"), "{}", stderr(&o));

    assert_eq!(
        wisp(&["run", "--no-such-option", EXAMPLE]).status.code(),
        Some(125)
    );
    assert_eq!(
        wisp(&["run", "--invoke", "fib", EXAMPLE, "x"])
            .status
            .code(),
        Some(125)
    );
    assert_eq!(
        wisp(&["run", "--invoke", "nope", EXAMPLE]).status.code(),
        Some(125)
    );
    assert_eq!(
        wisp(&["run", "/no/such/file.wasm"]).status.code(),
        Some(125)
    );
    for tier in ["jit", "tiered", "mixed:3"] {
        let o = wisp(&["run", "--tier", tier, "--invoke", "fib", EXAMPLE, "20"]);
        if cfg!(wisp_jit) {
            assert_eq!(o.status.code(), Some(0), "{tier}: {}", stderr(&o));
            assert_eq!(stdout(&o), "6765\n");
        } else {
            assert_eq!(o.status.code(), Some(125));
            assert!(
                stderr(&o).contains("needs wisp's `jit` feature"),
                "{tier}: {}",
                stderr(&o)
            );
        }
    }
    if cfg!(wisp_jit) {
        // fib(20) calls fib 21,891 times, past the default threshold: the statistics
        // list it (whether its compile, on another thread, finished before the process
        // ended depends on the machine).
        let o = wisp(&["run", "--tier-stats", "--invoke", "fib", EXAMPLE, "20"]);
        assert_eq!(stdout(&o), "6765\n");
        let err = stderr(&o);
        assert!(err.contains("wisp tier stats:"), "{err}");
        assert!(err.contains("of 2 functions tiered up"), "{err}");
        assert!(err.contains(" fib"), "the name section names it: {err}");
    }

    let f = module_file("import.wat", r#"(module (import "env" "missing" (func)))"#);
    let o = wisp(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("env::missing"), "{}", stderr(&o));
}

/// `WISP_PERF_MAP` names every piece of native code for `perf`, in the file `perf report`
/// looks for: `/tmp/perf-<pid>.map`, lines of `START SIZE NAME` in hexadecimal.
#[cfg(all(wisp_jit, target_os = "linux"))]
#[test]
fn perf_map_names_native_code() {
    for (tier, expect) in [
        ("jit", " fib array trampoline"),
        ("tiered", " fib (tier-up)"),
    ] {
        let child = Command::new(env!("CARGO_BIN_EXE_wisp"))
            .env("WISP_PERF_MAP", "1")
            .args(["run", "--tier", tier, "--invoke", "fib", EXAMPLE, "25"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let path = format!("/tmp/perf-{}.map", child.id());
        let o = child.wait_with_output().unwrap();
        assert_eq!(stdout(&o), "75025\n");
        let map = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        if tier == "tiered" && map.is_empty() {
            // fib's compile, on another thread, may not finish before the process ends.
            continue;
        }
        assert!(map.lines().any(|l| l.ends_with(expect)), "{tier}: {map}");
        for line in map.lines() {
            let mut fields = line.splitn(3, ' ');
            let start = u64::from_str_radix(fields.next().unwrap(), 16).unwrap();
            let size = u64::from_str_radix(fields.next().unwrap(), 16).unwrap();
            assert!(start != 0 && size != 0, "{line}");
            assert!(fields.next().unwrap().starts_with("wasm["), "{line}");
        }
    }
}

#[test]
fn timeout_interrupts_an_endless_guest() {
    let f = module_file(
        "spin.wat",
        r#"(module (func (export "_start") (loop $l (br $l))))"#,
    );
    let started = std::time::Instant::now();
    let o = wisp(&["run", "--timeout", "200ms", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn timeout_also_ends_a_guest_sleeping_in_the_host() {
    // poll_oneoff with one relative clock subscription of an hour.
    let f = module_file(
        "sleep.wat",
        r#"(module
        (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_start")
          (i32.store8 (i32.const 8) (i32.const 0))                  ;; tag: clock
          (i32.store (i32.const 16) (i32.const 1))                  ;; clock id: monotonic
          (i64.store (i32.const 24) (i64.const 3600000000000))      ;; timeout: 1 h
          (drop (call $poll (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))))"#,
    );
    let started = std::time::Instant::now();
    let o = wisp(&["run", "--timeout", "200ms", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// The tiers this build of `wisp run` offers.
fn tiers() -> &'static [&'static str] {
    if cfg!(wisp_jit) {
        &["interp", "jit", "tiered", "mixed"]
    } else {
        &["interp"]
    }
}

/// Runs `wisp run --timeout 1s ARGS` with a standard input that is a pipe whose writer
/// stays open and never writes, and checks it times out (124) within a few seconds.
fn assert_times_out_on_a_silent_pipe(args: &[&str]) {
    let started = std::time::Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["run", "--timeout", "1s"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `wait_with_output` would close standard input: hold it open.
    let mut child = child;
    let stdin = child.stdin.take();
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(124), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{args:?} took {:?}",
        started.elapsed()
    );
}

/// A guest blocked reading standard input, a pipe that never delivers, ends at
/// `--timeout` on every tier: with `fd_read`, and with `poll_oneoff` on descriptor 0.
#[test]
fn timeout_ends_a_guest_blocked_on_a_silent_pipe() {
    let read = module_file(
        "read-stdin.wat",
        r#"(module
        (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_start")
          (i32.store (i32.const 0) (i32.const 64))   ;; iovec: buffer at 64
          (i32.store (i32.const 4) (i32.const 16))   ;; of 16 bytes
          (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let poll = module_file(
        "poll-stdin.wat",
        r#"(module
        (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_start")
          (i32.store8 (i32.const 8) (i32.const 1))   ;; tag: fd_read
          (i32.store (i32.const 16) (i32.const 0))   ;; of descriptor 0
          (drop (call $poll (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))))"#,
    );
    for tier in tiers() {
        for f in [&read, &poll] {
            assert_times_out_on_a_silent_pipe(&["--tier", tier, f.to_str().unwrap()]);
        }
    }
}

/// A guest writing to standard output, a pipe nobody drains, ends at `--timeout` on
/// every tier once the pipe is full.
#[test]
fn timeout_ends_a_guest_blocked_writing_to_a_full_pipe() {
    let f = module_file(
        "flood.wat",
        r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 2)
        (func (export "_start")
          (i32.store (i32.const 0) (i32.const 1024))   ;; iovec: 64 KiB from 1024
          (i32.store (i32.const 4) (i32.const 65536))
          (loop $l
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (br $l))))"#,
    );
    for tier in tiers() {
        let started = std::time::Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wisp"))
            .args([
                "run",
                "--timeout",
                "1s",
                "--tier",
                tier,
                f.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Held, never read.
        let stdout = child.stdout.take();
        let status = child.wait().unwrap();
        drop(stdout);
        assert_eq!(status.code(), Some(124), "{tier}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{tier}"
        );
    }
}

/// The same for a FIFO in a preopened directory, which nobody writes: opened, then read.
#[cfg(unix)]
#[test]
fn timeout_ends_a_guest_blocked_on_a_fifo() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-fifo");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.join("fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let f = module_file(
        "read-fifo.wat",
        r#"(module
        (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 32) "fifo")
        (func (export "_start")
          ;; path_open(3, 0, "fifo", 0, FD_READ, 0, 0, &fd at 24)
          (if (call $open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 4) (i32.const 0)
                (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 24))
            (then unreachable))
          (i32.store (i32.const 0) (i32.const 64))
          (i32.store (i32.const 4) (i32.const 16))
          (drop (call $read (i32.load (i32.const 24)) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let preopen = format!("{}::/d", dir.display());
    for tier in tiers() {
        assert_times_out_on_a_silent_pipe(&[
            "--tier",
            tier,
            "--dir",
            &preopen,
            f.to_str().unwrap(),
        ]);
    }
}

#[test]
fn fuel_and_stack_limits_end_in_traps() {
    let f = module_file(
        "spin2.wat",
        r#"(module (func (export "_start") (loop $l (br $l))))"#,
    );
    let o = wisp(&["run", "--fuel", "10000", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    assert!(stderr(&o).contains("fuel"), "{}", stderr(&o));

    let o = wisp(&[
        "run",
        "--max-stack",
        "100",
        "--invoke",
        "fib",
        EXAMPLE,
        "10",
    ]);
    assert!(o.status.success());
    let f = module_file(
        "deep.wat",
        r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 7)))))"#,
    );
    let o = wisp(&[
        "run",
        "--max-stack",
        "100",
        "--invoke",
        "f",
        f.to_str().unwrap(),
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(134));
    assert!(
        stderr(&o).contains("call stack exhausted"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn max_memory_caps_growth() {
    let f = module_file(
        "grow.wat",
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let o = wisp(&[
        "run",
        "--max-memory",
        "128K",
        "--invoke",
        "grow",
        f.to_str().unwrap(),
        "1",
    ]);
    assert_eq!(stdout(&o), "1\n");
    let o = wisp(&[
        "run",
        "--max-memory",
        "128K",
        "--invoke",
        "grow",
        f.to_str().unwrap(),
        "2",
    ]);
    assert_eq!(stdout(&o), "-1\n");
}

/// A 64-bit memory grows past 4 GiB when `--max-memory` allows it, and not by default
/// (4 GiB per memory); `--invoke` takes and prints `i64` addresses and sizes.
#[cfg(all(unix, target_pointer_width = "64"))]
#[test]
fn max_memory_lets_a_memory64_pass_4_gib() {
    let f = module_file(
        "grow64.wat",
        r#"(module (memory i64 65535)
             (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
             (func (export "poke") (param i64) (result i64)
               (i64.store (local.get 0) (i64.const 7)) (i64.load (local.get 0))))"#,
    );
    let f = f.to_str().unwrap();
    let o = wisp(&["run", "--invoke", "grow", f, "2"]);
    assert_eq!(stdout(&o), "-1\n", "{}", stderr(&o));
    let o = wisp(&["run", "--max-memory", "5G", "--invoke", "grow", f, "2"]);
    assert_eq!(stdout(&o), "65535\n", "{}", stderr(&o));
    let o = wisp(&["run", "--invoke", "poke", f, "4294901752"]);
    assert_eq!(stdout(&o), "7\n", "{}", stderr(&o));
    let o = wisp(&["run", "--invoke", "poke", f, "4294901753"]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
}

#[test]
fn stats_report_times_and_memory() {
    let o = wisp(&["run", "--stats", "--invoke", "fib", EXAMPLE, "15"]);
    assert!(o.status.success());
    let err = stderr(&o);
    for line in [
        "load (decode + validate)",
        "instantiate",
        "translate",
        "run",
        "peak heap",
    ] {
        assert!(err.contains(line), "missing `{line}` in {err}");
    }
    assert!(err.contains("1 functions"), "{err}");
}

#[test]
fn validate_and_inspect() {
    let o = wisp(&["validate", EXAMPLE]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = module_file("bad2.wasm", "\0asm\x01\0\0\0\x0a");
    assert_eq!(
        wisp(&["validate", f.to_str().unwrap()]).status.code(),
        Some(125)
    );

    let f = module_file(
        "rich.wat",
        r#"(module
        (import "env" "log" (func (param i32)))
        (memory (export "memory") 1 4)
        (table 2 funcref)
        (data (i32.const 0) "hi")
        (func (export "two") (result i32 i32) (i32.const 1) (i32.const 2))
        (func (export "copy") (memory.copy (i32.const 0) (i32.const 1) (i32.const 1))))"#,
    );
    let o = wisp(&["inspect", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "env::log",
        "memory: (memory 1 4)",
        "multi-value",
        "bulk-memory",
        "data",
        "code",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }

    // Wasm 3.0's control flow, each named.
    let f = module_file(
        "control3.wat",
        r#"(module
        (type $t (func (param i32) (result i32)))
        (tag $e)
        (func $f (type $t) (return_call $f (local.get 0)))
        (func (export "g") (param (ref null $t)) (result i32)
          (call_ref $t (i32.const 1) (ref.as_non_null (local.get 0))))
        (func (export "h") (block $b (try_table (catch_all $b) (throw $e))))
        (func (export "l") try catch_all end))"#,
    );
    let o = wisp(&["inspect", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("runs on wisp: yes"), "{out}");
    for needle in [
        "tail-call",
        "function-references",
        "exceptions",
        "legacy-exceptions",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    assert!(
        out.contains("simd: no SIMD operators; 0 functions hold v128 values\n"),
        "{out}"
    );

    // SIMD: its operators (relaxed ones apart), the functions using them, and those that
    // hold a v128 at all (parameters and locals too).
    let f = module_file(
        "simd.wat",
        r#"(module
        (func (export "madd") (param v128 v128 v128) (result v128)
          (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
        (func (export "splat") (param i32) (result v128)
          (i32x4.add (i32x4.splat (local.get 0)) (v128.const i64x2 1 2)))
        (func (export "keep") (param v128) (result v128) (local.get 0))
        (func (export "none") (result i32) (i32.const 0)))"#,
    );
    let o = wisp(&["inspect", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("runs on wisp: yes"), "{out}");
    assert!(
        out.contains("proposals used: simd, relaxed-simd\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "simd: 4 SIMD operators (1 relaxed) in 2 of 4 functions; 3 functions hold v128 values\n"
        ),
        "{out}"
    );
}

#[test]
fn help_documents_exit_statuses() {
    let o = wisp(&["--help"]);
    assert!(o.status.success());
    for needle in ["124", "125", "134", "--invoke", "--dir", "--timeout"] {
        assert!(stdout(&o).contains(needle), "{needle}");
    }
}

/// A committed WASI guest program (`wasi-lite/guests/bin/`) and its expected output.
fn guest(name: &str) -> (String, String) {
    let guests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasi-lite/guests");
    let wasm = guests.join("bin").join(format!("{name}.wasm"));
    let expected = std::fs::read_to_string(guests.join("expected").join(format!("{name}.stdout")))
        .unwrap_or_default();
    (wasm.to_str().unwrap().to_string(), expected)
}

/// wasi-threads (`-S threads`): a Rust `wasm32-wasip1-threads` program (std threads,
/// channels, Mutex, Condvar, RwLock, scoped threads, sleeps) and a C pthreads program print
/// what wasmtime 46 printed (`build-threads.sh --record`), on every tier.
#[test]
fn wasi_threads_programs_match_wasmtime_on_every_tier() {
    for name in ["threads", "c-threads"] {
        let (wasm, expected) = guest(name);
        assert!(expected.ends_with("ok\n"), "expected/{name}.stdout");
        for tier in tiers() {
            let o = wisp(&["run", "--tier", tier, "-S", "threads", &wasm]);
            assert_eq!(o.status.code(), Some(0), "{name} on {tier}: {}", stderr(&o));
            assert_eq!(stdout(&o), expected, "{name} on {tier}");
            // The fuel budget is each thread's.
            let o = wisp(&[
                "run",
                "--tier",
                tier,
                "--fuel",
                "1000000000",
                "-S",
                "threads",
                &wasm,
            ]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{name} on {tier} with fuel: {}",
                stderr(&o)
            );
        }
    }
}

/// An exit or a trap in a spawned thread ends the whole program with its status, while
/// the main thread waits (as wasmtime 46 does: 7, and 134); a timeout ends threads blocked
/// in `memory.atomic.wait` and in a sleep.
#[test]
fn a_thread_ends_the_whole_program() {
    let (wasm, _) = guest("threads");
    for tier in tiers() {
        let started = std::time::Instant::now();
        let o = wisp(&["run", "--tier", tier, "-S", "threads", &wasm, "exit"]);
        assert_eq!(o.status.code(), Some(7), "exit on {tier}: {}", stderr(&o));
        let o = wisp(&["run", "--tier", tier, "-S", "threads", &wasm, "trap"]);
        assert_eq!(o.status.code(), Some(134), "trap on {tier}: {}", stderr(&o));
        assert!(stderr(&o).contains("unreachable"), "{}", stderr(&o));
        let o = wisp(&[
            "run",
            "--tier",
            tier,
            "-S",
            "threads",
            "--timeout",
            "300ms",
            &wasm,
            "hang",
        ]);
        assert_eq!(o.status.code(), Some(124), "hang on {tier}: {}", stderr(&o));
        // The main thread sleeps 30 s in each of the first two.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{tier}"
        );
    }
}

/// Without `-S threads` a wasi-threads program is refused with a hint; `max-threads`
/// bounds the threads alive at once (the C program's fourth `pthread_create` fails).
#[test]
fn wasi_threads_is_asked_for_and_bounded() {
    let (wasm, _) = guest("c-threads");
    let o = wisp(&["run", &wasm]);
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("-S threads"), "{}", stderr(&o));
    let o = wisp(&["run", "-S", "threads,max-threads=3", &wasm, "4"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("pthread_create"), "{}", stderr(&o));
    let o = wisp(&["run", "-S", "threads,max-threads=4", &wasm, "4"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = wisp(&["run", "-S", "http", &wasm]);
    assert_eq!(o.status.code(), Some(125));
    let o = wisp(&["run", "-S", "frobs", &wasm]);
    assert_eq!(o.status.code(), Some(125));
}
