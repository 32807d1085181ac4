//! The legacy exception-handling scripts (`legacy/`) write `try` folded:
//! `(try $l (result i32) (do ...) (catch $e ...) (catch_all ...))` and
//! `(try (do ...) (delegate $l))`. The `wast` parser wisp uses reads the flat form of
//! these instructions (`try ... catch $e ... end`, `try ... delegate $l`) but no longer the
//! folded one, so scripts are unfolded here first: each folded `try` becomes the same
//! instructions written flat, which encode to the same binary. Newlines stay where they
//! are, so every directive keeps its line number (which `expectations.txt` and reports
//! use).

use std::borrow::Cow;

/// `text` with every folded legacy `try` unfolded (borrowed as it is when it has none).
pub fn unfold_try(text: &str) -> Cow<'_, str> {
    if !has_folded_try(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    // Replacements by byte range, applied in order at the end.
    let mut edits: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match skip_trivia(bytes, i) {
            Some(next) => i = next,
            None if starts_form(bytes, i, b"try") => {
                unfold_at(bytes, i, &mut edits);
                // Inner folded `try`s are found as the scan goes on inside this one.
                i += 1;
            }
            None => i += 1,
        }
    }
    edits.sort_by_key(|&(start, _, _)| start);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (start, end, with) in edits {
        out.push_str(&text[at..start]);
        out.push_str(with);
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

fn has_folded_try(bytes: &[u8]) -> bool {
    (0..bytes.len()).any(|i| starts_form(bytes, i, b"try"))
}

/// Whether `bytes[i..]` opens the form `(name` (the keyword whole: `(try` but not
/// `(try_table`).
fn starts_form(bytes: &[u8], i: usize, name: &[u8]) -> bool {
    bytes[i] == b'('
        && bytes[i + 1..].starts_with(name)
        && bytes
            .get(i + 1 + name.len())
            .is_none_or(|&b| b.is_ascii_whitespace() || b == b'(' || b == b')')
}

/// If `bytes[i..]` starts a string or a comment, the index just past it.
fn skip_trivia(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes[i], bytes.get(i + 1)) {
        (b'"', _) => {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            Some(j + 1)
        }
        (b';', Some(b';')) => Some(
            bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| i + n),
        ),
        (b'(', Some(b';')) => {
            let mut depth = 0;
            let mut j = i;
            while j + 1 < bytes.len() {
                if bytes[j] == b'(' && bytes[j + 1] == b';' {
                    depth += 1;
                    j += 2;
                } else if bytes[j] == b';' && bytes[j + 1] == b')' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        return Some(j);
                    }
                } else {
                    j += 1;
                }
            }
            Some(bytes.len())
        }
        _ => None,
    }
}

/// The index of the `)` closing the form that opens at `open`.
fn close_of(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < bytes.len() {
        if let Some(next) = skip_trivia(bytes, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Records the edits unfolding the `try` form at `open`: `(try` becomes `try`; its
/// `(do`, `(catch`, `(catch_all` clauses lose their parentheses (`catch` and `catch_all`
/// staying as instructions); a `(delegate $l)` clause becomes `delegate $l` and ends the
/// `try`; otherwise the `try`'s own `)` becomes `end`.
fn unfold_at(bytes: &[u8], open: usize, edits: &mut Vec<(usize, usize, &'static str)>) {
    let close = close_of(bytes, open);
    edits.push((open, open + 1, " "));
    let mut delegated = false;
    let mut i = open + 4;
    while i < close {
        if let Some(next) = skip_trivia(bytes, i) {
            i = next;
            continue;
        }
        if bytes[i] != b'(' {
            i += 1;
            continue;
        }
        let clause_close = close_of(bytes, i);
        let is = |name: &[u8]| starts_form(bytes, i, name);
        if is(b"do") {
            edits.push((i, i + 3, "   "));
            edits.push((clause_close, clause_close + 1, " "));
        } else if is(b"catch") || is(b"catch_all") {
            edits.push((i, i + 1, " "));
            edits.push((clause_close, clause_close + 1, " "));
        } else if is(b"delegate") {
            edits.push((i, i + 1, " "));
            edits.push((clause_close, clause_close + 1, " "));
            delegated = true;
        }
        // Anything else (a block type, say) is left as it is.
        i = clause_close + 1;
    }
    edits.push((close, close + 1, if delegated { " " } else { " end" }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_try_becomes_flat() {
        let text = "(func (try $t (result i32)\n  (do (i32.const 1))\n  (catch $e (i32.const 2))\n  (catch_all (i32.const 3))))";
        let out = unfold_try(text);
        assert_eq!(out.lines().count(), text.lines().count());
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "(func try $t (result i32) (i32.const 1) catch $e (i32.const 2) catch_all (i32.const 3) end)"
        );
    }

    #[test]
    fn delegate_ends_the_try_and_try_table_is_left_alone() {
        let out = unfold_try("(try (do (throw $e)) (delegate 1)) (try_table (do))");
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "try (throw $e) delegate 1 (try_table (do))"
        );
        assert!(matches!(unfold_try("(try_table)"), Cow::Borrowed(_)));
    }

    #[test]
    fn nested_tries_and_strings_and_comments() {
        let text = "(try (do (try (do) (catch_all))) ;; (try\n (catch_all \"(try\"))";
        let words: Vec<String> = unfold_try(text)
            .split_whitespace()
            .map(String::from)
            .collect();
        assert_eq!(
            words.join(" "),
            "try try catch_all end ;; (try catch_all \"(try\" end"
        );
    }
}
