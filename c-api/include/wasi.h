/*
 * wasi.h: WASI preview 1 (wasi_snapshot_preview1) for C hosts of wisp.
 *
 * A wasi_config_t collects what a program sees: its arguments, environment, standard
 * streams and preopened directories. wisp_store_set_wasi gives a store that context;
 * wisp_wasi_imports then resolves a module's WASI imports against it:
 *
 *   wasi_config_t* wasi = wasi_config_new();
 *   wasi_config_inherit_argv(wasi);
 *   wasi_config_inherit_stdout(wasi);
 *   wisp_store_set_wasi(store, wasi);                 (takes the config)
 *   wasm_extern_vec_t imports;
 *   wisp_wasi_imports(store, module, &imports);       (non-WASI imports are null: fill them)
 *   wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
 *   ... call "_start"; a trap with wisp_trap_exit_status(trap, &status) is proc_exit.
 *   wasm_extern_vec_delete(&imports);
 *
 * A context not set up otherwise has no arguments, no environment, no preopened
 * directory, standard input at its end, and output thrown away.
 */

#ifndef WASI_H
#define WASI_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define own

typedef struct wasi_config_t wasi_config_t;

WASM_API_EXTERN own wasi_config_t* wasi_config_new(void);
WASM_API_EXTERN void wasi_config_delete(own wasi_config_t*);

/* The program's arguments (argv[0] is conventionally its name), replacing any set before.
 * False (nothing changed) when one holds a byte WASI cannot carry. */
WASM_API_EXTERN bool wasi_config_set_argv(wasi_config_t*, size_t argc, const char* const argv[]);
/* The host process's own arguments (Linux: /proc/self/cmdline; elsewhere none). */
WASM_API_EXTERN void wasi_config_inherit_argv(wasi_config_t*);

/* Environment variables `names[i]=values[i]`, added to any set before. False (nothing
 * added) for a name that is empty or holds '='. */
WASM_API_EXTERN bool wasi_config_set_env(wasi_config_t*, size_t count,
                                         const char* const names[], const char* const values[]);
/* Every variable of the host process. */
WASM_API_EXTERN void wasi_config_inherit_env(wasi_config_t*);

/* Standard input: a file's contents (read now: false if it cannot be), given bytes
 * (the vector is taken), or the host process's. */
WASM_API_EXTERN bool wasi_config_set_stdin_file(wasi_config_t*, const char* path);
WASM_API_EXTERN void wasi_config_set_stdin_bytes(wasi_config_t*, own wasm_byte_vec_t* bytes);
WASM_API_EXTERN void wasi_config_inherit_stdin(wasi_config_t*);

/* Standard output and error: a file (created or truncated now: false if it cannot be),
 * or the host process's. */
WASM_API_EXTERN bool wasi_config_set_stdout_file(wasi_config_t*, const char* path);
WASM_API_EXTERN void wasi_config_inherit_stdout(wasi_config_t*);
WASM_API_EXTERN bool wasi_config_set_stderr_file(wasi_config_t*, const char* path);
WASM_API_EXTERN void wasi_config_inherit_stderr(wasi_config_t*);

/* Offers host directory `host_path` to the program as `guest_path` ("/", ".", "/data").
 * The program reaches nothing outside it (no "..", no symlink out). The directory is
 * opened now: false if it cannot be. The read-only form refuses every change beneath it. */
WASM_API_EXTERN bool wasi_config_preopen_dir(wasi_config_t*, const char* host_path,
                                             const char* guest_path);
WASM_API_EXTERN bool wasi_config_preopen_dir_read_only(wasi_config_t*, const char* host_path,
                                                       const char* guest_path);

/* Gives `store` the context `config` describes (taking the config), replacing the one it
 * had. False, with an error message, when the context cannot be built. */
WASM_API_EXTERN bool wisp_store_set_wasi(wasm_store_t* store, own wasi_config_t* config);

/* The externs for `module`'s imports, in its import order: each wasi_snapshot_preview1
 * function is the store's WASI function of that name, every other import null (for the
 * caller to fill before wasm_instance_new). */
WASM_API_EXTERN void wisp_wasi_imports(wasm_store_t* store, const wasm_module_t* module,
                                       own wasm_extern_vec_t* out);

/* Whether `trap` is the program's exit through proc_exit, and its status into *status. */
WASM_API_EXTERN bool wisp_trap_exit_status(const wasm_trap_t* trap, int* status);

#undef own

#ifdef __cplusplus
}
#endif

#endif /* WASI_H */
