//! wisp-benches: the workloads' table, adapters that run a module on each runtime the same
//! way, and the measurements the `compare` binary and the criterion benches report.
//!
//! Every workload module has one ABI: no imports, an exported `run(n: i32) -> i64` that
//! does `n` units of work and returns a checksum (see `workloads/README.md`).

pub mod runtimes;
pub mod workloads;

use std::time::{Duration, Instant};

pub use runtimes::{runtimes, Mode, Runtime};
pub use workloads::{load_workloads, Workload};

/// Times `f`, returning its result and the elapsed wall time.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

/// The median of `samples` (which must not be empty).
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2
    }
}

/// The geometric mean of positive ratios.
pub fn geomean(ratios: &[f64]) -> f64 {
    if ratios.is_empty() {
        return f64::NAN;
    }
    (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp()
}
