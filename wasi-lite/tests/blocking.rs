//! Host calls that wait for another process end when the embedder interrupts: a read from
//! a FIFO or a stream that never delivers, `poll_oneoff` on one, and a FIFO opened for
//! writing that nobody reads, each with the store's `InterruptHandle` (an interruptible
//! engine) and with the context's interrupt flag. The interrupt ends the guest with the
//! `Interrupted` trap, is consumed, and the store works afterwards. Without an interrupt
//! the waits keep their meaning: a FIFO read waits for its writer's data.

use wisp_test_support::wasi as common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use wisp::TrapCode;
use wisp_wasi::{Stream, WasiCtx, WasiResult};

/// How the test interrupts the guest.
#[derive(Debug, Clone, Copy)]
enum By {
    Handle,
    Flag,
}

/// A guest for `ctx` and a way to interrupt it from another thread.
fn guest(by: By, mut ctx: wisp_wasi::WasiCtxBuilder) -> (Guest, Box<dyn Fn() + Send>) {
    match by {
        By::Handle => {
            let g = Guest::interruptible(ctx.build().unwrap());
            let h = g.store.interrupt_handle();
            (g, Box::new(move || h.interrupt()))
        }
        By::Flag => {
            let flag = Arc::new(AtomicBool::new(false));
            ctx.interrupt_flag(flag.clone());
            let g = Guest::new(ctx.build().unwrap());
            (g, Box::new(move || flag.store(true, Ordering::Relaxed)))
        }
    }
}

/// Calls `name` with `args`, interrupting it after 100 ms from another thread: it must end
/// with the `Interrupted` trap within a few seconds.
fn assert_interrupted(g: &mut Guest, interrupt: Box<dyn Fn() + Send>, name: &str, args: &[i64]) {
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        interrupt();
    });
    let start = Instant::now();
    let result = g.try_call(name, args);
    interrupter.join().unwrap();
    let err = result.expect_err("the call ends with a trap");
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::Interrupted),
        "{name}: {err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{name} took {:?}",
        start.elapsed()
    );
}

/// The store still works, and a handle's interrupt was consumed (the next call runs).
fn assert_still_works(g: &mut Guest) {
    assert_eq!(g.call("fd_fdstat_get", &[1, BUF as i64]), 0);
}

/// A stream whose data never comes: not ready, and a read would block forever.
struct Silent;

impl Stream for Silent {
    fn read(&mut self, _: &mut [u8]) -> WasiResult<usize> {
        panic!("a read of a stream that is not ready would block forever");
    }
    fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
        std::thread::sleep(Duration::from_nanos(timeout.expect("a wait in slices")));
        Ok(None)
    }
}

/// `poll_oneoff` with one subscription: `fd_read` on `fd`.
fn poll_read_args(g: &mut Guest, fd: u32) -> [i64; 4] {
    let mut sub = vec![0u8; 48];
    sub[8] = 1; // eventtype fd_read
    sub[16..20].copy_from_slice(&fd.to_le_bytes());
    g.write(BUF, &sub);
    [BUF as i64, PATH as i64, 1, OUT as i64]
}

#[cfg(unix)]
/// Whether `poll_oneoff` says `fd` is writable now (an `fd_write` subscription beside a
/// clock that fires at once).
fn writable_now(g: &mut Guest, fd: u32) -> bool {
    let mut subs = vec![0u8; 96];
    subs[0] = 1; // userdata 1
    subs[8] = 2; // eventtype fd_write
    subs[16..20].copy_from_slice(&fd.to_le_bytes());
    subs[48] = 2; // userdata 2
    subs[56] = 0; // eventtype clock, monotonic, relative 0
    subs[64..68].copy_from_slice(&1u32.to_le_bytes());
    g.write(BUF, &subs);
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 2, OUT as i64]),
        0
    );
    let events = g.u32(OUT);
    (0..events).any(|i| {
        let e = PATH + 32 * i;
        g.u64(e) == 1 && g.read(e + 8, 2) == [0, 0] && g.read(e + 10, 1)[0] == 2
    })
}

#[test]
fn a_read_or_poll_of_a_silent_stream_ends_when_interrupted() {
    for by in [By::Handle, By::Flag] {
        let mut b = WasiCtx::builder();
        b.stdin(Silent);
        let (mut g, interrupt) = guest(by, b);
        let (iov, n) = g.iovecs(&[(BUF, 16)]);
        assert_interrupted(&mut g, interrupt, "fd_read", &[0, iov, n, OUT as i64]);
        assert_still_works(&mut g);

        let mut b = WasiCtx::builder();
        b.stdin(Silent);
        let (mut g, interrupt) = guest(by, b);
        let args = poll_read_args(&mut g, 0);
        assert_interrupted(&mut g, interrupt, "poll_oneoff", &args);
        assert_still_works(&mut g);
    }
}

#[cfg(unix)]
mod fifo {
    use super::*;

    /// A temporary directory holding a FIFO named `fifo`, preopened as fd 3.
    fn with_fifo() -> (TempDir, wisp_wasi::WasiCtxBuilder) {
        let tmp = TempDir::new("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(tmp.path().join("fifo"))
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let mut b = WasiCtx::builder();
        b.preopen_dir(tmp.path(), "/d").unwrap();
        (tmp, b)
    }

    #[test]
    fn a_read_from_a_fifo_that_never_delivers_ends_when_interrupted() {
        for by in [By::Handle, By::Flag] {
            let (tmp, b) = with_fifo();
            let (mut g, interrupt) = guest(by, b);
            // Opening for reading does not wait for a writer.
            let fd = g.open(3, 0, "fifo", 0, READ_RIGHTS, 0).unwrap();
            // A writer that holds the FIFO open and never writes.
            let _writer = std::fs::OpenOptions::new()
                .write(true)
                .open(tmp.path().join("fifo"))
                .unwrap();
            let (iov, n) = g.iovecs(&[(BUF, 16)]);
            assert_interrupted(
                &mut g,
                interrupt,
                "fd_read",
                &[fd as i64, iov, n, OUT as i64],
            );
            assert_still_works(&mut g);
        }
    }

    #[test]
    fn a_poll_of_a_fifo_that_never_delivers_ends_when_interrupted() {
        for by in [By::Handle, By::Flag] {
            let (_tmp, b) = with_fifo();
            let (mut g, interrupt) = guest(by, b);
            let fd = g.open(3, 0, "fifo", 0, READ_RIGHTS, 0).unwrap();
            let args = poll_read_args(&mut g, fd);
            assert_interrupted(&mut g, interrupt, "poll_oneoff", &args);
            assert_still_works(&mut g);
        }
    }

    #[test]
    fn opening_a_fifo_nobody_reads_for_writing_ends_when_interrupted() {
        for by in [By::Handle, By::Flag] {
            let (_tmp, b) = with_fifo();
            let (mut g, interrupt) = guest(by, b);
            g.write(PATH, b"fifo");
            // Write-only, as `open(path, O_WRONLY)` (read-write opens a FIFO at once).
            let args = [3, 0, PATH as i64, 4, 0, RIGHT_FD_WRITE, 0, 0, OUT as i64];
            assert_interrupted(&mut g, interrupt, "path_open", &args);
            assert_still_works(&mut g);
        }
    }

    #[test]
    fn a_write_to_a_fifo_nobody_drains_ends_when_interrupted() {
        for by in [By::Handle, By::Flag] {
            let (tmp, b) = with_fifo();
            let (mut g, interrupt) = guest(by, b);
            // A reader that holds the FIFO open and never reads.
            let path = tmp.path().join("fifo");
            let reader = std::thread::spawn(move || std::fs::File::open(path).unwrap());
            const POLL: i64 = 1 << 27;
            let fd = g.open(3, 0, "fifo", 0, RIGHT_FD_WRITE | POLL, 0).unwrap();
            let _reader = reader.join().unwrap();
            // Fill the pipe: each write takes what is sure not to block.
            let mut written = 0;
            while writable_now(&mut g, fd) {
                written += g.fd_write(fd, &[7; 4096]).unwrap();
            }
            assert!(written >= 4096, "the pipe took {written} bytes");
            g.write(BUF, &[7; 4096]);
            let (iov, n) = g.iovecs(&[(BUF, 4096)]);
            assert_interrupted(
                &mut g,
                interrupt,
                "fd_write",
                &[fd as i64, iov, n, OUT as i64],
            );
            assert_still_works(&mut g);
        }
    }

    /// Without an interrupt a FIFO keeps its meaning: a reader that opened it first waits
    /// for a writer's data and then its end, and a writer waits for a reader.
    #[test]
    fn a_fifo_read_waits_for_its_writer() {
        let (tmp, mut b) = with_fifo();
        let mut g = Guest::new(b.build().unwrap());
        let fd = g.open(3, 0, "fifo", 0, READ_RIGHTS, 0).unwrap();
        let path = tmp.path().join("fifo");
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            std::fs::write(path, b"late").unwrap();
        });
        assert_eq!(g.fd_read(fd, 16), Ok(b"late".to_vec()));
        writer.join().unwrap();
        assert_eq!(
            g.fd_read(fd, 16),
            Ok(Vec::new()),
            "the writer closed: end of file"
        );

        // The guest writes, a reader comes later.
        let (tmp, mut b) = with_fifo();
        let mut g = Guest::new(b.build().unwrap());
        let path = tmp.path().join("fifo");
        let reader = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            std::fs::read(path).unwrap()
        });
        let fd = g.open(3, 0, "fifo", 0, RIGHT_FD_WRITE, 0).unwrap();
        assert_eq!(g.fd_write(fd, b"early"), Ok(5));
        assert_eq!(g.call("fd_close", &[fd as i64]), 0);
        assert_eq!(reader.join().unwrap(), b"early");
    }
}
