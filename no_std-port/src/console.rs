//! Console output: `println!` over the board's `write`, a line at a time.
//!
//! Lines are assembled in a small buffer and handed to the board whole, because each
//! hand-over can be expensive (a semihosting call traps to the debugger/emulator).

use core::fmt;

use crate::arch;

pub struct Console {
    buf: [u8; 128],
    len: usize,
}

impl Console {
    pub const fn new() -> Console {
        Console {
            buf: [0; 128],
            len: 0,
        }
    }

    fn flush(&mut self) {
        arch::write(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
            if b == b'\n' {
                self.flush();
            }
        }
        Ok(())
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if self.len > 0 {
            self.flush();
        }
    }
}

/// Like std's: formats one line onto the board's console.
macro_rules! println {
    () => {
        $crate::console::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::console::write_line(format_args!($($arg)*))
    };
}

/// One function behind the macro, so each `println!` costs a call, not an inlined writer.
#[inline(never)]
pub fn write_line(args: fmt::Arguments<'_>) {
    use fmt::Write as _;
    let mut console = Console::new();
    // `Console` never fails; a `Display` impl that does only cuts its own line short.
    let _ = console.write_fmt(args);
    let _ = console.write_str("\n");
}
