/* memory: C and wasm sharing a linear memory; growing it. */
#include "example.h"

static const char* text =
    "(module"
    "  (memory (export \"memory\") 1 3)"
    "  (func (export \"sum\") (param $at i32) (param $n i32) (result i32) (local $s i32)"
    "    (block $done (loop $next"
    "      (br_if $done (i32.eqz (local.get $n)))"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $at))))"
    "      (local.set $at (i32.add (local.get $at) (i32.const 1)))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))"
    "      (br $next)))"
    "    (local.get $s)))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t* memory = wasm_extern_as_memory(exports.data[0]);
  wasm_func_t* sum = wasm_extern_as_func(exports.data[1]);

  /* C writes, wasm reads. */
  byte_t* data = wasm_memory_data(memory);
  for (int i = 0; i < 100; i++) data[1000 + i] = (byte_t)i;
  wasm_val_t args[2] = {WASM_I32_VAL(1000), WASM_I32_VAL(100)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  if (wasm_func_call(sum, &arg_vec, &result_vec)) die("sum");
  printf("sum of 0..99 in memory = %d\n", results[0].of.i32);
  int ok = results[0].of.i32 == 4950;

  /* Growing: up to the maximum of 3 pages, and no further. */
  printf("pages: %u, bytes: %zu\n", wasm_memory_size(memory), wasm_memory_data_size(memory));
  ok &= wasm_memory_grow(memory, 2) && wasm_memory_size(memory) == 3;
  ok &= !wasm_memory_grow(memory, 1);
  printf("after growing: %u pages\n", wasm_memory_size(memory));

  /* Reading past the end traps; the trap says so. */
  args[0] = (wasm_val_t)WASM_I32_VAL(3 * 65536 - 10);
  wasm_trap_t* trap = wasm_func_call(sum, &arg_vec, &result_vec);
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    printf("out of bounds: %s\n", message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
  }
  ok &= trap != NULL;

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
