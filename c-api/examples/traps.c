/* traps: what a trap tells: its message, its code (wisp.h) and the wasm frames it went
 * through. */
#include "example.h"

static const char* text =
    "(module"
    "  (func $inner (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))"
    "  (func $middle (param i32) (result i32) (call $inner (local.get 0)))"
    "  (func (export \"outer\") (param i32) (result i32) (call $middle (local.get 0))))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  wasm_val_t args[1] = {WASM_I32_VAL(0)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &arg_vec, &result_vec);
  if (!trap) die("expected a trap");

  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("trap: %s\n", message.data);
  wasm_byte_vec_delete(&message);
  wisp_trap_code_t code;
  int ok = wisp_trap_code(trap, &code) && code == WISP_TRAP_INTEGER_DIVISION_BY_ZERO;
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  for (size_t i = 0; i < trace.size; i++) {
    printf("  frame %zu: function %u\n", i, wasm_frame_func_index(trace.data[i]));
  }
  ok &= trace.size == 3 && wasm_frame_func_index(trace.data[0]) == 0;
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
