# Sourced by run.sh and size.sh with their arguments, BOARD [FEATURE]: sets $board, $target,
# the QEMU command line that boots it ($qemu, an array; the ELF goes last), $features (the
# firmware feature to build with, or empty), $variant (the board, plus `-FEATURE` if any:
# names the expected output) and $elf.
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
    echo "usage: $0 arm|riscv [no-float]" >&2
    exit 2
    ;;
esac
features=${2:-}
case "$features" in
  "" | no-float) ;;
  *) echo "$0: unknown firmware feature '$features' (known: no-float)" >&2; exit 2 ;;
esac
variant=$board${features:+-$features}
# The firmware's own target directory, whatever CARGO_TARGET_DIR the caller set for the
# root workspace (CI shares one there): this is a separate workspace with its own profile.
build=(cargo build --release --target-dir target --target "$target" ${features:+--features "$features"})
elf=target/$target/release/wisp-firmware
