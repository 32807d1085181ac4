/* A C firmware for the Cortex-M4F board (QEMU's mps2-an386) that embeds wisp through the
 * standard C API: it links libwisp.a built for thumbv7em-none-eabihf without std (the
 * `firmware` feature of wisp-c-api, which allocates with this program's malloc), loads a
 * module from flash, calls into it, serves it a host function, reports a trap, and prints
 * over semihosting. Built and run by run.sh; its output is diffed with expected.txt. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wisp.h"
#include "guest.h"
#include "semihosting.h"

static int failures = 0;

extern size_t heap_high_water(void);

static void check(int ok, const char* what) {
  if (!ok) {
    print("FAILED: ");
    print(what);
    print("\n");
    failures++;
  }
}

/* The guest's import env.report(i, fib(i)): prints each pair. */
static wasm_trap_t* report(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  print("fib(");
  print_int(args->data[0].of.i32);
  print(") = ");
  print_int(args->data[1].of.i32);
  print("\n");
  return NULL;
}

int main(void) {
  print("wisp C firmware: ");
  print(wisp_version());
  print("\n");

  wasm_config_t* config = wasm_config_new();
  check(wisp_config_tier(config, WISP_TIER_INTERP), "the interpreter tier");
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  check(engine && store, "an engine and a store");

  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, sizeof GUEST, (const byte_t*)GUEST);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  check(module != NULL, "the module loads");

  wasm_functype_t* report_type =
      wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* report_func = wasm_func_new(store, report_type, report);
  wasm_functype_delete(report_type);
  wasm_extern_t* externs[] = {wasm_func_as_extern(report_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL, "the instance");
  if (!instance) {
    semihosting_exit(1);
  }
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  /* run(12): reports fib(0..12) through the import, returns fib(12). */
  wasm_val_t args[2] = {WASM_I32_VAL(12), WASM_I32_VAL(0)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {1, args};
  wasm_val_vec_t result_vec = {1, results};
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &arg_vec, &result_vec);
  check(trap == NULL && results[0].of.i32 == 144, "run(12) returns 144");

  /* divide(7, 0) traps; the trap says why. */
  args[0] = (wasm_val_t)WASM_I32_VAL(7);
  arg_vec.size = 2;
  trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &arg_vec, &result_vec);
  wisp_trap_code_t code = 0;
  check(trap != NULL && wisp_trap_code(trap, &code) && code == WISP_TRAP_INTEGER_DIVISION_BY_ZERO,
        "divide(7, 0) traps with division by zero");
  print("divide(7, 0): trap code ");
  print_int(code);
  print("\n");
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(report_func);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  /* A `~` line moves with the code; run.sh leaves it out of the comparison. */
  print("~ heap high-water mark: ");
  print_int((int32_t)heap_high_water());
  print(" bytes\n");
  print(failures ? "some checks failed\n" : "all checks passed\n");
  semihosting_exit(failures ? 1 : 0);
  return 0;
}
