#!/usr/bin/env bash
# Release builds, which run the interpreter's tail-call dispatch (test builds keep debug
# assertions and so run the loop dispatch): the official spec suite on every tier, fuel
# off and on; the differential test with more modules than `cargo test` runs; the
# small-stack dispatch test. The spec runner exits non-zero on any difference from
# spec-tests/expectations.txt.
source "$(dirname "$0")/../lib.sh"

step "tail-call dispatch (release builds): the spec suite on every tier, fuel off and on"
cargo run --release --locked -q -p wisp-spec-tests | tail -n 1
cargo run --release --locked -q -p wisp-spec-tests -- --fuel | tail -n 1
# The JIT tier (the runner's default `jit` feature), fuel off and on; tier-up with
# switches forced at every first call and loop header; functions spread over both tiers.
for tier in jit tiered mixed; do
  cargo run --release --locked -q -p wisp-spec-tests -- --tier "$tier" | tail -n 1
  cargo run --release --locked -q -p wisp-spec-tests -- --tier "$tier" --fuel | tail -n 1
done

step "the differential test on 400 modules, and the small-stack dispatch test (release)"
WISP_DIFF_SEEDS=400 cargo test --release --locked -q -p wisp-jit --test differential
cargo test --release --locked -q --test dispatch
