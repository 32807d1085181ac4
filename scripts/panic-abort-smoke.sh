#!/usr/bin/env bash
# scripts/panic-abort-smoke.sh
#
# Issue 8: "panic = abort builds must behave the same". Builds the `wisp` CLI (wisp-cli,
# with its default JIT) twice (the release profile as shipped, and with `panic = "abort"`),
# runs the same hostile inputs
# through both on the interpreter and the JIT, and fails if any exit status or message
# differs, or if any run died of a signal. wisp never panics on bad input, so a build
# that aborts on panic must give exactly the same answers; a difference would mean some
# error path relied on unwinding.
set -euo pipefail
cd "$(dirname "$0")/.."

unwind_dir=${CARGO_TARGET_DIR:-target}
abort_dir=target/panic-abort
cargo build --release --locked -q -p wisp-cli
CARGO_PROFILE_RELEASE_PANIC=abort cargo build --release --locked -q -p wisp-cli \
  --target-dir "$abort_dir"
unwind=$unwind_dir/release/wisp
abort=$abort_dir/release/wisp

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
printf '\0asm\1\0\0\0\1' >"$cases/truncated.wasm"
printf '\0asm\2\0\0\0' >"$cases/bad-version.wasm"
head -c 4096 /dev/urandom >"$cases/random.wasm"
cat >"$cases/type-mismatch.wat" <<'EOF'
(module (func (export "f") (result i32) (i64.const 1)))
EOF
cat >"$cases/recursion.wat" <<'EOF'
(module (func $f (export "f") (result i32) (i32.add (call $f) (i32.const 1))))
EOF
cat >"$cases/oob.wat" <<'EOF'
(module (memory 1) (func (export "f") (result i32) (i32.load (i32.const 65534))))
EOF
cat >"$cases/spin.wat" <<'EOF'
(module (func (export "f") (loop $l (br $l))))
EOF
cat >"$cases/grow.wat" <<'EOF'
(module (memory 1) (func (export "f") (result i32) (memory.grow (i32.const 60000))))
EOF
cat >"$cases/huge-memory.wat" <<'EOF'
(module (memory 40000) (func (export "f")))
EOF
cat >"$cases/div-zero.wat" <<'EOF'
(module (func (export "f") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))
EOF
cat >"$cases/indirect.wat" <<'EOF'
(module (table 2 funcref) (type $t (func (result i32)))
  (func (export "f") (result i32) (call_indirect (type $t) (i32.const 7))))
EOF

# Each case: file and extra options.
runs=(
  "truncated.wasm"
  "bad-version.wasm"
  "random.wasm"
  "type-mismatch.wat"
  "recursion.wat --invoke f"
  "oob.wat --invoke f"
  "spin.wat --invoke f --fuel 100000"
  "spin.wat --invoke f --timeout 200ms"
  "grow.wat --invoke f --max-memory 1M"
  "huge-memory.wat --invoke f --max-memory 64M"
  "div-zero.wat --invoke f"
  "indirect.wat --invoke f"
)

failed=0
for tier in interp jit; do
  for run in "${runs[@]}"; do
    read -r file opts <<<"$run"
    # shellcheck disable=SC2086 # the options split on purpose
    outcome() {
      local status=0 out
      out=$("$1" run --tier "$tier" $opts "$cases/$file" 2>&1) || status=$?
      printf '%s\n%s' "$status" "$out" | sed "s|$cases/||g"
    }
    a=$(outcome "$unwind")
    b=$(outcome "$abort")
    status=${a%%$'\n'*}
    if [ "$a" != "$b" ]; then
      echo "DIFFERS: --tier $tier $run" >&2
      diff <(echo "$a") <(echo "$b") >&2 || true
      failed=1
    elif [ "$status" -gt 128 ] && [ "$status" -ne 134 ]; then
      # 134 is the CLI's own status for a trap; anything else above 128 is a signal.
      echo "SIGNAL: --tier $tier $run: status $status" >&2
      failed=1
    else
      echo "same: --tier $tier $run: status $status"
    fi
  done
done
exit "$failed"
