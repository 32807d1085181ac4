#!/usr/bin/env bash
# The firmware (no_std-port/) on stable Rust: no crate in its graph with std (cargo tree),
# QEMU runs on mps2-an386 and riscv32 virt and of the no-float build, each diffed with
# no_std-port/expected/; and, on the host, the firmware's feature choices: no-float, and
# exception handling, tail calls and typed function references left out.
source "$(dirname "$0")/../lib.sh"

# QEMU from the distribution's packages. On Debian bookworm with qemu-utils from
# bookworm-backports (this project's machines have it), bookworm's own qemu-system 7.2
# refuses to install beside it, so the matching version comes from backports, added from
# the mirror the system already uses.
install_qemu() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq qemu-system-arm qemu-system-misc >/dev/null && return
  . /etc/os-release
  local sources=/etc/apt/sources.list.d/debian.sources
  [ -n "${VERSION_CODENAME:-}" ] && [ -f "$sources" ] || return 1
  awk 'BEGIN { RS = "" } NR == 1' "$sources" |
    sed "s/^Suites:.*/Suites: $VERSION_CODENAME-backports/" |
    as_root tee "/etc/apt/sources.list.d/$VERSION_CODENAME-backports.sources" >/dev/null
  as_root apt-get update -qq
  as_root apt-get install -y -qq -t "$VERSION_CODENAME-backports" qemu-system-arm qemu-system-misc >/dev/null
}

step "firmware (no_std-port/): cargo tree, QEMU runs on mps2-an386 and riscv32 virt, the no-float build"
add_targets "${NO_STD_TARGETS[@]}"
if ! command -v qemu-system-arm >/dev/null || ! command -v qemu-system-riscv32 >/dev/null; then
  install_qemu
fi
qemu-system-arm --version | head -n 1
no_std-port/check-no-std.sh
# Each run builds the firmware, boots it, and diffs its output with
# no_std-port/expected/; the status is the firmware's (0: every check passed).
no_std-port/run.sh arm
no_std-port/run.sh riscv
no_std-port/run.sh arm no-float
# Errors and traps in words (wisp's `messages`), which the boards' builds leave out.
no_std-port/run.sh arm messages

step "the C firmware (no_std-port/c/): libwisp.a without std, linked by arm-none-eabi-gcc, on mps2-an386"
if ! command -v arm-none-eabi-gcc >/dev/null || [ ! -d /usr/lib/arm-none-eabi/newlib ]; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq gcc-arm-none-eabi libnewlib-arm-none-eabi >/dev/null
fi
no_std-port/c/run.sh

step "firmware features on the host: no-float, and Wasm 3.0 control flow left out"
cargo test --locked -q --features no-float --test no_float
# Firmware's choice of leaving out exception handling, tail calls and typed function
# references: each refused at load with the reason; Wasm 2.0 still runs.
cargo test --locked -q --no-default-features --features std,wat --test left_out

step "the spec suite on the firmware's build of the library: wisp's own validator and decoder, interpreter"
# What the boards run, held to the whole suite on the host: modules validated and read by
# wisp's own validator and decoder (`own-validator`), no SIMD or exceptions built in; what
# the firmware profile leaves out is skipped. The runner fails on any failure.
cargo run --release --locked -q -p wisp-spec-tests --no-default-features --features firmware \
  -- --tier interp --own-validator | tail -n 1
# And as the boards load: single-pass, each body translated as the validator reads it
# (`--eager`: lazy translation off), fuel off and on.
cargo run --release --locked -q -p wisp-spec-tests --no-default-features --features firmware \
  -- --tier interp --own-validator --eager | tail -n 1
cargo run --release --locked -q -p wisp-spec-tests --no-default-features --features firmware \
  -- --tier interp --own-validator --eager --fuel | tail -n 1
# The load pass makes the code lazy translation makes, and gives up what it must; the own
# loader agrees with wasmparser's on the corner cases; what the profile or the build
# leaves out is refused naming the proposal.
cargo test --locked -q --no-default-features --features std,wat,own-validator \
  --test single_pass --test loader --test left_out
