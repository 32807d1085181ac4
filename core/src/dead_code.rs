//! Operators after an unconditional branch (`br`, `return`, `unreachable`, ...) cannot
//! run until their block ends. Every tier's translator skips them and keeps only the block
//! structure; this is that rule, in one place, so that the tiers agree on where
//! unreachable code ends (and so charge fuel at the same points: the `else` of an `if`
//! whose first arm ended dead starts a live block).

use wasmparser::Operator;

/// What an operator does to the block structure: all that matters of it in unreachable
/// code. Each decoder's operators say it (wasmparser's, and wisp's own `operators`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Opens a block (`block`, `loop`, `if`, `try_table`, `try`).
    Open,
    /// `else`.
    Else,
    /// `catch` or `catch_all`.
    Catch,
    /// `end`, or the `delegate` that ends a legacy `try`.
    End,
    /// Anything else.
    Other,
}

/// An operator whose [`Role`] can be told.
pub trait BlockRole {
    /// What it does to the block structure.
    fn block_role(&self) -> Role;
}

impl BlockRole for Operator<'_> {
    fn block_role(&self) -> Role {
        match self {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => Role::Open,
            Operator::Else => Role::Else,
            Operator::Catch { .. } | Operator::CatchAll => Role::Catch,
            Operator::End | Operator::Delegate { .. } => Role::End,
            _ => Role::Other,
        }
    }
}

impl BlockRole for crate::operators::Operator<'_> {
    fn block_role(&self) -> Role {
        use crate::operators::Operator as O;
        match self {
            O::Block { .. } | O::Loop { .. } | O::If { .. } => Role::Open,
            O::Else => Role::Else,
            O::End => Role::End,
            _ => Role::Other,
        }
    }
}

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
    pub fn step(&mut self, op: &impl BlockRole) -> Step {
        match op.block_role() {
            Role::Open => {
                self.depth += 1;
                Step::Skip
            }
            Role::Else if self.depth == 0 => Step::Else,
            Role::Catch if self.depth == 0 => Step::Catch,
            Role::End if self.depth == 0 => Step::End,
            Role::End => {
                self.depth -= 1;
                Step::Skip
            }
            Role::Else | Role::Catch | Role::Other => Step::Skip,
        }
    }
}
