/* wasi: a WASI program with its arguments and the host's standard output. */
#include "example.h"
#include "wasi.h"

/* Prints its argument count as a digit, then exits with status 7. */
static const char* text =
    "(module"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $write (param i32 i32 i32 i32) (result i32)))"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $args (param i32 i32) (result i32)))"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
    "  (memory (export \"memory\") 1)"
    "  (data (i32.const 32) \"arguments: ?\\n\")"
    "  (func (export \"_start\")"
    "    (drop (call $args (i32.const 0) (i32.const 4)))"
    "    (i32.store8 (i32.const 43) (i32.add (i32.const 48) (i32.load (i32.const 0))))"
    "    (i32.store (i32.const 8) (i32.const 32))"
    "    (i32.store (i32.const 12) (i32.const 13))"
    "    (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))"
    "    (call $exit (i32.const 7))))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = module_from_text(store, text);

  wasi_config_t* wasi = wasi_config_new();
  const char* argv[] = {"program", "--flag", "file"};
  wasi_config_set_argv(wasi, 3, argv);
  wasi_config_inherit_stdout(wasi);
  if (!wisp_store_set_wasi(store, wasi)) die("the WASI context");

  wasm_extern_vec_t imports;
  wisp_wasi_imports(store, module, &imports);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) die("instantiating");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &none, &none);
  int status = -1;
  int ok = trap && wisp_trap_exit_status(trap, &status) && status == 7;
  printf("the program exited with status %d\n", status);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_extern_vec_delete(&imports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
