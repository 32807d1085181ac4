/* Call overhead through the standard C API: written against wasm.h alone, so the same
 * program links with libwisp.a or with another runtime's wasm.h library (wasmtime's).
 * Reads call_overhead.wasm from the working directory; prints one line per measure:
 *   <measure> <nanoseconds per call>
 * the best of five runs of N calls each. Run by benches/src/bin/call_overhead.rs. */

#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wasm.h"

#define N 200000
#define RUNS 5

static wasm_trap_t* g(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static void fail(const char* what) {
  fprintf(stderr, "call_overhead: %s\n", what);
  exit(1);
}

/* ns per call of `f(arg)`, `calls` calls per wasm_func_call. */
static double measure(const wasm_func_t* f, int32_t arg, int repeat, double calls) {
  wasm_val_t args[1] = {WASM_I32_VAL(arg)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  double best = 1e300;
  for (int run = 0; run < RUNS; run++) {
    double start = now_ns();
    for (int i = 0; i < repeat; i++) {
      if (wasm_func_call(f, &arg_vec, &result_vec)) fail("a call trapped");
    }
    double per = (now_ns() - start) / (repeat * calls);
    if (per < best) best = per;
  }
  return best;
}

int main(void) {
  FILE* file = fopen("call_overhead.wasm", "rb");
  if (!file) fail("cannot open call_overhead.wasm");
  fseek(file, 0, SEEK_END);
  size_t size = (size_t)ftell(file);
  fseek(file, 0, SEEK_SET);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new_uninitialized(&binary, size);
  if (fread(binary.data, 1, size, file) != size) fail("cannot read call_overhead.wasm");
  fclose(file);

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) fail("cannot compile the module");
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new(store, type, g);
  wasm_functype_delete(type);
  wasm_extern_t* externs[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("cannot instantiate");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* id = wasm_extern_as_func(exports.data[0]);
  const wasm_func_t* roundtrip = wasm_extern_as_func(exports.data[1]);
  const wasm_func_t* calls = wasm_extern_as_func(exports.data[2]);

  /* Warm-up: long enough for a tiering engine to compile all three. */
  measure(id, 1, N, 1);
  measure(roundtrip, 1, N, 1);
  measure(calls, 1000, N / 1000, 1000);

  printf("c_to_wasm %.1f\n", measure(id, 1, N, 1));
  printf("c_to_wasm_to_c %.1f\n", measure(roundtrip, 1, N, 1));
  printf("wasm_to_c %.1f\n", measure(calls, 1000, N / 1000, 1000));

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
