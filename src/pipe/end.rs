//! `PipeEnd` and its owned halves: the control calls and the core entry points
//! the front doors call.

use std::fmt;
use std::io::{self, ErrorKind, IoSlice};
use std::net::Shutdown;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::channel::{Config, Direction, Label, Op, Shut};
use super::ring::{SliceTarget, Source, Target};
use crate::sync::Arc;

/// The two directions of a pipe: `dirs[s]` carries the bytes written by end `s`.
struct Shared {
    dirs: [Direction; 2],
    // Immutable: std's `Arc` even under loom, which has no `Arc<str>`.
    name: Option<std::sync::Arc<str>>,
}

/// The reading half of a [`PipeEnd`], from [`PipeEnd::into_split`].
///
/// It has the read traits of every front door and the read-side controls.
/// Dropping it shuts this end's reading side (as `shutdown(Shutdown::Read)`):
/// the peer's writes then fail with `BrokenPipe`.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (a, mut b) = pipetap::pipe();
/// let (mut reader, _writer) = a.into_split();
/// b.write_all(b"hi")?;
/// let mut buf = [0; 2];
/// reader.read_exact(&mut buf)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ReadHalf {
    shared: Arc<Shared>,
    side: usize,
}

/// The writing half of a [`PipeEnd`], from [`PipeEnd::into_split`].
///
/// It has the write traits of every front door and the write-side controls.
/// Dropping it shuts this end's writing side only (as
/// `shutdown(Shutdown::Write)`): the peer reads what is buffered, then `Ok(0)`.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (a, mut b) = pipetap::pipe();
/// let (_reader, mut writer) = a.into_split();
/// writer.write_all(b"bye")?;
/// drop(writer);
/// let mut got = Vec::new();
/// b.read_to_end(&mut got)?;
/// assert_eq!(got, b"bye");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct WriteHalf {
    shared: Arc<Shared>,
    side: usize,
}

/// One end of an in-memory, full-duplex connection made by [`pipe`](crate::pipe)
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
    read: ReadHalf,
    write: WriteHalf,
}

fn check_timeout(timeout: Option<Duration>) -> io::Result<Option<Duration>> {
    if timeout == Some(Duration::ZERO) {
        Err(io::Error::new(
            ErrorKind::InvalidInput,
            "pipetap: cannot set a zero duration timeout",
        ))
    } else {
        Ok(timeout)
    }
}

impl ReadHalf {
    fn dir(&self) -> &Direction {
        &self.shared.dirs[1 - self.side]
    }

    pub(crate) fn read_blocking(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut dst = SliceTarget::new(buf);
        self.dir().block(Op::Read, |chan, waiter, label, wake| {
            chan.read(&mut dst, waiter, label, wake)
        })
    }

    pub(crate) fn poll_read_into(
        &self,
        cx: &mut Context<'_>,
        dst: &mut (impl Target + ?Sized),
    ) -> Poll<io::Result<usize>> {
        self.dir().poll(cx, Op::Read, |chan, waiter, label, wake| {
            chan.read(dst, waiter, label, wake)
        })
    }

    /// Sets the deadline of this end's reads (blocking and async); `None`
    /// clears it. See [`PipeEnd::set_read_deadline`].
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_read_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.dir().update(|chan, wake| {
            chan.reader.deadline = deadline;
            chan.wake_readers(wake);
        });
        Ok(())
    }

    /// Bounds each blocking read; see [`PipeEnd::set_read_timeout`].
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(Duration::ZERO)`, as in std.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timeout = check_timeout(timeout)?;
        self.dir().update(|chan, wake| {
            chan.reader.timeout = timeout;
            chan.wake_readers(wake);
        });
        Ok(())
    }

    /// The per-read timeout set by [`set_read_timeout`](Self::set_read_timeout).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors std's `TcpStream::read_timeout`.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.dir().lock().reader.timeout)
    }

    /// Makes blocking reads fail with `WouldBlock` instead of waiting.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.dir().update(|chan, wake| {
            chan.reader.nonblocking = nonblocking;
            chan.wake_readers(wake);
        });
        Ok(())
    }

    /// Makes the next read (on any door) fail with `kind`, moving no byte.
    pub fn fail_next_read(&self, kind: ErrorKind) {
        self.dir().update(|chan, wake| {
            chan.reader.fault = Some(kind);
            chan.wake_readers(wake);
        });
    }

    /// Bytes waiting for this end to read.
    pub fn unread_len(&self) -> usize {
        self.dir().lock().unread_len()
    }

    /// Whether the peer has shut down its writing side (by `shutdown`, `close`
    /// or drop): once the buffer is drained, reads see end-of-stream (or the
    /// peer's `close_with_error` error).
    pub fn is_peer_closed(&self) -> bool {
        self.dir().lock().write_shut().is_some()
    }

    /// Shuts this reading side: reads return `Ok(0)`, the peer's writes fail
    /// with `BrokenPipe`, and unread bytes are dropped. Idempotent.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn shutdown_read(&self) -> io::Result<()> {
        self.dir().update(|chan, wake| chan.shut_read(wake));
        Ok(())
    }

    /// Puts the halves of one end back together.
    ///
    /// # Errors
    ///
    /// Gives both halves back if they come from different ends.
    pub fn reunite(self, write: WriteHalf) -> Result<PipeEnd, (ReadHalf, WriteHalf)> {
        if Arc::ptr_eq(&self.shared, &write.shared) && self.side == write.side {
            Ok(PipeEnd { read: self, write })
        } else {
            Err((self, write))
        }
    }
}

impl Drop for ReadHalf {
    fn drop(&mut self) {
        self.dir().update(|chan, wake| chan.shut_read(wake));
    }
}

impl WriteHalf {
    fn dir(&self) -> &Direction {
        &self.shared.dirs[self.side]
    }

    pub(crate) fn write_blocking(&self, src: Source<'_>) -> io::Result<usize> {
        self.dir().block(Op::Write, |chan, waiter, label, wake| {
            chan.write(src, waiter, label, wake)
        })
    }

    pub(crate) fn poll_write_from(
        &self,
        cx: &mut Context<'_>,
        src: Source<'_>,
    ) -> Poll<io::Result<usize>> {
        self.dir().poll(cx, Op::Write, |chan, waiter, label, wake| {
            chan.write(src, waiter, label, wake)
        })
    }

    pub(crate) fn write_slices_blocking(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.write_blocking(Source::Many(bufs))
    }

    /// `flush`: a pipe holds nothing back, so there is nothing to push and
    /// it always succeeds, as on a socket (a later write reports a closed
    /// peer).
    pub(crate) fn flush_now(&self) -> io::Result<()> {
        Ok(())
    }

    /// Sets the deadline of this end's writes (blocking and async); `None`
    /// clears it. See [`PipeEnd::set_write_deadline`].
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_write_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.dir().update(|chan, wake| {
            chan.writer.deadline = deadline;
            chan.wake_writers(wake);
        });
        Ok(())
    }

    /// Bounds each blocking write; see [`PipeEnd::set_write_timeout`].
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(Duration::ZERO)`, as in std.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timeout = check_timeout(timeout)?;
        self.dir().update(|chan, wake| {
            chan.writer.timeout = timeout;
            chan.wake_writers(wake);
        });
        Ok(())
    }

    /// The per-write timeout set by [`set_write_timeout`](Self::set_write_timeout).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors std's `TcpStream::write_timeout`.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.dir().lock().writer.timeout)
    }

    /// Makes blocking writes fail with `WouldBlock` instead of waiting.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.dir().update(|chan, wake| {
            chan.writer.nonblocking = nonblocking;
            chan.wake_writers(wake);
        });
        Ok(())
    }

    /// Makes the next non-empty write (on any door) fail with `kind`,
    /// accepting no byte.
    pub fn fail_next_write(&self, kind: ErrorKind) {
        self.dir().update(|chan, wake| {
            chan.writer.fault = Some(kind);
            chan.wake_writers(wake);
        });
    }

    /// Bytes this end has written that the peer has not read yet.
    pub fn unsent_len(&self) -> usize {
        self.dir().lock().unread_len()
    }

    /// Shuts this writing side: the peer reads what is buffered, then `Ok(0)`;
    /// later writes here fail with `BrokenPipe`. Idempotent. (Named so that it
    /// does not hide `AsyncWriteExt::shutdown` / `close`, which do the same.)
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.shut(Shut::Eof);
        Ok(())
    }

    fn shut(&self, how: Shut) {
        self.dir().update(|chan, wake| chan.shut_write(how, wake));
    }
}

impl Drop for WriteHalf {
    fn drop(&mut self) {
        self.shut(Shut::Eof);
    }
}

impl PipeEnd {
    pub(crate) fn pair(config: Config, name: Option<std::sync::Arc<str>>) -> (PipeEnd, PipeEnd) {
        let label = Label { name: name.clone() };
        let shared = Arc::new(Shared {
            dirs: [
                Direction::new(config, label.clone()),
                Direction::new(config, label),
            ],
            name,
        });
        let end = |side| PipeEnd {
            read: ReadHalf {
                shared: shared.clone(),
                side,
            },
            write: WriteHalf {
                shared: shared.clone(),
                side,
            },
        };
        (end(0), end(1))
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
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
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
        self.read.shared.name.as_deref()
    }

    /// Closes this end (`shutdown(Shutdown::Both)`): the peer drains what is
    /// buffered, then reads `Ok(0)`; the peer's writes fail with `BrokenPipe`.
    /// Every call blocked or pending on either end is woken. Dropping the end
    /// does the same.
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
    /// is ready.
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
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.read.read_timeout()
    }

    /// The timeout set by [`set_write_timeout`](Self::set_write_timeout).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors std.
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

    /// Bytes this end has written that the peer has not read yet.
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

    /// Whether the peer has shut down its writing side (by `shutdown`,
    /// `close`, `close_with_error` or drop).
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

struct SideDebug<'a>(&'a super::channel::DebugState);

impl fmt::Debug for SideDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut d = f.debug_struct("");
        d.field("buffered", &s.buffered);
        if let Some(shut) = s.write_shut {
            d.field("writer_shut", &shut);
        }
        if s.read_shut {
            d.field("reader_shut", &true);
        }
        d.field("reader_waiting", &s.reader);
        d.field("writer_waiting", &s.writer);
        if let Some(k) = s.read_fault {
            d.field("fail_next_read", &k);
        }
        if let Some(k) = s.write_fault {
            d.field("fail_next_write", &k);
        }
        d.finish()
    }
}

fn debug_end(
    f: &mut fmt::Formatter<'_>,
    ty: &str,
    shared: &Shared,
    side: usize,
    read: bool,
    write: bool,
) -> fmt::Result {
    let mut d = f.debug_struct(ty);
    if let Some(name) = &shared.name {
        d.field("name", name);
    }
    d.field("end", &["a", "b"][side]);
    if read {
        d.field("incoming", &SideDebug(&shared.dirs[1 - side].debug_state()));
    }
    if write {
        d.field("outgoing", &SideDebug(&shared.dirs[side].debug_state()));
    }
    d.finish()
}

impl fmt::Debug for PipeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_end(f, "PipeEnd", &self.read.shared, self.read.side, true, true)
    }
}

impl fmt::Debug for ReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_end(f, "ReadHalf", &self.shared, self.side, true, false)
    }
}

impl fmt::Debug for WriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_end(f, "WriteHalf", &self.shared, self.side, false, true)
    }
}
