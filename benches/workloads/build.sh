#!/usr/bin/env bash
# Builds every benchmark workload and copies it to bin/NAME.wasm (committed, so the
# harness runs without these toolchains). Idempotent: installs only what is missing,
# rebuilds only what changed, and reports each module as new, updated or unchanged.
#
#   benches/workloads/build.sh [--no-install]
#
# --no-install   never install anything; fail with the command to run instead
# Environment:
#   WORKLOADS_TARGET_DIR   cargo's target directory (default: bench-target beside the
#                          checkout, outside it, so these builds never contend for the
#                          main target/)
#
# Toolchains: Rust with the wasm32-unknown-unknown target (rustup target add), Debian's
# wabt (wat2wasm, wasm-validate, wasm-objdump; apt-get install wabt, as root) and python3.
#
# Every module is checked before it is published: it imports nothing and exports `memory`
# and `run`; it validates with SIMD disabled, but the SIMD workloads (`simd_*`), which must
# use SIMD (fail to validate without it) and not relaxed SIMD. Checksums are checked by
# verify.py.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
checkout=$(cd "$here/../.." && pwd -P)
target_dir=${WORKLOADS_TARGET_DIR:-$(dirname "$checkout")/bench-target}
bin="$here/bin"
install=1
for arg in "$@"; do
    case $arg in
        --no-install) install=0 ;;
        -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf 'build.sh: %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- toolchains ------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is not installed"
command -v cargo >/dev/null || die "cargo is not installed (https://rustup.rs)"
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    [ $install = 1 ] || die "the wasm32-unknown-unknown target is missing: rustup target add wasm32-unknown-unknown"
    say "installing the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi
if ! command -v wat2wasm >/dev/null || ! command -v wasm-validate >/dev/null || ! command -v wasm-objdump >/dev/null; then
    [ $install = 1 ] || die "wabt is missing: apt-get install wabt"
    say "installing wabt"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wabt
    else sudo apt-get update -qq && sudo apt-get install -y -qq wabt
    fi
fi
say "Rust: $(rustc --version); wabt: $(wat2wasm --version)"

# Validates a built module against the workload ABI, then copies it into bin/ if it
# differs, and says what happened.
publish() {
    local src=$1 name=$2 dst="$bin/$2.wasm" state imports
    [ -f "$src" ] || die "expected build output $src is missing"
    case $name in
        simd_*)
            # wabt leaves relaxed SIMD off unless asked: this refuses it.
            wasm-validate "$src" || die "$src does not validate with SIMD (and without relaxed SIMD)"
            ! wasm-validate --disable-simd "$src" 2>/dev/null || die "$src uses no SIMD"
            ;;
        *) wasm-validate --disable-simd "$src" || die "$src does not validate without SIMD" ;;
    esac
    imports=$(wasm-objdump -j Import -x "$src" 2>/dev/null | grep -c '^ - ' || true)
    [ "$imports" = 0 ] || die "$src imports $imports item(s); workloads must import nothing"
    wasm-objdump -j Export -x "$src" | grep -q ' -> "run"$' || die "$src does not export run"
    wasm-objdump -j Export -x "$src" | grep -q 'memory\[0\] -> "memory"$' || die "$src does not export memory"
    if [ ! -f "$dst" ]; then state=new
    elif cmp -s "$src" "$dst"; then state=unchanged
    else state=updated
    fi
    [ $state = unchanged ] || cp "$src" "$dst"
    printf 'build.sh:   bin/%-24s %9d bytes  %s\n' "$name.wasm" "$(wc -c <"$dst")" "$state"
}

# ---- Rust programs ---------------------------------------------------------------------
rust_workloads=(sha2 serde_json regex miniz fib nbody mandelbrot coremark)
simd_workloads=(simd_blur simd_scan simd_matmul simd_hash)
say "building the Rust workloads in $target_dir"
# Paths that could end up in the modules are remapped, so the output is the same from any
# checkout and any cargo home. No target features are added: the target's defaults, which
# do not include SIMD.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
remap="--remap-path-prefix=$here/rust=workloads --remap-path-prefix=$cargo_home=/cargo"
export RUSTFLAGS="$remap"
export CARGO_TARGET_DIR="$target_dir"
excluded=()
for w in "${simd_workloads[@]}"; do excluded+=(--exclude "workload-${w//_/-}"); done
cargo build --locked --manifest-path "$here/rust/Cargo.toml" --release \
    --target wasm32-unknown-unknown --workspace "${excluded[@]}"
for w in "${rust_workloads[@]}"; do
    publish "$target_dir/wasm32-unknown-unknown/release/workload_$w.wasm" "$w"
done

# ---- SIMD programs ---------------------------------------------------------------------
# The same, with simd128 on for the whole crate graph (`common` too), in a target directory
# of their own so the two builds' flags never invalidate each other's artifacts.
say "building the SIMD workloads (+simd128) in $target_dir/simd"
packages=()
for w in "${simd_workloads[@]}"; do packages+=(-p "workload-${w//_/-}"); done
RUSTFLAGS="$remap -C target-feature=+simd128" CARGO_TARGET_DIR="$target_dir/simd" \
    cargo build --locked --manifest-path "$here/rust/Cargo.toml" --release \
    --target wasm32-unknown-unknown "${packages[@]}"
for w in "${simd_workloads[@]}"; do
    publish "$target_dir/simd/wasm32-unknown-unknown/release/workload_$w.wasm" "$w"
done

# ---- micro-benchmarks (WAT) ------------------------------------------------------------
say "assembling the micro-benchmarks"
for wat in "$here"/wat/*.wat; do
    w=$(basename "$wat" .wat)
    wat2wasm "$wat" -o "$tmp/$w.wasm"
    publish "$tmp/$w.wasm" "$w"
done

# ---- the large module ------------------------------------------------------------------
say "generating the large module"
python3 "$here/gen/gen_large.py" "$tmp/large.wasm" >/dev/null
publish "$tmp/large.wasm" large

say "done; check the checksums with: python3 $here/verify.py"
