/* The C tests' checks: each failure prints where and what, and the test exits 1. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wisp.h"

static int check_failures = 0;

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
      check_failures++;                                                               \
    }                                                                                 \
  } while (0)

/* Reads a whole file into an owned byte vector (empty if it cannot be read). */
static inline void read_file(const char* path, wasm_byte_vec_t* out) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    wasm_byte_vec_new_empty(out);
    return;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  if (fread(out->data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
  }
  fclose(f);
}

/* Whether a NUL-terminated message vector contains `part`. */
static inline int message_has(const wasm_message_t* m, const char* part) {
  return m->size > 0 && m->data[m->size - 1] == '\0' && strstr(m->data, part) != NULL;
}

static inline int finish(const char* name) {
  if (check_failures) {
    fprintf(stderr, "%s: %d checks failed\n", name, check_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

#endif
