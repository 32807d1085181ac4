#!/usr/bin/env bash
# scripts/cross-test.sh [aarch64|riscv64|riscv64+v|riscv64-v|all] [--quick]
#
# The JIT on the other architectures it supports, on this (x86_64 Linux) machine: builds
# wisp for aarch64 and/or riscv64 Linux and runs, under qemu-user,
#   - the JIT's tests: `cargo test --release -p wisp-jit` (its unit tests, tiers.rs,
#     tier_up.rs, and differential.rs on 400 generated modules: WISP_DIFF_SEEDS),
#   - the official spec suite on the tiers jit, tiered, mixed and interp, and with fuel
#     metering on the three JIT tiers (`wisp-spec-tests --tier T [--fuel]`, which exits
#     non-zero on any difference from spec-tests/expectations.txt).
# --quick: the JIT's tests with the differential test's default 60 modules, and the spec
# suite on the jit tier only (the builds, which take most of the time, are the same).
# Prints one line per arch and run, `ARCH/RUN: N passed, N failed, N skipped`, the time
# of each step, and exits non-zero if anything failed.
#
# riscv64 runs twice, on a CPU with the V extension (`riscv64+v`: qemu's `-cpu
# rv64,v=true,vlen=128`), where the JIT compiles SIMD, and on one without (`riscv64-v`:
# `-cpu rv64,v=false`), where `--tier jit` refuses SIMD modules and tier-up keeps their
# functions interpreted; that run leaves out the spec suite's plain `jit` tier (its SIMD
# files would fail to load by design) and runs the others. `riscv64` is both.
#
# Installs what is missing (Debian/Ubuntu): qemu-user, the cross C compilers (linkers and
# the target's libc, which qemu loads from /usr/<triple>), the Rust targets. Builds go to
# target/cross (or $WISP_CROSS_TARGET_DIR) so the native build in target/ stays valid;
# linkers and runners are set through environment variables, not .cargo/config.toml, so
# native builds are untouched. The testsuite is found as the spec runner finds it
# ($WISP_TESTSUITE, spec-tests/testsuite, ../shared/testsuite) and passed on explicitly.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2s/^# /usage: /p' "$0" >&2
  exit 2
}

arches=()
quick=false
for arg in "$@"; do
  case "$arg" in
    aarch64 | riscv64+v | riscv64-v) arches+=("$arg") ;;
    riscv64) arches+=(riscv64+v riscv64-v) ;;
    all) arches+=(aarch64 riscv64+v riscv64-v) ;;
    --quick) quick=true ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $arg" >&2; usage ;;
  esac
done
[ ${#arches[@]} -gt 0 ] || arches=(aarch64 riscv64+v riscv64-v)

# The spec runs: NAME:ARGUMENTS.
if $quick; then
  spec_runs=("jit:--tier jit")
else
  spec_runs=("jit:--tier jit" "tiered:--tier tiered" "mixed:--tier mixed" "interp:--tier interp"
    "jit+fuel:--tier jit --fuel" "tiered+fuel:--tier tiered --fuel" "mixed+fuel:--tier mixed --fuel")
  export WISP_DIFF_SEEDS="${WISP_DIFF_SEEDS:-400}"
fi

export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${WISP_CROSS_TARGET_DIR:-$PWD/target/cross}"

# An arch name without its CPU variant (`riscv64+v` is riscv64).
base_arch() { echo "${1%[+-]v}"; }
rust_target() { case "$(base_arch "$1")" in aarch64) echo aarch64-unknown-linux-gnu ;; riscv64) echo riscv64gc-unknown-linux-gnu ;; esac; }
gnu_triple() { echo "$(base_arch "$1")-linux-gnu"; }
# qemu's CPU for a variant: the V extension on or off.
qemu_cpu() { case "$1" in riscv64+v) echo "-cpu rv64,v=true,vlen=128" ;; riscv64-v) echo "-cpu rv64,v=false" ;; esac; }

step() { printf '\n== %s\n' "$*"; }

# --- what is missing gets installed -------------------------------------------------------
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
packages=()
for arch in "${arches[@]}"; do
  triple=$(gnu_triple "$arch")
  command -v "qemu-$(base_arch "$arch")" >/dev/null || packages+=(qemu-user)
  { command -v "$triple-gcc" >/dev/null && [ -d "/usr/$triple/lib" ]; } || packages+=("gcc-$triple")
done
if [ ${#packages[@]} -gt 0 ]; then
  step "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${packages[@]}" >/dev/null || {
    echo "cannot install ${packages[*]}" >&2
    exit 1
  }
fi
installed=$(rustup target list --installed)
for arch in "${arches[@]}"; do
  t=$(rust_target "$arch")
  grep -qx "$t" <<<"$installed" || rustup target add "$t" || exit 1
done

# --- the testsuite ----------------------------------------------------------------------------
if [ -z "${WISP_TESTSUITE:-}" ]; then
  for dir in spec-tests/testsuite ../shared/testsuite; do
    if [ -d "$dir" ]; then
      WISP_TESTSUITE=$(cd "$dir" && pwd)
      break
    fi
  done
fi
if [ -z "${WISP_TESTSUITE:-}" ] || [ ! -d "$WISP_TESTSUITE" ]; then
  echo "no testsuite: set WISP_TESTSUITE, or put a checkout at spec-tests/testsuite or ../shared/testsuite" >&2
  exit 1
fi
export WISP_TESTSUITE

# --- the runs ---------------------------------------------------------------------------------
summary=()
timings=()
failed=0

# Runs the command "${@:2}" as the step named $1 and records its time; returns its status.
timed() {
  local label=$1
  shift
  local start=$SECONDS
  "$@"
  local status=$?
  timings+=("$(printf '%-30s %5ds' "$label" $((SECONDS - start)))")
  return $status
}

# Runs "$@" with its output shown and kept in the file $log; returns the command's status.
logged() {
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

for arch in "${arches[@]}"; do
  target=$(rust_target "$arch")
  triple=$(gnu_triple "$arch")
  qemu="qemu-$(base_arch "$arch")"
  read -r -a cpu <<<"$(qemu_cpu "$arch")"
  upper=$(tr 'a-z-' 'A-Z_' <<<"$target")
  export "CARGO_TARGET_${upper}_LINKER=$triple-gcc"
  export "CARGO_TARGET_${upper}_RUNNER=$qemu ${cpu[*]} -L /usr/$triple"
  # Tests that start a child process of their own binary run it the same way; and under
  # qemu-user they keep fewer guarded memories alive at once (qemu tracks every reserved
  # page of the guest, 4 GiB and more per memory, in the host's memory).
  export "WISP_TEST_RUNNER=$qemu ${cpu[*]} -L /usr/$triple"
  logs="$CARGO_TARGET_DIR/$target/logs/$arch"
  mkdir -p "$logs"

  step "$arch: build the JIT's tests ($target)"
  if ! timed "$arch build jit tests" cargo test --release --locked -p wisp-jit --target "$target" --no-run; then
    summary+=("$arch/jit-tests: build failed")
    failed=1
    continue
  fi

  step "$arch: the JIT's tests under $qemu ${cpu[*]}"
  log="$logs/jit-tests.log"
  timed "$arch jit tests" logged cargo test --release --locked -p wisp-jit --target "$target"
  status=$?
  line=$(awk '/^test result:/ { p += $4; f += $6; i += $8; n++ }
              END { if (n) printf "%d passed, %d failed, %d skipped", p, f, i; else printf "no test ran" }' "$logs/jit-tests.log")
  [ "$status" -eq 0 ] || { failed=1; line="$line (exit $status)"; }
  summary+=("$arch/jit-tests: $line")

  step "$arch: build the spec runner"
  if ! timed "$arch build spec runner" cargo build --release --locked -p wisp-spec-tests --target "$target"; then
    summary+=("$arch/spec: build failed")
    failed=1
    continue
  fi
  runner="$CARGO_TARGET_DIR/$target/release/wisp-spec-tests"

  for run in "${spec_runs[@]}"; do
    name=${run%%:*}
    read -r -a args <<<"${run#*:}"
    tier=${args[1]}
    # Without V the jit tier refuses SIMD modules by design (see the top).
    if [ "$arch" = riscv64-v ] && [ "$tier" = jit ]; then continue; fi
    step "$arch: spec suite, ${args[*]}, under $qemu ${cpu[*]}"
    log="$logs/spec-$name.log"
    timed "$arch spec ${args[*]}" "$qemu" "${cpu[@]}" -L "/usr/$triple" "$runner" "${args[@]}" >"$log" 2>&1
    status=$?
    # The runner's last line: `TIER: N passed, N failed, N skipped`.
    last=$(tail -n 1 "$log")
    echo "$last"
    if [[ "$last" == "$tier: "* ]]; then last="$name: ${last#"$tier: "}"; else last="$name: no summary line"; fi
    if [ "$status" -ne 0 ]; then
      failed=1
      # The files with failures, any message, and how to see each failure.
      grep -vE '  0 failed ' "$log" >&2
      echo "(every failure: $runner ${args[*]} -v, under $qemu ${cpu[*]} -L /usr/$triple)" >&2
      last="$last (exit $status)"
    fi
    summary+=("$arch/$last")
  done
done

step "time per step"
printf '%s\n' "${timings[@]}"
if $quick; then step "summary (--quick: the spec suite on the jit tier only)"; else step "summary"; fi
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then echo "cross-test: FAILED"; else echo "cross-test: all passed"; fi
exit "$failed"
