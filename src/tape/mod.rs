//! [`Tape`]: the shared record of what went over a connection.
//!
//! # Layout
//!
//! All written bytes live in one buffer and all read bytes in another; each
//! recorded write (or read) adds only its end offset to a list, never a copy of
//! its own. The order of writes and reads is kept as runs (`Write` x 3,
//! `Read` x 1, ...), so a stream of writes touches no more than a counter.
//! Recording one write is therefore one lock, one copy and one offset push,
//! amortised O(1), and allocation-free once the buffers have grown (`clear`
//! keeps their capacity).
//!
//! # Locking
//!
//! One `Mutex` guards everything. No user code ever runs under it (patterns
//! and expected values are turned into slices before locking, wakers are
//! cloned before and woken or dropped after), and a poisoned lock is recovered
//! with [`PoisonError::into_inner`]: the state is only ever mutated by code
//! that cannot panic half-way.
//!
//! The handle, its state and the recording path live here; the assertions
//! and their [`Mismatch`] in [`assert`](mod@assert), waiting
//! ([`Tape::wait_for`], [`WaitFor`], [`Tape::wait_for_blocking`]) in
//! [`wait`], and the mismatch messages in [`diff`].

mod assert;
mod diff;
mod wait;

pub use assert::Mismatch;
pub use wait::WaitFor;

use crate::copy::append_bytes;
use crate::source::Source;
use crate::sync::wake_contained;
use std::fmt;
use std::io::IoSlice;
use std::ops::Deref;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use bytes::Bytes;

/// One recorded operation, as returned by [`Tape::events`].
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use pipetap::{Event, RecordExt};
///
/// # fn main() -> std::io::Result<()> {
/// let (conn, mut peer) = UnixStream::pair()?;
/// let (conn, tape) = conn.record();
/// let mut conn = conn.record_reads();
/// conn.write_all(b"ping")?;
/// peer.write_all(b"pong")?;
/// let mut reply = [0; 4];
/// conn.read_exact(&mut reply)?;
/// assert_eq!(
///     tape.events(),
///     [Event::Write("ping".into()), Event::Read("pong".into())]
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Bytes the connection accepted in one write.
    Write(Bytes),
    /// Bytes one read (or one `consume` of a buffered reader) delivered.
    Read(Bytes),
}

/// Bytes of one direction: one buffer plus the end offset of each chunk.
#[derive(Default)]
struct Chunks {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunks {
    /// Records `src` as one chunk.
    #[inline]
    fn push<S: Deref<Target = [u8]>>(&mut self, src: Source<'_, S>) {
        src.append_to(&mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// One `Bytes` per chunk, all sharing one copy of the buffer.
    fn split(&self) -> Vec<Bytes> {
        let all = copy_out(&self.bytes);
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let chunk = all.slice(start..end);
                start = end;
                chunk
            })
            .collect()
    }
}

/// A `Bytes` copy of `bytes`, through the crate's guarded copy.
fn copy_out(bytes: &[u8]) -> Bytes {
    let mut copy = Vec::with_capacity(bytes.len());
    append_bytes(&mut copy, bytes);
    Bytes::from(copy)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Write,
    Read,
}

#[derive(Default)]
struct State {
    written: Chunks,
    read: Chunks,
    /// The order of events, as runs of one kind.
    runs: Vec<(Kind, usize)>,
    /// Bumped by `clear`/`take`, so waiters restart their scan.
    epoch: u64,
    /// Tasks waiting in [`WaitFor`], by waiter id.
    wakers: Vec<(u64, Waker)>,
    next_waiter: u64,
    /// Threads waiting in [`Tape::wait_for_blocking`].
    blocked: usize,
}

impl State {
    fn note(&mut self, kind: Kind) {
        match self.runs.last_mut() {
            Some((last, count)) if *last == kind => *count += 1,
            _ => self.runs.push((kind, 1)),
        }
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// The record of a connection: every byte written (and, with
/// [`Recording::record_reads`](crate::Recording::record_reads), read), with
/// the boundaries of each write and read and their order.
///
/// A `Tape` is a cheap handle (`Clone + Send + Sync`): clones share one
/// record, and it outlives the connection, so a test can hand the connection
/// to the code under test, drop it, and still assert on what was sent.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use pipetap::RecordExt;
///
/// # fn main() -> std::io::Result<()> {
/// let (mut conn, tape) = Vec::new().record();
/// conn.write_all(b"GET / HTTP/1.1\r\n")?;
/// conn.write_all(b"\r\n")?;
/// drop(conn);
///
/// tape.assert_written(b"GET / HTTP/1.1\r\n\r\n");
/// tape.assert_writes(["GET / HTTP/1.1\r\n", "\r\n"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Tape {
    shared: Arc<Shared>,
}

impl Default for Tape {
    fn default() -> Self {
        Tape::new()
    }
}

impl Tape {
    /// An empty tape.
    ///
    /// Usually a tape comes from [`RecordExt::record`](crate::RecordExt::record)
    /// or [`Recording::tape`](crate::Recording::tape); a fresh one is useful to
    /// share between several recordings with
    /// [`Recording::with_tape`](crate::Recording::with_tape).
    ///
    /// # Examples
    ///
    /// ```
    /// let tape = pipetap::Tape::new();
    /// assert!(tape.is_empty());
    /// assert_eq!(tape.len(), 0);
    /// ```
    pub fn new() -> Self {
        Tape {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends under the lock, then wakes every waiter after releasing it.
    fn append(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        f(&mut state);
        let notify = state.blocked > 0;
        let wakers = if state.wakers.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut state.wakers))
        };
        drop(state);
        if notify {
            self.shared.changed.notify_all();
        }
        if let Some(mut wakers) = wakers {
            for (_, waker) in wakers.drain(..) {
                wake_contained(waker);
            }
            // Give the (now empty) list back so its capacity is reused,
            // unless a woken task has already registered into a new one.
            let mut state = self.lock();
            if state.wakers.capacity() == 0 {
                state.wakers = wakers;
            }
        }
    }

    /// Records one accepted write. Empty writes are not recorded.
    pub(crate) fn record_write(&self, src: Source<'_, IoSlice<'_>>) {
        if !src.is_empty() {
            self.append(|s| {
                s.written.push(src);
                s.note(Kind::Write);
            });
        }
    }

    /// Records one read (plain, or gathered across a vectored read's
    /// slices). Empty reads (end of stream) are not recorded.
    pub(crate) fn record_read<S: Deref<Target = [u8]>>(&self, src: Source<'_, S>) {
        if !src.is_empty() {
            self.append(|s| {
                s.read.push(src);
                s.note(Kind::Read);
            });
        }
    }

    /// All written bytes, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"ab")?;
    /// conn.write_all(b"cd")?;
    /// assert_eq!(tape.bytes(), "abcd");
    /// # Ok(())
    /// # }
    /// ```
    pub fn bytes(&self) -> Bytes {
        copy_out(&self.lock().written.bytes)
    }

    /// All read bytes, in order (empty unless reads are recorded).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"hello"[..]).record_reads();
    /// let mut text = String::new();
    /// conn.read_to_string(&mut text)?;
    /// assert_eq!(conn.tape().read_bytes(), "hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_bytes(&self) -> Bytes {
        copy_out(&self.lock().read.bytes)
    }

    /// The number of written bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"abc")?;
    /// assert_eq!(tape.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.lock().written.bytes.len()
    }

    /// Whether no byte has been written.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// assert!(tape.is_empty());
    /// conn.write_all(b"x")?;
    /// assert!(!tape.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().written.bytes.is_empty()
    }

    /// Forgets everything recorded so far (writes, reads and their order),
    /// keeping the allocated capacity for what comes next.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"handshake")?;
    /// tape.clear();
    /// conn.write_all(b"request")?;
    /// tape.assert_written(b"request");
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear(&self) {
        let mut state = self.lock();
        state.written.clear();
        state.read.clear();
        state.runs.clear();
        state.epoch = state.epoch.wrapping_add(1);
    }

    /// Returns the written bytes and clears the whole tape, as
    /// [`clear`](Tape::clear) does, in one step (no write can slip in between).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"first")?;
    /// assert_eq!(tape.take(), "first");
    /// conn.write_all(b"second")?;
    /// assert_eq!(tape.take(), "second");
    /// assert!(tape.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn take(&self) -> Bytes {
        let mut state = self.lock();
        let bytes = copy_out(&state.written.bytes);
        state.written.clear();
        state.read.clear();
        state.runs.clear();
        state.epoch = state.epoch.wrapping_add(1);
        bytes
    }

    /// The written bytes, one `Bytes` per accepted write, so framing can be
    /// checked. A write the connection accepted only in part appears with
    /// just the accepted bytes; writes that accepted nothing do not appear.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"len=5;")?;
    /// conn.write_all(b"hello")?;
    /// assert_eq!(tape.writes(), ["len=5;", "hello"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn writes(&self) -> Vec<Bytes> {
        self.lock().written.split()
    }

    /// The read bytes, one `Bytes` per recorded read (empty unless reads are
    /// recorded). Through `BufRead`/`AsyncBufRead`, one `consume` is one read.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::BufRead;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"one\ntwo\n"[..]).record_reads();
    /// let mut line = String::new();
    /// conn.read_line(&mut line)?;
    /// assert_eq!(conn.tape().reads(), ["one\n"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn reads(&self) -> Vec<Bytes> {
        self.lock().read.split()
    }

    /// Every recorded write and read, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    /// use pipetap::{Event, Recording};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (conn, mut server) = UnixStream::pair()?;
    /// let mut conn = Recording::new(conn).record_reads();
    /// conn.write_all(b"PING\r\n")?;
    /// server.write_all(b"+OK\r\n")?;
    /// let mut reply = [0; 5];
    /// conn.read_exact(&mut reply)?;
    /// assert_eq!(
    ///     conn.tape().events(),
    ///     [Event::Write("PING\r\n".into()), Event::Read("+OK\r\n".into())]
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(&self) -> Vec<Event> {
        let state = self.lock();
        let mut writes = state.written.split().into_iter();
        let mut reads = state.read.split().into_iter();
        let mut events = Vec::with_capacity(state.written.ends.len() + state.read.ends.len());
        for &(kind, count) in &state.runs {
            for _ in 0..count {
                let event = match kind {
                    Kind::Write => writes.next().map(Event::Write),
                    Kind::Read => reads.next().map(Event::Read),
                };
                events.extend(event);
            }
        }
        events
    }

    /// The written bytes as text, with invalid UTF-8 replaced by `U+FFFD`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"caf\xc3\xa9 \xff")?;
    /// assert_eq!(tape.to_string_lossy(), "café \u{fffd}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.lock().written.bytes).into_owned()
    }
}

impl fmt::Debug for Tape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const PREVIEW: usize = 32;
        let state = self.lock();
        let preview = diff::preview(&state.written.bytes, PREVIEW);
        f.debug_struct("Tape")
            .field("written", &state.written.bytes.len())
            .field("writes", &state.written.ends.len())
            .field("read", &state.read.bytes.len())
            .field("reads", &state.read.ends.len())
            .field("preview", &format_args!("{preview}"))
            .finish()
    }
}
