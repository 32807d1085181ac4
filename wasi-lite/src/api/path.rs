//! `path_*`: operations on paths relative to a directory descriptor. Every one resolves
//! its path through `sandbox::resolve`, which is where the capability rules live; this
//! module adds the rights each operation needs and what it does at the last component.

// The functions take the preview1 arguments as they come: the ABI sets their number.
#![allow(clippy::too_many_arguments)]

use alloc::string::{String, ToString};

use crate::abi::{fdflags, lookupflags, oflags, rights, Filetype, OpenOptions};
use crate::api::fd::set_times_args;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{DirHandle, Entry, Handle};
use crate::host::Opened;
use crate::layout;
use crate::links;
use crate::mem::GuestMemory;
use crate::sandbox::{resolve, Last, Target};

/// The guest's path as an owned string, so guest memory can be written afterwards.
fn path_arg(mem: &GuestMemory<'_>, ptr: u32, len: u32) -> WasiResult<String> {
    mem.str(ptr, len).map(ToString::to_string)
}

fn follows(flags: u32) -> bool {
    flags & lookupflags::SYMLINK_FOLLOW != 0
}

/// The last component as a name, or `dot` for a path naming the directory itself.
fn name<'a>(t: &Target<'a>, dot: Errno) -> WasiResult<&'a str> {
    match t.last {
        Last::Name(n) => Ok(n),
        Last::Dot => Err(dot),
    }
}

pub(crate) fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_CREATE_DIRECTORY)?;
    resolve(dir, &path, false, |t| {
        t.dir.create_dir(name(&t, Errno::Exist)?)
    })
}

pub(crate) fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_REMOVE_DIRECTORY)?;
    // POSIX: a last component of `.` or `..` is EINVAL.
    resolve(dir, &path, false, |t| {
        t.dir.remove_dir(name(&t, Errno::Inval)?)
    })
}

pub(crate) fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_UNLINK_FILE)?;
    resolve(dir, &path, false, |t| {
        let n = name(&t, Errno::IsDir)?;
        if t.dir_required {
            // `unlink("x/")`: a directory is EISDIR, anything else ENOTDIR.
            return Err(match t.dir.stat_at(n)?.filetype {
                Filetype::Directory => Errno::IsDir,
                _ => Errno::NotDir,
            });
        }
        t.dir.unlink(n)
    })
}

pub(crate) fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    out: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    mem.range(out, layout::FILESTAT_SIZE)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_FILESTAT_GET)?;
    let follow = follows(flags);
    let st = resolve(dir, &path, follow, |t| match t.last {
        Last::Dot => t.dir.stat(),
        Last::Name(n) => {
            let st = t.dir.stat_at(n)?;
            if st.filetype == Filetype::SymbolicLink && (follow || t.dir_required) {
                // `resolve` reads the link and stats its target.
                return Err(Errno::Loop);
            }
            if t.dir_required && st.filetype != Filetype::Directory {
                return Err(Errno::NotDir);
            }
            Ok(st)
        }
    })?;
    mem.write_bytes(out, &layout::filestat(&st))
}

pub(crate) fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    let (atime, mtime) = set_times_args(atim, mtim, fst_flags)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_FILESTAT_SET_TIMES)?;
    let follow = follows(flags);
    resolve(dir, &path, follow, |t| match t.last {
        Last::Dot => t.dir.set_times(atime, mtime),
        Last::Name(n) => {
            if follow || t.dir_required {
                // If this turns into a link between the look and the change, the change
                // lands on the link itself (`set_times_at` never follows): still inside.
                if t.dir.stat_at(n)?.filetype == Filetype::SymbolicLink {
                    return Err(Errno::Loop);
                }
            }
            t.dir.set_times_at(n, atime, mtime)
        }
    })
}

pub(crate) fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    let out = mem.range(buf, buf_len)?;
    mem.range(bufused, 4)?;
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_READLINK)?;
    let target = resolve(dir, &path, false, |t| {
        t.dir.read_link(name(&t, Errno::Inval)?)
    })?;
    // Like POSIX `readlink`, a short buffer gets the target cut off; the guest sees
    // `bufused == buf_len` and asks again with more room.
    let n = target.len().min(out.len());
    mem.bytes_mut(out.start..out.start + n)
        .copy_from_slice(&target[..n]);
    mem.write_u32(bufused, n as u32)
}

pub(crate) fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    target: u32,
    target_len: u32,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult {
    let target = path_arg(mem, target, target_len)?;
    let path = path_arg(mem, path, path_len)?;
    if target.is_empty() {
        return Err(Errno::NoEnt);
    }
    if target.contains('\0') {
        return Err(Errno::Inval);
    }
    let dir = ctx.fds.get(fd)?.dir(rights::PATH_SYMLINK)?;
    resolve(dir, &path, false, |t| {
        let n = name(&t, Errno::Exist)?;
        if t.dir_required {
            return Err(Errno::NoEnt);
        }
        if !links::contained(target.as_bytes(), t.depth) {
            return Err(Errno::Perm);
        }
        t.dir.symlink(&target, n)
    })
}

pub(crate) fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult {
    let old_path = path_arg(mem, old_path, old_path_len)?;
    let new_path = path_arg(mem, new_path, new_path_len)?;
    let from = ctx.fds.get(old_fd)?.dir(rights::PATH_LINK_SOURCE)?;
    let to = ctx.fds.get(new_fd)?.dir(rights::PATH_LINK_TARGET)?;
    let follow = follows(old_flags);
    // The inner result travels as a value, so an ELOOP of the second walk is never taken
    // for "the source is a link to follow" by the first.
    resolve(from, &old_path, follow, |src| {
        // Directories cannot be hard-linked.
        let src_name = name(&src, Errno::Perm)?;
        if follow && src.dir.stat_at(src_name)?.filetype == Filetype::SymbolicLink {
            return Err(Errno::Loop);
        }
        Ok(resolve(to, &new_path, false, |dst| {
            let dst_name = name(&dst, Errno::Exist)?;
            if dst.dir_required {
                return Err(Errno::NoEnt);
            }
            // Without following, a link is linked itself: its new name sits elsewhere.
            links::check_link_at(src.dir, src_name, dst.depth)?;
            src.dir.link(src_name, dst.dir, dst_name)
        }))
    })?
}

pub(crate) fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult {
    let old_path = path_arg(mem, old_path, old_path_len)?;
    let new_path = path_arg(mem, new_path, new_path_len)?;
    let from = ctx.fds.get(fd)?.dir(rights::PATH_RENAME_SOURCE)?;
    let to = ctx.fds.get(new_fd)?.dir(rights::PATH_RENAME_TARGET)?;
    resolve(from, &old_path, false, |src| {
        // POSIX: a last component of `.` or `..` is EINVAL.
        let src_name = name(&src, Errno::Inval)?;
        Ok(resolve(to, &new_path, false, |dst| {
            let dst_name = name(&dst, Errno::Inval)?;
            // Within one descriptor, a directory that does not climb keeps every link
            // inside it contained; anything else is looked at.
            let climbs = fd != new_fd || dst.depth < src.depth;
            match src.dir.stat_at(src_name)?.filetype {
                Filetype::Directory if climbs => {
                    links::check_moved_tree(src.dir.open_dir(src_name)?, dst.depth + 1)?;
                }
                Filetype::Directory => {}
                _ if src.dir_required || dst.dir_required => return Err(Errno::NotDir),
                Filetype::SymbolicLink => links::check_link_at(src.dir, src_name, dst.depth)?,
                _ => {}
            }
            src.dir.rename(src_name, dst.dir, dst_name)
        }))
    })?
}

/// `path_open`. The requested rights are cut down to what the directory may hand on;
/// asking for write access where it may not be handed on is refused outright (rather
/// than opening read-only and failing at the first write).
pub(crate) fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    fd_out: u32,
) -> WasiResult {
    let path = path_arg(mem, path, path_len)?;
    mem.range(fd_out, 4)?;
    let oflags = u16::try_from(oflags).map_err(|_| Errno::Inval)?;
    let fdflags = u16::try_from(fdflags).map_err(|_| Errno::Inval)?;
    if oflags & !oflags::ALL != 0 || fdflags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let directory = oflags & oflags::DIRECTORY != 0;
    let create = oflags & oflags::CREAT != 0;
    let truncate = oflags & oflags::TRUNC != 0;
    if directory && (create || truncate) {
        return Err(Errno::Inval);
    }

    let parent = ctx.fds.get(fd)?;
    let mut needed = rights::PATH_OPEN;
    if create {
        needed |= rights::PATH_CREATE_FILE;
    }
    if truncate {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let dir = parent.dir(needed)?;
    let write = rights_base & rights::FD_WRITE != 0;
    if write && parent.inheriting & rights::FD_WRITE == 0 {
        return Err(if parent.read_only {
            Errno::Rofs
        } else {
            Errno::NotCapable
        });
    }
    let base = rights_base & parent.inheriting;
    let inheriting = rights_inheriting & parent.inheriting;
    let read_only = parent.read_only;
    let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
    let opts = OpenOptions {
        // Neither asked: open for reading, granting no read right (a handle to stat).
        read: read || !write,
        write,
        create,
        exclusive: oflags & oflags::EXCL != 0,
        truncate,
        append: fdflags & fdflags::APPEND != 0,
        dsync: fdflags & fdflags::DSYNC != 0,
        sync: fdflags & (fdflags::SYNC | fdflags::RSYNC) != 0,
    };

    let open = |t: Target<'_>| match t.last {
        Last::Dot => {
            if create && opts.exclusive {
                return Err(Errno::Exist);
            }
            if write || truncate {
                return Err(Errno::IsDir);
            }
            Ok(Opened::Dir(t.dir.try_clone()?))
        }
        Last::Name(n) if directory || t.dir_required => {
            if create {
                // `open("new/", O_CREAT)`.
                return Err(Errno::IsDir);
            }
            if write {
                return Err(Errno::IsDir);
            }
            t.dir.open_dir(n).map(Opened::Dir)
        }
        Last::Name(n) => t.dir.open(n, &opts),
    };
    // A FIFO opened for writing before anyone reads it is `EAGAIN` from the backend: try
    // again until a reader comes, in slices an interrupt can end (`blocking.rs`).
    let opened = loop {
        match resolve(dir, &path, follows(dirflags), open) {
            Err(Errno::Again) => {
                if ctx.interrupt.pending() {
                    return Err(Errno::Intr);
                }
                ctx.clocks.sleep(crate::blocking::SLICE_NS);
            }
            result => break result?,
        }
    };

    let entry = match opened {
        Opened::File(mut f) => Entry {
            filetype: f.stat()?.filetype,
            handle: Handle::File(f),
            rights: base & rights::FILE,
            inheriting,
            flags: fdflags,
            read_only,
        },
        Opened::Dir(d) => {
            if write {
                return Err(Errno::IsDir);
            }
            Entry {
                handle: Handle::Dir(DirHandle {
                    dir: d,
                    preopen: None,
                    listing: None,
                }),
                filetype: Filetype::Directory,
                rights: base & rights::DIRECTORY,
                inheriting,
                flags: fdflags,
                read_only,
            }
        }
    };
    let new_fd = ctx.fds.push(entry)?;
    mem.write_u32(fd_out, new_fd)
}
