/* Reset and the vector table for the Cortex-M4F, and what newlib's malloc needs (_sbrk
 * over the heap the linker script sets aside). */

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include "semihosting.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _stack_top;
extern char _heap_start, _heap_end;
extern int main(void);

void Reset_Handler(void) {
  /* The FPU (the library is built for the hard-float ABI): full access for CP10, CP11. */
  *(volatile uint32_t*)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n isb");
  for (uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t* dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  semihosting_exit(main());
}

static void Fault_Handler(void) {
  print("CPU fault\n");
  semihosting_exit(102);
}

__attribute__((section(".isr_vector"), used)) static const void* const vectors[16] = {
    &_stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};

/* newlib's malloc grows its heap here; out of heap is ENOMEM, which wisp's allocation
 * sites turn into errors (it never aborts on a refused allocation). */
static char* brk = &_heap_start;

/* How far malloc's heap has grown: its high-water mark (newlib never gives memory back
 * to _sbrk in this configuration's use). */
size_t heap_high_water(void) { return (size_t)(brk - &_heap_start); }

void* _sbrk(ptrdiff_t increment) {
  if (increment > &_heap_end - brk || increment < &_heap_start - brk) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* old = brk;
  brk += increment;
  return old;
}

/* newlib's abort raises SIGABRT through _kill; there is no process: stop here. */
void _exit(int status) { semihosting_exit(status ? status : 1); }
int _kill(int pid, int sig) {
  (void)pid;
  (void)sig;
  semihosting_exit(101);
}
int _getpid(void) { return 1; }
