//! What the translator reads function bodies with. Firmware builds (`wisp_own_decoder`,
//! which build.rs sets) read them with wisp's own decoder, `wisp_core::operators`, so
//! that none of wasmparser's operator decoding is linked; other builds with wasmparser's.
//! Both name and shape operators alike, so the translator reads the same either way.
//!
//! The bodies were validated when the module loaded, so neither reader fails here in
//! practice; a failure is still an error (`TranslateError`), never a panic.

use wasmparser::ValType;

use super::Result;

#[cfg(wisp_own_decoder)]
pub use wisp_core::operators::{BrTable, Operator, Reader as OperatorsReader};

#[cfg(not(wisp_own_decoder))]
pub use wasmparser::{BrTable, Operator, OperatorsReader};

/// Reads the body in `bytes` (which start at offset `start` of the module): passes each
/// local declaration, `(count, type)`, to `local`, and returns the reader of its
/// operators. `multi_memory`: the engine's feature, which decides how memory indices are
/// encoded.
#[cfg(wisp_own_decoder)]
pub fn read_body(
    bytes: &[u8],
    start: usize,
    multi_memory: bool,
    mut local: impl FnMut(u32, ValType),
) -> Result<OperatorsReader<'_>> {
    let mut reader = OperatorsReader::new(bytes, start, multi_memory);
    reader.read_locals(|count, ty| {
        local(count, ty);
        Ok(())
    })?;
    Ok(reader)
}

/// Reads the body in `bytes` (which start at offset `start` of the module): passes each
/// local declaration, `(count, type)`, to `local`, and returns the reader of its
/// operators. (wasmparser's reader decodes every proposal's encodings.)
#[cfg(not(wisp_own_decoder))]
pub fn read_body(
    bytes: &[u8],
    start: usize,
    _multi_memory: bool,
    mut local: impl FnMut(u32, ValType),
) -> Result<OperatorsReader<'_>> {
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(bytes, start as u64));
    let mut locals = body.get_locals_reader()?.into_iter();
    for declaration in locals.by_ref() {
        let (count, ty) = declaration?;
        local(count, ty);
    }
    Ok(locals.into_operators_reader())
}
