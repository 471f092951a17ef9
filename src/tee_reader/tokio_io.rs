//! The tokio door: `tokio::io::AsyncRead` and `AsyncBufRead` for
//! `TeeReader`, each a call into the [tee state](super::state).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

use super::TeeReader;
use crate::door::TokioDoor;

/// # Errors
///
/// As for the blocking [`Read`](std::io::Read) impl.
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<R: AsyncRead, W: AsyncWrite> AsyncRead for TeeReader<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let (mut r, mut w) = (this.reader, this.writer);
        let n = ready!(this.state.poll_read(
            &mut TokioDoor(cx),
            &mut w,
            buf.initialize_unfilled(),
            |door, b| {
                let mut rb = ReadBuf::new(b);
                ready!(r.as_mut().poll_read(door.0, &mut rb))?;
                Poll::Ready(Ok(rb.filled().len()))
            },
        ))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// Tees at fill time, as the blocking [`BufRead`](std::io::BufRead) impl does.
///
/// # Errors
///
/// As for the blocking [`BufRead`](std::io::BufRead) impl (`Pending` where that
/// returns `WouldBlock`).
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<R: AsyncBufRead, W: AsyncWrite> AsyncBufRead for TeeReader<R, W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.project();
        let mut w = this.writer;
        if this.state.is_holding() {
            return this.state.poll_fill_held(&mut TokioDoor(cx), &mut w);
        }
        let buf = ready!(this.reader.poll_fill_buf(cx))?;
        this.state.poll_fill_from(buf, &mut TokioDoor(cx), &mut w)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.project();
        let r = this.reader;
        this.state.consume(amt, |amt| r.consume(amt));
    }
}
