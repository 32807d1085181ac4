/* Console and exit over Arm semihosting (QEMU: -semihosting-config enable=on). */
#ifndef SEMIHOSTING_H
#define SEMIHOSTING_H

#include <stdint.h>

static inline int semihosting_call(int op, const void* arg) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* The host's standard output: SYS_OPEN of ":tt" for writing (mode 4, "w"), once. (QEMU
 * writes SYS_WRITE0's console text to its standard error instead.) */
static inline int semihosting_stdout(void) {
  static int handle = -1;
  if (handle < 0) {
    const uintptr_t open_args[3] = {(uintptr_t)":tt", 4, 3};
    handle = semihosting_call(0x01, open_args);
  }
  return handle;
}

/* SYS_WRITE of a NUL-terminated string to standard output. */
static inline void print(const char* s) {
  uintptr_t len = 0;
  while (s[len]) len++;
  const uintptr_t write_args[3] = {(uintptr_t)semihosting_stdout(), (uintptr_t)s, len};
  semihosting_call(0x05, write_args);
}

static inline void print_int(int32_t n) {
  char buf[12];
  char* p = buf + sizeof buf - 1;
  *p = '\0';
  uint32_t u = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (n < 0) *--p = '-';
  print(p);
}

/* SYS_EXIT: QEMU ends with status 0 for an application exit, 1 for any other reason. */
static inline __attribute__((noreturn)) void semihosting_exit(int status) {
  semihosting_call(0x18, (const void*)(uintptr_t)(status == 0 ? 0x20026 : 0x20023));
  for (;;) {
  }
}

#endif
