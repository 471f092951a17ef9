//! [`Recording`]: a connection wrapper that records onto a [`Tape`].
//!
//! Every IO trait is a thin door onto the same few steps in [`Log`]: call the
//! inner connection, then record exactly what it reports as done.

use std::fmt;
use std::io::{self, BufRead, IoSlice, IoSliceMut, Read, Write};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
#[cfg(any(feature = "futures", feature = "tokio"))]
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use crate::copy::append_bytes;
use crate::source::Source;
use crate::tape::{Tape, Writer};

/// The recording side of a [`Recording`]: the tape, whether reads are
/// recorded, and the copy of the last buffer `fill_buf` returned.
struct Log {
    /// The tape, held as a writer: the tape's waits end once the last
    /// recording writing to it is gone.
    tape: Writer,
    reads: bool,
    /// A copy of what the inner reader's last `fill_buf` returned, reused
    /// across calls so it allocates only while growing.
    buffered: Vec<u8>,
    /// How much of `buffered` has been consumed since.
    consumed: usize,
}

impl Log {
    fn new(tape: Tape) -> Self {
        Log {
            tape: Writer::attach(tape),
            reads: false,
            buffered: Vec::new(),
            consumed: 0,
        }
    }

    /// The inner connection accepted `n` bytes of `buf`.
    #[inline]
    fn wrote(&self, buf: &[u8], n: usize) {
        // A writer claiming more than it was offered gets what it was offered.
        self.tape.record_write(Source::One(buf).limit(n));
    }

    /// The inner connection accepted `n` bytes gathered across `bufs`.
    fn wrote_vectored(&self, bufs: &[IoSlice<'_>], n: usize) {
        self.tape.record_write(Source::Many(bufs).limit(n));
    }

    /// A plain (unbuffered) read delivered `data`.
    fn read(&mut self, data: &[u8]) {
        if self.reads {
            self.tape.record_read(Source::one(data));
            // The inner buffer (if any) moved on without `consume`.
            self.forget_buffer();
        }
    }

    /// A vectored read delivered `n` bytes gathered across `bufs`.
    fn read_vectored(&mut self, bufs: &[IoSliceMut<'_>], n: usize) {
        if self.reads {
            self.tape.record_read(Source::Many(bufs).limit(n));
            self.forget_buffer();
        }
    }

    /// `fill_buf` returned `buf`: keep a copy, so that `consume`, which gets
    /// no buffer, can record exactly the bytes it consumes.
    fn filled(&mut self, buf: &[u8]) {
        if self.reads {
            self.buffered.clear();
            append_bytes(&mut self.buffered, buf);
            self.consumed = 0;
        }
    }

    /// `consume(amt)`: record the next `amt` bytes of the last `fill_buf`.
    fn consume(&mut self, amt: usize) {
        if self.reads {
            let start = self.consumed.min(self.buffered.len());
            let end = self.consumed.saturating_add(amt).min(self.buffered.len());
            self.tape
                .record_read(Source::one(&self.buffered[start..end]));
            self.consumed = self.consumed.saturating_add(amt);
        }
    }

    fn forget_buffer(&mut self) {
        self.buffered.clear();
        self.consumed = 0;
    }
}

pin_project! {
    /// A connection that records what goes over it onto a [`Tape`].
    ///
    /// `Recording<C>` implements every IO trait `C` implements (std `Read`,
    /// `BufRead` and `Write`; with the `futures` feature futures'
    /// `AsyncRead`, `AsyncBufRead` and `AsyncWrite`; with the `tokio` feature
    /// tokio's) by delegating to `C`, so it can stand in for `C` in the code
    /// under test. It derefs to `C` for everything else.
    ///
    /// # What is recorded
    ///
    /// - Every write, with exactly the bytes `C` accepted: if `C` takes 3 of
    ///   10 bytes, 3 are recorded, as one write. A write that fails, is
    ///   pending or accepts 0 bytes records nothing. A vectored write records
    ///   the accepted prefix gathered across its slices, as one write.
    /// - After [`record_reads`](Recording::record_reads), every read, with
    ///   exactly the bytes delivered. Through `BufRead` / `AsyncBufRead` a read
    ///   is recorded when it is *consumed*, once, not when it is buffered:
    ///   `fill_buf` keeps a copy of the buffer it returns (in one reused
    ///   scratch buffer), and `consume(n)` records the next `n` bytes of that
    ///   copy. This is exact for any `C`, since it never asks `C` again, as
    ///   long as the buffer is consumed through the `Recording` (not through
    ///   [`get_mut`](Recording::get_mut)). The copy costs one memcpy of the
    ///   buffered bytes per `fill_buf`, and nothing unless reads are recorded.
    ///
    /// # Ending the tape's waits
    ///
    /// While it lives, a `Recording` counts as a writer of its tape (whether
    /// or not `C` can write). Once the last recording on a tape is dropped or
    /// unwrapped with [`into_inner`](Recording::into_inner), the tape's waits
    /// ([`Tape::wait_for`], [`Tape::wait_for_blocking`]) for a pattern that
    /// has not appeared fail with `UnexpectedEof` at once, instead of waiting
    /// for bytes no one can write.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{BufRead, BufReader, Write};
    /// use std::os::unix::net::UnixStream;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (client, mut server) = UnixStream::pair()?;
    /// let mut client = Recording::new(client).record_reads();
    /// let tape = client.tape();
    ///
    /// client.write_all(b"PING\r\n")?;
    /// server.write_all(b"+PONG\r\n")?;
    /// let mut reply = String::new();
    /// BufReader::new(&mut client).read_line(&mut reply)?;
    ///
    /// tape.assert_written(b"PING\r\n");
    /// tape.assert_read(b"+PONG\r\n");
    /// # Ok(())
    /// # }
    /// ```
    pub struct Recording<C> {
        #[pin]
        inner: C,
        log: Log,
    }
}

impl<C> Recording<C> {
    /// Wraps `conn`, recording its writes onto a new tape (see
    /// [`tape`](Recording::tape)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(Vec::new());
    /// conn.write_all(b"hi")?;
    /// conn.tape().assert_written(b"hi");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "a Recording records only what goes through it; use it in place of `conn`"]
    #[track_caller]
    pub fn new(conn: C) -> Self {
        Recording::with_tape(conn, Tape::new())
    }

    /// Wraps `conn`, recording onto `tape`, which may be shared with other
    /// recordings: their writes land on one tape, in the order they happen.
    /// The tape's waits end (see [`Tape::wait_for`]) only once all of them
    /// are gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::{Recording, Tape};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let tape = Tape::new();
    /// let mut first = Recording::with_tape(Vec::new(), tape.clone());
    /// let mut second = Recording::with_tape(Vec::new(), tape.clone());
    /// first.write_all(b"one ")?;
    /// second.write_all(b"two")?;
    /// tape.assert_writes(["one ", "two"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "a Recording records only what goes through it; use it in place of `conn`"]
    pub fn with_tape(conn: C, tape: Tape) -> Self {
        Recording {
            inner: conn,
            log: Log::new(tape),
        }
    }

    /// Records reads as well as writes, from now on. The tape's read-side
    /// accessors ([`read_bytes`](Tape::read_bytes), [`reads`](Tape::reads),
    /// [`read_len`](Tape::read_len), [`assert_read`](Tape::assert_read), ...)
    /// and [`events`](Tape::events) then show them.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (conn, tape) = (&b"reply"[..]).record();
    /// let mut conn = conn.record_reads();
    /// let mut buf = [0; 5];
    /// conn.read_exact(&mut buf)?;
    /// tape.assert_read(b"reply");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "record_reads returns the recording; use it instead of the old one"]
    pub fn record_reads(mut self) -> Self {
        self.log.reads = true;
        self
    }

    /// A handle to the tape this connection records onto (a clone of the
    /// same shared tape; it outlives the connection).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(Vec::new());
    /// let tape = conn.tape();
    /// conn.write_all(b"bye")?;
    /// drop(conn);
    /// tape.assert_written(b"bye");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn tape(&self) -> Tape {
        Tape::clone(&self.log.tape)
    }

    /// The wrapped connection.
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = pipetap::Recording::new(vec![1, 2]);
    /// assert_eq!(conn.get_ref(), &[1, 2]);
    /// ```
    pub fn get_ref(&self) -> &C {
        &self.inner
    }

    /// The wrapped connection, mutably. Bytes written or read through it
    /// directly are not recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut conn = pipetap::Recording::new(Vec::<u8>::new());
    /// conn.get_mut().push(b'x'); // bypasses the recording
    /// assert!(conn.tape().is_empty());
    /// ```
    pub fn get_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// The wrapped connection, pinned, for connections that are not `Unpin`.
    /// Bytes written or read through it directly are not recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    /// use pipetap::Recording;
    ///
    /// let mut conn = pin!(Recording::new(Vec::<u8>::new()));
    /// let inner = conn.as_mut().get_pin_mut();
    /// assert!(inner.is_empty());
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut C> {
        self.project().inner
    }

    /// Unwraps the connection. The tape keeps what was recorded; this
    /// recording no longer counts as one of its writers (see
    /// [Ending the tape's waits](Recording#ending-the-tapes-waits)).
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
    /// let inner: Vec<u8> = conn.into_inner();
    /// assert_eq!(inner, b"abc");
    /// tape.assert_written(b"abc");
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_inner(self) -> C {
        self.inner
    }
}

impl<C> Deref for Recording<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.inner
    }
}

impl<C> DerefMut for Recording<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.inner
    }
}

impl<C: fmt::Debug> fmt::Debug for Recording<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("inner", &self.inner)
            .field("tape", &self.log.tape)
            .field("record_reads", &self.log.reads)
            .finish()
    }
}

/// Wraps any value in a [`Recording`]: `conn.record()` gives the recording
/// connection and its tape.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::net::{TcpListener, TcpStream};
/// use pipetap::RecordExt;
///
/// # fn main() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let (mut conn, tape) = TcpStream::connect(listener.local_addr()?)?.record();
/// conn.write_all(b"HELLO\r\n")?;
/// tape.assert_written(b"HELLO\r\n");
/// # Ok(())
/// # }
/// ```
pub trait RecordExt: Sized {
    /// Wraps `self` in a [`Recording`] and returns it with its [`Tape`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// write!(conn, "{} + {}", 1, 2)?;
    /// assert_eq!(tape.to_string_lossy(), "1 + 2");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "the Recording records only what goes through it; use it in place of the connection"]
    fn record(self) -> (Recording<Self>, Tape);
}

impl<T> RecordExt for T {
    #[track_caller]
    fn record(self) -> (Recording<Self>, Tape) {
        let recording = Recording::new(self);
        let tape = recording.tape();
        (recording, tape)
    }
}

// ---- std ----

impl<C: Read> Read for Recording<C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.log.read(&buf[..n.min(buf.len())]);
        Ok(n)
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let n = self.inner.read_vectored(bufs)?;
        self.log.read_vectored(bufs, n);
        Ok(n)
    }
}

impl<C: BufRead> BufRead for Recording<C> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        self.log.filled(buf);
        Ok(buf)
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.log.consume(amt);
    }
}

impl<C: Write> Write for Recording<C> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.log.wrote(buf, n);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let n = self.inner.write_vectored(bufs)?;
        self.log.wrote_vectored(bufs, n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

// ---- futures ----

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<C: futures_io::AsyncRead> futures_io::AsyncRead for Recording<C> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_read(cx, buf))?;
        this.log.read(&buf[..n.min(buf.len())]);
        Poll::Ready(Ok(n))
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_read_vectored(cx, bufs))?;
        this.log.read_vectored(bufs, n);
        Poll::Ready(Ok(n))
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<C: futures_io::AsyncBufRead> futures_io::AsyncBufRead for Recording<C> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let buf = ready!(this.inner.poll_fill_buf(cx))?;
        this.log.filled(buf);
        Poll::Ready(Ok(buf))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        this.inner.consume(amt);
        this.log.consume(amt);
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<C: futures_io::AsyncWrite> futures_io::AsyncWrite for Recording<C> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_write(cx, buf))?;
        this.log.wrote(buf, n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_write_vectored(cx, bufs))?;
        this.log.wrote_vectored(bufs, n);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

// ---- tokio ----

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<C: tokio::io::AsyncRead> tokio::io::AsyncRead for Recording<C> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        ready!(this.inner.poll_read(cx, buf))?;
        this.log
            .read(buf.filled().get(before..).unwrap_or_default());
        Poll::Ready(Ok(()))
    }
}

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<C: tokio::io::AsyncBufRead> tokio::io::AsyncBufRead for Recording<C> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let buf = ready!(this.inner.poll_fill_buf(cx))?;
        this.log.filled(buf);
        Poll::Ready(Ok(buf))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        this.inner.consume(amt);
        this.log.consume(amt);
    }
}

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<C: tokio::io::AsyncWrite> tokio::io::AsyncWrite for Recording<C> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_write(cx, buf))?;
        this.log.wrote(buf, n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let n = ready!(this.inner.poll_write_vectored(cx, bufs))?;
        this.log.wrote_vectored(bufs, n);
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}
