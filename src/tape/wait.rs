//! Waiting for a pattern on the tape: [`Tape::wait_for`] and its [`WaitFor`]
//! future, and [`Tape::wait_for_blocking`]. Both scan incrementally: a waiter
//! keeps a [`Cursor`] and looks only at the bytes written since its last look.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{State, Tape};

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
    /// Cancel-safe; dropping it unregisters its waker. After a
    /// [`clear`](Tape::clear) or [`take`](Tape::take) it looks at the bytes
    /// written since.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// let writer = std::thread::spawn(move || {
    ///     conn.write_all(b"HEL").unwrap();
    ///     conn.write_all(b"LO\r\n").unwrap();
    /// });
    /// futures::executor::block_on(tape.wait_for(b"LLO\r\n"));
    /// writer.join().unwrap();
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
        }
    }

    /// Blocks the current thread until the written bytes contain `pattern`,
    /// or `timeout` has passed. Writes on other threads wake it (a condition
    /// variable, no polling).
    ///
    /// # Errors
    ///
    /// Fails with [`io::ErrorKind::TimedOut`] if the pattern has not appeared
    /// within `timeout`; the message names the pattern and shows how many
    /// bytes were written and how they end.
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
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_blocking(
        &self,
        pattern: impl AsRef<[u8]>,
        timeout: Duration,
    ) -> io::Result<()> {
        let pattern = pattern.as_ref();
        let deadline = Instant::now().checked_add(timeout);
        let mut cursor = Cursor::default();
        let mut state = self.lock();
        loop {
            if state.contains(pattern, &mut cursor) {
                return Ok(());
            }
            state.blocked += 1;
            state = match deadline {
                None => self
                    .shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        state.blocked -= 1;
                        break;
                    }
                    self.shared
                        .changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            state.blocked -= 1;
        }
        let len = state.written.bytes.len();
        let tail = &state.written.bytes[len.saturating_sub(32)..];
        let message = format!(
            "timed out after {timeout:?} waiting for the written bytes to contain \"{}\"; \
             {len} bytes written so far{}",
            pattern.escape_ascii(),
            if len == 0 {
                String::new()
            } else {
                format!(
                    ", ending in {}\"{}\"",
                    if len > tail.len() { "..." } else { "" },
                    tail.escape_ascii()
                )
            }
        );
        drop(state);
        Err(io::Error::new(io::ErrorKind::TimedOut, message))
    }
}

/// The future returned by [`Tape::wait_for`]: resolves once the written bytes
/// contain the pattern.
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
/// futures::executor::block_on(ready);
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
}

impl Future for WaitFor {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        // Cloned (and the replaced one dropped) outside the lock: waker code
        // belongs to the executor.
        let waker = cx.waker().clone();
        let mut state = this.tape.lock();
        let found = state.contains(&this.pattern, &mut this.cursor);
        let stale = if found {
            this.done = true;
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
        if found {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
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
                &format_args!("\"{}\"", self.pattern.escape_ascii()),
            )
            .field("done", &self.done)
            .finish_non_exhaustive()
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
