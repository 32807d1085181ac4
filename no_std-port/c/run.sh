#!/usr/bin/env bash
# The C firmware (no_std-port/c/): libwisp.a built for thumbv7em-none-eabihf without std
# (wisp-c-api's `firmware` feature, the root workspace's `firmware` profile), linked with
# main.c and newlib by arm-none-eabi-gcc, booted on QEMU's mps2-an386, its output diffed
# with expected.txt (but for `~` lines, which move with the code). Prints the flash and
# static RAM the image takes (`size`); the firmware prints its heap's high-water mark.
#
#   no_std-port/c/run.sh
#
# Needs: rustup's thumbv7em-none-eabihf, gcc-arm-none-eabi and libnewlib-arm-none-eabi,
# qemu-system-arm (the CI step installs them). Exit status: the firmware's (0 when every
# check passed), 124 on a timeout, 125 when its output differs.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

# guest.h must be guest.wat's binary.
if command -v wat2wasm >/dev/null; then
  want=$(mktemp)
  wat2wasm guest.wat -o "$want"
  have=$(grep -o '0x[0-9a-f][0-9a-f]' guest.h | tr -d '\n')
  [ "$have" = "$(od -An -v -tx1 "$want" | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1/g; s/ //g')" ] ||
    { echo "run.sh: guest.h is not guest.wat's binary: regenerate it" >&2; exit 1; }
  rm -f "$want"
fi

cargo build --locked --profile firmware -p wisp-c-api --manifest-path "$root/Cargo.toml" \
  --target thumbv7em-none-eabihf --no-default-features --features firmware 2>&1 |
  grep -v "dropping unsupported crate type" >&2 || true
lib=$target_dir/thumbv7em-none-eabihf/firmware/libwisp.a
[ -f "$lib" ] || { echo "run.sh: $lib was not built" >&2; exit 1; }

out=$target_dir/c-firmware
mkdir -p "$out"
arm-none-eabi-gcc -std=c11 -Os -Wall -Wextra -Werror \
  -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
  -ffunction-sections -fdata-sections -nostartfiles --specs=nano.specs \
  -I "$root/c-api/include" -T link.ld -Wl,--gc-sections,-z,noexecstack \
  main.c startup.c "$lib" -lm -o "$out/firmware.elf"
arm-none-eabi-size "$out/firmware.elf" | awk 'NR == 2 {
  printf "C firmware: flash %d bytes (%.1f KiB), static RAM %d bytes\n", $1 + $2, ($1 + $2) / 1024, $2 + $3 }'

status=0
timeout "${TIMEOUT:-60}" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native -kernel "$out/firmware.elf" </dev/null |
  tee "$out/output.txt" || status=$?
[ "$status" -eq 0 ] || { echo "run.sh: the C firmware ended with status $status" >&2; exit "$status"; }
diff -u expected.txt <(grep -v '^~' "$out/output.txt") || { echo "run.sh: the output differs from expected.txt" >&2; exit 125; }
echo "run.sh: the C firmware's output matches expected.txt"
