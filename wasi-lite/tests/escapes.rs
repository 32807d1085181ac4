//! Every way out of a preopen we know of, each refused with its exact errno, on the host
//! file system and on `MemFs` (the sandbox is backend-independent, so both must agree).
//!
//! Layout: `outside/secret.txt`, and the preopen `outside/sandbox/` (fd 3) holding
//! `file.txt`, `a/b/c/deep.txt`, and links:
//!   abs_link -> <absolute path of secret.txt>   rel_link -> ../secret.txt
//!   a/up2 -> ../../secret.txt                    a/ok -> ../file.txt
//!   chain1 -> chain2 -> a/chain3 -> ../../secret.txt
//!   dir_out -> ..    dir_abs -> <absolute path of outside>    dir_in -> a/b
//!   dangling -> ../created (which does not exist)

use wisp_test_support::wasi as common;

use common::tree::Tree;
use common::*;
use wisp_wasi::{Dir, MemFs, WasiCtx};

#[derive(Debug, Clone, Copy)]
enum Backend {
    #[cfg(unix)]
    Host,
    Mem,
}

const BACKENDS: &[Backend] = &[
    #[cfg(unix)]
    Backend::Host,
    Backend::Mem,
];

/// Reads a file outside the sandbox by name, if it exists.
type ReadOutside = Box<dyn Fn(&str) -> Option<Vec<u8>>>;

struct Fixture {
    guest: Guest,
    /// The preopen's tree, to see where its links lead.
    tree: Tree,
    _tmp: Option<TempDir>,
    /// Reads a file outside the sandbox, to prove it was not touched.
    outside: ReadOutside,
}

fn links(abs_outside: &str) -> Vec<(String, &'static str)> {
    vec![
        (format!("{abs_outside}/secret.txt"), "abs_link"),
        ("../secret.txt".into(), "rel_link"),
        ("../../secret.txt".into(), "a/up2"),
        ("../file.txt".into(), "a/ok"),
        ("chain2".into(), "chain1"),
        ("a/chain3".into(), "chain2"),
        ("../../secret.txt".into(), "a/chain3"),
        ("..".into(), "dir_out"),
        (abs_outside.to_string(), "dir_abs"),
        ("a/b".into(), "dir_in"),
        ("../created".into(), "dangling"),
    ]
}

fn fixture(backend: Backend, read_only: bool) -> Fixture {
    let mut b = WasiCtx::builder();
    match backend {
        #[cfg(unix)]
        Backend::Host => {
            let tmp = TempDir::new("escapes");
            let out = tmp.path().to_path_buf();
            let sb = out.join("sandbox");
            std::fs::create_dir_all(sb.join("a/b/c")).unwrap();
            std::fs::write(out.join("secret.txt"), "secret").unwrap();
            std::fs::write(sb.join("file.txt"), "inside").unwrap();
            std::fs::write(sb.join("a/b/c/deep.txt"), "deep").unwrap();
            for (target, name) in links(out.to_str().unwrap()) {
                std::os::unix::fs::symlink(target, sb.join(name)).unwrap();
            }
            if read_only {
                b.preopen_dir_read_only(&sb, "/sandbox").unwrap();
            } else {
                b.preopen_dir(&sb, "/sandbox").unwrap();
            }
            let outside = out.clone();
            Fixture {
                guest: Guest::new(b.build().unwrap()),
                tree: Tree::Host(sb),
                _tmp: Some(tmp),
                outside: Box::new(move |name| std::fs::read(outside.join(name)).ok()),
            }
        }
        Backend::Mem => {
            let out = MemFs::new();
            out.add_file("secret.txt", "secret").unwrap();
            let sb = out.add_dir("sandbox").unwrap();
            sb.add_file("file.txt", "inside").unwrap();
            let c = sb
                .add_dir("a")
                .unwrap()
                .add_dir("b")
                .unwrap()
                .add_dir("c")
                .unwrap();
            c.add_file("deep.txt", "deep").unwrap();
            for (target, name) in links("/outside") {
                let (dir, leaf) = match name.split_once('/') {
                    Some((d, leaf)) => (sb.open_dir(d).unwrap(), leaf),
                    None => (sb.try_clone().unwrap(), name),
                };
                dir.symlink(&target, leaf).unwrap();
            }
            let tree = Tree::Mem(sb.clone());
            b.preopen(sb, "/sandbox", read_only);
            Fixture {
                guest: Guest::new(b.build().unwrap()),
                tree,
                _tmp: None,
                outside: Box::new(move |name| {
                    let opts = wisp_wasi::OpenOptions {
                        read: true,
                        ..Default::default()
                    };
                    match out.open(name, &opts).ok()? {
                        wisp_wasi::Opened::File(mut f) => {
                            let mut buf = vec![0u8; 64];
                            let n = f.read(&mut buf).ok()?;
                            buf.truncate(n);
                            Some(buf)
                        }
                        wisp_wasi::Opened::Dir(_) => None,
                    }
                }),
            }
        }
    }
}

/// Fails the test if a link the guest made leads out of the preopen when a host process
/// follows it (the fixture's own links, planted by the host, are not the guest's doing).
fn assert_no_link_leads_out(f: &Fixture, backend: Backend) {
    let planted: Vec<&str> = links("").into_iter().map(|(_, name)| name).collect();
    let trusted = |path: &[String]| planted.contains(&path.join("/").as_str());
    let out = f.tree.links_leading_out(&trusted);
    assert!(out.is_empty(), "{backend:?}: links leading out: {out:?}");
}

/// Opens `path` for reading from the preopen, as wasi-libc's `open(path, O_RDONLY)`.
fn open_ro(g: &mut Guest, dirflags: i32, path: &str) -> Result<u32, i32> {
    g.open(3, dirflags, path, 0, READ_RIGHTS, 0)
}

#[test]
fn dotdot_above_the_preopen_is_refused_at_every_depth() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        let dirs = ["a", "b", "c"];
        for depth in 0..=dirs.len() {
            let down = dirs[..depth].join("/");
            let up = vec![".."; depth + 1].join("/");
            let path = if depth == 0 {
                format!("{up}/secret.txt")
            } else {
                format!("{down}/{up}/secret.txt")
            };
            assert_eq!(
                open_ro(g, 0, &path),
                Err(ENOTCAPABLE),
                "{backend:?}: {path}"
            );
            assert_eq!(g.stat(3, 0, &path), Err(ENOTCAPABLE), "{backend:?}: {path}");
            let bare = if depth == 0 {
                up.clone()
            } else {
                format!("{down}/{up}")
            };
            assert_eq!(g.stat(3, 0, &bare), Err(ENOTCAPABLE), "{backend:?}: {bare}");
            // One `..` fewer stays inside.
            if depth > 0 {
                let inside = format!("{down}/{}/file.txt", vec![".."; depth].join("/"));
                assert!(open_ro(g, 0, &inside).is_ok(), "{backend:?}: {inside}");
            }
        }
    }
}

#[test]
fn descending_then_climbing_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(
            open_ro(g, 0, "a/../../secret.txt"),
            Err(ENOTCAPABLE),
            "{backend:?}"
        );
        assert_eq!(open_ro(g, 0, "a/./b/../../../secret.txt"), Err(ENOTCAPABLE));
        assert_eq!(
            open_ro(g, 0, "a/b/c/../../../../sandbox/file.txt"),
            Err(ENOTCAPABLE)
        );
    }
}

#[test]
fn absolute_paths_are_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        for path in [
            "/secret.txt",
            "/",
            "/sandbox/file.txt",
            "/etc/passwd",
            "//file.txt",
        ] {
            assert_eq!(open_ro(g, 0, path), Err(ENOTCAPABLE), "{backend:?}: {path}");
            assert_eq!(g.stat(3, 0, path), Err(ENOTCAPABLE), "{backend:?}: {path}");
        }
    }
}

#[test]
fn absolute_symlink_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(
            open_ro(g, FOLLOW, "abs_link"),
            Err(ENOTCAPABLE),
            "{backend:?}"
        );
        assert_eq!(
            g.stat(3, FOLLOW, "abs_link"),
            Err(ENOTCAPABLE),
            "{backend:?}"
        );
        // Not following, the link itself is what is named.
        assert_eq!(open_ro(g, 0, "abs_link"), Err(ELOOP), "{backend:?}");
        assert_eq!(g.stat(3, 0, "abs_link").unwrap().0, FILETYPE_SYMLINK);
    }
}

#[test]
fn relative_symlink_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(
            open_ro(g, FOLLOW, "rel_link"),
            Err(ENOTCAPABLE),
            "{backend:?}"
        );
        assert_eq!(open_ro(g, FOLLOW, "a/up2"), Err(ENOTCAPABLE), "{backend:?}");
        assert_eq!(g.stat(3, FOLLOW, "a/up2"), Err(ENOTCAPABLE), "{backend:?}");
        // A relative link that stays inside is followed.
        let fd = open_ro(g, FOLLOW, "a/ok").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()));
    }
}

#[test]
fn symlink_chain_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(
            open_ro(g, FOLLOW, "chain1"),
            Err(ENOTCAPABLE),
            "{backend:?}"
        );
        assert_eq!(g.stat(3, FOLLOW, "chain1"), Err(ENOTCAPABLE), "{backend:?}");
    }
}

#[test]
fn symlink_in_an_intermediate_component_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        // Intermediate components are followed whatever the lookup flags say, and
        // checked the same way.
        for path in [
            "dir_out/secret.txt",
            "dir_abs/secret.txt",
            "dir_out/sandbox/file.txt",
        ] {
            assert_eq!(open_ro(g, 0, path), Err(ENOTCAPABLE), "{backend:?}: {path}");
            assert_eq!(g.stat(3, 0, path), Err(ENOTCAPABLE), "{backend:?}: {path}");
        }
        // One that stays inside is fine.
        let fd = open_ro(g, 0, "dir_in/c/deep.txt").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"deep".to_vec()));
    }
}

#[test]
fn long_symlink_chains_end_in_eloop() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        // 40 links, each to the next, the last to file.txt: more than the sandbox expands.
        for i in 0..40 {
            let target = if i == 39 {
                "file.txt".to_string()
            } else {
                format!("l{}", i + 1)
            };
            assert_eq!(g.symlink(&target, 3, &format!("l{i}")), 0);
        }
        assert_eq!(open_ro(g, FOLLOW, "l0"), Err(ELOOP), "{backend:?}");
        assert!(
            open_ro(g, FOLLOW, "l20").is_ok(),
            "{backend:?}: 20 links are fine"
        );
    }
}

#[test]
fn a_directory_descriptor_is_its_own_root() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        let a = g.open_dir(3, "a").unwrap();
        assert_eq!(
            g.open(a, 0, "../file.txt", 0, READ_RIGHTS, 0),
            Err(ENOTCAPABLE)
        );
        // a/ok -> ../file.txt climbs above `a`, which is the root for this descriptor.
        assert_eq!(g.open(a, FOLLOW, "ok", 0, READ_RIGHTS, 0), Err(ENOTCAPABLE));
        assert!(g.open(a, 0, "b/c/deep.txt", 0, READ_RIGHTS, 0).is_ok());
    }
}

#[test]
fn every_path_function_refuses_to_climb_out() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        for path in ["../x", "a/../../x", "/x", "dir_out/x"] {
            for func in [
                "path_create_directory",
                "path_remove_directory",
                "path_unlink_file",
            ] {
                assert_eq!(
                    g.path_call(func, 3, path),
                    ENOTCAPABLE,
                    "{backend:?}: {func} {path}"
                );
            }
            assert_eq!(g.stat(3, 0, path), Err(ENOTCAPABLE));
            assert_eq!(g.readlink(3, path), Err(ENOTCAPABLE));
            g.write(PATH, path.as_bytes());
            assert_eq!(
                g.call(
                    "path_filestat_set_times",
                    &[3, 0, PATH as i64, path.len() as i64, 0, 0, 2]
                ),
                ENOTCAPABLE
            );
            assert_eq!(g.open(3, 0, path, O_CREAT, ALL_RIGHTS, 0), Err(ENOTCAPABLE));
            assert_eq!(g.symlink("file.txt", 3, path), ENOTCAPABLE);
            assert_eq!(g.link(3, 0, path, 3, "new"), ENOTCAPABLE);
            assert_eq!(g.link(3, 0, "file.txt", 3, path), ENOTCAPABLE);
            assert_eq!(g.rename(3, path, 3, "new"), ENOTCAPABLE);
            assert_eq!(g.rename(3, "file.txt", 3, path), ENOTCAPABLE);
        }
        assert_eq!(
            (f.outside)("x"),
            None,
            "{backend:?}: nothing created outside"
        );
    }
}

#[test]
fn hard_link_to_outside_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(g.link(3, 0, "../secret.txt", 3, "stolen"), ENOTCAPABLE);
        assert_eq!(
            g.link(3, FOLLOW, "abs_link", 3, "stolen"),
            ENOTCAPABLE,
            "{backend:?}"
        );
        assert_eq!(
            g.link(3, FOLLOW, "rel_link", 3, "stolen"),
            ENOTCAPABLE,
            "{backend:?}"
        );
        assert_eq!(
            g.link(3, FOLLOW, "chain1", 3, "stolen"),
            ENOTCAPABLE,
            "{backend:?}"
        );
        assert_eq!(g.link(3, 0, "file.txt", 3, "../planted"), ENOTCAPABLE);
        assert_eq!(g.stat(3, 0, "stolen"), Err(ENOENT));
        assert_eq!((f.outside)("planted"), None);
        // Without following, the link itself would be linked: a second name for a link
        // that leads out is a link the guest planted, refused as creating it would be.
        assert_eq!(
            g.link(3, 0, "abs_link", 3, "copy_of_link"),
            EPERM,
            "{backend:?}"
        );
        assert_eq!(g.link(3, 0, "rel_link", 3, "copy"), EPERM, "{backend:?}");
        // Two levels down the same target stays inside: allowed.
        assert_eq!(g.link(3, 0, "rel_link", 3, "a/b/copy"), 0, "{backend:?}");
        assert_eq!(g.stat(3, 0, "copy_of_link"), Err(ENOENT));
    }
}

#[test]
fn rename_out_of_or_into_the_sandbox_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(g.rename(3, "file.txt", 3, "../moved"), ENOTCAPABLE);
        assert_eq!(g.rename(3, "file.txt", 3, "dir_out/moved"), ENOTCAPABLE);
        assert_eq!(g.rename(3, "../secret.txt", 3, "got"), ENOTCAPABLE);
        assert_eq!(g.rename(3, "dir_abs/secret.txt", 3, "got"), ENOTCAPABLE);
        assert_eq!(
            (f.outside)("secret.txt"),
            Some(b"secret".to_vec()),
            "{backend:?}"
        );
        assert_eq!((f.outside)("moved"), None);
        assert!(open_ro(g, 0, "file.txt").is_ok());
    }
}

#[test]
fn symlink_creation_pointing_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        // EPERM, as wasmtime answers for the links it refuses (absolute targets).
        assert_eq!(g.symlink("/etc/passwd", 3, "p"), EPERM, "{backend:?}");
        assert_eq!(g.symlink("../secret.txt", 3, "p"), EPERM);
        assert_eq!(g.symlink("../../x", 3, "a/p"), EPERM);
        // A `..` after a name means whatever the name is when the link is followed.
        assert_eq!(g.symlink("a/../../secret.txt", 3, "p"), EPERM);
        assert_eq!(g.symlink("a/../file.txt", 3, "p"), EPERM);
        assert_eq!(g.stat(3, 0, "p"), Err(ENOENT));
        // Pointing within is allowed.
        assert_eq!(g.symlink("../file.txt", 3, "a/fine"), 0);
        let fd = open_ro(g, FOLLOW, "a/fine").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()));
        assert_no_link_leads_out(&f, backend);
    }
}

/// The attack of issue 26: a link that is contained one level down, moved up a level by
/// `path_rename` or given a second name there by `path_link`.
#[test]
fn a_link_moved_or_linked_to_a_shallower_place_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(g.path_call("path_create_directory", 3, "sub"), 0);
        assert_eq!(g.symlink("../../secret.txt", 3, "sub/l"), EPERM);
        assert_eq!(g.symlink("../file.txt", 3, "sub/l"), 0, "{backend:?}");
        assert_eq!(g.rename(3, "sub/l", 3, "l"), EPERM, "{backend:?}");
        assert_eq!(g.link(3, 0, "sub/l", 3, "l"), EPERM, "{backend:?}");
        assert_eq!(g.stat(3, 0, "l"), Err(ENOENT));
        // Through a descriptor for `sub`, depths count from there: `..` is refused even
        // one level down from the preopen.
        let sub = g.open_dir(3, "sub").unwrap();
        assert_eq!(g.rename(3, "sub/l", sub, "again"), EPERM);
        assert_eq!(g.symlink("../file.txt", sub, "l2"), EPERM);
        // Level or deeper is fine, and the link still works there.
        assert_eq!(g.rename(3, "sub/l", 3, "a/l"), 0, "{backend:?}");
        assert_eq!(g.link(3, 0, "a/l", 3, "a/b/l"), 0, "{backend:?}");
        let fd = open_ro(g, FOLLOW, "a/l").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()));
        // Hard links that follow link the target file, not the link: nothing to check.
        assert_eq!(g.link(3, FOLLOW, "a/l", 3, "hard"), 0, "{backend:?}");
        // The fixture's own links, planted by the host, may not be moved up either.
        assert_eq!(g.rename(3, "a/ok", 3, "ok"), EPERM, "{backend:?}");
        assert_eq!(g.link(3, 0, "a/ok", 3, "ok"), EPERM, "{backend:?}");
        assert_no_link_leads_out(&f, backend);
    }
}

/// A directory holding relative links, moved to a shallower place (by the same
/// descriptor, or through another one), has every link inside checked at its new depth.
#[test]
fn a_directory_of_links_moved_to_a_shallower_place_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        for d in ["d", "d/e", "d/e/f", "x"] {
            assert_eq!(g.path_call("path_create_directory", 3, d), 0);
        }
        // `d/e/f/l` climbs three levels: to the preopen's root, where `file.txt` is.
        assert_eq!(g.symlink("../../../file.txt", 3, "d/e/f/l"), 0);
        assert_eq!(g.symlink("../../x", 3, "d/e/m"), 0);
        for (from, to) in [("d/e", "e"), ("d/e/f", "f"), ("d/e/f", "x/f")] {
            assert_eq!(
                g.rename(3, from, 3, to),
                EPERM,
                "{backend:?}: {from} -> {to}"
            );
        }
        let x = g.open_dir(3, "x").unwrap();
        assert_eq!(
            g.rename(3, "d/e", x, "e"),
            EPERM,
            "{backend:?}: across descriptors"
        );
        // Sideways and down are fine, and the links still lead where they did.
        assert_eq!(g.rename(3, "d", 3, "dd"), 0, "{backend:?}");
        assert_eq!(g.rename(3, "dd", 3, "x/dd"), 0, "{backend:?}");
        // `x/dd/e/f/l` now climbs to `x`, which holds no `file.txt`.
        let fd = open_ro(g, FOLLOW, "x/dd/e/f/l");
        assert_eq!(
            fd.map(|_| ()),
            Err(ENOENT),
            "{backend:?}: one level deeper now"
        );
        assert_no_link_leads_out(&f, backend);
    }
}

/// What the kernel would make of `s/..` once `s` is a link to `.`: the parent of the
/// preopen. So no target may climb after a name, whatever the name is now.
#[test]
fn a_link_through_a_link_cannot_climb_out() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        assert_eq!(g.symlink(".", 3, "s"), 0);
        assert_eq!(g.symlink("s/..", 3, "l"), EPERM, "{backend:?}");
        assert_eq!(g.symlink("s/../secret.txt", 3, "l"), EPERM, "{backend:?}");
        // Planted before `s` exists, then `s` made a link: refused at the first step.
        assert_eq!(g.symlink("t/../secret.txt", 3, "m"), EPERM, "{backend:?}");
        assert_no_link_leads_out(&f, backend);
    }
}

#[test]
fn read_only_preopen_refuses_every_write() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, true);
        let g = &mut f.guest;
        let label = format!("{backend:?}");
        // Opening for writing, creating, truncating.
        assert_eq!(
            g.open(3, 0, "file.txt", 0, ALL_RIGHTS, 0),
            Err(EROFS),
            "{label}"
        );
        assert_eq!(g.open(3, 0, "new.txt", O_CREAT, READ_RIGHTS, 0), Err(EROFS));
        assert_eq!(
            g.open(3, 0, "file.txt", O_TRUNC, READ_RIGHTS, 0),
            Err(EROFS)
        );
        // Changing the tree.
        assert_eq!(g.path_call("path_create_directory", 3, "d"), EROFS);
        assert_eq!(g.path_call("path_unlink_file", 3, "file.txt"), EROFS);
        assert_eq!(g.path_call("path_remove_directory", 3, "a/b/c"), EROFS);
        assert_eq!(g.rename(3, "file.txt", 3, "renamed"), EROFS);
        assert_eq!(g.symlink("file.txt", 3, "ln"), EROFS);
        assert_eq!(g.link(3, 0, "file.txt", 3, "hard"), EROFS);
        g.write(PATH, b"file.txt");
        assert_eq!(
            g.call("path_filestat_set_times", &[3, 0, PATH as i64, 8, 0, 0, 2]),
            EROFS
        );

        // A file opened for reading carries no write rights.
        let fd = open_ro(g, 0, "file.txt").unwrap();
        assert_eq!(g.fd_write(fd, b"x"), Err(EROFS));
        let (iov, n) = g.iovecs(&[(BUF, 1)]);
        assert_eq!(
            g.call("fd_pwrite", &[fd as i64, iov, n, 0, OUT as i64]),
            EROFS
        );
        assert_eq!(g.call("fd_filestat_set_size", &[fd as i64, 0]), EROFS);
        assert_eq!(
            g.call("fd_filestat_set_times", &[fd as i64, 0, 0, 2]),
            EROFS
        );
        assert_eq!(g.call("fd_allocate", &[fd as i64, 0, 100]), EROFS);
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()));

        // Nor does a directory opened beneath it, nor can rights be taken back.
        let a = g.open_dir(3, "a").unwrap();
        assert_eq!(g.path_call("path_create_directory", a, "d"), EROFS);
        assert_eq!(g.open(a, 0, "b/c/deep.txt", 0, ALL_RIGHTS, 0), Err(EROFS));
        assert_eq!(
            g.call("fd_fdstat_set_rights", &[3, ALL_RIGHTS, ALL_RIGHTS]),
            ENOTCAPABLE
        );
        assert_eq!(g.call("fd_fdstat_get", &[3, BUF as i64]), 0);
        let (base, inheriting) = (g.u64(BUF + 8), g.u64(BUF + 16));
        assert_eq!(
            base & (RIGHT_FD_WRITE as u64 | 1 << 9 | 1 << 10 | 1 << 26),
            0
        );
        assert_eq!(inheriting & RIGHT_FD_WRITE as u64, 0);

        // Reading still works, and nothing changed.
        let root = g.open_dir(3, ".").unwrap();
        assert!(g
            .list_dir(root, 4096)
            .unwrap()
            .contains(&"file.txt".to_string()));
        assert_eq!(g.stat(3, 0, "d"), Err(ENOENT));
        let fd = open_ro(g, 0, "file.txt").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()), "{label}");
    }
}

#[test]
fn creating_through_a_dangling_link_that_points_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        // `dangling -> ../created`: a file that does not exist yet, outside.
        assert_eq!(
            g.open(3, FOLLOW, "dangling", O_CREAT, ALL_RIGHTS, 0),
            Err(ENOTCAPABLE)
        );
        // Without following, O_CREAT never writes through a link.
        assert_eq!(
            g.open(3, 0, "dangling", O_CREAT, ALL_RIGHTS, 0),
            Err(ELOOP),
            "{backend:?}"
        );
        assert_eq!((f.outside)("created"), None, "{backend:?}");
    }
}

#[test]
fn setting_times_through_a_link_out_is_refused() {
    for &backend in BACKENDS {
        let mut f = fixture(backend, false);
        let g = &mut f.guest;
        for link in ["abs_link", "rel_link", "chain1"] {
            g.write(PATH, link.as_bytes());
            let args = [3, FOLLOW as i64, PATH as i64, link.len() as i64, 0, 0, 2];
            assert_eq!(
                g.call("path_filestat_set_times", &args),
                ENOTCAPABLE,
                "{backend:?}: {link}"
            );
        }
    }
}

#[test]
fn renames_and_links_across_into_or_out_of_a_read_only_preopen_are_refused() {
    for &backend in BACKENDS {
        // fd 3: a read-write preopen; fd 4: a read-only one.
        let mut b = WasiCtx::builder();
        let _tmp: Option<TempDir> = match backend {
            #[cfg(unix)]
            Backend::Host => {
                let tmp = TempDir::new("ro-across");
                for d in ["rw", "ro"] {
                    std::fs::create_dir(tmp.path().join(d)).unwrap();
                    std::fs::write(tmp.path().join(d).join("f"), d).unwrap();
                }
                b.preopen_dir(tmp.path().join("rw"), "/rw").unwrap();
                b.preopen_dir_read_only(tmp.path().join("ro"), "/ro")
                    .unwrap();
                Some(tmp)
            }
            Backend::Mem => {
                let root = MemFs::new();
                let (rw, ro) = (root.add_dir("rw").unwrap(), root.add_dir("ro").unwrap());
                rw.add_file("f", "rw").unwrap();
                ro.add_file("f", "ro").unwrap();
                b.preopen(rw, "/rw", false).preopen(ro, "/ro", true);
                None
            }
        };
        let mut g = Guest::new(b.build().unwrap());
        assert_eq!(
            g.rename(3, "f", 4, "moved"),
            EROFS,
            "{backend:?}: rename into"
        );
        assert_eq!(
            g.rename(4, "f", 3, "moved"),
            EROFS,
            "{backend:?}: rename out of"
        );
        assert_eq!(
            g.link(3, 0, "f", 4, "linked"),
            EROFS,
            "{backend:?}: link into"
        );
        assert_eq!(
            g.link(4, 0, "f", 3, "linked"),
            EROFS,
            "{backend:?}: link out of"
        );
        assert_eq!(g.stat(4, 0, "moved"), Err(ENOENT));
        assert_eq!(g.stat(3, 0, "moved"), Err(ENOENT));
        assert!(g.open(4, 0, "f", 0, READ_RIGHTS, 0).is_ok());
    }
}

/// The check the tests above end with is not vacuous: links planted behind the sandbox's
/// back (straight through the backend) that lead out, physically, are found.
#[test]
fn the_link_check_finds_links_that_lead_out() {
    for &backend in BACKENDS {
        let f = fixture(backend, false);
        let plant = |target: &str, name: &str| match &f.tree {
            #[cfg(unix)]
            Tree::Host(root) => std::os::unix::fs::symlink(target, root.join(name)).unwrap(),
            Tree::Mem(root) => root.symlink(target, name).unwrap(),
        };
        plant(".", "s");
        plant("s/..", "l");
        plant("a/b/../../..", "lexically_out");
        plant("s/a/b/c/../../..", "fine");
        let mut out = f.tree.links_leading_out(&|_| false);
        out.retain(|l| ["s", "l", "lexically_out", "fine"].contains(&l.as_str()));
        out.sort();
        assert_eq!(out, ["l", "lexically_out"], "{backend:?}");
    }
}

/// Random sequences of `path_symlink`, `path_link`, `path_rename`, `path_create_directory`,
/// `path_unlink_file`, `path_remove_directory` and descriptors opened on the way, on both
/// backends; after every step no link leads out (`common/steps.rs`). The fuzz target
/// `wasi_paths` runs the same driver on fuzzer input.
#[test]
fn random_sequences_never_leave_a_link_leading_out() {
    let sequences: u64 = std::env::var("WISP_LINK_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut bytes = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state.to_le_bytes()
    };
    for seq in 0..sequences {
        let data: Vec<u8> = (0..12).flat_map(|_| bytes()).collect();
        let mut preopens = vec![common::steps::Preopen::mem()];
        #[cfg(unix)]
        preopens.push(common::steps::Preopen::host("sequences"));
        for p in &mut preopens {
            if let Err(e) = p.run(&data) {
                panic!("sequence {seq} ({data:?}): {e}");
            }
        }
    }
}
