//! Operators after an unconditional branch (`br`, `return`, `unreachable`, ...) cannot
//! run until their block ends. Every tier's translator skips them and keeps only the block
//! structure; this is that rule, in one place, so that the tiers agree on where
//! unreachable code ends (and so charge fuel at the same points: the `else` of an `if`
//! whose first arm ended dead starts a live block).

use wasmparser::Operator;

/// What an operator met in unreachable code means for the live block around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing: the operator cannot run.
    Skip,
    /// The `else` of the live `if`: its second arm is reachable.
    Else,
    /// A `catch` or `catch_all` of the live legacy `try`: its handler starts (reached
    /// by unwinding, not from the code before).
    Catch,
    /// The `end` of the live block (or the `delegate` ending a legacy `try`): what follows
    /// is reachable.
    End,
}

/// The nesting depth of blocks opened inside unreachable code.
#[derive(Debug, Default)]
pub struct DeadCode {
    depth: u32,
}

impl DeadCode {
    /// Steps over `op`, met in unreachable code.
    pub fn step(&mut self, op: &Operator<'_>) -> Step {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => {
                self.depth += 1;
                Step::Skip
            }
            Operator::Else if self.depth == 0 => Step::Else,
            Operator::Catch { .. } | Operator::CatchAll if self.depth == 0 => Step::Catch,
            Operator::End | Operator::Delegate { .. } if self.depth == 0 => Step::End,
            Operator::End | Operator::Delegate { .. } => {
                self.depth -= 1;
                Step::Skip
            }
            _ => Step::Skip,
        }
    }
}
