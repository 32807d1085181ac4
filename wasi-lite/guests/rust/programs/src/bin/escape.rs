//! Sandbox escapes: every way out of a preopen this program knows, tried with raw WASI
//! calls relative to the preopen's descriptor (so each path reaches the runtime exactly as
//! written; wasi-libc would refuse some of them before the runtime saw them).
//!
//! Each attempt prints one line:
//!
//! - `escape NAME: denied (ERRNO)`: refused with an errno that means "not allowed":
//!   `ENOTCAPABLE` or `EPERM` for paths that leave the preopen (the requirement);
//!   for writes to the read-only preopen also `EACCES`, `EROFS` or `EBADF`.
//! - `escape NAME: ESCAPED`: the operation succeeded. Exit status 1.
//! - `escape NAME: WRONG ERRNO (ERRNO, want ...)`: refused, but with an errno that says
//!   the runtime looked outside (`ENOENT`, `ENOTEMPTY`, ...) or otherwise not the one
//!   required. Exit status 1.
//!
//! Then `allowed NAME: ok` lines for operations that stay inside and must work (`a/../x`,
//! a symlink to a sibling, ...), so a runtime that refuses everything fails too, and a last
//! line `escape: N attempts denied, M allowed operations ok`.
//!
//! Usage: `escape [SANDBOX [RO]]` (default `/sandbox` and `/ro`), with the host layout
//! `fixtures/escape-setup.sh ROOT` makes: `--dir ROOT/sandbox::/sandbox
//! --dir-ro ROOT/ro::/ro`. After the run, ROOT/outside and ROOT/ro must be unchanged
//! (the script's `check` mode verifies that).

use guest::wasi::{self, rights, Errno, Fd, LOOKUP_SYMLINK_FOLLOW as FOLLOW};
use guest::{fail, OrFail};
use std::cell::Cell;

/// Refusals of a path that leaves the preopen.
const OUTSIDE: &[Errno] = &[Errno::NOTCAPABLE, Errno::PERM];
/// Refusals of a write to a read-only preopen.
const READ_ONLY: &[Errno] = &[
    Errno::NOTCAPABLE,
    Errno::PERM,
    Errno::ACCES,
    Errno::ROFS,
    Errno::BADF,
];
/// Opening a symlink without following it: `ELOOP` (POSIX `O_NOFOLLOW`) or a refusal.
const NOFOLLOW: &[Errno] = &[Errno::LOOP, Errno::NOTCAPABLE, Errno::PERM];
/// `path_link` with `SYMLINK_FOLLOW`: a refusal, or `EINVAL` from a runtime that does not
/// offer following for links at all (wasmtime's answer).
const LINK_FOLLOW: &[Errno] = &[Errno::NOTCAPABLE, Errno::PERM, Errno::INVAL];

#[derive(Default)]
struct Tally {
    /// Escape attempts made.
    attempts: Cell<u32>,
    /// Operations inside the sandbox tried.
    allowed: Cell<u32>,
    /// Attempts that escaped or failed wrongly, and allowed operations that failed.
    bad: Cell<u32>,
}

impl Tally {
    /// One escape attempt: `r` is the outcome of the operation; success is an escape.
    fn escape<T>(&self, name: &str, want: &[Errno], r: wasi::Result<T>) {
        self.attempts.set(self.attempts.get() + 1);
        match r {
            Err(e) if want.contains(&e) => println!("escape {name}: denied ({e})"),
            Err(e) => {
                self.bad.set(self.bad.get() + 1);
                let want: Vec<String> = want.iter().map(|w| w.name()).collect();
                println!(
                    "escape {name}: WRONG ERRNO ({e}, want {})",
                    want.join(" or ")
                );
            }
            Ok(_) => {
                self.bad.set(self.bad.get() + 1);
                println!("escape {name}: ESCAPED");
            }
        }
    }

    /// An operation that stays inside and must succeed.
    fn allowed<T>(&self, name: &str, r: wasi::Result<T>) -> Option<T> {
        self.allowed.set(self.allowed.get() + 1);
        match r {
            Ok(v) => {
                println!("allowed {name}: ok");
                Some(v)
            }
            Err(e) => {
                self.bad.set(self.bad.get() + 1);
                println!("allowed {name}: FAILED ({e})");
                None
            }
        }
    }
}

fn open_read(dir: Fd, lookup: u32, path: &str) -> wasi::Result<Fd> {
    let fd = wasi::path_open(dir, lookup, path, 0, rights::READ_FILE, 0)?;
    // Reading proves the descriptor is real; its content could be the secret.
    let mut buf = [0u8; 64];
    let r = wasi::fd_read(fd, &mut buf);
    let _ = wasi::fd_close(fd);
    r.map(|_| fd)
}

fn open_dir(dir: Fd, path: &str) -> wasi::Result<Fd> {
    let fd = wasi::path_open(
        dir,
        FOLLOW,
        path,
        wasi::OFLAGS_DIRECTORY,
        rights::READ_DIR,
        0,
    )?;
    let _ = wasi::fd_close(fd);
    Ok(fd)
}

fn create(dir: Fd, lookup: u32, path: &str) -> wasi::Result<Fd> {
    let fd = wasi::path_open(dir, lookup, path, wasi::OFLAGS_CREAT, rights::RW_FILE, 0)?;
    let _ = wasi::fd_close(fd);
    Ok(fd)
}

/// Opens for writing and writes; succeeds only if the bytes were written.
fn write_file(dir: Fd, path: &str, oflags: u16, fdflags: u16) -> wasi::Result<()> {
    let fd = wasi::path_open(dir, 0, path, oflags, rights::RW_FILE, fdflags)?;
    let r = wasi::fd_write(fd, b"written by the escape guest\n");
    let _ = wasi::fd_close(fd);
    match r {
        Ok(n) if n > 0 => Ok(()),
        Ok(_) => Err(Errno::BADF), // nothing written: the write was in effect refused
        Err(e) => Err(e),
    }
}

/// Creates a symlink inside the sandbox that points outside: if the runtime refuses to
/// create it, that is a denial; if it creates it, following it must be refused.
fn symlink_then_follow(dir: Fd, target: &str, path: &str) -> wasi::Result<()> {
    wasi::path_symlink(target, dir, path)?;
    let r = open_read(dir, FOLLOW, path).map(|_| ());
    let _ = wasi::path_unlink_file(dir, path);
    r
}

/// Plants a link where it stays inside (`first`: target, path), then gives it a new name
/// or place by `then`, where the same target leads out: `then` succeeding is an escape, a
/// link any host process following it would leave the sandbox by. Cleans up either way.
fn plant_then(
    dir: Fd,
    dirs: &[&str],
    first: (&str, &str),
    then: impl FnOnce() -> wasi::Result<()>,
    leftovers: &[&str],
) -> wasi::Result<()> {
    for d in dirs {
        wasi::path_create_directory(dir, d)?;
    }
    let r = wasi::path_symlink(first.0, dir, first.1).and_then(|()| then());
    for l in leftovers.iter().chain([&first.1]) {
        let _ = wasi::path_unlink_file(dir, l);
    }
    for d in dirs.iter().rev() {
        let _ = wasi::path_remove_directory(dir, d);
    }
    r
}

fn read_all(dir: Fd, path: &str) -> wasi::Result<Vec<u8>> {
    let fd = wasi::path_open(dir, 0, path, 0, rights::READ_FILE, 0)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let r = loop {
        match wasi::fd_read(fd, &mut buf) {
            Ok(0) => break Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    let _ = wasi::fd_close(fd);
    r
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sandbox_name = args.get(1).map_or("/sandbox", String::as_str);
    let ro_name = args.get(2).map_or("/ro", String::as_str);
    let sb = wasi::preopen(sandbox_name).unwrap_or_else(|| {
        fail(format_args!("{sandbox_name} is not preopened (run with --dir ROOT/sandbox::{sandbox_name}; see fixtures/escape-setup.sh)"))
    });
    let ro = wasi::preopen(ro_name).unwrap_or_else(|| {
        fail(format_args!("{ro_name} is not preopened (run with --dir-ro ROOT/ro::{ro_name}; see fixtures/escape-setup.sh)"))
    });
    // The fixture must be in place, or the symlink attempts would prove nothing.
    for link in [
        "link_abs",
        "link_rel",
        "link_dir_abs",
        "link_dir_rel",
        "a/link_up2",
        "chain1",
        "dangling",
        "link_root",
        "link_in",
        "a/link_up_in",
        "loop1",
    ] {
        match wasi::path_filestat_get(sb, 0, link) {
            Ok(st) if st.filetype == wasi::FILETYPE_SYMBOLIC_LINK => {}
            other => fail(format_args!(
                "fixture symlink {sandbox_name}/{link} is missing or not a symlink ({other:?}): create the layout with fixtures/escape-setup.sh ROOT"
            )),
        }
    }
    wasi::path_open(
        sb,
        0,
        "victim.txt",
        wasi::OFLAGS_CREAT | wasi::OFLAGS_TRUNC,
        rights::RW_FILE,
        0,
    )
    .and_then(wasi::fd_close)
    .or_fail("creating victim.txt in the sandbox");

    let t = Tally::default();

    // Reading out through `..` and absolute paths.
    t.escape("dotdot", OUTSIDE, open_read(sb, 0, "../outside/secret.txt"));
    t.escape(
        "dotdot-after-subdir",
        OUTSIDE,
        open_read(sb, 0, "a/../../outside/secret.txt"),
    );
    t.escape(
        "dotdot-dot-segments",
        OUTSIDE,
        open_read(sb, 0, "./a/./../../outside/secret.txt"),
    );
    t.escape("dotdot-directory", OUTSIDE, open_dir(sb, ".."));
    t.escape("dotdot-directory-deep", OUTSIDE, open_dir(sb, "a/../.."));
    t.escape("absolute", OUTSIDE, open_read(sb, 0, "/etc/passwd"));
    t.escape("absolute-root-directory", OUTSIDE, open_dir(sb, "/"));
    t.escape(
        "absolute-guest-path",
        OUTSIDE,
        open_read(
            sb,
            0,
            &format!("{}/inside.txt", sandbox_name.trim_end_matches('/')),
        ),
    );
    t.escape(
        "absolute-double-slash",
        OUTSIDE,
        open_read(sb, 0, "//etc/passwd"),
    );
    t.escape(
        "stat-dotdot",
        OUTSIDE,
        wasi::path_filestat_get(sb, 0, "../outside/secret.txt"),
    );

    // Following symlinks that point outside, as the last component and in the middle.
    t.escape(
        "symlink-absolute",
        OUTSIDE,
        open_read(sb, FOLLOW, "link_abs"),
    );
    t.escape(
        "symlink-relative",
        OUTSIDE,
        open_read(sb, FOLLOW, "link_rel"),
    );
    t.escape("symlink-chain", OUTSIDE, open_read(sb, FOLLOW, "chain1"));
    t.escape(
        "symlink-up-from-subdir",
        OUTSIDE,
        open_read(sb, FOLLOW, "a/link_up2"),
    );
    t.escape(
        "symlink-intermediate-absolute",
        OUTSIDE,
        open_read(sb, 0, "link_dir_abs/secret.txt"),
    );
    t.escape(
        "symlink-intermediate-relative",
        OUTSIDE,
        open_read(sb, 0, "link_dir_rel/secret.txt"),
    );
    t.escape(
        "symlink-intermediate-root",
        OUTSIDE,
        open_read(sb, 0, "link_root/etc/passwd"),
    );
    t.escape("symlink-directory", OUTSIDE, open_dir(sb, "link_dir_rel"));
    t.escape(
        "symlink-nofollow-open",
        NOFOLLOW,
        open_read(sb, 0, "link_abs"),
    );
    t.escape(
        "stat-follow-symlink",
        OUTSIDE,
        wasi::path_filestat_get(sb, FOLLOW, "link_abs"),
    );
    t.escape(
        "stat-intermediate-symlink",
        OUTSIDE,
        wasi::path_filestat_get(sb, 0, "link_dir_rel/secret.txt"),
    );

    // Creating and changing things outside.
    t.escape(
        "create-dotdot",
        OUTSIDE,
        create(sb, 0, "../outside/created-by-guest.txt"),
    );
    t.escape(
        "create-through-dangling-symlink",
        OUTSIDE,
        create(sb, FOLLOW, "dangling"),
    );
    t.escape(
        "create-through-symlinked-directory",
        OUTSIDE,
        create(sb, 0, "link_dir_rel/created-by-guest.txt"),
    );
    t.escape(
        "truncate-through-symlink",
        OUTSIDE,
        wasi::path_open(
            sb,
            FOLLOW,
            "link_rel",
            wasi::OFLAGS_TRUNC,
            rights::RW_FILE,
            0,
        )
        .and_then(wasi::fd_close),
    );
    t.escape(
        "mkdir-dotdot",
        OUTSIDE,
        wasi::path_create_directory(sb, "../outside/newdir"),
    );
    t.escape(
        "mkdir-through-symlink",
        OUTSIDE,
        wasi::path_create_directory(sb, "link_dir_abs/newdir"),
    );
    t.escape(
        "unlink-dotdot",
        OUTSIDE,
        wasi::path_unlink_file(sb, "../outside/secret.txt"),
    );
    t.escape(
        "unlink-through-symlink",
        OUTSIDE,
        wasi::path_unlink_file(sb, "link_dir_rel/secret.txt"),
    );
    t.escape(
        "rmdir-dotdot",
        OUTSIDE,
        wasi::path_remove_directory(sb, "../outside"),
    );
    t.escape(
        "set-times-dotdot",
        OUTSIDE,
        wasi::path_filestat_set_times(
            sb,
            0,
            "../outside/secret.txt",
            0,
            0,
            wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM,
        ),
    );
    t.escape(
        "set-times-through-symlink",
        OUTSIDE,
        wasi::path_filestat_set_times(
            sb,
            FOLLOW,
            "link_abs",
            0,
            0,
            wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM,
        ),
    );

    // Renames and links across the boundary.
    t.escape(
        "rename-out",
        OUTSIDE,
        wasi::path_rename(sb, "victim.txt", sb, "../outside/moved.txt"),
    );
    t.escape(
        "rename-in",
        OUTSIDE,
        wasi::path_rename(sb, "../outside/secret.txt", sb, "stolen.txt"),
    );
    t.escape(
        "rename-through-symlinked-directory",
        OUTSIDE,
        wasi::path_rename(sb, "victim.txt", sb, "link_dir_rel/moved.txt"),
    );
    t.escape(
        "hardlink-out",
        OUTSIDE,
        wasi::path_link(sb, 0, "victim.txt", sb, "../outside/hardlink.txt"),
    );
    t.escape(
        "hardlink-in",
        OUTSIDE,
        wasi::path_link(sb, 0, "../outside/secret.txt", sb, "stolen-hardlink.txt"),
    );
    t.escape(
        "hardlink-follow-symlink",
        LINK_FOLLOW,
        wasi::path_link(sb, FOLLOW, "link_abs", sb, "stolen-hardlink2.txt"),
    );
    t.escape(
        "hardlink-through-symlinked-directory",
        OUTSIDE,
        wasi::path_link(sb, 0, "link_dir_rel/secret.txt", sb, "stolen-hardlink3.txt"),
    );
    t.escape(
        "symlink-create-outside",
        OUTSIDE,
        wasi::path_symlink("inside.txt", sb, "../outside/evil-link"),
    );
    t.escape(
        "symlink-create-absolute-target",
        OUTSIDE,
        symlink_then_follow(sb, "/etc/passwd", "guest_link_abs"),
    );
    t.escape(
        "symlink-create-relative-target",
        OUTSIDE,
        symlink_then_follow(sb, "../outside/secret.txt", "guest_link_rel"),
    );
    t.escape(
        "symlink-create-deep-target",
        OUTSIDE,
        symlink_then_follow(sb, "a/../../outside/secret.txt", "guest_link_deep"),
    );

    // Links planted where they stay inside, then moved or linked to where they lead out
    // (for any host process following them; the sandbox's own walk refuses to anyway).
    t.escape(
        "plant-rename-link-up",
        OUTSIDE,
        plant_then(
            sb,
            &["p1"],
            ("../outside/secret.txt", "p1/l"),
            || wasi::path_rename(sb, "p1/l", sb, "planted1"),
            &["planted1"],
        ),
    );
    t.escape(
        "plant-hardlink-link-up",
        OUTSIDE,
        plant_then(
            sb,
            &["p2"],
            ("../outside/secret.txt", "p2/l"),
            || wasi::path_link(sb, 0, "p2/l", sb, "planted2"),
            &["planted2"],
        ),
    );
    t.escape(
        "plant-rename-directory-of-links-up",
        OUTSIDE,
        plant_then(
            sb,
            &["p3", "p3/d"],
            ("../../outside/secret.txt", "p3/d/l"),
            || wasi::path_rename(sb, "p3/d", sb, "planted3"),
            &["planted3/l"],
        )
        .inspect(|()| {
            let _ = wasi::path_remove_directory(sb, "planted3");
        }),
    );
    t.escape(
        "plant-link-through-link",
        OUTSIDE,
        plant_then(
            sb,
            &[],
            (".", "dot_link"),
            || wasi::path_symlink("dot_link/../outside/secret.txt", sb, "planted4"),
            &["planted4"],
        ),
    );

    // The read-only preopen refuses every change.
    t.escape("ro-create", READ_ONLY, create(ro, 0, "new.txt"));
    t.escape("ro-write", READ_ONLY, write_file(ro, "file.txt", 0, 0));
    t.escape(
        "ro-append",
        READ_ONLY,
        write_file(ro, "file.txt", 0, wasi::FDFLAGS_APPEND),
    );
    t.escape(
        "ro-truncate",
        READ_ONLY,
        wasi::path_open(ro, 0, "file.txt", wasi::OFLAGS_TRUNC, rights::READ_FILE, 0)
            .and_then(wasi::fd_close),
    );
    t.escape(
        "ro-set-size",
        READ_ONLY,
        wasi::path_open(
            ro,
            0,
            "file.txt",
            0,
            rights::READ_FILE | rights::FD_FILESTAT_SET_SIZE,
            0,
        )
        .and_then(|fd| {
            let r = wasi::fd_filestat_set_size(fd, 0);
            let _ = wasi::fd_close(fd);
            r
        }),
    );
    // A descriptor opened for reading (which is allowed) must not write or truncate.
    let fd = wasi::path_open(ro, 0, "file.txt", 0, rights::READ_FILE, 0)
        .or_fail("opening /ro/file.txt for reading");
    t.escape(
        "ro-write-read-only-fd",
        READ_ONLY,
        wasi::fd_write(fd, b"written by the escape guest\n"),
    );
    t.escape(
        "ro-set-size-read-only-fd",
        READ_ONLY,
        wasi::fd_filestat_set_size(fd, 0),
    );
    let _ = wasi::fd_close(fd);
    t.escape(
        "ro-set-times",
        READ_ONLY,
        wasi::path_filestat_set_times(
            ro,
            0,
            "file.txt",
            0,
            0,
            wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM,
        ),
    );
    t.escape(
        "ro-mkdir",
        READ_ONLY,
        wasi::path_create_directory(ro, "newdir"),
    );
    t.escape(
        "ro-rmdir",
        READ_ONLY,
        wasi::path_remove_directory(ro, "sub"),
    );
    t.escape(
        "ro-unlink",
        READ_ONLY,
        wasi::path_unlink_file(ro, "file.txt"),
    );
    t.escape(
        "ro-rename",
        READ_ONLY,
        wasi::path_rename(ro, "file.txt", ro, "renamed.txt"),
    );
    t.escape(
        "ro-rename-out",
        READ_ONLY,
        wasi::path_rename(ro, "file.txt", sb, "taken.txt"),
    );
    t.escape(
        "ro-rename-in",
        READ_ONLY,
        wasi::path_rename(sb, "victim.txt", ro, "put.txt"),
    );
    t.escape(
        "ro-symlink",
        READ_ONLY,
        wasi::path_symlink("file.txt", ro, "link"),
    );
    t.escape(
        "ro-hardlink-in",
        READ_ONLY,
        wasi::path_link(sb, 0, "victim.txt", ro, "hardlink.txt"),
    );

    // What stays inside must keep working.
    t.allowed("open-inside", open_read(sb, 0, "inside.txt"));
    t.allowed("dotdot-inside", open_read(sb, 0, "a/../inside.txt"));
    t.allowed(
        "dot-segments-inside",
        open_read(sb, 0, "./a/./.././inside.txt"),
    );
    t.allowed("open-preopen-itself", open_dir(sb, "."));
    t.allowed("symlink-to-sibling", open_read(sb, FOLLOW, "link_in"));
    t.allowed(
        "symlink-up-to-sibling",
        open_read(sb, FOLLOW, "a/link_up_in"),
    );
    if let Some(target) = t.allowed(
        "readlink-pointing-outside",
        wasi::path_readlink(sb, "link_rel"),
    ) {
        if target != b"../outside/secret.txt" {
            t.bad.set(t.bad.get() + 1);
            println!(
                "allowed readlink-pointing-outside: FAILED (gave {:?})",
                String::from_utf8_lossy(&target)
            );
        }
    }
    if let Some(st) = t.allowed(
        "stat-nofollow-symlink",
        wasi::path_filestat_get(sb, 0, "link_abs"),
    ) {
        if st.filetype != wasi::FILETYPE_SYMBOLIC_LINK {
            t.bad.set(t.bad.get() + 1);
            println!(
                "allowed stat-nofollow-symlink: FAILED (file type {})",
                st.filetype
            );
        }
    }
    t.allowed(
        "rename-inside",
        wasi::path_rename(sb, "victim.txt", sb, "a/victim.txt")
            .and_then(|()| wasi::path_rename(sb, "a/victim.txt", sb, "victim.txt")),
    );
    t.allowed(
        "symlink-create-inside",
        wasi::path_symlink("../inside.txt", sb, "a/guest_link_in").and_then(|()| {
            let r = open_read(sb, FOLLOW, "a/guest_link_in");
            wasi::path_unlink_file(sb, "a/guest_link_in")?;
            r.map(|_| ())
        }),
    );
    t.allowed.set(t.allowed.get() + 1);
    match open_read(sb, FOLLOW, "loop1") {
        Err(e) if e == Errno::LOOP || OUTSIDE.contains(&e) => {
            println!("allowed symlink-loop-refused: ok ({e})")
        }
        other => {
            t.bad.set(t.bad.get() + 1);
            println!("allowed symlink-loop-refused: FAILED ({other:?}, want ELOOP)");
        }
    }
    if let Some(content) = t.allowed("ro-read", read_all(ro, "file.txt")) {
        if content != b"read-only\n" {
            t.bad.set(t.bad.get() + 1);
            println!(
                "allowed ro-read: FAILED (content is {:?})",
                String::from_utf8_lossy(&content)
            );
        }
    }
    t.allowed("ro-readdir-open", open_dir(ro, "sub"));

    let _ = wasi::path_unlink_file(sb, "victim.txt");
    let (n, m, bad) = (t.attempts.get(), t.allowed.get(), t.bad.get());
    if bad == 0 {
        println!("escape: {n} attempts denied, {m} allowed operations ok");
    } else {
        println!("escape: FAILED: {bad} of {} checks failed", n + m);
        eprintln!(
            "escape: FAILED: {bad} checks failed (ESCAPED, WRONG ERRNO or FAILED lines on stdout)"
        );
        std::process::exit(1);
    }
}
