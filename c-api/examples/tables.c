/* tables: a function table filled from C, called indirectly by wasm. */
#include "example.h"

static const char* text =
    "(module"
    "  (type $binary (func (param i32 i32) (result i32)))"
    "  (table (export \"ops\") 2 8 funcref)"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))"
    "  (func (export \"apply\") (param $op i32) (param i32 i32) (result i32)"
    "    (call_indirect (type $binary) (local.get 1) (local.get 2) (local.get $op))))";

static wasm_trap_t* multiply(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 * args->data[1].of.i32);
  return NULL;
}

static int apply(wasm_func_t* f, int op, int a, int b, int* out) {
  wasm_val_t args[3] = {WASM_I32_VAL(op), WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(f, &arg_vec, &result_vec);
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    printf("apply(%d): trap: %s\n", op, message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    return 0;
  }
  *out = results[0].of.i32;
  return 1;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_table_t* ops = wasm_extern_as_table(exports.data[0]);
  wasm_func_t* add = wasm_extern_as_func(exports.data[1]);
  wasm_func_t* apply_func = wasm_extern_as_func(exports.data[2]);

  /* Slot 0: wasm's add; slot 1: C's multiply. */
  wasm_functype_t* type = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32());
  wasm_func_t* mul = wasm_func_new(store, type, multiply);
  wasm_functype_delete(type);
  int ok = wasm_table_set(ops, 0, wasm_func_as_ref(add)) && wasm_table_set(ops, 1, wasm_func_as_ref(mul));

  int r = 0;
  ok &= apply(apply_func, 0, 6, 7, &r) && r == 13;
  printf("ops[0](6, 7) = %d\n", r);
  ok &= apply(apply_func, 1, 6, 7, &r) && r == 42;
  printf("ops[1](6, 7) = %d\n", r);
  ok &= !apply(apply_func, 5, 6, 7, &r); /* past the table's end: a trap */

  ok &= wasm_table_grow(ops, 4, wasm_func_as_ref(mul)) && wasm_table_size(ops) == 6;
  ok &= apply(apply_func, 5, 6, 7, &r) && r == 42;
  printf("after growing to %u slots: ops[5](6, 7) = %d\n", wasm_table_size(ops), r);

  wasm_func_delete(mul);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
