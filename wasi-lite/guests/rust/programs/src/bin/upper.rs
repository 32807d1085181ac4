//! Standard input: copies stdin to stdout with every line uppercased (Unicode-aware for
//! UTF-8 lines, ASCII-only for lines that are not UTF-8), keeping line endings and a
//! missing final newline as they are; then prints `upper: N lines, M bytes` to stderr.
//!
//! Deterministic: compare stdout and stderr exactly; stdin from
//! `fixtures/upper.in` (or empty stdin: no output, `upper: 0 lines, 0 bytes`).

use guest::OrFail;
use std::io::{self, BufRead, Write};

fn main() {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let (mut lines, mut bytes) = (0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input.read_until(b'\n', &mut line).or_fail("reading stdin");
        if n == 0 {
            break;
        }
        lines += 1;
        bytes += n as u64;
        match std::str::from_utf8(&line) {
            Ok(s) => out.write_all(s.to_uppercase().as_bytes()),
            Err(_) => out.write_all(&line.to_ascii_uppercase()),
        }
        .or_fail("writing stdout");
    }
    out.flush().or_fail("flushing stdout");
    eprintln!("upper: {lines} lines, {bytes} bytes");
}
