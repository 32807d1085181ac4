#!/usr/bin/env bash
# Checks, with `cargo tree`, that nothing in the firmware's dependency graph has its `std`
# feature on, for both targets and both builds. Build-dependencies and proc-macros run on
# the host and are left out (-e normal, no-proc-macro). Every crate in the graph that can
# use std (wisp's own, wasmparser, hashbrown, libm, ...) gates it behind a `std` feature,
# so this names the crate as soon as one is switched on, before a build for a target
# without std fails somewhere in its code.
set -euo pipefail
cd "$(dirname "$0")"

status=0
for target in thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
  for features in "" no-float; do
    tree=$(cargo tree --locked --target "$target" ${features:+--features "$features"} \
      -e normal,features,no-proc-macro --prefix none)
    crates=$(grep -E '^[^ ]+ v[0-9]' <<<"$tree" | sed 's/ (\*)$//' | sort -u | wc -l)
    label="$target${features:+ --features $features}"
    if with_std=$(grep -E '^[^ ]+ feature "std"' <<<"$tree" | sed 's/ (\*)$//' | sort -u); then
      echo "check-no-std.sh: $label: std enabled in:" >&2
      sed 's/^/  /' <<<"$with_std" >&2
      status=1
    else
      echo "$label: $crates crates, none with std"
    fi
  done
done
exit "$status"
