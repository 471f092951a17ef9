//! [`TeeReader`]: Go's `io.TeeReader` for blocking, futures and tokio readers.

use std::fmt;
use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::pin::Pin;
use std::task::{ready, Poll};

use pin_project_lite::pin_project;

use crate::drive::{blocking, unpoll, write_all_from};

pin_project! {
    /// A reader that writes every byte it reads from `R` to `W`, like Go's
    /// [`io.TeeReader`](https://pkg.go.dev/io#TeeReader).
    ///
    /// Every byte a read returns has been written, all of it (looping over
    /// `W`'s short writes, retrying `Interrupted`), to `W` before the read
    /// returns. Bytes are written once each, in order. Over a buffered `R`,
    /// the same holds for `fill_buf` (see [below](#bufread-and-asyncbufread)).
    ///
    /// # Pending and failing writers
    ///
    /// If `W` is `Pending` (async), returns `WouldBlock` (blocking) or fails after
    /// `R` produced bytes, those bytes are not lost: the ones `W` has already taken
    /// are returned at once, and the rest are held in one internal buffer
    /// (allocated once and reused, never more than one read's worth). The next
    /// read first delivers the held bytes to `W` and then to the caller, before it
    /// reads `R` again. A read that returns `Pending` or an error has returned
    /// nothing, so dropping a pending read future loses no byte. A `W` that
    /// claims more bytes than offered, or accepts none, makes the read fail with
    /// [`ErrorKind::InvalidData`] / [`ErrorKind::WriteZero`] (the bytes stay held).
    ///
    /// ## Compared with Go
    ///
    /// Go's `TeeReader` has no internal buffer: it returns `(n, err)` when the
    /// write fails, and `io.Writer` may not short-write. Here `W` may short-write
    /// or be `Pending`, and a failed write loses nothing: the error is returned
    /// and the bytes are retried on the next read.
    ///
    /// # `BufRead` and `AsyncBufRead`
    ///
    /// When `R` is buffered (`BufRead`, futures or tokio `AsyncBufRead`) and `W`
    /// is the matching writer, `TeeReader` is buffered too, and it tees at *fill*
    /// time: `fill_buf` first writes to `W` the bytes of `R`'s buffer that `W`
    /// does not have yet, and returns only bytes `W` has. So every byte
    /// `fill_buf` returns is already in `W`, exactly once, however often
    /// `fill_buf` is called before `consume`. `consume` cannot fail or be
    /// `Pending`, and it has nothing left to write.
    ///
    /// The tee counts the bytes at the front of `R`'s buffer that `W` already
    /// has. If `W` is `Pending`, short-writes or fails part way, each byte it
    /// took is counted; nothing is consumed from `R`, so the next `fill_buf`
    /// sees the same buffer and resumes where `W` stopped. Like `read`,
    /// `fill_buf` returns at once the part of the buffer `W` has (so it can be
    /// shorter than `R`'s buffer), and is `Pending` / fails only when `W` has
    /// none of it. `consume(amt)` subtracts `amt` from that count (saturating:
    /// consuming more than `fill_buf` returned is a caller bug, and then `R`
    /// skips bytes `W` never gets) and passes `amt` on to `R`.
    ///
    /// Reads and `fill_buf`/`consume` can be mixed: a read after a partial
    /// `consume` gets the bytes `W` already has first (a `BufRead` reader's
    /// `read` serves its buffer first, as std's, futures' and tokio's
    /// `BufReader` do) and does not tee them again. Bytes held after a read (because `W` was `Pending` or failed)
    /// come before anything in `R`, so while there are any, `fill_buf` drives
    /// them to `W` and returns them (those `W` has) as the buffer; `consume`
    /// then counts them as delivered (never more of them than `W` has, never
    /// reaching into `R`).
    ///
    /// `W` gets the bytes the caller was shown: bytes `fill_buf` returned but
    /// nobody consumed are in `W` and still in `R`'s buffer. To tee only what a
    /// caller consumes, put the buffer outside instead:
    /// `BufReader::new(TeeReader::new(r, w))` tees each byte when the buffer
    /// reads it from `R`.
    ///
    /// ```
    /// use std::io::{BufRead, BufReader};
    ///
    /// let input = &b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"[..];
    /// let mut seen = Vec::new();
    /// let mut r = pipetap::TeeReader::new(BufReader::new(input), &mut seen);
    /// let mut line = String::new();
    /// r.read_line(&mut line)?;
    /// assert_eq!(line, "GET / HTTP/1.1\r\n");
    /// drop(r);
    /// // `fill_buf` showed the whole request, so `W` has all of it.
    /// assert_eq!(seen, input);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// `Cursor` is `BufRead` itself, and `lines` works as with any `BufRead`:
    ///
    /// ```
    /// use std::io::{BufRead, Cursor};
    ///
    /// let mut r = pipetap::TeeReader::new(Cursor::new("one\ntwo\n"), Vec::new());
    /// let lines: Vec<String> = (&mut r).lines().collect::<Result<_, _>>()?;
    /// assert_eq!(lines, ["one", "two"]);
    /// assert_eq!(r.get_ref().1, b"one\ntwo\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Async (`futures` feature; tokio's `AsyncBufReadExt` works the same way):
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use futures::io::{AsyncBufReadExt, BufReader, Cursor};
    ///
    /// futures::executor::block_on(async {
    ///     let input = Cursor::new(b"hello\nworld\n".to_vec());
    ///     let mut r = pipetap::TeeReader::new(BufReader::new(input), Cursor::new(Vec::new()));
    ///     let mut line = String::new();
    ///     r.read_line(&mut line).await?;
    ///     assert_eq!(line, "hello\n");
    ///     let (_, copy) = r.into_inner();
    ///     assert!(copy.into_inner().starts_with(b"hello\n"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    ///
    /// let mut seen = Vec::new();
    /// let mut r = pipetap::TeeReader::new(&b"hello"[..], &mut seen);
    /// let mut out = String::new();
    /// r.read_to_string(&mut out)?;
    /// drop(r);
    /// assert_eq!(out, "hello");
    /// assert_eq!(seen, b"hello");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Async (`futures` feature; the tokio impl works the same way):
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use futures::io::{AsyncReadExt, Cursor};
    ///
    /// futures::executor::block_on(async {
    ///     let mut r = pipetap::TeeReader::new(Cursor::new(b"hello".to_vec()), Cursor::new(Vec::new()));
    ///     let mut out = Vec::new();
    ///     r.read_to_end(&mut out).await?;
    ///     let (_, copy) = r.into_inner();
    ///     assert_eq!(copy.into_inner(), out);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub struct TeeReader<R, W> {
        #[pin]
        reader: R,
        #[pin]
        writer: W,
        state: TeeState,
    }
}

/// What the tee owes whom.
///
/// `held`: bytes read from `R` that `W` or the caller have not had yet:
/// `held[..teed]` is in `W`, `held[..given]` was returned to the caller,
/// `given <= teed`. These come before anything still in `R`.
///
/// `teed_ahead`: bytes at the front of `R`'s buffer (`BufRead` readers only)
/// that `W` already has and the caller has not consumed. Never nonzero while
/// bytes are held: a hold only starts from a read that got past them.
#[derive(Default)]
struct TeeState {
    held: Vec<u8>,
    teed: usize,
    given: usize,
    teed_ahead: usize,
}

/// One front door's way of calling the reader and the writer, as a `Poll`.
trait TeeIo {
    fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    fn write(&mut self, buf: &[u8]) -> Poll<io::Result<usize>>;
}

impl TeeState {
    fn is_holding(&self) -> bool {
        self.given < self.held.len()
    }

    fn reset(&mut self) {
        self.held.clear();
        self.teed = 0;
        self.given = 0;
    }

    /// The whole tee, for every front door.
    fn poll_read<I: TeeIo>(&mut self, io: &mut I, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.is_holding() {
            let res = write_all_from(&self.held[..], &mut self.teed, |b| io.write(b));
            let k = (self.teed - self.given).min(buf.len());
            if k > 0 {
                buf[..k].copy_from_slice(&self.held[self.given..self.given + k]);
                self.given += k;
                if !self.is_holding() {
                    self.reset();
                }
                return Poll::Ready(Ok(k));
            }
            ready!(res)?;
            // `W` has everything and the caller too: nothing was held after all.
            self.reset();
        }
        let n = ready!(io.read(buf))?;
        if n > buf.len() {
            return Poll::Ready(Err(io::Error::new(
                ErrorKind::InvalidData,
                format!(
                    "reader reported {n} bytes read into a {}-byte buffer",
                    buf.len()
                ),
            )));
        }
        // The front of what `R` returned may be bytes an earlier `fill_buf`
        // already gave `W`: count them as teed instead of teeing them again.
        let mut teed = self.teed_ahead.min(n);
        self.teed_ahead -= teed;
        let res = write_all_from(&buf[..n], &mut teed, |b| io.write(b));
        if teed < n {
            self.held.clear();
            self.held.extend_from_slice(&buf[teed..n]);
            self.teed = 0;
            self.given = 0;
            if teed == 0 {
                ready!(res)?;
            }
        }
        Poll::Ready(Ok(teed))
    }

    /// `fill_buf` while bytes are held: they come before anything in `R`, so
    /// the buffer is the held bytes `W` has (after giving `W` more of them).
    fn poll_fill_held<F>(&mut self, write: F) -> Poll<io::Result<&[u8]>>
    where
        F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
    {
        let res = write_all_from(&self.held[..], &mut self.teed, write);
        if self.teed == self.given {
            // `W` took none of the bytes the caller has not had: `res` is
            // `Pending` or an error (holding means `teed < held.len()` here).
            ready!(res)?;
        }
        Poll::Ready(Ok(&self.held[self.given..self.teed]))
    }

    /// `fill_buf` from `R`'s buffer `buf`: tees the bytes past `teed_ahead`
    /// and returns the prefix of `buf` that `W` has.
    fn poll_fill_from<'a, F>(&mut self, buf: &'a [u8], write: F) -> Poll<io::Result<&'a [u8]>>
    where
        F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
    {
        // `R`'s buffer cannot shrink without a consume; if it did (someone
        // consumed `R` directly through `get_mut`), never slice out of bounds.
        self.teed_ahead = self.teed_ahead.min(buf.len());
        let res = write_all_from(buf, &mut self.teed_ahead, write);
        if self.teed_ahead == 0 && !buf.is_empty() {
            ready!(res)?;
        }
        Poll::Ready(Ok(&buf[..self.teed_ahead]))
    }

    /// `consume` for every door; `consume_r` consumes from `R`.
    fn consume(&mut self, amt: usize, consume_r: impl FnOnce(usize)) {
        if self.is_holding() {
            // The buffer was held bytes, all in `W`; never count more than
            // that as given, and never skip bytes of `R` the caller has not seen.
            self.given += amt.min(self.teed - self.given);
            if !self.is_holding() {
                self.reset();
            }
        } else {
            self.teed_ahead = self.teed_ahead.saturating_sub(amt);
            consume_r(amt);
        }
    }
}

impl<R, W> TeeReader<R, W> {
    /// Creates a reader that reads from `reader` and writes what it reads to
    /// `writer`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// let mut r = pipetap::TeeReader::new(&b"abc"[..], Vec::new());
    /// let mut buf = [0; 2];
    /// assert_eq!(r.read(&mut buf)?, 2);
    /// assert_eq!(r.get_ref().1, b"ab");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(reader: R, writer: W) -> Self {
        Self {
            reader,
            writer,
            state: TeeState::default(),
        }
    }

    /// The reader and the writer.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = pipetap::TeeReader::new(&b"abc"[..], Vec::<u8>::new());
    /// let (reader, writer) = r.get_ref();
    /// assert_eq!(*reader, b"abc");
    /// assert!(writer.is_empty());
    /// ```
    pub fn get_ref(&self) -> (&R, &W) {
        (&self.reader, &self.writer)
    }

    /// The reader and the writer, mutably. Reading from the reader directly
    /// bypasses the tee; consuming from a buffered reader's buffer directly
    /// may also skip bytes `fill_buf` already gave the writer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut r = pipetap::TeeReader::new(&b"abc"[..], Vec::new());
    /// r.get_mut().1.extend_from_slice(b"header: ");
    /// ```
    pub fn get_mut(&mut self) -> (&mut R, &mut W) {
        (&mut self.reader, &mut self.writer)
    }

    /// The reader and the writer, pinned.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut r = pipetap::TeeReader::new(&b"abc"[..], Vec::<u8>::new());
    /// let (reader, _writer) = std::pin::Pin::new(&mut r).get_pin_mut();
    /// assert_eq!(reader.len(), 3);
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> (Pin<&mut R>, Pin<&mut W>) {
        let this = self.project();
        (this.reader, this.writer)
    }

    /// The number of bytes read from `R` but not yet returned to the caller,
    /// because `W` was pending or failed. The next read delivers them first.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = pipetap::TeeReader::new(&b"abc"[..], Vec::<u8>::new());
    /// assert_eq!(r.held_len(), 0);
    /// ```
    pub fn held_len(&self) -> usize {
        self.state.held.len() - self.state.given
    }

    /// Returns the reader and the writer. Held bytes (see
    /// [`held_len`](Self::held_len)) are dropped. Bytes a `fill_buf` returned
    /// but nobody consumed are in the writer and still in the reader's buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// let mut r = pipetap::TeeReader::new(&b"abc"[..], Vec::new());
    /// std::io::copy(&mut r, &mut std::io::sink())?;
    /// let (rest, copy) = r.into_inner();
    /// assert!(rest.is_empty());
    /// assert_eq!(copy, b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> (R, W) {
        (self.reader, self.writer)
    }
}

impl<R: fmt::Debug, W: fmt::Debug> fmt::Debug for TeeReader<R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeeReader")
            .field("reader", &self.reader)
            .field("writer", &self.writer)
            .field("held", &self.held_len())
            .field("teed_ahead", &self.state.teed_ahead)
            .finish()
    }
}

// ----- blocking door -----

struct BlockingIo<'a, R, W> {
    r: &'a mut R,
    w: &'a mut W,
}

impl<R: Read, W: Write> TeeIo for BlockingIo<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        blocking(self.r.read(buf))
    }

    fn write(&mut self, buf: &[u8]) -> Poll<io::Result<usize>> {
        blocking(self.w.write(buf))
    }
}

/// # Errors
///
/// Errors of `R` (nothing was read); errors of `W`, including `InvalidData` /
/// `WriteZero` for a misbehaving `W` (the bytes stay held for the next read);
/// `WouldBlock` from a nonblocking `R` or `W` (held bytes are kept likewise).
impl<R: Read, W: Write> Read for TeeReader<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut io = BlockingIo {
            r: &mut self.reader,
            w: &mut self.writer,
        };
        unpoll(self.state.poll_read(&mut io, buf))
    }
}

/// Tees at fill time: see [`TeeReader`'s `BufRead` section](TeeReader#bufread-and-asyncbufread).
///
/// # Errors
///
/// `fill_buf`: errors of `R`; errors of `W` (including `InvalidData` /
/// `WriteZero` for a misbehaving `W`, and `WouldBlock`) when `W` has none of
/// the bytes yet. Nothing is consumed from `R` by an error, and the next
/// `fill_buf` resumes where `W` stopped.
impl<R: BufRead, W: Write> BufRead for TeeReader<R, W> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let w = &mut self.writer;
        let write = |b: &[u8]| blocking(w.write(b));
        if self.state.is_holding() {
            return unpoll(self.state.poll_fill_held(write));
        }
        let buf = self.reader.fill_buf()?;
        unpoll(self.state.poll_fill_from(buf, write))
    }

    fn consume(&mut self, amt: usize) {
        let r = &mut self.reader;
        self.state.consume(amt, |amt| r.consume(amt));
    }
}

// ----- futures door -----

#[cfg(feature = "futures")]
struct FuturesIo<'a, 'b, R, W> {
    r: Pin<&'a mut R>,
    w: Pin<&'a mut W>,
    cx: &'a mut std::task::Context<'b>,
}

#[cfg(feature = "futures")]
impl<R: futures_io::AsyncRead, W: futures_io::AsyncWrite> TeeIo for FuturesIo<'_, '_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.r.as_mut().poll_read(self.cx, buf)
    }

    fn write(&mut self, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.w.as_mut().poll_write(self.cx, buf)
    }
}

/// # Errors
///
/// As for the blocking [`Read`] impl.
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<R: futures_io::AsyncRead, W: futures_io::AsyncWrite> futures_io::AsyncRead
    for TeeReader<R, W>
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let mut io = FuturesIo {
            r: this.reader,
            w: this.writer,
            cx,
        };
        this.state.poll_read(&mut io, buf)
    }
}

/// Tees at fill time, as the blocking [`BufRead`] impl does.
///
/// # Errors
///
/// As for the blocking [`BufRead`] impl (`Pending` where that returns
/// `WouldBlock`).
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<R: futures_io::AsyncBufRead, W: futures_io::AsyncWrite> futures_io::AsyncBufRead
    for TeeReader<R, W>
{
    fn poll_fill_buf(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let mut w = this.writer;
        if this.state.is_holding() {
            return this.state.poll_fill_held(|b| w.as_mut().poll_write(cx, b));
        }
        let buf = ready!(this.reader.poll_fill_buf(cx))?;
        this.state
            .poll_fill_from(buf, |b| w.as_mut().poll_write(cx, b))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        let r = this.reader;
        this.state.consume(amt, |amt| r.consume(amt));
    }
}

// ----- tokio door -----

#[cfg(feature = "tokio")]
struct TokioIo<'a, 'b, R, W> {
    r: Pin<&'a mut R>,
    w: Pin<&'a mut W>,
    cx: &'a mut std::task::Context<'b>,
}

#[cfg(feature = "tokio")]
impl<R: tokio::io::AsyncRead, W: tokio::io::AsyncWrite> TeeIo for TokioIo<'_, '_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut rb = tokio::io::ReadBuf::new(buf);
        ready!(self.r.as_mut().poll_read(self.cx, &mut rb))?;
        Poll::Ready(Ok(rb.filled().len()))
    }

    fn write(&mut self, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.w.as_mut().poll_write(self.cx, buf)
    }
}

/// # Errors
///
/// As for the blocking [`Read`] impl.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<R: tokio::io::AsyncRead, W: tokio::io::AsyncWrite> tokio::io::AsyncRead for TeeReader<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let mut io = TokioIo {
            r: this.reader,
            w: this.writer,
            cx,
        };
        let n = ready!(this.state.poll_read(&mut io, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// Tees at fill time, as the blocking [`BufRead`] impl does.
///
/// # Errors
///
/// As for the blocking [`BufRead`] impl (`Pending` where that returns
/// `WouldBlock`).
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<R: tokio::io::AsyncBufRead, W: tokio::io::AsyncWrite> tokio::io::AsyncBufRead
    for TeeReader<R, W>
{
    fn poll_fill_buf(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let mut w = this.writer;
        if this.state.is_holding() {
            return this.state.poll_fill_held(|b| w.as_mut().poll_write(cx, b));
        }
        let buf = ready!(this.reader.poll_fill_buf(cx))?;
        this.state
            .poll_fill_from(buf, |b| w.as_mut().poll_write(cx, b))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        let r = this.reader;
        this.state.consume(amt, |amt| r.consume(amt));
    }
}
