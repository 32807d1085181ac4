//! Symbols for native code, for Linux `perf`: with `WISP_PERF_MAP` set in the environment,
//! every piece of code the JIT links is appended to `/tmp/perf-<pid>.map` (the format
//! `perf report` reads for JIT code: `START SIZE NAME`, hexadecimal, one per line).
//!
//! Off by default: the file grows with every compile and outlives the process.

use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use wisp_core::module::ModuleInner;

/// The open map file, or `None` when not asked for (or it cannot be created: profiling is
/// a debugging aid, and never makes compiling fail).
fn map_file() -> Option<&'static Mutex<File>> {
    static FILE: OnceLock<Option<Mutex<File>>> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::var_os("WISP_PERF_MAP")?;
        let path = format!("/tmp/perf-{}.map", std::process::id());
        File::options()
            .create(true)
            .append(true)
            .open(path)
            .ok()
            .map(Mutex::new)
    })
    .as_ref()
}

/// Whether code should be recorded (so callers build names only then).
pub(crate) fn enabled() -> bool {
    map_file().is_some()
}

/// Records `len` bytes of code at `start` as `name`.
pub(crate) fn record(start: usize, len: usize, name: &str) {
    if let Some(file) = map_file() {
        let mut file = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // A lost line only loses a symbol.
        let _ = writeln!(file, "{start:x} {len:x} {name}");
    }
}

/// How function `func` (of the module's index space) is named in the map: by its index,
/// and by the name section's name when there is one.
pub(crate) fn func_name(module: &ModuleInner, func: u32) -> String {
    match module.func_names.get(&func) {
        Some(name) => format!("wasm[{func}] {name}"),
        None => format!("wasm[{func}]"),
    }
}
