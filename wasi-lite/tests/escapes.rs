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

mod common;

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
            b.preopen(sb, "/sandbox", read_only);
            Fixture {
                guest: Guest::new(b.build().unwrap()),
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
        // Without following, the link itself is linked: still a link that is refused
        // when followed.
        assert_eq!(
            g.link(3, 0, "abs_link", 3, "copy_of_link"),
            0,
            "{backend:?}"
        );
        assert_eq!(open_ro(g, FOLLOW, "copy_of_link"), Err(ENOTCAPABLE));
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
        assert_eq!(g.symlink("/etc/passwd", 3, "p"), ENOTCAPABLE, "{backend:?}");
        assert_eq!(g.symlink("../secret.txt", 3, "p"), ENOTCAPABLE);
        assert_eq!(g.symlink("a/../../secret.txt", 3, "p"), ENOTCAPABLE);
        assert_eq!(g.symlink("../../x", 3, "a/p"), ENOTCAPABLE);
        assert_eq!(g.stat(3, 0, "p"), Err(ENOENT));
        // Pointing within is allowed.
        assert_eq!(g.symlink("../file.txt", 3, "a/fine"), 0);
        let fd = open_ro(g, FOLLOW, "a/fine").unwrap();
        assert_eq!(g.fd_read(fd, 64), Ok(b"inside".to_vec()));
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
        let _tmp = match backend {
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
