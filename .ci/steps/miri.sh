#!/usr/bin/env bash
# Miri on the interpreter's unsafe code, on a subset (the embedding API tests). Miri runs
# the loop dispatch (interp's build.rs), so the executor's raw-pointer discipline and the
# store's entity ownership are checked under Stacked Borrows.
source "$(dirname "$0")/../lib.sh"

step "Miri: the interpreter's unsafe code on a subset (the embedding API tests)"
nightly miri rust-src
cargo +nightly miri test --locked -q -p wisp --test api
cargo +nightly miri test --locked -q -p wisp --test smoke constants_survive_calls
