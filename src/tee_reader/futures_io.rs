//! The futures door: `futures::io::AsyncRead` and `AsyncBufRead` for
//! `TeeReader`, each a call into the [tee state](super::state).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

use super::TeeReader;
use crate::door::FuturesDoor;

/// # Errors
///
/// As for the blocking [`Read`](std::io::Read) impl.
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<R: AsyncRead, W: AsyncWrite> AsyncRead for TeeReader<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let (mut r, mut w) = (this.reader, this.writer);
        this.state
            .poll_read(&mut FuturesDoor(cx), &mut w, buf, |door, b| {
                r.as_mut().poll_read(door.0, b)
            })
    }
}

/// Tees at fill time, as the blocking [`BufRead`](std::io::BufRead) impl does.
///
/// # Errors
///
/// As for the blocking [`BufRead`](std::io::BufRead) impl (`Pending` where that
/// returns `WouldBlock`).
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<R: AsyncBufRead, W: AsyncWrite> AsyncBufRead for TeeReader<R, W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let mut w = this.writer;
        if this.state.is_holding() {
            return this.state.poll_fill_held(&mut FuturesDoor(cx), &mut w);
        }
        let buf = ready!(this.reader.poll_fill_buf(cx))?;
        this.state.poll_fill_from(buf, &mut FuturesDoor(cx), &mut w)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        let r = this.reader;
        this.state.consume(amt, |amt| r.consume(amt));
    }
}
