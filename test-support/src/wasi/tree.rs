//! Where the links in a preopen lead when a host process follows them: each link is
//! resolved as the kernel resolves it (physically: `..` is the parent of wherever the
//! components before it led, a link met on the way is expanded where it stands), from a
//! walk of the tree itself: with `std::fs` on the host, through `Dir` for `MemFs`. Nothing
//! of the sandbox's own walk is used, so this checks it rather than repeating it.

#[cfg(unix)]
use std::path::PathBuf;

use wisp_wasi::{Dir, Filetype, MemFs};

/// Linux's limit on links expanded in one resolution.
const MAX_EXPANSIONS: u32 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    Link,
    Other,
}

/// A preopen's tree, read without following links.
pub enum Tree {
    /// The preopen's directory on the host.
    #[cfg(unix)]
    Host(PathBuf),
    Mem(MemFs),
}

impl Tree {
    fn lstat(&self, path: &[String]) -> Option<Kind> {
        match self {
            #[cfg(unix)]
            Tree::Host(root) => {
                let md = std::fs::symlink_metadata(root.join(path.join("/"))).ok()?;
                let ft = md.file_type();
                Some(if ft.is_dir() {
                    Kind::Dir
                } else if ft.is_symlink() {
                    Kind::Link
                } else {
                    Kind::Other
                })
            }
            Tree::Mem(root) => {
                let (dir, name) = self.mem_parent(root, path)?;
                Some(match dir.stat_at(name).ok()?.filetype {
                    Filetype::Directory => Kind::Dir,
                    Filetype::SymbolicLink => Kind::Link,
                    _ => Kind::Other,
                })
            }
        }
    }

    fn read_link(&self, path: &[String]) -> Vec<u8> {
        match self {
            #[cfg(unix)]
            Tree::Host(root) => {
                use std::os::unix::ffi::OsStrExt;
                let t = std::fs::read_link(root.join(path.join("/"))).expect("read a link");
                t.as_os_str().as_bytes().to_vec()
            }
            Tree::Mem(root) => {
                let (dir, name) = self.mem_parent(root, path).expect("a link's directory");
                dir.read_link(name).expect("read a link")
            }
        }
    }

    /// The names in directory `path`.
    fn list(&self, path: &[String]) -> Vec<String> {
        match self {
            #[cfg(unix)]
            Tree::Host(root) => std::fs::read_dir(root.join(path.join("/")))
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok()?.file_name().into_string().ok())
                        .collect()
                })
                .unwrap_or_default(),
            Tree::Mem(root) => {
                let Some(dir) = mem_dir(root, path) else {
                    return Vec::new();
                };
                dir.read_dir()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| String::from_utf8(e.name).ok())
                    .filter(|n| n != "." && n != "..")
                    .collect()
            }
        }
    }

    fn mem_parent<'p>(&self, root: &MemFs, path: &'p [String]) -> Option<(Box<dyn Dir>, &'p str)> {
        let (name, dirs) = path.split_last()?;
        Some((mem_dir(root, dirs)?, name))
    }

    /// Every link in the tree, as (directory path, name), found without following links.
    pub fn links(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut dirs = vec![Vec::new()];
        while let Some(dir) = dirs.pop() {
            for name in self.list(&dir) {
                let mut path = dir.clone();
                path.push(name);
                match self.lstat(&path) {
                    Some(Kind::Dir) => dirs.push(path),
                    Some(Kind::Link) => out.push(path),
                    _ => {}
                }
            }
        }
        out
    }

    /// Whether following the link at `link` leads outside the tree's root, as the kernel
    /// would resolve it now. A link for which `trusted` says yes (one the host planted) ends
    /// the resolution without an answer: where it leads is not the guest's doing.
    pub fn leads_out(&self, link: &[String], trusted: &dyn Fn(&[String]) -> bool) -> bool {
        let mut at: Vec<String> = link[..link.len() - 1].to_vec();
        let mut pending = components(&self.read_link(link));
        if self.read_link(link).first() == Some(&b'/') {
            return true;
        }
        let mut expansions = 1;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "" | "." => {}
                ".." => {
                    if at.pop().is_none() {
                        return true;
                    }
                }
                name => {
                    let mut path = at.clone();
                    path.push(name.to_string());
                    match self.lstat(&path) {
                        // Nothing there: the resolution ends here (ENOENT), nowhere.
                        None => return false,
                        Some(Kind::Dir) => at = path,
                        Some(Kind::Link) => {
                            if trusted(&path) {
                                return false;
                            }
                            expansions += 1;
                            if expansions > MAX_EXPANSIONS {
                                return false;
                            }
                            let target = self.read_link(&path);
                            if target.first() == Some(&b'/') {
                                return true;
                            }
                            pending.extend(components(&target));
                        }
                        // A file: the end, or ENOTDIR if components remain.
                        Some(Kind::Other) => return false,
                    }
                }
            }
        }
        false
    }

    /// Every link the guest may have made (not `trusted`) that leads out, by path.
    pub fn links_leading_out(&self, trusted: &dyn Fn(&[String]) -> bool) -> Vec<String> {
        self.links()
            .into_iter()
            .filter(|l| !trusted(l) && self.leads_out(l, trusted))
            .map(|l| l.join("/"))
            .collect()
    }
}

/// A target's components, the next one last.
fn components(target: &[u8]) -> Vec<String> {
    let mut c: Vec<String> = String::from_utf8_lossy(target)
        .split('/')
        .map(str::to_string)
        .collect();
    c.reverse();
    c
}

fn mem_dir(root: &MemFs, path: &[String]) -> Option<Box<dyn Dir>> {
    let mut dir: Box<dyn Dir> = Box::new(root.clone());
    for c in path {
        dir = dir.open_dir(c).ok()?;
    }
    Some(dir)
}
