//! `fd_*`: operations on open descriptors.

use crate::abi::{
    fdflags, fstflags, rights, whence, Filestat, Rights, SeekFrom, SetTime, ADVICE_MAX,
};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Entry, Handle};
use crate::host::{File, Stream};
use crate::layout;
use crate::mem::{GuestMemory, IoVec};

/// Reads into `iovs` in order until one comes back short. An error after some bytes is
/// not reported: the bytes are, as `readv` does.
fn read_file(
    file: &mut dyn File,
    mem: &mut GuestMemory<'_>,
    iovs: &[IoVec],
    offset: Option<u64>,
) -> WasiResult<usize> {
    let mut total = 0usize;
    for iov in iovs.iter().filter(|v| v.len() > 0) {
        let buf = mem.iovec_mut(*iov);
        let want = buf.len();
        let result = match offset {
            Some(at) => file.read_at(buf, at.saturating_add(total as u64)),
            None => file.read(buf),
        };
        match result {
            Ok(n) => {
                total += n;
                if n < want {
                    break;
                }
            }
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(total)
}

/// A stream read fills only the first non-empty buffer: a second read could block on an
/// interactive stream although data has arrived, and a short read is always allowed.
fn read_stream(
    stream: &mut dyn Stream,
    mem: &mut GuestMemory<'_>,
    iovs: &[IoVec],
) -> WasiResult<usize> {
    match iovs.iter().find(|v| v.len() > 0) {
        Some(iov) => stream.read(mem.iovec_mut(*iov)),
        None => Ok(0),
    }
}

/// Shortens `bufs` to at most `room` bytes in all.
fn cut(bufs: &mut alloc::vec::Vec<&[u8]>, mut room: usize) {
    let mut keep = 0;
    for b in bufs.iter_mut() {
        if room == 0 {
            break;
        }
        *b = &b[..b.len().min(room)];
        room -= b.len();
        keep += 1;
    }
    bufs.truncate(keep);
}

/// The byte count a read or write returns; a u32 by the iovec total's check.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The file behind `entry`, once it holds `needed`. A directory is `EISDIR` and a stream
/// `stream` (`ESPIPE` for positioned operations): the kind is checked before the rights, so
/// the errno says what is wrong with the descriptor rather than that a right is missing.
fn file(entry: &mut Entry, needed: Rights, stream: Errno) -> WasiResult<&mut dyn File> {
    match entry.handle {
        Handle::File(_) => entry.check(needed)?,
        Handle::Dir(_) => return Err(Errno::IsDir),
        Handle::Stream(_) => return Err(stream),
    }
    match &mut entry.handle {
        Handle::File(f) => Ok(&mut **f),
        // Matched as a file just above.
        _ => Err(Errno::Badf),
    }
}

pub(crate) fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
) -> WasiResult {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    // Checked before reading: data read and then lost to EFAULT would be gone.
    mem.range(nread, 4)?;
    let entry = ctx.fds.get_mut(fd)?;
    if matches!(entry.handle, Handle::Dir(_)) {
        return Err(Errno::IsDir);
    }
    entry.check(rights::FD_READ)?;
    // A read that could wait for another process waits where an interrupt can end it.
    let interrupt = &ctx.interrupt;
    let n = match &mut entry.handle {
        Handle::File(f) => {
            // Always for a FIFO: opened without waiting for a writer (`Dir::open`), a
            // read before one comes would be an end of file rather than a wait.
            if f.blocks() {
                interrupt.wait(|t| f.poll_read(t))?;
            }
            read_file(&mut **f, mem, &iovs, None)?
        }
        Handle::Stream(s) => {
            if interrupt.possible() {
                interrupt.wait(|t| s.poll_read(t))?;
            }
            read_stream(&mut **s, mem, &iovs)?
        }
        Handle::Dir(_) => return Err(Errno::IsDir),
    };
    mem.write_u32(nread, count(n))
}

pub(crate) fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> WasiResult {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.range(nread, 4)?;
    let f = file(
        ctx.fds.get_mut(fd)?,
        rights::FD_READ | rights::FD_SEEK,
        Errno::Spipe,
    )?;
    let n = read_file(f, mem, &iovs, Some(offset))?;
    mem.write_u32(nread, count(n))
}

pub(crate) fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
) -> WasiResult {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.range(nwritten, 4)?;
    let entry = ctx.fds.get_mut(fd)?;
    if matches!(entry.handle, Handle::Dir(_)) {
        return Err(Errno::IsDir);
    }
    entry.check(rights::FD_WRITE)?;
    let mut bufs = mem.gather(&iovs);
    // A write that could wait for another process (a pipe nobody drains) waits where an
    // interrupt can end it, and then writes no more than is sure not to block (a short
    // write, which the guest's libc continues).
    let interrupt = &ctx.interrupt;
    let n = if bufs.is_empty() {
        0
    } else {
        match &mut entry.handle {
            Handle::File(f) => {
                if f.blocks() && interrupt.possible() {
                    let room = interrupt.wait(|t| f.poll_write(t))?;
                    cut(&mut bufs, room);
                }
                f.write(&bufs)?
            }
            Handle::Stream(s) => {
                if interrupt.possible() {
                    let room = interrupt.wait(|t| s.poll_write(t))?;
                    cut(&mut bufs, room);
                }
                s.write(&bufs)?
            }
            Handle::Dir(_) => return Err(Errno::IsDir),
        }
    };
    mem.write_u32(nwritten, count(n))
}

pub(crate) fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> WasiResult {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.range(nwritten, 4)?;
    let f = file(
        ctx.fds.get_mut(fd)?,
        rights::FD_WRITE | rights::FD_SEEK,
        Errno::Spipe,
    )?;
    let mut total = 0usize;
    for buf in mem.gather(&iovs) {
        match f.write_at(buf, offset.saturating_add(total as u64)) {
            Ok(n) => {
                total += n;
                if n < buf.len() {
                    break;
                }
            }
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        }
    }
    mem.write_u32(nwritten, count(total))
}

pub(crate) fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: i64,
    whence: u32,
    newoffset: u32,
) -> WasiResult {
    mem.range(newoffset, 8)?;
    let pos = match u8::try_from(whence).map_err(|_| Errno::Inval)? {
        whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        whence::CUR => SeekFrom::Current(offset),
        whence::END => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    // Asking where one is (`lseek(fd, 0, SEEK_CUR)`, libc's `ftell`) needs only the tell
    // right.
    let needed = if pos == SeekFrom::Current(0) {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    let at = file(ctx.fds.get_mut(fd)?, needed, Errno::Spipe)?.seek(pos)?;
    mem.write_u64(newoffset, at)
}

pub(crate) fn fd_tell(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult {
    mem.range(out, 8)?;
    let f = file(ctx.fds.get_mut(fd)?, rights::FD_TELL, Errno::Spipe)?;
    let at = f.seek(SeekFrom::Current(0))?;
    mem.write_u64(out, at)
}

pub(crate) fn fd_close(ctx: &mut WasiCtx, fd: u32) -> WasiResult {
    // Dropping the handle closes it.
    ctx.fds.remove(fd).map(drop)
}

pub(crate) fn fd_renumber(ctx: &mut WasiCtx, from: u32, to: u32) -> WasiResult {
    ctx.fds.renumber(from, to)
}

pub(crate) fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult {
    mem.range(out, layout::FDSTAT_SIZE)?;
    let e = ctx.fds.get(fd)?;
    mem.write_bytes(
        out,
        &layout::fdstat(e.filetype, e.flags, e.rights, e.inheriting),
    )
}

pub(crate) fn fd_fdstat_set_flags(ctx: &mut WasiCtx, fd: u32, flags: u32) -> WasiResult {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_FDSTAT_SET_FLAGS)?;
    let changed = flags ^ entry.flags;
    // The sync flags are fixed when a file is opened on every OS that has them.
    if changed & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::NotSup);
    }
    if changed & fdflags::APPEND != 0 {
        if let Handle::File(f) = &mut entry.handle {
            f.set_append(flags & fdflags::APPEND != 0)?;
        }
    }
    // NONBLOCK is recorded for fdstat: regular files never block, and a stream's reads
    // are ruled by `poll_oneoff`.
    entry.flags = flags;
    Ok(())
}

pub(crate) fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> WasiResult {
    let entry = ctx.fds.get_mut(fd)?;
    // Rights may only be dropped, never gained.
    if base & !entry.rights != 0 || inheriting & !entry.inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    entry.rights = base;
    entry.inheriting = inheriting;
    Ok(())
}

pub(crate) fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult {
    mem.range(out, layout::FILESTAT_SIZE)?;
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_FILESTAT_GET)?;
    let st = match &mut entry.handle {
        Handle::File(f) => f.stat()?,
        Handle::Dir(d) => d.dir.stat()?,
        Handle::Stream(_) => Filestat {
            filetype: entry.filetype,
            ..Filestat::default()
        },
    };
    mem.write_bytes(out, &layout::filestat(&st))
}

pub(crate) fn fd_filestat_set_size(ctx: &mut WasiCtx, fd: u32, size: u64) -> WasiResult {
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_FILESTAT_SET_SIZE)?;
    if size > i64::MAX as u64 {
        return Err(Errno::Fbig);
    }
    match &mut entry.handle {
        Handle::File(f) => f.set_size(size),
        Handle::Dir(_) => Err(Errno::IsDir),
        Handle::Stream(_) => Err(Errno::Inval),
    }
}

/// Decodes the two timestamps of a `*_set_times` call.
pub(crate) fn set_times_args(atim: u64, mtim: u64, flags: u32) -> WasiResult<(SetTime, SetTime)> {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fstflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    Ok((
        SetTime::from_flags(flags, fstflags::ATIM, fstflags::ATIM_NOW, atim)?,
        SetTime::from_flags(flags, fstflags::MTIM, fstflags::MTIM_NOW, mtim)?,
    ))
}

pub(crate) fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> WasiResult {
    let (atime, mtime) = set_times_args(atim, mtim, flags)?;
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_FILESTAT_SET_TIMES)?;
    match &mut entry.handle {
        Handle::File(f) => f.set_times(atime, mtime),
        Handle::Dir(d) => d.dir.set_times(atime, mtime),
        Handle::Stream(_) => Err(Errno::Inval),
    }
}

pub(crate) fn fd_advise(
    ctx: &mut WasiCtx,
    fd: u32,
    _offset: u64,
    _len: u64,
    advice: u32,
) -> WasiResult {
    if advice > u32::from(ADVICE_MAX) {
        return Err(Errno::Inval);
    }
    file(ctx.fds.get_mut(fd)?, rights::FD_ADVISE, Errno::Spipe)?;
    // Advice is only a hint of the access pattern; ignoring it is always correct.
    Ok(())
}

/// `posix_fallocate` semantics (the file is at least `offset + len` long afterwards),
/// written once over `stat` and `set_size` so every backend has it.
pub(crate) fn fd_allocate(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64) -> WasiResult {
    let f = file(ctx.fds.get_mut(fd)?, rights::FD_ALLOCATE, Errno::Spipe)?;
    if len == 0 {
        return Err(Errno::Inval);
    }
    let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
    if end > i64::MAX as u64 {
        return Err(Errno::Fbig);
    }
    if f.stat()?.size < end {
        f.set_size(end)?;
    }
    Ok(())
}

pub(crate) fn fd_sync(ctx: &mut WasiCtx, fd: u32) -> WasiResult {
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_SYNC)?;
    match &mut entry.handle {
        Handle::File(f) => f.sync(),
        Handle::Dir(d) => d.dir.sync(),
        Handle::Stream(_) => Err(Errno::Inval),
    }
}

pub(crate) fn fd_datasync(ctx: &mut WasiCtx, fd: u32) -> WasiResult {
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::FD_DATASYNC)?;
    match &mut entry.handle {
        Handle::File(f) => f.datasync(),
        Handle::Dir(d) => d.dir.sync(),
        Handle::Stream(_) => Err(Errno::Inval),
    }
}

fn preopen_name(ctx: &WasiCtx, fd: u32) -> WasiResult<&str> {
    match &ctx.fds.get(fd)?.handle {
        Handle::Dir(d) => d.preopen.as_deref().ok_or(Errno::Badf),
        // wasi-libc finds the preopens by calling this from fd 3 up until EBADF.
        _ => Err(Errno::Badf),
    }
}

pub(crate) fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult {
    mem.range(out, layout::PRESTAT_SIZE)?;
    let name = preopen_name(ctx, fd)?;
    let len = u32::try_from(name.len()).map_err(|_| Errno::NameTooLong)?;
    mem.write_bytes(out, &layout::prestat_dir(len))
}

pub(crate) fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    len: u32,
) -> WasiResult {
    let out = mem.range(buf, len)?;
    let name = preopen_name(ctx, fd)?;
    if name.len() > out.len() {
        return Err(Errno::NameTooLong);
    }
    mem.bytes_mut(out.start..out.start + name.len())
        .copy_from_slice(name.as_bytes());
    Ok(())
}

/// Serialises directory entries from index `cookie` on into `buf`: each a 24-byte
/// `dirent` whose `d_next` is the next entry's cookie, then the name. The last one may be
/// cut off at the end of the buffer; `bufused == buf_len` tells the guest there may be
/// more, and it asks again from the last whole entry's `d_next`.
pub(crate) fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> WasiResult {
    let out = mem.range(buf, buf_len)?;
    mem.range(bufused, 4)?;
    let entry = ctx.fds.get_mut(fd)?;
    let Handle::Dir(_) = entry.handle else {
        return Err(Errno::NotDir);
    };
    entry.check(rights::FD_READDIR)?;
    let Handle::Dir(d) = &mut entry.handle else {
        return Err(Errno::NotDir);
    };
    // Cookie 0 starts over and sees the directory as it is now; later cookies index the
    // listing taken then, so they stay meaningful while the directory changes.
    if cookie == 0 || d.listing.is_none() {
        d.listing = Some(d.dir.read_dir()?);
    }
    let listing = d.listing.as_deref().unwrap_or_default();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    let dst = mem.bytes_mut(out.clone());
    let mut used = 0usize;
    for (index, ent) in listing.iter().enumerate().skip(start) {
        if used == dst.len() {
            break;
        }
        let namlen = u32::try_from(ent.name.len()).map_err(|_| Errno::NameTooLong)?;
        let header = layout::dirent(index as u64 + 1, ent.ino, namlen, ent.filetype);
        for part in [&header[..], &ent.name[..]] {
            let n = part.len().min(dst.len() - used);
            dst[used..used + n].copy_from_slice(&part[..n]);
            used += n;
        }
    }
    mem.write_u32(bufused, used as u32)
}
