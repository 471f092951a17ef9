//! [`TeeReader`]: Go's `io.TeeReader` for blocking, futures and tokio readers.
//!
//! - this file: the type, its API and its docs;
//! - [`state`]: what the tee owes whom, and the read / `fill_buf` / `consume`
//!   logic every front door drives;
//! - one thin file per front door: [`blocking`], `futures_io`, `tokio_io`.

mod blocking;
#[cfg(feature = "futures")]
mod futures_io;
mod state;
#[cfg(feature = "tokio")]
mod tokio_io;

use std::fmt;
use std::pin::Pin;

use pin_project_lite::pin_project;

use state::TeeState;

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
    ///
    /// [`ErrorKind::InvalidData`]: std::io::ErrorKind::InvalidData
    /// [`ErrorKind::WriteZero`]: std::io::ErrorKind::WriteZero
    pub struct TeeReader<R, W> {
        #[pin]
        reader: R,
        #[pin]
        writer: W,
        state: TeeState,
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
        self.state.held_len()
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
            .field("teed_ahead", &self.state.teed_ahead())
            .finish()
    }
}
