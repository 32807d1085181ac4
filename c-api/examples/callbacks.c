/* callbacks: a host function with an environment (a counter here) and several results,
 * called from wasm in a loop. */
#include "example.h"

static const char* text =
    "(module"
    "  (import \"host\" \"divmod\" (func $divmod (param i32 i32) (result i32 i32)))"
    "  (func (export \"digit_sum\") (param $n i32) (result i32) (local $sum i32)"
    "    (block $done (loop $next"
    "      (br_if $done (i32.eqz (local.get $n)))"
    "      (call $divmod (local.get $n) (i32.const 10))"
    "      (local.set $sum (i32.add (local.get $sum)))"
    "      (local.set $n)"
    "      (br $next)))"
    "    (local.get $sum)))";

/* Quotient and remainder; counts its calls in the environment. */
static wasm_trap_t* divmod(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int* calls = env;
  ++*calls;
  int32_t a = args->data[0].of.i32, b = args->data[1].of.i32;
  if (b == 0) {
    wasm_message_t message;
    wasm_name_new_from_string_nt(&message, "divmod by zero");
    wasm_trap_t* trap = wasm_trap_new(NULL, &message);
    wasm_name_delete(&message);
    return trap;
  }
  results->data[0] = (wasm_val_t)WASM_I32_VAL(a / b);
  results->data[1] = (wasm_val_t)WASM_I32_VAL(a % b);
  return NULL;
}

static void finalize(void* env) { printf("environment finalized after %d calls\n", *(int*)env); }

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);

  static int calls = 0;
  wasm_functype_t* type = wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* func = wasm_func_new_with_env(store, type, divmod, &calls, finalize);
  wasm_functype_delete(type);

  wasm_extern_t* externs[] = {wasm_func_as_extern(func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  wasm_val_t args[1] = {WASM_I32_VAL(987654321)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  if (wasm_func_call(wasm_extern_as_func(exports.data[0]), &arg_vec, &result_vec)) die("digit_sum");
  printf("digit_sum(987654321) = %d, in %d calls to C\n", results[0].of.i32, calls);
  int ok = results[0].of.i32 == 45 && calls == 9;

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(func);
  wasm_module_delete(module);
  wasm_store_delete(store); /* runs the finalizer */
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
