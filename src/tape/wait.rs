//! Waiting for a pattern on the tape: [`Tape::wait_for`] and its [`WaitFor`]
//! future (with its bound, [`WaitFor::within`]), and
//! [`Tape::wait_for_blocking`]. Both scan incrementally: a waiter keeps a
//! [`Cursor`] and looks only at the bytes written since its last look.
//!
//! No wait can hang. Each one ends, in this order of precedence, when:
//! 1. the written bytes contain the pattern: `Ok(())`;
//! 2. no recording writes to the tape any more (one was attached, and every
//!    one is gone): `UnexpectedEof`, since the pattern can no longer appear;
//! 3. its bound passes: `TimedOut`.
//!
//! The async and blocking twins decide with the same [`State::verdict`] and
//! word their errors with the same [`Failure::into_error`], so their messages
//! are identical.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{diff, State, Tape};
use crate::pipe::wake_at;

impl State {
    /// Whether the written bytes contain `pattern`, scanning only what is new
    /// since the last call with the same `cursor`.
    fn contains(&self, pattern: &[u8], cursor: &mut Cursor) -> bool {
        if cursor.epoch != Some(self.epoch) {
            *cursor = Cursor {
                from: 0,
                epoch: Some(self.epoch),
            };
        }
        if pattern.is_empty() {
            return true;
        }
        let hay = &self.written.bytes;
        if hay.len() < cursor.from + pattern.len() {
            return false;
        }
        if find(&hay[cursor.from..], pattern) {
            return true;
        }
        // No match starts before this point, now or later.
        cursor.from = hay.len() + 1 - pattern.len();
        false
    }

    /// How a wait for `pattern` stands: `None` while it must wait on, else
    /// its outcome. `deadline` is the wait's bound, with the duration it was
    /// given, for the message.
    fn verdict(
        &self,
        pattern: &[u8],
        cursor: &mut Cursor,
        deadline: Option<(Instant, Duration)>,
    ) -> Option<Result<(), Failure>> {
        if self.contains(pattern, cursor) {
            return Some(Ok(()));
        }
        let reason = if self.attached && self.writers == 0 {
            Reason::NoWriters
        } else {
            match deadline {
                Some((at, bound)) if Instant::now() >= at => Reason::TimedOut(bound),
                _ => return None,
            }
        };
        Some(Err(Failure {
            reason,
            pattern: pattern.to_vec(),
            written: self.written.bytes.clone(),
            writes: self.written.ends.len(),
            writers: self.writers,
            attached: self.attached,
        }))
    }
}

/// Why a wait gave up.
#[derive(Debug, Clone, Copy)]
enum Reason {
    TimedOut(Duration),
    NoWriters,
}

/// A failed wait: what it waited for and what the tape held at that moment,
/// copied under the lock so the message is formatted after releasing it.
struct Failure {
    reason: Reason,
    pattern: Vec<u8>,
    written: Vec<u8>,
    writes: usize,
    writers: usize,
    attached: bool,
}

impl Failure {
    fn into_error(self) -> io::Error {
        use std::fmt::Write as _;
        let pattern = diff::preview(&self.pattern, usize::MAX);
        let mut out = String::new();
        let kind = match self.reason {
            Reason::TimedOut(bound) => {
                let _ = writeln!(
                    out,
                    "timed out after {bound:?} waiting for the written bytes to contain {pattern}"
                );
                io::ErrorKind::TimedOut
            }
            Reason::NoWriters => {
                let _ = writeln!(
                    out,
                    "the written bytes do not contain {pattern}, and no recording writes to \
                     this tape any more: the pattern can no longer appear"
                );
                io::ErrorKind::UnexpectedEof
            }
        };
        let _ = match (self.writers, self.attached) {
            (0, true) => writeln!(
                out,
                "  every recording that wrote to this tape is gone (dropped or unwrapped)"
            ),
            (0, false) => writeln!(
                out,
                "  no recording was ever attached to this tape (see `Recording::with_tape`)"
            ),
            (1, _) => writeln!(out, "  1 recording still writes to this tape"),
            (n, _) => writeln!(out, "  {n} recordings still write to this tape"),
        };
        let started = (1..self.pattern.len())
            .rev()
            .find(|&k| self.written.ends_with(&self.pattern[..k]));
        if let Some(k) = started {
            let _ = writeln!(
                out,
                "  the written bytes end with {}, the first {k} of the pattern's {} bytes",
                diff::preview(&self.pattern[..k], usize::MAX),
                self.pattern.len()
            );
        }
        diff::recorded(&mut out, "written", &self.written, self.writes, "write");
        io::Error::new(kind, out.trim_end().to_owned())
    }
}

/// Where an incremental search resumes.
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    from: usize,
    epoch: Option<u64>,
}

fn find(hay: &[u8], pattern: &[u8]) -> bool {
    let (first, rest) = match pattern.split_first() {
        Some(split) => split,
        None => return true,
    };
    let last_start = match hay.len().checked_sub(pattern.len()) {
        Some(last) => last,
        None => return false,
    };
    hay[..=last_start]
        .iter()
        .enumerate()
        .any(|(i, b)| b == first && hay[i + 1..i + pattern.len()] == *rest)
}

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

    /// Blocks the current thread until the written bytes contain `pattern`,
    /// or `timeout` has passed, or no recording writes to the tape any more.
    /// Writes on other threads wake it (a condition variable, no polling), as
    /// does dropping the last recording.
    ///
    /// The blocking twin of [`wait_for`](Tape::wait_for)`(pattern)`
    /// [`.within(timeout)`](WaitFor::within): it ends the same ways, with the
    /// same messages (see [Which recordings count](Tape::wait_for#which-recordings-count)).
    ///
    /// # Errors
    ///
    /// - [`io::ErrorKind::UnexpectedEof`] as soon as the pattern is absent
    ///   and every recording that wrote to the tape is gone, before the
    ///   timeout;
    /// - [`io::ErrorKind::TimedOut`] if the pattern has not appeared within
    ///   `timeout`.
    ///
    /// The message names the pattern, says which recordings are alive and
    /// how much of the pattern the bytes already end with, and shows what was
    /// written with the hex + ASCII dump of the assertions.
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
    /// let waiter = {
    ///     let tape = tape.clone();
    ///     std::thread::spawn(move || tape.wait_for_blocking("READY", Duration::from_secs(10)))
    /// };
    /// conn.write_all(b"READY")?;
    /// waiter.join().unwrap()?;
    ///
    /// let err = tape
    ///     .wait_for_blocking("never", Duration::from_millis(1))
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TimedOut);
    ///
    /// drop(conn); // the last recording: waiting longer is pointless
    /// let err = tape
    ///     .wait_for_blocking("never", Duration::from_secs(60))
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_blocking(
        &self,
        pattern: impl AsRef<[u8]>,
        timeout: Duration,
    ) -> io::Result<()> {
        let pattern = pattern.as_ref();
        let deadline = Instant::now().checked_add(timeout).map(|at| (at, timeout));
        let mut cursor = Cursor::default();
        let mut state = self.lock();
        let failure = loop {
            match state.verdict(pattern, &mut cursor, deadline) {
                Some(Ok(())) => return Ok(()),
                Some(Err(failure)) => break failure,
                None => {}
            }
            state.blocked += 1;
            state = match deadline {
                None => self
                    .shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some((at, _)) => {
                    let left = at.saturating_duration_since(Instant::now());
                    self.shared
                        .changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            state.blocked -= 1;
        };
        drop(state);
        Err(failure.into_error())
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
    deadline: Option<Instant>,
    within: Duration,
    /// The waker the timer thread will wake at the deadline, so that a
    /// future polled again by the same task does not arm the timer again.
    armed: Option<Waker>,
}

impl WaitFor {
    /// Bounds the wait: it fails with [`io::ErrorKind::TimedOut`] once
    /// `bound` has passed without the pattern (counted from this call), with
    /// the message [`Tape::wait_for_blocking`] gives for the same bound.
    ///
    /// Works on any executor, with no runtime: the crate's timer thread
    /// (the one behind the pipe's deadlines) wakes the task at the deadline.
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
            deadline: Instant::now().checked_add(bound),
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
        let deadline = this
            .bound
            .as_ref()
            .and_then(|b| b.deadline.map(|at| (at, b.within)));
        // Cloned (and the replaced one dropped) outside the lock: waker code
        // belongs to the executor.
        let waker = cx.waker().clone();
        let mut state = this.tape.lock();
        let verdict = state.verdict(&this.pattern, &mut this.cursor, deadline);
        let stale = if verdict.is_some() {
            this.waiter
                .take()
                .and_then(|id| remove_waker(&mut state, id))
        } else {
            let id = *this.waiter.get_or_insert_with(|| {
                state.next_waiter += 1;
                state.next_waiter
            });
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
    /// Has the timer wake `waker` at the deadline, unless it already will.
    fn arm(&mut self, waker: &Waker) {
        let Some(at) = self.deadline else { return };
        if self
            .armed
            .as_ref()
            .is_some_and(|armed| armed.will_wake(waker))
        {
            return;
        }
        wake_at(at, waker.clone());
        self.armed = Some(waker.clone());
    }
}

fn remove_waker(state: &mut State, id: u64) -> Option<Waker> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_cases() {
        assert!(find(b"hello", b"ll"));
        assert!(find(b"hello", b"hello"));
        assert!(!find(b"hello", b"hellox"));
        assert!(!find(b"hello", b"lo!"));
        assert!(find(b"aab", b"ab"));
    }

    #[test]
    fn incremental_search_finds_pattern_across_appends() {
        let mut state = State::default();
        let mut cursor = Cursor::default();
        for piece in [&b"xxAB"[..], b"C", b"D", b"yy"] {
            assert!(!state.contains(b"ABCDy", &mut cursor));
            state.written.push(piece);
        }
        assert!(state.contains(b"ABCDy", &mut cursor));
    }

    #[test]
    fn search_restarts_after_clear() {
        let mut state = State::default();
        let mut cursor = Cursor::default();
        state.written.push(b"0123456789");
        assert!(!state.contains(b"ab", &mut cursor));
        assert_eq!(cursor.from, 9);
        state.written.clear();
        state.epoch += 1;
        state.written.push(b"ab");
        assert!(state.contains(b"ab", &mut cursor));
    }
}
