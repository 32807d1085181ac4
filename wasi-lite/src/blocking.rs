//! Host calls that block: how they wait, and what cuts them short.
//!
//! A read from a pipe, a FIFO or the terminal, a FIFO opened for writing before anyone
//! reads it, and `poll_oneoff` can each wait forever for another process. The embedder
//! may cut such a wait short two ways: the context's interrupt flag
//! (`WasiCtxBuilder::interrupt_flag`, what `wisp run --timeout` sets) and the store's
//! `InterruptHandle` (when the engine is `Config::interruptible`). When either exists, a
//! blocking call waits in slices of `SLICE_NS` and looks at both between slices; once one
//! is set it gives up with `EINTR`, and the linker glue turns that into the `Interrupted`
//! trap (consuming the store's interrupt, as a trap in running wasm does). When neither
//! exists the wait has no slices and no end but the event itself.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

use wisp_core::InterruptHandle;

use crate::errno::{Errno, WasiResult};

/// How long one wait lasts at most when something can interrupt it: the latency of an
/// interrupt reaching a guest blocked in the host.
pub(crate) const SLICE_NS: u64 = 10_000_000;

/// What may cut a blocking call short.
#[derive(Default)]
pub(crate) struct Interrupt {
    /// The embedder's flag (`WasiCtxBuilder::interrupt_flag`); never cleared here.
    pub(crate) flag: Option<Arc<AtomicBool>>,
    /// The calling store's handle, when its engine is interruptible; set by the linker
    /// glue before each call.
    pub(crate) store: Option<InterruptHandle>,
}

impl Interrupt {
    /// Whether either interrupt has been asked for.
    pub(crate) fn pending(&self) -> bool {
        self.flag
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
            || self
                .store
                .as_ref()
                .is_some_and(InterruptHandle::is_interrupted)
    }

    /// Whether anything could interrupt a wait (so it must wait in slices).
    pub(crate) fn possible(&self) -> bool {
        self.flag.is_some() || self.store.is_some()
    }

    /// The longest one wait may last: `SLICE_NS` when an interrupt is possible, within
    /// `limit` (`None`: no limit).
    pub(crate) fn slice(&self, limit: Option<u64>) -> Option<u64> {
        if self.possible() {
            Some(limit.map_or(SLICE_NS, |l| l.min(SLICE_NS)))
        } else {
            limit
        }
    }

    /// Asks `ready` (given how long it may wait, `None` for as long as it takes) until it
    /// answers `Some`, giving up with `EINTR` once an interrupt is pending.
    pub(crate) fn wait<R>(
        &self,
        mut ready: impl FnMut(Option<u64>) -> WasiResult<Option<R>>,
    ) -> WasiResult<R> {
        loop {
            if self.pending() {
                return Err(Errno::Intr);
            }
            if let Some(r) = ready(self.slice(None))? {
                return Ok(r);
            }
        }
    }
}
