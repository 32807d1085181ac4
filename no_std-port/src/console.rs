//! Console output: `println!` over the board's `write`, a line at a time.
//!
//! Lines are assembled in a small buffer and handed to the board whole, because each
//! hand-over can be expensive (a semihosting call traps to the debugger/emulator).
//!
//! Nothing here uses `core::fmt`'s formatting machinery (`write!`, `{}`): a line is a list
//! template whose `{}`s are filled by values that write themselves (`wisp::text::Text`:
//! strings, integers, wisp's errors and types), which keeps `core::fmt::write`, padding and the integer `Display` impls out
//! of the flash image (issue 21).

use core::fmt::{self, Write};

use wisp::text::{self, Out, Text};

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

impl Write for Console {
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

/// Like std's, for `{}` alone: `println!("[led {} on]", i)`. Each argument is a
/// `wisp::text::Text`.
macro_rules! println {
    () => {
        $crate::console::write_line("", &[])
    };
    ($template:literal $(, $arg:expr)* $(,)?) => {
        $crate::console::write_line($template, &[$(&$arg as &dyn wisp::text::Text),*])
    };
}

/// One function behind the macro, so each `println!` costs a call, not an inlined writer.
#[inline(never)]
pub fn write_line(template: &str, args: &[&dyn Text]) {
    let mut console = Console::new();
    // `Console` never fails; an argument that does only cuts its own line short.
    let _ = text::template(&mut console, template, args);
    let _ = console.write_str("\n");
}

/// Bits of a float or a checksum, as `{:#010x}` (`Bits(x, 8)`) or `{:#018x}` print them.
pub struct Bits(pub u64, pub usize);

impl Text for Bits {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        text::hex(out, self.0, self.1)
    }
}

/// Bytes from a guest, printable ASCII as is and the rest escaped, as `escape_ascii`
/// shows them.
pub struct Escaped<'a>(pub &'a [u8]);

impl Text for Escaped<'_> {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        self.0
            .escape_ascii()
            .try_for_each(|b| out.put(char::from(b).encode_utf8(&mut [0; 4])))
    }
}
