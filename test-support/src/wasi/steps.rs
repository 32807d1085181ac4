//! Sequences of tree-changing WASI calls decoded from bytes, with the promise checked after
//! every step: no link in the preopen leads out of it when a host process follows it.
//! The fuzz target `wasi_paths` feeds it fuzzer input; `tests/escapes.rs` feeds it seeded
//! random bytes, so `cargo test` runs thousands of sequences on both backends.

use std::path::PathBuf;

use wisp_wasi::{Dir, MemFs, OpenOptions, WasiCtx};

use super::tree::Tree;
use super::{Guest, TempDir, FOLLOW};

/// Names the steps use: the starting tree's, fresh ones, and the special components.
const NAMES: &[&str] = &["a", "b", "c", "l", "m", "f", "in", "dot", "..", "."];
/// Last components of the paths steps name in a known directory.
const LEAVES: &[&str] = &["l", "m", "n", "d", "f", "g", "a", "b", "in", "dot"];

/// The starting tree: directories, files, and links that stay inside however they are
/// followed (so after every step, any link that leads out is the guest's doing).
const DIRS: &[&str] = &["a", "a/b", "a/b/c", "x"];
const FILES: &[&str] = &["f", "a/b/g"];
const LINKS: &[(&str, &str)] = &[("a/b", "in"), (".", "dot"), ("../../f", "a/b/home")];

/// At most this many steps per sequence, and descriptors opened by it.
const MAX_STEPS: usize = 24;
const MAX_FDS: usize = 4;

/// Reads the input a byte at a time; 0 once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'n>(&mut self, from: &[&'n str]) -> &'n str {
        from[self.next() as usize % from.len()]
    }

    /// A path of one to three components, sometimes with a trailing `/`.
    fn any_path(&mut self) -> String {
        let n = 1 + self.next() as usize % 3;
        let mut p: Vec<&str> = (0..n).map(|_| self.pick(NAMES)).collect();
        if self.next().is_multiple_of(8) {
            p.push("");
        }
        p.join("/")
    }

    /// Mostly a name in a directory known to exist (so that steps build on each other),
    /// sometimes any path at all.
    fn path(&mut self, dirs: &[String]) -> String {
        if self.next().is_multiple_of(4) {
            return self.any_path();
        }
        let dir = &dirs[self.next() as usize % dirs.len()];
        let leaf = self.pick(LEAVES);
        if dir.is_empty() {
            leaf.to_string()
        } else {
            format!("{dir}/{leaf}")
        }
    }

    /// A link target: up to three `..`, then a path (or nothing), now and then absolute.
    fn target(&mut self, dirs: &[String]) -> String {
        let mut t = "../".repeat(self.next() as usize % 4);
        if t.is_empty() || self.next().is_multiple_of(2) {
            t.push_str(&self.path(dirs));
        }
        if self.next().is_multiple_of(16) {
            t.insert(0, '/');
        }
        t
    }
}

/// One backend's preopen, built afresh with the starting tree.
pub struct Preopen {
    pub guest: Guest,
    pub tree: Tree,
    /// The host's directory holding the preopen and a file beside it, kept for the run.
    pub outside: Option<(TempDir, PathBuf)>,
}

impl Preopen {
    /// On the host file system (unix), in a temporary directory.
    #[cfg(unix)]
    pub fn host(name: &str) -> Preopen {
        let tmp = TempDir::new(name);
        let sb = tmp.path().join("sandbox");
        std::fs::create_dir(&sb).unwrap();
        std::fs::write(tmp.path().join("secret"), "outside").unwrap();
        for d in DIRS {
            std::fs::create_dir(sb.join(d)).unwrap();
        }
        for f in FILES {
            std::fs::write(sb.join(f), "inside").unwrap();
        }
        for (target, link) in LINKS {
            std::os::unix::fs::symlink(target, sb.join(link)).unwrap();
        }
        let mut b = WasiCtx::builder();
        b.preopen_dir(&sb, "/sandbox").unwrap();
        Preopen {
            guest: Guest::new(b.build().unwrap()),
            tree: Tree::Host(sb.clone()),
            outside: Some((tmp, sb)),
        }
    }

    /// On `MemFs`.
    pub fn mem() -> Preopen {
        let root = MemFs::new();
        root.add_file("secret", "outside").unwrap();
        let sb = root.add_dir("sandbox").unwrap();
        let open = |path: &str| -> Box<dyn Dir> {
            path.split('/')
                .filter(|c| !c.is_empty())
                .fold(Box::new(sb.clone()), |d: Box<dyn Dir>, c| {
                    d.open_dir(c).unwrap()
                })
        };
        let split = |p: &'static str| p.rsplit_once('/').unwrap_or(("", p));
        for d in DIRS {
            let (parent, name) = split(d);
            open(parent).create_dir(name).unwrap();
        }
        for f in FILES {
            let (parent, name) = split(f);
            let opts = OpenOptions {
                write: true,
                create: true,
                ..OpenOptions::default()
            };
            open(parent).open(name, &opts).unwrap();
        }
        for (target, link) in LINKS {
            let (parent, name) = split(link);
            open(parent).symlink(target, name).unwrap();
        }
        let tree = Tree::Mem(sb.clone());
        let mut b = WasiCtx::builder();
        b.preopen(sb, "/sandbox", false);
        Preopen {
            guest: Guest::new(b.build().unwrap()),
            tree,
            outside: None,
        }
    }

    /// Runs the steps `data` decodes to, checking after each one. `Err` describes the
    /// first step after which a link led out (or something outside changed).
    pub fn run(&mut self, data: &[u8]) -> Result<(), String> {
        let mut input = Bytes(data);
        let mut fds = vec![3u32];
        // Directories known to exist below the preopen (relative to it), for paths that
        // build on earlier steps.
        let mut dirs: Vec<String> = ["", "a", "a/b", "a/b/c", "x"].map(String::from).to_vec();
        let mut done = Vec::new();
        for _ in 0..MAX_STEPS {
            if input.0.is_empty() {
                break;
            }
            let g = &mut self.guest;
            let fd = fds[input.next() as usize % fds.len()];
            let step = match input.next() % 7 {
                0 => {
                    let (target, path) = (input.target(&dirs), input.path(&dirs));
                    let e = g.symlink(&target, fd, &path);
                    format!("symlink({target:?}, {fd}, {path:?}) = {e}")
                }
                1 => {
                    let flags = if input.next().is_multiple_of(2) {
                        0
                    } else {
                        FOLLOW
                    };
                    let (old, fd2, new) = (
                        input.path(&dirs),
                        fds[input.next() as usize % fds.len()],
                        input.path(&dirs),
                    );
                    let e = g.link(fd, flags, &old, fd2, &new);
                    format!("link({fd}, {flags}, {old:?}, {fd2}, {new:?}) = {e}")
                }
                2 => {
                    let (old, fd2, new) = (
                        input.path(&dirs),
                        fds[input.next() as usize % fds.len()],
                        input.path(&dirs),
                    );
                    let e = g.rename(fd, &old, fd2, &new);
                    format!("rename({fd}, {old:?}, {fd2}, {new:?}) = {e}")
                }
                3 => {
                    let path = input.path(&dirs);
                    let e = g.path_call("path_create_directory", fd, &path);
                    if e == 0 && fd == 3 && !path.split('/').any(|c| c == "." || c == "..") {
                        dirs.push(path.trim_end_matches('/').to_string());
                    }
                    format!("create_directory({fd}, {path:?}) = {e}")
                }
                4 => {
                    let path = input.path(&dirs);
                    let e = g.path_call("path_unlink_file", fd, &path);
                    format!("unlink_file({fd}, {path:?}) = {e}")
                }
                5 => {
                    let path = input.path(&dirs);
                    let e = g.path_call("path_remove_directory", fd, &path);
                    format!("remove_directory({fd}, {path:?}) = {e}")
                }
                _ => {
                    let path = input.path(&dirs);
                    let r = g.open_dir(fd, &path);
                    if let Ok(new) = r {
                        if fds.len() < MAX_FDS {
                            fds.push(new);
                        }
                    }
                    format!("open_dir({fd}, {path:?}) = {r:?}")
                }
            };
            done.push(step);
            let out = self.tree.links_leading_out(&|_| false);
            if !out.is_empty() {
                return Err(format!(
                    "links {out:?} lead out after:\n  {}",
                    done.join("\n  ")
                ));
            }
        }
        self.check_outside()
            .map_err(|e| format!("{e} after:\n  {}", done.join("\n  ")))
    }

    /// The host directory around the preopen holds what it held: the preopen and `secret`.
    fn check_outside(&self) -> Result<(), String> {
        let Some((tmp, _)) = &self.outside else {
            return Ok(());
        };
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        if names != ["sandbox", "secret"] {
            return Err(format!("outside the preopen: {names:?}"));
        }
        if std::fs::read(tmp.path().join("secret")).unwrap() != b"outside" {
            return Err("the file outside changed".into());
        }
        Ok(())
    }
}
