#!/usr/bin/env bash
# Formatting and lints: rustfmt's check, and clippy on every target of the workspace with
# warnings as errors (the lints of [workspace.lints] in Cargo.toml included).
source "$(dirname "$0")/../lib.sh"

rustup component add rustfmt clippy >/dev/null 2>&1 || true
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
