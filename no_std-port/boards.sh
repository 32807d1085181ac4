# Sourced by run.sh and size.sh with their arguments, BOARD [no-float|simd|messages] [immediate-abort]:
# sets $board, $target, the QEMU command line that boots it ($qemu, an array; the ELF goes
# last), $features (the firmware feature to build with, or empty), $variant (the board,
# plus `-FEATURE` if any: names the expected output), $build (the cargo command) and $elf.
#
# `immediate-abort` builds with nightly Rust, rebuilding `core` and `alloc` for size and with
# the `immediate-abort` panic strategy: a panic becomes one trapping instruction, so no panic
# messages, source locations or the formatting they need are linked (about 29 KiB on
# mps2-an386). wisp never panics on any input by design, so what is lost is the message
# of a bug's panic: the board faults instead of printing it. The output is the same.
case "${1:-}" in
  arm)
    board=mps2-an386
    target=thumbv7em-none-eabihf
    # Semihosting carries the console and the exit status (see src/arch/cortex_m.rs).
    qemu=(qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic
          -semihosting-config enable=on,target=native -kernel)
    ;;
  riscv)
    board=qemu-virt
    target=riscv32imac-unknown-none-elf
    # The console is the UART on stdio; the SiFive test device ends QEMU with the status.
    qemu=(qemu-system-riscv32 -machine virt -bios none -nographic -kernel)
    ;;
  *)
    echo "usage: $0 arm|riscv [no-float|simd|messages] [immediate-abort]" >&2
    exit 2
    ;;
esac
features=
panic=abort
for arg in "${@:2}"; do
  case "$arg" in
    no-float | simd | messages) features=$arg ;;
    immediate-abort) panic=$arg ;;
    *) echo "$0: unknown option '$arg' (known: no-float, simd, messages, immediate-abort)" >&2; exit 2 ;;
  esac
done
variant=$board${features:+-$features}
# The firmware's own target directory, whatever CARGO_TARGET_DIR the caller set for the
# root workspace (CI shares one there): this is a separate workspace with its own profile.
if [ "$panic" = abort ]; then
  target_dir=target
  build=(cargo build --release --locked)
else
  target_dir=target/immediate-abort
  # `optimize_for_size` picks the standard library's smaller algorithms (sorting,
  # formatting) where it has two (about 1 KiB on mps2-an386).
  build=(cargo +nightly build --release --locked -Z build-std=core,alloc
         -Z build-std-features=optimize_for_size -Z panic-immediate-abort
         --config 'profile.release.panic="immediate-abort"')
fi
build+=(--target-dir "$target_dir" --target "$target" ${features:+--features "$features"})
elf=$target_dir/$target/release/wisp-firmware
