//! Criterion benches for regression tracking: each workload's `run(small_n)` executed on a
//! fresh instance, and its eager and lazy compilation, on wisp and on the peers this build
//! links (so a regression shows up against an unchanged reference). `compare` is the
//! side-by-side report; these keep history (`cargo bench -p wisp-benches`).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use wisp_benches::{load_workloads, runtimes, Mode};

fn benches(c: &mut Criterion) {
    let workloads = load_workloads(&[]).expect("benches/workloads/workloads.json");
    for w in &workloads {
        let wasm = w.bytes().expect("workload module");
        let (n, checksum) = w.size(true);
        let mut group = c.benchmark_group(&w.name);
        group.sample_size(10);
        for rt in runtimes() {
            let compiled = rt.compile(&wasm, Mode::Eager).expect("compiles");
            group.bench_function(format!("execute/{}", rt.name()), |b| {
                b.iter_batched(
                    || compiled.instantiate().expect("instantiates"),
                    |mut instance| assert_eq!(instance.run(n).expect("runs"), checksum),
                    BatchSize::PerIteration,
                )
            });
            for (mode, label) in [(Mode::Eager, "compile-eager"), (Mode::Lazy, "compile-lazy")] {
                group.bench_function(format!("{label}/{}", rt.name()), |b| {
                    b.iter(|| rt.compile(&wasm, mode).expect("compiles"))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(interp, benches);
criterion_main!(interp);
