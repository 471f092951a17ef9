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
//! The handle, its state and the recording path live here; reading the
//! record back ([`Tape::bytes`], [`Tape::events`], [`Tape::take`], ...) in
//! [`contents`], the assertions and their [`Mismatch`] in
//! [`assert`](mod@assert), waiting ([`Tape::wait_for`], [`WaitFor`],
//! [`Tape::wait_for_blocking`]) in [`wait`], the live recordings that writes
//! to the tape in [`writer`], the mismatch messages in [`diff`] (built on
//! [`align`] and [`hexdump`]), and what a hang report shows of a tape in
//! [`live`].

mod align;
mod assert;
mod contents;
pub(crate) mod diff;
pub(crate) mod file;
mod framing;
mod golden;
pub(crate) mod hexdump;
mod holes;
mod live;
mod review;
mod wait;
mod wait_for;
mod writer;

pub use assert::Mismatch;
pub use wait_for::WaitFor;
pub(crate) use writer::Writer;

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
/// The enum is `#[non_exhaustive]`: later versions may record other kinds of
/// event, so a `match` outside this crate needs a `_` arm.
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
///
/// let sent: usize = tape
///     .events()
///     .iter()
///     .map(|event| match event {
///         Event::Write(bytes) => bytes.len(),
///         Event::Read(_) => 0,
///         _ => 0, // a kind of event added later
///     })
///     .sum();
/// assert_eq!(sent, 4);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
pub(super) fn copy_out(bytes: &[u8]) -> Bytes {
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
    /// Every wait that has had to wait, for hang reports.
    pending: Vec<live::Pending>,
    /// Live recordings writing to this tape, and whether one ever was.
    writers: usize,
    attached: bool,
    /// Redactions and `holes_by`, for files written from the tape.
    marks: holes::Marks,
    /// The file the tape was loaded from, with its holes.
    loaded: Option<holes::Loaded>,
}

impl State {
    fn note(&mut self, kind: Kind) {
        match self.runs.last_mut() {
            Some((last, count)) if *last == kind => *count += 1,
            _ => self.runs.push((kind, 1)),
        }
    }

    /// Every write and read, in the order they happened.
    fn events(&self) -> Vec<Event> {
        let mut writes = self.written.split().into_iter();
        let mut reads = self.read.split().into_iter();
        let mut events = Vec::with_capacity(self.written.ends.len() + self.read.ends.len());
        for &(kind, count) in &self.runs {
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

    /// Forgets writes, reads and their order, keeping the capacity; waiters
    /// restart their scan.
    fn reset(&mut self) {
        self.written.clear();
        self.read.clear();
        self.runs.clear();
        self.epoch = self.epoch.wrapping_add(1);
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// The connection the tape records (`NAME#N`), if a listener made it.
    label: Option<Arc<str>>,
}

/// The record of a connection: every byte written (and, with
/// [`Recording::record_reads`](crate::Recording::record_reads), read), with
/// the boundaries of each write and read and their order.
///
/// A `Tape` is a cheap handle (`Clone + Send + Sync`): clones share one
/// record, and it outlives the connection, so a test can hand the connection
/// to the code under test, drop it, and still assert on what was sent.
///
/// # Writes, reads, or both
///
/// A tape is mostly about what the code under test *sent*, so the plain
/// names cover the written bytes only, and their read-side twins carry
/// `read`:
///
/// | written bytes                      | read bytes                             |
/// |------------------------------------|----------------------------------------|
/// | [`bytes`](Tape::bytes)             | [`read_bytes`](Tape::read_bytes)       |
/// | [`len`](Tape::len)                 | [`read_len`](Tape::read_len)           |
/// | [`is_empty`](Tape::is_empty)       | [`read_is_empty`](Tape::read_is_empty) |
/// | [`writes`](Tape::writes)           | [`reads`](Tape::reads)                 |
/// | [`to_string_lossy`](Tape::to_string_lossy) |                                |
/// | [`assert_written`](Tape::assert_written), [`assert_writes`](Tape::assert_writes) | [`assert_read`](Tape::assert_read) |
/// | [`take`](Tape::take)               | [`take_reads`](Tape::take_reads)       |
/// | [`wait_for`](Tape::wait_for), [`wait_for_blocking`](Tape::wait_for_blocking) | |
///
/// [`events`](Tape::events) and [`take_events`](Tape::take_events) give both,
/// in order. [`clear`](Tape::clear) and every `take*` clear *both*
/// directions, in one step.
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
    #[must_use]
    #[track_caller]
    pub fn new() -> Self {
        Tape::with_label(None, crate::hang::snapshot::Origin::here())
    }

    /// A tape labelled `label` (a listener's connection, `NAME#N`),
    /// registered for hang reports as made at `origin`.
    pub(crate) fn with_label(
        label: Option<Arc<str>>,
        origin: crate::hang::snapshot::Origin,
    ) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            label,
        });
        live::register(&shared, origin);
        Tape { shared }
    }

    /// The connection this tape records, for a tape a listener (or a
    /// [`Net`](crate::Net)) made for one of its connections: `NAME#N` (or
    /// `ADDR#N`), as the connection's pipe is named. `None` for a tape made
    /// by [`Tape::new`] or [`RecordExt::record`](crate::RecordExt::record).
    /// It shows in the tape's `Debug` and in hang reports.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (listener, connector) = pipetap::PipeBuilder::new().name("api").listen();
    /// let listener = listener.record_connections();
    /// let mut conn = connector.connect_blocking()?;
    /// conn.write_all(b"GET /")?;
    /// let tapes = listener.tapes();
    /// assert_eq!(tapes[0].label().as_deref(), Some("api#1"));
    /// assert!(format!("{:?}", tapes[0]).contains(r#"label: "api#1""#));
    /// assert_eq!(pipetap::Tape::new().label(), None);
    /// # drop(listener);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn label(&self) -> Option<String> {
        self.shared.label.as_deref().map(str::to_owned)
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
}

impl fmt::Debug for Tape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const PREVIEW: usize = 32;
        let state = self.lock();
        let preview = diff::preview(&state.written.bytes, PREVIEW);
        let mut d = f.debug_struct("Tape");
        if let Some(label) = &self.shared.label {
            d.field("label", label);
        }
        d.field("written", &state.written.bytes.len())
            .field("writes", &state.written.ends.len())
            .field("read", &state.read.bytes.len())
            .field("reads", &state.read.ends.len())
            .field("preview", &format_args!("{preview}"))
            .field("recordings", &state.writers)
            .field("waiting", &(state.wakers.len() + state.blocked))
            .finish()
    }
}
