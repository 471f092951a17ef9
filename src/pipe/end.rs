//! `PipeEnd`: one end of a pipe, made of a [`ReadHalf`] and a [`WriteHalf`],
//! with the control calls of the contract.

use std::fmt;
use std::io::{self, ErrorKind};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use super::channel::{Config, Shut};
use super::chunking::Chunking;
use super::half::{debug_end, ReadHalf, Shared, WriteHalf};
use super::tap::Tap;
use crate::addr::PipeAddr;
use crate::sync::Arc;
use crate::tape::Tape;

/// One end of an in-memory, full-duplex connection made by [`pipe()`](crate::pipe())
/// or [`PipeBuilder`](crate::PipeBuilder).
///
/// It implements `std::io::Read + Write` (also for `&PipeEnd`, like
/// `&TcpStream`), `futures::io::AsyncRead + AsyncWrite` (feature `futures`) and
/// `tokio::io::AsyncRead + AsyncWrite` (feature `tokio`), all driving the same
/// state, so one end may be used from a thread while the other is used from a
/// task. See the crate docs for the exact closing semantics.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (mut a, b) = pipetap::pipe();
/// let server = std::thread::spawn(move || -> std::io::Result<()> {
///     let mut b = b;
///     let mut line = [0; 5];
///     b.read_exact(&mut line)?;
///     b.write_all(&line)?;           // echo
///     Ok(())
/// });
/// a.write_all(b"hello")?;
/// let mut echo = [0; 5];
/// a.read_exact(&mut echo)?;
/// assert_eq!(&echo, b"hello");
/// server.join().unwrap()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct PipeEnd {
    pub(super) read: ReadHalf,
    pub(super) write: WriteHalf,
}

impl PipeEnd {
    #[track_caller]
    pub(crate) fn pair(
        config: Config,
        name: Option<std::sync::Arc<str>>,
        end_names: [std::sync::Arc<str>; 2],
        addr: Option<PipeAddr>,
        origin: crate::hang::snapshot::Origin,
    ) -> (PipeEnd, PipeEnd) {
        let shared: Arc<Shared> = Shared::new(config, name, end_names, addr, origin);
        let end = |side| PipeEnd {
            read: ReadHalf {
                shared: shared.clone(),
                side,
                tap: None,
            },
            write: WriteHalf {
                shared: shared.clone(),
                side,
                tap: None,
            },
        };
        (end(0), end(1))
    }

    /// Records this end's writes and reads onto `tape` from now on, as one
    /// recording shared by both halves (see [`Tap`]).
    pub(crate) fn record_onto(&mut self, tape: Tape) {
        let tap = Tap::new(tape);
        self.read.tap = Some(tap.clone());
        self.write.tap = Some(tap);
    }

    /// The tape this end records onto (see [`record_onto`](Self::record_onto)).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn tape(&self) -> Option<Tape> {
        self.read.tap.as_ref().map(Tap::tape)
    }

    /// Tells this end's pipe from the others while it lives, and which end
    /// this is (for the deadlock verdict).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn pipe_and_side(&self) -> (usize, usize) {
        (self.read.shared.id(), self.read.side)
    }

    pub(crate) fn read_half(&self) -> &ReadHalf {
        &self.read
    }

    pub(crate) fn write_half(&self) -> &WriteHalf {
        &self.write
    }

    /// Splits the end into owned halves that can move to different threads or
    /// tasks. Dropping the [`WriteHalf`] shuts the write direction only;
    /// dropping both is dropping the end.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (a, mut b) = pipetap::pipe();
    /// let (mut rd, mut wr) = a.into_split();
    /// let t = std::thread::spawn(move || wr.write_all(b"from a thread"));
    /// b.write_all(b"pong")?;
    /// let mut buf = [0; 4];
    /// rd.read_exact(&mut buf)?;
    /// t.join().unwrap()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "dropping both halves closes the end"]
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
        // The halves may now wait apart: the deadlock verdict stops taking
        // one half's exclusive wait as the whole end's.
        self.read.shared.set_split(self.read.side, true);
        (self.read, self.write)
    }

    /// The pipe's name, if [`PipeBuilder::name`](crate::PipeBuilder::name) gave one.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::PipeBuilder::new().name("db").build();
    /// assert_eq!(a.name(), Some("db"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.read.shared.name()
    }

    /// This end's name: `a` or `b` unless
    /// [`PipeBuilder::end_names`](crate::PipeBuilder::end_names) gave others.
    /// It is shown in `Debug` and in the pipe's errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pipetap::pipe();
    /// assert_eq!((a.end_name(), b.end_name()), ("a", "b"));
    /// ```
    pub fn end_name(&self) -> &str {
        self.read.shared.end_name(self.read.side)
    }

    /// The address of the connection this end belongs to, if it was made by
    /// a [`Listener`](crate::Listener): the listener's name and the
    /// connection's number, the same on both ends (`None` for a plain
    /// [`pipe()`](crate::pipe())).
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, connector) = pipetap::PipeBuilder::new().name("db").listen();
    /// let client = connector.connect_blocking()?;
    /// let server = listener.accept_blocking()?;
    /// assert_eq!(client.peer_addr().unwrap().to_string(), "db#1");
    /// assert_eq!(server.peer_addr(), client.peer_addr());
    ///
    /// let (a, _b) = pipetap::pipe();
    /// assert_eq!(a.peer_addr(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> Option<PipeAddr> {
        self.read.shared.addr().cloned()
    }

    /// The seed the pipe's random chunking draws from: derived from the test
    /// thread's seed and the pipe's creation index, or fixed by
    /// [`PipeBuilder::seed`](crate::PipeBuilder::seed) (see
    /// [`PipeBuilder::chunking`](crate::PipeBuilder::chunking)). Both ends
    /// have the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pipetap::PipeBuilder::new().seed(99).build();
    /// assert_eq!(a.seed(), 99);
    /// assert_eq!(b.seed(), 99);                   // one seed per pipe
    /// ```
    pub fn seed(&self) -> u64 {
        self.read.shared.seed()
    }

    /// Fault knob for this end only: each of its reads returns at most `n`
    /// bytes (`None` turns it off), on any door. The peer's reads are not
    /// affected; [`PipeBuilder::max_read_len`](crate::PipeBuilder::max_read_len)
    /// sets both ends. May be changed while the pipe is in use.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(0)` (a read of 0 bytes would look like
    /// end-of-stream).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (mut client, mut server) = pipetap::pipe();
    /// client.set_max_read_len(Some(1))?;           // short reads on the client only
    /// server.write_all(b"+OK\r\n")?;
    /// assert_eq!(client.read(&mut [0; 8])?, 1);
    /// client.write_all(b"PING\r\n")?;
    /// assert_eq!(server.read(&mut [0; 8])?, 6);    // the server reads whole
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_max_read_len(&self, n: Option<usize>) -> io::Result<()> {
        self.read.set_max_read_len(n)
    }

    /// Fault knob for this end only: each of its writes accepts at most `n`
    /// bytes (`None` turns it off); see [`set_max_read_len`](Self::set_max_read_len).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(0)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.set_max_write_len(Some(2))?;
    /// assert_eq!(a.write(b"abc")?, 2);
    /// assert_eq!(b.write(b"abc")?, 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_max_write_len(&self, n: Option<usize>) -> io::Result<()> {
        self.write.set_max_write_len(n)
    }

    /// Fault knob for this end's reads only: seeded random chunking (`None`
    /// turns it off). See [`PipeBuilder::chunking`](crate::PipeBuilder::chunking).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Chunking;
    ///
    /// let (mut client, mut server) = pipetap::PipeBuilder::new().seed(3).build();
    /// client.set_read_chunking(Some(Chunking::sizes(1..=16)))?;
    /// server.write_all(&[0; 64])?;
    /// assert!(client.read(&mut [0; 64])? <= 16);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_read_chunking(&self, chunking: Option<Chunking>) -> io::Result<()> {
        self.read.set_read_chunking(chunking)
    }

    /// Fault knob for this end's writes only: seeded random chunking (`None`
    /// turns it off). See [`PipeBuilder::chunking`](crate::PipeBuilder::chunking).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::Chunking;
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.set_write_chunking(Some(Chunking::sizes(1..=4)))?;
    /// assert!(a.write(&[0; 64])? <= 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_write_chunking(&self, chunking: Option<Chunking>) -> io::Result<()> {
        self.write.set_write_chunking(chunking)
    }

    /// Fault knob for this end only: its async reads and writes first return
    /// `Pending` once (see
    /// [`PipeBuilder::interleave_pending`](crate::PipeBuilder::interleave_pending),
    /// which sets both ends).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::pipe();
    /// a.set_interleave_pending(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_interleave_pending(&self, on: bool) -> io::Result<()> {
        self.read.set_interleave_pending(on)?;
        self.write.set_interleave_pending(on)
    }

    /// Closes this end (`shutdown(Shutdown::Both)`): the peer drains what is
    /// buffered, then reads `Ok(0)`; the peer's writes fail with `BrokenPipe`.
    /// Every call blocked or pending on either end is woken. Dropping the end
    /// does the same.
    ///
    /// This inherent method takes `&self` and returns at once, so it hides
    /// the async extension methods of the same name: `end.close().await` does
    /// not compile. For the async half-close, call them by path:
    /// `futures::io::AsyncWriteExt::close(&mut end).await` or
    /// `tokio::io::AsyncWriteExt::shutdown(&mut end).await` (which shut the
    /// write side only, like [`shutdown(Shutdown::Write)`](Self::shutdown)).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.write_all(b"last words")?;
    /// a.close()?;
    /// let mut got = String::new();
    /// b.read_to_string(&mut got)?;                 // drains, then Ok(0)
    /// assert_eq!(got, "last words");
    /// assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn close(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Both)
    }

    /// Closes this end like [`close`](Self::close), but the peer's reads,
    /// once the buffer is drained, fail with `kind` (for example
    /// `ConnectionReset`) instead of returning `Ok(0)`, every time. The first
    /// close wins: if this end's writing side was already shut, the peer's
    /// outcome does not change.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read};
    ///
    /// let (a, mut b) = pipetap::pipe();
    /// a.close_with_error(ErrorKind::ConnectionReset)?;
    /// let mut buf = [0; 4];
    /// assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn close_with_error(&self, kind: ErrorKind) -> io::Result<()> {
        self.write.shut(Shut::Error(kind));
        self.read.shutdown_read()
    }

    /// Shuts down the reading side, the writing side, or both:
    ///
    /// - `Write`: the peer reads what is buffered, then `Ok(0)`; this end's
    ///   later writes fail with `BrokenPipe`.
    /// - `Read`: this end's reads return `Ok(0)`; the peer's writes fail with
    ///   `BrokenPipe`.
    /// - `Both`: [`close`](Self::close).
    ///
    /// Idempotent. Wakes every call blocked or pending on either end.
    ///
    /// This is std's `TcpStream::shutdown(how)`. It hides
    /// `tokio::io::AsyncWriteExt::shutdown`; call that one by path,
    /// `tokio::io::AsyncWriteExt::shutdown(&mut end).await`, for the async
    /// half-close (see [`close`](Self::close)).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors `TcpStream::shutdown`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::net::Shutdown;
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.write_all(b"request")?;
    /// a.shutdown(Shutdown::Write)?;            // half-close: "no more requests"
    /// let mut req = String::new();
    /// b.read_to_string(&mut req)?;
    /// b.write_all(b"response")?;              // the other direction still works
    /// let mut resp = [0; 8];
    /// a.read_exact(&mut resp)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.write.shutdown_write()?;
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.read.shutdown_read()?;
        }
        Ok(())
    }

    /// Sets the deadline of this end's reads, as in Go: it applies to blocking
    /// and async reads, needs no runtime, and may be moved or cleared (`None`)
    /// while a read waits. A read that reaches it fails with `TimedOut` having
    /// read nothing; a deadline in the past fails reads at once, even if data
    /// is ready. An async read inside a paused tokio runtime reads the
    /// deadline on tokio's clock; blocking reads always on the wall clock
    /// (see [Time](crate#time)).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read};
    /// use std::time::{Duration, Instant};
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.set_read_deadline(Some(Instant::now() + Duration::from_millis(10)))?;
    /// let mut buf = [0; 1];
    /// assert_eq!(a.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    /// a.set_read_deadline(None)?;                  // usable again
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_read_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.read.set_read_deadline(deadline)
    }

    /// Sets the deadline of this end's writes; see
    /// [`set_read_deadline`](Self::set_read_deadline).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::time::Instant;
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.set_write_deadline(Some(Instant::now()))?; // already past
    /// assert_eq!(a.write(b"x").unwrap_err().kind(), ErrorKind::TimedOut);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_write_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.write.set_write_deadline(deadline)
    }

    /// Sets both the read and the write deadline.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let (a, _b) = pipetap::pipe();
    /// a.set_deadline(Some(Instant::now() + Duration::from_secs(5)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.set_read_deadline(deadline)?;
        self.set_write_deadline(deadline)
    }

    /// Bounds each *blocking* read, as `TcpStream::set_read_timeout` does: a
    /// read that waits that long fails with `TimedOut`. `None` waits forever.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(Duration::ZERO)`, as in std.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read};
    /// use std::time::Duration;
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.set_read_timeout(Some(Duration::from_millis(5)))?;
    /// let mut buf = [0; 1];
    /// assert_eq!(a.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    /// assert!(a.set_read_timeout(Some(Duration::ZERO)).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.read.set_read_timeout(timeout)
    }

    /// Bounds each *blocking* write; see [`set_read_timeout`](Self::set_read_timeout).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(Duration::ZERO)`, as in std.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, _b) = pipetap::pipe();
    /// a.set_write_timeout(Some(Duration::from_secs(1)))?;
    /// assert_eq!(a.write_timeout()?, Some(Duration::from_secs(1)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.write.set_write_timeout(timeout)
    }

    /// The timeout set by [`set_read_timeout`](Self::set_read_timeout).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors std.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::pipe();
    /// assert_eq!(a.read_timeout()?, None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.read.read_timeout()
    }

    /// The timeout set by [`set_write_timeout`](Self::set_write_timeout).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors std.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::pipe();
    /// assert_eq!(a.write_timeout()?, None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.write.write_timeout()
    }

    /// In nonblocking mode, blocking reads and writes that would wait fail
    /// with `WouldBlock` instead. Async calls are not affected.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors `TcpStream::set_nonblocking`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read};
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.set_nonblocking(true)?;
    /// let mut buf = [0; 1];
    /// assert_eq!(a.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.read.set_nonblocking(nonblocking)?;
        self.write.set_nonblocking(nonblocking)
    }

    /// Fault knob: the next read on this end, on any door, fails with `kind`,
    /// even if no data is ready, and moves no byte. One-shot.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.write_all(b"data")?;
    /// b.fail_next_read(ErrorKind::TimedOut);
    /// let mut buf = [0; 4];
    /// assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
    /// assert_eq!(b.read(&mut buf)?, 4);            // nothing was lost
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fail_next_read(&self, kind: ErrorKind) {
        self.read.fail_next_read(kind);
    }

    /// Fault knob: the next non-empty write on this end, on any door, fails
    /// with `kind` and accepts no byte. One-shot.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.fail_next_write(ErrorKind::ConnectionReset);
    /// assert_eq!(a.write(b"x").unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// assert_eq!(a.write(b"x")?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fail_next_write(&self, kind: ErrorKind) {
        self.write.fail_next_write(kind);
    }

    /// Bytes waiting for this end to read.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (mut a, b) = pipetap::pipe();
    /// a.write_all(b"abc")?;
    /// assert_eq!(b.unread_len(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unread_len(&self) -> usize {
        self.read.unread_len()
    }

    /// Bytes this end has written (they are in the pipe, the write returned)
    /// that the peer has not read yet: how far the peer is behind. The
    /// counterpart of the peer's [`unread_len`](Self::unread_len).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (mut a, _b) = pipetap::pipe();
    /// a.write_all(b"abc")?;
    /// assert_eq!(a.unsent_len(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unsent_len(&self) -> usize {
        self.write.unsent_len()
    }

    /// Whether the peer has shut down its *writing* side (by
    /// `shutdown(Write)`, `close`, `close_with_error` or drop): once the
    /// buffer is drained, this end reads end-of-stream (or the peer's error).
    /// It says nothing about the peer's reading side; a write tells that
    /// (`BrokenPipe` once the peer no longer reads).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pipetap::pipe();
    /// assert!(!a.is_peer_closed());
    /// drop(b);
    /// assert!(a.is_peer_closed());
    /// ```
    pub fn is_peer_closed(&self) -> bool {
        self.read.is_peer_closed()
    }
}

impl fmt::Debug for PipeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_end(f, "PipeEnd", &self.read.shared, self.read.side, true, true)
    }
}

impl ReadHalf {
    /// Puts the halves of one end back together; the inverse of
    /// [`PipeEnd::into_split`].
    ///
    /// # Errors
    ///
    /// If `write` is not this half's partner, a [`ReuniteError`] that gives
    /// both halves back.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::pipe();
    /// let (read, write) = a.into_split();
    /// let a = read.reunite(write).expect("halves of one end");
    /// # drop(a);
    /// ```
    pub fn reunite(self, write: WriteHalf) -> Result<PipeEnd, ReuniteError> {
        if self.is_pair_of(&write) {
            self.shared.set_split(self.side, false);
            Ok(PipeEnd { read: self, write })
        } else {
            Err(ReuniteError(self, write))
        }
    }
}

impl WriteHalf {
    /// Puts the halves of one end back together; see [`ReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// If `read` is not this half's partner, a [`ReuniteError`] that gives
    /// both halves back.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pipetap::pipe();
    /// let (read_a, write_a) = a.into_split();
    /// let (read_b, write_b) = b.into_split();
    /// let err = write_a.reunite(read_b).unwrap_err();  // halves of different ends
    /// let (read_b, write_a) = (err.0, err.1);
    /// assert!(write_a.is_pair_of(&read_a) && write_b.is_pair_of(&read_b));
    /// ```
    pub fn reunite(self, read: ReadHalf) -> Result<PipeEnd, ReuniteError> {
        read.reunite(self)
    }
}

/// The error of [`ReadHalf::reunite`] and [`WriteHalf::reunite`]: the two
/// halves do not belong to the same end. Both are given back, read half first.
pub struct ReuniteError(pub ReadHalf, pub WriteHalf);

impl fmt::Debug for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReuniteError").finish_non_exhaustive()
    }
}

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same pipe end")
    }
}

impl std::error::Error for ReuniteError {}

impl PipeEnd {
    /// Cuts both directions of a new pipe, as a builder's `cut_after` asks.
    pub(super) fn cut_both(a: &PipeEnd, b: &PipeEnd, cut: Option<(usize, super::faults::Cut)>) {
        if let Some((n, how)) = cut {
            // Never fail: the `Result`s mirror the other control calls.
            let _ = a.cut_after(n, how);
            let _ = b.cut_after(n, how);
        }
    }
}
