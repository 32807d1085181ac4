//! Compiles one module over and over on one runtime, for a profiler: instruction counts
//! under `valgrind --tool=callgrind` are repeatable where wall time on a shared machine is
//! not, so a change to translation can be judged against a peer to the percent.
//!
//!     cargo build --release -p wisp-benches --example profile
//!     valgrind --tool=callgrind target/release/examples/profile wisp eager benches/workloads/bin/large.wasm
//!
//! `RUNTIME` is a name `compare` prints (wisp, wasmi, and with features wisp-jit,
//! wasmtime); `MODE` is `eager` or `lazy`; `REPEAT` defaults to 1.

use wisp_benches::{runtimes, Mode};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, mode, file, rest @ ..] = args.as_slice() else {
        eprintln!("usage: profile RUNTIME eager|lazy FILE [REPEAT]");
        std::process::exit(2);
    };
    let mode = match mode.as_str() {
        "eager" => Mode::Eager,
        "lazy" => Mode::Lazy,
        other => {
            eprintln!("unknown mode {other}: expected eager or lazy");
            std::process::exit(2);
        }
    };
    let repeat: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1);
    let Some(rt) = runtimes().into_iter().find(|r| r.name() == name) else {
        eprintln!("no runtime named {name} in this build");
        std::process::exit(2);
    };
    let wasm = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(2);
    });
    for _ in 0..repeat {
        if let Err(e) = rt.compile(&wasm, mode) {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    }
}
