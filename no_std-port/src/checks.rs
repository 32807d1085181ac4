//! The firmware's verdicts: one line per check, a closing count, and the exit status.

use core::fmt;

pub struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    pub fn new() -> Checks {
        Checks {
            passed: 0,
            failed: 0,
        }
    }

    /// Prints `ok   what` or `FAIL what` and counts it.
    pub fn check(&mut self, ok: bool, what: fmt::Arguments<'_>) {
        if ok {
            self.passed += 1;
            println!("ok   {what}");
        } else {
            self.failed += 1;
            println!("FAIL {what}");
        }
    }

    /// Prints the closing count and returns the exit status: the number of failures,
    /// capped below the panic status.
    pub fn finish(self) -> u8 {
        println!("checks: {} passed, {} failed", self.passed, self.failed);
        self.failed.min(100) as u8
    }
}
