//! The host's standard input, readable and pollable.
//!
//! On unix, `poll(2)` on descriptor 0 tells whether a read would block, and reads go to
//! the descriptor directly (not through std's `Stdin` buffer: an embedder that also reads
//! std's `Stdin` may find bytes the guest read, or leave some the guest never sees).
//!
//! Elsewhere portable std has no way to ask "would a read block?", so the first
//! `poll_read` starts one reader thread per process that moves stdin into a bounded
//! buffer; from then on reads and polls are served from that buffer. A guest that never
//! polls reads stdin directly and no thread is started.

#[cfg(not(unix))]
pub use threaded::InheritStdin;
#[cfg(unix)]
pub use unix::InheritStdin;

#[cfg(unix)]
mod unix {
    use crate::errno::WasiResult;
    use crate::host::Stream;

    /// The host process's standard input.
    #[derive(Debug, Default)]
    pub struct InheritStdin;

    impl InheritStdin {
        pub fn new() -> InheritStdin {
            InheritStdin
        }
    }

    impl Stream for InheritStdin {
        fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
            loop {
                match rustix::io::read(rustix::stdio::stdin(), &mut *buf) {
                    Err(rustix::io::Errno::INTR) => continue,
                    r => return r.map_err(super::super::unix::errno),
                }
            }
        }

        fn is_terminal(&self) -> bool {
            std::io::IsTerminal::is_terminal(&std::io::stdin())
        }

        fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
            super::super::unix::poll_readable(rustix::stdio::stdin(), timeout)
        }
    }
}

#[cfg(not(unix))]
mod threaded {
    // The crate is no_std; this module is the std part, with std's prelude.
    use std::prelude::rust_2021::*;

    use std::collections::VecDeque;
    use std::io::Read;
    use std::sync::{Arc, Condvar, Mutex, OnceLock};
    use std::time::Duration;

    use crate::errno::{Errno, WasiResult};
    use crate::host::Stream;

    /// How much the reader thread reads ahead of the guest.
    const READ_AHEAD: usize = 64 * 1024;

    #[derive(Default)]
    struct State {
        buf: VecDeque<u8>,
        eof: bool,
        error: Option<Errno>,
    }

    struct Pipe {
        state: Mutex<State>,
        changed: Condvar,
    }

    impl Pipe {
        /// The process's pipe, starting the reader thread the first time.
        fn get() -> &'static Arc<Pipe> {
            static PIPE: OnceLock<Arc<Pipe>> = OnceLock::new();
            PIPE.get_or_init(|| {
                let pipe = Arc::new(Pipe {
                    state: Mutex::new(State::default()),
                    changed: Condvar::new(),
                });
                let feeder = pipe.clone();
                std::thread::Builder::new()
                    .name("wasi-stdin".into())
                    .spawn(move || feeder.feed())
                    .map_err(|e| {
                        let mut s = pipe.state.lock().unwrap_or_else(|p| p.into_inner());
                        s.error = Some(super::super::io_errno(&e));
                    })
                    .ok();
                pipe
            })
        }

        fn lock(&self) -> std::sync::MutexGuard<'_, State> {
            // A panic elsewhere while holding the lock leaves the state consistent (every
            // update is a single push or flag), so a poisoned lock is still usable.
            self.state.lock().unwrap_or_else(|p| p.into_inner())
        }

        fn feed(&self) {
            let mut chunk = vec![0u8; 8192];
            loop {
                let result = std::io::stdin().lock().read(&mut chunk);
                let mut s = self.lock();
                match result {
                    Ok(0) => s.eof = true,
                    Ok(n) => s.buf.extend(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => s.error = Some(super::super::io_errno(&e)),
                }
                let done = s.eof || s.error.is_some();
                self.changed.notify_all();
                if done {
                    return;
                }
                // Wait for the guest to take some before reading further ahead.
                let _s = self
                    .changed
                    .wait_while(s, |s| s.buf.len() >= READ_AHEAD)
                    .unwrap_or_else(|p| p.into_inner());
            }
        }
    }

    /// The host process's standard input.
    #[derive(Debug, Default)]
    pub struct InheritStdin {
        /// Whether this stream has polled, and so reads through the reader thread.
        piped: bool,
    }

    impl InheritStdin {
        pub fn new() -> InheritStdin {
            InheritStdin::default()
        }
    }

    impl Stream for InheritStdin {
        fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
            if !self.piped {
                return super::super::read_stdin(buf);
            }
            let pipe = Pipe::get();
            let s = pipe.lock();
            let mut s = pipe
                .changed
                .wait_while(s, |s| s.buf.is_empty() && !s.eof && s.error.is_none())
                .unwrap_or_else(|p| p.into_inner());
            if s.buf.is_empty() {
                if let Some(e) = s.error {
                    return Err(e);
                }
                return Ok(0);
            }
            let n = buf.len().min(s.buf.len());
            for (dst, src) in buf.iter_mut().zip(s.buf.drain(..n)) {
                *dst = src;
            }
            pipe.changed.notify_all();
            Ok(n)
        }

        fn is_terminal(&self) -> bool {
            std::io::IsTerminal::is_terminal(&std::io::stdin())
        }

        fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
            self.piped = true;
            let pipe = Pipe::get();
            let s = pipe.lock();
            let not_ready = |s: &mut State| s.buf.is_empty() && !s.eof && s.error.is_none();
            let s = match timeout {
                None => pipe
                    .changed
                    .wait_while(s, not_ready)
                    .unwrap_or_else(|p| p.into_inner()),
                Some(ns) => {
                    pipe.changed
                        .wait_timeout_while(s, Duration::from_nanos(ns), not_ready)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
            if s.buf.is_empty() && !s.eof && s.error.is_none() {
                return Ok(None);
            }
            Ok(Some(s.buf.len() as u64))
        }
    }
}
