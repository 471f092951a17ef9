//! Stand-ins for the readers, writers and connections that pipetap's tee
//! writers and recordings wrap: [`Mock`] (short reads and writes, hiccups on
//! every door), [`Gate`] (`Pending` until the test opens it), [`Scripted`]
//! (a result per call) and [`SharedSink`] (a writer the test keeps a handle
//! on).

mod gate;
mod scripted;

// Unused in some binaries, like everything in `support`.
#[allow(unused_imports)]
pub use gate::{Gate, GateWriter};
#[allow(unused_imports)]
pub use scripted::{Scripted, SharedSink};

use std::io::{self, BufRead, ErrorKind, IoSlice, IoSliceMut, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A connection on every door. Reads come from `input`, at most `max_read`
/// bytes a call (and `fill_buf` shows at most that many); writes go to
/// `written`, at most `max_write` bytes a call (cycling through the limits
/// when there are several), gathered across the slices of a vectored write.
///
/// On the calls its `hiccups` pattern marks (cycled over all calls, reads and
/// writes alike), a call first hiccups: the async doors wake the task and
/// return `Pending`, the blocking door returns `blocking_hiccup`
/// (`Interrupted` unless set, which std's loops retry).
///
/// Reads and writes allocate nothing beyond `written`'s growth (and
/// `accepted`'s, when on), so the allocation tests can use it.
#[derive(Debug, Clone)]
pub struct Mock {
    pub input: Vec<u8>,
    pub pos: usize,
    pub max_read: usize,
    pub written: Vec<u8>,
    /// The length of each accepted write, when switched on with
    /// [`Mock::log_writes`].
    pub accepted: Option<Vec<usize>>,
    pub max_write: Vec<usize>,
    /// Every write fails with this (and accepts nothing).
    pub write_error: Option<ErrorKind>,
    /// Every flush fails with this.
    pub flush_error: Option<ErrorKind>,
    pub hiccups: Vec<bool>,
    pub blocking_hiccup: ErrorKind,
    /// Every read, write, flush, close and `fill_buf` call, hiccups included.
    pub calls: usize,
    /// Write calls that got past a hiccup (they pick the next `max_write`).
    pub writes: usize,
    pub flushes: usize,
    pub closes: usize,
}

impl Default for Mock {
    fn default() -> Self {
        Mock {
            input: Vec::new(),
            pos: 0,
            max_read: usize::MAX,
            written: Vec::new(),
            accepted: None,
            max_write: vec![usize::MAX],
            write_error: None,
            flush_error: None,
            hiccups: Vec::new(),
            blocking_hiccup: ErrorKind::Interrupted,
            calls: 0,
            writes: 0,
            flushes: 0,
            closes: 0,
        }
    }
}

impl Mock {
    pub fn new() -> Self {
        Self::default()
    }

    /// A reader of `input`.
    pub fn reading(input: impl Into<Vec<u8>>) -> Self {
        Self::new().input(input)
    }

    pub fn input(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.input = input.into();
        self
    }

    pub fn max_read(mut self, n: usize) -> Self {
        self.max_read = n;
        self
    }

    pub fn max_write(self, n: usize) -> Self {
        self.max_writes(vec![n])
    }

    /// Write limits, one per write call, cycled.
    pub fn max_writes(mut self, limits: Vec<usize>) -> Self {
        assert!(!limits.is_empty(), "no write limit");
        self.max_write = limits;
        self
    }

    /// Records the length of each accepted write in `accepted`.
    pub fn log_writes(mut self) -> Self {
        self.accepted = Some(Vec::new());
        self
    }

    /// Hiccups on every other call, starting with the first.
    pub fn alternate(self) -> Self {
        self.hiccups(vec![true, false])
    }

    pub fn hiccups(mut self, pattern: Vec<bool>) -> Self {
        assert!(
            pattern.is_empty() || pattern.contains(&false),
            "a mock that always hiccups never makes progress"
        );
        self.hiccups = pattern;
        self
    }

    pub fn blocking_hiccup(mut self, kind: ErrorKind) -> Self {
        self.blocking_hiccup = kind;
        self
    }

    pub fn flush_error(mut self, kind: ErrorKind) -> Self {
        self.flush_error = Some(kind);
        self
    }

    /// The written bytes, split as the mock accepted them.
    ///
    /// # Panics
    ///
    /// Without [`Mock::log_writes`].
    #[track_caller]
    pub fn accepted_writes(&self) -> Vec<Vec<u8>> {
        let lens = self.accepted.as_ref().expect("Mock::log_writes is off");
        let mut at = 0;
        lens.iter()
            .map(|&n| {
                at += n;
                self.written[at - n..at].to_vec()
            })
            .collect()
    }

    /// Forgets what was written (keeping the buffers' capacity).
    pub fn clear_written(&mut self) {
        self.written.clear();
        if let Some(lens) = &mut self.accepted {
            lens.clear();
        }
    }

    /// Counts a call; whether it hiccups.
    fn hiccup(&mut self) -> bool {
        let h = !self.hiccups.is_empty() && self.hiccups[self.calls % self.hiccups.len()];
        self.calls += 1;
        h
    }

    /// A blocking call's hiccup.
    fn blocking(&mut self) -> io::Result<()> {
        if self.hiccup() {
            Err(self.blocking_hiccup.into())
        } else {
            Ok(())
        }
    }

    /// An async call's hiccup: `Pending`, after waking the task.
    fn gate(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.hiccup() {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }

    fn available(&self) -> &[u8] {
        let end = self.input.len().min(self.pos.saturating_add(self.max_read));
        &self.input[self.pos..end]
    }

    fn produce<'a>(&mut self, bufs: impl IntoIterator<Item = &'a mut [u8]>) -> usize {
        let mut left = self.available().len();
        let start = self.pos;
        for buf in bufs {
            let n = left.min(buf.len());
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            left -= n;
            if left == 0 {
                break;
            }
        }
        self.pos - start
    }

    fn accept<'a>(&mut self, bufs: impl IntoIterator<Item = &'a [u8]>) -> io::Result<usize> {
        if let Some(kind) = self.write_error {
            return Err(io::Error::new(kind, "mock write error"));
        }
        let limit = self.max_write[self.writes % self.max_write.len()];
        self.writes += 1;
        let mut left = limit;
        for buf in bufs {
            let n = left.min(buf.len());
            self.written.extend_from_slice(&buf[..n]);
            left -= n;
            if left == 0 {
                break;
            }
        }
        let n = limit - left;
        if let Some(lens) = &mut self.accepted {
            if n > 0 {
                lens.push(n);
            }
        }
        Ok(n)
    }

    fn do_flush(&mut self) -> io::Result<()> {
        if let Some(kind) = self.flush_error {
            return Err(kind.into());
        }
        self.flushes += 1;
        Ok(())
    }

    fn do_close(&mut self) -> io::Result<()> {
        self.closes += 1;
        Ok(())
    }
}

impl Read for Mock {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.blocking()?;
        Ok(self.produce([buf]))
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.blocking()?;
        Ok(self.produce(bufs.iter_mut().map(|b| &mut **b)))
    }
}

impl BufRead for Mock {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.blocking()?;
        Ok(self.available())
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt;
    }
}

impl Write for Mock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.blocking()?;
        self.accept([buf])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.blocking()?;
        self.accept(bufs.iter().map(|b| &**b))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.blocking()?;
        self.do_flush()
    }
}

/// `ready!` for the mock's hiccup gate.
macro_rules! gate {
    ($this:expr, $cx:expr) => {
        if $this.gate($cx).is_pending() {
            return Poll::Pending;
        }
    };
}

impl futures::io::AsyncRead for Mock {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(Ok(this.produce([buf])))
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(Ok(this.produce(bufs.iter_mut().map(|b| &mut **b))))
    }
}

impl futures::io::AsyncBufRead for Mock {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(Ok(this.available()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().pos += amt;
    }
}

impl futures::io::AsyncWrite for Mock {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(this.accept([buf]))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(this.accept(bufs.iter().map(|b| &**b)))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(this.do_flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        gate!(this, cx);
        Poll::Ready(this.do_close())
    }
}

impl tokio::io::AsyncRead for Mock {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        gate!(this, cx);
        let n = this.produce([buf.initialize_unfilled()]);
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncBufRead for Mock {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        futures::io::AsyncBufRead::poll_fill_buf(self, cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        futures::io::AsyncBufRead::consume(self, amt);
    }
}

impl tokio::io::AsyncWrite for Mock {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write(self, cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write_vectored(self, cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_flush(self, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_close(self, cx)
    }
}
