#!/usr/bin/env bash
# scripts/release-build.sh [--check] [TARGET...]
#
# Builds the `wisp` CLI (crate wisp-cli) reproducibly (release, its features
# $WISP_RELEASE_FEATURES, default `jit,wat`, its defaults; `wat` for the interpreter only)
# for each TARGET (default: this host's), packages target/dist/wisp-VERSION-TARGET.tar.gz
# (the binary, README.md, THREAT_MODEL.md), writes target/dist/SHA256SUMS and prints it with the
# toolchain that built it. The same commit built with the same toolchain gives the same
# bytes on any machine: compare the printed hashes with another build's. --check builds a
# second time from an empty target directory and fails if any hash differs.
#
# What makes it reproducible: Cargo.lock (--locked); SOURCE_DATE_EPOCH = the commit's time
# (the tarball's times); the checkout and cargo home remapped out of every embedded path;
# no debug info; symbols stripped; no incremental compilation; its own target directory
# (target/release-build); a tarball with sorted names, fixed owners, modes and times, and
# gzip without a name or timestamp. Needs GNU tar and sha256sum (Linux). Cross targets need
# their linker: aarch64-unknown-linux-gnu uses aarch64-linux-gnu-gcc (Debian/Ubuntu package
# gcc-aarch64-linux-gnu) unless CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
targets=()
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("$(rustc -vV | sed -n 's/^host: //p')")

version=$(git describe --tags --exact-match 2>/dev/null ||
  echo "v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)")
git diff --quiet HEAD -- 2>/dev/null || echo "warning: the build includes uncommitted changes" >&2

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
case "$PWD:$cargo_home" in
  *[[:space:]]*) echo "the checkout and cargo home paths must not contain spaces (RUSTFLAGS)" >&2; exit 1 ;;
esac
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
export RUSTFLAGS="--remap-path-prefix=$PWD=. --remap-path-prefix=$cargo_home=cargo -C debuginfo=0"
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=symbols
export CARGO_TARGET_DIR="$PWD/target/release-build"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER:-aarch64-linux-gnu-gcc}"
features="${WISP_RELEASE_FEATURES-jit,wat}"

dist=target/dist

# Builds every target into $dist and writes $dist/SHA256SUMS.
build_all() {
  rm -rf "$dist"
  mkdir -p "$dist"
  for target in "${targets[@]}"; do
    cargo build --release --locked -p wisp-cli --no-default-features --features "$features" \
      --target "$target"
    local name="wisp-$version-$target" stage
    stage=$(mktemp -d)
    install -D -m 755 "$CARGO_TARGET_DIR/$target/release/wisp" "$stage/$name/wisp"
    install -m 644 README.md THREAT_MODEL.md "$stage/$name/"
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --mode=u=rwX,go=rX \
      --format=gnu -C "$stage" -cf - "$name" | gzip -9 -n >"$dist/$name.tar.gz"
    rm -rf "$stage"
  done
  (cd "$dist" && sha256sum -- *.tar.gz >SHA256SUMS)
}

build_all
if $check; then
  mv "$dist/SHA256SUMS" target/release-build.first-SHA256SUMS
  rm -rf "$CARGO_TARGET_DIR"
  build_all
  if ! diff target/release-build.first-SHA256SUMS "$dist/SHA256SUMS"; then
    echo "not reproducible: the second build differs from the first" >&2
    exit 1
  fi
  rm -f target/release-build.first-SHA256SUMS
  echo "reproducible: two builds from empty target directories are identical"
fi
rustc -vV | sed -n 's/^\(release\|commit-hash\|host\): /\1: /p'
echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH features=$features"
cat "$dist/SHA256SUMS"
