//! Matching wisp's trap messages against the testsuite's expected text.
//!
//! The reference interpreter's rule is that the actual message starts with the expected one.
//! Where the suite's wording differs from wisp's for the same trap, [`ALIASES`] says so.

/// `(expected by the suite, what wisp reports)`, each with the reason they are one trap.
const ALIASES: &[(&str, &str)] = &[
    // `call_indirect` (and `return_call_indirect`) with an index past the table's end: the
    // reference interpreter reports the missing element, wisp the failed table access.
    ("undefined element", "out of bounds table access"),
    // bulk.wast names the null slot's index in its message; wisp's message has no index.
    ("uninitialized element 2", "uninitialized element"),
];

/// Whether a trap reported as `actual` is the one the suite expects as `expected`.
pub fn message_matches(expected: &str, actual: &str) -> bool {
    actual.starts_with(expected)
        || ALIASES
            .iter()
            .any(|&(suite, wisp)| suite == expected && wisp == actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_of_the_actual_message_matches() {
        assert!(message_matches(
            "out of bounds memory access",
            "out of bounds memory access"
        ));
        assert!(message_matches("unreachable", "unreachable executed"));
        assert!(!message_matches(
            "integer overflow",
            "integer divide by zero"
        ));
        assert!(!message_matches("uninitialized element", "unreachable"));
    }

    #[test]
    fn aliases_match_only_their_own_pair() {
        assert!(message_matches(
            "undefined element",
            "out of bounds table access"
        ));
        assert!(message_matches(
            "uninitialized element 2",
            "uninitialized element"
        ));
        assert!(!message_matches(
            "undefined element",
            "out of bounds memory access"
        ));
        assert!(!message_matches(
            "uninitialized element 3",
            "uninitialized element"
        ));
    }
}
