//! `clock_res_get`, `clock_time_get`, `random_get`.

use crate::abi::ClockId;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMemory;

fn clock_id(raw: u32) -> WasiResult<ClockId> {
    ClockId::from_raw(raw).ok_or(Errno::Inval)
}

pub(crate) fn clock_res_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    out: u32,
) -> WasiResult {
    mem.range(out, 8)?;
    let res = ctx.clocks.resolution(clock_id(id)?)?;
    mem.write_u64(out, res)
}

/// `precision` is a hint the backends have no use for: they always answer with their best.
pub(crate) fn clock_time_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> WasiResult {
    mem.range(out, 8)?;
    let now = ctx.clocks.now(clock_id(id)?)?;
    mem.write_u64(out, now)
}

pub(crate) fn random_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    buf: u32,
    len: u32,
) -> WasiResult {
    let buf = mem.slice_mut(buf, len)?;
    ctx.random.fill(buf)
}
