/* What the examples share: a module from WebAssembly text, and giving up with the
 * library's last error. */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wisp.h"

static inline void die(const char* what) {
  wasm_name_t why;
  wisp_error_message(&why);
  fprintf(stderr, "%s: %s\n", what, why.size ? why.data : "(no message)");
  wasm_name_delete(&why);
  exit(1);
}

static inline wasm_module_t* module_from_text(wasm_store_t* store, const char* text) {
  wasm_byte_vec_t binary;
  if (!wisp_wat2wasm(text, strlen(text), &binary)) die("the module's text");
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) die("compiling the module");
  return module;
}

#endif
