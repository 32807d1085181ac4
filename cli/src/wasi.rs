//! The guest's WASI context from the command line: args, environment, stdio, preopens.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use wisp::wasi::WasiCtx;

use crate::args::RunOptions;
use crate::Failure;

/// The context; `timed_out` is the flag the `--timeout` thread sets, which also wakes a
/// guest blocked in `poll_oneoff` (running wasm is stopped by the store's interrupt).
pub fn context(opts: &RunOptions, timed_out: Arc<AtomicBool>) -> Result<WasiCtx, Failure> {
    let mut builder = WasiCtx::builder();
    builder.interrupt_flag(timed_out);
    // argv[0] is the module's file name only, so the host's directory layout doesn't leak.
    let argv0 = opts
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    builder.arg(&argv0);
    for arg in &opts.args {
        builder.arg(arg);
    }
    for (key, value) in &opts.env {
        builder.env(key, value);
    }
    builder.inherit_stdio();
    for dir in &opts.dirs {
        let result = if dir.read_only {
            builder.preopen_dir_read_only(&dir.host, &dir.guest)
        } else {
            builder.preopen_dir(&dir.host, &dir.guest)
        };
        result.map_err(|e| Failure::usage(format!("--dir {}: {e}", dir.host.display())))?;
    }
    builder.build().map_err(|e| Failure::usage(e.to_string()))
}
