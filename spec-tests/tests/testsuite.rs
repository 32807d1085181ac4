//! Runs the whole testsuite on every tier, with fuel metering off and on, once more with
//! every module translated as it loads (eager translation), and on the native tiers once
//! more with every memory access checked explicitly (no guard pages), and
//! checks the outcome against `expectations.txt`: any failure it does not list fails this
//! test, and so does a listed failure that now passes or an entry that matches nothing.

use wisp_spec_tests::{load_expectations, run_suite, testsuite, Settings, Tier};

#[test]
fn testsuite_matches_expectations() {
    let root = testsuite::locate().unwrap_or_else(|e| panic!("{e}"));
    let files = testsuite::wast_files(&root).expect("listing the testsuite");
    let expectations = load_expectations().unwrap_or_else(|e| panic!("{e}"));

    let mut problems = String::new();
    for &tier in Tier::ALL {
        let modes: &[(bool, bool, bool)] = if tier == Tier::Interp {
            &[
                (false, false, false),
                (true, false, false),
                (false, true, false),
            ]
        } else {
            &[
                (false, false, false),
                (true, false, false),
                (false, true, false),
                (false, false, true),
            ]
        };
        for &(fuel, eager, explicit_bounds) in modes {
            let settings = Settings {
                tier,
                fuel,
                eager,
                explicit_bounds,
                own_validator: false,
            };
            let report = run_suite(&root, &files, settings, &expectations);
            let verdict = expectations.check(&report, true);
            let mode = match (fuel, eager, explicit_bounds) {
                (_, _, true) => "explicit bounds checks",
                (_, true, _) => "translated eagerly",
                (true, _, _) => "with fuel",
                _ => "without fuel",
            };
            println!("{} ({mode})", report.summary_line());
            if !verdict.is_clean() {
                problems.push_str(&format!("--- {tier} {mode} ---\n{verdict}"));
            }
        }
    }
    // wisp's own validator (the firmware profile) on the interpreter: every directive of
    // the profile passes; modules outside it are skipped, with their users.
    let settings = Settings {
        tier: Tier::Interp,
        fuel: false,
        eager: false,
        explicit_bounds: false,
        own_validator: true,
    };
    let report = run_suite(&root, &files, settings, &expectations);
    let verdict = expectations.check(&report, true);
    println!("{} (own validator)", report.summary_line());
    if !verdict.is_clean() {
        problems.push_str(&format!("--- interp, own validator ---\n{verdict}"));
    }
    assert!(
        problems.is_empty(),
        "the testsuite differs from spec-tests/expectations.txt:\n{problems}"
    );
}
