//! Golden tests of the interpreter's bytecode: small functions, each exercising one of the
//! translator's fusions or the encoder's forwarding, and the encoded instructions they
//! become, as `wisp inspect --bytecode` prints them (operands, forwarded operands, skipped
//! stores, branch targets in words).
//!
//! Test builds have debug assertions, so they keep every forwarding variant of every
//! handler (`exec::handlers::handler`); a release build with the loop dispatch keeps only
//! the variant reading every operand from its slot, so it prints no `[... from acc]`.
//!
//! To update after an intended change: `WISP_BLESS=1 cargo test --test bytecode`, and
//! review the diff of `tests/bytecode/*.txt`.

use std::path::PathBuf;

/// Each case: a name and a module whose first function is the one printed.
const CASES: &[(&str, &str)] = &[
    (
        "locals_fold_into_operands",
        "(func (param i32 i32) (result i32) (local i32)
           (local.set 2 (i32.add (local.get 0) (local.get 1)))
           (local.get 2))",
    ),
    (
        "immediate_form",
        "(func (param i32) (result i32) (i32.add (local.get 0) (i32.const 5)))",
    ),
    (
        "commutative_constant_on_the_left",
        "(func (param i32) (result i32) (i32.mul (i32.const 7) (local.get 0)))",
    ),
    (
        "swapped_comparison",
        "(func (param i32) (result i32) (i32.lt_s (i32.const 5) (local.get 0)))",
    ),
    (
        "wide_constant_goes_to_the_pool",
        "(func (param i64) (result i64) (i64.add (local.get 0) (i64.const 0x100000000)))",
    ),
    (
        "compare_fuses_into_br_if",
        "(func (param i32 i32) (result i32)
           (block $out (br_if $out (i32.lt_u (local.get 0) (local.get 1))) (return (i32.const 0)))
           (i32.const 1))",
    ),
    (
        "if_takes_the_complement",
        "(func (param i32 i32) (result i32)
           (if (result i32) (i32.ge_s (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 2))))",
    ),
    (
        "float_complement_branches_on_nan",
        "(func (param f64 f64) (result i32)
           (if (result i32) (f64.lt (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 2))))",
    ),
    (
        "eqz_tests",
        "(func (param i32 i64) (result i32)
           (block $a (br_if $a (i32.eqz (local.get 0))) (return (i32.const 0)))
           (block $b (br_if $b (i64.eqz (local.get 1))) (return (i32.const 1)))
           (i32.const 2))",
    ),
    (
        "bit_tests",
        "(func (param i32 i32) (result i32)
           (block $a (br_if $a (i32.and (local.get 0) (local.get 1))) (return (i32.const 0)))
           (block $b (br_if $b (i32.and (local.get 0) (i32.const 8))) (return (i32.const 1)))
           (i32.const 2))",
    ),
    (
        "compare_with_immediate_branch",
        "(func (param i64) (result i32)
           (block $a (br_if $a (i64.gt_u (local.get 0) (i64.const 100))) (return (i32.const 0)))
           (i32.const 1))",
    ),
    (
        "load_from_a_sum",
        "(memory 1)
         (func (param i32) (result i32) (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))",
    ),
    (
        "load_twin_feeds_integer_work",
        "(memory 1)
         (func (param i32) (result i32) (i32.and (i32.reinterpret_f32 (f32.load (local.get 0))) (local.get 0)))",
    ),
    (
        "scaled_index",
        "(memory 1)
         (func (param i32 i32) (result i32) (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))",
    ),
    (
        "first_operand_forwarded",
        "(func (param i32 i32 i32) (result i32) (i32.mul (i32.add (local.get 0) (local.get 1)) (local.get 2)))",
    ),
    (
        "second_operand_forwarded",
        "(func (param i32 i32 i32) (result i32) (i32.sub (local.get 2) (i32.add (local.get 0) (local.get 1))))",
    ),
    (
        "float_chain_stays_in_float_accumulators",
        "(func (param f64 f64) (result f64) (f64.sqrt (f64.mul (f64.add (local.get 0) (local.get 1)) (local.get 0))))",
    ),
    (
        "stored_result_read_twice",
        "(func (param i32 i32) (result i32) (local i32)
           (local.set 2 (i32.add (local.get 0) (local.get 1)))
           (i32.mul (local.get 2) (local.get 2)))",
    ),
    (
        "store_takes_its_value_forwarded",
        "(memory 1)
         (func (param i32 i32) (i32.store (local.get 0) (i32.add (local.get 1) (i32.const 1))))",
    ),
    (
        "br_table",
        "(func (param i32) (result i32)
           (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))
           (i32.const 3))",
    ),
    (
        "loop_rotated",
        "(func (param i32) (result i32) (local i32)
           (loop $l
             (local.set 1 (i32.add (local.get 1) (local.get 0)))
             (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
           (local.get 1))",
    ),
    (
        "call_frames_overlap",
        "(func (param i32) (result i32) (call 1 (local.get 0) (i32.const 2)))
         (func (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))",
    ),
    (
        "select_and_copies",
        "(func (param i32 i32 i32) (result i32 i32)
           (select (local.get 0) (local.get 1) (local.get 2))
           (local.get 0))",
    ),
];

/// An engine on the interpreter alone: with the facade's `jit` feature on (as `cargo test
/// --workspace` builds it), the default is tier-up, whose profiling adds `Hot` and
/// `HotLoop` instructions.
fn engine() -> wisp::Engine {
    let mut config = wisp::Config::default();
    config.tier(wisp::Tier::Interp);
    wisp::Engine::new(&config)
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bytecode")
}

#[test]
fn fusions_and_forwarding_encode_as_recorded() {
    let engine = engine();
    let bless = std::env::var_os("WISP_BLESS").is_some();
    let mut failures = Vec::new();
    for (name, body) in CASES {
        let wasm = wat::parse_str(format!("(module {body})")).unwrap();
        let module = wisp::Module::new(&engine, &wasm).unwrap();
        let got = wisp::interp::disassemble(&module, 0).unwrap();
        let path = golden_dir().join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            failures.push(format!("{name}:\n--- want\n{want}--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The disassembly reads what the executor runs: every instruction of a function decodes
/// (no word is taken for a handler that is not), and the words add up to the code.
#[test]
fn disassembly_covers_the_whole_code() {
    let engine = engine();
    for (name, body) in CASES {
        let wasm = wat::parse_str(format!("(module {body})")).unwrap();
        let module = wisp::Module::new(&engine, &wasm).unwrap();
        let text = wisp::interp::disassemble(&module, 0).unwrap();
        let words: usize = text.split_whitespace().next().unwrap().parse().unwrap();
        let last = text.lines().last().unwrap();
        let at: usize = last.split(':').next().unwrap().trim().parse().unwrap();
        assert!(
            at < words,
            "{name}: the last instruction starts inside the code"
        );
        assert!(
            last.contains("Return"),
            "{name}: ends with its return: {last}"
        );
    }
}
