//! Messages without `core::fmt`'s machinery (issue 21).
//!
//! `write!` and `format!` link `core::fmt::write`, `Formatter::pad`, `pad_integral` and the
//! integer `Display` impls: about 5 KiB of flash that a firmware build pays for even if it
//! never shows a message, because every error built with `format!` reaches them. wisp's
//! messages are written instead a piece at a time ([`Text`]): strings as they are, integers
//! by [`decimal`] and [`Hex`], into a template's `{}`s ([`template`],
//! [`put!`](crate::put), [`text!`](crate::text)). Each type's text is written once, in its
//! `Text` impl; its `Display` (through [`display_by_text!`](crate::display_by_text)) and
//! the messages built with [`text!`](crate::text) both use it, so the desktop's `{}` and
//! the firmware's console print the same words.
//!
//! Padding, width and precision flags are ignored: no message of wisp's uses them.
//!
//! The words are the `messages` feature's (which `std` turns on). Without it, as a firmware
//! builds wisp, errors and traps are codes (issue 21): their `Text` writes a kind, a rule's
//! or trap's number and the byte offset (`error 1: rule 3 at 0x2a`, `trap 5`; the numbers
//! are [`Why::number`](crate::validate::Why::number) and
//! [`TrapCode::status`](crate::TrapCode::status)), [`text!`](crate::text) builds an empty string, and
//! no wisp type implements `Display`. The word tables, the message templates and what
//! fills them are then not linked.

use alloc::string::String;
use core::fmt::{self, Write};

/// Where text goes: anything `fmt::Write` (a `Formatter`, a `String`, a board's console).
/// Its own trait rather than `dyn fmt::Write`, whose vtables carry `write_fmt` and so link
/// `core::fmt::write` wherever text is written.
pub trait Out {
    /// Appends `s`.
    fn put(&mut self, s: &str) -> fmt::Result;
}

impl<W: Write + ?Sized> Out for W {
    fn put(&mut self, s: &str) -> fmt::Result {
        self.write_str(s)
    }
}

/// A value that writes its own text, piece by piece, to an [`Out`].
pub trait Text {
    /// Writes the text. Fails only if `out` does.
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result;
}

impl<T: Text + ?Sized> Text for &T {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        (**self).write_to(out)
    }
}

impl Text for str {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        out.put(self)
    }
}

impl Text for String {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        out.put(self)
    }
}

/// Writes a `Display` value (an embedder's error, say) with `core::fmt`: what only types
/// outside wisp need.
pub fn display(out: &mut dyn Out, value: &dyn fmt::Display) -> fmt::Result {
    struct Adapter<'a>(&'a mut dyn Out);
    impl Write for Adapter<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0.put(s)
        }
    }
    write!(Adapter(out), "{value}")
}

/// Writes `n` in decimal.
pub fn decimal(out: &mut dyn Out, n: u64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    write_ascii(out, &digits[at..])
}

/// ASCII digits as one `str`.
fn write_ascii(out: &mut dyn Out, digits: &[u8]) -> fmt::Result {
    // Only ASCII digits reach here, so the check never fails; the loader's check, not
    // `core::str::from_utf8`, which would bring its table to firmware for this.
    out.put(crate::operators::utf8(digits).ok_or(fmt::Error)?)
}

macro_rules! unsigned {
    ($($t:ty)*) => {$(
        impl Text for $t {
            fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
                decimal(out, *self as u64)
            }
        }
    )*};
}
unsigned!(u8 u16 u32 u64 usize);

macro_rules! signed {
    ($($t:ty)*) => {$(
        impl Text for $t {
            fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
                if *self < 0 {
                    out.put("-")?;
                }
                decimal(out, (*self as i64).unsigned_abs())
            }
        }
    )*};
}
signed!(i8 i16 i32 i64 isize);

/// Writes `n` in hexadecimal after `0x`, with at least `min_digits` digits (zeros in
/// front): `{:#x}` for 1, `{:#010x}` for 8.
pub fn hex(out: &mut dyn Out, n: u64, min_digits: usize) -> fmt::Result {
    let mut digits = [b'0'; 16];
    let mut at = digits.len();
    let mut rest = n;
    while rest != 0 || at == digits.len() {
        at -= 1;
        digits[at] = b"0123456789abcdef"[(rest & 0xf) as usize];
        rest >>= 4;
    }
    out.put("0x")?;
    write_ascii(out, &digits[at.min(16 - min_digits.min(16))..])
}

/// An integer written as [`hex`] writes it with `min_digits` 1: as `{:#x}` does.
#[derive(Debug, Clone, Copy)]
pub struct Hex(pub u64);

impl Text for Hex {
    fn write_to(&self, out: &mut dyn Out) -> fmt::Result {
        hex(out, self.0, 1)
    }
}

/// Writes `template` to `out` with each `{}` in it replaced by the next of `args`, in
/// order: what `write!` does for `{}` alone. The template stays one string in read-only
/// data, so a message costs its text and a pointer per argument, as with `format_args!`.
/// A `{}` without an argument is dropped; `{{` is not special.
pub fn template(out: &mut dyn Out, template: &str, args: &[&dyn Text]) -> fmt::Result {
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.as_bytes().windows(2).position(|pair| pair == b"{}") {
        // `{` is ASCII, so `at` and `at + 2` are character boundaries.
        out.put(rest.get(..at).unwrap_or_default())?;
        if let Some(arg) = args.next() {
            arg.write_to(out)?;
        }
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    out.put(rest)
}

/// `put!(out, "table {} of {}", index, count)`: [`template`] as a macro, for any [`Out`];
/// each argument is anything [`Text`]. Evaluates to the `fmt::Result`.
#[macro_export]
#[doc(hidden)]
macro_rules! put {
    ($out:expr, $template:literal $(, $arg:expr)* $(,)?) => {
        $crate::text::template($out, $template, &[$(&$arg as &dyn $crate::text::Text),*])
    };
}

/// A `String` of [`template`]'s text, as `format!` would build it:
/// `text!("no exported function `{}`", name)`. Empty without the `messages` feature
/// ([`owned`]).
#[macro_export]
#[doc(hidden)]
macro_rules! text {
    ($template:literal $(, $arg:expr)* $(,)?) => {
        $crate::text::owned($template, &[$(&$arg as &dyn $crate::text::Text),*])
    };
}

/// [`text!`](crate::text)'s string: `template` filled with `args`.
#[cfg(feature = "messages")]
pub fn owned(template: &str, args: &[&dyn Text]) -> String {
    let mut s = String::new();
    // Writing to a `String` cannot fail.
    let _ = self::template(&mut s, template, args);
    s
}

/// [`text!`]'s string without the `messages` feature: none. Inlined, so the template and
/// the arguments' `Text` vtables are dead where the message would have been built.
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn owned(_template: &str, _args: &[&dyn Text]) -> String {
    String::new()
}

/// `Display` for types whose text is their [`Text`] impl, with the `messages` feature
/// (expanded in wisp-core only, where that `cfg` is wisp-core's).
#[macro_export]
#[doc(hidden)]
macro_rules! display_by_text {
    ($($t:ty),+ $(,)?) => {$(
        #[cfg(feature = "messages")]
        impl ::core::fmt::Display for $t {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::text::Text::write_to(self, f)
            }
        }
    )+};
}

#[cfg(all(test, feature = "messages"))]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn integers_read_as_fmt_writes_them() {
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u32::MAX as u64, u64::MAX] {
            assert_eq!(text!("{}", n), format!("{n}"));
            assert_eq!(text!("{}", Hex(n)), format!("{n:#x}"));
            let mut padded = String::new();
            hex(&mut padded, n, 8).unwrap();
            assert_eq!(padded, format!("{n:#010x}"));
        }
        for n in [0i64, -1, 7, -10, i64::MIN, i64::MAX] {
            assert_eq!(text!("{}", n), format!("{n}"));
        }
        assert_eq!(text!("{}", i32::MIN), format!("{}", i32::MIN));
        assert_eq!(text!("a{}b{}", 1u8, String::from("c")), "a1bc");
        assert_eq!(text!("{}{}{}", "x", 2i8, "z"), "x2z");
        assert_eq!(text!("{} left {}", 1u8), "1 left ");
        assert_eq!(text!("é{}ü", 3u8), "é3ü");
    }
}
