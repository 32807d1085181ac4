//! Which symbolic links a guest may leave in a preopen.
//!
//! wisp's own walk (`sandbox.rs`) never follows a link out of a preopen, whatever it
//! says. But other programs on the host do not walk that way: a backup job, a shell or a
//! web server that later follows a link the guest planted resolves it with the kernel's
//! rules. So the guest may not *leave* a link that a host process would follow out of the
//! preopen, by any sequence of calls: creating one (`path_symlink`), giving an existing
//! one a new name at another depth (`path_link` of a link, `path_rename` of a link), or
//! moving a directory that holds links to a shallower place (`path_rename` of a
//! directory). Each of these checks the links it places; a refusal is `EPERM`, what
//! wasmtime answers for the links it refuses (cap-std's "escape attempt").
//!
//! # The rule, and why it is enough
//!
//! A link's target is *contained* at depth `d` (the link sits in a directory `d` levels
//! below the preopen) when it is relative, every `..` in it comes before every other
//! component (`../../x/y`, never `x/../y`), and it has at most `d` of them.
//!
//! The kernel resolves a target physically: `..` goes to the parent of wherever the
//! components before it led, and a link met on the way is expanded where it stands. A
//! contained target's leading `..`s climb real directories from the link's own, so they
//! stay inside; its other components only go down, into a real directory of the preopen
//! or into another link, which, contained too, leads inside by the same argument. So if
//! every link in a preopen is contained where it sits, no chain of them leads out. A `..`
//! after a name is refused because what it means depends on what that name is when the
//! link is followed: `s/..` is the link's own directory while `s` is one, and the parent
//! of the preopen's root once the guest turns `s` into a link to `.`.
//!
//! Depths are counted from the descriptor the guest named, which is never deeper than the
//! directory's real depth below its preopen, so each check is at least as strict as the
//! real one. Moving a directory keeps the links inside it contained unless it lands
//! shallower; a rename within one descriptor that does not climb needs no look inside.
//! Otherwise every link below the moved directory is checked at its new depth, within a
//! budget (`MAX_SCAN_ENTRIES` entries, `MAX_SCAN_DEPTH` levels); a tree larger than that
//! is refused with `EXDEV`, which tools such as `mv` answer by copying, link by link,
//! through `path_symlink`.
//!
//! Links the host placed in a preopen are the host's business (THREAT_MODEL.md, residual
//! risk): they are not scanned at load, and only a guest that moves one is held to the
//! rule.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::abi::Filetype;
use crate::errno::{Errno, WasiResult};
use crate::host::Dir;

/// The most entries one directory move may look at for links.
pub const MAX_SCAN_ENTRIES: usize = 100_000;

/// The most directory levels below a moved directory that are looked at (the handles
/// held while looking, one per level).
pub const MAX_SCAN_DEPTH: usize = 128;

/// Whether a link with contents `target`, sitting `depth` directories below the start of
/// the descriptor it was named through, is contained (see the module's doc).
pub(crate) fn contained(target: &[u8], depth: usize) -> bool {
    if target.first() == Some(&b'/') {
        return false;
    }
    let mut climb = 0usize;
    let mut named = false;
    for component in target.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." if named => return false,
            b".." => climb += 1,
            _ => named = true,
        }
    }
    climb <= depth
}

/// Checks the link `name` in `dir` for a new place `depth` levels down: `EPERM` if it
/// would not be contained there. Anything but a link passes.
pub(crate) fn check_link_at(dir: &dyn Dir, name: &str, depth: usize) -> WasiResult {
    if dir.stat_at(name)?.filetype != Filetype::SymbolicLink {
        return Ok(());
    }
    if contained(&dir.read_link(name)?, depth) {
        Ok(())
    } else {
        Err(Errno::Perm)
    }
}

/// Checks every link below directory `moved` for its new place, where its own entries
/// sit `depth` levels down. `EPERM` if one would not be contained; `EXDEV` past the
/// scanning budget.
pub(crate) fn check_moved_tree(moved: Box<dyn Dir>, depth: usize) -> WasiResult {
    // Depth-first, one handle per level: each frame is a directory and the names of its
    // subdirectories still to visit.
    let mut stack: Vec<(Box<dyn Dir>, Vec<String>)> = Vec::new();
    let mut seen = 0usize;
    let mut dir = moved;
    loop {
        let level = depth + stack.len();
        let mut subdirs = Vec::new();
        for entry in dir.read_dir()? {
            if entry.name == b"." || entry.name == b".." {
                continue;
            }
            seen += 1;
            if seen > MAX_SCAN_ENTRIES {
                return Err(Errno::Xdev);
            }
            // Names that are not UTF-8 cannot be walked by the sandbox, but a host
            // process could follow a link so named: refuse rather than skip it.
            let name = String::from_utf8(entry.name).map_err(|_| Errno::Xdev)?;
            match entry.filetype {
                Filetype::Directory => subdirs.push(name),
                Filetype::SymbolicLink => check_link_at(&*dir, &name, level)?,
                // A backend that cannot say asks the entry itself.
                Filetype::Unknown => match dir.stat_at(&name)?.filetype {
                    Filetype::Directory => subdirs.push(name),
                    _ => check_link_at(&*dir, &name, level)?,
                },
                _ => {}
            }
        }
        stack.push((dir, subdirs));
        // The next directory to look into: the deepest frame with one left.
        loop {
            let levels = stack.len();
            let Some((top, subdirs)) = stack.last_mut() else {
                return Ok(());
            };
            match subdirs.pop() {
                Some(name) => {
                    if levels > MAX_SCAN_DEPTH {
                        return Err(Errno::Xdev);
                    }
                    dir = top.open_dir(&name)?;
                    break;
                }
                None => {
                    stack.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memfs::MemFs;

    #[test]
    fn contained_targets() {
        let yes = |t: &str, d| assert!(contained(t.as_bytes(), d), "{t:?} at {d}");
        let no = |t: &str, d| assert!(!contained(t.as_bytes(), d), "{t:?} at {d}");
        no("/etc/passwd", 3);
        no("..", 0);
        yes("..", 1);
        no("../../x", 1);
        yes("../x", 1);
        yes("./x", 0);
        yes("x/y/", 0);
        yes(".", 0);
        yes("./.././/../x", 2);
        // A `..` after a name depends on what the name is when followed.
        no("a/../x", 5);
        no("a/b/../../c", 0);
        no("s/..", 3);
        no("../a/..", 4);
    }

    /// `a/b/l -> ../../f` is contained in `a/b`, not one level up.
    #[test]
    fn a_moved_tree_is_checked_at_its_new_depth() {
        let root = MemFs::new();
        let a = root.add_dir("a").unwrap();
        let b = a.add_dir("b").unwrap();
        b.symlink("../../f", "l").unwrap();
        b.add_dir("c")
            .unwrap()
            .symlink("../../../f", "deeper")
            .unwrap();
        // `a`'s entries at depth 1 (it moves one level down): b at 2, so fine.
        assert_eq!(check_moved_tree(a.try_clone().unwrap(), 1), Ok(()));
        // At the top: `b/l` climbs out.
        assert_eq!(check_moved_tree(Box::new(a), 0), Err(Errno::Perm));
        // Plain entries only: nothing to refuse at any depth.
        let plain = MemFs::new();
        plain.add_dir("x").unwrap().add_file("y", "").unwrap();
        assert_eq!(check_moved_tree(Box::new(plain), 0), Ok(()));
    }

    #[test]
    fn trees_past_the_budget_are_exdev() {
        let root = MemFs::new();
        let mut dir = root.add_dir("d").unwrap();
        for _ in 0..MAX_SCAN_DEPTH {
            dir = dir.add_dir("d").unwrap();
        }
        assert_eq!(check_moved_tree(Box::new(root), 0), Err(Errno::Xdev));
        let wide = MemFs::new();
        for i in 0..=MAX_SCAN_ENTRIES {
            wide.add_file(&alloc::format!("{i}"), "").unwrap();
        }
        assert_eq!(check_moved_tree(Box::new(wide), 0), Err(Errno::Xdev));
    }
}
