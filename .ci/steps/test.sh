#!/usr/bin/env bash
# .ci/steps/test.sh [--no-jit]
#
# The tests: `cargo test --workspace` (the README's test command), which includes the
# official testsuite (spec-tests/testsuite, or ../shared/testsuite). --no-jit, for hosts the
# JIT does not build on (Windows; wisp-jit maps code with mmap): the interpreter, core,
# WASI and the facade without its `jit` feature, the `wisp` tool (wisp-cli, whose default
# `jit` feature leaves the JIT out there), and the spec suite on the interpreter.
# Closes with the total over every test binary, so the run's outcome is its last line.
source "$(dirname "$0")/../lib.sh"

if [ "${1:-}" = --no-jit ]; then
  runs=("cargo test --locked -p wisp-core -p wisp-interp -p wisp-wasi -p wisp -p wisp-cli"
    "cargo test --locked -p wisp-spec-tests --no-default-features --features all-proposals")
else
  runs=("cargo test --workspace --locked")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for run in "${runs[@]}"; do
  step "$run"
  # shellcheck disable=SC2086 # the command splits on purpose
  $run 2>&1 | tee -a "$log" || status=$?
done
# cargo prints one result line per test binary, the last often an empty doc-test run.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
exit "$status"
