//! Hostile pointers from a guest: every one is EFAULT (or the errno named) to the guest,
//! never a host panic or a trap, and a call that fails leaves no partial effect.

use wisp_test_support::wasi as common;

use common::*;
use wisp_wasi::{MemFs, OutputBuffer, WasiCtx};

const END: i64 = MEM_SIZE as i64;
const MAX: i64 = u32::MAX as i64;

fn guest_with_stdout() -> (Guest, OutputBuffer) {
    let out = OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .stdout(out.clone())
        .stdin_bytes("stdin data")
        .args(["prog", "arg"])
        .env("K", "V")
        .preopen(MemFs::new(), "/", false)
        .build()
        .unwrap();
    (Guest::new(ctx), out)
}

#[test]
fn out_of_bounds_iovec_buffers() {
    let (mut g, out) = guest_with_stdout();
    for (buf, len) in [
        (MEM_SIZE, 1),       // starts at the end
        (MEM_SIZE - 4, 8),   // crosses the end
        (0xffff_fff0, 0x20), // buf + len wraps around u32
        (16, u32::MAX),      // length alone past the end
        (u32::MAX, 1),       // pointer at u32::MAX
        (u32::MAX, 0),       // empty, but still not inside memory
    ] {
        let (iov, n) = g.iovecs(&[(BUF, 4), (buf, len)]);
        assert_eq!(
            g.call("fd_write", &[1, iov, n, OUT as i64]),
            EFAULT,
            "{buf:#x}+{len:#x}"
        );
        assert_eq!(
            g.call("fd_read", &[0, iov, n, OUT as i64]),
            EFAULT,
            "{buf:#x}+{len:#x}"
        );
        assert_eq!(g.call("fd_pwrite", &[1, iov, n, 0, OUT as i64]), EFAULT);
    }
    // The good first iovec was not written either: all are checked first.
    assert!(out.contents().is_empty());
    // Nor was stdin consumed.
    assert_eq!(g.fd_read(0, 64), Ok(b"stdin data".to_vec()));
}

#[test]
fn iovec_arrays_crossing_the_end_or_overflowing() {
    let (mut g, out) = guest_with_stdout();
    // The array itself: at the end, crossing it, at u32::MAX, and a count whose size
    // overflows u32 arithmetic (count * 8).
    for (ptr, count) in [
        (END, 1),
        (END - 4, 1),
        (MAX, 1),
        (MAX - 7, 2),
        (0, MAX),
        (0, 0x2000_0000),
    ] {
        assert_eq!(
            g.call("fd_write", &[1, ptr, count, OUT as i64]),
            EFAULT,
            "{ptr:#x} x{count}"
        );
        assert_eq!(
            g.call("fd_read", &[0, ptr, count, OUT as i64]),
            EFAULT,
            "{ptr:#x} x{count}"
        );
        assert_eq!(g.call("fd_pread", &[0, ptr, count, 0, OUT as i64]), EFAULT);
    }
    assert!(out.contents().is_empty());
}

#[test]
fn iovec_lengths_summing_past_u32_are_einval() {
    let (mut g, out) = guest_with_stdout();
    // 65537 iovecs of 64 KiB each, all inside memory (they overlap): 2^32 + 64 KiB in all.
    let count = 65537u32;
    let mut bytes = Vec::with_capacity(count as usize * 8);
    for _ in 0..count {
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&65536u32.to_le_bytes());
    }
    g.write(65536, &bytes);
    assert_eq!(
        g.call("fd_write", &[1, 65536, count as i64, OUT as i64]),
        EINVAL
    );
    assert!(out.contents().is_empty());
}

#[test]
fn out_of_bounds_result_pointers_fail_before_any_effect() {
    let (mut g, out) = guest_with_stdout();
    g.write(BUF, b"data");
    let (iov, n) = g.iovecs(&[(BUF, 4)]);
    for bad in [END, END - 3, MAX, MAX - 3] {
        assert_eq!(g.call("fd_write", &[1, iov, n, bad]), EFAULT);
        assert_eq!(g.call("fd_read", &[0, iov, n, bad]), EFAULT);
    }
    assert!(
        out.contents().is_empty(),
        "nothing written when nwritten cannot be stored"
    );
    assert_eq!(
        g.fd_read(0, 64),
        Ok(b"stdin data".to_vec()),
        "nothing read either"
    );

    // path_open with an unwritable fd pointer opens nothing (no descriptor leaks).
    g.write(PATH, b"f");
    let args = |out: i64| {
        [
            3,
            0,
            PATH as i64,
            1,
            O_CREAT as i64,
            ALL_RIGHTS,
            ALL_RIGHTS,
            0,
            out,
        ]
    };
    assert_eq!(g.call("path_open", &args(END - 2)), EFAULT);
    assert_eq!(g.stat(3, 0, "f"), Err(ENOENT));
    assert_eq!(g.call("path_open", &args(OUT as i64)), 0);
    assert_eq!(g.u32(OUT), 4, "the next free descriptor");
}

#[test]
fn argument_and_environment_buffers() {
    let (mut g, _) = guest_with_stdout();
    // "prog\0arg\0" is 9 bytes; two pointers are 8.
    assert_eq!(g.call("args_get", &[END - 4, BUF as i64]), EFAULT);
    assert_eq!(g.call("args_get", &[BUF as i64, END - 8]), EFAULT);
    assert_eq!(g.call("args_get", &[MAX, MAX]), EFAULT);
    assert_eq!(g.call("args_sizes_get", &[END, OUT as i64]), EFAULT);
    assert_eq!(g.call("args_sizes_get", &[OUT as i64, MAX - 1]), EFAULT);
    assert_eq!(g.call("environ_get", &[END - 3, BUF as i64]), EFAULT);
    assert_eq!(g.call("environ_get", &[BUF as i64, END - 3]), EFAULT);
    assert_eq!(g.call("environ_sizes_get", &[MAX, OUT as i64]), EFAULT);
    // Exactly at the end fits.
    assert_eq!(g.call("args_get", &[END - 8, END - 9]), 0);
}

#[test]
fn clock_random_and_struct_out_pointers() {
    let (mut g, _) = guest_with_stdout();
    assert_eq!(g.call("clock_time_get", &[1, 0, END - 7]), EFAULT);
    assert_eq!(g.call("clock_time_get", &[1, 0, MAX]), EFAULT);
    assert_eq!(g.call("clock_res_get", &[0, MAX - 3]), EFAULT);
    assert_eq!(g.call("clock_time_get", &[1, 0, END - 8]), 0);
    assert_eq!(g.call("random_get", &[0xffff_fff0, 0x20]), EFAULT);
    assert_eq!(g.call("random_get", &[END - 10, 11]), EFAULT);
    assert_eq!(g.call("random_get", &[0, MAX]), EFAULT);
    assert_eq!(
        g.call("random_get", &[END, 0]),
        0,
        "an empty buffer at the end is fine"
    );
    assert_eq!(g.call("fd_fdstat_get", &[1, END - 23]), EFAULT);
    assert_eq!(g.call("fd_filestat_get", &[3, END - 63]), EFAULT);
    assert_eq!(g.call("fd_prestat_get", &[3, END - 7]), EFAULT);
    assert_eq!(g.call("fd_prestat_dir_name", &[3, END - 1, 2]), EFAULT);
    assert_eq!(g.call("fd_prestat_dir_name", &[3, BUF as i64, MAX]), EFAULT);
    assert_eq!(g.call("fd_tell", &[3, MAX]), EFAULT);
    assert_eq!(g.call("fd_seek", &[3, 0, 0, END - 1]), EFAULT);
}

#[test]
fn path_pointers_and_encodings() {
    let (mut g, _) = guest_with_stdout();
    for func in [
        "path_create_directory",
        "path_unlink_file",
        "path_remove_directory",
    ] {
        assert_eq!(g.call(func, &[3, END - 2, 4]), EFAULT, "{func}");
        assert_eq!(g.call(func, &[3, MAX, 1]), EFAULT, "{func}");
        assert_eq!(g.call(func, &[3, 16, MAX]), EFAULT, "{func}");
    }
    // A path that is not UTF-8.
    g.write(PATH, b"bad\xff");
    assert_eq!(
        g.call("path_create_directory", &[3, PATH as i64, 4]),
        EILSEQ
    );
    assert_eq!(
        g.call("path_symlink", &[PATH as i64, 4, 3, PATH as i64, 3]),
        EILSEQ
    );
    // A NUL inside a path.
    g.write(PATH, b"a\0b");
    assert_eq!(
        g.call("path_create_directory", &[3, PATH as i64, 3]),
        EINVAL
    );
    // Out-of-bounds second paths and result buffers.
    g.write(PATH, b"x");
    assert_eq!(
        g.call("path_rename", &[3, PATH as i64, 1, 3, END - 1, 2]),
        EFAULT
    );
    assert_eq!(
        g.call("path_link", &[3, 0, PATH as i64, 1, 3, MAX, 5]),
        EFAULT
    );
    assert_eq!(g.call("path_symlink", &[MAX, 2, 3, PATH as i64, 1]), EFAULT);
    assert_eq!(g.symlink("target", 3, "ln"), 0);
    g.write(PATH, b"ln");
    assert_eq!(
        g.call(
            "path_readlink",
            &[3, PATH as i64, 2, END - 2, 6, OUT as i64]
        ),
        EFAULT
    );
    assert_eq!(
        g.call("path_readlink", &[3, PATH as i64, 2, BUF as i64, 6, MAX]),
        EFAULT
    );
    assert_eq!(
        g.call("path_filestat_get", &[3, 0, PATH as i64, 2, END - 32]),
        EFAULT
    );
    assert_eq!(
        g.call("path_open", &[3, 0, MAX - 1, 4, 0, 0, 0, 0, OUT as i64]),
        EFAULT
    );
}

#[test]
fn readdir_and_poll_buffers() {
    let (mut g, _) = guest_with_stdout();
    assert_eq!(
        g.call("fd_readdir", &[3, END - 10, 64, 0, OUT as i64]),
        EFAULT
    );
    assert_eq!(
        g.call("fd_readdir", &[3, BUF as i64, MAX, 0, OUT as i64]),
        EFAULT
    );
    assert_eq!(g.call("fd_readdir", &[3, BUF as i64, 64, 0, END]), EFAULT);
    assert_eq!(
        g.call("fd_readdir", &[3, BUF as i64, 64, -1, OUT as i64]),
        0
    );
    assert_eq!(g.u32(OUT), 0, "a cookie past the end lists nothing");

    // Subscriptions: array crossing the end, count overflowing u32 arithmetic, events
    // array out of bounds, nevents out of bounds.
    let mut sub = vec![0u8; 48];
    sub[16..20].copy_from_slice(&1u32.to_le_bytes());
    g.write(BUF, &sub);
    assert_eq!(
        g.call("poll_oneoff", &[END - 40, PATH as i64, 1, OUT as i64]),
        EFAULT
    );
    assert_eq!(
        g.call(
            "poll_oneoff",
            &[BUF as i64, PATH as i64, 0x0600_0000, OUT as i64]
        ),
        EFAULT
    );
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, END - 16, 1, OUT as i64]),
        EFAULT
    );
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 1, MAX]),
        EFAULT
    );
    // An unknown subscription tag.
    g.write(BUF + 8, &[7]);
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 1, OUT as i64]),
        EINVAL
    );
}

#[test]
fn bad_descriptors_and_flags_are_errnos() {
    let (mut g, _) = guest_with_stdout();
    for fd in [5i64, 1024, MAX, -1] {
        assert_eq!(g.call("fd_close", &[fd]), EBADF);
        assert_eq!(g.call("fd_fdstat_get", &[fd, OUT as i64]), EBADF);
        assert_eq!(g.call("fd_renumber", &[fd, 1]), EBADF);
        assert_eq!(g.call("fd_renumber", &[1, fd]), EBADF);
    }
    assert_eq!(g.call("fd_fdstat_set_flags", &[1, 0x10000]), EINVAL);
    g.write(PATH, b"f");
    assert_eq!(
        g.call(
            "path_open",
            &[3, 0, PATH as i64, 1, 0x10, 0, 0, 0, OUT as i64]
        ),
        EINVAL
    );
    assert_eq!(g.call("fd_filestat_set_times", &[1, 0, 0, 0x10]), EINVAL);
    assert_eq!(g.call("fd_seek", &[4, 0, 0x100, OUT as i64]), EINVAL);
    assert_eq!(g.call("fd_seek", &[77, 0, 0, OUT as i64]), EBADF);
    assert_eq!(g.call("fd_seek", &[3, 0, 0, OUT as i64]), EISDIR);
}
