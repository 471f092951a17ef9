//! A tiny stand-in for `pipetap::Recording` / `pipetap::Tape` (API.md section 3),
//! used by the `stack_*` tests until the real recording lands.
//!
//! The names mirror the real API on purpose so that switching is mechanical:
//!
//! | here                          | pipetap                        |
//! |-------------------------------|--------------------------------|
//! | `use stacks_common::CaptureExt` | `use pipetap::RecordExt`     |
//! | `conn.capture()`              | `conn.record()`                |
//! | `Capture<C>`                  | `Recording<C>`                 |
//! | `.capture_reads()`            | `.record_reads()`              |
//! | `Capture::with_tape(c, t)`    | `Recording::with_tape(c, t)`   |
//! | `CaptureTape`                 | `Tape`                         |
//! | `tape.bytes()`, `writes()`, `reads()`, `assert_written(..)`, `to_string_lossy()` | same |
//!
//! Only the tokio traits are implemented: that is all the stacks here need.
#![allow(dead_code)]

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

#[derive(Default, Debug)]
struct Log {
    writes: Vec<Bytes>,
    reads: Vec<Bytes>,
}

/// Shared handle to what a [`Capture`] saw. Outlives the connection.
#[derive(Clone, Default, Debug)]
pub struct CaptureTape {
    log: Arc<Mutex<Log>>,
}

impl CaptureTape {
    /// All written bytes, concatenated.
    pub fn bytes(&self) -> Bytes {
        concat(&self.log.lock().unwrap().writes)
    }

    /// One entry per accepted write (so framing can be checked).
    pub fn writes(&self) -> Vec<Bytes> {
        self.log.lock().unwrap().writes.clone()
    }

    /// One entry per read that returned data (only with `capture_reads`).
    pub fn reads(&self) -> Vec<Bytes> {
        self.log.lock().unwrap().reads.clone()
    }

    /// All read bytes, concatenated (only with `capture_reads`).
    pub fn read_bytes(&self) -> Bytes {
        concat(&self.log.lock().unwrap().reads)
    }

    /// The written bytes as text, invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// Panics unless the written bytes are exactly `expected`.
    #[track_caller]
    pub fn assert_written(&self, expected: impl AsRef<[u8]>) {
        let got = self.bytes();
        let expected = expected.as_ref();
        assert!(
            got.as_ref() == expected,
            "written bytes differ\n got ({} bytes): {:?}\nwant ({} bytes): {:?}",
            got.len(),
            String::from_utf8_lossy(&got),
            expected.len(),
            String::from_utf8_lossy(expected),
        );
    }

    /// Panics unless the read bytes are exactly `expected`.
    #[track_caller]
    pub fn assert_read(&self, expected: impl AsRef<[u8]>) {
        let got = self.read_bytes();
        let expected = expected.as_ref();
        assert!(
            got.as_ref() == expected,
            "read bytes differ\n got ({} bytes): {:?}\nwant ({} bytes): {:?}",
            got.len(),
            String::from_utf8_lossy(&got),
            expected.len(),
            String::from_utf8_lossy(expected),
        );
    }
}

fn concat(chunks: &[Bytes]) -> Bytes {
    let mut all = Vec::with_capacity(chunks.iter().map(Bytes::len).sum());
    for chunk in chunks {
        all.extend_from_slice(chunk);
    }
    Bytes::from(all)
}

/// Wraps a connection; every byte the inner connection *accepted* is logged.
#[derive(Debug)]
pub struct Capture<C> {
    inner: C,
    tape: CaptureTape,
    reads: bool,
}

impl<C> Capture<C> {
    pub fn new(inner: C) -> Self {
        Capture {
            inner,
            tape: CaptureTape::default(),
            reads: false,
        }
    }

    /// Records onto an existing (shared) tape; mirrors `Recording::with_tape`.
    pub fn with_tape(inner: C, tape: CaptureTape) -> Self {
        Capture {
            inner,
            tape,
            reads: false,
        }
    }

    /// Also log reads.
    pub fn capture_reads(mut self) -> Self {
        self.reads = true;
        self
    }

    pub fn tape(&self) -> CaptureTape {
        self.tape.clone()
    }

    pub fn get_ref(&self) -> &C {
        &self.inner
    }

    pub fn into_inner(self) -> C {
        self.inner
    }
}

/// `conn.capture()` mirrors `pipetap::RecordExt::record`.
pub trait CaptureExt: Sized {
    fn capture(self) -> (Capture<Self>, CaptureTape) {
        let c = Capture::new(self);
        let tape = c.tape();
        (c, tape)
    }
}

impl<C> CaptureExt for C {}

impl<C: AsyncRead + Unpin> AsyncRead for Capture<C> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        if this.reads {
            if let Poll::Ready(Ok(())) = res {
                let new = &buf.filled()[before..];
                if !new.is_empty() {
                    let chunk = Bytes::copy_from_slice(new);
                    this.tape.log.lock().unwrap().reads.push(chunk);
                }
            }
        }
        res
    }
}

impl<C: AsyncWrite + Unpin> AsyncWrite for Capture<C> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let res = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = res {
            if n > 0 {
                let chunk = Bytes::copy_from_slice(&buf[..n]);
                this.tape.log.lock().unwrap().writes.push(chunk);
            }
        }
        res
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
    // Vectored writes fall back to the default (first non-empty slice), which
    // keeps the log exact without gathering logic in a test helper.
}
