//! wisp-benches: the workloads' table, adapters that run a module on each runtime the same
//! way, and the measurements the `compare` binary and the criterion benches report.
//!
//! Every workload module has one ABI: no imports, an exported `run(n: i32) -> i64` that
//! does `n` units of work and returns a checksum (see `workloads/README.md`).

// A benchmark harness, not an API: the workspace's `missing_docs` is for core, the
// interpreter and the JIT.
#![allow(missing_docs)]

pub mod runtimes;
pub mod sizes;
pub mod workloads;

use std::time::{Duration, Instant};

pub use runtimes::{runtimes, Compiled, Mode, Runtime};
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

/// The order in which round `round` of a measurement runs its `n` contenders: a
/// permutation drawn from the round number (so a run of the harness is reproducible).
/// Rounds, each running every contender once, put the machine's drift over a measurement
/// (its heap, other load) on all contenders alike; a new order each round keeps any one
/// contender from always running right after the same other one (after a runtime that
/// has just freed tens of MB, say).
pub fn round_order(round: usize, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    // Fisher-Yates with a 64-bit LCG (Knuth's MMIX constants).
    let mut state = (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..n).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::round_order;

    #[test]
    fn every_round_runs_every_contender_once_and_orders_differ() {
        let orders: Vec<Vec<usize>> = (0..6).map(|r| round_order(r, 5)).collect();
        for order in &orders {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3, 4]);
        }
        // Over the rounds, contender 2 is not always preceded by the same one.
        let before = |o: &Vec<usize>| {
            let at = o.iter().position(|&c| c == 2).unwrap();
            at.checked_sub(1).map(|p| o[p])
        };
        let mut seen: Vec<_> = orders.iter().map(before).collect();
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 1, "{orders:?}");
    }
}
