//! `poll_oneoff`: wait for clock deadlines and descriptor readiness.
//!
//! Regular files and in-memory streams are always ready (a read or write never blocks on
//! them); a stream or a file that can block (a pipe, a FIFO, a terminal) is asked
//! (`poll_read`, `poll_write` of `Stream` and `File`). When nothing is ready the call
//! waits on the first pending descriptor, or sleeps until the nearest deadline. When an interrupt is
//! possible (`blocking.rs`) it waits in slices and gives up with `EINTR` once one is
//! asked for; the linker glue turns that into the `Interrupted` trap.

use alloc::vec::Vec;

use crate::abi::{eventtype, rights, subclockflags, ClockId};
use crate::ctx::{Access, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Handle;
use crate::layout::{self, Subscribe, Subscription};
use crate::mem::GuestMemory;

/// How long one wait on an input stream lasts when several are pending, so each is
/// looked at again this often; and any wait on one when the context is shared, so other
/// threads' calls get in between.
const MULTI_STREAM_SLICE_NS: u64 = 10_000_000;

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

/// How to wait before looking again.
enum Wait {
    /// Sleep this long.
    Sleep(u64),
    /// Wait on subscription `.0` for at most `.1` nanoseconds (`None`: no limit).
    On(usize, Option<u64>),
}

pub(crate) fn poll_oneoff(
    access: &mut Access<'_>,
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
    access.with(|ctx| {
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
    });

    // A shared context is locked for each look and wait, never across a sleep; its
    // waits on descriptors take slices, so other threads' calls get in between.
    let shared = access.shared();
    loop {
        match access.with(|ctx| look(ctx, &subs, &deadlines, &mut events, shared))? {
            None => break,
            Some(Wait::Sleep(ns)) => access.sleep(ns),
            Some(Wait::On(i, timeout)) => access.with(|ctx| wait_on(ctx, &subs[i], timeout))?,
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

/// Looks once: adds to `events` what is ready (descriptors first: a ready one ends the
/// wait at once; then the deadlines passed). `None` when there is something to report,
/// else how to wait; `EINTR` when an interrupt was asked for.
fn look(
    ctx: &mut WasiCtx,
    subs: &[Subscription],
    deadlines: &[Deadline],
    events: &mut Vec<Event>,
    shared: bool,
) -> WasiResult<Option<Wait>> {
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
        return Ok(None);
    }
    if ctx.interrupt.pending() {
        return Err(Errno::Intr);
    }
    let nearest = deadlines.iter().map(|d| d.at).min();
    let remaining = match (nearest, current) {
        (Some(at), Some(current)) => Some(at - current),
        _ => None,
    };
    // Wake often enough to see an interrupt.
    let remaining = ctx.interrupt.slice(remaining);
    let slice = |limit: u64| remaining.map_or(limit, |r| r.min(limit));
    Ok(Some(match pending.as_slice() {
        [] => match remaining {
            Some(ns) => Wait::Sleep(ns),
            // No descriptor pending and no deadline left to wait for: cannot happen
            // (every subscription became an event or one of these), but never spin.
            None => return Err(Errno::Inval),
        },
        [one] if !shared => Wait::On(*one, remaining),
        [first, ..] => Wait::On(*first, Some(slice(MULTI_STREAM_SLICE_NS))),
    }))
}

/// Waits up to `timeout` for a descriptor subscription to become ready (the loop looks
/// at every subscription again afterwards).
fn wait_on(ctx: &mut WasiCtx, sub: &Subscription, timeout: Option<u64>) -> WasiResult {
    match sub.what {
        Subscribe::FdRead(fd) => fd_readiness(ctx, fd, eventtype::FD_READ, timeout).map(drop),
        Subscribe::FdWrite(fd) => fd_readiness(ctx, fd, eventtype::FD_WRITE, timeout).map(drop),
        Subscribe::Clock { .. } => Ok(()),
    }
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
        Handle::File(f) if kind == eventtype::FD_READ => f.poll_read(timeout),
        // Writable: how much is unknown, so the event says 0 bytes.
        Handle::File(f) => Ok(f.poll_write(timeout)?.map(|_| 0)),
        Handle::Stream(s) if kind == eventtype::FD_READ => s.poll_read(timeout),
        Handle::Stream(s) => Ok(s.poll_write(timeout)?.map(|_| 0)),
        Handle::Dir(_) => Err(Errno::Badf),
    }
}
