/* wasi.h: a WASI program run with its arguments, standard input from bytes, standard
 * output to a file, a preopened directory, and a host import of its own beside the WASI
 * ones; its proc_exit status read from the trap. */

#include "check.h"
#include "wasi.h"

static int noted = -1;

static wasm_trap_t* note(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  noted = args->data[0].of.i32;
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  read_file("wasi_guest.wasm", &binary);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  CHECK(module != NULL);

  wasi_config_t* wasi = wasi_config_new();
  const char* argv[] = {"guest", "one", "two"};
  CHECK(wasi_config_set_argv(wasi, 3, argv));
  const char* names[] = {"GREETING"};
  const char* values[] = {"hi"};
  CHECK(wasi_config_set_env(wasi, 1, names, values));
  const char* bad_names[] = {"A=B"};
  CHECK(!wasi_config_set_env(wasi, 1, bad_names, values));
  wasm_byte_vec_t input;
  wasm_byte_vec_new(&input, 6, "input\n");
  wasi_config_set_stdin_bytes(wasi, &input);
  CHECK(wasi_config_set_stdout_file(wasi, "stdout.txt"));
  CHECK(!wasi_config_preopen_dir(wasi, "/no/such/directory", "/data"));
  CHECK(wasi_config_preopen_dir_read_only(wasi, ".", "/"));
  CHECK(wisp_store_set_wasi(store, wasi));

  wasm_extern_vec_t imports;
  wisp_wasi_imports(store, module, &imports);
  CHECK(imports.size == 6);
  CHECK(imports.data[0] != NULL && imports.data[4] == NULL && imports.data[5] != NULL);
  wasm_functype_t* note_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t* note_func = wasm_func_new(store, note_type, note);
  wasm_functype_delete(note_type);
  imports.data[4] = wasm_func_as_extern(note_func); /* the vector now owns it */

  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  CHECK(instance != NULL && trap == NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &none, &none);
  int status = 0;
  CHECK(trap != NULL && wisp_trap_exit_status(trap, &status) && status == 43);
  CHECK(noted == 0); /* descriptor 3 is the preopen */
  wasm_trap_delete(trap);

  /* Not an exit: a trap of wasm's own. */
  wasm_val_t args[1] = {WASM_I32_VAL(0)};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  trap = wasm_func_call(wasm_extern_as_func(imports.data[5]), &arg_vec, &none);
  CHECK(trap != NULL && wisp_trap_exit_status(trap, &status) && status == 0);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_extern_vec_delete(&imports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  FILE* out = fopen("stdout.txt", "rb");
  char text[64] = {0};
  CHECK(out != NULL);
  if (out) {
    size_t n = fread(text, 1, sizeof text - 1, out);
    (void)n;
    fclose(out);
  }
  CHECK(strcmp(text, "hello from wasi\ninput\n") == 0);
  return finish("wasi");
}
