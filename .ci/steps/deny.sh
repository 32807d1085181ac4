#!/usr/bin/env bash
# .ci/steps/deny.sh [CHECK...]
#
# cargo deny (deny.toml): licenses, bans and sources by default. `advisories` (the RustSec
# database) needs the network and changes without any change here; the workflow runs it
# as a job of its own that does not fail pull requests.
source "$(dirname "$0")/../lib.sh"

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(bans licenses sources)
step "cargo deny check ${checks[*]}"
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked
# Its verdict on success; everything it found on failure.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if cargo deny check "${checks[@]}" >"$out" 2>&1; then
  tail -n 1 "$out"
else
  status=$?
  cat "$out"
  exit "$status"
fi
