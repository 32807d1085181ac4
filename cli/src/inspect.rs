//! `wisp validate` and `wisp inspect`.

use std::fmt::Write as _;
use std::path::Path;

use wasmparser::{Parser, Payload, Validator, WasmFeatures};
use wisp::{Config, Engine, Module};

use crate::load::read_module;
use crate::Failure;

/// Validates against what wisp supports; status 0 when valid.
pub fn validate(file: &Path) -> Result<u8, Failure> {
    let bytes = read_module(file)?;
    let engine = Engine::new(&Config::default());
    Module::validate(&engine, &bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
    println!("{}: valid", file.display());
    Ok(0)
}

/// Proposals `inspect` reports, by the wasmparser feature that gates each.
const PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("mutable-global", WasmFeatures::MUTABLE_GLOBAL),
    ("sign-extension", WasmFeatures::SIGN_EXTENSION),
    (
        "saturating-float-to-int",
        WasmFeatures::SATURATING_FLOAT_TO_INT,
    ),
    ("multi-value", WasmFeatures::MULTI_VALUE),
    ("bulk-memory", WasmFeatures::BULK_MEMORY),
    ("reference-types", WasmFeatures::REFERENCE_TYPES),
    ("simd", WasmFeatures::SIMD),
    ("relaxed-simd", WasmFeatures::RELAXED_SIMD),
    ("threads", WasmFeatures::THREADS),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("memory64", WasmFeatures::MEMORY64),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("legacy-exceptions", WasmFeatures::LEGACY_EXCEPTIONS),
    ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    ("gc", WasmFeatures::GC),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
];

/// The proposals a module uses: those without which it no longer validates.
fn proposals_used(bytes: &[u8]) -> Vec<&'static str> {
    let all = WasmFeatures::all();
    PROPOSALS
        .iter()
        .filter(|(_, f)| {
            Validator::new_with_features(all.difference(*f))
                .validate_all(bytes)
                .is_err()
        })
        .map(|(name, _)| *name)
        .collect()
}

pub fn inspect(file: &Path, bytecode: bool) -> Result<u8, Failure> {
    let bytes = read_module(file)?;
    let bad = |e: wasmparser::BinaryReaderError| Failure::usage(format!("{}: {e}", file.display()));
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(bad)?;
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} bytes", file.display(), bytes.len());
    let engine = Engine::new(&Config::default());
    let module = Module::new(&engine, &bytes);
    match &module {
        Ok(m) => {
            let _ = writeln!(
                out,
                "runs on wisp: yes{}",
                m.name()
                    .map(|n| format!(" (module name `{n}`)"))
                    .unwrap_or_default()
            );
        }
        Err(e) => {
            let _ = writeln!(out, "runs on wisp: no: {e}");
        }
    }
    let used = proposals_used(&bytes);
    let _ = writeln!(
        out,
        "proposals used: {}",
        if used.is_empty() {
            "none (MVP)".to_string()
        } else {
            used.join(", ")
        }
    );

    let simd = SimdUse::of(&bytes).map_err(bad)?;
    let _ = writeln!(out, "{}", simd.describe(module.as_ref().ok()));

    if let Ok(m) = &module {
        let imports: Vec<_> = m.imports().collect();
        let _ = writeln!(out, "imports ({}):", imports.len());
        for (module, name, ty) in imports {
            let _ = writeln!(out, "  {module}::{name}: {ty}");
        }
        let exports: Vec<_> = m.exports().collect();
        let _ = writeln!(out, "exports ({}):", exports.len());
        for (name, ty) in exports {
            let _ = writeln!(out, "  {name}: {ty}");
        }
    }
    section_summary(&bytes, &mut out).map_err(bad)?;
    if let (true, Ok(m)) = (bytecode, &module) {
        dump_bytecode(m, &mut out);
    }
    print!("{out}");
    Ok(0)
}

/// How a module uses SIMD: its operators (those with the `0xfd` prefix), counted by the
/// code section.
#[derive(Debug, Default, PartialEq)]
struct SimdUse {
    /// Defined functions.
    functions: usize,
    /// Defined functions with at least one SIMD operator.
    functions_with_operators: usize,
    /// SIMD operators, relaxed ones included.
    operators: u64,
    /// Relaxed-SIMD operators (`0xfd` 0x100 to 0x113).
    relaxed: u64,
}

impl SimdUse {
    fn of(bytes: &[u8]) -> Result<SimdUse, wasmparser::BinaryReaderError> {
        let mut usage = SimdUse::default();
        for payload in Parser::new(0).parse_all(bytes) {
            let Payload::CodeSectionEntry(body) = payload? else {
                continue;
            };
            usage.functions += 1;
            let before = usage.operators;
            let mut ops = body.get_operators_reader()?;
            while !ops.eof() {
                // The parser's offsets are into `bytes`: an operator starts at its prefix.
                let (_, at) = ops.read_with_offset()?;
                let at = at as usize;
                if bytes[at] != 0xfd {
                    continue;
                }
                usage.operators += 1;
                let mut reader = wasmparser::BinaryReader::new(&bytes[at + 1..], at as u64 + 1);
                if (0x100..=0x113).contains(&reader.read_var_u32()?) {
                    usage.relaxed += 1;
                }
            }
            usage.functions_with_operators += usize::from(usage.operators > before);
        }
        Ok(usage)
    }

    /// The `simd:` line: the operators, the functions using them, and, when the module
    /// loads on wisp, how many functions can hold a `v128` (`FuncBody::vector`: those the
    /// interpreter gives two slots per operand).
    fn describe(&self, module: Option<&Module>) -> String {
        let mut line = String::from("simd: ");
        if self.operators == 0 {
            line.push_str("no SIMD operators");
        } else {
            let _ = write!(
                line,
                "{} SIMD operators ({} relaxed) in {} of {} functions",
                self.operators, self.relaxed, self.functions_with_operators, self.functions
            );
        }
        if let Some(m) = module {
            let vector = m.inner().bodies.iter().filter(|b| b.is_vector()).count();
            let _ = write!(line, "; {vector} functions hold v128 values");
        }
        line
    }
}

/// Each defined function's interpreter bytecode as it runs: its encoded instructions,
/// one a line (`wisp::interp::disassemble`).
fn dump_bytecode(module: &Module, out: &mut String) {
    let imported = module
        .imports()
        .filter(|(_, _, t)| matches!(t, wisp::ExternType::Func(_)))
        .count();
    let mut def = 0;
    while let Some(text) = wisp::interp::disassemble(module, def) {
        let index = imported as u32 + def;
        let name = module
            .inner()
            .func_names
            .get(&index)
            .map(String::as_str)
            .unwrap_or("");
        let _ = write!(out, "\nfunction {index} {name}: {text}");
        def += 1;
    }
}

/// Counts and sizes, section by section.
fn section_summary(bytes: &[u8], out: &mut String) -> Result<(), wasmparser::BinaryReaderError> {
    let _ = writeln!(out, "sections:");
    let span = |r: std::ops::Range<u64>| r.end - r.start;
    let mut row = |name: &str, size: u64, detail: String| {
        let _ = writeln!(out, "  {name:<10} {size:>10} bytes  {detail}");
    };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(r) => row("type", span(r.range()), format!("{} types", r.count())),
            Payload::ImportSection(r) => row("import", span(r.range()), String::new()),
            Payload::FunctionSection(r) => row(
                "function",
                span(r.range()),
                format!("{} functions defined", r.count()),
            ),
            Payload::TableSection(r) => {
                let tables = r.clone().into_iter().filter_map(Result::ok).map(|t| {
                    format!(
                        "{}..{}",
                        t.ty.initial,
                        t.ty.maximum.map_or("".into(), |m| m.to_string())
                    )
                });
                row(
                    "table",
                    span(r.range()),
                    format!(
                        "{} tables: {}",
                        r.count(),
                        tables.collect::<Vec<_>>().join(", ")
                    ),
                )
            }
            Payload::MemorySection(r) => {
                let mems = r.clone().into_iter().filter_map(Result::ok).map(|m| {
                    let page = m.page_size();
                    format!(
                        "{}..{} pages of {} bytes",
                        m.initial,
                        m.maximum.map_or("".into(), |x| x.to_string()),
                        page
                    )
                });
                row(
                    "memory",
                    span(r.range()),
                    format!(
                        "{} memories: {}",
                        r.count(),
                        mems.collect::<Vec<_>>().join(", ")
                    ),
                )
            }
            Payload::GlobalSection(r) => {
                row("global", span(r.range()), format!("{} globals", r.count()))
            }
            Payload::ExportSection(r) => {
                row("export", span(r.range()), format!("{} exports", r.count()))
            }
            Payload::StartSection { func, range } => {
                row("start", span(range), format!("function {func}"))
            }
            Payload::ElementSection(r) => row(
                "element",
                span(r.range()),
                format!("{} segments", r.count()),
            ),
            Payload::DataCountSection { count, range } => {
                row("datacount", span(range), format!("{count} segments"))
            }
            Payload::DataSection(r) => {
                let total: usize = r
                    .clone()
                    .into_iter()
                    .filter_map(Result::ok)
                    .map(|d| d.data.len())
                    .sum();
                row(
                    "data",
                    span(r.range()),
                    format!("{} segments, {total} bytes", r.count()),
                )
            }
            Payload::CodeSectionStart {
                count,
                unchecked_range,
                ..
            } => row("code", span(unchecked_range), format!("{count} bodies")),
            Payload::CustomSection(r) => {
                row("custom", r.data().len() as u64, format!("\"{}\"", r.name()))
            }
            _ => {}
        }
    }
    Ok(())
}
