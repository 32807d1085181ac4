//! The loader on arbitrary bytes: `Module::validate` and `Module::new` never panic, agree
//! (both succeed, or both fail with the same error), and every refusal is a typed load
//! error whose offset lies within the input. A module that loads is translated eagerly for
//! the interpreter too, so the translator sees every validated body.
//!
//! Seeds: `fuzz/corpus/validate/` (small modules from the repository).

#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::{Config, Engine, Error, Module, Tier};

fn engine(lazy: bool) -> Engine {
    let mut config = Config::default();
    config.lazy_translation(lazy);
    Engine::with_tier(&config, Tier::Interp).expect("the interpreter is always available")
}

/// A refusal must be a load error (malformed or invalid, unsupported, over a limit) with an
/// offset into the input; the loader's own tests allow a few bytes past the end for
/// truncated sections (`tests/loader.rs`).
fn check_refusal(error: &Error, len: usize) {
    match error {
        Error::Module(e) | Error::Unsupported(e) | Error::Limit(e) => assert!(
            e.offset <= len as u64 + 16,
            "offset {:#x} past the end of {len} bytes: {e}",
            e.offset
        ),
        other => panic!("loading refused with a non-load error: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let lazy = engine(true);
    let validated = Module::validate(&lazy, data);
    let loaded = Module::new(&lazy, data);
    match (&validated, &loaded) {
        (Ok(()), Ok(_)) => {}
        (Err(a), Err(b)) => {
            assert_eq!(
                a.to_string(),
                b.to_string(),
                "validate and new refuse differently"
            );
            check_refusal(b, data.len());
        }
        (Ok(()), Err(e)) => panic!("validate accepts what new refuses: {e}"),
        (Err(e), Ok(_)) => panic!("new accepts what validate refuses: {e}"),
    }

    // Eager translation: every function body through the interpreter's translator.
    let eager = engine(false);
    match Module::new(&eager, data) {
        Ok(_) => assert!(
            validated.is_ok(),
            "eager load accepts what validate refuses"
        ),
        Err(e) => check_refusal(&e, data.len()),
    }
});
