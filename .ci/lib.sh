# Sourced by every script in .ci/steps/: strict mode, the repository root as the working
# directory, and the helpers the steps share. Each step installs what it needs, so that
# it runs the same from .ci/run on a fresh clone and as a job of the GitHub workflow.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

: "${CARGO_TERM_COLOR:=never}"
export CARGO_TERM_COLOR

step() { printf '\n== %s\n' "$*"; }

# Root on CI runners is reached through sudo; on this project's machines we are root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Adds each Rust target that is not installed yet (to the default toolchain, or to the
# toolchain named by $toolchain).
add_targets() {
  local installed t
  installed=$(rustup target list --installed ${toolchain:+--toolchain "$toolchain"})
  for t in "$@"; do
    grep -qx "$t" <<<"$installed" || rustup target add ${toolchain:+--toolchain "$toolchain"} "$t"
  done
}

# Nightly with the given components (Miri, the firmware's build-std, cargo-fuzz).
nightly() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  [ $# -eq 0 ] || rustup component add --toolchain nightly "$@" >/dev/null 2>&1
}

# The bare-metal targets of the no_std builds and the firmware.
NO_STD_TARGETS=(thumbv7em-none-eabihf riscv32imac-unknown-none-elf)
