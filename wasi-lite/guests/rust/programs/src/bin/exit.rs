//! Exit codes. `exit N` prints one line and calls `std::process::exit(N)` (WASI
//! `proc_exit(N)`); `exit return N` returns `ExitCode::from(N)` from `main` instead;
//! `exit trap` aborts (a wasm `unreachable` trap, which is not an exit code);
//! `exit panic` panics (message on stderr, then the same trap: the guests build with
//! panic = "abort").
//!
//! Deterministic: compare stdout and the exit status.

use std::process::ExitCode;

fn usage() -> ! {
    eprintln!("usage: exit N | exit return N | exit trap | exit panic   (N in 0..=255)");
    std::process::exit(2)
}

fn code(s: Option<&str>) -> u8 {
    s.and_then(|s| s.parse().ok()).unwrap_or_else(|| usage())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("trap") => {
            println!("exit: aborting (expect a trap)");
            std::process::abort()
        }
        Some("panic") => {
            println!("exit: panicking (expect a trap)");
            panic!("exit: deliberate panic")
        }
        Some("return") => {
            let n = code(args.get(1).map(String::as_str));
            println!("exit: returning {n} from main");
            ExitCode::from(n)
        }
        first => {
            let n = code(first);
            println!("exit: calling exit({n})");
            std::process::exit(i32::from(n))
        }
    }
}
