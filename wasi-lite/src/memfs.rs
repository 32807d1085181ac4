//! An in-memory file system: directories, files and symbolic links held in the heap,
//! `no_std`. For firmware that wants scratch files without storage, and for tests of the
//! sandbox that should not depend on an OS.
//!
//! Every node is an `Arc<Mutex<Node>>`, so handles stay bound to the node they opened
//! (a renamed directory keeps its handles, as an OS directory descriptor does). A
//! directory knows its parent only to list `..`; the sandbox never asks it to go there.
//! Locks are taken one at a time, except `rename`'s and `link`'s two directories, which
//! are taken in address order so two renames cannot deadlock.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::any::Any;

use spin::Mutex;

use crate::abi::{DirEntry, Filestat, Filetype, OpenOptions, SeekFrom, SetTime, Timestamp};
use crate::errno::{Errno, WasiResult};
use crate::host::{Dir, File, Opened};

type NodeRef = Arc<Mutex<Node>>;

struct Node {
    ino: u64,
    nlink: u64,
    atim: Timestamp,
    mtim: Timestamp,
    ctim: Timestamp,
    kind: Kind,
}

enum Kind {
    File(Vec<u8>),
    Dir {
        entries: BTreeMap<String, NodeRef>,
        parent: Weak<Mutex<Node>>,
    },
    Symlink(Vec<u8>),
}

impl Node {
    fn filetype(&self) -> Filetype {
        match self.kind {
            Kind::File(_) => Filetype::RegularFile,
            Kind::Dir { .. } => Filetype::Directory,
            Kind::Symlink(_) => Filetype::SymbolicLink,
        }
    }

    fn stat(&self) -> Filestat {
        let size = match &self.kind {
            Kind::File(data) => data.len() as u64,
            Kind::Dir { entries, .. } => entries.len() as u64,
            Kind::Symlink(target) => target.len() as u64,
        };
        Filestat {
            dev: 1,
            ino: self.ino,
            filetype: self.filetype(),
            nlink: self.nlink,
            size,
            atim: self.atim,
            mtim: self.mtim,
            ctim: self.ctim,
        }
    }
}

/// State shared by every node of one file system: inode numbers and the clock.
struct Shared {
    /// A lock rather than an atomic: 32-bit microcontrollers have no 64-bit atomics.
    next_ino: Mutex<u64>,
    clock: fn() -> Timestamp,
}

impl Shared {
    fn node(&self, kind: Kind) -> NodeRef {
        let now = (self.clock)();
        Arc::new(Mutex::new(Node {
            ino: {
                let mut next = self.next_ino.lock();
                *next += 1;
                *next
            },
            nlink: 1,
            atim: now,
            mtim: now,
            ctim: now,
            kind,
        }))
    }

    fn apply(&self, node: &mut Node, atime: SetTime, mtime: SetTime) {
        let now = (self.clock)();
        let pick = |t: SetTime, old: Timestamp| match t {
            SetTime::Omit => old,
            SetTime::Now => now,
            SetTime::At(t) => t,
        };
        node.atim = pick(atime, node.atim);
        node.mtim = pick(mtime, node.mtim);
        node.ctim = now;
    }
}

/// A directory of an in-memory file system; `MemFs::new()` makes an empty root. Clones
/// are handles to the same directory.
#[derive(Clone)]
pub struct MemFs {
    node: NodeRef,
    shared: Arc<Shared>,
}

impl core::fmt::Debug for MemFs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemFs")
            .field("ino", &self.node.lock().ino)
            .finish()
    }
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

fn zero_clock() -> Timestamp {
    0
}

impl MemFs {
    /// An empty file system whose timestamps are all 0.
    pub fn new() -> MemFs {
        MemFs::with_clock(zero_clock)
    }

    /// An empty file system stamping changes with `clock` (nanoseconds since 1970).
    pub fn with_clock(clock: fn() -> Timestamp) -> MemFs {
        let shared = Arc::new(Shared {
            next_ino: Mutex::new(0),
            clock,
        });
        let node = shared.node(Kind::Dir {
            entries: BTreeMap::new(),
            parent: Weak::new(),
        });
        MemFs { node, shared }
    }

    /// Adds file `name` with `contents` to this directory (replacing one of that name),
    /// for setting up a file system before a guest runs.
    pub fn add_file(&self, name: &str, contents: impl Into<Vec<u8>>) -> WasiResult {
        let file = self.shared.node(Kind::File(contents.into()));
        self.insert(name, file, true)
    }

    /// Adds subdirectory `name` and returns it.
    pub fn add_dir(&self, name: &str) -> WasiResult<MemFs> {
        self.create_dir(name)?;
        self.subdir(name)
    }

    fn subdir(&self, name: &str) -> WasiResult<MemFs> {
        let node = self.lookup(name)?;
        if !matches!(node.lock().kind, Kind::Dir { .. }) {
            return Err(Errno::NotDir);
        }
        Ok(MemFs {
            node,
            shared: self.shared.clone(),
        })
    }

    fn lookup(&self, name: &str) -> WasiResult<NodeRef> {
        match &self.node.lock().kind {
            Kind::Dir { entries, .. } => entries.get(name).cloned().ok_or(Errno::NoEnt),
            _ => Err(Errno::NotDir),
        }
    }

    fn insert(&self, name: &str, node: NodeRef, replace: bool) -> WasiResult {
        check_name(name)?;
        let mut dir = self.node.lock();
        let Kind::Dir { entries, .. } = &mut dir.kind else {
            return Err(Errno::NotDir);
        };
        if !replace && entries.contains_key(name) {
            return Err(Errno::Exist);
        }
        entries.insert(name.to_string(), node);
        Ok(())
    }

    fn peer<'a>(&self, other: &'a dyn Dir) -> WasiResult<&'a MemFs> {
        let other = other.as_any().downcast_ref::<MemFs>().ok_or(Errno::Xdev)?;
        if !Arc::ptr_eq(&self.shared, &other.shared) {
            return Err(Errno::Xdev);
        }
        Ok(other)
    }
}

/// Names this backend stores: the sandbox never passes others, but `add_file` is public.
fn check_name(name: &str) -> WasiResult {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Errno::Inval);
    }
    Ok(())
}

impl Dir for MemFs {
    fn open_dir(&self, name: &str) -> WasiResult<Box<dyn Dir>> {
        let node = self.lookup(name)?;
        match node.lock().kind {
            Kind::Dir { .. } => {}
            Kind::Symlink(_) => return Err(Errno::Loop),
            Kind::File(_) => return Err(Errno::NotDir),
        }
        Ok(Box::new(MemFs {
            node,
            shared: self.shared.clone(),
        }))
    }

    fn open(&self, name: &str, opts: &OpenOptions) -> WasiResult<Opened> {
        let node = match self.lookup(name) {
            Ok(node) => {
                if opts.create && opts.exclusive {
                    return Err(Errno::Exist);
                }
                node
            }
            Err(Errno::NoEnt) if opts.create => {
                check_name(name)?;
                let node = self.shared.node(Kind::File(Vec::new()));
                self.insert(name, node.clone(), false)?;
                node
            }
            Err(e) => return Err(e),
        };
        {
            let mut n = node.lock();
            match &mut n.kind {
                Kind::Symlink(_) => return Err(Errno::Loop),
                Kind::Dir { .. } => {
                    if opts.write || opts.truncate {
                        return Err(Errno::IsDir);
                    }
                    drop(n);
                    return Ok(Opened::Dir(Box::new(MemFs {
                        node,
                        shared: self.shared.clone(),
                    })));
                }
                Kind::File(data) => {
                    if opts.truncate && !data.is_empty() {
                        data.clear();
                        let now = (self.shared.clock)();
                        n.mtim = now;
                        n.ctim = now;
                    }
                }
            }
        }
        Ok(Opened::File(Box::new(MemFile {
            node,
            shared: self.shared.clone(),
            pos: 0,
            read: opts.read,
            write: opts.write,
            append: opts.append,
        })))
    }

    fn try_clone(&self) -> WasiResult<Box<dyn Dir>> {
        Ok(Box::new(self.clone()))
    }

    fn read_link(&self, name: &str) -> WasiResult<Vec<u8>> {
        match &self.lookup(name)?.lock().kind {
            Kind::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::Inval),
        }
    }

    fn stat_at(&self, name: &str) -> WasiResult<Filestat> {
        Ok(self.lookup(name)?.lock().stat())
    }

    fn set_times_at(&self, name: &str, atime: SetTime, mtime: SetTime) -> WasiResult {
        let node = self.lookup(name)?;
        self.shared.apply(&mut node.lock(), atime, mtime);
        Ok(())
    }

    fn create_dir(&self, name: &str) -> WasiResult {
        let node = self.shared.node(Kind::Dir {
            entries: BTreeMap::new(),
            parent: Arc::downgrade(&self.node),
        });
        self.insert(name, node, false)
    }

    fn remove_dir(&self, name: &str) -> WasiResult {
        let mut dir = self.node.lock();
        let Kind::Dir { entries, .. } = &mut dir.kind else {
            return Err(Errno::NotDir);
        };
        let child = entries.get(name).ok_or(Errno::NoEnt)?;
        match &child.lock().kind {
            Kind::Dir { entries, .. } if entries.is_empty() => {}
            Kind::Dir { .. } => return Err(Errno::NotEmpty),
            _ => return Err(Errno::NotDir),
        }
        entries.remove(name);
        Ok(())
    }

    fn unlink(&self, name: &str) -> WasiResult {
        let mut dir = self.node.lock();
        let Kind::Dir { entries, .. } = &mut dir.kind else {
            return Err(Errno::NotDir);
        };
        let child = entries.get(name).ok_or(Errno::NoEnt)?;
        {
            let mut c = child.lock();
            if matches!(c.kind, Kind::Dir { .. }) {
                return Err(Errno::IsDir);
            }
            c.nlink = c.nlink.saturating_sub(1);
        }
        entries.remove(name);
        Ok(())
    }

    fn symlink(&self, target: &str, name: &str) -> WasiResult {
        let node = self.shared.node(Kind::Symlink(target.as_bytes().to_vec()));
        self.insert(name, node, false)
    }

    fn link(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult {
        let to = self.peer(to_dir)?;
        let node = self.lookup(name)?;
        if matches!(node.lock().kind, Kind::Dir { .. }) {
            return Err(Errno::Perm);
        }
        to.insert(to_name, node.clone(), false)?;
        node.lock().nlink += 1;
        Ok(())
    }

    fn rename(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult {
        let to = self.peer(to_dir)?;
        check_name(to_name)?;
        let node = self.lookup(name)?;
        let moving_dir = matches!(node.lock().kind, Kind::Dir { .. });
        if moving_dir {
            // A directory may not move beneath itself: walk up from the destination.
            let mut at = Some(to.node.clone());
            while let Some(n) = at {
                if Arc::ptr_eq(&n, &node) {
                    return Err(Errno::Inval);
                }
                at = match &n.lock().kind {
                    Kind::Dir { parent, .. } => parent.upgrade(),
                    _ => None,
                };
            }
        }
        if let Ok(existing) = to.lookup(to_name) {
            if Arc::ptr_eq(&existing, &node) {
                return Ok(());
            }
            match (&existing.lock().kind, moving_dir) {
                (Kind::Dir { entries, .. }, true) if !entries.is_empty() => {
                    return Err(Errno::NotEmpty)
                }
                (Kind::Dir { .. }, true) => {}
                (Kind::Dir { .. }, false) => return Err(Errno::IsDir),
                (_, true) => return Err(Errno::NotDir),
                (_, false) => {}
            }
        }
        // Take both directory locks, in address order, for the move itself.
        let same = Arc::ptr_eq(&self.node, &to.node);
        if same {
            let mut d = self.node.lock();
            if let Kind::Dir { entries, .. } = &mut d.kind {
                let n = entries.remove(name).ok_or(Errno::NoEnt)?;
                entries.insert(to_name.to_string(), n);
            }
        } else {
            let (first, second) = if Arc::as_ptr(&self.node) < Arc::as_ptr(&to.node) {
                (&self.node, &to.node)
            } else {
                (&to.node, &self.node)
            };
            let mut a = first.lock();
            let mut b = second.lock();
            let (src, dst) = if Arc::ptr_eq(first, &self.node) {
                (&mut a.kind, &mut b.kind)
            } else {
                (&mut b.kind, &mut a.kind)
            };
            let (Kind::Dir { entries: src, .. }, Kind::Dir { entries: dst, .. }) = (src, dst)
            else {
                return Err(Errno::NotDir);
            };
            let n = src.remove(name).ok_or(Errno::NoEnt)?;
            dst.insert(to_name.to_string(), n);
        }
        if moving_dir {
            if let Kind::Dir { parent, .. } = &mut node.lock().kind {
                *parent = Arc::downgrade(&to.node);
            }
        }
        Ok(())
    }

    fn read_dir(&self) -> WasiResult<Vec<DirEntry>> {
        let dir = self.node.lock();
        let Kind::Dir { entries, parent } = &dir.kind else {
            return Err(Errno::NotDir);
        };
        // The root is its own parent, as `/..` is.
        let parent_ino = parent.upgrade().map_or(dir.ino, |p| p.lock().ino);
        let mut out = Vec::with_capacity(entries.len() + 2);
        out.push(DirEntry {
            name: b".".to_vec(),
            ino: dir.ino,
            filetype: Filetype::Directory,
        });
        out.push(DirEntry {
            name: b"..".to_vec(),
            ino: parent_ino,
            filetype: Filetype::Directory,
        });
        for (name, node) in entries {
            let n = node.lock();
            out.push(DirEntry {
                name: name.as_bytes().to_vec(),
                ino: n.ino,
                filetype: n.filetype(),
            });
        }
        Ok(out)
    }

    fn stat(&self) -> WasiResult<Filestat> {
        Ok(self.node.lock().stat())
    }

    fn set_times(&self, atime: SetTime, mtime: SetTime) -> WasiResult {
        self.shared.apply(&mut self.node.lock(), atime, mtime);
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open in-memory file.
struct MemFile {
    node: NodeRef,
    shared: Arc<Shared>,
    pos: u64,
    read: bool,
    write: bool,
    append: bool,
}

impl MemFile {
    fn read_from(&self, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
        if !self.read {
            return Err(Errno::Badf);
        }
        let node = self.node.lock();
        let Kind::File(data) = &node.kind else {
            return Err(Errno::Badf);
        };
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn write_to(&self, bufs: &[&[u8]], offset: Option<u64>) -> WasiResult<(usize, u64)> {
        if !self.write {
            return Err(Errno::Badf);
        }
        let mut node = self.node.lock();
        let now = (self.shared.clock)();
        node.mtim = now;
        node.ctim = now;
        let Kind::File(data) = &mut node.kind else {
            return Err(Errno::Badf);
        };
        let at = match offset {
            _ if self.append => data.len(),
            Some(o) => usize::try_from(o).map_err(|_| Errno::Fbig)?,
            None => return Err(Errno::Inval),
        };
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let end = at.checked_add(total).ok_or(Errno::Fbig)?;
        if end > data.len() {
            data.try_reserve(end - data.len())
                .map_err(|_| Errno::NoSpc)?;
            data.resize(end, 0);
        }
        let mut p = at;
        for b in bufs {
            data[p..p + b.len()].copy_from_slice(b);
            p += b.len();
        }
        Ok((total, end as u64))
    }
}

impl File for MemFile {
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        let n = self.read_from(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        let (n, end) = self.write_to(bufs, Some(self.pos))?;
        self.pos = end;
        Ok(n)
    }

    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
        self.read_from(buf, offset)
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> WasiResult<usize> {
        Ok(self.write_to(&[buf], Some(offset))?.0)
    }

    fn seek(&mut self, pos: SeekFrom) -> WasiResult<u64> {
        let size = self.stat()?.size;
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => size.checked_add_signed(d),
        };
        match new {
            Some(p) if p <= i64::MAX as u64 => {
                self.pos = p;
                Ok(p)
            }
            _ => Err(Errno::Inval),
        }
    }

    fn stat(&mut self) -> WasiResult<Filestat> {
        Ok(self.node.lock().stat())
    }

    fn set_size(&mut self, size: u64) -> WasiResult {
        if !self.write {
            return Err(Errno::Inval);
        }
        let size = usize::try_from(size).map_err(|_| Errno::Fbig)?;
        let mut node = self.node.lock();
        let Kind::File(data) = &mut node.kind else {
            return Err(Errno::Badf);
        };
        if size > data.len() {
            data.try_reserve(size - data.len())
                .map_err(|_| Errno::NoSpc)?;
        }
        data.resize(size, 0);
        Ok(())
    }

    fn set_times(&mut self, atime: SetTime, mtime: SetTime) -> WasiResult {
        self.shared.apply(&mut self.node.lock(), atime, mtime);
        Ok(())
    }

    fn sync(&mut self) -> WasiResult {
        Ok(())
    }

    fn set_append(&mut self, append: bool) -> WasiResult {
        self.append = append;
        Ok(())
    }
}
