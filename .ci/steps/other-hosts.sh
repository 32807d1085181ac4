#!/usr/bin/env bash
# .ci/steps/other-hosts.sh [TARGET...]
#
# The JIT for the other Unix hosts whose signal handler it has (`jit/build.rs`:
# `cfg(wisp_signals)`), built on this Linux machine without their linkers (default: all
# of OTHER_HOSTS): the JIT library in full (code generation assembles the entry stub in
# that host's object format and spelling), and the CLI and the JIT's tests type-checked.
# The workflow's macOS test job runs them; this keeps Linux-only changes from breaking
# them first.
source "$(dirname "$0")/../lib.sh"

OTHER_HOSTS=(x86_64-apple-darwin aarch64-apple-darwin x86_64-unknown-freebsd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${OTHER_HOSTS[@]}")
add_targets "${targets[@]}"
for t in "${targets[@]}"; do
  step "the JIT for $t: the library built, the CLI and the tests checked"
  cargo build --locked -p wisp-jit --lib --target "$t"
  cargo check --locked -p wisp-cli -p wisp-jit --tests --target "$t"
done
