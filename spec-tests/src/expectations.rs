//! The expectations file: which files and directives may be skipped or fail, and why.
//!
//! Format, one entry a line (`#` starts a comment line, blank lines are ignored):
//!
//! ```text
//! PATTERN skip REASON      the whole file is not run; each of its directives counts as skipped
//! FILE:LINE skip REASON    that directive is not run and counts as skipped; when it defines a
//!                          module, the directives using that module are skipped with it
//! FILE:LINE fail REASON    that directive runs and may fail, as may every directive that fails
//!                          only because this one did (a module that did not load); if it
//!                          passes, the entry is stale
//! ```
//!
//! Paths are relative to the testsuite root with `/` separators. A file PATTERN may use `*`
//! for any run of characters other than `/`, or end in `/` to take a whole folder. LINE is
//! the 1-based line on which the directive starts. REASON is free text and required.

use std::collections::HashMap;
use std::fmt;

use crate::report::{FileBody, Outcome, SuiteReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Skip,
    Fail,
}

/// One `FILE:LINE` entry.
#[derive(Debug, Clone)]
pub struct DirectiveEntry {
    pub action: Action,
    pub reason: String,
    /// Where the entry is in the expectations file, for messages about it.
    pub source_line: usize,
}

#[derive(Debug, Clone)]
struct FileRule {
    pattern: String,
    reason: String,
    source_line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Expectations {
    file_rules: Vec<FileRule>,
    directives: HashMap<String, HashMap<u32, DirectiveEntry>>,
}

/// A line of the expectations file that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expectations line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Expectations {
    pub fn parse(text: &str) -> Result<Expectations, ParseError> {
        let mut expectations = Expectations::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let entry = raw.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let err = |message: &str| ParseError {
                line,
                message: message.to_string(),
            };
            let mut words = entry.splitn(3, char::is_whitespace);
            let target = words.next().unwrap_or_default();
            let action = match words.next() {
                Some("skip") => Action::Skip,
                Some("fail") => Action::Fail,
                _ => return Err(err("expected `PATTERN[:LINE] skip|fail REASON`")),
            };
            let reason = words.next().unwrap_or_default().trim();
            if reason.is_empty() {
                return Err(err("every entry needs a reason"));
            }
            match target.rsplit_once(':') {
                Some((file, directive_line)) => {
                    let directive_line: u32 = directive_line
                        .parse()
                        .map_err(|_| err("LINE must be a line number"))?;
                    if file.contains('*') || file.ends_with('/') {
                        return Err(err("a directive entry names one file, not a pattern"));
                    }
                    let previous = expectations
                        .directives
                        .entry(file.to_string())
                        .or_default()
                        .insert(
                            directive_line,
                            DirectiveEntry {
                                action,
                                reason: reason.to_string(),
                                source_line: line,
                            },
                        );
                    if previous.is_some() {
                        return Err(err("duplicate entry"));
                    }
                }
                None => {
                    // A whole file that is run but allowed to fail would hide any regression
                    // in it: list its failing directives instead.
                    if action == Action::Fail {
                        return Err(err("only single directives may be marked `fail`"));
                    }
                    expectations.file_rules.push(FileRule {
                        pattern: target.to_string(),
                        reason: reason.to_string(),
                        source_line: line,
                    });
                }
            }
        }
        Ok(expectations)
    }

    /// Why the whole of `file` is skipped, if it is.
    pub fn file_skip(&self, file: &str) -> Option<&str> {
        self.file_rules
            .iter()
            .find(|rule| pattern_matches(&rule.pattern, file))
            .map(|rule| rule.reason.as_str())
    }

    /// The directive entries of `file`, by line.
    pub fn directives(&self, file: &str) -> Option<&HashMap<u32, DirectiveEntry>> {
        self.directives.get(file)
    }

    /// Compares a run against the expectations. `whole_suite` says the run covered every
    /// file, so that entries matching no file can be called stale.
    pub fn check(&self, report: &SuiteReport, whole_suite: bool) -> Verdict {
        let mut verdict = Verdict::default();
        let mut rule_used = vec![false; self.file_rules.len()];
        for file in &report.files {
            for (used, rule) in rule_used.iter_mut().zip(&self.file_rules) {
                *used |= pattern_matches(&rule.pattern, &file.name);
            }
            let entries = self.directives.get(&file.name);
            let entry = |line: u32| entries.and_then(|e| e.get(&line));
            let results = match &file.body {
                FileBody::Ran(results) => results,
                FileBody::Skipped { .. } => {
                    for e in entries.into_iter().flat_map(|e| e.values()) {
                        verdict.stale.push(format!(
                            "expectations line {}: {} is skipped as a whole",
                            e.source_line, file.name
                        ));
                    }
                    continue;
                }
            };
            for r in results {
                let at = format!("{}:{} ({})", file.name, r.line, r.kind);
                let expected_fail = |line: Option<u32>| {
                    line.and_then(entry)
                        .is_some_and(|e| e.action == Action::Fail)
                };
                match &r.outcome {
                    Outcome::Passed if expected_fail(Some(r.line)) => {
                        verdict.unexpected_passes.push(at);
                    }
                    Outcome::Passed => {}
                    Outcome::Failed { reason, blocked_by } => {
                        if !expected_fail(Some(r.line)) && !expected_fail(*blocked_by) {
                            verdict.unexpected_failures.push(format!("{at}: {reason}"));
                        }
                    }
                    Outcome::Skipped { stale: true, .. } => verdict
                        .stale
                        .push(format!("{at}: skipped, but wisp now loads this module")),
                    Outcome::Skipped { stale: false, .. } => {}
                }
            }
            for (line, e) in entries.into_iter().flatten() {
                if !results.iter().any(|r| r.line == *line) {
                    verdict.stale.push(format!(
                        "expectations line {}: no directive starts at {}:{line}",
                        e.source_line, file.name
                    ));
                }
            }
        }
        if whole_suite {
            for (used, rule) in rule_used.iter().zip(&self.file_rules) {
                if !used {
                    verdict.stale.push(format!(
                        "expectations line {}: `{}` matches no file",
                        rule.source_line, rule.pattern
                    ));
                }
            }
            let ran: Vec<&str> = report.files.iter().map(|f| f.name.as_str()).collect();
            for (file, entries) in &self.directives {
                if !ran.contains(&file.as_str()) {
                    for e in entries.values() {
                        verdict.stale.push(format!(
                            "expectations line {}: no file {file}",
                            e.source_line
                        ));
                    }
                }
            }
        }
        verdict.stale.sort();
        verdict
    }
}

/// Where a run and the expectations disagree. Empty when the run is as expected.
#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// Failures no entry allows: regressions, or new bugs.
    pub unexpected_failures: Vec<String>,
    /// Directives marked `fail` that passed: their entries should go.
    pub unexpected_passes: Vec<String>,
    /// Entries that no longer match anything, or skip modules wisp now loads.
    pub stale: Vec<String>,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.unexpected_failures.is_empty()
            && self.unexpected_passes.is_empty()
            && self.stale.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sections = [
            ("unexpected failures", &self.unexpected_failures),
            (
                "unexpected passes (remove their `fail` entries)",
                &self.unexpected_passes,
            ),
            ("stale expectations", &self.stale),
        ];
        for (title, items) in sections {
            if !items.is_empty() {
                writeln!(f, "{} {title}:", items.len())?;
                for item in items {
                    writeln!(f, "  {item}")?;
                }
            }
        }
        Ok(())
    }
}

/// Whether file `name` matches `pattern` (`*` within a path segment, trailing `/` for a
/// whole folder).
fn pattern_matches(pattern: &str, name: &str) -> bool {
    if let Some(folder) = pattern.strip_suffix('/') {
        return name
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'));
    }
    glob(pattern.as_bytes(), name.as_bytes())
}

fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => {
            // Try every length for the star's run, stopping at a path separator.
            (0..=name.len())
                .take_while(|&n| n == 0 || name[n - 1] != b'/')
                .any(|n| glob(rest, &name[n..]))
        }
        Some((&c, rest)) => name.first() == Some(&c) && glob(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{DirectiveResult, FileReport};

    #[test]
    fn patterns_match_within_one_folder() {
        assert!(pattern_matches("simd_*.wast", "simd_lane.wast"));
        assert!(!pattern_matches("simd_*.wast", "simd/lane.wast"));
        assert!(!pattern_matches("simd_*.wast", "i32.wast"));
        assert!(pattern_matches(
            "proposals/",
            "proposals/threads/atomic.wast"
        ));
        assert!(!pattern_matches("proposals/", "proposals.wast"));
        assert!(pattern_matches("memory64.wast", "memory64.wast"));
        assert!(!pattern_matches("*64.wast", "proposals/x64.wast"));
    }

    #[test]
    fn parses_files_directives_and_comments() {
        let e = Expectations::parse(
            "# comment\n\nsimd_*.wast skip needs SIMD\ntable.wast:12 skip needs typed references\nmemory.wast:3 fail wisp limit\n",
        )
        .unwrap();
        assert_eq!(e.file_skip("simd_lane.wast"), Some("needs SIMD"));
        assert_eq!(e.file_skip("table.wast"), None);
        let table = e.directives("table.wast").unwrap();
        assert_eq!(table[&12].action, Action::Skip);
        assert_eq!(table[&12].reason, "needs typed references");
        assert_eq!(
            e.directives("memory.wast").unwrap()[&3].action,
            Action::Fail
        );
    }

    #[test]
    fn rejects_malformed_entries() {
        let line_of = |text: &str| Expectations::parse(text).unwrap_err().line;
        assert_eq!(line_of("a.wast skip\n"), 1);
        assert_eq!(line_of("# ok\na.wast maybe why\n"), 2);
        assert_eq!(line_of("a.wast fail whole files may not fail\n"), 1);
        assert_eq!(line_of("a.wast:x skip why\n"), 1);
        assert_eq!(line_of("a*.wast:3 skip why\n"), 1);
        assert_eq!(line_of("a.wast:3 skip why\na.wast:3 fail why\n"), 2);
    }

    fn ran(name: &str, results: Vec<(u32, Outcome)>) -> FileReport {
        FileReport {
            name: name.into(),
            body: FileBody::Ran(
                results
                    .into_iter()
                    .map(|(line, outcome)| DirectiveResult {
                        line,
                        kind: "assert_return",
                        outcome,
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn check_sorts_outcomes_against_entries() {
        let e = Expectations::parse(
            "a.wast:1 fail module needs X\na.wast:4 fail fixed now\na.wast:9 skip nothing here\nb*.wast skip gone\n",
        )
        .unwrap();
        let blocked = |line| Outcome::Failed {
            reason: "module did not load".into(),
            blocked_by: Some(line),
        };
        let report = SuiteReport {
            tier: "interp",
            fuel: false,
            eager: false,
            files: vec![ran(
                "a.wast",
                vec![
                    (1, Outcome::failed("needs X")),
                    (2, blocked(1)),
                    (3, Outcome::failed("wrong result")),
                    (4, Outcome::Passed),
                ],
            )],
        };
        let v = e.check(&report, true);
        assert_eq!(
            v.unexpected_failures,
            ["a.wast:3 (assert_return): wrong result"]
        );
        assert_eq!(v.unexpected_passes, ["a.wast:4 (assert_return)"]);
        assert_eq!(
            v.stale,
            [
                "expectations line 3: no directive starts at a.wast:9",
                "expectations line 4: `b*.wast` matches no file",
            ]
        );
        assert!(!v.is_clean());
    }
}
