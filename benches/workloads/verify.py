#!/usr/bin/env python3
"""Runs every workload in workloads.json on a runtime and checks its checksum.

    python3 verify.py [RUNTIME] [--small | --full] [--update] [NAME ...]

RUNTIME is one of
  --wisp [PATH]      the wisp CLI (default: target/release/wisp of this checkout, from
                     `cargo build --release -p wisp-cli`), as
                     `wisp run --invoke run FILE N`
  --cmd TEMPLATE     any command line printing run's result last, with {file} and {n},
                     e.g. --cmd 'wasmtime run --invoke run {file} {n}'
  --wasmtime         the `wasmtime` Python package (pip install wasmtime), in process
(default: --wisp). NAMEs keep the workloads whose name contains one of them.

--small / --full   only small_n / only n (default: both)
--update           write the checksums this runtime computed into workloads.json (do this
                   only after cross-checking them on a second runtime)

Prints one line per run with the wall time (a CLI's time includes loading the module) and
exits 1 if any checksum differs from the table.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "workloads.json")
FIELDS = ["name", "file", "kind", "n", "small_n", "checksum", "small_checksum"]


def runner_cli(template):
    def run(path, n):
        argv = [a.replace("{file}", path).replace("{n}", str(n)) for a in shlex.split(template)]
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[-500:]}")
        lines = [l for l in p.stdout.split() if l.strip()]
        return int(lines[-1])
    return run


def runner_wasmtime():
    import wasmtime  # pip install wasmtime

    engine = wasmtime.Engine()
    cache = {}

    def run(path, n):
        if path not in cache:
            cache[path] = wasmtime.Module.from_file(engine, path)
        store = wasmtime.Store(engine)
        instance = wasmtime.Instance(store, cache[path], [])
        return instance.exports(store)["run"](store, n)
    return run


def save(table):
    """Writes the table back in its two-lines-an-entry layout."""
    out = ["["]
    for i, w in enumerate(table):
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(w[k])}" for k in FIELDS)
        rest = {k: v for k, v in w.items() if k not in FIELDS}
        tail = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in rest.items())
        out.append("  {" + head + ",\n   " + tail + "}" + ("," if i + 1 < len(table) else ""))
    out.append("]")
    with open(TABLE, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    rt = ap.add_mutually_exclusive_group()
    rt.add_argument("--wisp", nargs="?", const="", metavar="PATH")
    rt.add_argument("--cmd", metavar="TEMPLATE")
    rt.add_argument("--wasmtime", action="store_true")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true")
    size.add_argument("--full", action="store_true")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()

    if a.wasmtime:
        run, label = runner_wasmtime(), "wasmtime (Python package)"
    elif a.cmd:
        run, label = runner_cli(a.cmd), a.cmd
    else:
        wisp = a.wisp or os.path.join(HERE, "..", "..", "target", "release", "wisp")
        run, label = runner_cli(shlex.quote(wisp) + " run --invoke run {file} {n}"), wisp
    print(f"verify.py: runtime {label}")

    with open(TABLE) as f:
        table = json.load(f)
    sizes = [("small_n", "small_checksum")] if a.small else [("n", "checksum")] if a.full \
        else [("small_n", "small_checksum"), ("n", "checksum")]
    bad = 0
    for w in table:
        if a.names and not any(x in w["name"] for x in a.names):
            continue
        path = os.path.join(HERE, w["file"])
        for nkey, ckey in sizes:
            t = time.perf_counter()
            try:
                got = run(path, w[nkey])
            except Exception as e:  # a trap, a crash, a missing runtime
                print(f"  {w['name']:<18} {nkey:<7} {w[nkey]:>9}  ERROR {e}")
                bad += 1
                continue
            dt = time.perf_counter() - t
            expected = int(w[ckey])
            ok = got == expected
            if a.update:
                w[ckey] = str(got)
                ok = True
            bad += not ok
            print(f"  {w['name']:<18} {nkey:<7} {w[nkey]:>9}  {got:>21}  {dt * 1e3:9.1f} ms  "
                  + ("ok" if ok else f"MISMATCH (expected {expected})"))
    if a.update:
        save(table)
        print("verify.py: checksums written to workloads.json")
    print(f"verify.py: {'all checksums agree' if not bad else f'{bad} run(s) failed or disagreed'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
