//! The live-fault knobs of a [`PipeEnd`], each for what this end sends:
//! hold, latency, bandwidth and cut (API.md section 7). The same knobs are on
//! a listener connection's [`Link`].

use std::io;
use std::time::Duration;

use super::end::PipeEnd;
use super::faults::Cut;
use super::link::{Knobs, Link};

impl PipeEnd {
    fn knobs(&self) -> Knobs<'_> {
        Knobs {
            shared: &self.write.shared,
            dir: self.write.side,
        }
    }

    /// The [`Link`] of this end's pipe, if it is a listener's connection.
    pub(crate) fn link(&self) -> Option<Link> {
        let addr = self.peer_addr()?;
        Some(Link::new(&self.write.shared, addr))
    }

    /// Holds what this end sends: its writes are accepted as usual, up to
    /// the capacity (then they wait, as on a full pipe), but the peer reads
    /// none of it until [`release`](Self::release). Bytes already buffered
    /// and not yet read are held too. Nothing is lost or reordered, and
    /// end-of-stream or a reset sent meanwhile queues behind the held bytes.
    /// Dropping this end releases them first. With capacity 0 a held write
    /// waits (nothing can be accepted).
    ///
    /// A stalled peer, a partition that heals: the code under test must
    /// time out, or wait, without losing its place in the stream.
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
    /// let (mut server, mut client) = pipetap::pipe();
    /// server.hold()?;
    /// server.write_all(b"reply")?;                // accepted, not delivered
    /// client.set_nonblocking(true)?;
    /// assert_eq!(client.read(&mut [0; 8]).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// server.release()?;
    /// assert_eq!(client.read(&mut [0; 8])?, 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn hold(&self) -> io::Result<()> {
        self.knobs().hold()
    }

    /// Ends a [`hold`](Self::hold) or [`hold_for`](Self::hold_for): the held
    /// bytes become readable, in order. Does nothing if nothing is held.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::pipe();
    /// a.hold()?;
    /// a.release()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn release(&self) -> io::Result<()> {
        self.knobs().release()
    }

    /// Holds what this end sends for `d`, then releases it (see
    /// [`hold`](Self::hold)). The time runs on the clock of the call: tokio's
    /// when it is made inside a tokio runtime (a paused clock then costs no
    /// wall time), else the wall clock. A later `hold` or `release` replaces
    /// it.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::time::{Duration, Instant};
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// let start = Instant::now();
    /// a.hold_for(Duration::from_millis(20))?;
    /// a.write_all(b"late")?;
    /// let mut buf = [0; 4];
    /// b.read_exact(&mut buf)?;                   // waits for the hold to end
    /// assert!(start.elapsed() >= Duration::from_millis(20));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn hold_for(&self, d: Duration) -> io::Result<()> {
        self.knobs().hold_for(d)
    }

    /// Delays what this end sends: the bytes of each write become readable
    /// `d` after the write, in order, timed on the clock of the calls (the
    /// wall clock, or tokio's paused clock for async calls in a paused
    /// runtime, where the delay costs no wall time). The writer still waits
    /// when the buffer is full. With capacity 0, the hand-over itself is
    /// delayed: a write completes, with a reader, `d` after it started at
    /// the earliest. `None` (or zero) turns it off for later writes; bytes
    /// already on their way keep their time.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::time::{Duration, Instant};
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.set_latency(Some(Duration::from_millis(20)))?;
    /// let sent = Instant::now();
    /// a.write_all(b"ping")?;                      // returns at once
    /// let mut buf = [0; 4];
    /// b.read_exact(&mut buf)?;
    /// assert!(sent.elapsed() >= Duration::from_millis(20));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_latency(&self, d: Option<Duration>) -> io::Result<()> {
        self.knobs().set_latency(d)
    }

    /// Limits what this end sends to `bytes_per_s` bytes per second,
    /// delivered in slices of about 1 ms (on the clock of the calls, as for
    /// [`set_latency`](Self::set_latency), which it adds to). The writer
    /// still waits when the buffer is full. `None` turns it off for later
    /// writes.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(0)` (nothing would ever arrive: use
    /// [`hold`](Self::hold)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::time::{Duration, Instant};
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.set_bandwidth(Some(100_000))?;            // 100 bytes per ms
    /// let start = Instant::now();
    /// a.write_all(&[7; 2_000])?;
    /// let mut got = vec![0; 2_000];
    /// b.read_exact(&mut got)?;
    /// assert!(start.elapsed() >= Duration::from_millis(19));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_bandwidth(&self, bytes_per_s: Option<u64>) -> io::Result<()> {
        self.knobs().set_bandwidth(bytes_per_s)
    }

    /// Cuts what this end sends after `n` more bytes, counting from this
    /// call (bytes already buffered are delivered first). A write that spans
    /// the cut returns the short count up to it; later writes fail with
    /// `BrokenPipe`. The peer reads the bytes, then `Ok(0)` ([`Cut::Eof`]),
    /// `ConnectionReset` ([`Cut::Reset`]) or the kind of [`Cut::Error`],
    /// every time. `Reset` and `Error` close the other direction too, as
    /// [`close_with_error`](Self::close_with_error) does: this end then
    /// reads `Ok(0)` and the peer's writes fail with `BrokenPipe`.
    ///
    /// A connection that dies mid-reply: the code under test must notice,
    /// and reconnect or retry rather than take half a message for a whole one.
    ///
    /// A direction already shut down is left as it is.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Cut;
    ///
    /// let (mut a, mut b) = pipetap::pipe();
    /// a.write_all(b"buffered ")?;
    /// a.cut_after(4, Cut::Eof)?;
    /// a.write_all(b"more").unwrap();
    /// assert!(a.write(b"x").is_err());            // BrokenPipe
    /// let mut got = String::new();
    /// b.read_to_string(&mut got)?;
    /// assert_eq!(got, "buffered more");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn cut_after(&self, n: usize, how: Cut) -> io::Result<()> {
        self.knobs().cut_after(n, how)
    }
}
