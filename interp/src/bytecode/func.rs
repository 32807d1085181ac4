//! A translated function, and where its exceptions are handled.

use super::Word;

/// A translated function.
#[derive(Debug)]
pub struct CompiledFunc {
    /// The encoded instructions (`encode`).
    pub code: alloc::boxed::Box<[Word]>,
    /// Slots the frame needs: locals, the deepest operand stack, one spare, the constants.
    pub frame_size: u32,
    /// Where the constant pool starts in the frame.
    pub const_base: u32,
    /// Constants instructions read from slots `const_base..`, copied in when a frame is
    /// pushed.
    pub consts: alloc::boxed::Box<[u64]>,
    /// Slots the parameters take: the frame's first, where the caller put the arguments.
    pub num_params: u32,
    /// Parameters plus declared locals; slots `num_params..num_locals` start zeroed.
    pub num_locals: u32,
    /// For the stub that stands for a function the JIT compiled (`EnterNative`): its
    /// array-call entry.
    pub native: Option<wisp_core::vm::ArrayCallFn>,
    /// Where exceptions raised in the function are handled (exception handling; empty for
    /// functions without `try_table` or `try`), and the handlers' clauses.
    pub regions: alloc::boxed::Box<[Region]>,
    /// The regions' clauses (`Region::first`, `Region::count`).
    pub clauses: alloc::boxed::Box<[Clause]>,
}

/// A protected range of a function's code: a `try_table`'s body, or a legacy `try`'s
/// (not its `catch` blocks). An exception raised by an instruction in it is offered to
/// the region's clauses in order; if none takes it, to the region in effect around this
/// one (`parent`). A legacy `try` ending in `delegate` has no clauses, and its `parent`
/// is the region its label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The protected words, `start..end`, by offset in the function's code.
    pub start: u32,
    /// Past the last protected word.
    pub end: u32,
    /// The next region to try, or [`Region::NONE`]: the exception leaves the function.
    pub parent: u32,
    /// `clauses[first..first + count]`.
    pub first: u32,
    /// How many clauses it has.
    pub count: u32,
}

impl Region {
    /// No region: the function's outermost.
    pub const NONE: u32 = u32::MAX;
}

/// One way a region catches: an exception of a tag, or any (`catch_all`), and where its
/// handler starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    /// The instance's tag index, or [`Clause::ANY`].
    pub tag: u32,
    /// The handler's first word (a `Caught`), by offset in the function's code.
    pub pad: u32,
}

impl Clause {
    /// `catch_all`: any exception.
    pub const ANY: u32 = u32::MAX;
    /// Not a handler: a legacy catch block's region, which an exception passing out of
    /// it makes let go of the exception in catch slot `pad`.
    pub const RELEASE: u32 = u32::MAX - 1;
}

impl CompiledFunc {
    /// Where an exception raised at word `at` of the code is handled: the pad of the first
    /// clause, innermost region first, for which `catches(tag)` says yes; `None` when the
    /// exception leaves the function. `release(slot)` is called for each catch block it
    /// leaves on the way (`Clause::RELEASE`).
    pub fn handler(
        &self,
        at: u32,
        mut catches: impl FnMut(u32) -> bool,
        mut release: impl FnMut(u32),
    ) -> Option<u32> {
        // The innermost region holding `at`: regions nest, so the one starting last.
        let mut region = self
            .regions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.start <= at && at < r.end)
            .max_by_key(|(_, r)| r.start)
            .map_or(Region::NONE, |(i, _)| i as u32);
        while let Some(r) = self.regions.get(region as usize) {
            let clauses = &self.clauses[r.first as usize..(r.first + r.count) as usize];
            for c in clauses {
                match c.tag {
                    Clause::RELEASE => release(c.pad),
                    Clause::ANY => return Some(c.pad),
                    tag if catches(tag) => return Some(c.pad),
                    _ => {}
                }
            }
            region = r.parent;
        }
        None
    }
}
