//! Shortening jumps in a translated function, before it is encoded. The code keeps its
//! length and every instruction its place, so nothing else needs to know.

use crate::bytecode::Instr;

/// How many `Br`s one branch is followed through. Chains come from nested block exits and
/// are short; the bound keeps a cycle of `Br`s (an empty endless loop) from looping here.
const MAX_HOPS: usize = 8;

/// Two rewrites, each saving a dispatch on a path that runs often:
///
/// - **threading**: a branch to a `Br` goes straight to that `Br`'s target;
/// - **loop rotation**: compilers and people write loops as `loop (br_if $exit test) ...
///   (br $loop)`, which runs two branches per iteration. When the `Br` back to the loop
///   head lands on a conditional branch whose target is the instruction right after that
///   `Br`, the `Br` becomes the test inverted: it jumps back past the test into the body,
///   or falls through to the exit.
///
/// Neither skips a `ConsumeFuel` or `CheckInterrupt`: threading only passes `Br`s, and
/// rotation copies the test only when it is the first instruction at the loop head (with
/// fuel or interruption on, those come first there).
pub(super) fn shorten(code: &mut [Instr]) {
    // The `Br`s of a `BrTable` are entries its handler reads, not instructions that run:
    // they may be threaded but must stay `Br`s.
    let mut table_entries_end = 0;
    for i in 0..code.len() {
        if let Instr::BrTable { len, .. } = code[i] {
            table_entries_end = i + 1 + len as usize;
            continue;
        }
        let Some(offset) = code[i].branch_offset() else {
            continue;
        };
        let mut target = i as i64 + i64::from(offset);
        for _ in 0..MAX_HOPS {
            match code.get(target as usize) {
                Some(Instr::Br { offset }) if *offset != 0 => target += i64::from(*offset),
                _ => break,
            }
        }
        set_target(&mut code[i], i, target);

        let is_entry = i < table_entries_end;
        if let (Instr::Br { .. }, false) = (code[i], is_entry) {
            let Some(&test) = code.get(target as usize) else {
                continue;
            };
            let exits_here = test
                .branch_offset()
                .is_some_and(|o| target + i64::from(o) == i as i64 + 1);
            if let (true, Some(mut rotated)) = (exits_here, test.inverted_branch()) {
                set_target(&mut rotated, i, target + 1);
                code[i] = rotated;
            }
        }
    }
}

fn set_target(branch: &mut Instr, at: usize, target: i64) {
    if let Some(offset) = branch.branch_offset_mut() {
        *offset = (target - at as i64) as i32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_chains_and_rotates_loops() {
        let mut code = [
            Instr::BrI32GeU {
                a: 1,
                b: 0,
                offset: 4,
            }, // 0: loop head: exit test -> 4
            Instr::Br { offset: 1 },  // 1: -> 2 -> 0 after threading
            Instr::Br { offset: -2 }, // 2: back to the head
            Instr::Br { offset: -3 }, // 3: back to the head, exit right after
            Instr::Return0,           // 4
        ];
        shorten(&mut code);
        // 1 and 2 jump back to a test whose exit is not right after them: threaded only.
        assert_eq!(code[1], Instr::Br { offset: -1 });
        assert_eq!(code[2], Instr::Br { offset: -2 });
        // 3: the inverted test, back into the body (1), else on to the exit (4).
        assert_eq!(
            code[3],
            Instr::BrI32LtU {
                a: 1,
                b: 0,
                offset: -2
            }
        );
    }

    #[test]
    fn table_entries_stay_branches_and_self_loops_stay_put() {
        let mut code = [
            Instr::BrIfEqz { cond: 0, offset: 4 }, // 0: exits to 4
            Instr::BrTable { index: 0, len: 2 },   // 1
            Instr::Br { offset: -2 },              // 2: entry
            Instr::Br { offset: -3 },              // 3: entry, exit right after it
            Instr::Br { offset: 0 },               // 4: an empty endless loop
        ];
        shorten(&mut code);
        assert_eq!(code[3], Instr::Br { offset: -3 });
        assert_eq!(code[4], Instr::Br { offset: 0 });
    }
}
