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

use crate::pipe::append_bytes;
use std::fmt;
use std::future::Future;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::diff;

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

/// The error returned by the `try_assert_*` methods of [`Tape`] when the
/// recorded bytes differ from the expected ones.
///
/// Its `Display` (and, so that `.unwrap()` prints something readable, its
/// `Debug`) is the full multi-line message the panicking assertions print:
/// both lengths, the offset of the first difference and the write (or read)
/// that holds it, a hex + ASCII window around it, and both sides as escaped
/// text when they are mostly printable.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use pipetap::RecordExt;
///
/// # fn main() -> std::io::Result<()> {
/// let (mut conn, tape) = Vec::new().record();
/// conn.write_all(b"HELLO\r\n")?;
/// let err = tape.try_assert_written(b"HELLO\n").unwrap_err();
/// let message = err.to_string();
/// assert!(message.contains("first difference at offset 5"));
/// assert!(message.contains("write #0"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Mismatch {
    message: String,
}

impl Mismatch {
    fn new(message: String) -> Self {
        Mismatch { message }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message is multi-line; an escaped string would hide its layout.
        write!(f, "Mismatch:\n{}", self.message)
    }
}

impl std::error::Error for Mismatch {}

/// Bytes of one direction: one buffer plus the end offset of each chunk.
#[derive(Default)]
struct Chunks {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunks {
    fn push(&mut self, data: &[u8]) {
        append_bytes(&mut self.bytes, data);
        self.ends.push(self.bytes.len());
    }

    /// Records the first `n` bytes gathered across `slices` as one chunk.
    fn push_gathered<S: Deref<Target = [u8]>>(&mut self, slices: &[S], mut n: usize) {
        for slice in slices {
            if n == 0 {
                break;
            }
            let take = n.min(slice.len());
            append_bytes(&mut self.bytes, &slice[..take]);
            n -= take;
        }
        self.ends.push(self.bytes.len());
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// One `Bytes` per chunk, all sharing one copy of the buffer.
    fn split(&self) -> Vec<Bytes> {
        let all = Bytes::copy_from_slice(&self.bytes);
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
                waker.wake();
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
    pub(crate) fn record_write(&self, data: &[u8]) {
        if !data.is_empty() {
            self.append(|s| {
                s.written.push(data);
                s.note(Kind::Write);
            });
        }
    }

    /// Records the first `n` bytes gathered across `slices` as one write.
    pub(crate) fn record_write_gathered<S: Deref<Target = [u8]>>(&self, slices: &[S], n: usize) {
        if n > 0 {
            self.append(|s| {
                s.written.push_gathered(slices, n);
                s.note(Kind::Write);
            });
        }
    }

    /// Records one read. Empty reads (end of stream) are not recorded.
    pub(crate) fn record_read(&self, data: &[u8]) {
        if !data.is_empty() {
            self.append(|s| {
                s.read.push(data);
                s.note(Kind::Read);
            });
        }
    }

    /// Records the first `n` bytes gathered across `slices` as one read.
    pub(crate) fn record_read_gathered<S: Deref<Target = [u8]>>(&self, slices: &[S], n: usize) {
        if n > 0 {
            self.append(|s| {
                s.read.push_gathered(slices, n);
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
        Bytes::copy_from_slice(&self.lock().written.bytes)
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
        Bytes::copy_from_slice(&self.lock().read.bytes)
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
        let bytes = Bytes::copy_from_slice(&state.written.bytes);
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

    /// Asserts that the written bytes are exactly `expected`.
    ///
    /// # Panics
    ///
    /// Panics if they differ, with a message giving both lengths, the offset
    /// of the first differing byte, the write that holds it and the offset
    /// within that write, a hex + ASCII window around it, and both sides as
    /// escaped text when they are mostly printable. The panic points at the
    /// caller. [`try_assert_written`](Tape::try_assert_written) returns the
    /// message instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"HELLO\r\n")?;
    /// tape.assert_written(b"HELLO\r\n");
    /// tape.assert_written("HELLO\r\n");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_written(&self, expected: impl AsRef<[u8]>) {
        if let Err(mismatch) = self.try_assert_written(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the written bytes are exactly `expected`.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] describing the first difference (see
    /// [`assert_written`](Tape::assert_written)) if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"HELLO")?;
    /// assert!(tape.try_assert_written(b"HELLO").is_ok());
    /// assert!(tape.try_assert_written(b"HELL").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_assert_written(&self, expected: impl AsRef<[u8]>) -> Result<(), Mismatch> {
        let expected = expected.as_ref();
        let state = self.lock();
        if state.written.bytes == expected {
            return Ok(());
        }
        let (actual, ends) = (state.written.bytes.clone(), state.written.ends.clone());
        drop(state);
        match diff::stream_mismatch("written", "write", expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }

    /// Asserts that the read bytes are exactly `expected` (reads are recorded
    /// only after [`record_reads`](crate::Recording::record_reads)).
    ///
    /// # Panics
    ///
    /// Panics if they differ, with a message like that of
    /// [`assert_written`](Tape::assert_written), naming the read that holds
    /// the first differing byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"+OK\r\n"[..]).record_reads();
    /// let mut reply = Vec::new();
    /// conn.read_to_end(&mut reply)?;
    /// conn.tape().assert_read(b"+OK\r\n");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_read(&self, expected: impl AsRef<[u8]>) {
        if let Err(mismatch) = self.try_assert_read(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the read bytes are exactly `expected`.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] describing the first difference if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// let tape = pipetap::Tape::new();
    /// assert!(tape.try_assert_read(b"").is_ok());
    /// assert!(tape.try_assert_read(b"x").is_err());
    /// ```
    pub fn try_assert_read(&self, expected: impl AsRef<[u8]>) -> Result<(), Mismatch> {
        let expected = expected.as_ref();
        let state = self.lock();
        if state.read.bytes == expected {
            return Ok(());
        }
        let (actual, ends) = (state.read.bytes.clone(), state.read.ends.clone());
        drop(state);
        match diff::stream_mismatch("read", "read", expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }

    /// Asserts that the writes are exactly `expected`, write by write: the
    /// same bytes *and* the same boundaries.
    ///
    /// `expected` is anything iterable over byte strings: `["a", "bc"]`,
    /// `&[b"ab", b"cd"]`, `&[&b"GET"[..], b"\r\n"]`, a `Vec<Vec<u8>>`, ...
    ///
    /// # Panics
    ///
    /// Panics if they differ, saying how many writes each side has, which
    /// write differs first and where within it (with a hex + ASCII window),
    /// whether the bytes are equal and only the boundaries differ, and a list
    /// of the writes on both sides.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"GET")?;
    /// conn.write_all(b"\r\n")?;
    /// tape.assert_writes(["GET", "\r\n"]);
    /// tape.assert_writes(&[&b"GET"[..], b"\r\n"]);
    /// tape.assert_writes(vec![b"GET".to_vec(), b"\r\n".to_vec()]);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_writes<I, B>(&self, expected: I)
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        if let Err(mismatch) = self.try_assert_writes(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the writes are exactly `expected`, write by write.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] naming the first differing write (or the count
    /// mismatch) if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"GET\r\n")?;
    /// let err = tape.try_assert_writes(["GET", "\r\n"]).unwrap_err();
    /// assert!(err.to_string().contains("only the write boundaries differ"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_assert_writes<I, B>(&self, expected: I) -> Result<(), Mismatch>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        // Run the caller's iterator and `as_ref` before taking the lock.
        let owned: Vec<B> = expected.into_iter().collect();
        let expected: Vec<&[u8]> = owned.iter().map(AsRef::as_ref).collect();
        let state = self.lock();
        let (actual, ends) = (state.written.bytes.clone(), state.written.ends.clone());
        drop(state);
        match diff::chunks_mismatch("write", &expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }

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
