//! [`Door`]: how the tee writers call a wrapped writer through one front door.
//!
//! [`MultiWriter`](crate::MultiWriter) and [`TeeReader`](crate::TeeReader)
//! each have one core that every front door drives. A door turns one call on
//! a writer into a `Poll`: the async doors pass the writer's own `Poll`
//! through, the blocking door maps `WouldBlock` to `Pending` (and back again
//! at the front, with [`unpoll`]), so one state machine serves blocking,
//! futures and tokio callers alike. A `TeeReader`'s reads of its reader go
//! through the same door value (each door file reads with the door's context).

use std::io::{self, ErrorKind, IoSlice, Write};
use std::task::Poll;

/// What a flush-like call asks of each writer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Finish {
    /// `flush` / `poll_flush`.
    Flush,
    /// `poll_close` / `poll_shutdown` (the blocking door flushes instead).
    #[cfg_attr(not(any(feature = "futures", feature = "tokio")), allow(dead_code))]
    Close,
}

/// One front door's way of calling a writer `W`, as a `Poll`.
pub(crate) trait Door<W: ?Sized> {
    /// One `write` / `poll_write`.
    fn write(&mut self, w: &mut W, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// One `write_vectored` / `poll_write_vectored`.
    fn write_vectored(&mut self, w: &mut W, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>>;
    /// One `flush` / `poll_flush`, or `poll_close` / `poll_shutdown`.
    fn finish(&mut self, w: &mut W, how: Finish) -> Poll<io::Result<()>>;
}

/// Maps a blocking call's `WouldBlock` to `Pending`, so a nonblocking writer
/// (or reader) gets the same hold-and-resume treatment as an async one.
#[inline]
pub(crate) fn blocking<T>(r: io::Result<T>) -> Poll<io::Result<T>> {
    match r {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Poll::Pending,
        r => Poll::Ready(r),
    }
}

/// The inverse of [`blocking`], used at the blocking front door.
#[inline]
pub(crate) fn unpoll<T>(p: Poll<io::Result<T>>) -> io::Result<T> {
    match p {
        Poll::Ready(r) => r,
        Poll::Pending => Err(ErrorKind::WouldBlock.into()),
    }
}

/// The blocking door: `std::io::Write`.
pub(crate) struct BlockingDoor;

impl<W: Write + ?Sized> Door<W> for BlockingDoor {
    #[inline]
    fn write(&mut self, w: &mut W, buf: &[u8]) -> Poll<io::Result<usize>> {
        blocking(w.write(buf))
    }

    #[inline]
    fn write_vectored(&mut self, w: &mut W, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        blocking(w.write_vectored(bufs))
    }

    #[inline]
    fn finish(&mut self, w: &mut W, _how: Finish) -> Poll<io::Result<()>> {
        blocking(w.flush())
    }
}

/// The futures door: `futures::io::AsyncWrite`, polled with the caller's
/// context. A pinned writer goes in as `Pin<&mut W>`, which is `Unpin`.
#[cfg(feature = "futures")]
pub(crate) struct FuturesDoor<'a, 'b>(pub(crate) &'a mut std::task::Context<'b>);

#[cfg(feature = "futures")]
impl<W: futures_io::AsyncWrite + Unpin + ?Sized> Door<W> for FuturesDoor<'_, '_> {
    #[inline]
    fn write(&mut self, w: &mut W, buf: &[u8]) -> Poll<io::Result<usize>> {
        std::pin::Pin::new(w).poll_write(self.0, buf)
    }

    #[inline]
    fn write_vectored(&mut self, w: &mut W, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        std::pin::Pin::new(w).poll_write_vectored(self.0, bufs)
    }

    fn finish(&mut self, w: &mut W, how: Finish) -> Poll<io::Result<()>> {
        match how {
            Finish::Flush => std::pin::Pin::new(w).poll_flush(self.0),
            Finish::Close => std::pin::Pin::new(w).poll_close(self.0),
        }
    }
}

/// The tokio door: `tokio::io::AsyncWrite`, polled with the caller's
/// context. A pinned writer goes in as `Pin<&mut W>`, which is `Unpin`.
#[cfg(feature = "tokio")]
pub(crate) struct TokioDoor<'a, 'b>(pub(crate) &'a mut std::task::Context<'b>);

#[cfg(feature = "tokio")]
impl<W: tokio::io::AsyncWrite + Unpin + ?Sized> Door<W> for TokioDoor<'_, '_> {
    #[inline]
    fn write(&mut self, w: &mut W, buf: &[u8]) -> Poll<io::Result<usize>> {
        std::pin::Pin::new(w).poll_write(self.0, buf)
    }

    #[inline]
    fn write_vectored(&mut self, w: &mut W, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        std::pin::Pin::new(w).poll_write_vectored(self.0, bufs)
    }

    fn finish(&mut self, w: &mut W, how: Finish) -> Poll<io::Result<()>> {
        match how {
            Finish::Flush => std::pin::Pin::new(w).poll_flush(self.0),
            Finish::Close => std::pin::Pin::new(w).poll_shutdown(self.0),
        }
    }
}
