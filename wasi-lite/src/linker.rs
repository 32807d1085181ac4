//! `add_to_linker`: defines all 46 `wasi_snapshot_preview1` functions in a `Linker<T>`.
//!
//! Each host function finds the calling instance's `memory` export, takes the guest
//! memory and the store data together (`Memory::data_and_store_mut`), and runs the
//! function body from `api/`. A body's errno becomes the i32 result; nothing traps but
//! `proc_exit`, and a blocking call cut short by an interrupt (`blocking.rs`).

use wisp_core::{Caller, Extern, Linker, Trap, TrapCode};

use crate::api;
use crate::ctx::{Access, I32Exit, WasiCtx, WasiView};
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;

/// The import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Runs `body` with the context and the caller's memory. A caller without a `memory`
/// export gets an empty memory, so a function that needs one answers `EFAULT` and one
/// that does not (`fd_close`, `sched_yield`) works. A blocking call that gave up because
/// an interrupt was asked for (`blocking.rs`) ends the guest with the `Interrupted` trap,
/// as an interrupt of running wasm does; every other outcome is an errno.
fn with_ctx<T: WasiView>(
    caller: &mut Caller<'_, T>,
    body: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> WasiResult,
) -> Result<i32, Trap> {
    with_access(caller, |access, mem| access.with(|ctx| body(ctx, mem)))
}

/// As `with_ctx`, for a body that takes its own steps on the context (`ctx::Access`).
fn with_access<T: WasiView>(
    caller: &mut Caller<'_, T>,
    body: impl FnOnce(&mut Access<'_>, &mut GuestMemory<'_>) -> WasiResult,
) -> Result<i32, Trap> {
    let store_interrupt = caller.interrupt_handle();
    let memory = caller.get_export("memory").and_then(Extern::into_memory);
    let run = |ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>| {
        let mut access = Access::new(ctx, store_interrupt);
        let result = body(&mut access, mem);
        let interrupted = result == Err(Errno::Intr)
            && access.with(|ctx| {
                let pending = ctx.interrupt.pending();
                if pending {
                    // Consumed, as a trap in running wasm consumes it.
                    if let Some(h) = &ctx.interrupt.store {
                        h.take();
                    }
                }
                pending
            });
        (result, interrupted)
    };
    let (result, interrupted) = match memory {
        Some(memory) => match memory.data_and_store_mut(caller) {
            Ok((bytes, data)) => run(data.wasi(), &mut GuestMemory::new(bytes)),
            // A memory handle from the caller's own instance always belongs to its store.
            Err(_) => run(caller.data_mut().wasi(), &mut GuestMemory::new(&mut [])),
        },
        None => run(caller.data_mut().wasi(), &mut GuestMemory::new(&mut [])),
    };
    if interrupted {
        return Err(Trap::from(TrapCode::Interrupted));
    }
    Ok(match result {
        Ok(()) => 0,
        Err(errno) => i32::from(errno.raw()),
    })
}

/// Defines one function: `wasi!(linker, name, |ctx, mem, a: i32, ...| body)`, where the
/// body sees its arguments as u32 (i32s) and u64 (i64s), as the witx types are unsigned.
macro_rules! wasi {
    ($linker:ident, $name:literal, |$ctx:ident, $mem:ident $(, $arg:ident : $ty:ident)*| $body:expr) => {
        $linker.func_wrap(
            MODULE,
            $name,
            |mut caller: Caller<'_, T>, $($arg: $ty),*| -> Result<i32, Trap> {
                $(let $arg = wasi!(@unsigned $ty $arg);)*
                with_ctx(&mut caller, |$ctx, $mem| {
                    let _ = (&$ctx, &$mem);
                    $body
                })
            },
        )?;
    };
    (@unsigned i32 $v:ident) => { $v as u32 };
    (@unsigned i64 $v:ident) => { $v as u64 };
}

/// Defines every `wasi_snapshot_preview1` function in `linker`, for stores whose data
/// gives the WASI context through [`WasiView`].
pub fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> wisp_core::Result<()> {
    use api::{args, clock, fd, path, poll, proc, sock};

    wasi!(linker, "args_get", |c, m, argv: i32, buf: i32| {
        args::args_get(c, m, argv, buf)
    });
    wasi!(linker, "args_sizes_get", |c, m, argc: i32, size: i32| {
        args::args_sizes_get(c, m, argc, size)
    });
    wasi!(linker, "environ_get", |c, m, env: i32, buf: i32| {
        args::environ_get(c, m, env, buf)
    });
    wasi!(
        linker,
        "environ_sizes_get",
        |c, m, count: i32, size: i32| args::environ_sizes_get(c, m, count, size)
    );

    wasi!(linker, "clock_res_get", |c, m, id: i32, out: i32| {
        clock::clock_res_get(c, m, id, out)
    });
    wasi!(
        linker,
        "clock_time_get",
        |c, m, id: i32, precision: i64, out: i32| clock::clock_time_get(c, m, id, precision, out)
    );
    wasi!(linker, "random_get", |c, m, buf: i32, len: i32| {
        clock::random_get(c, m, buf, len)
    });

    wasi!(
        linker,
        "fd_advise",
        |c, m, f: i32, offset: i64, len: i64, advice: i32| fd::fd_advise(c, f, offset, len, advice)
    );
    wasi!(
        linker,
        "fd_allocate",
        |c, m, f: i32, offset: i64, len: i64| fd::fd_allocate(c, f, offset, len)
    );
    wasi!(linker, "fd_close", |c, m, f: i32| fd::fd_close(c, f));
    wasi!(linker, "fd_datasync", |c, m, f: i32| fd::fd_datasync(c, f));
    wasi!(linker, "fd_fdstat_get", |c, m, f: i32, out: i32| {
        fd::fd_fdstat_get(c, m, f, out)
    });
    wasi!(linker, "fd_fdstat_set_flags", |c, m, f: i32, flags: i32| {
        fd::fd_fdstat_set_flags(c, f, flags)
    });
    wasi!(
        linker,
        "fd_fdstat_set_rights",
        |c, m, f: i32, base: i64, inheriting: i64| fd::fd_fdstat_set_rights(c, f, base, inheriting)
    );
    wasi!(linker, "fd_filestat_get", |c, m, f: i32, out: i32| {
        fd::fd_filestat_get(c, m, f, out)
    });
    wasi!(linker, "fd_filestat_set_size", |c, m, f: i32, size: i64| {
        fd::fd_filestat_set_size(c, f, size)
    });
    wasi!(
        linker,
        "fd_filestat_set_times",
        |c, m, f: i32, atim: i64, mtim: i64, flags: i32| fd::fd_filestat_set_times(
            c, f, atim, mtim, flags
        )
    );
    wasi!(
        linker,
        "fd_pread",
        |c, m, f: i32, iovs: i32, len: i32, offset: i64, out: i32| fd::fd_pread(
            c, m, f, iovs, len, offset, out
        )
    );
    wasi!(linker, "fd_prestat_get", |c, m, f: i32, out: i32| {
        fd::fd_prestat_get(c, m, f, out)
    });
    wasi!(
        linker,
        "fd_prestat_dir_name",
        |c, m, f: i32, buf: i32, len: i32| fd::fd_prestat_dir_name(c, m, f, buf, len)
    );
    wasi!(
        linker,
        "fd_pwrite",
        |c, m, f: i32, iovs: i32, len: i32, offset: i64, out: i32| fd::fd_pwrite(
            c, m, f, iovs, len, offset, out
        )
    );
    wasi!(linker, "fd_read", |c,
                              m,
                              f: i32,
                              iovs: i32,
                              len: i32,
                              out: i32| {
        fd::fd_read(c, m, f, iovs, len, out)
    });
    wasi!(
        linker,
        "fd_readdir",
        |c, m, f: i32, buf: i32, len: i32, cookie: i64, out: i32| fd::fd_readdir(
            c, m, f, buf, len, cookie, out
        )
    );
    wasi!(linker, "fd_renumber", |c, m, from: i32, to: i32| {
        fd::fd_renumber(c, from, to)
    });
    wasi!(linker, "fd_seek", |c,
                              m,
                              f: i32,
                              offset: i64,
                              whence: i32,
                              out: i32| {
        fd::fd_seek(c, m, f, offset as i64, whence, out)
    });
    wasi!(linker, "fd_sync", |c, m, f: i32| fd::fd_sync(c, f));
    wasi!(linker, "fd_tell", |c, m, f: i32, out: i32| fd::fd_tell(
        c, m, f, out
    ));
    wasi!(
        linker,
        "fd_write",
        |c, m, f: i32, iovs: i32, len: i32, out: i32| fd::fd_write(c, m, f, iovs, len, out)
    );

    wasi!(
        linker,
        "path_create_directory",
        |c, m, f: i32, p: i32, len: i32| path::path_create_directory(c, m, f, p, len)
    );
    wasi!(
        linker,
        "path_filestat_get",
        |c, m, f: i32, flags: i32, p: i32, len: i32, out: i32| path::path_filestat_get(
            c, m, f, flags, p, len, out
        )
    );
    wasi!(
        linker,
        "path_filestat_set_times",
        |c, m, f: i32, flags: i32, p: i32, len: i32, atim: i64, mtim: i64, fst: i32| {
            path::path_filestat_set_times(c, m, f, flags, p, len, atim, mtim, fst)
        }
    );
    wasi!(
        linker,
        "path_link",
        |c,
         m,
         old_fd: i32,
         old_flags: i32,
         old: i32,
         old_len: i32,
         new_fd: i32,
         new: i32,
         new_len: i32| path::path_link(
            c, m, old_fd, old_flags, old, old_len, new_fd, new, new_len
        )
    );
    wasi!(
        linker,
        "path_open",
        |c,
         m,
         f: i32,
         dirflags: i32,
         p: i32,
         len: i32,
         oflags: i32,
         base: i64,
         inheriting: i64,
         fdflags: i32,
         out: i32| path::path_open(
            c, m, f, dirflags, p, len, oflags, base, inheriting, fdflags, out
        )
    );
    wasi!(
        linker,
        "path_readlink",
        |c, m, f: i32, p: i32, len: i32, buf: i32, buf_len: i32, out: i32| path::path_readlink(
            c, m, f, p, len, buf, buf_len, out
        )
    );
    wasi!(
        linker,
        "path_remove_directory",
        |c, m, f: i32, p: i32, len: i32| path::path_remove_directory(c, m, f, p, len)
    );
    wasi!(
        linker,
        "path_rename",
        |c, m, f: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32| {
            path::path_rename(c, m, f, old, old_len, new_fd, new, new_len)
        }
    );
    wasi!(
        linker,
        "path_symlink",
        |c, m, old: i32, old_len: i32, f: i32, new: i32, new_len: i32| path::path_symlink(
            c, m, old, old_len, f, new, new_len
        )
    );
    wasi!(
        linker,
        "path_unlink_file",
        |c, m, f: i32, p: i32, len: i32| path::path_unlink_file(c, m, f, p, len)
    );

    // It waits in steps, so it takes the context step by step (`ctx::Access`).
    linker.func_wrap(
        MODULE,
        "poll_oneoff",
        |mut caller: Caller<'_, T>, input: i32, output: i32, n: i32, out: i32| {
            let [input, output, n, out] = [input, output, n, out].map(|v| v as u32);
            with_access(&mut caller, |access, mem| {
                poll::poll_oneoff(access, mem, input, output, n, out)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_: Caller<'_, T>, code: i32| -> Result<(), Trap> { Err(Trap::host(I32Exit(code))) },
    )?;
    wasi!(linker, "proc_raise", |c, m, signal: i32| proc::proc_raise(
        signal
    ));
    wasi!(linker, "sched_yield", |c, m| proc::sched_yield());

    wasi!(
        linker,
        "sock_accept",
        |c, m, f: i32, _flags: i32, _out: i32| sock::not_a_socket(c, f)
    );
    wasi!(
        linker,
        "sock_recv",
        |c, m, f: i32, _data: i32, _len: i32, _flags: i32, _out: i32, _oflags: i32| {
            sock::not_a_socket(c, f)
        }
    );
    wasi!(
        linker,
        "sock_send",
        |c, m, f: i32, _data: i32, _len: i32, _flags: i32, _out: i32| sock::not_a_socket(c, f)
    );
    wasi!(linker, "sock_shutdown", |c, m, f: i32, _how: i32| {
        sock::not_a_socket(c, f)
    });
    Ok(())
}

/// Every function `add_to_linker` defines, for tests and tools that list them.
pub const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "random_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];
