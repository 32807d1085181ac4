//! `poll_oneoff`: wait for clock deadlines and descriptor readiness.
//!
//! Files are always ready (a read or write never blocks on them); output streams are
//! taken as ready; an input stream is asked (`Stream::poll_read`). When nothing is ready
//! the call waits on the one pending input stream, or sleeps until the nearest deadline.
//! With an interrupt flag (`WasiCtxBuilder::interrupt_flag`) it waits in slices and gives
//! up with `EINTR` once the flag is set; the linker glue turns that into the
//! `Interrupted` trap.

use alloc::vec::Vec;

use crate::abi::{eventtype, rights, subclockflags, ClockId};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Handle;
use crate::layout::{self, Subscribe, Subscription};
use crate::mem::GuestMemory;

/// How long one wait on an input stream lasts when several are pending, so each is
/// looked at again this often.
const MULTI_STREAM_SLICE_NS: u64 = 10_000_000;

/// How long one wait lasts at most when the context has an interrupt flag: the latency of
/// an interrupt reaching a guest blocked here.
const INTERRUPT_SLICE_NS: u64 = 10_000_000;

/// An event ready to be written back.
struct Event {
    userdata: u64,
    error: Option<Errno>,
    kind: u8,
    nbytes: u64,
}

/// A clock subscription turned into a deadline on the monotonic clock.
struct Deadline {
    userdata: u64,
    at: u64,
}

pub(crate) fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    input: u32,
    output: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> WasiResult {
    if nsubscriptions == 0 {
        // Nothing could ever end the wait.
        return Err(Errno::Inval);
    }
    let in_range = mem.array(input, nsubscriptions, layout::SUBSCRIPTION_SIZE)?;
    let out_range = mem.array(output, nsubscriptions, layout::EVENT_SIZE)?;
    mem.range(nevents, 4)?;
    let subs = mem
        .bytes(in_range)
        .chunks_exact(layout::SUBSCRIPTION_SIZE as usize)
        .map(Subscription::parse)
        .collect::<WasiResult<Vec<_>>>()?;

    let mut events = Vec::new();
    let mut deadlines = Vec::new();
    let mut now = None;
    for sub in &subs {
        let Subscribe::Clock { id, timeout, flags } = sub.what else {
            continue;
        };
        match deadline(ctx, &mut now, id, timeout, flags) {
            Ok(at) => deadlines.push(Deadline {
                userdata: sub.userdata,
                at,
            }),
            Err(e) => events.push(Event {
                userdata: sub.userdata,
                error: Some(e),
                kind: eventtype::CLOCK,
                nbytes: 0,
            }),
        }
    }
    let nearest = deadlines.iter().map(|d| d.at).min();

    loop {
        // Descriptors first: a ready one ends the wait at once.
        let mut pending = Vec::new();
        let mut ready = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            let (fd, kind) = match sub.what {
                Subscribe::FdRead(fd) => (fd, eventtype::FD_READ),
                Subscribe::FdWrite(fd) => (fd, eventtype::FD_WRITE),
                Subscribe::Clock { .. } => continue,
            };
            match fd_readiness(ctx, fd, kind, Some(0)) {
                Ok(Some(nbytes)) => ready.push(Event {
                    userdata: sub.userdata,
                    error: None,
                    kind,
                    nbytes,
                }),
                Ok(None) => pending.push(i),
                Err(e) => ready.push(Event {
                    userdata: sub.userdata,
                    error: Some(e),
                    kind,
                    nbytes: 0,
                }),
            }
        }
        events.append(&mut ready);
        let current = ctx.clocks.now(ClockId::Monotonic).ok();
        if let Some(current) = current {
            for d in deadlines.iter().filter(|d| d.at <= current) {
                events.push(Event {
                    userdata: d.userdata,
                    error: None,
                    kind: eventtype::CLOCK,
                    nbytes: 0,
                });
            }
        }
        if !events.is_empty() {
            break;
        }
        if ctx.interrupted() {
            return Err(Errno::Intr);
        }
        let mut remaining = match (nearest, current) {
            (Some(at), Some(current)) => Some(at - current),
            _ => None,
        };
        if ctx.interrupt.is_some() {
            // Wake often enough to see the embedder's interrupt.
            remaining = Some(remaining.map_or(INTERRUPT_SLICE_NS, |r| r.min(INTERRUPT_SLICE_NS)));
        }
        match pending.as_slice() {
            [] => match remaining {
                Some(ns) => ctx.clocks.sleep(ns),
                // No descriptor pending and no deadline left to wait for: cannot happen
                // (every subscription became an event or one of these), but never spin.
                None => return Err(Errno::Inval),
            },
            [one] => {
                let sub = &subs[*one];
                if let Subscribe::FdRead(fd) = sub.what {
                    fd_readiness(ctx, fd, eventtype::FD_READ, remaining)?;
                }
            }
            [first, ..] => {
                let slice =
                    remaining.map_or(MULTI_STREAM_SLICE_NS, |r| r.min(MULTI_STREAM_SLICE_NS));
                if let Subscribe::FdRead(fd) = subs[*first].what {
                    fd_readiness(ctx, fd, eventtype::FD_READ, Some(slice))?;
                }
            }
        }
    }

    let out = mem.bytes_mut(out_range);
    // At most one event per subscription, so they fit the guest's array.
    for (slot, e) in out
        .chunks_exact_mut(layout::EVENT_SIZE as usize)
        .zip(&events)
    {
        slot.copy_from_slice(&layout::event(e.userdata, e.error, e.kind, e.nbytes, 0));
    }
    mem.write_u32(nevents, events.len().min(subs.len()) as u32)
}

/// The monotonic time at which a clock subscription fires.
fn deadline(
    ctx: &mut WasiCtx,
    now: &mut Option<u64>,
    id: u32,
    timeout: u64,
    flags: u16,
) -> WasiResult<u64> {
    let clock = ClockId::from_raw(id).ok_or(Errno::Inval)?;
    if matches!(clock, ClockId::ProcessCputime | ClockId::ThreadCputime) {
        // Sleeping until a CPU-time value means measuring CPU time while not using any;
        // no backend offers that.
        return Err(Errno::NotSup);
    }
    let mono = match *now {
        Some(t) => t,
        None => {
            let t = ctx.clocks.now(ClockId::Monotonic)?;
            *now = Some(t);
            t
        }
    };
    let relative = if flags & subclockflags::ABSTIME == 0 {
        timeout
    } else if clock == ClockId::Realtime {
        timeout.saturating_sub(ctx.clocks.now(ClockId::Realtime)?)
    } else {
        timeout.saturating_sub(mono)
    };
    Ok(mono.saturating_add(relative))
}

/// Whether descriptor `fd` is ready for `kind`: `Some(nbytes)` if so, `None` if a read
/// would block after waiting up to `timeout`.
fn fd_readiness(
    ctx: &mut WasiCtx,
    fd: u32,
    kind: u8,
    timeout: Option<u64>,
) -> WasiResult<Option<u64>> {
    let entry = ctx.fds.get_mut(fd)?;
    let needed = if kind == eventtype::FD_READ {
        rights::FD_READ
    } else {
        rights::FD_WRITE
    };
    entry.check(needed | rights::POLL_FD_READWRITE)?;
    match &mut entry.handle {
        Handle::File(f) if kind == eventtype::FD_READ => {
            // Bytes from the position to the end: what a read could return.
            let size = f.stat()?.size;
            let pos = f.seek(crate::abi::SeekFrom::Current(0))?;
            Ok(Some(size.saturating_sub(pos)))
        }
        Handle::File(_) => Ok(Some(0)),
        Handle::Stream(s) if kind == eventtype::FD_READ => s.poll_read(timeout),
        Handle::Stream(_) => Ok(Some(0)),
        Handle::Dir(_) => Err(Errno::Badf),
    }
}
