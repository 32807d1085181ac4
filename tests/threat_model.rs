//! THREAT_MODEL.md names, for every promise, the test that holds it. This keeps the names
//! honest: every test it names exists (in the file it names, when it names one), and every
//! row of its mitigation tables names a test, or a script or workflow that runs one. A
//! renamed or deleted test fails here rather than leaving a promise that nothing checks.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `fn NAME` in the repository's Rust sources (outside `target/`).
fn all_fns() -> HashSet<String> {
    let mut out = HashSet::new();
    let mut dirs = vec![PathBuf::from(ROOT)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "guest-target" {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") {
                out.extend(fns_in(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

fn fns_in(source: &str) -> Vec<String> {
    source
        .split("fn ")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// The jobs of the repository's GitHub workflows (`  NAME:` under `jobs:`).
fn workflow_jobs() -> HashSet<String> {
    let dir = Path::new(ROOT).join(".github/workflows");
    let mut jobs = HashSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut in_jobs = false;
        for line in text.lines() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !line.starts_with(' ') {
                in_jobs = line.starts_with("jobs:");
            } else if in_jobs && !line.starts_with("   ") {
                if let Some(name) = line.trim().strip_suffix(':') {
                    jobs.insert(name.to_string());
                }
            }
        }
    }
    jobs
}

/// `text` without its parenthesised asides (which name files of the suite, operators,
/// and the like, not tests).
fn without_asides(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_test_the_threat_model_names_exists_and_every_promise_names_one() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("THREAT_MODEL.md")).unwrap();
    let fns = all_fns();
    let mut missing = Vec::new();
    let mut unchecked = Vec::new();
    let mut rows = 0;
    let mut named = 0;
    // The tables whose last column says what checks each row.
    let mut checked_by_last = false;
    for line in doc.lines() {
        if !line.starts_with('|') {
            checked_by_last = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if cells.last() == Some(&"checked by") {
            checked_by_last = true;
            continue;
        }
        if !checked_by_last || line.starts_with("|---") {
            continue;
        }
        rows += 1;
        let checked_by = without_asides(cells.last().unwrap());
        let mut names_a_check = false;
        for segment in checked_by.split(';') {
            let mut file: Option<&str> = None;
            for token in backticked(segment) {
                if token.ends_with(".rs") {
                    file = Some(token);
                } else if token.ends_with(".sh")
                    || token.ends_with(".yml")
                    || token.contains(".sh ")
                {
                    names_a_check = true;
                } else if segment.contains(&format!("job `{token}`"))
                    || segment.contains(&format!("`{token}` job"))
                {
                    // A CI job: it must be one of the workflows'.
                    names_a_check = true;
                    if !workflow_jobs().contains(token) {
                        missing.push(format!("CI job {token}"));
                    }
                } else if is_ident(token) {
                    names_a_check = true;
                    named += 1;
                    let found = match file {
                        Some(f) => std::fs::read_to_string(Path::new(ROOT).join(f))
                            .map(|s| fns_in(&s).iter().any(|n| n == token))
                            .unwrap_or(false),
                        None => fns.contains(token),
                    };
                    if !found {
                        missing.push(format!("{}: {token}", file.unwrap_or("(any file)")));
                    }
                }
            }
        }
        if !names_a_check {
            unchecked.push(cells[0].chars().take(90).collect::<String>());
        }
    }
    assert!(
        rows > 50 && named > 100,
        "{rows} rows, {named} tests: the tables were not read"
    );
    assert!(
        missing.is_empty(),
        "THREAT_MODEL.md names tests that do not exist: {missing:#?}"
    );
    assert!(
        unchecked.is_empty(),
        "promises that name no test: {unchecked:#?}"
    );
}

/// THREAT_MODEL.md, section 5: test builds check arithmetic for overflow
/// (`[profile.test] overflow-checks = true`), so an overflow in wisp is a failing test,
/// not a wrapped value.
#[test]
#[should_panic(expected = "overflow")]
fn test_builds_check_arithmetic_for_overflow() {
    let x = std::hint::black_box(u32::MAX);
    let _ = std::hint::black_box(x + 1);
}
