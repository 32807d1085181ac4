//! stdout and stderr: line output, UTF-8, a vectored `fd_write`, many small writes through
//! a buffer, and `EBADF` for a descriptor that is not open.
//!
//! Run with no arguments. Deterministic: compare stdout and stderr exactly.

use guest::wasi::{self, Errno};
use guest::{check, OrFail};
use std::io::{self, Write};

fn main() {
    println!("Hello from a wisp guest (Rust, wasm32-wasip1)!");
    eprintln!("hello: this line goes to stderr");
    println!("utf-8: ünïcödé ✓ 🦀");

    // One fd_write with three iovecs. A short write is legal (it is for a pipe on a POSIX
    // host too), so finish with write_all; what must hold is that whatever was written is
    // a prefix of the concatenation, in order.
    let parts: [&[u8]; 3] = [b"vectored: ", b"one fd_write, ", b"three iovecs\n"];
    let all = parts.concat();
    let n = wasi::fd_write_vectored(1, &parts).or_fail("fd_write with three iovecs to stdout");
    check!(
        n > 0 && n <= all.len(),
        "fd_write reported {n} bytes written of {}",
        all.len()
    );
    io::stdout()
        .write_all(&all[n..])
        .or_fail("writing the rest of the vectored line");

    // Many small writes through std's line buffering, flushed explicitly.
    let mut out = io::stdout().lock();
    let mut sum = 0u32;
    for i in 1..=64u32 {
        write!(out, "{i:02}{}", if i % 16 == 0 { '\n' } else { ' ' }).or_fail("writing to stdout");
        sum += i;
    }
    writeln!(out, "sum 1..=64 = {sum}").or_fail("writing to stdout");
    out.flush().or_fail("flushing stdout");
    drop(out);

    // A descriptor the runtime never opened.
    let r = wasi::fd_write(97, b"nobody reads this\n");
    check!(
        r == Err(Errno::BADF),
        "fd_write to fd 97 returned {r:?}, want EBADF"
    );
    println!("fd_write to an unopened fd: EBADF");

    eprintln!("hello: done");
    println!("goodbye");
}
