//! [`MultiWriter`]: Go's `io.MultiWriter` for blocking, futures and tokio
//! writers, with exact short-write and `Pending` semantics.
//!
//! - this file: the type, its API and its docs;
//! - [`round`]: the state machine every front door drives (a write's round,
//!   held while a later writer is `Pending`, and a resumable flush);
//! - one thin file per front door: [`blocking`], `futures_io`, `tokio_io`.

mod blocking;
#[cfg(feature = "futures")]
mod futures_io;
mod round;
#[cfg(feature = "tokio")]
mod tokio_io;
mod writers;

use std::fmt;

use round::Rounds;
use writers::Writers;

/// Copies every write to each of several writers, in order, like Go's
/// [`io.MultiWriter`](https://pkg.go.dev/io#MultiWriter).
///
/// Use `Box<dyn Write + Send>` (or `Box<dyn futures::io::AsyncWrite + Send + Unpin>`,
/// or the tokio equivalent) as `W` to mix writer types. The async impls need
/// `W: Unpin`; pin a `!Unpin` writer with `Box::pin` (`Pin<Box<W>>` is `Unpin`).
///
/// # Semantics
///
/// One write is one *round*:
///
/// 1. The first writer is offered the whole buffer; the count `n` it accepts is
///    what `write` returns. A short write is fine: the caller's `write_all`
///    loops, as it would on the first writer alone.
/// 2. Every other writer, in order, then receives exactly `buf[..n]`, looping
///    over its own short writes (and retrying `Interrupted`, as `write_all`
///    does, so a writer that is interrupted forever is retried forever), before
///    `write` returns. The first writer's `Interrupted` is returned as it is:
///    nothing was accepted, and the caller's `write_all` retries.
/// 3. Fail fast: the first error from any writer is returned and the writers
///    after it are not called for that buffer. So when writer `i` fails, writers
///    `0..i` hold all `n` bytes, writer `i` holds a prefix of them (possibly
///    empty) and writers `i + 1..` hold none. An error from the first writer
///    means nothing was written anywhere. (Go returns `n` *and* the error; a
///    Rust `write` can only return one of them.)
///
/// A writer that reports more bytes than it was offered makes the round fail with
/// [`ErrorKind::InvalidData`]; one that accepts 0 bytes of a non-empty buffer
/// makes it fail with [`ErrorKind::WriteZero`]. Neither loops, panics or slices
/// out of bounds.
///
/// With no writers, `write` accepts (and drops) everything, as Go's does. An empty
/// buffer returns `Ok(0)` without calling any writer (once a held round, if any,
/// is finished).
///
/// `flush` (and `poll_flush`, `poll_close`, `poll_shutdown`) first finishes any
/// held round (see below), then flushes (or closes) the writers in order; it is
/// fail-fast too: the first error is returned and later writers are not flushed
/// by that call (the next call starts again from the first writer).
///
/// ## Pending writers (async) and nonblocking writers
///
/// Under the `AsyncWrite` contract `Pending` means "nothing was accepted". When the
/// first writer accepts `n` bytes and a later one is `Pending`, the `n` bytes are
/// already committed (the first writer has them), so the write still returns
/// `Ready(Ok(n))`: the rest of the round is *held*. The bytes are copied into one
/// internal buffer (allocated once and reused, never more than one write's worth),
/// and the next `poll_write`, `poll_flush`, `poll_close` or `poll_shutdown` first
/// finishes the held round, returning `Pending` while it cannot (legitimately: it
/// has accepted nothing new), and only then goes on. No byte is ever dropped or
/// duplicated on any writer across re-polls, and a `Pending` flush resumes at the
/// writer it stopped at.
///
/// The blocking [`Write`] impl gives nonblocking writers the same treatment: a
/// later writer's [`ErrorKind::WouldBlock`] holds the round and the next call
/// returns `WouldBlock` until it is done. Call `flush` (or `poll_flush` /
/// `poll_close`) before [`into_inner`](Self::into_inner): held bytes that were
/// never delivered are dropped with the `MultiWriter` (see
/// [`held_len`](Self::held_len)).
///
/// ## Compared with Go
///
/// | | Go `io.MultiWriter` | `pipetap::MultiWriter` |
/// |---|---|---|
/// | a writer takes fewer bytes | `ErrShortWrite` (`io.Writer` must not short-write) | allowed, as Rust's `Write` contract allows it: `write` returns the **first** writer's count and the others catch up on exactly those bytes |
/// | a writer errors | returns `(n, err)`, later writers skipped | returns the error, later writers skipped |
/// | no writers | accepts everything | accepts everything |
/// | nested multi-writers | flattened at construction | [`append`](Self::append) / [`Extend`] flatten them; see below |
/// | `Pending` / `WouldBlock` | n/a | round held, finished on the next call |
///
/// ## Nesting
///
/// A `MultiWriter` is a writer, so it can sit inside another one, but then every
/// write pays one more level of dispatch (and with `Box<dyn Write>` one more
/// allocation and virtual call). Go flattens nested multi-writers; here, do it
/// explicitly with [`append`](Self::append) (or `extend(other.into_inner())`), so
/// every write is one flat loop over all writers.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use pipetap::MultiWriter;
///
/// let mut w = MultiWriter::new(vec![Vec::new(), Vec::new()]);
/// w.write_all(b"hello")?;
/// w.flush()?;
/// let [a, b]: [Vec<u8>; 2] = w.into_inner().try_into().unwrap();
/// assert_eq!(a, b"hello");
/// assert_eq!(b, b"hello");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Mixed writer types, through trait objects:
///
/// ```
/// use std::io::{Cursor, Write};
/// use pipetap::MultiWriter;
///
/// let mut log = Vec::new();
/// let mut w: MultiWriter<Box<dyn Write + Send + '_>> = MultiWriter::default();
/// w.push(Box::new(Cursor::new(vec![0u8; 16])));
/// w.push(Box::new(&mut log));
/// w.write_all(b"tee")?;
/// drop(w);
/// assert_eq!(log, b"tee");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Async (`futures` feature; the tokio impl works the same way):
///
/// ```
/// # #[cfg(feature = "futures")] {
/// use futures::io::{AsyncWriteExt, Cursor};
/// use pipetap::MultiWriter;
///
/// futures::executor::block_on(async {
///     let mut w = MultiWriter::new([Cursor::new(Vec::new()), Cursor::new(Vec::new())]);
///     w.write_all(b"hello").await?;
///     w.close().await?;
///     for c in w.into_inner() {
///         assert_eq!(c.into_inner(), b"hello");
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// [`Write`]: std::io::Write
/// [`ErrorKind::InvalidData`]: std::io::ErrorKind::InvalidData
/// [`ErrorKind::WriteZero`]: std::io::ErrorKind::WriteZero
/// [`ErrorKind::WouldBlock`]: std::io::ErrorKind::WouldBlock
pub struct MultiWriter<W> {
    writers: Writers<W>,
    rounds: Rounds,
}

impl<W> MultiWriter<W> {
    /// Creates a `MultiWriter` over `writers`, in iteration order.
    ///
    /// The writers are moved (copied, for `&mut` references) into the
    /// `MultiWriter`'s own list, so changing the collection they came from
    /// afterwards has no effect, as in Go.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut w = pipetap::MultiWriter::new([Vec::new(), Vec::new(), Vec::new()]);
    /// assert_eq!(w.write(b"abc")?, 3);
    /// assert!(w.get_ref().iter().all(|v| v == b"abc"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(writers: impl IntoIterator<Item = W>) -> Self {
        Self {
            writers: Writers::from_vec(writers.into_iter().collect()),
            rounds: Rounds::default(),
        }
    }

    /// Adds a writer at the end. It receives the bytes of later writes only
    /// (not those of a round still held for other writers).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut w = pipetap::MultiWriter::new([Vec::new()]);
    /// w.write_all(b"a")?;
    /// w.push(Vec::new());
    /// w.write_all(b"b")?;
    /// assert_eq!(w.get_ref(), [b"ab".to_vec(), b"b".to_vec()]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn push(&mut self, writer: W) {
        self.writers.extend([writer]);
    }

    /// Moves all of `other`'s writers to the end of this one: the flat
    /// equivalent of nesting `other` inside `self`, without a level of dispatch
    /// per write.
    ///
    /// Bytes `other` still held for a pending writer (see
    /// [`held_len`](Self::held_len)) are dropped: flush `other` first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::MultiWriter;
    ///
    /// let inner = MultiWriter::new([Vec::new(), Vec::new()]);
    /// let mut outer = MultiWriter::new([Vec::new()]);
    /// outer.append(inner);
    /// assert_eq!(outer.len(), 3);
    /// outer.write_all(b"x")?;
    /// assert!(outer.get_ref().iter().all(|v| v == b"x"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn append(&mut self, other: MultiWriter<W>) {
        self.writers.extend(other.writers.into_vec());
    }

    /// The number of writers.
    ///
    /// # Examples
    ///
    /// ```
    /// let w = pipetap::MultiWriter::new([Vec::<u8>::new(), Vec::new()]);
    /// assert_eq!(w.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.writers.len()
    }

    /// Whether there are no writers (then every write is accepted and dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut w = pipetap::MultiWriter::<Vec<u8>>::default();
    /// assert!(w.is_empty());
    /// assert_eq!(w.write(b"dropped")?, 7);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.writers.is_empty()
    }

    /// The number of bytes held for writers that have not received the last
    /// round yet (always 0 with blocking writers that never return
    /// `WouldBlock`). The next write or flush delivers them first.
    ///
    /// # Examples
    ///
    /// ```
    /// let w = pipetap::MultiWriter::new([Vec::<u8>::new()]);
    /// assert_eq!(w.held_len(), 0);
    /// ```
    pub fn held_len(&self) -> usize {
        self.rounds.held_len()
    }

    /// The writers, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut w = pipetap::MultiWriter::new([Vec::new(), Vec::new()]);
    /// w.write_all(b"hi")?;
    /// assert_eq!(w.get_ref()[1], b"hi");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &[W] {
        &self.writers
    }

    /// The writers, mutably. A slice, so writers can be changed but not added
    /// or removed while a round may be held (use [`push`](Self::push) to add).
    ///
    /// Writing to a writer directly interleaves with the `MultiWriter`'s writes,
    /// which may not be what you want.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut w = pipetap::MultiWriter::new([Vec::new(), Vec::new()]);
    /// w.get_mut()[0].extend_from_slice(b"only the first");
    /// assert!(w.get_ref()[1].is_empty());
    /// ```
    pub fn get_mut(&mut self) -> &mut [W] {
        &mut self.writers
    }

    /// Returns the writers, in order.
    ///
    /// Bytes still held for a pending writer (see [`held_len`](Self::held_len))
    /// are dropped: flush or close first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut w = pipetap::MultiWriter::new([Vec::new(), Vec::new()]);
    /// w.write_all(b"done")?;
    /// w.flush()?;
    /// assert_eq!(w.into_inner(), [b"done".to_vec(), b"done".to_vec()]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> Vec<W> {
        self.writers.into_vec()
    }
}

impl<W> Default for MultiWriter<W> {
    /// A `MultiWriter` with no writers.
    fn default() -> Self {
        Self::new([])
    }
}

/// Shows the number of writers and of held bytes (not the writers themselves,
/// so that `MultiWriter<Box<dyn Write>>` is `Debug` too).
impl<W> fmt::Debug for MultiWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiWriter")
            .field("writers", &self.writers.len())
            .field("held", &self.held_len())
            .finish()
    }
}

impl<W> FromIterator<W> for MultiWriter<W> {
    fn from_iter<I: IntoIterator<Item = W>>(iter: I) -> Self {
        Self::new(iter)
    }
}

/// Adds writers at the end, as [`push`](MultiWriter::push) does.
impl<W> Extend<W> for MultiWriter<W> {
    fn extend<I: IntoIterator<Item = W>>(&mut self, iter: I) {
        self.writers.extend(iter);
    }
}

impl<W> From<Vec<W>> for MultiWriter<W> {
    fn from(writers: Vec<W>) -> Self {
        Self::new(writers)
    }
}
