/* wisp's C API against the standard wasm.h (and wisp.h), group by group: vectors,
 * types, modules, host functions, calls and traps, globals, tables, memories, externs,
 * instances, host info and finalizers, references, wisp's additions. Run by
 * c-api/tests/c_tests.rs with calls.wasm (from calls.wat) in its working directory. */

#include "check.h"

static int finalized = 0;
static void count_finalizer(void* p) { finalized += (int)(intptr_t)p; }

/* --- vectors and types ------------------------------------------------------------ */

static void test_vectors_and_types(void) {
  wasm_byte_vec_t bytes, copy;
  wasm_byte_vec_new(&bytes, 3, "abc");
  wasm_byte_vec_copy(&copy, &bytes);
  CHECK(copy.size == 3 && memcmp(copy.data, "abc", 3) == 0 && copy.data != bytes.data);
  wasm_byte_vec_delete(&bytes);
  wasm_byte_vec_delete(&copy);

  wasm_byte_vec_t empty;
  wasm_byte_vec_new_empty(&empty);
  CHECK(empty.size == 0);
  wasm_byte_vec_delete(&empty);

  wasm_valtype_vec_t unset;
  wasm_valtype_vec_new_uninitialized(&unset, 4);
  CHECK(unset.size == 4);
  wasm_valtype_vec_delete(&unset);

  wasm_functype_t* ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_f64(),
                                              wasm_valtype_new_externref());
  const wasm_valtype_vec_t* params = wasm_functype_params(ft);
  CHECK(params->size == 2);
  CHECK(wasm_valtype_kind(params->data[0]) == WASM_I32);
  CHECK(wasm_valtype_kind(params->data[1]) == WASM_F64);
  CHECK(wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_EXTERNREF);
  wasm_functype_t* ft2 = wasm_functype_copy(ft);
  CHECK(wasm_functype_params(ft2)->size == 2 && wasm_functype_params(ft2)->data[0] != params->data[0]);
  wasm_externtype_t* et = wasm_functype_as_externtype(ft2);
  CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
  CHECK(wasm_externtype_as_functype(et) == ft2);
  CHECK(wasm_externtype_as_globaltype(et) == NULL);
  wasm_functype_delete(ft2);

  wasm_functype_vec_t types;
  wasm_functype_t* list[1] = {wasm_functype_copy(ft)}; /* the vector owns it */
  wasm_functype_vec_new(&types, 1, list);
  wasm_functype_vec_t types2;
  wasm_functype_vec_copy(&types2, &types);
  CHECK(types2.size == 1 && wasm_functype_params(types2.data[0])->size == 2);
  wasm_functype_vec_delete(&types);
  wasm_functype_vec_delete(&types2);

  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
  CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
  wasm_globaltype_delete(gt);

  wasm_limits_t limits = {1, wasm_limits_max_default};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  CHECK(wasm_tabletype_limits(tt)->min == 1);
  CHECK(wasm_tabletype_limits(tt)->max == wasm_limits_max_default);
  wasm_tabletype_delete(tt);
  /* A number is no table element. */
  CHECK(wasm_tabletype_new(wasm_valtype_new_i32(), &limits) == NULL);

  wasm_limits_t mem_limits = {2, 5};
  wasm_memorytype_t* mt = wasm_memorytype_new(&mem_limits);
  CHECK(wasm_memorytype_limits(mt)->min == 2 && wasm_memorytype_limits(mt)->max == 5);
  wasm_memorytype_delete(mt);

  wasm_tagtype_t* tag = wasm_tagtype_new(wasm_functype_new_1_0(wasm_valtype_new_i32()));
  CHECK(wasm_functype_params(wasm_tagtype_functype(tag))->size == 1);
  CHECK(wasm_externtype_kind(wasm_tagtype_as_externtype(tag)) == WASM_EXTERN_TAG);
  wasm_tagtype_delete(tag);

  wasm_name_t module, name;
  wasm_name_new_from_string(&module, "env");
  wasm_name_new_from_string(&name, "f");
  /* The import type takes `ft`. */
  wasm_importtype_t* it = wasm_importtype_new(&module, &name, wasm_functype_as_externtype(ft));
  CHECK(wasm_importtype_module(it)->size == 3);
  CHECK(wasm_externtype_kind(wasm_importtype_type(it)) == WASM_EXTERN_FUNC);
  wasm_importtype_t* it2 = wasm_importtype_copy(it);
  CHECK(memcmp(wasm_importtype_name(it2)->data, "f", 1) == 0);
  wasm_importtype_delete(it);
  wasm_importtype_delete(it2);

  CHECK(wasm_valtype_new(77) == NULL);
  /* Null is answered, not dereferenced. */
  CHECK(wasm_functype_params(NULL)->size == 0);
  wasm_valtype_delete(NULL);
  wasm_functype_delete(NULL);
}

/* --- host functions ------------------------------------------------------------------ */

static int add_calls = 0;

static wasm_trap_t* host_add(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  add_calls += (int)(intptr_t)env;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static wasm_store_t* fail_store;

static wasm_trap_t* host_fail(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "the host says no");
  wasm_trap_t* trap = wasm_trap_new(fail_store, &message);
  wasm_name_delete(&message);
  return trap;
}

static wasm_func_t* get_func(wasm_extern_vec_t* exports, size_t i) {
  wasm_func_t* f = wasm_extern_as_func(exports->data[i]);
  CHECK(f != NULL);
  return f;
}

static void test_instance(wasm_engine_t* engine) {
  finalized = 0;
  add_calls = 0;
  wasm_store_t* store = wasm_store_new(engine);
  fail_store = store;
  wasm_byte_vec_t binary;
  read_file("calls.wasm", &binary);
  CHECK(wasm_module_validate(store, &binary));
  wasm_module_t* module = wasm_module_new(store, &binary);
  CHECK(module != NULL);

  /* Import and export types. */
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  CHECK(imports.size == 2);
  CHECK(memcmp(wasm_importtype_module(imports.data[0])->data, "host", 4) == 0);
  const wasm_functype_t* add_type =
      wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
  CHECK(wasm_functype_params(add_type)->size == 2);
  wasm_exporttype_vec_t exports_types;
  wasm_module_exports(module, &exports_types);
  CHECK(exports_types.size == 12);
  CHECK(wasm_externtype_kind(wasm_exporttype_type(exports_types.data[0])) == WASM_EXTERN_MEMORY);
  wasm_exporttype_vec_delete(&exports_types);

  /* Host functions: with an environment and a finalizer, and without. */
  wasm_functype_t* add_ft = wasm_functype_copy(add_type);
  wasm_func_t* add = wasm_func_new_with_env(store, add_ft, host_add, (void*)(intptr_t)1,
                                            count_finalizer);
  wasm_functype_t* fail_ft = wasm_functype_new_0_0();
  wasm_func_t* fail = wasm_func_new(store, fail_ft, host_fail);
  CHECK(wasm_func_param_arity(add) == 2 && wasm_func_result_arity(add) == 1);
  wasm_functype_delete(add_ft);
  wasm_functype_delete(fail_ft);
  wasm_importtype_vec_delete(&imports);

  /* A wrong import list is refused with a trap saying why. */
  wasm_extern_t* too_few[1] = {wasm_func_as_extern(add)};
  wasm_extern_vec_t short_imports = WASM_ARRAY_VEC(too_few);
  wasm_trap_t* link_trap = NULL;
  CHECK(wasm_instance_new(store, module, &short_imports, &link_trap) == NULL);
  CHECK(link_trap != NULL);
  wasm_trap_delete(link_trap);

  wasm_extern_t* externs[2] = {wasm_func_as_extern(add), wasm_func_as_extern(fail)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(externs);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &import_vec, &trap);
  CHECK(instance != NULL && trap == NULL);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 12);

  /* Calls. */
  wasm_val_t args[2] = {WASM_I64_VAL(21)};
  wasm_val_t results[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {1, args};
  wasm_val_vec_t result_vec = {1, results};
  wasm_func_t* dbl = get_func(&exports, 4);
  CHECK(wasm_func_call(dbl, &arg_vec, &result_vec) == NULL);
  CHECK(results[0].kind == WASM_I64 && results[0].of.i64 == 42);

  wasm_val_t add_args[2] = {WASM_I32_VAL(40), WASM_I32_VAL(2)};
  arg_vec = (wasm_val_vec_t){2, add_args};
  CHECK(wasm_func_call(get_func(&exports, 5), &arg_vec, &result_vec) == NULL);
  CHECK(results[0].kind == WASM_I32 && results[0].of.i32 == 42 && add_calls == 1);

  /* Two results, of two float types. */
  wasm_val_t swap_args[2] = {WASM_F32_VAL(1.5f), WASM_F64_VAL(2.5)};
  arg_vec = (wasm_val_vec_t){2, swap_args};
  result_vec = (wasm_val_vec_t){2, results};
  CHECK(wasm_func_call(get_func(&exports, 11), &arg_vec, &result_vec) == NULL);
  CHECK(results[0].kind == WASM_F64 && results[0].of.f64 == 2.5);
  CHECK(results[1].kind == WASM_F32 && results[1].of.f32 == 1.5f);
  result_vec = (wasm_val_vec_t){1, results};

  /* A wrong argument count or type is a trap, not a crash. */
  arg_vec = (wasm_val_vec_t){1, add_args};
  trap = wasm_func_call(get_func(&exports, 5), &arg_vec, &result_vec);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  arg_vec = (wasm_val_vec_t){1, add_args}; /* an i32 where an i64 goes */
  trap = wasm_func_call(dbl, &arg_vec, &result_vec);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);

  /* A host function's trap reaches the caller with its message. */
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(get_func(&exports, 6), &none, &none);
  CHECK(trap != NULL);
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  CHECK(message_has(&message, "the host says no"));
  wasm_byte_vec_delete(&message);
  wisp_trap_code_t code = 0;
  CHECK(!wisp_trap_code(trap, &code));
  wasm_trap_delete(trap);

  /* wasm's own trap: its code, message and frames. */
  wasm_val_t div_args[2] = {WASM_I32_VAL(1), WASM_I32_VAL(0)};
  arg_vec = (wasm_val_vec_t){2, div_args};
  trap = wasm_func_call(get_func(&exports, 7), &arg_vec, &result_vec);
  CHECK(trap != NULL);
  CHECK(wisp_trap_code(trap, &code) && code == WISP_TRAP_INTEGER_DIVISION_BY_ZERO);
  wasm_trap_message(trap, &message);
  CHECK(message_has(&message, "divide by zero"));
  wasm_byte_vec_delete(&message);
  wasm_frame_t* origin = wasm_trap_origin(trap);
  CHECK(origin != NULL && wasm_frame_func_index(origin) == 5);
  wasm_frame_delete(origin);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 1);
  wasm_frame_vec_delete(&trace);
  wasm_trap_t* trap2 = wasm_trap_copy(trap);
  CHECK(wasm_trap_same(trap, trap2));
  wasm_trap_delete(trap2);
  wasm_trap_delete(trap);

  /* Memory. */
  wasm_memory_t* memory = wasm_extern_as_memory(exports.data[0]);
  CHECK(memory != NULL && wasm_memory_size(memory) == 1);
  CHECK(wasm_memory_data_size(memory) == MEMORY_PAGE_SIZE);
  CHECK(memcmp(wasm_memory_data(memory) + 16, "wisp", 4) == 0);
  wasm_memory_data(memory)[100] = 99;
  wasm_val_t load_arg[1] = {WASM_I32_VAL(100)};
  arg_vec = (wasm_val_vec_t){1, load_arg};
  CHECK(wasm_func_call(get_func(&exports, 8), &arg_vec, &result_vec) == NULL);
  CHECK(results[0].of.i32 == 99);
  CHECK(wasm_memory_grow(memory, 3));
  CHECK(wasm_memory_size(memory) == 4);
  CHECK(!wasm_memory_grow(memory, 1)); /* past the declared maximum */
  load_arg[0].of.i32 = 4 * 65536;
  trap = wasm_func_call(get_func(&exports, 8), &arg_vec, &result_vec);
  CHECK(trap != NULL && wisp_trap_code(trap, &code) && code == WISP_TRAP_MEMORY_OUT_OF_BOUNDS);
  wasm_trap_delete(trap);

  /* Globals. */
  wasm_global_t* counter = wasm_extern_as_global(exports.data[1]);
  wasm_val_t value;
  wasm_global_get(counter, &value);
  CHECK(value.kind == WASM_I32 && value.of.i32 == 7);
  wasm_val_t eight = WASM_I32_VAL(8);
  wasm_global_set(counter, &eight);
  wasm_global_get(counter, &value);
  CHECK(value.of.i32 == 8);
  wasm_global_t* pi = wasm_extern_as_global(exports.data[2]);
  wasm_val_t four = WASM_F64_VAL(4.0);
  wasm_global_set(pi, &four); /* constant: refused */
  wasm_global_get(pi, &value);
  CHECK(value.kind == WASM_F64 && value.of.f64 == 3.25);
  wasm_name_t error;
  CHECK(wisp_error_message(&error) && error.size > 1);
  wasm_byte_vec_delete(&error);
  wasm_globaltype_t* pi_type = wasm_global_type(pi);
  CHECK(wasm_globaltype_mutability(pi_type) == WASM_CONST);
  wasm_globaltype_delete(pi_type);

  /* Tables: the element is the exported function itself. */
  wasm_table_t* table = wasm_extern_as_table(exports.data[3]);
  CHECK(wasm_table_size(table) == 2);
  wasm_ref_t* elem = wasm_table_get(table, 0);
  CHECK(elem != NULL && wasm_ref_as_func(elem) != NULL);
  CHECK(wasm_func_same(wasm_ref_as_func(elem), dbl));
  CHECK(wasm_table_get(table, 1) == NULL);
  CHECK(wasm_table_get(table, 99) == NULL);
  CHECK(wasm_table_set(table, 1, elem));
  CHECK(!wasm_table_set(table, 2, elem));
  CHECK(wasm_table_grow(table, 3, elem));
  CHECK(wasm_table_size(table) == 5);
  wasm_ref_t* grown = wasm_table_get(table, 4);
  CHECK(grown != NULL && wasm_ref_same(grown, elem));
  wasm_ref_delete(grown);
  CHECK(!wasm_table_grow(table, 100, NULL));
  wasm_ref_delete(elem);

  /* A foreign object through wasm as an externref comes back as itself, host info and
   * all. */
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(foreign, (void*)(intptr_t)100, count_finalizer);
  wasm_val_t echo_arg[1] = {WASM_REF_VAL(wasm_foreign_as_ref(foreign))};
  arg_vec = (wasm_val_vec_t){1, echo_arg};
  CHECK(wasm_func_call(get_func(&exports, 9), &arg_vec, &result_vec) == NULL);
  CHECK(results[0].kind == WASM_EXTERNREF && results[0].of.ref != NULL);
  wasm_foreign_t* back = wasm_ref_as_foreign(results[0].of.ref);
  CHECK(back != NULL && wasm_foreign_same(back, foreign));
  CHECK(wasm_foreign_get_host_info(back) == (void*)(intptr_t)100);
  wasm_val_delete(&results[0]);
  wasm_foreign_delete(foreign);

  /* Host info on a store object is the object's, whichever handle set it. */
  wasm_func_t* dbl2 = wasm_func_copy(dbl);
  wasm_func_set_host_info_with_finalizer(dbl2, (void*)(intptr_t)10, count_finalizer);
  CHECK(wasm_func_get_host_info(dbl) == (void*)(intptr_t)10);
  wasm_func_set_host_info(dbl, (void*)(intptr_t)3); /* replaced: the finalizer runs */
  CHECK(finalized == 10);
  wasm_func_set_host_info_with_finalizer(dbl, (void*)(intptr_t)1000, count_finalizer);
  wasm_func_delete(dbl2);
  CHECK(finalized == 10);

  /* Views: a reference, an extern, a function are one object. */
  wasm_ref_t* as_ref = wasm_func_as_ref(dbl);
  CHECK(wasm_ref_as_func(as_ref) == dbl && wasm_ref_as_global(as_ref) == NULL);
  CHECK(wasm_extern_kind(exports.data[3]) == WASM_EXTERN_TABLE);
  wasm_externtype_t* ext_type = wasm_extern_type(exports.data[0]);
  CHECK(wasm_memorytype_limits(wasm_externtype_as_memorytype(ext_type))->max == 4);
  wasm_externtype_delete(ext_type);

  /* Serialize, deserialize, share. */
  wasm_byte_vec_t blob;
  wasm_module_serialize(module, &blob);
  wasm_module_t* again = wasm_module_deserialize(store, &blob);
  CHECK(again != NULL);
  wasm_module_delete(again);
  blob.data[blob.size - 3] ^= 1;
  CHECK(wasm_module_deserialize(store, &blob) == NULL);
  CHECK(wisp_error_message(&error) && message_has(&error, "checksum"));
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&blob);
  wasm_shared_module_t* shared = wasm_module_share(module);
  wasm_store_t* other = wasm_store_new(engine);
  wasm_module_t* obtained = wasm_module_obtain(other, shared);
  CHECK(obtained != NULL && wasm_module_same(obtained, module));
  wasm_module_delete(obtained);
  wasm_store_delete(other);
  wasm_shared_module_delete(shared);

  /* Malformed modules are refused with a message. */
  wasm_byte_vec_t junk;
  wasm_byte_vec_new(&junk, 4, "\0asX");
  CHECK(!wasm_module_validate(store, &junk));
  CHECK(wasm_module_new(store, &junk) == NULL);
  CHECK(wisp_error_message(&error));
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&junk);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&binary);
  wasm_func_delete(add);
  wasm_func_delete(fail);
  CHECK(finalized == 10);
  wasm_store_delete(store);
  /* The store ran the rest once each: the function's (1000), the foreign's (100) and the
   * host function's environment (1). */
  CHECK(finalized == 1111);
}

/* --- objects made by the host ---------------------------------------------------------- */

static void test_host_objects(wasm_engine_t* engine) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_limits_t limits = {1, 2};
  wasm_memorytype_t* mt = wasm_memorytype_new(&limits);
  wasm_memory_t* memory = wasm_memory_new(store, mt);
  CHECK(memory != NULL && wasm_memory_size(memory) == 1);
  wasm_memorytype_delete(mt);
  wasm_memory_delete(memory);

  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  wasm_val_t init = WASM_F32_VAL(0.5f);
  wasm_global_t* global = wasm_global_new(store, gt, &init);
  wasm_val_t wrong = WASM_I32_VAL(1);
  CHECK(wasm_global_new(store, gt, &wrong) == NULL);
  wasm_val_t out;
  wasm_global_get(global, &out);
  CHECK(out.kind == WASM_F32 && out.of.f32 == 0.5f);
  wasm_globaltype_delete(gt);
  wasm_global_delete(global);

  wasm_limits_t tlimits = {3, wasm_limits_max_default};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_externref(), &tlimits);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_table_t* table = wasm_table_new(store, tt, wasm_foreign_as_ref(foreign));
  CHECK(table != NULL && wasm_table_size(table) == 3);
  wasm_ref_t* r = wasm_table_get(table, 2);
  CHECK(r != NULL && wasm_ref_same(r, wasm_foreign_as_ref(foreign)));
  wasm_ref_delete(r);
  wasm_tabletype_delete(tt);
  wasm_table_delete(table);
  wasm_foreign_delete(foreign);
  wasm_store_delete(store);
}

/* --- wisp.h: fuel and interruption ----------------------------------------------------- */

static void test_fuel_and_interrupt(wasm_byte_vec_t* binary) {
  wasm_config_t* config = wasm_config_new();
  wisp_config_consume_fuel(config, true);
  wisp_config_interruptible(config, true);
  CHECK(wisp_config_tier(config, WISP_TIER_INTERP));
  CHECK(!wisp_config_tier(config, 9));
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  CHECK(wisp_store_set_fuel(store, 1000));
  uint64_t fuel = 0;
  CHECK(wisp_store_get_fuel(store, &fuel) && fuel == 1000);

  wasm_module_t* module = wasm_module_new(store, binary);
  wasm_functype_t* add_ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                 wasm_valtype_new_i32());
  wasm_func_t* add = wasm_func_new_with_env(store, add_ft, host_add, NULL, NULL);
  wasm_functype_t* fail_ft = wasm_functype_new_0_0();
  wasm_func_t* fail = wasm_func_new(store, fail_ft, host_fail);
  wasm_extern_t* externs[2] = {wasm_func_as_extern(add), wasm_func_as_extern(fail)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(get_func(&exports, 10), &none, &none);
  wisp_trap_code_t code = 0;
  CHECK(trap != NULL && wisp_trap_code(trap, &code) && code == WISP_TRAP_OUT_OF_FUEL);
  wasm_trap_delete(trap);

  /* An interrupt asked for before the call stops it at its first check. */
  CHECK(wisp_store_set_fuel(store, UINT64_MAX / 2));
  wisp_interrupt_handle_t* handle = wisp_interrupt_handle_new(store);
  wisp_interrupt_handle_interrupt(handle);
  trap = wasm_func_call(get_func(&exports, 10), &none, &none);
  CHECK(trap != NULL && wisp_trap_code(trap, &code) && code == WISP_TRAP_INTERRUPTED);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(add);
  wasm_func_delete(fail);
  wasm_functype_delete(add_ft);
  wasm_functype_delete(fail_ft);
  wasm_module_delete(module);
  wasm_store_delete(store);
  /* The handle outlives the store harmlessly. */
  wisp_interrupt_handle_interrupt(handle);
  wisp_interrupt_handle_delete(handle);
  wasm_engine_delete(engine);
}

int main(void) {
  test_vectors_and_types();
  /* The default engine, then each tier by name (a JIT tier this build lacks is refused). */
  wasm_engine_t* engine = wasm_engine_new();
  test_instance(engine);
  test_host_objects(engine);
  for (wisp_tier_t tier = WISP_TIER_INTERP; tier <= WISP_TIER_TIERED; tier++) {
    wasm_config_t* config = wasm_config_new();
    CHECK(wisp_config_tier(config, tier));
    wasm_engine_t* on_tier = wasm_engine_new_with_config(config);
    if (!on_tier) {
      wasm_name_t why;
      CHECK(tier != WISP_TIER_INTERP && wisp_error_message(&why));
      printf("tier %d not in this build: %s\n", tier, why.data);
      wasm_name_delete(&why);
      continue;
    }
    test_instance(on_tier);
    test_host_objects(on_tier);
    wasm_engine_delete(on_tier);
  }
  wasm_byte_vec_t binary;
  read_file("calls.wasm", &binary);
  test_fuel_and_interrupt(&binary);
  wasm_byte_vec_delete(&binary);
  wasm_engine_delete(engine);
  CHECK(wisp_version()[0] != '\0');
  return finish("api");
}
