//! `args_*` and `environ_*`: NUL-terminated strings and an array of pointers to them.

use alloc::vec::Vec;

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::mem::GuestMemory;

/// Writes `list` as C strings into `buf` and their addresses into `ptrs`. Both ranges are
/// checked whole before anything is written.
fn write_strings(mem: &mut GuestMemory<'_>, list: &[Vec<u8>], ptrs: u32, buf: u32) -> WasiResult {
    // By the context's invariant these fit in u32 (`ctx::check_size`).
    let count = list.len() as u32;
    let size = list.iter().map(|s| s.len() as u32 + 1).sum::<u32>();
    let ptr_range = mem.array(ptrs, count, 4)?;
    let buf_range = mem.range(buf, size)?;
    let mut at = buf_range.start;
    for (i, s) in list.iter().enumerate() {
        let slot = ptr_range.start + 4 * i;
        // `at` is inside memory, and a wasm memory is at most 4 GiB: it fits in u32.
        mem.bytes_mut(slot..slot + 4)
            .copy_from_slice(&(at as u32).to_le_bytes());
        let dst = mem.bytes_mut(at..at + s.len() + 1);
        dst[..s.len()].copy_from_slice(s);
        dst[s.len()] = 0;
        at += s.len() + 1;
    }
    Ok(())
}

fn write_sizes(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> WasiResult {
    let size = list.iter().map(|s| s.len() as u32 + 1).sum::<u32>();
    mem.range(count_ptr, 4)?;
    mem.range(size_ptr, 4)?;
    mem.write_u32(count_ptr, list.len() as u32)?;
    mem.write_u32(size_ptr, size)
}

pub(crate) fn args_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    argv: u32,
    argv_buf: u32,
) -> WasiResult {
    write_strings(mem, &ctx.args, argv, argv_buf)
}

pub(crate) fn args_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    argc: u32,
    size: u32,
) -> WasiResult {
    write_sizes(mem, &ctx.args, argc, size)
}

pub(crate) fn environ_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    environ: u32,
    buf: u32,
) -> WasiResult {
    write_strings(mem, &ctx.env, environ, buf)
}

pub(crate) fn environ_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> WasiResult {
    write_sizes(mem, &ctx.env, count, size)
}
