//! Two modes, by the input's first byte.
//!
//! **Sequences** (input starting with `0xFF`, which no UTF-8 path does): the rest decodes
//! to up to 24 `path_symlink`, `path_link`, `path_rename`, `path_create_directory`,
//! `path_unlink_file`, `path_remove_directory` and `path_open` (of directories, whose
//! descriptors later steps use) calls, made from wasm through the real WASI functions on
//! a fresh tree, on `MemFs` and (unix) on the host file system. After every step the tree
//! is walked (on the host with `std::fs`) and every link resolved as the kernel would
//! resolve it: none may lead out of the preopen, and nothing outside it may change. The
//! driver is `test-support/src/wasi/steps.rs`, which `cargo test` also runs on seeded
//! random input (`wasi-lite/tests/escapes.rs`).
//!
//! **Paths** (any other input): WASI path resolution (`wisp_wasi::sandbox::resolve`, the
//! one function every `path_*` call resolves through) on the input as a guest path, from a preopen that holds directories,
//! files and symbolic links pointing in, out, absolute, chained and looping, with a secret
//! file beside it. Whatever the path:
//!
//! - the backend only ever sees single, ordinary components (no `/`, `.`, `..`, NUL, empty);
//! - the directory an operation applies in, and the entry it names, are inside the preopen
//!   (by inode: nothing outside it is ever reached), at the depth the walk reports;
//! - absolute paths are `ENOTCAPABLE` and the empty path `ENOENT`;
//! - nothing panics, and the walk ends (link loops are `ELOOP`).
//!
//! It runs on `MemFs` (a fresh tree per input, also creating directories) and, on unix, on
//! the OS backend (`HostDir`) over a tree in a temporary directory built once (read-only
//! operations there, so the tree stays as built).
//!
//! Needs `wisp_wasi::sandbox` to be reachable: `#[doc(hidden)] pub mod sandbox;` in
//! `wasi-lite/src/lib.rs`, with `resolve`, `Last` and `Target` `pub` (see fuzz/README.md).
//!
//! Seeds: `fuzz/corpus/wasi_paths/` (one path per file, and `seq-*`: sequences).

#![no_main]

use std::any::Any;
use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;

/// The WASI tests' harness: a guest calling every preview1 function from wasm, the tree
/// walk and the step driver.
use wisp_test_support::wasi as common;
use wisp_wasi::sandbox::{resolve, Last};
use wisp_wasi::{
    Dir, DirEntry, Errno, Filestat, Filetype, MemFs, OpenOptions, Opened, SetTime, WasiResult,
};

/// A `Dir` that fails the run if the backend is handed anything but one ordinary
/// component, and knows how deep below the preopen it was opened.
struct Spy {
    inner: Box<dyn Dir>,
    depth: usize,
}

fn check(name: &str) {
    assert!(
        !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0']),
        "the backend was handed {name:?}"
    );
}

impl Spy {
    fn child(&self, d: Box<dyn Dir>) -> Box<dyn Dir> {
        Box::new(Spy {
            inner: d,
            depth: self.depth + 1,
        })
    }
}

fn inner(d: &dyn Dir) -> &dyn Dir {
    &*d.as_any()
        .downcast_ref::<Spy>()
        .expect("the sandbox hands the backend only its own handles")
        .inner
}

impl Dir for Spy {
    fn open_dir(&self, name: &str) -> WasiResult<Box<dyn Dir>> {
        check(name);
        self.inner.open_dir(name).map(|d| self.child(d))
    }
    fn open(&self, name: &str, opts: &OpenOptions) -> WasiResult<Opened> {
        check(name);
        Ok(match self.inner.open(name, opts)? {
            Opened::Dir(d) => Opened::Dir(self.child(d)),
            file => file,
        })
    }
    fn try_clone(&self) -> WasiResult<Box<dyn Dir>> {
        Ok(Box::new(Spy {
            inner: self.inner.try_clone()?,
            depth: self.depth,
        }))
    }
    fn read_link(&self, name: &str) -> WasiResult<Vec<u8>> {
        check(name);
        self.inner.read_link(name)
    }
    fn stat_at(&self, name: &str) -> WasiResult<Filestat> {
        check(name);
        self.inner.stat_at(name)
    }
    fn set_times_at(&self, name: &str, a: SetTime, m: SetTime) -> WasiResult {
        check(name);
        self.inner.set_times_at(name, a, m)
    }
    fn create_dir(&self, name: &str) -> WasiResult {
        check(name);
        self.inner.create_dir(name)
    }
    fn remove_dir(&self, name: &str) -> WasiResult {
        check(name);
        self.inner.remove_dir(name)
    }
    fn unlink(&self, name: &str) -> WasiResult {
        check(name);
        self.inner.unlink(name)
    }
    fn symlink(&self, target: &str, name: &str) -> WasiResult {
        check(name);
        self.inner.symlink(target, name)
    }
    fn link(&self, name: &str, to: &dyn Dir, to_name: &str) -> WasiResult {
        check(name);
        check(to_name);
        self.inner.link(name, inner(to), to_name)
    }
    fn rename(&self, name: &str, to: &dyn Dir, to_name: &str) -> WasiResult {
        check(name);
        check(to_name);
        self.inner.rename(name, inner(to), to_name)
    }
    fn read_dir(&self) -> WasiResult<Vec<DirEntry>> {
        self.inner.read_dir()
    }
    fn stat(&self) -> WasiResult<Filestat> {
        self.inner.stat()
    }
    fn set_times(&self, a: SetTime, m: SetTime) -> WasiResult {
        self.inner.set_times(a, m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The preopen's contents, relative to it: directories, files, and links (target, name).
const DIRS: &[&str] = &["a", "a/b", "a/b/c"];
const FILES: &[&str] = &["f", "a/b/g"];
const LINKS: &[(&str, &str)] = &[
    ("a/b", "in"),
    ("..", "out"),
    ("../secret", "peek"),
    ("/etc", "abs"),
    ("in/../../..", "climb"),
    ("a/b/../../..", "deep"),
    ("loop", "loop"),
    ("pong", "ping"),
    ("ping", "pong"),
    ("a//b/", "slashy"),
    (".", "dot"),
    ("../..", "a/up"),
    ("../../f", "a/b/home"),
    ("c/../../../out", "a/b/back"),
];

/// What lies inside the preopen, by inode: its directories (with their depth) and every
/// entry.
struct Inside {
    dirs: Vec<(u64, usize)>,
    entries: HashSet<u64>,
}

impl Inside {
    fn dir_depth(&self, ino: u64) -> Option<usize> {
        self.dirs.iter().find(|(i, _)| *i == ino).map(|(_, d)| *d)
    }
}

/// Every inode reachable below `dir` without following links.
fn survey(dir: &dyn Dir, depth: usize, inside: &mut Inside) {
    let st = dir.stat().expect("stat a directory of the tree");
    inside.dirs.push((st.ino, depth));
    inside.entries.insert(st.ino);
    for entry in dir.read_dir().expect("list a directory of the tree") {
        let name = String::from_utf8(entry.name).expect("the tree's names are UTF-8");
        if name == "." || name == ".." {
            continue;
        }
        let st = dir.stat_at(&name).expect("stat an entry of the tree");
        inside.entries.insert(st.ino);
        if st.filetype == Filetype::Directory {
            let sub = dir.open_dir(&name).expect("open a directory of the tree");
            survey(&*sub, depth + 1, inside);
        }
    }
}

/// Resolves `path` from `base` (a `Spy` at depth 0) as `path_filestat_get` does (with or
/// without following a link at the end) and checks where the walk stood.
fn stat(base: &Spy, path: &str, follow: bool, inside: &Inside) -> WasiResult<Filestat> {
    resolve(base, path, follow, |t| {
        let spy = t
            .dir
            .as_any()
            .downcast_ref::<Spy>()
            .expect("the walk stands in a directory it opened");
        assert_eq!(spy.depth, t.depth, "{path:?}: the walk's depth");
        let here = t.dir.stat()?;
        assert_eq!(
            inside.dir_depth(here.ino),
            Some(t.depth),
            "{path:?}: resolved in a directory outside the preopen (or at the wrong depth)"
        );
        match t.last {
            Last::Dot => Ok(here),
            Last::Name(name) => {
                let st = t.dir.stat_at(name)?;
                assert!(
                    inside.entries.contains(&st.ino),
                    "{path:?}: names {name:?}, an entry outside the preopen"
                );
                if follow && st.filetype == Filetype::SymbolicLink {
                    // "That is a link": the walk reads it and goes on from its target.
                    return Err(Errno::Loop);
                }
                Ok(st)
            }
        }
    })
}

fn check_path(base: &Spy, path: &str, inside: &Inside) {
    for follow in [false, true] {
        let result = stat(base, path, follow, inside);
        if path.is_empty() {
            assert_eq!(result.map(|_| ()), Err(Errno::NoEnt), "the empty path");
        } else if path.starts_with('/') {
            assert_eq!(result.map(|_| ()), Err(Errno::NotCapable), "{path:?}");
        }
    }
}

fn memfs_tree() -> (MemFs, MemFs) {
    let root = MemFs::new();
    root.add_file("secret", "outside the preopen").unwrap();
    let sandbox = root.add_dir("sandbox").unwrap();
    for dir in DIRS {
        let (parent, name) = split(dir);
        let parent = open(&sandbox, parent);
        parent.create_dir(name).unwrap();
    }
    for file in FILES {
        let (parent, name) = split(file);
        let parent = open(&sandbox, parent);
        let opts = OpenOptions {
            create: true,
            write: true,
            ..OpenOptions::default()
        };
        parent.open(name, &opts).unwrap();
    }
    for (target, link) in LINKS {
        let (parent, name) = split(link);
        open(&sandbox, parent).symlink(target, name).unwrap();
    }
    (root, sandbox)
}

fn split(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    }
}

fn open(base: &dyn Dir, path: &str) -> Box<dyn Dir> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .fold(base.try_clone().unwrap(), |d, c| d.open_dir(c).unwrap())
}

#[cfg(unix)]
mod host {
    use std::path::PathBuf;
    use std::sync::OnceLock;

    use super::*;

    /// The preopen on the host, `<tmp>/wisp-fuzz-wasi-paths-<pid>/sandbox` beside `secret`,
    /// with the same tree as the `MemFs` one, built once; and what lies inside it.
    pub fn tree() -> &'static (PathBuf, Inside) {
        static TREE: OnceLock<(PathBuf, Inside)> = OnceLock::new();
        TREE.get_or_init(|| {
            let root =
                std::env::temp_dir().join(format!("wisp-fuzz-wasi-paths-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            let sandbox = root.join("sandbox");
            std::fs::create_dir_all(&sandbox).unwrap();
            std::fs::write(root.join("secret"), "outside the preopen").unwrap();
            for dir in DIRS {
                std::fs::create_dir_all(sandbox.join(dir)).unwrap();
            }
            for file in FILES {
                std::fs::write(sandbox.join(file), "inside").unwrap();
            }
            for (target, link) in LINKS {
                std::os::unix::fs::symlink(target, sandbox.join(link)).unwrap();
            }
            let dir = wisp_wasi::HostDir::open(&sandbox).unwrap();
            let mut inside = Inside {
                dirs: Vec::new(),
                entries: HashSet::new(),
            };
            survey(&dir, 0, &mut inside);
            (sandbox, inside)
        })
    }
}

/// Sequence mode: the input after the marker byte, on each backend.
fn sequences(data: &[u8]) {
    let mut preopens = vec![common::steps::Preopen::mem()];
    #[cfg(unix)]
    preopens.push(common::steps::Preopen::host("fuzz-sequences"));
    for p in &mut preopens {
        if let Err(e) = p.run(data) {
            panic!("{e}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some((0xFF, steps)) = data.split_first() {
        return sequences(steps);
    }
    // Guest paths reach the sandbox as UTF-8 (`GuestMemory::str` refuses anything else).
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };

    // MemFs: read-only resolution, then creating a directory at the path (a fresh tree per
    // input), which must land inside the preopen too.
    let (_root, sandbox) = memfs_tree();
    let mut inside = Inside {
        dirs: Vec::new(),
        entries: HashSet::new(),
    };
    survey(&sandbox, 0, &mut inside);
    let base = Spy {
        inner: Box::new(sandbox),
        depth: 0,
    };
    check_path(&base, path, &inside);
    let _ = resolve(&base, path, false, |t| {
        let here = t.dir.stat()?;
        assert_eq!(
            inside.dir_depth(here.ino),
            Some(t.depth),
            "{path:?}: would create outside the preopen"
        );
        match t.last {
            Last::Dot => Err(Errno::Exist),
            Last::Name(name) => t.dir.create_dir(name),
        }
    });

    // The OS backend over the temporary tree (read-only operations: it is shared by every
    // input).
    #[cfg(unix)]
    {
        let (sandbox, inside) = host::tree();
        let dir = wisp_wasi::HostDir::open(sandbox).expect("open the host preopen");
        let base = Spy {
            inner: Box::new(dir),
            depth: 0,
        };
        check_path(&base, path, inside);
    }
});
