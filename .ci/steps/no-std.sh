#!/usr/bin/env bash
# .ci/steps/no-std.sh [TARGET...]
#
# The embeddable crates built without std for bare-metal targets (default: both of
# NO_STD_TARGETS in lib.sh), as firmware builds them: release, no default features.
source "$(dirname "$0")/../lib.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${NO_STD_TARGETS[@]}")
add_targets "${targets[@]}"
for t in "${targets[@]}"; do
  step "no_std build: $t"
  cargo build --release --locked -p wisp-core -p wisp-interp -p wisp-wasi -p wisp \
    --no-default-features --target "$t"
  # The C API for C firmware: libwisp.a without std, linted in that configuration too
  # (`cdylib` is dropped on these targets, with cargo's warning).
  cargo build --release --locked -p wisp-c-api --no-default-features --features firmware --target "$t"
  cargo clippy --locked -p wisp-c-api --no-default-features --features firmware --target "$t" -- -D warnings
done
