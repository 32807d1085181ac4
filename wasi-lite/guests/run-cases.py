#!/usr/bin/env python3
"""Runs every guest case in expected/cases.json with a WASI runtime's command line and
compares stdout, stderr and the exit status with the expected files.

    run-cases.py [--cases FILE] [--trap-status N] [--only NAME,...] [--keep] [--record] -- RUNNER...

RUNNER is a command prefix taking wisp's run options, then the module and its arguments:
    RUNNER [--dir HOST::GUEST]... [--dir-ro HOST::GUEST]... [--env K=V]... FILE [ARGS...]
e.g.  run-cases.py --trap-status 134 -- target/release/wisp run
      run-cases.py -- python3 wasmtime-run.py          (the reference: pip install wasmtime)

--cases names another list of cases (default expected/cases.json; a case's "proposals"
names the wasm proposals beyond 2.0 it needs, for runtimes without them). A case's "exit" of "trap" expects
--trap-status (default 134, wasmtime's); stderr is compared only where the case names a
file (a trap's message is the runtime's own).
--record writes stdout/stderr files from this run instead of comparing (for new cases,
with the reference runtime; review the result). Ends with "cases: N passed, N failed".
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")
FIXTURES = os.path.join(HERE, "fixtures")


def normalise(text, how):
    """'denied-any-errno': `...: denied (EPERM)` and `...: ok (ELOOP)` compare without the errno."""
    if how != "denied-any-errno":
        return text
    out = []
    for line in text.split("\n"):
        for word in (": denied (", ": ok ("):
            i = line.find(word)
            if i >= 0 and line.endswith(")"):
                line = line[: i + len(word) - 2]
        out.append(line)
    return "\n".join(out)


def run_case(case, runner, trap_status, record, keep):
    scratch = tempfile.mkdtemp(prefix=f"guest-{case['name']}-")
    problems = []
    try:
        if case.get("setup") == "escape":
            subprocess.run(["sh", os.path.join(FIXTURES, "escape-setup.sh"), scratch],
                           check=True, stdout=subprocess.DEVNULL)
        cmd = list(runner)
        rw_dirs = []
        for d in case.get("dirs", []):
            host = FIXTURES if d["host"] == "@fixtures" else os.path.join(scratch, d["host"])
            os.makedirs(host, exist_ok=True)
            cmd += ["--dir-ro" if d.get("ro") else "--dir", f"{host}::{d['guest']}"]
            if not d.get("ro") and d["host"] != "@fixtures":
                rw_dirs.append(host)
        for e in case.get("env", []):
            cmd += ["--env", e]
        cmd += [os.path.join(HERE, "bin", case["program"])] + case.get("args", [])
        stdin = open(os.path.join(FIXTURES, case["stdin"]), "rb") if case.get("stdin") else subprocess.DEVNULL
        try:
            p = subprocess.run(cmd, stdin=stdin, capture_output=True, timeout=300)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        want_exit = case.get("exit", 0)
        want_status = trap_status if want_exit == "trap" else want_exit
        if p.returncode != want_status:
            problems.append(f"exit status {p.returncode}, want {want_status} ({want_exit})")
        for stream, got in (("stdout", p.stdout), ("stderr", p.stderr)):
            if not case.get(stream):
                continue
            path = os.path.join(EXPECTED, case[stream])
            if record:
                with open(path, "wb") as f:
                    f.write(got)
                continue
            with open(path, "rb") as f:
                want = f.read()
            g = normalise(got.decode("utf-8", "replace"), case.get("compare"))
            w = normalise(want.decode("utf-8", "replace"), case.get("compare"))
            if g != w:
                gl, wl = g.split("\n"), w.split("\n")
                first = next((i for i in range(max(len(gl), len(wl)))
                              if i >= len(gl) or i >= len(wl) or gl[i] != wl[i]), 0)
                problems.append(f"{stream} differs from expected/{case[stream]} at line {first + 1}:\n"
                                f"      got:  {gl[first] if first < len(gl) else '<end>'!r}\n"
                                f"      want: {wl[first] if first < len(wl) else '<end>'!r}")
        if case.get("after") == "empty":
            for d in rw_dirs:
                left = os.listdir(d)
                if left:
                    problems.append(f"{d} not empty afterwards: {sorted(left)}")
        if case.get("setup") == "escape":
            c = subprocess.run(["sh", os.path.join(FIXTURES, "escape-setup.sh"), "check", scratch],
                               capture_output=True, text=True)
            if c.returncode != 0:
                problems.append("the host files outside the sandbox changed: " + c.stderr.strip())
        if problems:
            tail = p.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            problems.append("command: " + " ".join(cmd) + "\n      stderr tail: " + "\n                   ".join(tail))
    finally:
        if keep and problems:
            problems.append(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(EXPECTED, "cases.json"))
    ap.add_argument("--trap-status", type=int, default=134)
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory of failed cases")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("runner", nargs="+")
    a = ap.parse_args()
    with open(a.cases) as f:
        cases = json.load(f)
    only = set(filter(None, a.only.split(",")))
    passed = failed = 0
    for case in cases:
        if only and case["name"] not in only:
            continue
        problems = run_case(case, a.runner, a.trap_status, a.record, a.keep)
        if problems:
            failed += 1
            print(f"FAIL {case['name']}")
            for pr in problems:
                print("    " + pr)
        else:
            passed += 1
            print(f"ok   {case['name']}")
    print(f"cases: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
