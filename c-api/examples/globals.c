/* globals: a global made in C imported by wasm, and one wasm exports. */
#include "example.h"

static const char* text =
    "(module"
    "  (import \"host\" \"step\" (global $step i64))"
    "  (global $total (export \"total\") (mut i64) (i64.const 0))"
    "  (func (export \"tick\") (global.set $total (i64.add (global.get $total) (global.get $step)))))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);

  wasm_globaltype_t* type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
  wasm_val_t five = WASM_I64_VAL(5);
  wasm_global_t* step = wasm_global_new(store, type, &five);
  wasm_globaltype_delete(type);

  wasm_extern_t* externs[] = {wasm_global_as_extern(step)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_global_t* total = wasm_extern_as_global(exports.data[0]);
  wasm_func_t* tick = wasm_extern_as_func(exports.data[1]);

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  for (int i = 0; i < 3; i++) {
    if (wasm_func_call(tick, &none, &none)) die("tick");
  }
  wasm_val_t value;
  wasm_global_get(total, &value);
  printf("total after 3 ticks of 5: %lld\n", (long long)value.of.i64);
  int ok = value.of.i64 == 15;

  /* C may set wasm's mutable global, but not its own constant one. */
  wasm_val_t hundred = WASM_I64_VAL(100);
  wasm_global_set(total, &hundred);
  wasm_global_set(step, &hundred);
  if (wasm_func_call(tick, &none, &none)) die("tick");
  wasm_global_get(total, &value);
  printf("total after setting it to 100 and one more tick: %lld\n", (long long)value.of.i64);
  ok &= value.of.i64 == 105;

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_global_delete(step);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
