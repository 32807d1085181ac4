//! `regex`: a log-scanning job with the `regex` crate. Six patterns (Unicode classes,
//! alternations, captures, a case-insensitive literal set) are compiled once per call, then
//! `n` rounds each scan a generated 16 KiB log: counting matches, extracting captures, and
//! splitting. One byte of the log changes between rounds, so every round's matches differ.

use common::{Checksum, Rng};
use regex::bytes::Regex;

const LEVELS: &[&str] = &["INFO", "DEBUG", "WARN", "ERROR", "TRACE", "info", "Fatal"];
const WORDS: &[&str] = &[
    "request",
    "served",
    "in",
    "cache",
    "miss",
    "for",
    "user",
    "session",
    "expired",
    "retry",
    "connection",
    "reset",
    "by",
    "peer",
    "timeout",
    "after",
    "bytes",
    "written",
    "to",
    "disk",
    "überprüfung",
    "naïve",
    "東京",
    "ключ",
    "ok",
];

fn log_text(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x4E6E);
    let mut s = String::with_capacity(len + 200);
    while s.len() < len {
        let (y, mo, d) = (2000 + rng.below(30), 1 + rng.below(12), 1 + rng.below(28));
        let (h, mi, sec) = (rng.below(24), rng.below(60), rng.below(60));
        s.push_str(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}Z "));
        s.push_str(rng.pick(LEVELS));
        s.push(' ');
        for _ in 0..3 + rng.below(8) {
            match rng.below(10) {
                0 => s.push_str(&format!(
                    "{}.{}@{}.{} ",
                    rng.pick(WORDS),
                    rng.below(100),
                    rng.pick(WORDS),
                    ["com", "org", "net", "io"][rng.below(4) as usize]
                )),
                1 => s.push_str(&format!(
                    "{}.{}.{}.{} ",
                    rng.below(256),
                    rng.below(256),
                    rng.below(256),
                    rng.below(256)
                )),
                2 => s.push_str(&format!("{}ms ", rng.below(5000))),
                _ => {
                    s.push_str(rng.pick(WORDS));
                    s.push(' ');
                }
            }
        }
        s.push('\n');
    }
    s.into_bytes()
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let date = Regex::new(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z").unwrap();
    let email = Regex::new(r"\b[\w.+-]+@[\w-]+\.(?:com|org|net|io)\b").unwrap();
    let ipv4 = Regex::new(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
        .unwrap();
    let level = Regex::new(r"(?i)\b(?:error|warn|fatal)\b").unwrap();
    let duration = Regex::new(r"(?P<ms>[0-9]+)ms\b").unwrap();
    let unicode_word = Regex::new(r"\b\p{Alphabetic}*[^\x00-\x7F]\p{Alphabetic}*\b").unwrap();

    let mut text = log_text(16 * 1024);
    let mut rng = Rng::new(0x7E47);
    let mut sum = Checksum::new();
    for _ in 0..n.max(0) {
        // Perturb one byte (keeping the text ASCII-or-unchanged where it was multi-byte).
        let at = rng.below(text.len() as u32) as usize;
        if text[at].is_ascii_digit() {
            text[at] = b'0' + (text[at] - b'0' + 1) % 10;
        } else if text[at].is_ascii_lowercase() {
            text[at] = b'a' + (text[at] - b'a' + 1) % 26;
        }

        let mut days = 0u64;
        for caps in date.captures_iter(&text) {
            let d = &caps[3];
            days += u64::from(d[0] - b'0') * 10 + u64::from(d[1] - b'0');
        }
        sum.add(days);
        for m in email.find_iter(&text) {
            sum.add((m.start() as u64) << 16 | m.len() as u64);
        }
        sum.add(ipv4.find_iter(&text).count() as u64);
        sum.add(level.find_iter(&text).map(|m| m.start() as u64).sum());
        let mut ms = 0u64;
        for caps in duration.captures_iter(&text) {
            ms += caps["ms"]
                .iter()
                .fold(0u64, |a, &b| a * 10 + u64::from(b - b'0'));
        }
        sum.add(ms);
        sum.add(unicode_word.find_iter(&text).count() as u64);
        sum.add(
            date.split(&text)
                .map(|piece| piece.len() as u64)
                .max()
                .unwrap_or(0),
        );
    }
    sum.get()
}
