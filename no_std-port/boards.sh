# Sourced by run.sh and size.sh: the board named by $1 (arm or riscv) as $board, $target
# and the QEMU command line that boots it ($qemu, an array; the ELF goes last).
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
    echo "usage: $0 arm|riscv [cargo build options, e.g. --features no-float]" >&2
    exit 2
    ;;
esac
shift
elf=target/$target/release/wisp-firmware
