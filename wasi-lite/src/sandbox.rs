//! The capability sandbox: the one place guest paths become directory handles.
//!
//! A guest names files by a directory descriptor plus a relative path. The descriptor is
//! the capability: nothing the path says may reach outside the directory it names. The
//! walk below enforces that by construction rather than by checking a finished path:
//!
//! - The path is split into components and walked one component at a time, each opened
//!   relative to the handle of the directory before it (`Dir::open_dir`, which never
//!   follows a symbolic link). No multi-component path ever reaches the backend, so there
//!   is nothing for the OS to resolve, and no window between a check and a use.
//! - `..` is never handed to the backend: it pops the stack of handles the walk opened.
//!   Popping past the starting directory is `ENOTCAPABLE`. (Each stacked handle was opened
//!   by one non-link component from the one below it, so popping is exactly "parent".)
//! - Absolute paths are `ENOTCAPABLE`.
//! - Symbolic links are followed by hand: the walk reads the link (`Dir::read_link`) and
//!   splices its target's components in place of the link's, so the target passes the
//!   same rules from the link's directory. An absolute target is `ENOTCAPABLE`; more than
//!   `MAX_SYMLINK_EXPANSIONS` expansions in one walk is `ELOOP`.
//!
//! The walk stops at the last component and hands it, with the directory holding it, to
//! the operation (`resolve`), which applies the single-component primitive there. An
//! operation that follows a link at the last component answers `ELOOP` for it, and the
//! walk expands the link and goes on.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::errno::{Errno, WasiResult};
use crate::host::Dir;

/// Most symbolic links one path resolution may expand (Linux allows 40).
pub const MAX_SYMLINK_EXPANSIONS: u32 = 32;

/// The last component of a walked path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Last {
    /// The path names the directory the walk stands in (`.`, `a/..`, `a/.`).
    Dot,
    /// An entry of that directory; one component, never `.` or `..`.
    Name(String),
}

/// Where an operation applies: the directory holding the last component, and that
/// component.
#[allow(missing_debug_implementations)]
pub struct Target<'w> {
    pub dir: &'w dyn Dir,
    pub last: &'w Last,
    /// The path (or the last link target) ended in `/`: the last component must be a
    /// directory, and a link there is followed.
    pub dir_required: bool,
    /// How many directories below the starting one `dir` is.
    pub depth: usize,
}

/// A walk in progress from a starting directory.
struct Walk<'a> {
    base: &'a dyn Dir,
    /// Invariant: `opened[0]` is a subdirectory of `base`, `opened[i]` of `opened[i - 1]`,
    /// each opened by one component that was not a symbolic link. So the walk stands in
    /// `opened.last()` (or `base`), and `..` is a pop.
    opened: Vec<Box<dyn Dir>>,
    /// Components still to walk, the next one last.
    pending: Vec<String>,
    expansions: u32,
    dir_required: bool,
}

impl<'a> Walk<'a> {
    fn new(base: &'a dyn Dir, path: &str) -> WasiResult<Walk<'a>> {
        if path.is_empty() {
            return Err(Errno::NoEnt);
        }
        if path.starts_with('/') {
            return Err(Errno::NotCapable);
        }
        if path.contains('\0') {
            return Err(Errno::Inval);
        }
        let mut walk = Walk {
            base,
            opened: Vec::new(),
            pending: Vec::new(),
            expansions: 0,
            dir_required: false,
        };
        walk.push_components(path);
        Ok(walk)
    }

    /// Queues `path`'s components to be walked next. A trailing `/` means the last one
    /// must be a directory.
    fn push_components(&mut self, path: &str) {
        self.dir_required = path.ends_with('/');
        let before = self.pending.len();
        self.pending.extend(
            path.split('/')
                .filter(|c| !c.is_empty())
                .map(ToString::to_string),
        );
        self.pending[before..].reverse();
        if self.pending.len() == before {
            // "/"-only paths are refused above and empty targets in `expand`; this keeps
            // the walk's answer defined regardless: the current directory.
            self.pending.push(".".into());
        }
    }

    fn dir(&self) -> &dyn Dir {
        match self.opened.last() {
            Some(d) => &**d,
            None => self.base,
        }
    }

    /// Walks every component but the last, and returns the last.
    fn walk_to_last(&mut self) -> WasiResult<Last> {
        while let Some(component) = self.pending.pop() {
            let is_last = self.pending.is_empty();
            match component.as_str() {
                "." => {}
                ".." => {
                    if self.opened.pop().is_none() {
                        return Err(Errno::NotCapable);
                    }
                }
                _ if is_last => return Ok(Last::Name(component)),
                _ => match self.dir().open_dir(&component) {
                    Ok(d) => self.opened.push(d),
                    Err(Errno::Loop) => {
                        let target = self.dir().read_link(&component)?;
                        self.expand(&target)?;
                    }
                    Err(e) => return Err(e),
                },
            }
        }
        // The path ended in `.` or `..`.
        Ok(Last::Dot)
    }

    /// Puts a symbolic link's target where the link's component was.
    fn expand(&mut self, target: &[u8]) -> WasiResult {
        self.expansions += 1;
        if self.expansions > MAX_SYMLINK_EXPANSIONS {
            return Err(Errno::Loop);
        }
        let target = core::str::from_utf8(target).map_err(|_| Errno::Ilseq)?;
        if target.is_empty() {
            return Err(Errno::NoEnt);
        }
        if target.starts_with('/') {
            return Err(Errno::NotCapable);
        }
        if target.contains('\0') {
            return Err(Errno::Inval);
        }
        let trailing = self.dir_required;
        let was_last = self.pending.is_empty();
        self.push_components(target);
        // An intermediate link's trailing slash changes nothing (it must be a directory
        // anyway); the path's own trailing slash still applies to whatever comes last.
        self.dir_required = if was_last {
            self.dir_required || trailing
        } else {
            trailing
        };
        Ok(())
    }
}

/// Resolves `path` from `base` and applies `op` to the last component. With `follow`
/// (or a trailing `/`), an `ELOOP` from `op` for a `Last::Name` means "that is a symbolic
/// link": the walk expands it and calls `op` again on the target's last component.
pub fn resolve<R>(
    base: &dyn Dir,
    path: &str,
    follow: bool,
    mut op: impl FnMut(Target<'_>) -> WasiResult<R>,
) -> WasiResult<R> {
    let mut walk = Walk::new(base, path)?;
    loop {
        let last = walk.walk_to_last()?;
        let dir_required = walk.dir_required;
        let result = op(Target {
            dir: walk.dir(),
            last: &last,
            dir_required,
            depth: walk.opened.len(),
        });
        match (result, &last) {
            (Err(Errno::Loop), Last::Name(name)) if follow || dir_required => {
                let target = walk.dir().read_link(name)?;
                walk.expand(&target)?;
            }
            (result, _) => return result,
        }
    }
}

/// The backend contract, checked: whatever path a guest sends, a backend only ever sees
/// single, ordinary components.
#[cfg(test)]
mod contract_tests {
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::vec::Vec;
    use core::any::Any;

    use super::*;
    use crate::abi::{DirEntry, Filestat, OpenOptions, SetTime};
    use crate::host::Opened;
    use crate::memfs::MemFs;

    /// A `Dir` that fails the test if it is handed anything but one ordinary component.
    struct Spy(Box<dyn Dir>);

    fn check(name: &str) {
        assert!(
            !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0']),
            "the backend was handed {name:?}"
        );
    }

    fn spy(d: Box<dyn Dir>) -> Box<dyn Dir> {
        Box::new(Spy(d))
    }

    fn inner(d: &dyn Dir) -> &dyn Dir {
        &*d.as_any().downcast_ref::<Spy>().expect("a spy").0
    }

    impl Dir for Spy {
        fn open_dir(&self, name: &str) -> WasiResult<Box<dyn Dir>> {
            check(name);
            self.0.open_dir(name).map(spy)
        }
        fn open(&self, name: &str, opts: &OpenOptions) -> WasiResult<Opened> {
            check(name);
            Ok(match self.0.open(name, opts)? {
                Opened::Dir(d) => Opened::Dir(spy(d)),
                file => file,
            })
        }
        fn try_clone(&self) -> WasiResult<Box<dyn Dir>> {
            self.0.try_clone().map(spy)
        }
        fn read_link(&self, name: &str) -> WasiResult<Vec<u8>> {
            check(name);
            self.0.read_link(name)
        }
        fn stat_at(&self, name: &str) -> WasiResult<Filestat> {
            check(name);
            self.0.stat_at(name)
        }
        fn set_times_at(&self, name: &str, a: SetTime, m: SetTime) -> WasiResult {
            check(name);
            self.0.set_times_at(name, a, m)
        }
        fn create_dir(&self, name: &str) -> WasiResult {
            check(name);
            self.0.create_dir(name)
        }
        fn remove_dir(&self, name: &str) -> WasiResult {
            check(name);
            self.0.remove_dir(name)
        }
        fn unlink(&self, name: &str) -> WasiResult {
            check(name);
            self.0.unlink(name)
        }
        fn symlink(&self, target: &str, name: &str) -> WasiResult {
            check(name);
            self.0.symlink(target, name)
        }
        fn link(&self, name: &str, to: &dyn Dir, to_name: &str) -> WasiResult {
            check(name);
            check(to_name);
            self.0.link(name, inner(to), to_name)
        }
        fn rename(&self, name: &str, to: &dyn Dir, to_name: &str) -> WasiResult {
            check(name);
            check(to_name);
            self.0.rename(name, inner(to), to_name)
        }
        fn read_dir(&self) -> WasiResult<Vec<DirEntry>> {
            self.0.read_dir()
        }
        fn stat(&self) -> WasiResult<Filestat> {
            self.0.stat()
        }
        fn set_times(&self, a: SetTime, m: SetTime) -> WasiResult {
            self.0.set_times(a, m)
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    /// `sandbox/` holds `a/b/`, `f`, and links in, out, chained and looping.
    fn tree() -> Spy {
        let root = MemFs::new();
        let sb = root.add_dir("sandbox").unwrap();
        sb.add_dir("a").unwrap().add_dir("b").unwrap();
        sb.add_file("f", "x").unwrap();
        for (target, name) in [
            ("a/b", "in"),
            ("..", "out"),
            ("/abs", "abs"),
            ("in/../../..", "climb"),
            ("loop", "loop"),
            ("a//b/", "slashy"),
        ] {
            sb.symlink(target, name).unwrap();
        }
        Spy(Box::new(sb))
    }

    /// Resolves `path` as `path_filestat_get` would, following links.
    fn stat(base: &dyn Dir, path: &str) -> WasiResult<Filestat> {
        resolve(base, path, true, |t| match t.last {
            Last::Dot => t.dir.stat(),
            Last::Name(n) => match t.dir.stat_at(n)? {
                st if st.filetype == crate::abi::Filetype::SymbolicLink => Err(Errno::Loop),
                st => Ok(st),
            },
        })
    }

    #[test]
    fn the_backend_only_sees_single_components() {
        let base = tree();
        let parts = [
            "a", "b", ".", "..", "", "in", "out", "abs", "climb", "loop", "slashy", "f",
        ];
        // Every path of up to three parts, with and without a trailing slash.
        let mut checked = 0;
        for x in parts {
            for y in parts {
                for z in parts {
                    for tail in ["", "/"] {
                        let path = format!("{x}/{y}/{z}{tail}");
                        // Any answer is fine here; `Spy` fails the test on a bad name.
                        let _ = stat(&base, &path);
                        let _ = resolve(&base, &path, false, |t| match t.last {
                            Last::Name(n) => t.dir.create_dir(n),
                            Last::Dot => Ok(()),
                        });
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 12 * 12 * 12 * 2);
    }

    #[test]
    fn answers_for_representative_paths() {
        let base = tree();
        let ok = |p: &str| stat(&base, p).map(|_| ());
        assert_eq!(ok("a/b/../b/./"), Ok(()));
        assert_eq!(ok("in/../../f"), Ok(()));
        assert_eq!(ok("slashy"), Ok(()));
        assert_eq!(ok("out"), Err(Errno::NotCapable));
        assert_eq!(ok("out/sandbox/f"), Err(Errno::NotCapable));
        assert_eq!(ok("abs"), Err(Errno::NotCapable));
        // `in` is `a/b`, so `in/../../..` climbs one above the start.
        assert_eq!(ok("climb"), Err(Errno::NotCapable));
        assert_eq!(ok("a/../.."), Err(Errno::NotCapable));
        assert_eq!(ok("loop"), Err(Errno::Loop));
        assert_eq!(
            ok("f/"),
            Ok(()),
            "stat itself does not check; path_filestat_get does"
        );
        assert_eq!(ok(""), Err(Errno::NoEnt));
        assert_eq!(ok("/f"), Err(Errno::NotCapable));
    }
}
