//! The async wait: [`Tape::wait_for`], its [`WaitFor`] future and its bound
//! ([`WaitFor::within`]), woken by the tape's writes, by the last recording
//! going away, and by the crate's timer thread at the bound. It decides and
//! words its errors exactly as the blocking twin in [`super::wait`] does.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::wait::{Cursor, Failure};
use super::{diff, State, Tape};
use crate::clock::{Alarm, Clock, Deadline};

impl Tape {
    /// A future that resolves once the written bytes contain `pattern`
    /// (at once if they already do). It needs no runtime: each write wakes it,
    /// and it scans only the bytes that are new since its last poll.
    ///
    /// It cannot hang on a connection that is gone: once every
    /// [`Recording`](crate::Recording) that writes to this tape has been
    /// dropped (or unwrapped with `into_inner`), a pending or later wait for
    /// an absent pattern fails. Bound it in time with
    /// [`within`](WaitFor::within), which needs no runtime either.
    ///
    /// Cancel-safe; dropping it unregisters its waker. After a
    /// [`clear`](Tape::clear) or [`take`](Tape::take) it looks at the bytes
    /// written since.
    ///
    /// # Which recordings count
    ///
    /// Every live `Recording` on this tape (from
    /// [`record`](crate::RecordExt::record), [`Recording::new`](crate::Recording::new)
    /// or [`Recording::with_tape`](crate::Recording::with_tape)) counts as a
    /// writer, whether or not it writes. A tape that no recording was ever
    /// attached to (a [`Tape::new`] not yet handed to `with_tape`) has not
    /// started: a wait on it waits for a recording to attach and write, so
    /// that it may be created before the recording is. Give such a wait a
    /// bound with [`within`](WaitFor::within).
    ///
    /// # Errors
    ///
    /// The future resolves to an error, whose message names the pattern, says
    /// which recordings are alive, and shows what was written with the hex +
    /// ASCII dump of the assertions (the last 256 bytes when there are more),
    /// if:
    ///
    /// - [`io::ErrorKind::UnexpectedEof`]: the pattern is absent and no
    ///   recording writes to the tape any more (one was attached, and all are
    ///   gone);
    /// - [`io::ErrorKind::TimedOut`]: the bound set with
    ///   [`within`](WaitFor::within) passed first. The message is the one
    ///   [`wait_for_blocking`](Tape::wait_for_blocking) gives for the same
    ///   bound.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// let writer = std::thread::spawn(move || {
    ///     conn.write_all(b"HEL").unwrap();
    ///     conn.write_all(b"LO\r\n").unwrap();
    ///     // `conn` is dropped here: no one writes to the tape any more.
    /// });
    /// futures::executor::block_on(tape.wait_for(b"LLO\r\n"))?;
    /// writer.join().unwrap();
    ///
    /// let err = futures::executor::block_on(tape.wait_for("BYE")).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    /// assert!(err.to_string().contains(r#""BYE""#));
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for(&self, pattern: impl AsRef<[u8]>) -> WaitFor {
        WaitFor {
            tape: self.clone(),
            pattern: pattern.as_ref().to_vec(),
            cursor: Cursor::default(),
            waiter: None,
            done: false,
            bound: None,
        }
    }
}

/// The future returned by [`Tape::wait_for`]: resolves to `Ok(())` once the
/// written bytes contain the pattern, or to an error once it cannot (see
/// [`Tape::wait_for`]'s errors), or once its [`within`](WaitFor::within)
/// bound passes.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use pipetap::{RecordExt, WaitFor};
///
/// # fn main() -> std::io::Result<()> {
/// let (mut conn, tape) = Vec::new().record();
/// let ready: WaitFor = tape.wait_for("ready");
/// conn.write_all(b"ready")?;
/// futures::executor::block_on(ready)?;
/// # Ok(())
/// # }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitFor {
    tape: Tape,
    pattern: Vec<u8>,
    cursor: Cursor,
    /// Our id in the tape's waker list, once registered.
    waiter: Option<u64>,
    done: bool,
    bound: Option<Bound>,
}

/// A [`WaitFor`]'s time bound.
struct Bound {
    /// `None` if the bound is too far away to represent: no bound.
    deadline: Option<Deadline>,
    within: Duration,
    /// The waker the deadline's clock will wake at the deadline, so that a
    /// future polled again by the same task does not arm the timer again,
    /// and the wake-up (cancelled when dropped).
    armed: Option<(Waker, Alarm)>,
}

impl WaitFor {
    /// Bounds the wait: it fails with [`io::ErrorKind::TimedOut`] once
    /// `bound` has passed without the pattern (counted from this call), with
    /// the message [`Tape::wait_for_blocking`] gives for the same bound.
    ///
    /// Works on any executor, with no runtime: the crate's timer thread
    /// (the one behind the pipe's deadlines) wakes the task at the deadline.
    /// Made inside a paused tokio runtime, the bound is on tokio's clock
    /// (see [Time](crate#time)).
    /// A pattern already written wins even over a zero bound. Calling
    /// `within` again replaces the bound.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::time::Duration;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"+OK\r\n")?;
    /// let wait = tape.wait_for("+OK").within(Duration::from_secs(5));
    /// futures::executor::block_on(wait)?;
    ///
    /// let wait = tape.wait_for("-ERR").within(Duration::from_millis(10));
    /// let err = futures::executor::block_on(wait).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TimedOut);
    /// assert!(err.to_string().starts_with(r#"timed out after 10ms waiting for the written bytes to contain "-ERR""#));
    /// # drop(conn);
    /// # Ok(())
    /// # }
    /// ```
    pub fn within(mut self, bound: Duration) -> WaitFor {
        self.bound = Some(Bound {
            deadline: Clock::current().after(bound),
            within: bound,
            armed: None,
        });
        self
    }
}

impl Future for WaitFor {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(Ok(()));
        }
        let passed = this.bound.as_ref().and_then(Bound::passed);
        // Cloned (and the replaced one dropped) outside the lock: waker code
        // belongs to the executor.
        let waker = cx.waker().clone();
        let mut state = this.tape.lock();
        let verdict = state.verdict(&this.pattern, &mut this.cursor, passed);
        let stale = if verdict.is_some() {
            this.waiter
                .take()
                .and_then(|id| remove_waker(&mut state, id))
        } else {
            let id = match this.waiter {
                Some(id) => id,
                None => {
                    let id = state.new_waiter();
                    let within = this.bound.as_ref().map(|b| b.within);
                    state.note_pending(id, &this.pattern, true, within);
                    *this.waiter.insert(id)
                }
            };
            match state.wakers.iter_mut().find(|(i, _)| *i == id) {
                Some((_, slot)) => Some(std::mem::replace(slot, waker)),
                None => {
                    state.wakers.push((id, waker));
                    None
                }
            }
        };
        drop(state);
        drop(stale);
        match verdict {
            Some(outcome) => {
                if let Some(bound) = &mut this.bound {
                    bound.armed = None;
                }
                this.done = outcome.is_ok();
                Poll::Ready(outcome.map_err(Failure::into_error))
            }
            None => {
                if let Some(bound) = &mut this.bound {
                    bound.arm(cx.waker());
                }
                Poll::Pending
            }
        }
    }
}

impl Bound {
    /// The bound, once it has passed on the clock of the call.
    fn passed(&self) -> Option<Duration> {
        let at = self.deadline.as_ref()?;
        at.clock().reached(at).then_some(self.within)
    }

    /// Has the deadline's clock wake `waker` at the deadline, unless it
    /// already will.
    fn arm(&mut self, waker: &Waker) {
        let Some(at) = &self.deadline else { return };
        if self
            .armed
            .as_ref()
            .is_some_and(|(armed, _)| armed.will_wake(waker))
        {
            return;
        }
        let alarm = at.clock().wake_at(at, waker.clone());
        self.armed = Some((waker.clone(), alarm));
    }
}

fn remove_waker(state: &mut State, id: u64) -> Option<Waker> {
    state.end_pending(id);
    let at = state.wakers.iter().position(|(i, _)| *i == id)?;
    Some(state.wakers.swap_remove(at).1)
}

impl Drop for WaitFor {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            let mut state = self.tape.lock();
            let waker = remove_waker(&mut state, id);
            drop(state);
            drop(waker);
        }
    }
}

impl fmt::Debug for WaitFor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field(
                "pattern",
                &format_args!("{}", diff::preview(&self.pattern, usize::MAX)),
            )
            .field("within", &self.bound.as_ref().map(|b| b.within))
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
