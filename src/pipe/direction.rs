//! The front doors' way of waiting on one direction: [`Direction::poll`] for
//! async calls (register the task's waker), [`Direction::block`] for blocking
//! calls (spin briefly, then sleep on a condition variable), both bounded by
//! deadlines and both driving the same [`Channel`].

use std::io;
use std::task::{Context, Poll};
use std::time::Instant;

use super::channel::{Attempt, Channel, Config, Label, Shut, Waiter};
use super::wake::Wake;
use crate::sync::{lock, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};
use std::io::ErrorKind;

/// One direction: the guarded state plus a condition variable per side for
/// blocking calls.
pub(crate) struct Direction {
    state: Mutex<Channel>,
    pub(super) readable: Condvar,
    pub(super) writable: Condvar,
    /// Bumped by every change a spinning thread may be waiting for.
    pub(super) progress: AtomicUsize,
    pub(crate) label: Label,
}

/// Which side of a direction a call is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Read,
    Write,
}

impl Direction {
    pub(crate) fn new(config: Config, label: Label) -> Self {
        Direction {
            state: Mutex::new(Channel::new(config)),
            readable: Condvar::new(),
            writable: Condvar::new(),
            progress: AtomicUsize::new(0),
            label,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Channel> {
        lock(&self.state)
    }

    /// Runs `f` on the state, then delivers the wake-ups it collected.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut Channel, &mut Wake) -> R) -> R {
        let mut wake = Wake::default();
        let result = f(&mut self.lock(), &mut wake);
        wake.run(self);
        result
    }

    /// An async call: `attempt` runs with the task's waker; `interleave_pending`
    /// makes every call that would move bytes yield once first (an `empty` call
    /// finishes at once, as the contract promises).
    pub(crate) fn poll(
        &self,
        cx: &mut Context<'_>,
        op: Op,
        empty: bool,
        attempt: impl FnOnce(&mut Channel, Waiter<'_>, &Label, &mut Wake) -> Attempt,
    ) -> Poll<io::Result<usize>> {
        let mut wake = Wake::default();
        let mut guard = self.lock();
        let chan = &mut *guard;
        let interleave = chan.config.interleave_pending;
        let side = match op {
            Op::Read => &mut chan.reader,
            Op::Write => &mut chan.writer,
        };
        if interleave && !empty && !side.yielded {
            side.yielded = true;
            drop(guard);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let poll = match attempt(chan, Waiter::Task(cx.waker()), &self.label, &mut wake) {
            Attempt::Done(result) => {
                match op {
                    Op::Read => chan.reader.yielded = false,
                    Op::Write => chan.writer.yielded = false,
                }
                Poll::Ready(result)
            }
            Attempt::Wait => Poll::Pending,
        };
        drop(guard);
        wake.run(self);
        poll
    }

    /// A blocking call: retries `attempt` until it finishes, sleeping on the
    /// side's condition variable in between, bounded by the side's deadline
    /// and per-call timeout.
    pub(crate) fn block(
        &self,
        op: Op,
        mut attempt: impl FnMut(&mut Channel, Waiter<'_>, &Label, &mut Wake) -> Attempt,
    ) -> io::Result<usize> {
        let mut guard = self.lock();
        // Read the clock only if a per-call timeout needs a start time.
        let mut started = None;
        let mut may_spin = may_spin();
        loop {
            let mut wake = Wake::default();
            let side = match op {
                Op::Read => &guard.reader,
                Op::Write => &guard.writer,
            };
            let waiter = if side.nonblocking {
                Waiter::Nonblocking
            } else {
                Waiter::Thread
            };
            let timeout_at = side
                .timeout
                .map(|t| *started.get_or_insert_with(Instant::now) + t);
            let result = attempt(&mut guard, waiter, &self.label, &mut wake);
            let Attempt::Done(result) = result else {
                if wake.has_tasks() {
                    // Deliver task wake-ups outside the lock, then look again.
                    drop(guard);
                    wake.run(self);
                    guard = self.lock();
                    continue;
                }
                wake.signal(self);
                if may_spin && !matches!(waiter, Waiter::Nonblocking) {
                    // The peer is most likely running on another core and about
                    // to make progress: a short spin saves two context switches.
                    may_spin = false;
                    guard = self.spin(guard, op);
                    continue;
                }
                let side = match op {
                    Op::Read => &guard.reader,
                    Op::Write => &guard.writer,
                };
                let limit = match (side.deadline, timeout_at) {
                    (Some(d), Some(t)) => Some(d.min(t)),
                    (d, t) => d.or(t),
                };
                let cvar = match op {
                    Op::Read => &self.readable,
                    Op::Write => &self.writable,
                };
                match op {
                    Op::Read => guard.reader.blocked += 1,
                    Op::Write => guard.writer.blocked += 1,
                }
                let mut timed_out = false;
                guard = match limit {
                    None => cvar.wait(guard).unwrap_or_else(|e| e.into_inner()),
                    Some(limit) => {
                        let now = Instant::now();
                        if now >= limit {
                            timed_out = true;
                            guard
                        } else {
                            cvar.wait_timeout(guard, limit - now)
                                .unwrap_or_else(|e| e.into_inner())
                                .0
                        }
                    }
                };
                match op {
                    Op::Read => guard.reader.blocked -= 1,
                    Op::Write => guard.writer.blocked -= 1,
                }
                if timed_out && timeout_at.is_some_and(|t| Instant::now() >= t) {
                    // The per-call timeout (the deadline is checked by `attempt`).
                    if op == Op::Read && guard.reader.blocked == 0 {
                        guard.demand = 0;
                    }
                    return Err(self.label.timed_out(match op {
                        Op::Read => "read",
                        Op::Write => "write",
                    }));
                }
                continue;
            };
            drop(guard);
            wake.run(self);
            return result;
        }
    }

    /// Releases the lock and spins until the state changes or the spin budget
    /// is used up; returns with the lock held again.
    fn spin<'a>(&'a self, mut guard: MutexGuard<'a, Channel>, op: Op) -> MutexGuard<'a, Channel> {
        match op {
            Op::Read => guard.reader.spinning += 1,
            Op::Write => guard.writer.spinning += 1,
        }
        let seen = self.progress.load(Ordering::Acquire);
        drop(guard);
        // Spin for a bounded time only, and never `yield_now`: on a loaded
        // machine a yield can hand the core to another process for a whole
        // time slice, which turned each hand-off into milliseconds.
        let started = Instant::now();
        'spin: loop {
            for _ in 0..32 {
                if self.progress.load(Ordering::Acquire) != seen {
                    break 'spin;
                }
                std::hint::spin_loop();
            }
            if started.elapsed() >= SPIN_FOR {
                break;
            }
        }
        let mut guard = self.lock();
        match op {
            Op::Read => guard.reader.spinning -= 1,
            Op::Write => guard.writer.spinning -= 1,
        }
        guard
    }

    /// For `Debug`: buffered bytes, flags and waiters.
    pub(crate) fn debug_state(&self) -> DebugState {
        let chan = self.lock();
        DebugState {
            buffered: chan.ring.len(),
            write_shut: chan.write_shut,
            read_shut: chan.read_shut,
            reader: chan.reader.describe(),
            writer: chan.writer.describe(),
            read_fault: chan.reader.fault,
            write_fault: chan.writer.fault,
        }
    }
}

/// A snapshot of one direction for `Debug` output.
#[derive(Debug)]
pub(crate) struct DebugState {
    pub(crate) buffered: usize,
    pub(crate) write_shut: Option<Shut>,
    pub(crate) read_shut: bool,
    pub(crate) reader: &'static str,
    pub(crate) writer: &'static str,
    pub(crate) read_fault: Option<ErrorKind>,
    pub(crate) write_fault: Option<ErrorKind>,
}

/// How long a blocking call spins, watching for progress, before it sleeps:
/// about ten round trips of a peer running on another core.
const SPIN_FOR: std::time::Duration = std::time::Duration::from_micros(20);

/// Whether a blocking call spins before it sleeps: not on a single core (the
/// peer cannot run while we spin) and not under loom.
fn may_spin() -> bool {
    #[cfg(loom)]
    {
        false
    }
    #[cfg(not(loom))]
    {
        static MULTI_CORE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *MULTI_CORE.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
    }
}
