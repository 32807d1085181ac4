//! `Instr::Atomic`'s `kind`: which atomic memory operator (`wisp_core::wasm::atomic`) an
//! instruction runs, packed into 16 bits with what the handler must know of the memory.

use wisp_core::wasm::atomic::{Atomic, AtomicOp, Rmw};

/// Bits 0-3 the operation (`LOAD`..`NOTIFY`, or `RMW` plus the `Rmw`'s code), bits 4-5
/// the width's log2, bit 6 `i64` values, bit 7 a 64-bit memory, bit 8 a shared one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtomicKind(pub u16);

const LOAD: u16 = 0;
const STORE: u16 = 1;
const CMPXCHG: u16 = 2;
const WAIT: u16 = 3;
const NOTIFY: u16 = 4;
const RMW: u16 = 8;

impl AtomicKind {
    /// The kind of `atomic` on a memory that is 64-bit (`index64`) and/or `shared`.
    pub fn new(atomic: &Atomic, index64: bool, shared: bool) -> AtomicKind {
        let op = match atomic.op {
            AtomicOp::Load => LOAD,
            AtomicOp::Store => STORE,
            AtomicOp::Cmpxchg => CMPXCHG,
            AtomicOp::Wait => WAIT,
            AtomicOp::Notify => NOTIFY,
            AtomicOp::Rmw(r) => RMW + u16::from(r.code()),
        };
        let log2 = atomic.bytes.trailing_zeros() as u16;
        AtomicKind(
            op | log2 << 4
                | u16::from(atomic.wide) << 6
                | u16::from(index64) << 7
                | u16::from(shared) << 8,
        )
    }

    /// The operation.
    pub fn op(self) -> AtomicOp {
        match self.0 & 0xf {
            LOAD => AtomicOp::Load,
            STORE => AtomicOp::Store,
            CMPXCHG => AtomicOp::Cmpxchg,
            WAIT => AtomicOp::Wait,
            NOTIFY => AtomicOp::Notify,
            code => AtomicOp::Rmw(Rmw::ALL[usize::from(code - RMW) % Rmw::ALL.len()]),
        }
    }

    /// The width in bytes.
    pub fn bytes(self) -> u64 {
        1 << ((self.0 >> 4) & 3)
    }

    /// Whether the value operands are `i64`s.
    pub fn wide(self) -> bool {
        self.0 & 1 << 6 != 0
    }

    /// Whether the memory is addressed by `i64`.
    pub fn index64(self) -> bool {
        self.0 & 1 << 7 != 0
    }

    /// Whether the memory is shared.
    pub fn shared(self) -> bool {
        self.0 & 1 << 8 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{MemArg, MemArgTarget};

    #[test]
    fn every_kind_comes_back() {
        let memarg = MemArg {
            align: 0,
            max_align: 0,
            offset: 0,
            target: MemArgTarget::Memory(0),
            ordering: None,
        };
        let ops = [
            AtomicOp::Load,
            AtomicOp::Store,
            AtomicOp::Cmpxchg,
            AtomicOp::Wait,
            AtomicOp::Notify,
        ]
        .into_iter()
        .chain(Rmw::ALL.map(AtomicOp::Rmw));
        for op in ops {
            for bytes in [1, 2, 4, 8] {
                for (wide, index64, shared) in [
                    (false, false, false),
                    (true, true, true),
                    (true, false, true),
                ] {
                    let atomic = Atomic {
                        op,
                        bytes,
                        wide,
                        memarg,
                    };
                    let kind = AtomicKind::new(&atomic, index64, shared);
                    assert_eq!(kind.op(), op);
                    assert_eq!(kind.bytes(), u64::from(bytes));
                    assert_eq!(
                        (kind.wide(), kind.index64(), kind.shared()),
                        (wide, index64, shared)
                    );
                }
            }
        }
    }
}
