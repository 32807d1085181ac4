//! The firmware's verdicts: one line per check, a closing count, and the exit status.

use wisp::text::Text;

pub struct Checks {
    passed: u32,
    failed: u32,
}

/// `check!(checks, ok, "template {}", args...)`: a check whose line is written as
/// `println!` writes it.
macro_rules! check {
    ($checks:expr, $ok:expr, $template:literal $(, $arg:expr)* $(,)?) => {
        $checks.check($ok, $template, &[$(&$arg as &dyn wisp::text::Text),*])
    };
}

impl Checks {
    pub fn new() -> Checks {
        Checks {
            passed: 0,
            failed: 0,
        }
    }

    /// Prints `ok   what` or `FAIL what` and counts it.
    #[inline(never)]
    pub fn check(&mut self, ok: bool, template: &str, args: &[&dyn Text]) {
        let verdict = if ok {
            self.passed += 1;
            "ok   "
        } else {
            self.failed += 1;
            "FAIL "
        };
        crate::console::write_line("{}{}", &[&verdict, &Line(template, args)]);
    }

    /// Prints the closing count and returns the exit status: the number of failures,
    /// capped below the panic status.
    pub fn finish(self) -> u8 {
        println!("checks: {} passed, {} failed", self.passed, self.failed);
        self.failed.min(100) as u8
    }
}

/// A template and its arguments, as one argument.
struct Line<'a>(&'a str, &'a [&'a dyn Text]);

impl Text for Line<'_> {
    fn write_to(&self, out: &mut dyn wisp::text::Out) -> core::fmt::Result {
        wisp::text::template(out, self.0, self.1)
    }
}
