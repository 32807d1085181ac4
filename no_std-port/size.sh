#!/usr/bin/env bash
# The firmware's footprint on a board, as the README reports it:
#
#   ./size.sh arm              # mps2-an386 (thumbv7em-none-eabihf)
#   ./size.sh riscv            # QEMU virt (riscv32imac-unknown-none-elf)
#   ./size.sh arm no-float     # the trimmed build
#   ./size.sh arm immediate-abort   # nightly: panics trap without a message (boards.sh)
#
# Builds the release profile (opt-level "z", fat LTO, one codegen unit, panic = abort), then
# - flash: the loadable image, .vector_table/.init + .text + .rodata + .data's initial
#   values, from llvm-size; its shares by crate come from llvm-nm, with v0 symbol names
#   (.cargo/config.toml), which carry generic parameters. A symbol whose name mentions
#   `wasmparser::validator` is the validator's (that includes the operator decoder
#   instantiated for the validator's visitor); any other counts for the first of
#   wasmparser, wisp-interp, wisp-core and the firmware its name mentions (so
#   `<Once<wisp_interp::bytecode::CompiledFunc>>::try_call_once_slow`, which runs the lazy
#   translation, is the interpreter's); code inlined into a caller counts for the caller;
#   what no symbol names (string literals, constant tables, alignment) is shown as
#   "unnamed read-only data";
# - static RAM: .data + .bss + .uninit, with the heap arena (a static) shown apart;
# - peak heap and peak native stack: by booting the firmware in QEMU, which measures both
#   (a counting allocator, a painted stack) and prints them on its `~` lines.
set -euo pipefail
cd "$(dirname "$0")"
source ./boards.sh

# Debian and Ubuntu install LLVM's tools with and without a version suffix.
tool() {
  local v
  for v in "" -21 -20 -19 -18 -17 -16 -15 -14; do
    if command -v "$1$v" >/dev/null; then echo "$1$v"; return; fi
  done
  echo "size.sh: $1 not found (apt-get install llvm)" >&2
  exit 2
}
llvm_size=$(tool llvm-size)
llvm_nm=$(tool llvm-nm)

"${build[@]}" >&2

sections=$("$llvm_size" -A "$elf")
section() { awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' <<<"$sections"; }
flash=0
for s in .vector_table .init .init.rust .text .rodata .data; do
  flash=$((flash + $(section "$s")))
done
static_ram=$(($(section .data) + $(section .bss) + $(section .uninit)))
arena=$("$llvm_nm" -S --radix=d "$elf" | awk '$4 ~ /heap4init5ARENA/ { print $2 + 0 }')

# Symbol sizes by crate, from the demangled (-C) names of the symbols in flash.
shares=$("$llvm_nm" -S -C --radix=d "$elf" | awk '
  NF >= 4 && $3 ~ /^[tTrRdD]$/ {
    name = substr($0, index($0, $4))
    c = "other"
    if (name ~ /wasmparser::validator/) {
      c = "validator"
    } else if (match(name, /wasmparser|wisp_interp|wisp_core|wisp_firmware/)) {
      c = substr(name, RSTART, RLENGTH)
    }
    size[c] += $2
  }
  END { for (c in size) print c, size[c] }')
share() { awk -v c="$1" '$1 == c { print $2; found = 1 } END { if (!found) print 0 }' <<<"$shares"; }
named=$(awk '{ s += $2 } END { print s }' <<<"$shares")

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
row() { printf '| %s | %d | %s | %s |\n' "$1" "$2" "$(kib "$2")" "$(pct "$2" "$flash")"; }

echo "$variant ($target, panic = $panic)"
echo
echo "| flash | bytes | | share |"
echo "|---|---:|---:|---:|"
row "wasmparser: validator" "$(share validator)"
row "wasmparser: decoding" "$(share wasmparser)"
row "wisp-interp (translator and executor)" "$(share wisp_interp)"
row "wisp-core (loading, store, instances, API)" "$(share wisp_core)"
row "firmware (demos, host functions, report)" "$(share wisp_firmware)"
row "other named code (core, alloc, compiler-builtins, libm, runtime crates)" "$(share other)"
row "unnamed read-only data (strings, constant tables, alignment)" "$((flash - named))"
row "**total**" "$flash"
echo
echo "static RAM (.data + .bss + .uninit): $static_ram B ($(kib "$static_ram")), of which the heap arena $arena B"

echo
echo "booting it for peak heap and stack (the firmware's own measurements):"
run=$(timeout "${TIMEOUT:-120}" "${qemu[@]}" "$elf" </dev/null) || {
  echo "size.sh: the firmware run failed (status $?)" >&2
  exit 1
}
grep -E '^~ +peak' <<<"$run"
