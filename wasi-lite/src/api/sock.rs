//! `sock_*`: wasi-lite hands out no sockets, so every descriptor is either not open
//! (`EBADF`) or not a socket (`ENOTSOCK`), exactly as POSIX answers for those.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};

pub(crate) fn not_a_socket(ctx: &mut WasiCtx, fd: u32) -> WasiResult {
    ctx.fds.get(fd)?;
    Err(Errno::NotSock)
}
