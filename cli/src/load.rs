//! Reading a module file: the binary format, or the text format when built with `wat`.

use std::path::Path;

use crate::Failure;

/// The module's binary form.
pub fn read_module(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    from_text(path, &bytes)
}

#[cfg(feature = "wat")]
fn from_text(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Failure::usage(format!(
            "{}: neither a wasm binary nor UTF-8 text",
            path.display()
        ))
    })?;
    wisp::wat::parse_str(text).map_err(|e| {
        let mut e = e;
        e.set_path(path);
        Failure::usage(e.to_string())
    })
}

#[cfg(not(feature = "wat"))]
fn from_text(path: &Path, _: &[u8]) -> Result<Vec<u8>, Failure> {
    Err(Failure::usage(format!(
        "{}: not a wasm binary (this wisp was built without the `wat` feature for text modules)",
        path.display()
    )))
}
