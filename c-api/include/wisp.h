/*
 * wisp.h: what wisp offers C hosts beyond the standard wasm.h (included here): choosing
 * the tier, fuel, the store's limits, interruption from another thread, trap codes and
 * error messages.
 *
 * Errors: a standard function that fails returns null, false or an empty result, and
 * records why on the calling thread; wisp_error_message() hands that text out.
 */

#ifndef WISP_H
#define WISP_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership, as in wasm.h (which undefines its own marker at its end). */
#define own

/* Value kinds the standard has no name for. A v128 crosses the C API as zero bits (the
 * standard's wasm_val_t has no room for it); an exnref as an opaque reference. */
enum wisp_valkind_enum {
  WISP_V128 = 4,
  WISP_EXNREF = 130,
};

/* ---------------------------------------------------------------------------------- */
/* Errors and version */

/* Moves this thread's last error message (NUL-terminated) into `out` and clears it.
 * Returns false, with `out` empty, when no error was recorded since the last call. */
WASM_API_EXTERN bool wisp_error_message(wasm_name_t* out);

/* The library's version, e.g. "0.1.0"; static, never freed. */
WASM_API_EXTERN const char* wisp_version(void);

/* Translates `len` bytes of WebAssembly text (a module in the text format) into a binary
 * module in `out`. False, `out` empty and an error message saying where, for text that
 * does not parse. */
WASM_API_EXTERN bool wisp_wat2wasm(const char* text, size_t len, own wasm_byte_vec_t* out);

/* ---------------------------------------------------------------------------------- */
/* Configuration (before wasm_engine_new_with_config, which takes the config) */

typedef uint8_t wisp_tier_t;
enum wisp_tier_enum {
  /* The register interpreter: every build and host. */
  WISP_TIER_INTERP,
  /* Cranelift native code for every function (builds with the `jit` feature, on x86_64,
   * aarch64 and riscv64 Unix hosts). */
  WISP_TIER_JIT,
  /* Interpreter first; hot functions compiled in the background (the default where the
   * JIT runs). */
  WISP_TIER_TIERED,
};

/* Chooses the tier. False for an unknown value. An engine asked for a JIT tier this
 * build or host lacks is not made: wasm_engine_new_with_config returns null and the
 * error message says why. */
WASM_API_EXTERN bool wisp_config_tier(wasm_config_t*, wisp_tier_t);

/* Whether wasm consumes fuel (a store starts with none: set it with wisp_store_set_fuel). */
WASM_API_EXTERN void wisp_config_consume_fuel(wasm_config_t*, bool);

/* Whether wisp_interrupt_handle_interrupt can stop running wasm. Off by default: it costs
 * a flag check at each function entry and loop header. */
WASM_API_EXTERN void wisp_config_interruptible(wasm_config_t*, bool);

/* The most bytes one linear memory may grow to. */
WASM_API_EXTERN void wisp_config_max_memory_bytes(wasm_config_t*, uint64_t);

/* The most bytes all memories of one store may hold together. */
WASM_API_EXTERN void wisp_config_max_store_memory_bytes(wasm_config_t*, uint64_t);

/* The deepest wasm call nesting; deeper traps with "call stack exhausted". */
WASM_API_EXTERN void wisp_config_max_call_depth(wasm_config_t*, uint32_t);

/* The most elements one table may grow to. */
WASM_API_EXTERN void wisp_config_max_table_elements(wasm_config_t*, uint32_t);

/* The most instances one store may hold. */
WASM_API_EXTERN void wisp_config_max_instances(wasm_config_t*, uint32_t);

/* ---------------------------------------------------------------------------------- */
/* Fuel */

/* Sets the store's fuel. False (and an error message) when the engine does not consume
 * fuel. */
WASM_API_EXTERN bool wisp_store_set_fuel(wasm_store_t*, uint64_t fuel);

/* The store's fuel left, into `*fuel`. False when the engine does not consume fuel. */
WASM_API_EXTERN bool wisp_store_get_fuel(const wasm_store_t*, uint64_t* fuel);

/* ---------------------------------------------------------------------------------- */
/* Interruption */

/* A handle that stops the store's running wasm from any thread. It may outlive the
 * store (it then does nothing) and is deleted with wisp_interrupt_handle_delete. */
typedef struct wisp_interrupt_handle_t wisp_interrupt_handle_t;

WASM_API_EXTERN own wisp_interrupt_handle_t* wisp_interrupt_handle_new(wasm_store_t*);

/* The store's wasm traps with WISP_TRAP_INTERRUPTED at its next function entry or loop
 * header (or its next call, if none runs now); the request is then consumed. Safe from
 * any thread, and from a signal handler. */
WASM_API_EXTERN void wisp_interrupt_handle_interrupt(const wisp_interrupt_handle_t*);

WASM_API_EXTERN void wisp_interrupt_handle_delete(own wisp_interrupt_handle_t*);

/* ---------------------------------------------------------------------------------- */
/* Trap codes */

typedef uint8_t wisp_trap_code_t;
enum wisp_trap_code_enum {
  WISP_TRAP_UNREACHABLE = 1,
  WISP_TRAP_MEMORY_OUT_OF_BOUNDS,
  WISP_TRAP_TABLE_OUT_OF_BOUNDS,
  WISP_TRAP_INDIRECT_CALL_TO_NULL,
  WISP_TRAP_BAD_SIGNATURE,
  WISP_TRAP_INTEGER_OVERFLOW,
  WISP_TRAP_INTEGER_DIVISION_BY_ZERO,
  WISP_TRAP_BAD_CONVERSION_TO_INTEGER,
  WISP_TRAP_NULL_REFERENCE,
  WISP_TRAP_STACK_EXHAUSTED,
  WISP_TRAP_OUT_OF_FUEL,
  WISP_TRAP_INTERRUPTED,
  WISP_TRAP_NULL_FUNCTION_REFERENCE,
  WISP_TRAP_NULL_EXCEPTION_REFERENCE,
  WISP_TRAP_TOO_MANY_EXCEPTIONS,
};

/* The code of a trap wasm raised itself, into `*code`. False for a trap a host function
 * returned, an error turned into a trap (a link error, say), or null. */
WASM_API_EXTERN bool wisp_trap_code(const wasm_trap_t*, wisp_trap_code_t* code);

#undef own

#ifdef __cplusplus
}
#endif

#endif /* WISP_H */
