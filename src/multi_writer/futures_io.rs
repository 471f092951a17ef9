//! The futures door: `futures::io::AsyncWrite` for `MultiWriter`, each method a
//! call into the [round](super::round) state machine.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::MultiWriter;
use crate::door::{Finish, FuturesDoor};

/// See the [type docs](MultiWriter#pending-writers-async-and-nonblocking-writers)
/// for how `Pending` writers are handled.
///
/// # Errors
///
/// As for the blocking [`Write`](std::io::Write) impl; an error from a held round is reported
/// by the call that tried to finish it.
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<W: futures_io::AsyncWrite + Unpin> futures_io::AsyncWrite for MultiWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.rounds
            .poll_write(&mut this.writers, &mut FuturesDoor(cx), buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.rounds
            .poll_write_vectored(&mut this.writers, &mut FuturesDoor(cx), bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.rounds
            .poll_finish(&mut this.writers, &mut FuturesDoor(cx), Finish::Flush)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.rounds
            .poll_finish(&mut this.writers, &mut FuturesDoor(cx), Finish::Close)
    }
}
