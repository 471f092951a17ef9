//! One direction of a pipe: the state machine that every front door drives.
//!
//! A [`Direction`] carries bytes from one end (its *writer*) to the other (its
//! *reader*). All behaviour lives here, in [`Channel::read`] and
//! [`Channel::write`], which never wait: they either finish the call or say
//! that it must wait. The front doors only decide *how* to wait: an async call
//! registers its waker ([`Direction::poll_read`]), a blocking call sleeps on a
//! condition variable ([`Direction::read_blocking`]). Wake-ups are collected in
//! a [`Wake`] and delivered after the lock is released.

use std::fmt;
use std::io::{self, ErrorKind};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::ring::{Ring, Source, Target};
use super::timer;
use crate::sync::{lock, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};

/// Largest number of bytes a rendezvous (capacity 0) pipe stages for a waiting
/// reader in one hand-off.
const RENDEZVOUS_STAGE: usize = 64 * 1024;

/// How the writer of a direction ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shut {
    /// Orderly: the reader sees end-of-stream once it has drained the buffer.
    Eof,
    /// `close_with_error`: the reader sees this error once it has drained the buffer.
    Error(ErrorKind),
}

/// The fault knobs and sizes fixed when the pipe is built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) capacity: usize,
    pub(crate) max_read_len: usize,
    pub(crate) max_write_len: usize,
    pub(crate) interleave_pending: bool,
}

/// Who is waiting on one side (reader or writer) of a direction, and that
/// side's settings.
#[derive(Default)]
pub(crate) struct Side {
    /// The waker of a pending async call.
    waker: Option<Waker>,
    /// The deadline the timer thread was last asked to wake `waker` at.
    timer_armed: Option<Instant>,
    /// Threads asleep in a blocking call.
    blocked: usize,
    /// Threads spinning briefly before they sleep.
    spinning: usize,
    pub(crate) deadline: Option<Instant>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) nonblocking: bool,
    /// A one-shot injected error.
    pub(crate) fault: Option<ErrorKind>,
    /// `interleave_pending`: the current async call has already yielded once.
    yielded: bool,
}

impl Side {
    fn deadline_passed(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Registers `waker` for the current async call, cloning it only when it
    /// differs from the one already stored.
    fn park_task(&mut self, waker: &Waker, wake: &mut Wake) {
        if !self.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            self.waker = Some(waker.clone());
            self.timer_armed = None;
        }
        if let Some(deadline) = self.deadline {
            if self.timer_armed != Some(deadline) {
                self.timer_armed = Some(deadline);
                wake.timer = Some(Box::new((deadline, waker.clone())));
            }
        }
    }

    /// Takes what is needed to wake everyone waiting on this side.
    fn wake_all(&mut self, notify: u8, signals: &mut u8, waker: &mut Option<Waker>) {
        if self.blocked > 0 {
            *signals |= notify;
        }
        if self.spinning > 0 {
            *signals |= BUMP;
        }
        if let Some(w) = self.waker.take() {
            self.timer_armed = None;
            // At most one task waits per side; a second one is woken directly.
            if let Some(old) = waker.replace(w) {
                old.wake();
            }
        }
    }

    fn describe(&self) -> &'static str {
        match (self.blocked > 0, self.waker.is_some()) {
            (true, true) => "thread+task",
            (true, false) => "thread",
            (false, true) => "task",
            (false, false) => "-",
        }
    }
}

/// Wake-ups collected under the lock and delivered after it is released.
#[derive(Default)]
#[must_use]
pub(crate) struct Wake {
    /// `NOTIFY_*` / `BUMP` bits.
    signals: u8,
    reader_task: Option<Waker>,
    writer_task: Option<Waker>,
    /// A deadline the timer thread must wake a task at (rare: only pending
    /// calls with a deadline).
    timer: Option<Box<(Instant, Waker)>>,
}

/// Blocked readers must be notified.
const NOTIFY_READERS: u8 = 1;
/// Blocked writers must be notified.
const NOTIFY_WRITERS: u8 = 2;
/// Spinning threads must look again.
const BUMP: u8 = 4;

impl Wake {
    #[inline]
    fn is_empty(&self) -> bool {
        self.signals == 0
            && self.reader_task.is_none()
            && self.writer_task.is_none()
            && self.timer.is_none()
    }

    /// Whether a task must be woken (not only threads signalled).
    fn has_tasks(&self) -> bool {
        self.reader_task.is_some() || self.writer_task.is_some() || self.timer.is_some()
    }

    /// Delivers the wake-ups. Must be called with the lock released.
    #[inline]
    pub(crate) fn run(self, dir: &Direction) {
        if self.is_empty() {
            // Nothing to deliver and nothing owned: skip the out-of-line drop.
            std::mem::forget(self);
        } else {
            self.deliver(dir);
        }
    }

    #[inline(never)]
    fn deliver(self, dir: &Direction) {
        self.signal(dir);
        if let Some(timer) = self.timer {
            let (at, waker) = *timer;
            timer::wake_at(at, waker);
        }
        if let Some(w) = self.reader_task {
            wake_contained(w);
        }
        if let Some(w) = self.writer_task {
            wake_contained(w);
        }
    }

    /// Signals spinning and blocked threads (safe with the lock held).
    fn signal(&self, dir: &Direction) {
        if self.signals & BUMP != 0 {
            dir.progress.fetch_add(1, Ordering::Release);
        }
        if self.signals & NOTIFY_READERS != 0 {
            dir.readable.notify_all();
        }
        if self.signals & NOTIFY_WRITERS != 0 {
            dir.writable.notify_all();
        }
    }
}

/// Wakes a task. A waker is user code: if it panics, the panic (reported by
/// the panic hook as usual) must not skip the other wake-ups of this call,
/// nor escape into the pipe call that delivers them, which may belong to the
/// other side (its write would lose the count it accepted) or be half done
/// (`close` shuts one direction, then the other). The timer thread does the
/// same.
fn wake_contained(waker: Waker) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake()));
}

/// The state of one direction, guarded by its [`Direction`]'s lock.
pub(crate) struct Channel {
    ring: Ring,
    config: Config,
    /// Rendezvous only: how many bytes a waiting reader has asked for.
    demand: usize,
    /// Set once by the writer's shutdown, close or drop; the first one wins.
    write_shut: Option<Shut>,
    /// Set by the reader's `shutdown(Read)`, close or drop.
    read_shut: bool,
    pub(crate) reader: Side,
    pub(crate) writer: Side,
}

/// How a call that cannot finish now will wait.
#[derive(Clone, Copy)]
pub(crate) enum Waiter<'a> {
    /// An async call: the task's waker is registered.
    Task(&'a Waker),
    /// A blocking call: the thread sleeps on the side's condition variable.
    Thread,
    /// A blocking call in nonblocking mode: fails with `WouldBlock` instead.
    Nonblocking,
}

/// What a call does next.
pub(crate) enum Attempt {
    Done(io::Result<usize>),
    Wait,
}

impl Channel {
    fn new(config: Config) -> Self {
        let size = if config.capacity == 0 {
            RENDEZVOUS_STAGE
        } else {
            config.capacity
        };
        Channel {
            ring: Ring::new(size),
            config,
            demand: 0,
            write_shut: None,
            read_shut: false,
            reader: Side::default(),
            writer: Side::default(),
        }
    }

    /// Room a write may fill now.
    fn space(&self) -> usize {
        if self.config.capacity > 0 {
            self.ring.free()
        } else {
            self.demand.saturating_sub(self.ring.len())
        }
    }

    /// Wakes every waiter on the reading side.
    pub(crate) fn wake_readers(&mut self, wake: &mut Wake) {
        self.reader
            .wake_all(NOTIFY_READERS, &mut wake.signals, &mut wake.reader_task);
    }

    /// Wakes every waiter on the writing side.
    pub(crate) fn wake_writers(&mut self, wake: &mut Wake) {
        self.writer
            .wake_all(NOTIFY_WRITERS, &mut wake.signals, &mut wake.writer_task);
    }

    /// Wakes every waiter on both sides (close, shutdown).
    pub(crate) fn wake_everyone(&mut self, wake: &mut Wake) {
        self.wake_readers(wake);
        self.wake_writers(wake);
    }

    /// A read that finishes without waiting, or registers `waiter` and says `Wait`.
    #[inline]
    pub(crate) fn read<T: Target + ?Sized>(
        &mut self,
        dst: &mut T,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        if dst.room() == 0 {
            return Attempt::Done(Ok(0));
        }
        let result = if let Some(kind) = self
            .reader
            .fault
            .is_some()
            .then(|| self.reader.fault.take())
            .flatten()
        {
            Err(label.injected(kind, "read"))
        } else if self.read_shut {
            Ok(0)
        } else if self.reader.deadline_passed() {
            Err(label.timed_out("read"))
        } else if self.ring.len() > 0 {
            let n = self.ring.pop(dst, self.config.max_read_len);
            self.wake_writers(wake);
            Ok(n)
        } else {
            match self.write_shut {
                None => match waiter {
                    Waiter::Nonblocking => Err(ErrorKind::WouldBlock.into()),
                    Waiter::Thread => {
                        self.reader_waits(dst.room(), wake);
                        return Attempt::Wait;
                    }
                    Waiter::Task(waker) => {
                        self.reader_waits(dst.room(), wake);
                        self.reader.park_task(waker, wake);
                        return Attempt::Wait;
                    }
                },
                Some(Shut::Eof) => Ok(0),
                Some(Shut::Error(kind)) => Err(label.peer_error(kind)),
            }
        };
        if self.reader.blocked == 0 {
            self.demand = 0;
        }
        Attempt::Done(result)
    }

    /// A reader is about to wait: in a rendezvous pipe it tells the writer how
    /// much it wants.
    fn reader_waits(&mut self, room: usize, wake: &mut Wake) {
        if self.config.capacity == 0 {
            let want = room.min(self.config.max_read_len).min(RENDEZVOUS_STAGE);
            if want > self.demand {
                self.demand = want;
                self.wake_writers(wake);
            }
        }
    }

    /// A write that finishes without waiting, or registers `waiter` and says `Wait`.
    #[inline]
    pub(crate) fn write(
        &mut self,
        src: Source<'_>,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        let empty = src.is_empty();
        let result = if empty && self.write_shut.is_none() && !self.read_shut {
            Ok(0)
        } else if let Some(kind) = (!empty && self.writer.fault.is_some())
            .then(|| self.writer.fault.take())
            .flatten()
        {
            Err(label.injected(kind, "write"))
        } else if self.write_shut.is_some() {
            Err(label.broken_pipe("write side is shut down"))
        } else if self.read_shut {
            Err(label.broken_pipe("peer has closed"))
        } else if self.writer.deadline_passed() {
            Err(label.timed_out("write"))
        } else {
            let space = self.space();
            if space == 0 {
                return match waiter {
                    Waiter::Nonblocking => Attempt::Done(Err(ErrorKind::WouldBlock.into())),
                    Waiter::Thread => Attempt::Wait,
                    Waiter::Task(waker) => {
                        self.writer.park_task(waker, wake);
                        Attempt::Wait
                    }
                };
            }
            let n = self.ring.push(src, space.min(self.config.max_write_len));
            self.wake_readers(wake);
            Ok(n)
        };
        Attempt::Done(result)
    }

    /// Shuts the writing side (first shutdown wins) and wakes everyone.
    pub(crate) fn shut_write(&mut self, how: Shut, wake: &mut Wake) {
        if self.write_shut.is_none() {
            self.write_shut = Some(how);
        }
        self.wake_everyone(wake);
    }

    /// Shuts the reading side: buffered bytes can no longer be delivered and
    /// are dropped; the writer's next write fails.
    pub(crate) fn shut_read(&mut self, wake: &mut Wake) {
        self.read_shut = true;
        self.ring.clear();
        self.demand = 0;
        self.wake_everyone(wake);
    }

    pub(crate) fn unread_len(&self) -> usize {
        if self.read_shut {
            0
        } else {
            self.ring.len()
        }
    }

    pub(crate) fn write_shut(&self) -> Option<Shut> {
        self.write_shut
    }
}

/// How a pipe end is named in errors and `Debug`.
#[derive(Clone)]
pub(crate) struct Label {
    pub(crate) name: Option<std::sync::Arc<str>>,
}

impl Label {
    fn error(&self, kind: ErrorKind, what: fmt::Arguments<'_>) -> io::Error {
        match &self.name {
            Some(name) => io::Error::new(kind, format!("pipetap pipe {name:?}: {what}")),
            None => io::Error::new(kind, format!("pipetap pipe: {what}")),
        }
    }
    pub(crate) fn timed_out(&self, op: &str) -> io::Error {
        self.error(ErrorKind::TimedOut, format_args!("{op} deadline exceeded"))
    }
    pub(crate) fn broken_pipe(&self, why: &str) -> io::Error {
        self.error(ErrorKind::BrokenPipe, format_args!("broken pipe: {why}"))
    }
    fn injected(&self, kind: ErrorKind, op: &str) -> io::Error {
        self.error(kind, format_args!("injected {op} error (fail_next_{op})"))
    }
    fn peer_error(&self, kind: ErrorKind) -> io::Error {
        self.error(kind, format_args!("peer closed the pipe with an error"))
    }
}

/// One direction: the guarded state plus a condition variable per side for
/// blocking calls.
pub(crate) struct Direction {
    state: Mutex<Channel>,
    readable: Condvar,
    writable: Condvar,
    /// Bumped by every change a spinning thread may be waiting for.
    progress: AtomicUsize,
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
    /// makes every call yield once first.
    pub(crate) fn poll(
        &self,
        cx: &mut Context<'_>,
        op: Op,
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
        if interleave && !side.yielded {
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
        let mut may_spin = spin_budget() > 0;
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
        for i in 0..spin_budget() {
            if self.progress.load(Ordering::Acquire) != seen {
                break;
            }
            if i % 64 == 63 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
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

/// How many times a blocking call checks for progress before it sleeps: none
/// on a single core (the peer cannot run while we spin) or under loom.
fn spin_budget() -> usize {
    #[cfg(loom)]
    {
        0
    }
    #[cfg(not(loom))]
    {
        static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *BUDGET.get_or_init(|| match std::thread::available_parallelism() {
            Ok(n) if n.get() > 1 => 2000,
            _ => 0,
        })
    }
}
