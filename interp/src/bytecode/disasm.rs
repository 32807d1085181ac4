//! Encoded code back into text, as the executor runs it: each instruction's handler word
//! names the instruction and its variant (which operand arrives in an accumulator, whether
//! the result is stored), and the operands are read from the words after it, as the
//! handler reads them. `wisp inspect --bytecode` prints this.

use core::fmt;

use super::{Forward, Tag, Word, INFO};

/// A function's encoded code, printable one instruction a line.
pub struct Disassembly<'a> {
    code: &'a [Word],
}

/// One decoded instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// Its first word.
    pub at: usize,
    pub tag: Tag,
    /// Which operand arrives in an accumulator.
    pub forward: Forward,
    /// Whether the handler writes the result to its slot.
    pub stores: bool,
}

impl<'a> Disassembly<'a> {
    /// The code of one function (`CompiledFunc::code`).
    pub fn new(code: &'a [Word]) -> Self {
        Disassembly { code }
    }

    /// The instructions in order; stops at a word that is no handler of this build (which
    /// only code not made by `encode` can have).
    pub fn instructions(&self) -> impl Iterator<Item = Decoded> + 'a {
        let code = self.code;
        let mut at = 0;
        core::iter::from_fn(move || {
            let word = code.get(at)?;
            // SAFETY: `encode` starts every instruction with its handler word.
            let handler = unsafe { word.handler };
            let (tag, forward, stores) = crate::exec::decode_handler(handler)?;
            let decoded = Decoded {
                at,
                tag,
                forward,
                stores,
            };
            at += usize::from(INFO[tag as usize].words);
            Some(decoded)
        })
    }
}

impl fmt::Display for Disassembly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.instructions() {
            let info = &INFO[d.tag as usize];
            write!(f, "{:>6}: ", d.at)?;
            // SAFETY: `instructions` decoded `d.tag` from the handler word at `d.at`, whose
            // operands follow it (`encode`); `info.words` of them are inside the code.
            if info.len > 0 && d.at + usize::from(info.words) <= self.code.len() {
                unsafe { super::instr::fmt_payload(d.tag, self.code.as_ptr().add(d.at + 1), f)? };
            } else {
                f.write_str(d.tag.name())?;
            }
            if info.branch != super::Info::NONE {
                // SAFETY: as above; `Info::branch` is the byte offset of the `i32` offset.
                let offset = unsafe {
                    self.code
                        .as_ptr()
                        .add(d.at + 1)
                        .cast::<u8>()
                        .add(usize::from(info.branch))
                        .cast::<i32>()
                        .read()
                };
                write!(f, " -> {}", d.at as i64 + i64::from(offset))?;
            }
            match d.forward {
                Forward::None => {}
                Forward::First => f.write_str("  [first from acc]")?,
                Forward::Second => f.write_str("  [second from acc]")?,
            }
            if !d.stores {
                f.write_str("  [result not stored]")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
