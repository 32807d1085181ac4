//! Runs every WASI guest case of `wasi-lite/guests/expected/cases.json` through the `wisp`
//! binary and compares stdout, stderr and the exit status with the recorded expectations
//! (recorded under wasmtime; see `wasi-lite/guests/README.md`). The same table drives
//! `run-cases.py`, which runs the cases on other runtimes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const TRAP_STATUS: i32 = 134;

fn guests() -> PathBuf {
    // This crate is `cli/` in the repository.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasi-lite/guests")
}

/// `denied-any-errno`: `...: denied (EPERM)` and `...: ok (ELOOP)` compare without the errno,
/// since runtimes may refuse an escape with different (equally correct) errnos.
fn normalise(text: &str, how: Option<&str>) -> String {
    if how != Some("denied-any-errno") {
        return text.to_string();
    }
    text.split('\n')
        .map(|line| {
            for word in [": denied (", ": ok ("] {
                if let Some(i) = line.find(word) {
                    if line.ends_with(')') {
                        return line[..i + word.len() - 2].to_string();
                    }
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one case; returns what went wrong.
fn run_case(case: &Value, scratch: &Path) -> Vec<String> {
    let name = case["name"].as_str().unwrap();
    let fixtures = guests().join("fixtures");
    let mut problems = Vec::new();
    let escape = case["setup"].as_str() == Some("escape");
    if escape {
        let status = Command::new("sh")
            .arg(fixtures.join("escape-setup.sh"))
            .arg(scratch)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{name}: escape-setup.sh failed");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wisp"));
    cmd.arg("run");
    let mut rw_dirs = Vec::new();
    for d in case["dirs"].as_array().into_iter().flatten() {
        let host_name = d["host"].as_str().unwrap();
        let host = if host_name == "@fixtures" {
            fixtures.clone()
        } else {
            scratch.join(host_name)
        };
        std::fs::create_dir_all(&host).unwrap();
        let ro = d["ro"].as_bool().unwrap_or(false);
        cmd.arg(if ro { "--dir-ro" } else { "--dir" });
        cmd.arg(format!(
            "{}::{}",
            host.display(),
            d["guest"].as_str().unwrap()
        ));
        if !ro && host_name != "@fixtures" {
            rw_dirs.push(host);
        }
    }
    for e in str_list(&case["env"]) {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(guests().join("bin").join(case["program"].as_str().unwrap()));
    cmd.args(str_list(&case["args"]));
    cmd.stdin(match case["stdin"].as_str() {
        Some(f) => Stdio::from(std::fs::File::open(fixtures.join(f)).unwrap()),
        None => Stdio::null(),
    });
    let out = cmd.output().unwrap();

    let want_status = match &case["exit"] {
        Value::String(s) if s == "trap" => TRAP_STATUS,
        Value::Number(n) => n.as_i64().unwrap() as i32,
        _ => 0,
    };
    if out.status.code() != Some(want_status) {
        problems.push(format!(
            "exit status {:?}, want {want_status}",
            out.status.code()
        ));
    }
    for (stream, got) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let Some(file) = case[stream].as_str() else {
            continue;
        };
        let want = std::fs::read_to_string(guests().join("expected").join(file)).unwrap();
        let how = case["compare"].as_str();
        let (got, want) = (
            normalise(&String::from_utf8_lossy(got), how),
            normalise(&want, how),
        );
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .unwrap_or(0);
            problems.push(format!(
                "{stream} differs from expected/{file} at line {}:\n  got:  {:?}\n  want: {:?}",
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            ));
        }
    }
    if case["after"].as_str() == Some("empty") {
        for d in &rw_dirs {
            let left: Vec<_> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            if !left.is_empty() {
                problems.push(format!("{} not empty afterwards: {left:?}", d.display()));
            }
        }
    }
    if escape {
        let check = Command::new("sh")
            .arg(fixtures.join("escape-setup.sh"))
            .arg("check")
            .arg(scratch)
            .output()
            .unwrap();
        if !check.status.success() {
            problems.push(format!(
                "files outside the sandbox changed: {}",
                String::from_utf8_lossy(&check.stderr)
            ));
        }
    }
    if !problems.is_empty() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<_> = err.lines().rev().take(5).collect();
        problems.push(format!("command: {cmd:?}\n  stderr tail: {tail:?}"));
    }
    problems
}

/// Preopens need the unix backend; elsewhere only the cases without directories run.
fn runnable_here(case: &Value) -> bool {
    cfg!(unix) || case["dirs"].as_array().is_none_or(|d| d.is_empty())
}

#[test]
fn every_guest_case_matches_its_expected_output() {
    let table = std::fs::read_to_string(guests().join("expected/cases.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&table).unwrap();
    assert!(cases.len() >= 41, "the case table shrank: {}", cases.len());
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasi-guests");
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases.iter().filter(|c| runnable_here(c)) {
        let name = case["name"].as_str().unwrap();
        let scratch = root.join(name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let problems = run_case(case, &scratch);
        ran += 1;
        if problems.is_empty() {
            let _ = std::fs::remove_dir_all(&scratch);
        } else {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} guest cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
