//! Single-pass loading: the translator fed by the loader (`wisp_core::vm::BodySink`), one
//! operator at a time as wisp's own validator accepts it, so that a body is decoded once
//! for both (`Config::own_validator` with `lazy_translation(false)`, what firmware runs).
//!
//! Translating before the body's end means not knowing its operand stack's height, which
//! places the constant pool (above the highest operand position). So the pool is built at
//! a provisional base, `PROVISIONAL_POOL`, above any operand position of a function this
//! path keeps, and moved where it belongs once the validator has measured the height
//! (`Translator::finish`). A function whose operand positions could reach that base, or
//! that the translator cannot finish (a legacy `try` needing catch slots, a frame past
//! 16-bit slots), is given up: it is translated from its bytes afterwards, as without
//! single-pass loading.

use alloc::boxed::Box;

use wisp_core::layout::SlotLayout;
use wisp_core::module::ModuleInner;
use wisp_core::operators::Operator;
use wisp_core::vm::{BodySink, OsrFrame};

use super::{add_locals, pool_base, Options, Translator};
use crate::bytecode::CompiledFunc;

/// Where the constant pool is built until the stack's height is known: half the slot
/// space, so a function keeps up to 32,768 slots of locals and operands and as many
/// constants (larger ones are given up).
const PROVISIONAL_POOL: u32 = 0x8000;

/// One body's translation in the loader's pass.
pub struct Stream<'m> {
    module: &'m ModuleInner,
    def: u32,
    options: Options,
    body_len: usize,
    state: State<'m>,
}

/// Where a body's translation is. Kept in place inside the boxed `Stream` for the whole
/// body (it changes variant, never moves), so the translator's size is no reason to box
/// it a second time.
#[allow(clippy::large_enum_variant)]
enum State<'m> {
    /// Reading the locals; the first operator starts the translator.
    Locals(SlotLayout),
    Translating(Translator<'m>),
    /// The function is translated later, from its bytes.
    GaveUp,
}

impl<'m> Stream<'m> {
    /// For defined function `def` of `module`, whose body is `body_len` bytes.
    pub fn new(module: &'m ModuleInner, def: u32, options: Options, body_len: usize) -> Self {
        let ty = module.func_type(module.num_imported_funcs + def);
        Stream {
            module,
            def,
            options,
            body_len,
            state: State::Locals(OsrFrame::locals_layout(ty.params().iter().copied())),
        }
    }
}

impl BodySink for Stream<'_> {
    fn locals(&mut self, count: u32, ty: wasmparser::ValType) {
        if let State::Locals(locals) = &mut self.state {
            add_locals(locals, count, ty);
        }
    }

    fn op(&mut self, op: &Operator<'_>, offset: u32) {
        if let State::Locals(locals) = &mut self.state {
            let locals = core::mem::take(locals);
            self.state = if locals.end() as u32 >= PROVISIONAL_POOL {
                State::GaveUp
            } else {
                // Own validation has no vector functions (SIMD is outside its profile):
                // one slot per operand position, and no catch slots (legacy `try` gives
                // up).
                State::Translating(Translator::start(
                    self.module,
                    self.def,
                    self.options,
                    locals,
                    0,
                    1,
                    self.body_len,
                    PROVISIONAL_POOL,
                ))
            };
        }
        let State::Translating(t) = &mut self.state else {
            return;
        };
        t.offset = offset;
        if t.op(*op).is_err() {
            self.state = State::GaveUp;
        }
    }

    fn finish(
        self: Box<Self>,
        max_stack_height: u32,
    ) -> Option<Box<dyn core::any::Any + Send + Sync>> {
        let State::Translating(t) = self.state else {
            return None;
        };
        let const_base = pool_base(&t.locals_layout, 0, max_stack_height, 1);
        // Every operand position lay below the provisional pool, or the pool's slots and
        // the operands' may have been confused: give up.
        if const_base > PROVISIONAL_POOL {
            return None;
        }
        let translation = t.finish(const_base).ok()?;
        let func: CompiledFunc = super::encoded(translation);
        Some(Box::new(func))
    }
}
