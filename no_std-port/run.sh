#!/usr/bin/env bash
# Builds the firmware for a board, boots it in QEMU, and compares what it prints with
# expected/<board>[-<feature>].txt, leaving out the lines that start with `~` (timings and
# byte counts, which move with the host and the code).
#
#   ./run.sh arm             # mps2-an386, Cortex-M4F
#   ./run.sh riscv           # QEMU virt, riscv32imac
#   ./run.sh arm no-float    # the trimmed build
#   ./run.sh arm immediate-abort   # nightly, panics trap without a message (boards.sh)
#
# Exit status: the firmware's own (0 when every check passed, else the number that failed;
# 101 after a panic, 102 after a CPU fault), 124 if it did not finish within $TIMEOUT
# seconds (default 120), or 125 if it passed but its output differs from the expected.
set -euo pipefail
cd "$(dirname "$0")"
source ./boards.sh

"${build[@]}"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
timeout "${TIMEOUT:-120}" "${qemu[@]}" "$elf" </dev/null | tee "$out" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run.sh: the firmware ($variant) ended with status $status" >&2
  exit "$status"
fi
if ! diff -u "expected/$variant.txt" <(grep -v '^~' "$out"); then
  echo "run.sh: the output ($variant) differs from expected/$variant.txt (diff above)" >&2
  exit 125
fi
echo "run.sh: the output ($variant) matches expected/$variant.txt"
