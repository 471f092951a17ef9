//! [`TeeReader`]: Go's `io.TeeReader` for blocking, futures and tokio readers.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
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
    /// returns. Bytes are written once each, in order.
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
    /// ## No `BufRead` / `AsyncBufRead`
    ///
    /// `TeeReader` deliberately does not implement `BufRead` or `AsyncBufRead`:
    /// `consume` cannot fail, block or return `Pending`, so bytes could only be
    /// teed when `fill_buf` exposes them (before they are consumed, and even if
    /// they never are) or after `consume` returns (after the caller has seen them,
    /// and never for the last `consume` before a drop). Neither is exact. Wrap the
    /// tee in a buffer instead: `BufReader::new(TeeReader::new(r, w))` tees each
    /// byte once, when the buffer reads it.
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

/// Bytes read from `R` that `W` or the caller have not had yet:
/// `held[..teed]` is in `W`, `held[..given]` was returned to the caller,
/// `given <= teed`.
#[derive(Default)]
struct TeeState {
    held: Vec<u8>,
    teed: usize,
    given: usize,
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
        let mut teed = 0;
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
    /// bypasses the tee.
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
    /// [`held_len`](Self::held_len)) are dropped.
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
