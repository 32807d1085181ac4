#!/usr/bin/env bash
# The firmware built with panic = immediate-abort (nightly, build-std): the same QEMU output
# as the stable build, and its flash within issue 5's budget of 256 KiB on mps2-an386.
# Needs QEMU (firmware.sh installs it) and LLVM's llvm-size and llvm-nm (size.sh).
source "$(dirname "$0")/../lib.sh"

step "firmware with panic = immediate-abort (nightly): QEMU run and the 256 KiB flash budget"
# build-std builds core and alloc for the target from nightly's sources.
nightly rust-src
if ! compgen -c llvm-size | grep -q .; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq llvm >/dev/null
fi
no_std-port/run.sh arm immediate-abort
flash=$(no_std-port/size.sh arm immediate-abort | awk -F'|' '/\*\*total\*\*/ { gsub(/ /, "", $3); print $3 }')
echo "mps2-an386, immediate-abort: $flash bytes of flash"
if [ "$flash" -gt $((256 * 1024)) ]; then
  echo "the firmware's flash ($flash bytes) is over the 256 KiB budget" >&2
  exit 1
fi
