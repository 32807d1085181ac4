//! wisp's own framing of a module's bytes, for the own validator's loading (and so for all
//! of firmware's): the header, each section's id and size, and the code section's entries.
//! It hands the loader [`Section`]s, wisp's own, so that firmware links none of
//! wasmparser's `Parser`, `Payload` or section readers, which desktop builds keep for
//! loading without the own validator.
//!
//! It refuses what the `Parser` refuses: a header other than a core module's (a component's
//! or another version's), a section id the module format does not define, a size that is
//! not a LEB128 `u32` of canonical length (`operators::Reader`'s rules) or that runs past
//! the end of the module, a section of items whose count is not such a `u32`, a code entry
//! that runs past the end of its section, bytes after the code section's last entry or
//! after a start or data count section's index, and a custom section whose name is not
//! UTF-8 within the section. The order of sections and the agreement of their counts are
//! `validate::Sections`' to check.
//!
//! Invariant: every section's bytes, and every code entry's, lie within the module's
//! bytes, and every offset handed on (`start`s, `at`s, errors) is an absolute offset into
//! the module.

use crate::error::Result;
use crate::operators::Reader;
use crate::validate::{Invalid, Why};

/// A core module's header: the magic number, then version 1 in its low 16 bits and layer
/// 0 (a core module) in its high 16 bits. A component's has another version and layer.
const HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";

/// Section ids of the binary format (the spec's `section` grammar).
pub(crate) mod id {
    pub(crate) const CUSTOM: u8 = 0;
    pub(crate) const TYPE: u8 = 1;
    pub(crate) const IMPORT: u8 = 2;
    pub(crate) const FUNCTION: u8 = 3;
    pub(crate) const TABLE: u8 = 4;
    pub(crate) const MEMORY: u8 = 5;
    pub(crate) const GLOBAL: u8 = 6;
    pub(crate) const EXPORT: u8 = 7;
    pub(crate) const START: u8 = 8;
    pub(crate) const ELEMENT: u8 = 9;
    pub(crate) const CODE: u8 = 10;
    pub(crate) const DATA: u8 = 11;
    pub(crate) const DATA_COUNT: u8 = 12;
    pub(crate) const TAG: u8 = 13;
}

/// What the framing hands on, in the module's order.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Section<'a> {
    /// A section of a count and items (types, imports, functions, tables, memories,
    /// globals, exports, elements, data, tags: `id`), its `count` read; `data` is the
    /// whole section, count included, from offset `start`.
    Items {
        id: u8,
        count: u32,
        data: &'a [u8],
        start: usize,
    },
    /// A custom section, name included (checked to be UTF-8), from offset `start`.
    Custom { data: &'a [u8], start: usize },
    /// The start section's function index; the section starts at `at`.
    Start { func: u32, at: u64 },
    /// The data count section's count; the section starts at `at`.
    DataCount { count: u32, at: u64 },
    /// The code section's entry count; the section starts at `at`. Its entries follow.
    CodeStart { count: u32, at: u64 },
    /// A code entry's body (locals and expression), from offset `start`.
    CodeEntry { body: &'a [u8], start: usize },
    /// The end of the module, at offset `at`.
    End { at: u64 },
}

impl Section<'_> {
    /// The offset the section starts at (its contents, after id and size).
    pub(crate) fn offset(&self) -> u64 {
        match *self {
            Section::Items { start, .. }
            | Section::Custom { start, .. }
            | Section::CodeEntry { start, .. } => start as u64,
            Section::Start { at, .. }
            | Section::DataCount { at, .. }
            | Section::CodeStart { at, .. }
            | Section::End { at } => at,
        }
    }
}

/// The module's sections in order, each code entry right after the code section's start,
/// then `End`. Nothing follows an error or `End`.
pub(crate) struct Framing<'a> {
    bytes: &'a [u8],
    /// The offset of the next section's id byte; 0 until the header has been read.
    at: usize,
    /// While the code section's entries are handed out: how many are left, and a reader
    /// of the section's bytes after those handed out.
    code: Option<(u32, Reader<'a>)>,
    done: bool,
}

impl<'a> Framing<'a> {
    /// The framing of `bytes`, a whole module.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Framing {
            bytes,
            at: 0,
            code: None,
            done: false,
        }
    }

    /// The next section: the header is read first, and code entries come before the next
    /// section. Out of line, as the loader's other steps are, so that its locals do not
    /// add to the loader's frame, the deepest a board's stack gets.
    #[inline(never)]
    fn step(&mut self) -> Result<Section<'a>> {
        if self.at == 0 {
            self.at = header(self.bytes)?;
        }
        if let Some(entry) = self.code_entry()? {
            return Ok(entry);
        }
        // `at` is within the bytes (the invariant); a slice, not an index, has no panic.
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let mut r = Reader::new(rest, self.at, false);
        if r.eof() {
            return Ok(Section::End { at: self.at as u64 });
        }
        let id_at = r.original_position();
        let id = r.byte()?;
        let data = sized(&mut r)?;
        self.at = r.original_position() as usize;
        self.section(id, id_at, data, self.at - data.len())
    }

    /// Section `id` (its id byte at `id_at`), whose `data` start at offset `start`.
    fn section(&mut self, id: u8, id_at: u64, data: &'a [u8], start: usize) -> Result<Section<'a>> {
        let at = start as u64;
        Ok(match id {
            // A custom section: its name must be UTF-8 within the section, as `Parser`
            // requires; the loader reads the rest (`Parse::record_own`).
            id::CUSTOM => {
                crate::module::own_name(&mut Reader::new(data, start, false))?;
                Section::Custom { data, start }
            }
            id::START => Section::Start {
                func: only_index(data, start)?,
                at,
            },
            id::DATA_COUNT => Section::DataCount {
                count: only_index(data, start)?,
                at,
            },
            id::CODE => {
                let mut r = Reader::new(data, start, false);
                let count = r.var_u32()?;
                self.code = Some((count, r));
                Section::CodeStart { count, at }
            }
            // Exceptions' tags are outside the profile, which `validate::Sections` says
            // once it has checked the section's place; the count is read all the same.
            id::TYPE..=id::EXPORT | id::ELEMENT | id::DATA | id::TAG => Section::Items {
                id,
                count: Reader::new(data, start, false).var_u32()?,
                data,
                start,
            },
            _ => return Err(Invalid::new(Why::Malformed, id_at).into()),
        })
    }

    /// The code section's next entry: a size, then that many bytes of body, all within the
    /// section. After the last entry the section must end; then `None`.
    fn code_entry(&mut self) -> Result<Option<Section<'a>>> {
        let Some((left, r)) = &mut self.code else {
            return Ok(None);
        };
        if *left == 0 {
            ended(r)?;
            self.code = None;
            return Ok(None);
        }
        *left -= 1;
        let body = sized(r)?;
        let start = r.original_position() as usize - body.len();
        Ok(Some(Section::CodeEntry { body, start }))
    }
}

impl<'a> Iterator for Framing<'a> {
    type Item = Result<Section<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.step();
        self.done = matches!(next, Ok(Section::End { .. }) | Err(_));
        Some(next)
    }
}

/// Checks the header; returns the offset of the first section. A wrong magic number is
/// refused at offset 0, a wrong version (a component's too) at 4.
fn header(bytes: &[u8]) -> Result<usize, Invalid> {
    let (magic, version) = HEADER.split_at(4);
    if bytes.get(..4) != Some(magic) {
        return Err(Invalid::new(Why::Header, 0));
    }
    if bytes.get(4..8) != Some(version) {
        return Err(Invalid::new(Why::Header, 4));
    }
    Ok(HEADER.len())
}

/// A size, a LEB128 `u32`, then that many bytes, which must be within what `r` has left
/// (else refused where they start, as wasmparser does).
fn sized<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Invalid> {
    let size = r.var_u32()?;
    if size as usize > r.remaining() {
        return Err(Invalid::new(Why::UnexpectedEnd, r.original_position()));
    }
    r.slice(size)
}

/// The index that is all of a start or data count section, `data` at offset `start`.
fn only_index(data: &[u8], start: usize) -> Result<u32, Invalid> {
    let mut r = Reader::new(data, start, false);
    let index = r.var_u32()?;
    ended(&r)?;
    Ok(index)
}

/// `r` must have nothing left.
fn ended(r: &Reader<'_>) -> Result<(), Invalid> {
    match r.eof() {
        true => Ok(()),
        false => Err(Invalid::new(Why::Malformed, r.original_position())),
    }
}

#[cfg(test)]
mod tests {
    use super::Framing;
    use alloc::vec::Vec;

    /// A core module's header, before the sections of each case.
    const HEADER: &[u8] = b"\0asm\x01\0\0\0";
    /// A type `() -> ()`, one function of it, and the code section of each case after.
    const FUNC: &[u8] = b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00";

    /// Whether wisp's framing accepts `bytes`, and whether wasmparser (its `Parser` and
    /// `Validator`, with the features wisp's loader gives it) accepts them.
    fn verdicts(bytes: &[u8]) -> (bool, bool) {
        let ours = Framing::new(bytes).all(|p| p.is_ok());
        let features = crate::engine::Config::default().features;
        let theirs = wasmparser::Validator::new_with_features(features)
            .validate_all(bytes)
            .is_ok();
        (ours, theirs)
    }

    /// Each case: what it is, the bytes after the header, and whether it is accepted.
    #[test]
    fn framing_accepts_and_refuses_what_wasmparser_does() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("no sections", b"", true),
            ("a custom section", b"\x00\x02\x01a", true),
            ("a section size in two bytes", b"\x00\x82\x00\x01a", true),
            ("a section size cut short", b"\x01\x80", false),
            (
                "a section size past the end",
                b"\x01\x05\x01\x60\x00\x00",
                false,
            ),
            (
                "a section size in six bytes",
                b"\x00\x81\x80\x80\x80\x80\x00\x00",
                false,
            ),
            (
                "a section size with bits beyond 32",
                b"\x00\x81\x80\x80\x80\x10\x00",
                false,
            ),
            ("section id 14", b"\x0e\x00", false),
            ("section id 0x80", b"\x80\x00", false),
            ("an empty type section", b"\x01\x00", false),
            (
                "a custom section name that is not UTF-8",
                b"\x00\x03\x01\xff\x00",
                false,
            ),
            (
                "a custom section name past its section",
                b"\x00\x02\x03a\x00\x01\x00",
                false,
            ),
            (
                "a data count section with a byte left over",
                b"\x0c\x02\x00\x00",
                false,
            ),
            ("a data count section without its count", b"\x0c\x00", false),
        ];
        for (what, sections, accepted) in cases {
            let bytes: Vec<u8> = [HEADER, sections].concat();
            assert_eq!(verdicts(&bytes), (*accepted, *accepted), "{what}");
        }
    }

    /// Headers other than a core module's: all refused.
    #[test]
    fn only_a_core_modules_header_is_accepted() {
        let cases: &[(&str, &[u8])] = &[
            ("a wrong magic number", b"\0asn\x01\0\0\0"),
            ("version 2", b"\0asm\x02\0\0\0"),
            ("a component's header", b"\0asm\x0d\0\x01\0"),
            ("a header cut short", b"\0asm\x01\0"),
            ("no bytes", b""),
        ];
        for (what, bytes) in cases {
            assert_eq!(verdicts(bytes), (false, false), "{what}");
        }
    }

    /// The code section's framing: its count, then each entry's size and body, within
    /// the section.
    #[test]
    fn code_entries_are_framed_within_their_section() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("one body", b"\x0a\x04\x01\x02\x00\x0b", true),
            (
                "a body past the section's end",
                b"\x0a\x04\x01\x03\x00\x0b\x00\x01\x00",
                false,
            ),
            (
                "a body past the module's end",
                b"\x0a\x04\x01\x03\x00\x0b",
                false,
            ),
            (
                "a byte after the last body",
                b"\x0a\x05\x01\x02\x00\x0b\x00",
                false,
            ),
            ("a count cut short", b"\x0a\x01\x81", false),
            ("a body size cut short", b"\x0a\x02\x01\x80", false),
            (
                "a code section past the module's end",
                b"\x0a\x09\x01\x02\x00\x0b",
                false,
            ),
            (
                "fewer bodies than its count",
                b"\x0a\x04\x02\x02\x00\x0b",
                false,
            ),
        ];
        for (what, code, accepted) in cases {
            let bytes: Vec<u8> = [HEADER, FUNC, code].concat();
            assert_eq!(verdicts(&bytes), (*accepted, *accepted), "{what}");
        }
    }

    /// A start section is its function's index and nothing more.
    #[test]
    fn a_start_section_holds_one_index() {
        let code = b"\x0a\x04\x01\x02\x00\x0b";
        for (start, accepted) in [(&b"\x08\x01\x00"[..], true), (b"\x08\x02\x00\x00", false)] {
            let bytes: Vec<u8> = [HEADER, FUNC, start, code].concat();
            assert_eq!(verdicts(&bytes), (accepted, accepted), "{start:?}");
        }
    }

    /// Errors are `Error::Module`s at the module's offsets: a wrong magic number at 0, a
    /// wrong version at 4, a section past the end where its bytes start, a body past its
    /// section's end where the body starts.
    #[test]
    fn errors_are_at_module_offsets() {
        let offset = |bytes: &[u8]| match Framing::new(bytes).find_map(Result::err) {
            Some(crate::Error::Module(e)) => e.offset,
            other => panic!("{other:?}"),
        };
        assert_eq!(offset(b"\0asn\x01\0\0\0"), 0);
        assert_eq!(offset(b"\0asm\x02\0\0\0"), 4);
        assert_eq!(offset(&[HEADER, b"\x01\x05\x01"].concat()), 10);
        let code = b"\x0a\x04\x01\x03\x00\x0b\x00\x01\x00";
        assert_eq!(offset(&[HEADER, FUNC, code].concat()), 22);
    }
}
