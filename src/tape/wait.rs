//! Waiting for a pattern on the tape: what both twins share (the incremental
//! search, the verdict and the error), and the blocking twin,
//! [`Tape::wait_for_blocking`]; the async one, [`Tape::wait_for`], is in
//! [`super::wait_for`]. Both scan incrementally: a waiter keeps a [`Cursor`]
//! and looks only at the bytes written since its last look.
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

use std::io;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use super::{diff, State, Tape};

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
    /// its outcome. `passed` is the wait's bound (the duration it was given,
    /// for the message) once it has passed.
    pub(super) fn verdict(
        &self,
        pattern: &[u8],
        cursor: &mut Cursor,
        passed: Option<Duration>,
    ) -> Option<Result<(), Failure>> {
        if self.contains(pattern, cursor) {
            return Some(Ok(()));
        }
        let reason = if self.attached && self.writers == 0 {
            Reason::NoWriters
        } else {
            match passed {
                Some(bound) => Reason::TimedOut(bound),
                None => return None,
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
pub(super) struct Failure {
    reason: Reason,
    pattern: Vec<u8>,
    written: Vec<u8>,
    writes: usize,
    writers: usize,
    attached: bool,
}

impl Failure {
    pub(super) fn into_error(self) -> io::Error {
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
pub(super) struct Cursor {
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
    /// Blocks the current thread until the written bytes contain `pattern`,
    /// or `timeout` has passed, or no recording writes to the tape any more.
    /// Writes on other threads wake it (a condition variable, no polling), as
    /// does dropping the last recording.
    ///
    /// The blocking twin of [`wait_for`](Tape::wait_for)`(pattern)`
    /// [`.within(timeout)`](super::WaitFor::within): it ends the same ways, with the
    /// same messages (see "Which recordings count" under [`wait_for`](Tape::wait_for)).
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
        let mut waiter = None;
        let outcome = loop {
            let passed = deadline
                .filter(|&(at, _)| Instant::now() >= at)
                .map(|(_, bound)| bound);
            if let Some(outcome) = state.verdict(pattern, &mut cursor, passed) {
                break outcome;
            }
            if waiter.is_none() {
                let id = state.new_waiter();
                state.note_pending(id, pattern, false, Some(timeout));
                waiter = Some(id);
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
        if let Some(id) = waiter {
            state.end_pending(id);
        }
        drop(state);
        outcome.map_err(Failure::into_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

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
            state.written.push(Source::one(piece));
        }
        assert!(state.contains(b"ABCDy", &mut cursor));
    }

    #[test]
    fn search_restarts_after_clear() {
        let mut state = State::default();
        let mut cursor = Cursor::default();
        state.written.push(Source::one(b"0123456789"));
        assert!(!state.contains(b"ab", &mut cursor));
        assert_eq!(cursor.from, 9);
        state.written.clear();
        state.epoch += 1;
        state.written.push(Source::one(b"ab"));
        assert!(state.contains(b"ab", &mut cursor));
    }
}
