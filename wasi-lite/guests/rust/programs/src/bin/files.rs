//! Files in a preopened directory, through std (and raw WASI where std has no stable API on
//! WASI: pread/pwrite, symlink creation, link counts). Works in `DIR/files-test`, which it
//! creates and removes again; each step prints one `files: ...` line and checks results
//! exactly, including the errno of each expected failure.
//!
//! Usage: `files DIR`, DIR being the guest path of a writable preopen (e.g. `/sandbox`).
//! Deterministic: compare stdout exactly.

use guest::wasi::{self, Errno};
use guest::{check, fail, OrFail};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).or_fail(&format!("reading {}", path.display()))
}

/// The raw WASI errno of a failed std call.
fn errno(r: io::Result<impl Sized>, what: &str) -> Errno {
    match r {
        Ok(_) => fail(format_args!("{what} succeeded; it must fail")),
        Err(e) => match e.raw_os_error() {
            Some(n) => Errno(n as u16),
            None => fail(format_args!("{what} failed without an errno: {e}")),
        },
    }
}

fn expect_errno(r: io::Result<impl Sized>, want: Errno, what: &str) {
    let got = errno(r, what);
    check!(got == want, "{what} failed with {got}, want {want}");
    println!("files: {what}: {want}");
}

/// FNV-1a, 64-bit.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| fail(format_args!("usage: files DIR")));
    let pre = wasi::preopen(&dir).unwrap_or_else(|| {
        fail(format_args!(
            "{dir} is not a preopened directory (run with --dir HOST::{dir})"
        ))
    });
    let root = PathBuf::from(&dir).join("files-test");
    // The same directory as seen by raw calls relative to the preopen's descriptor.
    let raw_root = "files-test";
    if root.exists() {
        fs::remove_dir_all(&root).or_fail("removing files-test left by an earlier run");
    }

    // Directories.
    fs::create_dir(&root).or_fail("create_dir files-test");
    fs::create_dir_all(root.join("sub/deeper")).or_fail("create_dir_all sub/deeper");
    check!(
        fs::metadata(root.join("sub/deeper"))
            .or_fail("metadata sub/deeper")
            .is_dir(),
        "sub/deeper is not a directory"
    );
    println!("files: create_dir ok");

    // Create, write, seek, overwrite in the middle, read back.
    let a = root.join("a.txt");
    let mut f = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&a)
        .or_fail("creating a.txt");
    f.write_all(b"hello world\n").or_fail("writing a.txt");
    check!(
        f.stream_position().or_fail("tell") == 12,
        "position after writing 12 bytes"
    );
    check!(f.seek(SeekFrom::Start(6)).or_fail("seek") == 6, "seek to 6");
    f.write_all(b"WASI!").or_fail("overwriting at 6");
    check!(
        f.seek(SeekFrom::Current(-11)).or_fail("seek back") == 0,
        "seek(Current(-11))"
    );
    let mut s = String::new();
    f.read_to_string(&mut s).or_fail("reading a.txt back");
    check!(s == "hello WASI!\n", "a.txt reads {s:?}");
    check!(
        f.seek(SeekFrom::End(-6)).or_fail("seek from end") == 6,
        "seek(End(-6))"
    );
    let mut tail = [0u8; 6];
    f.read_exact(&mut tail).or_fail("reading the tail");
    check!(
        &tail == b"WASI!\n",
        "tail reads {:?}",
        String::from_utf8_lossy(&tail)
    );
    let n = f.read(&mut tail).or_fail("reading at end of file");
    check!(n == 0, "read at end of file returned {n} bytes");
    println!("files: write/seek/read ok: {:?}", s);

    // pread and pwrite leave the file position alone.
    let fd = f.as_raw_fd() as wasi::Fd;
    let pos = f.stream_position().or_fail("tell");
    check!(
        wasi::fd_pwrite(fd, b"W", 0).or_fail("fd_pwrite") == 1,
        "fd_pwrite wrote != 1 byte"
    );
    let mut buf = [0u8; 5];
    check!(
        wasi::fd_pread(fd, &mut buf, 6).or_fail("fd_pread") == 5,
        "fd_pread read != 5 bytes"
    );
    check!(
        &buf == b"WASI!",
        "fd_pread at 6 reads {:?}",
        String::from_utf8_lossy(&buf)
    );
    check!(
        f.stream_position().or_fail("tell") == pos,
        "pread/pwrite moved the file position"
    );
    println!(
        "files: pread/pwrite ok: {:?}",
        String::from_utf8_lossy(&read(&a))
    );

    // Metadata; truncate and extend; times.
    let md = f.metadata().or_fail("metadata a.txt");
    check!(
        md.is_file() && !md.is_dir() && md.len() == 12,
        "a.txt metadata: file {} dir {} len {}",
        md.is_file(),
        md.is_dir(),
        md.len()
    );
    let mtime = md
        .modified()
        .or_fail("modified time")
        .duration_since(UNIX_EPOCH)
        .or_fail("mtime before 1970");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .or_fail("now before 1970");
    check!(
        mtime.as_secs().abs_diff(now.as_secs()) < 24 * 3600,
        "a.txt's mtime {mtime:?} is a day away from now {now:?}"
    );
    f.set_len(5).or_fail("set_len(5)");
    check!(
        read(&a) == b"Wello",
        "after set_len(5): {:?}",
        String::from_utf8_lossy(&read(&a))
    );
    f.set_len(8).or_fail("set_len(8)");
    check!(
        read(&a) == b"Wello\0\0\0",
        "after set_len(8): {:?}",
        String::from_utf8_lossy(&read(&a))
    );
    let when = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    f.set_times(fs::FileTimes::new().set_modified(when).set_accessed(when))
        .or_fail("set_times");
    let md = fs::metadata(&a).or_fail("metadata a.txt");
    check!(
        md.modified().or_fail("modified") == when,
        "mtime after set_times is {:?}",
        md.modified()
    );
    check!(md.len() == 8, "len after set_len(8) is {}", md.len());
    f.sync_all().or_fail("sync_all");
    f.sync_data().or_fail("sync_data");
    drop(f);
    println!("files: metadata/set_len/set_times/sync ok");

    // Append mode writes at the end whatever the position; truncate on open empties.
    let mut f = OpenOptions::new()
        .append(true)
        .open(&a)
        .or_fail("opening a.txt for append");
    f.write_all(b"+1").or_fail("appending");
    drop(f);
    check!(read(&a) == b"Wello\0\0\0+1", "after append: {:?}", read(&a));
    fs::write(&a, b"replaced\n").or_fail("fs::write (truncating open)");
    check!(read(&a) == b"replaced\n", "after fs::write: {:?}", read(&a));
    println!("files: append/truncate ok");

    // Rename: to a new name, over an existing file, a directory.
    let b = root.join("b.txt");
    fs::rename(&a, &b).or_fail("rename a.txt -> b.txt");
    expect_errno(
        fs::metadata(&a),
        Errno::NOENT,
        "metadata of a renamed-away file",
    );
    fs::write(root.join("c.txt"), b"c\n").or_fail("writing c.txt");
    fs::write(root.join("d.txt"), b"to be replaced\n").or_fail("writing d.txt");
    fs::copy(root.join("c.txt"), root.join("tmp.txt")).or_fail("copy c.txt -> tmp.txt");
    fs::rename(root.join("tmp.txt"), root.join("d.txt")).or_fail("rename over d.txt");
    check!(
        read(&root.join("d.txt")) == b"c\n",
        "d.txt after rename over it"
    );
    fs::create_dir(root.join("e0")).or_fail("create_dir e0");
    fs::rename(root.join("e0"), root.join("e")).or_fail("rename directory e0 -> e");
    check!(
        read(&b) == b"replaced\n",
        "b.txt after rename: {:?}",
        read(&b)
    );
    println!("files: rename ok");

    // Hard link and symlink.
    wasi::path_link(
        pre,
        0,
        &format!("{raw_root}/b.txt"),
        pre,
        &format!("{raw_root}/hard.txt"),
    )
    .or_fail("path_link b.txt -> hard.txt");
    let st = wasi::path_filestat_get(pre, 0, &format!("{raw_root}/b.txt"))
        .or_fail("path_filestat_get b.txt");
    check!(
        st.nlink == 2,
        "b.txt has {} links after path_link, want 2",
        st.nlink
    );
    let st2 = wasi::path_filestat_get(pre, 0, &format!("{raw_root}/hard.txt"))
        .or_fail("path_filestat_get hard.txt");
    check!(
        st.ino == st2.ino && st.dev == st2.dev,
        "hard.txt and b.txt are different files"
    );
    fs::hard_link(root.join("c.txt"), root.join("hard2.txt")).or_fail("fs::hard_link");
    fs::remove_file(root.join("hard2.txt")).or_fail("removing hard2.txt");
    wasi::path_symlink("b.txt", pre, &format!("{raw_root}/link"))
        .or_fail("path_symlink link -> b.txt");
    let target = fs::read_link(root.join("link")).or_fail("read_link");
    check!(
        target == Path::new("b.txt"),
        "link points at {}",
        target.display()
    );
    check!(
        fs::symlink_metadata(root.join("link"))
            .or_fail("symlink_metadata")
            .file_type()
            .is_symlink(),
        "link is not a symlink"
    );
    check!(
        read(&root.join("link")) == b"replaced\n",
        "reading through link"
    );
    let st = wasi::path_filestat_get(pre, 0, &format!("{raw_root}/link"))
        .or_fail("path_filestat_get link (nofollow)");
    check!(
        st.filetype == wasi::FILETYPE_SYMBOLIC_LINK,
        "nofollow filestat of link has type {}",
        st.filetype
    );
    let st = wasi::path_filestat_get(
        pre,
        wasi::LOOKUP_SYMLINK_FOLLOW,
        &format!("{raw_root}/link"),
    )
    .or_fail("path_filestat_get link (follow)");
    check!(
        st.filetype == wasi::FILETYPE_REGULAR_FILE && st.size == 9,
        "followed filestat of link: type {} size {}",
        st.filetype,
        st.size
    );
    println!("files: hard link/symlink ok");

    // Directory listing, sorted, with types.
    let mut names: Vec<String> = fs::read_dir(&root)
        .or_fail("read_dir files-test")
        .map(|e| {
            let e = e.or_fail("read_dir entry");
            let ty = e.file_type().or_fail("entry file type");
            let name = e.file_name().to_string_lossy().into_owned();
            let suffix = if ty.is_dir() {
                "/"
            } else if ty.is_symlink() {
                "@"
            } else {
                ""
            };
            format!("{name}{suffix}")
        })
        .collect();
    names.sort();
    println!("files: listing: {}", names.join(" "));
    check!(
        names == ["b.txt", "c.txt", "d.txt", "e/", "hard.txt", "link@", "sub/"],
        "unexpected listing"
    );

    // A listing larger than one fd_readdir buffer.
    let many = root.join("e");
    for i in 0..300 {
        File::create(many.join(format!("entry-with-a-long-name-{i:04}")))
            .or_fail("creating a directory entry");
    }
    let mut count = 0;
    let mut sum = 0;
    for e in fs::read_dir(&many).or_fail("read_dir e") {
        let name = e
            .or_fail("read_dir entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let i: usize = name
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| fail(format_args!("stray entry {name:?}")));
        count += 1;
        sum += i;
    }
    check!(
        count == 300 && sum == 299 * 300 / 2,
        "read_dir of 300 entries gave {count} entries summing to {sum}"
    );
    println!("files: read_dir of 300 entries ok");

    // A larger file through one write and one read (256 KiB).
    let big: Vec<u8> = (0..256 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fs::write(root.join("big.bin"), &big).or_fail("writing big.bin");
    let back = read(&root.join("big.bin"));
    check!(
        back == big,
        "big.bin reads back differently ({} bytes)",
        back.len()
    );
    println!("files: 256 KiB round trip ok: fnv {:016x}", fnv(&back));

    // Failures, each with its errno.
    expect_errno(
        File::open(root.join("missing.txt")),
        Errno::NOENT,
        "open a missing file",
    );
    expect_errno(
        fs::create_dir(root.join("sub")),
        Errno::EXIST,
        "create_dir an existing directory",
    );
    expect_errno(
        File::options().write(true).create_new(true).open(&b),
        Errno::EXIST,
        "create_new an existing file",
    );
    expect_errno(fs::read_dir(&b), Errno::NOTDIR, "read_dir a file");
    expect_errno(
        fs::remove_dir(root.join("sub")),
        Errno::NOTEMPTY,
        "remove_dir a non-empty directory",
    );
    expect_errno(
        fs::remove_file(root.join("sub")),
        Errno::ISDIR,
        "remove_file a directory",
    );
    expect_errno(fs::remove_dir(&b), Errno::NOTDIR, "remove_dir a file");
    expect_errno(
        File::create(root.join("sub")),
        Errno::ISDIR,
        "open a directory for writing",
    );
    expect_errno(
        File::open(root.join("nodir/x")),
        Errno::NOENT,
        "open under a missing directory",
    );

    // Removal; the removed entries are gone.
    fs::remove_file(root.join("link")).or_fail("remove_file link");
    check!(
        read(&b) == b"replaced\n",
        "removing a symlink changed its target"
    );
    for name in ["b.txt", "c.txt", "d.txt", "hard.txt", "big.bin"] {
        fs::remove_file(root.join(name)).or_fail(&format!("remove_file {name}"));
    }
    fs::remove_dir(root.join("sub/deeper")).or_fail("remove_dir sub/deeper");
    fs::remove_dir(root.join("sub")).or_fail("remove_dir sub");
    fs::remove_dir_all(&many).or_fail("remove_dir_all e");
    let left: Vec<_> = fs::read_dir(&root).or_fail("read_dir files-test").collect();
    check!(left.is_empty(), "{} entries left in files-test", left.len());
    fs::remove_dir(&root).or_fail("remove_dir files-test");
    expect_errno(
        fs::metadata(&root),
        Errno::NOENT,
        "metadata of the removed directory",
    );
    println!("files: cleanup ok");
}
