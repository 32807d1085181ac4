//! Call overhead between the host and wasm, through wisp's Rust API and through the C API
//! (`c-api/benches/call_overhead.c`, written against wasm.h alone), side by side in one
//! run, and, given `--wasmtime-lib PATH` (wasmtime's C library, e.g. `_libwasmtime.so`
//! from PyPI's `wasmtime` wheel), the same C program linked against wasmtime:
//!
//!     cargo run --release -p wisp-benches --features jit --bin call_overhead -- [--wasmtime-lib PATH]
//!
//! It builds `libwisp.a` (`cargo build --release -p wisp-c-api`) and compiles the C
//! program with `$CC` (else `cc`). Three measures, in nanoseconds per call, the best of
//! five runs of 200,000 calls, after a warm-up long enough for tier-up to compile the
//! three functions (every engine runs its default tier: tier-up for wisp with the `jit`
//! feature, Cranelift for wasmtime):
//! - `c_to_wasm`: the host calls a wasm function that returns its argument;
//! - `c_to_wasm_to_c`: the host calls a wasm function that calls a host function;
//! - `wasm_to_c`: a wasm loop calls a host function, per call.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use wisp::{Engine, Func, Instance, Module, Store, TypedFunc, Val};

const N: u32 = 200_000;
const RUNS: usize = 5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// ns per call: the best of `RUNS` runs of `repeat` calls of `f`, `calls` each.
fn measure(repeat: u32, calls: u32, mut f: impl FnMut()) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..repeat {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(repeat * calls)
        })
        .fold(f64::INFINITY, f64::min)
}

/// The three measures through the Rust API, with `Func::call` on `Val`s (`typed` false,
/// the form wasm.h's `wasm_func_call` corresponds to) or with `TypedFunc`.
fn rust(binary: &[u8], typed: bool) -> [f64; 3] {
    let engine = Engine::default();
    let module = Module::new(&engine, binary).unwrap();
    let mut store = Store::new(&engine, ());
    let g = Func::wrap(&mut store, |x: i32| x + 1);
    let instance = Instance::new(&mut store, &module, &[g.into()]).unwrap();
    let funcs = ["id", "roundtrip", "calls"].map(|name| instance.get_func(&store, name).unwrap());
    let args = [1, 1, 1000];
    let calls = [1, 1, 1000];
    let mut out = [0.0; 3];
    // Twice: the first pass is the warm-up.
    for _ in 0..2 {
        for i in 0..3 {
            let repeat = N / calls[i];
            out[i] = if typed {
                let f: TypedFunc<i32, i32> = funcs[i].typed(&store).unwrap();
                measure(repeat, calls[i], || {
                    f.call(&mut store, args[i]).unwrap();
                })
            } else {
                let params = [Val::I32(args[i])];
                let mut results = [Val::I32(0)];
                measure(repeat, calls[i], || {
                    funcs[i].call(&mut store, &params, &mut results).unwrap();
                })
            };
        }
    }
    out
}

/// Compiles the C program against `lib` and runs it in `dir`; its three measures.
fn c(dir: &Path, lib: &Path, name: &str) -> Result<[f64; 3], String> {
    let exe = dir.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let mut build = Command::new(&cc);
    build
        .args(["-std=c11", "-O2", "-I"])
        .arg(root().join("c-api/include"))
        .arg(root().join("c-api/benches/call_overhead.c"))
        .arg(lib);
    if lib.extension().is_some_and(|e| e == "so") {
        build.arg(format!("-Wl,-rpath,{}", lib.parent().unwrap().display()));
    }
    let out = build
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-o"])
        .arg(&exe)
        .output()
        .map_err(|e| format!("{cc}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let out = Command::new(&exe)
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut values = [0.0; 3];
    for (value, line) in values.iter_mut().zip(text.lines()) {
        *value = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .ok_or(text.clone())?;
    }
    Ok(values)
}

fn main() {
    let mut wasmtime_lib = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--wasmtime-lib" => wasmtime_lib = args.next().map(PathBuf::from),
            _ => {
                eprintln!("usage: call_overhead [--wasmtime-lib PATH]");
                std::process::exit(2);
            }
        }
    }
    let binary = wisp::wat::parse_file(root().join("c-api/benches/call_overhead.wat")).unwrap();
    let dir = std::env::temp_dir().join(format!("wisp-call-overhead-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("call_overhead.wasm"), &binary).unwrap();

    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--lib",
            "-p",
            "wisp-c-api",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml"))
        .status()
        .unwrap();
    assert!(status.success(), "building libwisp.a failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root().join("target"), PathBuf::from);

    let mut rows: Vec<(String, Result<[f64; 3], String>)> = vec![
        (
            "wisp, Rust API, Func::call (Val)".into(),
            Ok(rust(&binary, false)),
        ),
        (
            "wisp, Rust API, TypedFunc::call".into(),
            Ok(rust(&binary, true)),
        ),
        (
            "wisp, C API (wasm.h), libwisp.a".into(),
            c(&dir, &target.join("release/libwisp.a"), "wisp"),
        ),
    ];
    if let Some(lib) = wasmtime_lib {
        rows.push((
            "wasmtime, C API (wasm.h), its library".into(),
            c(&dir, &lib, "wasmtime"),
        ));
    }
    println!(
        "ns per call (best of {RUNS} x {N}) | host -> wasm | host -> wasm -> host | wasm -> host"
    );
    println!("---|---:|---:|---:");
    for (name, row) in rows {
        match row {
            Ok([a, b, c]) => println!("{name} | {a:.1} | {b:.1} | {c:.1}"),
            Err(e) => println!("{name} | failed: {}", e.lines().next().unwrap_or("")),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
