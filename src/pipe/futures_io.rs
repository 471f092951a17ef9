//! The futures door: `futures::io::AsyncRead` and `AsyncWrite`, each a
//! one-line call into the core.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::direction::Door;
use super::end::PipeEnd;
use super::half::{ReadHalf, WriteHalf};

macro_rules! futures_read {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let $s = &*self;
                $half.poll_read_slice(cx, Door::Futures, buf)
            }
        }
    )*};
}

macro_rules! futures_write {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let $s = &*self;
                $half.poll_write_one(cx, Door::Futures, buf)
            }
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let $s = &*self;
                $half.poll_write_many(cx, Door::Futures, bufs)
            }
            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $s = &*self;
                Poll::Ready($half.flush_now())
            }
            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $s = &*self;
                Poll::Ready($half.shutdown_write())
            }
        }
    )*};
}

futures_read! {
    PipeEnd => |end| end.read_half();
    ReadHalf => |half| half;
}

futures_write! {
    PipeEnd => |end| end.write_half();
    WriteHalf => |half| half;
}
