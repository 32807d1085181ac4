//! `wisp-spec-tests [OPTIONS] [FILTER...]`: runs the testsuite and prints one line per file
//! and, last, `TIER: N passed, N failed, N skipped`.

use std::fs;
use std::process::ExitCode;

use wisp_spec_tests::{testsuite, FileBody, Outcome, Settings, Tier};

const USAGE: &str = "\
usage: wisp-spec-tests [OPTIONS] [FILTER...]

Runs every .wast file of the testsuite whose path contains one of the FILTERs (all files
when none is given). The testsuite is $WISP_TESTSUITE, else spec-tests/testsuite, else
../shared/testsuite beside the workspace.

options:
  --tier NAME    execution tier to run on: interp; with the `jit` feature (on by
                 default) also jit, tiered (tier-up forced at every first call and
                 loop header) and mixed (functions on either tier by a seeded
                 choice; WISP_MIXED_SEED sets the seed)
  --fuel         run with fuel metering on and a budget no test exhausts
  --eager        translate each module as it loads rather than each function on its
                 first call
  --explicit-bounds
                 native code checks every memory access explicitly (by default
                 it leaves guarded memories' bounds to the hardware where it can)
  --own-validator
                 validate function bodies with wisp's own validator (the firmware
                 profile: files using SIMD, exceptions or GC fail to load)
  --json FILE    write per-file counts to FILE as JSON
  -v             print every failing directive with file:line and why, and the
                 differences from expectations.txt
  --skipped      print every skipped directive of the files that ran, with why
                 (a skipped module's users say which module they needed)
  -h, --help     print this help";

struct Args {
    settings: Settings,
    json: Option<String>,
    verbose: bool,
    list_skipped: bool,
    filters: Vec<String>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        settings: Settings::default(),
        json: None,
        verbose: false,
        list_skipped: false,
        filters: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--fuel" => args.settings.fuel = true,
            "--eager" => args.settings.eager = true,
            "--explicit-bounds" => args.settings.explicit_bounds = true,
            "--own-validator" => args.settings.own_validator = true,
            "-v" | "--verbose" => args.verbose = true,
            "--skipped" => args.list_skipped = true,
            "--tier" => {
                let name = it.next().ok_or("--tier needs a tier name")?;
                args.settings.tier = name.parse::<Tier>()?;
            }
            "--json" => args.json = Some(it.next().ok_or("--json needs a file name")?),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            filter => args.filters.push(filter.to_string()),
        }
    }
    Ok(Some(args))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let root = testsuite::locate()?;
    let expectations = wisp_spec_tests::load_expectations()?;
    let all = testsuite::wast_files(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let files: Vec<String> = all
        .iter()
        .filter(|f| args.filters.is_empty() || args.filters.iter().any(|p| f.contains(p.as_str())))
        .cloned()
        .collect();
    if files.is_empty() {
        return Err(format!(
            "no .wast file in {} matches the filter",
            root.display()
        ));
    }

    let report = wisp_spec_tests::run_suite(&root, &files, args.settings, &expectations);
    let width = files.iter().map(String::len).max().unwrap_or(0);
    for file in &report.files {
        let c = file.counts();
        let note = match &file.body {
            FileBody::Skipped { reason, .. } => format!("  (skipped: {reason})"),
            FileBody::Ran(_) => String::new(),
        };
        println!(
            "{:width$}  {:>5} passed {:>5} failed {:>5} skipped{note}",
            file.name, c.passed, c.failed, c.skipped
        );
    }
    for file in &report.files {
        for r in file.results() {
            let (shown, what, reason) = match &r.outcome {
                Outcome::Failed { reason, .. } => (args.verbose, "", reason),
                Outcome::Skipped { reason, .. } => (args.list_skipped, "skipped: ", reason),
                Outcome::Passed => continue,
            };
            if shown {
                println!("{}:{}: {}: {what}{reason}", file.name, r.line, r.kind);
            }
        }
    }
    if let Some(path) = &args.json {
        fs::write(path, report.to_json()).map_err(|e| format!("{path}: {e}"))?;
    }
    let verdict = expectations.check(&report, files.len() == all.len());
    if args.verbose && !verdict.is_clean() {
        print!("{verdict}");
    }
    println!("{}", report.summary_line());
    Ok(if verdict.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
