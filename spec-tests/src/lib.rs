//! Runs the official WebAssembly testsuite (`.wast` scripts) on wisp.
//!
//! The binary (`cargo run --release -p wisp-spec-tests -- --help`) and the integration test
//! in `tests/` both drive [`run_suite`]; what may be skipped or fail, and why, is in
//! `expectations.txt` beside this crate's manifest (format: [`expectations`]).

// A test runner, not an API: the workspace's `missing_docs` is for core, the interpreter
// and the JIT.
#![allow(missing_docs)]

pub mod expectations;
mod legacy;
pub mod report;
pub mod script;
mod spectest;
pub mod testsuite;
pub mod tier;
mod traps;
mod values;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

pub use crate::expectations::{Expectations, Verdict};
pub use crate::report::{Counts, DirectiveResult, FileBody, FileReport, Outcome, SuiteReport};
pub use crate::script::Settings;
pub use crate::tier::Tier;

/// The committed expectations file.
pub fn expectations_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations.txt")
}

/// Reads and parses the committed expectations.
pub fn load_expectations() -> Result<Expectations, String> {
    let path = expectations_path();
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Expectations::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Each script runs on a thread of its own with this much stack, so that a tier recursing
/// natively on deep wasm recursion cannot overflow the runner's stack first.
const WORKER_STACK: usize = 256 << 20;

/// Runs `files` (relative to the testsuite `root`) with `settings`, skipping what the
/// expectations skip, on as many threads as the machine has cores. Reports come back in the
/// order of `files`.
pub fn run_suite(
    root: &Path,
    files: &[String],
    settings: Settings,
    expectations: &Expectations,
) -> SuiteReport {
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<FileReport>>> = Mutex::new(vec![None; files.len()]);
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    thread::scope(|scope| {
        for _ in 0..workers {
            thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = files.get(i) else { break };
                    let report = run_file(root, name, settings, expectations);
                    reports.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(report);
                })
                .expect("spawning a worker thread");
        }
    });
    let files = reports
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every file was run"))
        .collect();
    SuiteReport {
        tier: settings.tier.name(),
        fuel: settings.fuel,
        eager: settings.eager,
        files,
    }
}

/// Runs (or skips) one file.
pub fn run_file(
    root: &Path,
    name: &str,
    settings: Settings,
    expectations: &Expectations,
) -> FileReport {
    let body = match fs::read_to_string(root.join(name)) {
        Err(e) => FileBody::Ran(vec![DirectiveResult {
            line: 1,
            kind: "script",
            outcome: Outcome::failed(format!("cannot read the file: {e}")),
        }]),
        Ok(text) => match expectations.file_skip(name) {
            Some(reason) => FileBody::Skipped {
                reason: reason.to_string(),
                directives: count_directives(&text),
            },
            None => FileBody::Ran(script::run(
                &text,
                settings,
                script::Proposals::for_file(name),
                expectations.directives(name),
            )),
        },
    };
    FileReport {
        name: name.to_string(),
        body,
    }
}

/// The number of directives in a script: its top-level parenthesised forms. Counted from
/// tokens rather than by parsing, so that files using syntax the parser lacks still count.
fn count_directives(text: &str) -> usize {
    use wast::lexer::{Lexer, TokenKind};
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let mut depth = 0usize;
    let mut forms = 0;
    for token in lexer.iter(0) {
        match token.map(|t| t.kind) {
            Ok(TokenKind::LParen) => {
                forms += usize::from(depth == 0);
                depth += 1;
            }
            Ok(TokenKind::RParen) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            // A script that does not even lex still stands for at least one test.
            Err(_) => return forms.max(1),
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_top_level_forms_only() {
        let text = "(module (func)) ;; (not this)\n(; nor (this) ;)\n(assert_return (invoke \"f\" (i32.const 1)) (i32.const 2))\n(register \")\")";
        assert_eq!(count_directives(text), 3);
    }
}
