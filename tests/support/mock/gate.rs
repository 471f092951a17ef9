//! [`Gate`]: a writer that stays `Pending` until the test opens it, for
//! poll-level tests of what is held while a writer waits.

use std::io::{self, ErrorKind, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

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

/// The test's handle on a [`GateWriter`]: while the gate is shut every async
/// call is `Pending` (and the waker is stored), every blocking one
/// `WouldBlock`; `open` wakes the task.
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

    /// A blocking call: `WouldBlock` while the gate is shut, as from a
    /// nonblocking socket (it stores a no-op waker in place of a task's).
    fn call_now<T>(&mut self, f: impl FnOnce(&mut GateState) -> T) -> io::Result<T> {
        match self.call(&mut Context::from_waker(Waker::noop()), f) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(ErrorKind::WouldBlock.into()),
        }
    }
}

fn write_into(s: &mut GateState, buf: &[u8]) -> usize {
    s.write_calls += 1;
    s.data.extend_from_slice(buf);
    buf.len()
}

impl Write for GateWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.call_now(|s| write_into(s, buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.call_now(|s| s.flushes += 1)
    }
}

impl futures::io::AsyncWrite for GateWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().call(cx, |s| write_into(s, buf))
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
