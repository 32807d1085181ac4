#!/usr/bin/env bash
# Builds the WASI guest programs and copies them to bin/ (which is committed, so tests run
# without these toolchains). Idempotent: installs only what is missing, rebuilds only what
# changed, and reports each binary as new, updated or unchanged.
#
#   wasi-lite/guests/build.sh [--no-install] [--rust-only | --c-only]
#
# --no-install   never install anything; fail with the command to run instead
# Environment:
#   GUEST_TARGET_DIR   cargo's target directory (default: guest-target beside the checkout,
#                      outside it, so the guests never contend for the main target/)
#   WASI_SYSROOT       a wasi-libc sysroot, if clang does not find Debian's on its own
#
# Toolchains: Rust with the wasm32-wasip1 target (rustup target add); for C, Debian's
# clang, lld, wasi-libc and libclang-rt-dev-wasm32 (apt-get install, as root).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
checkout=$(cd "$here/../.." && pwd -P)
target_dir=${GUEST_TARGET_DIR:-$(dirname "$checkout")/guest-target}
bin="$here/bin"
install=1 rust=1 c=1
for arg in "$@"; do
    case $arg in
        --no-install) install=0 ;;
        --rust-only) c=0 ;;
        --c-only) rust=0 ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf 'build.sh: %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$bin"

# Copies a built module into bin/ if it differs, validating it first when a validator is
# installed, and says what happened.
publish() {
    local src=$1 name=$2 dst="$bin/$2" state
    [ -f "$src" ] || die "expected build output $src is missing"
    if command -v wasm-validate >/dev/null; then
        wasm-validate "$src" || die "$src does not validate"
    fi
    if [ ! -f "$dst" ]; then state=new
    elif cmp -s "$src" "$dst"; then state=unchanged
    else state=updated
    fi
    [ $state = unchanged ] || cp "$src" "$dst"
    printf 'build.sh:   bin/%-22s %8d bytes  %s\n' "$name" "$(wc -c <"$dst")" "$state"
}

# ---- Rust ----------------------------------------------------------------------------
rust_programs=(hello args env files clocks random escape upper)
if [ $rust = 1 ]; then
    command -v cargo >/dev/null || die "cargo is not installed (https://rustup.rs)"
    if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
        [ $install = 1 ] || die "the wasm32-wasip1 target is missing: rustup target add wasm32-wasip1"
        say "installing the Rust target wasm32-wasip1"
        rustup target add wasm32-wasip1
    fi
    say "Rust: $(rustc --version)"
    say "building the Rust guests in $target_dir"
    # Paths that end up in panic messages are remapped, so the output is the same from any
    # checkout and any cargo home.
    cargo_home=${CARGO_HOME:-$HOME/.cargo}
    export RUSTFLAGS="--remap-path-prefix=$here/rust=guests --remap-path-prefix=$cargo_home=/cargo"
    export CARGO_TARGET_DIR="$target_dir"
    manifest="$here/rust/Cargo.toml"
    cargo build --locked --manifest-path "$manifest" --release --target wasm32-wasip1 --workspace
    cargo build --locked --manifest-path "$manifest" --profile release-names \
        --target wasm32-wasip1 -p wisp-guest-programs --bin exit
    out="$target_dir/wasm32-wasip1"
    for p in "${rust_programs[@]}" jsonq; do
        publish "$out/release/$p.wasm" "$p.wasm"
    done
    publish "$out/release-names/exit.wasm" exit.wasm
fi

# ---- C -------------------------------------------------------------------------------
c_programs=(c-stdio c-args-env c-files c-clock-random c-misc c-hostile)
c_named_programs=(c-exit)
if [ $c = 1 ]; then
    cflags=(--target=wasm32-wasi -Oz -std=gnu11 -Wall -Wextra -Werror "-ffile-prefix-map=$here/c=c")
    [ -n "${WASI_SYSROOT:-}" ] && cflags+=("--sysroot=$WASI_SYSROOT")
    probe=$(mktemp -d)
    trap 'rm -rf "$probe"' EXIT
    # The probe needs libc, compiler-rt (long double arithmetic is a builtins call) and lld.
    printf '#include <stdio.h>\nint main(int c, char **v) { long double x = c; printf("%%Lf", x * 3); return v[0][0]; }\n' >"$probe/p.c"
    c_ok() { command -v clang >/dev/null && clang "${cflags[@]}" "$probe/p.c" -o "$probe/p.wasm" 2>"$probe/err"; }
    if ! c_ok; then
        if [ -z "${WASI_SYSROOT:-}" ] && [ -d /usr/share/wasi-sysroot ]; then
            cflags+=(--sysroot=/usr/share/wasi-sysroot)
        fi
    fi
    if ! c_ok; then
        pkgs=(clang lld wasi-libc libclang-rt-dev-wasm32)
        [ $install = 1 ] || die "no working clang + wasi-libc: apt-get install -y ${pkgs[*]}"
        command -v apt-get >/dev/null || die "no working clang + wasi-libc, and no apt-get to install ${pkgs[*]}"
        [ "$(id -u)" = 0 ] || die "no working clang + wasi-libc: sudo apt-get install -y ${pkgs[*]}"
        say "installing ${pkgs[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
        if ! c_ok && [ -z "${WASI_SYSROOT:-}" ] && [ -d /usr/share/wasi-sysroot ]; then
            cflags+=(--sysroot=/usr/share/wasi-sysroot)
        fi
        c_ok || { cat "$probe/err" >&2; die "clang still cannot build for wasm32-wasi"; }
    fi
    say "C: $(clang --version | head -n1)"
    say "building the C guests"
    for p in "${c_programs[@]}"; do
        clang "${cflags[@]}" "$here/c/$p.c" -o "$probe/$p.wasm" -Wl,--strip-all
        publish "$probe/$p.wasm" "$p.wasm"
    done
    for p in "${c_named_programs[@]}"; do
        clang "${cflags[@]}" "$here/c/$p.c" -o "$probe/$p.wasm" -Wl,--strip-debug
        publish "$probe/$p.wasm" "$p.wasm"
    done
fi

# What built the committed binaries (rewritten only when it changes).
if [ $rust = 1 ] && [ $c = 1 ]; then
    {
        echo "# Toolchains that built bin/*.wasm (written by build.sh)"
        echo "rust: $(rustc --version)"
        echo "clang: $(clang --version | head -n1)"
        if command -v dpkg-query >/dev/null; then
            echo "wasi-libc: $(dpkg-query -W -f '${Version}' wasi-libc 2>/dev/null || echo unknown)"
        fi
        # build-eh.sh's lines (its toolchain), kept as they are.
        grep -E '^build-(eh|threads): ' "$bin/TOOLCHAINS.txt" 2>/dev/null || true
    } >"$probe/TOOLCHAINS.txt"
    if ! cmp -s "$probe/TOOLCHAINS.txt" "$bin/TOOLCHAINS.txt"; then
        cp "$probe/TOOLCHAINS.txt" "$bin/TOOLCHAINS.txt"
        say "wrote bin/TOOLCHAINS.txt"
    fi
fi
say "done"
