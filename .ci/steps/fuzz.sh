#!/usr/bin/env bash
# .ci/steps/fuzz.sh SECONDS [TARGET...]
#
# Each cargo-fuzz target (default: all six) for SECONDS from a copy of its seed corpus
# (fuzz/corpus/<target>/; libFuzzer adds what it finds to the first corpus directory, and
# the committed seeds stay as they are). A crash fails the step; its input is left in
# <fuzz dir>/artifacts/<target>/. `single_pass` is the firmware profile's crate
# (fuzz/firmware/, built as the firmware builds wisp) and starts from validate_own's seeds.
source "$(dirname "$0")/../lib.sh"

[ $# -ge 1 ] || { sed -n '2s/^# /usage: /p' "$0" >&2; exit 2; }
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(validate validate_own run differential wasi_paths single_pass)

step "fuzz: ${targets[*]}, ${seconds} s each from the seed corpus (fuzz/)"
nightly
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for target in "${targets[@]}"; do
  case "$target" in
    single_pass) dir=fuzz/firmware seeds=fuzz/corpus/validate_own ;;
    *) dir=fuzz seeds=fuzz/corpus/$target ;;
  esac
  cp -r "$seeds" "$corpus/$target"
  # libFuzzer's last lines: the run's totals, or the crash and where its input went.
  cargo +nightly fuzz run --fuzz-dir "$dir" "$target" "$corpus/$target" -- \
    -max_total_time="$seconds" 2>&1 | grep -E '^Done|ERROR|SUMMARY|artifact'
done
