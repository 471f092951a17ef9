//! Test writers and readers for the tee tests (MultiWriter, TeeReader): short
//! writes, hiccups (`Pending` that wakes itself, or `Interrupted` /
//! `WouldBlock` for blocking callers), and a gate that stays `Pending` until the
//! test opens it.
#![allow(dead_code)]

use std::io::{self, ErrorKind, IoSlice, Read, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// A writer that accepts at most `limit` bytes per call and, on the calls its
/// `hiccups` pattern marks (cycled), first hiccups: async doors return
/// `Pending` after waking the task; the blocking door returns `blocking_hiccup`.
#[derive(Debug, Clone)]
pub struct MockWriter {
    pub data: Vec<u8>,
    pub limit: usize,
    pub hiccups: Vec<bool>,
    pub blocking_hiccup: ErrorKind,
    pub calls: usize,
    pub flushes: usize,
    pub closes: usize,
}

impl Default for MockWriter {
    fn default() -> Self {
        Self {
            data: Vec::new(),
            limit: usize::MAX,
            hiccups: Vec::new(),
            blocking_hiccup: ErrorKind::Interrupted,
            calls: 0,
            flushes: 0,
            closes: 0,
        }
    }
}

impl MockWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Hiccups on every other call, starting with the first.
    pub fn alternate(self) -> Self {
        self.hiccups(vec![true, false])
    }

    pub fn hiccups(mut self, pattern: Vec<bool>) -> Self {
        assert!(
            pattern.is_empty() || pattern.contains(&false),
            "a writer that always hiccups never makes progress"
        );
        self.hiccups = pattern;
        self
    }

    pub fn blocking_hiccup(mut self, kind: ErrorKind) -> Self {
        self.blocking_hiccup = kind;
        self
    }

    fn hiccup(&mut self) -> bool {
        let h = !self.hiccups.is_empty() && self.hiccups[self.calls % self.hiccups.len()];
        self.calls += 1;
        h
    }

    fn accept(&mut self, buf: &[u8]) -> usize {
        let n = buf.len().min(self.limit);
        self.data.extend_from_slice(&buf[..n]);
        n
    }

    /// Gathers up to `limit` bytes across the slices.
    fn accept_vectored(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        let mut left = self.limit;
        for b in bufs {
            let n = b.len().min(left);
            self.data.extend_from_slice(&b[..n]);
            left -= n;
            if left == 0 {
                break;
            }
        }
        self.limit - left
    }

    fn poll_hiccup(&mut self, cx: &mut Context<'_>) -> bool {
        if self.hiccup() {
            cx.waker().wake_by_ref();
            true
        } else {
            false
        }
    }
}

impl Write for MockWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.hiccup() {
            return Err(self.blocking_hiccup.into());
        }
        Ok(self.accept(buf))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if self.hiccup() {
            return Err(self.blocking_hiccup.into());
        }
        Ok(self.accept_vectored(bufs))
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.hiccup() {
            return Err(self.blocking_hiccup.into());
        }
        self.flushes += 1;
        Ok(())
    }
}

impl futures::io::AsyncWrite for MockWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.poll_hiccup(cx) {
            return Poll::Pending;
        }
        Poll::Ready(Ok(this.accept(buf)))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.poll_hiccup(cx) {
            return Poll::Pending;
        }
        Poll::Ready(Ok(this.accept_vectored(bufs)))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.poll_hiccup(cx) {
            return Poll::Pending;
        }
        this.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.poll_hiccup(cx) {
            return Poll::Pending;
        }
        this.closes += 1;
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for MockWriter {
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

/// A reader over `data` that returns at most `limit` bytes per call and
/// hiccups like [`MockWriter`].
#[derive(Debug, Clone)]
pub struct MockReader {
    pub data: Vec<u8>,
    pub pos: usize,
    pub limit: usize,
    pub hiccups: Vec<bool>,
    pub blocking_hiccup: ErrorKind,
    pub calls: usize,
}

impl MockReader {
    pub fn new(data: Vec<u8>) -> Self {
        Self {
            data,
            pos: 0,
            limit: usize::MAX,
            hiccups: Vec::new(),
            blocking_hiccup: ErrorKind::Interrupted,
            calls: 0,
        }
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn hiccups(mut self, pattern: Vec<bool>) -> Self {
        assert!(pattern.is_empty() || pattern.contains(&false));
        self.hiccups = pattern;
        self
    }

    fn hiccup(&mut self) -> bool {
        let h = !self.hiccups.is_empty() && self.hiccups[self.calls % self.hiccups.len()];
        self.calls += 1;
        h
    }

    fn produce(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.limit).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

impl Read for MockReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hiccup() {
            return Err(self.blocking_hiccup.into());
        }
        Ok(self.produce(buf))
    }
}

impl futures::io::AsyncRead for MockReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.hiccup() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Ok(this.produce(buf)))
    }
}

impl tokio::io::AsyncRead for MockReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.hiccup() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let n = this.produce(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[derive(Debug, Default)]
struct GateState {
    open: bool,
    waker: Option<Waker>,
    data: Vec<u8>,
    write_calls: usize,
    flushes: usize,
    closes: usize,
    fail: Option<ErrorKind>,
}

/// The test's handle on a [`GateWriter`]: while the gate is shut every call
/// is `Pending` (and the waker is stored); `open` wakes it.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<Mutex<GateState>>);

impl Gate {
    pub fn writer(&self) -> GateWriter {
        GateWriter(self.clone())
    }

    pub fn open(&self) {
        let waker = {
            let mut s = self.0.lock().unwrap();
            s.open = true;
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub fn shut(&self) {
        self.0.lock().unwrap().open = false;
    }

    /// The next call fails with `kind` (once), whether or not the gate is open.
    pub fn fail_next(&self, kind: ErrorKind) {
        let waker = {
            let mut s = self.0.lock().unwrap();
            s.fail = Some(kind);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub fn data(&self) -> Vec<u8> {
        self.0.lock().unwrap().data.clone()
    }

    pub fn write_calls(&self) -> usize {
        self.0.lock().unwrap().write_calls
    }

    pub fn flushes(&self) -> usize {
        self.0.lock().unwrap().flushes
    }

    pub fn closes(&self) -> usize {
        self.0.lock().unwrap().closes
    }
}

/// See [`Gate`].
#[derive(Debug)]
pub struct GateWriter(Gate);

impl GateWriter {
    fn call<T>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut GateState) -> T,
    ) -> Poll<io::Result<T>> {
        let mut s = self.0 .0.lock().unwrap();
        if let Some(kind) = s.fail.take() {
            return Poll::Ready(Err(kind.into()));
        }
        if !s.open {
            s.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Poll::Ready(Ok(f(&mut s)))
    }
}

impl futures::io::AsyncWrite for GateWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().call(cx, |s| {
            s.write_calls += 1;
            s.data.extend_from_slice(buf);
            buf.len()
        })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().call(cx, |s| s.flushes += 1)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().call(cx, |s| s.closes += 1)
    }
}

impl tokio::io::AsyncWrite for GateWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write(self, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_flush(self, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_close(self, cx)
    }
}

/// A blocking writer that behaves according to a script of per-call results:
/// `Ok(n)` claims `n` bytes (and stores `min(n, len)` of them), `Err(kind)`
/// fails. After the script it accepts everything.
#[derive(Debug, Default, Clone)]
pub struct Scripted {
    pub script: std::collections::VecDeque<Result<usize, ErrorKind>>,
    pub data: Vec<u8>,
    pub calls: usize,
}

impl Scripted {
    pub fn new(script: impl IntoIterator<Item = Result<usize, ErrorKind>>) -> Self {
        Self {
            script: script.into_iter().collect(),
            ..Self::default()
        }
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        match self.script.pop_front() {
            None => {
                self.data.extend_from_slice(buf);
                Ok(buf.len())
            }
            Some(Ok(n)) => {
                self.data.extend_from_slice(&buf[..n.min(buf.len())]);
                Ok(n)
            }
            Some(Err(kind)) => Err(kind.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A shared in-memory sink, so a test can keep a handle on a writer it moved.
#[derive(Debug, Clone, Default)]
pub struct SharedSink(pub Arc<Mutex<Vec<u8>>>);

impl SharedSink {
    pub fn data(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl Write for SharedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
