//! The tokio door: `tokio::io::AsyncRead` and `AsyncWrite`, each a
//! one-line call into the core.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::direction::Door;
use super::end::PipeEnd;
use super::half::{ReadHalf, WriteHalf};

macro_rules! tokio_read {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let $s = &*self;
                $half.poll_read_buf(cx, Door::Tokio, buf).map_ok(drop)
            }
        }
    )*};
}

macro_rules! tokio_write {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let $s = &*self;
                $half.poll_write_one(cx, Door::Tokio, buf)
            }
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let $s = &*self;
                $half.poll_write_many(cx, Door::Tokio, bufs)
            }
            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $s = &*self;
                Poll::Ready($half.flush_now())
            }
            fn is_write_vectored(&self) -> bool {
                true
            }
            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $s = &*self;
                Poll::Ready($half.shutdown_write())
            }
        }
    )*};
}

tokio_read! {
    PipeEnd => |end| end.read_half();
    ReadHalf => |half| half;
}

tokio_write! {
    PipeEnd => |end| end.write_half();
    WriteHalf => |half| half;
}
