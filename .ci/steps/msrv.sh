#!/usr/bin/env bash
# The oldest Rust each crate says it builds with (`rust-version`), checked with exactly that
# toolchain (installed with the minimal profile if it is missing): the workspace's for what
# an embedder builds without the JIT (core, the interpreter, WASI, the facade; the firmware
# builds the same crates) and for the `wisp` tool without the JIT (wisp-cli, as it builds
# where the JIT does not), and the JIT's own, which Cranelift sets higher, for the JIT and
# the tool with its default JIT. A check, not a test run: what a rust-version promises is
# that the code compiles.
source "$(dirname "$0")/../lib.sh"

rust_version() { sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$1" | head -n 1; }

# Checks the packages "${@:2}" with toolchain $1.
check() {
  local version=$1
  shift
  [ -n "$version" ] || { echo "msrv.sh: no rust-version found" >&2; exit 1; }
  step "MSRV $version: cargo +$version check $*"
  rustup toolchain list | grep -q "^$version-" || rustup toolchain install "$version" --profile minimal
  cargo "+$version" check --locked "$@"
}

check "$(rust_version Cargo.toml)" -p wisp-core -p wisp-interp -p wisp-wasi -p wisp
# wisp-cli takes the workspace's rust-version (`rust-version.workspace = true`).
check "$(rust_version Cargo.toml)" -p wisp-cli --no-default-features --features wat
check "$(rust_version jit/Cargo.toml)" -p wisp-jit -p wisp --features wisp/jit -p wisp-cli
