//! The state machine of one direction of a pipe: everything a read or a
//! write does, whatever front door it came through.
//!
//! [`Channel::read`] and [`Channel::write`] never wait: they finish the call,
//! or register how the caller will wait ([`Waiter`]) and say [`Attempt::Wait`].
//! The doors in [`super::direction`] decide how to wait (a task's waker or a
//! thread's condition variable). Wake-ups are collected in a [`Wake`] and
//! delivered after the lock is released.

use std::fmt;
use std::io::{self, ErrorKind};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::ring::{Ring, Source, Target};
use super::wake::{Wake, BUMP, NOTIFY_READERS, NOTIFY_WRITERS};

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
    pub(super) waker: Option<Waker>,
    /// The deadline the timer thread was last asked to wake `waker` at.
    pub(super) timer_armed: Option<Instant>,
    /// Threads asleep in a blocking call.
    pub(super) blocked: usize,
    /// Threads spinning briefly before they sleep.
    pub(super) spinning: usize,
    pub(crate) deadline: Option<Instant>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) nonblocking: bool,
    /// A one-shot injected error.
    pub(crate) fault: Option<ErrorKind>,
    /// `interleave_pending`: the current async call has already yielded once.
    pub(super) yielded: bool,
}

impl Side {
    pub(super) fn deadline_passed(&self) -> bool {
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

    pub(super) fn describe(&self) -> &'static str {
        match (self.blocked > 0, self.waker.is_some()) {
            (true, true) => "thread+task",
            (true, false) => "thread",
            (false, true) => "task",
            (false, false) => "-",
        }
    }
}

/// The state of one direction, guarded by its [`Direction`](super::direction::Direction)'s lock.
pub(crate) struct Channel {
    pub(super) ring: Ring,
    pub(super) config: Config,
    /// Rendezvous only: how many bytes a waiting reader has asked for.
    pub(super) demand: usize,
    /// Set once by the writer's shutdown, close or drop; the first one wins.
    pub(super) write_shut: Option<Shut>,
    /// Set by the reader's `shutdown(Read)`, close or drop.
    pub(super) read_shut: bool,
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
    pub(super) fn new(config: Config) -> Self {
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
