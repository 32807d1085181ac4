//! What running the suite produced: one outcome per directive, grouped by file, and the
//! counts, summary line and JSON built from them.

use std::fmt::{self, Write as _};

/// How one directive went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed {
        reason: String,
        /// The line of the directive whose failure this one inherits (a module that did not
        /// load, for every later directive that uses it), or `None` when it failed by itself.
        blocked_by: Option<u32>,
    },
    Skipped {
        reason: String,
        /// Set when the expectations skip a module that wisp now loads: the entry has gone
        /// stale and should be removed so the module's directives run.
        stale: bool,
    },
}

impl Outcome {
    pub(crate) fn failed(reason: impl Into<String>) -> Outcome {
        Outcome::Failed {
            reason: reason.into(),
            blocked_by: None,
        }
    }

    pub(crate) fn skipped(reason: impl Into<String>) -> Outcome {
        Outcome::Skipped {
            reason: reason.into(),
            stale: false,
        }
    }
}

/// The outcome of the directive at `line` (1-based) of its file.
#[derive(Debug, Clone)]
pub struct DirectiveResult {
    pub line: u32,
    /// The directive's keyword (`assert_return`, `module`, ...), for reports.
    pub kind: &'static str,
    pub outcome: Outcome,
}

/// Passed, failed and skipped directives.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Everything one `.wast` file produced.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Path relative to the testsuite root, with `/` separators (`legacy/throw.wast`).
    pub name: String,
    pub body: FileBody,
}

#[derive(Debug, Clone)]
pub enum FileBody {
    /// The file was run; one result per directive, in file order.
    Ran(Vec<DirectiveResult>),
    /// The whole file is skipped by the expectations: none of its `directives` ran.
    Skipped { reason: String, directives: usize },
}

impl FileReport {
    pub fn counts(&self) -> Counts {
        match &self.body {
            FileBody::Ran(results) => {
                let mut counts = Counts::default();
                for r in results {
                    match r.outcome {
                        Outcome::Passed => counts.passed += 1,
                        Outcome::Failed { .. } => counts.failed += 1,
                        Outcome::Skipped { .. } => counts.skipped += 1,
                    }
                }
                counts
            }
            FileBody::Skipped { directives, .. } => Counts {
                skipped: *directives,
                ..Counts::default()
            },
        }
    }

    pub fn results(&self) -> &[DirectiveResult] {
        match &self.body {
            FileBody::Ran(results) => results,
            FileBody::Skipped { .. } => &[],
        }
    }
}

/// The reports of one run of the suite.
#[derive(Debug, Clone)]
pub struct SuiteReport {
    /// The tier's name, which starts the summary line.
    pub tier: &'static str,
    pub fuel: bool,
    pub eager: bool,
    pub files: Vec<FileReport>,
}

impl SuiteReport {
    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for file in &self.files {
            total.add(file.counts());
        }
        total
    }

    /// `interp: N passed, N failed, N skipped`: the line the runner ends with.
    pub fn summary_line(&self) -> String {
        format!("{}: {}", self.tier, self.counts())
    }

    /// Per-file counts as JSON (written by hand: the shape is small and fixed).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let counts = |out: &mut String, c: Counts| {
            let _ = write!(
                out,
                "\"passed\": {}, \"failed\": {}, \"skipped\": {}",
                c.passed, c.failed, c.skipped
            );
        };
        let _ = write!(
            out,
            "{{\n  \"tier\": {},\n  \"fuel\": {},\n  \"total\": {{",
            json_string(self.tier),
            self.fuel
        );
        counts(&mut out, self.counts());
        out.push_str("},\n  \"files\": [");
        for (i, file) in self.files.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(out, "    {{\"file\": {}, ", json_string(&file.name));
            counts(&mut out, file.counts());
            if let FileBody::Skipped { reason, .. } = &file.body {
                let _ = write!(out, ", \"skip_reason\": {}", json_string(reason));
            }
            out.push('}');
        }
        out.push_str("\n  ]\n}\n");
        out
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_quotes_and_control_characters() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
    }

    #[test]
    fn json_lists_each_file_with_its_counts() {
        let report = SuiteReport {
            tier: "interp",
            fuel: false,
            eager: false,
            files: vec![
                FileReport {
                    name: "a.wast".into(),
                    body: FileBody::Ran(vec![DirectiveResult {
                        line: 1,
                        kind: "module",
                        outcome: Outcome::Passed,
                    }]),
                },
                FileReport {
                    name: "simd_a.wast".into(),
                    body: FileBody::Skipped {
                        reason: "needs SIMD".into(),
                        directives: 3,
                    },
                },
            ],
        };
        assert_eq!(
            report.summary_line(),
            "interp: 1 passed, 0 failed, 3 skipped"
        );
        let json = report.to_json();
        assert!(json.contains(r#"{"file": "a.wast", "passed": 1, "failed": 0, "skipped": 0}"#));
        assert!(json.contains(
            r#"{"file": "simd_a.wast", "passed": 0, "failed": 0, "skipped": 3, "skip_reason": "needs SIMD"}"#
        ));
        assert!(json.contains(r#""total": {"passed": 1, "failed": 0, "skipped": 3}"#));
    }
}
