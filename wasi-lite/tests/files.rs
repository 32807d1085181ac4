//! Files and directories in a preopen, on the host file system and on `MemFs`: the same
//! guest calls must behave the same on both.

use wisp_test_support::wasi as common;

use common::*;
use wisp_wasi::{MemFs, OutputBuffer, WasiCtx};

#[derive(Debug, Clone, Copy)]
enum Backend {
    /// Host directories can be preopened on unix hosts only.
    #[cfg(unix)]
    Host,
    Mem,
}

const BACKENDS: &[Backend] = &[
    #[cfg(unix)]
    Backend::Host,
    Backend::Mem,
];

/// A guest with one empty read-write preopen, `/sandbox`, at fd 3.
fn sandbox(backend: Backend) -> (Guest, Option<TempDir>) {
    let mut b = WasiCtx::builder();
    let tmp = match backend {
        #[cfg(unix)]
        Backend::Host => {
            let tmp = TempDir::new("files");
            b.preopen_dir(tmp.path(), "/sandbox").unwrap();
            Some(tmp)
        }
        Backend::Mem => {
            b.preopen(MemFs::new(), "/sandbox", false);
            None
        }
    };
    (Guest::new(b.build().unwrap()), tmp)
}

fn create(g: &mut Guest, path: &str, contents: &[u8]) -> u32 {
    let fd = g
        .open(3, 0, path, O_CREAT | O_TRUNC, ALL_RIGHTS, 0)
        .unwrap_or_else(|e| panic!("create {path}: errno {e}"));
    assert_eq!(g.fd_write(fd, contents), Ok(contents.len() as u32));
    fd
}

fn read_file(g: &mut Guest, path: &str) -> Vec<u8> {
    let fd = g.open(3, 0, path, 0, READ_RIGHTS, 0).unwrap();
    let data = g.fd_read(fd, 4096).unwrap();
    assert_eq!(g.call("fd_close", &[fd as i64]), 0);
    data
}

#[test]
fn create_write_seek_read_pread_pwrite_truncate() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "f.txt", b"hello world");
        assert_eq!(fd, 4, "{backend:?}: lowest free descriptor");
        assert_eq!(g.call("fd_seek", &[fd as i64, 6, 0, OUT as i64]), 0);
        assert_eq!(g.u64(OUT), 6);
        assert_eq!(g.fd_read(fd, 5), Ok(b"world".to_vec()));
        assert_eq!(g.call("fd_tell", &[fd as i64, OUT as i64]), 0);
        assert_eq!(g.u64(OUT), 11);
        assert_eq!(g.call("fd_seek", &[fd as i64, -5, 2, OUT as i64]), 0);
        assert_eq!(g.u64(OUT), 6);
        assert_eq!(g.call("fd_seek", &[fd as i64, -100, 1, OUT as i64]), EINVAL);
        assert_eq!(g.call("fd_seek", &[fd as i64, 0, 3, OUT as i64]), EINVAL);

        // pread/pwrite leave the position alone.
        let (iov, n) = g.iovecs(&[(BUF, 2), (BUF + 10, 3)]);
        assert_eq!(g.call("fd_pread", &[fd as i64, iov, n, 0, OUT as i64]), 0);
        assert_eq!(g.u32(OUT), 5);
        assert_eq!(
            (g.read(BUF, 2), g.read(BUF + 10, 3)),
            (b"he".to_vec(), b"llo".to_vec())
        );
        g.write(BUF, b"HELLO");
        let (iov, n) = g.iovecs(&[(BUF, 5)]);
        assert_eq!(g.call("fd_pwrite", &[fd as i64, iov, n, 0, OUT as i64]), 0);
        assert_eq!(g.call("fd_tell", &[fd as i64, OUT as i64]), 0);
        assert_eq!(g.u64(OUT), 6, "{backend:?}");

        assert_eq!(g.call("fd_filestat_get", &[fd as i64, BUF as i64]), 0);
        assert_eq!(
            (g.read(BUF + 16, 1)[0], g.u64(BUF + 32)),
            (FILETYPE_REGULAR, 11)
        );
        assert_eq!(g.call("fd_filestat_set_size", &[fd as i64, 5]), 0);
        assert_eq!(g.call("fd_allocate", &[fd as i64, 0, 8]), 0);
        assert_eq!(g.call("fd_allocate", &[fd as i64, 0, 0]), EINVAL);
        assert_eq!(g.call("fd_sync", &[fd as i64]), 0);
        assert_eq!(g.call("fd_datasync", &[fd as i64]), 0);
        assert_eq!(g.call("fd_advise", &[fd as i64, 0, 0, 1]), 0);
        assert_eq!(g.call("fd_advise", &[fd as i64, 0, 0, 6]), EINVAL);
        assert_eq!(g.call("fd_close", &[fd as i64]), 0);
        assert_eq!(g.call("fd_close", &[fd as i64]), EBADF);
        assert_eq!(read_file(&mut g, "f.txt"), b"HELLO\0\0\0", "{backend:?}");
    }
}

#[test]
fn append_mode_writes_at_the_end() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "log", b"one\n");
        g.call("fd_close", &[fd as i64]);
        let fd = g.open(3, 0, "log", 0, ALL_RIGHTS, FDFLAG_APPEND).unwrap();
        assert_eq!(g.call("fd_seek", &[fd as i64, 0, 0, OUT as i64]), 0);
        assert_eq!(g.fd_write(fd, b"two\n"), Ok(4));
        assert_eq!(g.call("fd_fdstat_get", &[fd as i64, BUF as i64]), 0);
        assert_eq!(g.read(BUF + 2, 2), [1, 0], "{backend:?}: APPEND in fdstat");
        // Turned off, writes land at the position again.
        assert_eq!(g.call("fd_fdstat_set_flags", &[fd as i64, 0]), 0);
        assert_eq!(g.call("fd_seek", &[fd as i64, 0, 0, OUT as i64]), 0);
        assert_eq!(g.fd_write(fd, b"ONE"), Ok(3));
        assert_eq!(g.call("fd_fdstat_set_flags", &[fd as i64, 1 << 4]), ENOTSUP);
        assert_eq!(g.call("fd_fdstat_set_flags", &[fd as i64, 1 << 5]), EINVAL);
        assert_eq!(read_file(&mut g, "log"), b"ONE\ntwo\n", "{backend:?}");
    }
}

#[test]
fn rename_readdir_unlink_and_remove_directory() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        for name in ["a", "b"] {
            let fd = create(&mut g, name, name.as_bytes());
            g.call("fd_close", &[fd as i64]);
        }
        assert_eq!(g.path_call("path_create_directory", 3, "d"), 0);
        assert_eq!(g.path_call("path_create_directory", 3, "d"), EEXIST);
        assert_eq!(g.rename(3, "a", 3, "d/a2"), 0);
        assert_eq!(g.rename(3, "missing", 3, "x"), ENOENT);
        assert_eq!(read_file(&mut g, "d/a2"), b"a");

        let root = g.open_dir(3, ".").unwrap();
        let mut names = g.list_dir(root, 4096).unwrap();
        names.sort();
        assert_eq!(names, [".", "..", "b", "d"], "{backend:?}");
        let d = g.open_dir(3, "d").unwrap();
        let mut names = g.list_dir(d, 4096).unwrap();
        names.sort();
        assert_eq!(names, [".", "..", "a2"], "{backend:?}");

        assert_eq!(g.path_call("path_remove_directory", 3, "d"), ENOTEMPTY);
        assert_eq!(
            g.path_call("path_unlink_file", 3, "d"),
            EISDIR,
            "{backend:?}"
        );
        assert_eq!(g.path_call("path_remove_directory", 3, "b"), ENOTDIR);
        assert_eq!(g.path_call("path_unlink_file", 3, "d/a2"), 0);
        assert_eq!(g.path_call("path_unlink_file", 3, "b"), 0);
        assert_eq!(g.path_call("path_unlink_file", 3, "b"), ENOENT);
        assert_eq!(g.path_call("path_remove_directory", 3, "d"), 0);
        let mut names = g.list_dir(root, 4096).unwrap();
        names.sort();
        assert_eq!(
            names,
            [".", ".."],
            "{backend:?}: cookie 0 sees the directory anew"
        );
    }
}

#[test]
fn readdir_truncates_entries_and_resumes_from_cookies() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let mut expected = vec![".".to_string(), "..".to_string()];
        for i in 0..20 {
            let name = format!("file-with-a-longish-name-{i:02}");
            let fd = create(&mut g, &name, b"x");
            g.call("fd_close", &[fd as i64]);
            expected.push(name);
        }
        expected.sort();
        let root = g.open_dir(3, ".").unwrap();
        // 60 bytes hold one 24 + 27 byte entry and cut the next one off.
        for buf_len in [60, 100, 4096] {
            let mut names = g.list_dir(root, buf_len).unwrap();
            names.sort();
            assert_eq!(names, expected, "{backend:?}, {buf_len}-byte buffer");
        }

        // The layout of the first entry, and a full buffer meaning "maybe more".
        assert_eq!(
            g.call("fd_readdir", &[root as i64, BUF as i64, 30, 0, OUT as i64]),
            0
        );
        assert_eq!(g.u32(OUT), 30);
        let header = g.read(BUF, 24);
        assert_eq!(
            u64::from_le_bytes(header[0..8].try_into().unwrap()),
            1,
            "d_next"
        );
        let namlen = u32::from_le_bytes(header[16..20].try_into().unwrap());
        assert!((1..=30).contains(&namlen));
        assert_eq!(header[21..24], [0, 0, 0], "padding");
        // Past the end: nothing.
        assert_eq!(
            g.call(
                "fd_readdir",
                &[root as i64, BUF as i64, 4096, 1000, OUT as i64]
            ),
            0
        );
        assert_eq!(g.u32(OUT), 0);
        // Not a directory.
        let f = g.open(3, 0, &expected[5], 0, READ_RIGHTS, 0).unwrap();
        assert_eq!(
            g.call("fd_readdir", &[f as i64, BUF as i64, 4096, 0, OUT as i64]),
            ENOTDIR
        );
    }
}

#[test]
fn open_flags_and_file_types() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "file", b"data");
        g.call("fd_close", &[fd as i64]);
        assert_eq!(g.path_call("path_create_directory", 3, "dir"), 0);

        assert_eq!(g.open(3, 0, "missing", 0, READ_RIGHTS, 0), Err(ENOENT));
        assert_eq!(
            g.open(3, 0, "file", O_CREAT | O_EXCL, ALL_RIGHTS, 0),
            Err(EEXIST)
        );
        assert_eq!(
            g.open(3, 0, "file", O_DIRECTORY, READ_RIGHTS, 0),
            Err(ENOTDIR)
        );
        assert_eq!(g.open(3, 0, "file/", 0, READ_RIGHTS, 0), Err(ENOTDIR));
        assert_eq!(
            g.open(3, 0, "dir", 0, ALL_RIGHTS, 0),
            Err(EISDIR),
            "{backend:?}"
        );
        assert_eq!(
            g.open(3, 0, "dir", O_DIRECTORY | O_CREAT, READ_RIGHTS, 0),
            Err(EINVAL)
        );
        assert_eq!(g.open(3, 0, "", 0, READ_RIGHTS, 0), Err(ENOENT));
        assert_eq!(g.open(3, 0, "file", 0, READ_RIGHTS, 0xff), Err(EINVAL));

        // A directory opened without O_DIRECTORY is still a directory.
        let plain = g.open(3, 0, "dir", 0, READ_RIGHTS, 0).unwrap();
        assert_eq!(g.call("fd_fdstat_get", &[plain as i64, BUF as i64]), 0);
        assert_eq!(g.read(BUF, 1)[0], FILETYPE_DIRECTORY);
        // Its inheriting rights are what it was opened with: no write access below it.
        assert_eq!(
            g.open(plain, 0, "inner", O_CREAT, ALL_RIGHTS, 0),
            Err(ENOTCAPABLE)
        );
        let dir = g.open_dir(3, "dir").unwrap();
        assert_eq!(g.fd_read(dir, 10), Err(EISDIR));
        assert_eq!(g.fd_write(dir, b"x"), Err(EISDIR));
        // Its descriptor resolves paths below it.
        let fd = g.open(dir, 0, "inner", O_CREAT, ALL_RIGHTS, 0).unwrap();
        assert_eq!(g.fd_write(fd, b"in"), Ok(2));
        assert_eq!(read_file(&mut g, "dir/inner"), b"in");

        assert_eq!(
            g.stat(3, 0, "dir"),
            Ok((FILETYPE_DIRECTORY, g.stat(3, 0, "dir").unwrap().1))
        );
        assert_eq!(g.stat(3, 0, "file"), Ok((FILETYPE_REGULAR, 4)));
        assert_eq!(g.stat(3, 0, "file/"), Err(ENOTDIR));
        assert_eq!(g.stat(3, 0, "dir/../file"), Ok((FILETYPE_REGULAR, 4)));
        assert_eq!(g.stat(3, 0, "./dir/./inner"), Ok((FILETYPE_REGULAR, 2)));
        assert_eq!(g.path_call("path_create_directory", 3, "newdir/"), 0);
        assert_eq!(g.path_call("path_unlink_file", 3, "file/"), ENOTDIR);
        assert_eq!(g.path_call("path_remove_directory", 3, "newdir/"), 0);
        assert_eq!(g.path_call("path_remove_directory", 3, "."), EINVAL);
    }
}

#[test]
fn symlinks_inside_the_sandbox_work() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "target.txt", b"through the link");
        g.call("fd_close", &[fd as i64]);
        assert_eq!(g.path_call("path_create_directory", 3, "sub"), 0);
        assert_eq!(g.symlink("target.txt", 3, "ln"), 0);
        assert_eq!(g.symlink("../target.txt", 3, "sub/up"), 0);
        assert_eq!(g.symlink("sub", 3, "sublink"), 0);
        assert_eq!(g.symlink("x", 3, "ln"), EEXIST);

        assert_eq!(g.readlink(3, "ln"), Ok(b"target.txt".to_vec()));
        assert_eq!(g.readlink(3, "target.txt"), Err(EINVAL));
        assert_eq!(g.stat(3, 0, "ln").unwrap().0, FILETYPE_SYMLINK);
        assert_eq!(g.stat(3, FOLLOW, "ln"), Ok((FILETYPE_REGULAR, 16)));
        assert_eq!(
            g.open(3, 0, "ln", 0, READ_RIGHTS, 0),
            Err(ELOOP),
            "{backend:?}"
        );

        let fd = g.open(3, FOLLOW, "ln", 0, READ_RIGHTS, 0).unwrap();
        assert_eq!(g.fd_read(fd, 100), Ok(b"through the link".to_vec()));
        let fd = g.open(3, FOLLOW, "sub/up", 0, READ_RIGHTS, 0).unwrap();
        assert_eq!(g.fd_read(fd, 7), Ok(b"through".to_vec()));
        // Intermediate links are always followed; `..` after one goes back through it.
        assert_eq!(g.stat(3, 0, "sublink/up").unwrap().0, FILETYPE_SYMLINK);
        assert_eq!(g.stat(3, FOLLOW, "sublink/up"), Ok((FILETYPE_REGULAR, 16)));
        assert_eq!(
            g.stat(3, 0, "sublink/../target.txt"),
            Ok((FILETYPE_REGULAR, 16))
        );
        // A trailing slash follows a link to a directory.
        assert_eq!(g.stat(3, 0, "sublink/").unwrap().0, FILETYPE_DIRECTORY);

        // Removing a link removes the link, not the target.
        assert_eq!(g.path_call("path_unlink_file", 3, "ln"), 0);
        assert_eq!(g.stat(3, 0, "target.txt"), Ok((FILETYPE_REGULAR, 16)));
        // Dangling links and loops.
        assert_eq!(g.symlink("nowhere", 3, "dangling"), 0);
        assert_eq!(
            g.open(3, FOLLOW, "dangling", 0, READ_RIGHTS, 0),
            Err(ENOENT)
        );
        let fd = g
            .open(3, FOLLOW, "dangling", O_CREAT, ALL_RIGHTS, 0)
            .unwrap();
        g.call("fd_close", &[fd as i64]);
        assert_eq!(
            g.stat(3, 0, "nowhere").unwrap().0,
            FILETYPE_REGULAR,
            "{backend:?}"
        );
        assert_eq!(g.symlink("loop2", 3, "loop1"), 0);
        assert_eq!(g.symlink("loop1", 3, "loop2"), 0);
        assert_eq!(g.open(3, FOLLOW, "loop1", 0, READ_RIGHTS, 0), Err(ELOOP));
        assert_eq!(g.stat(3, 0, "loop1/x"), Err(ELOOP));
    }
}

#[test]
fn hard_links_share_contents() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "orig", b"shared");
        g.call("fd_close", &[fd as i64]);
        assert_eq!(g.path_call("path_create_directory", 3, "d"), 0);
        assert_eq!(g.link(3, 0, "orig", 3, "d/copy"), 0);
        assert_eq!(g.link(3, 0, "orig", 3, "d/copy"), EEXIST);
        // Directories cannot be hard-linked.
        assert_eq!(g.link(3, 0, "d", 3, "dlink"), EPERM);
        g.write(PATH, b"d/copy");
        assert_eq!(
            g.call("path_filestat_get", &[3, 0, PATH as i64, 6, BUF as i64]),
            0
        );
        assert_eq!(g.u64(BUF + 24), 2, "{backend:?}: nlink");
        let fd = g.open(3, 0, "d/copy", 0, ALL_RIGHTS, 0).unwrap();
        assert_eq!(g.fd_write(fd, b"SHARED"), Ok(6));
        assert_eq!(read_file(&mut g, "orig"), b"SHARED");
    }
}

#[test]
fn timestamps_can_be_set_and_read_back() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "t", b"");
        let (atim, mtim) = (1_000_000_000_123_000_000i64, 1_500_000_000_456_000_000i64);
        // ATIM | MTIM
        assert_eq!(
            g.call("fd_filestat_set_times", &[fd as i64, atim, mtim, 1 | 4]),
            0
        );
        assert_eq!(g.call("fd_filestat_get", &[fd as i64, BUF as i64]), 0);
        assert_eq!(
            (g.u64(BUF + 40), g.u64(BUF + 48)),
            (atim as u64, mtim as u64)
        );
        // ATIM together with ATIM_NOW is contradictory.
        assert_eq!(
            g.call("fd_filestat_set_times", &[fd as i64, 0, 0, 1 | 2]),
            EINVAL
        );
        g.write(PATH, b"t");
        assert_eq!(
            g.call(
                "path_filestat_set_times",
                &[3, 0, PATH as i64, 1, 0, mtim + 1, 4]
            ),
            0
        );
        assert_eq!(g.call("fd_filestat_get", &[fd as i64, BUF as i64]), 0);
        assert_eq!(g.u64(BUF + 48), mtim as u64 + 1, "{backend:?}");
        assert_eq!(g.u64(BUF + 40), atim as u64, "{backend:?}: atime omitted");
    }
}

#[test]
fn rights_only_shrink() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "f", b"abc");
        assert_eq!(g.call("fd_fdstat_get", &[fd as i64, BUF as i64]), 0);
        let rights = g.u64(BUF + 8) as i64;
        assert_ne!(rights & RIGHT_FD_READ, 0);
        let without_read = rights & !RIGHT_FD_READ;
        assert_eq!(
            g.call("fd_fdstat_set_rights", &[fd as i64, without_read, 0]),
            0
        );
        assert_eq!(g.fd_read(fd, 1), Err(ENOTCAPABLE));
        assert_eq!(
            g.call("fd_fdstat_set_rights", &[fd as i64, rights, 0]),
            ENOTCAPABLE
        );
        // A directory descriptor without PATH_OPEN opens nothing.
        assert_eq!(g.call("fd_fdstat_get", &[3, BUF as i64]), 0);
        let (base, inh) = (g.u64(BUF + 8) as i64, g.u64(BUF + 16) as i64);
        assert_eq!(
            g.call("fd_fdstat_set_rights", &[3, base & !(1 << 13), inh]),
            0
        );
        assert_eq!(g.open(3, 0, "f", 0, READ_RIGHTS, 0), Err(ENOTCAPABLE));
    }
}

#[test]
fn renumber_moves_a_descriptor_over_another() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "out", b"");
        assert_eq!(g.call("fd_renumber", &[fd as i64, 1]), 0);
        assert_eq!(g.fd_write(1, b"to the file"), Ok(11));
        assert_eq!(g.call("fd_close", &[fd as i64]), EBADF);
        assert_eq!(g.call("fd_renumber", &[1, 50]), EBADF);
        assert_eq!(read_file(&mut g, "out"), b"to the file");
    }
}

#[test]
fn prestat_names_the_preopen_and_only_it() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        assert_eq!(g.call("fd_prestat_get", &[3, OUT as i64]), 0);
        assert_eq!(g.read(OUT, 8), [0, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(g.call("fd_prestat_dir_name", &[3, BUF as i64, 8]), 0);
        assert_eq!(g.read(BUF, 8), b"/sandbox");
        assert_eq!(
            g.call("fd_prestat_dir_name", &[3, BUF as i64, 3]),
            ENAMETOOLONG
        );
        // Standard streams, files, and unopened numbers are not preopens: wasi-libc
        // stops its scan at the first EBADF.
        assert_eq!(g.call("fd_prestat_get", &[1, OUT as i64]), EBADF);
        assert_eq!(g.call("fd_prestat_get", &[4, OUT as i64]), EBADF);
        let fd = create(&mut g, "f", b"");
        assert_eq!(g.call("fd_prestat_get", &[fd as i64, OUT as i64]), EBADF);
        assert_eq!(g.call("fd_fdstat_get", &[3, BUF as i64]), 0);
        assert_eq!(g.read(BUF, 1)[0], FILETYPE_DIRECTORY);
    }
}

#[test]
fn poll_reports_file_reads_ready_with_the_bytes_left() {
    for &backend in BACKENDS {
        let (mut g, _tmp) = sandbox(backend);
        let fd = create(&mut g, "f", b"0123456789");
        assert_eq!(g.call("fd_seek", &[fd as i64, 4, 0, OUT as i64]), 0);
        let mut sub = vec![0u8; 48];
        sub[0..8].copy_from_slice(&5u64.to_le_bytes());
        sub[8] = 1;
        sub[16..20].copy_from_slice(&fd.to_le_bytes());
        g.write(BUF, &sub);
        assert_eq!(
            g.call("poll_oneoff", &[BUF as i64, PATH as i64, 1, OUT as i64]),
            0
        );
        assert_eq!(g.u32(OUT), 1);
        assert_eq!((g.u64(PATH), g.u64(PATH + 16)), (5, 6), "{backend:?}");
    }
}

#[test]
fn a_capture_buffer_can_be_read_while_the_guest_runs() {
    let out = OutputBuffer::new();
    let mut g = Guest::new(WasiCtx::builder().stdout(out.clone()).build().unwrap());
    assert_eq!(g.fd_write(1, b"first"), Ok(5));
    assert_eq!(out.take(), b"first");
    assert_eq!(g.fd_write(1, b"second"), Ok(6));
    assert_eq!(out.contents(), b"second");
}

#[test]
fn memfs_preloaded_by_the_embedder() {
    let fs = MemFs::new();
    fs.add_file("config.json", "{}").unwrap();
    fs.add_dir("data").unwrap().add_file("x", "1").unwrap();
    let mut g = Guest::new(
        WasiCtx::builder()
            .preopen(fs.clone(), "/", false)
            .build()
            .unwrap(),
    );
    assert_eq!(read_file(&mut g, "config.json"), b"{}");
    assert_eq!(read_file(&mut g, "data/x"), b"1");
}

/// Off unix the OS backend has no `openat`-style primitives to walk with, so a host
/// directory cannot be preopened: an error, not a sandbox without its rules.
#[cfg(not(unix))]
#[test]
fn preopening_a_host_directory_is_an_error_off_unix() {
    let dir = std::env::temp_dir();
    let err = wisp_wasi::WasiCtx::builder()
        .preopen_dir(&dir, "/tmp")
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(err, wisp_wasi::Error::Preopen { .. }), "{err}");
}
