#!/usr/bin/env bash
# The firmware built with panic = immediate-abort (nightly, build-std): the same QEMU output
# as the stable build; then every build's flash against its ceiling in
# no_std-port/flash-budgets.txt (both boards, stable and immediate-abort).
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

step "firmware flash against its ceilings (no_std-port/flash-budgets.txt)"
over=0
while read -r -a line; do
  [ ${#line[@]} -gt 0 ] && [ "${line[0]:0:1}" != "#" ] || continue
  # The build's size.sh arguments, then its ceiling, then a comment.
  args=()
  for word in "${line[@]}"; do
    [[ $word =~ ^[0-9]+$ ]] && { ceiling=$word; break; }
    args+=("$word")
  done
  flash=$(no_std-port/size.sh "${args[@]}" 2>/dev/null | awk -F'|' '/\*\*total\*\*/ { gsub(/ /, "", $3); print $3 }')
  echo "${args[*]}: $flash bytes of flash (ceiling $ceiling)"
  if [ -z "$flash" ] || [ "$flash" -gt "$ceiling" ]; then
    echo "the firmware (${args[*]}) is over its flash ceiling" >&2
    over=1
  fi
done < no_std-port/flash-budgets.txt
exit $over
