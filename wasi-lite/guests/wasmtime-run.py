#!/usr/bin/env python3
"""The reference runtime for comparisons: wasmtime, through its Python package
(`pip install wasmtime`, which ships the wasmtime library), driven with the options of
`wisp run`:

    wasmtime-run.py [--dir HOST[::GUEST]] [--dir-ro HOST[::GUEST]] [--env K=V] FILE [ARGS...]

argv[0] is FILE as given; the environment is only the --env values; stdio is inherited.
Exits with the guest's proc_exit code, or 134 after a trap (printed as `error: ...`).
"""
import os
import sys

from wasmtime import Engine, ExitTrap, Linker, Module, Store, Trap, WasiConfig, WasmtimeError


def main():
    argv = sys.argv[1:]
    dirs, envs = [], []
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if not argv:
            sys.exit(f"wasmtime-run: {opt} needs a value")
        val = argv.pop(0)
        if opt in ("--dir", "--dir-ro"):
            host, _, guest = val.partition("::")
            dirs.append((host, guest or host, opt == "--dir"))
        elif opt == "--env":
            k, _, v = val.partition("=")
            envs.append((k, v))
        else:
            sys.exit(f"wasmtime-run: unknown option {opt}")
    if not argv:
        sys.exit(__doc__)
    file, args = argv[0], argv[1:]
    engine = Engine()
    module = Module.from_file(engine, file)
    linker = Linker(engine)
    linker.define_wasi()
    cfg = WasiConfig()
    cfg.argv = [file] + args
    cfg.env = envs
    cfg.inherit_stdin()
    cfg.inherit_stdout()
    cfg.inherit_stderr()
    for host, guest, writable in dirs:
        cfg.preopen_dir(host, guest, writable)
    store = Store(engine)
    store.set_wasi(cfg)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
        code = 0
    except ExitTrap as e:
        code = e.code
    except (Trap, WasmtimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        code = 134
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
