//! Sizes read from files, for the compile report (`compare --process`): the native code in
//! an ELF file (`wasmtime compile` writes one), and a wasm module's code section.

/// The size of section `name` of a 64-bit little-endian ELF file (`.text`: the native
/// code of a `wasmtime compile` output), or `None` if `bytes` is not such a file or has no
/// such section.
pub fn elf_section_size(bytes: &[u8], name: &str) -> Option<u64> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    // e_ident: the magic, ELFCLASS64 (2), ELFDATA2LSB (1).
    if bytes.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let shoff = usize::try_from(u64_at(0x28)?).ok()?;
    let shentsize = usize::from(u16_at(0x3a)?);
    let shnum = usize::from(u16_at(0x3c)?);
    let shstrndx = usize::from(u16_at(0x3e)?);
    if shentsize < 0x40 {
        return None;
    }
    // Section header i: sh_name at +0 (an offset into the names section), sh_offset at
    // +0x18, sh_size at +0x20.
    let header = |i: usize| shoff.checked_add(i.checked_mul(shentsize)?);
    let names = usize::try_from(u64_at(header(shstrndx)? + 0x18)?).ok()?;
    (0..shnum).find_map(|i| {
        let h = header(i)?;
        let start = names.checked_add(usize::try_from(u32_at(h)?).ok()?)?;
        let rest = bytes.get(start..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        (&rest[..end] == name.as_bytes())
            .then(|| u64_at(h + 0x20))
            .flatten()
    })
}

/// The size of a wasm module's code section (its function bodies with their sizes), or
/// `None` if `bytes` is not a wasm binary or has no code section.
pub fn wasm_code_section_size(bytes: &[u8]) -> Option<u64> {
    if bytes.get(..4)? != b"\0asm" {
        return None;
    }
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let (size, len) = leb_u32(bytes.get(at + 1..)?)?;
        if id == 10 {
            return Some(u64::from(size));
        }
        at += 1 + len + usize::try_from(size).ok()?;
    }
    None
}

/// An unsigned LEB128 `u32` and the number of bytes it took.
fn leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, &b) in bytes.iter().take(5).enumerate() {
        value |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{elf_section_size, wasm_code_section_size};

    /// A 64-bit ELF file with no program, a null section, `.text` of `text` bytes and the
    /// section names.
    fn elf(text: u64) -> Vec<u8> {
        let names = b"\0.text\0.shstrtab\0";
        let mut f = vec![0u8; 0x40];
        f[..6].copy_from_slice(b"\x7fELF\x02\x01");
        let names_at = f.len() as u64;
        f.extend_from_slice(names);
        f.resize(f.len().next_multiple_of(8), 0);
        let shoff = f.len() as u64;
        f[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
        f[0x3a..0x3c].copy_from_slice(&0x40u16.to_le_bytes());
        f[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        f[0x3e..0x40].copy_from_slice(&2u16.to_le_bytes());
        for (name, offset, size) in [(0u32, 0u64, 0u64), (1, 0, text), (7, names_at, 17)] {
            let mut h = [0u8; 0x40];
            h[..4].copy_from_slice(&name.to_le_bytes());
            h[0x18..0x20].copy_from_slice(&offset.to_le_bytes());
            h[0x20..0x28].copy_from_slice(&size.to_le_bytes());
            f.extend_from_slice(&h);
        }
        f
    }

    #[test]
    fn reads_a_section_size_by_name() {
        let f = elf(0x19_0000);
        assert_eq!(elf_section_size(&f, ".text"), Some(0x19_0000));
        assert_eq!(elf_section_size(&f, ".shstrtab"), Some(17));
        assert_eq!(elf_section_size(&f, ".data"), None);
        assert_eq!(elf_section_size(&f[..0x60], ".text"), None);
        assert_eq!(elf_section_size(b"\0asm\x01\0\0\0", ".text"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn finds_this_test_binary_s_text() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let text = elf_section_size(&exe, ".text").unwrap();
        assert!(text > 0 && text < exe.len() as u64);
    }

    #[test]
    fn finds_the_code_section() {
        // A type section of 4 bytes, then a code section of 0x81 bytes (a two-byte size).
        let mut m = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x0a\x81\x01".to_vec();
        m.extend(std::iter::repeat_n(0, 0x81));
        assert_eq!(wasm_code_section_size(&m), Some(0x81));
        assert_eq!(wasm_code_section_size(&m[..14]), None);
        assert_eq!(wasm_code_section_size(b"\x7fELF"), None);
    }
}
