//! The front doors of pipetap's types (blocking `std::io`, `futures::io`,
//! `tokio::io`), and one poll of a call through any of them, so a single test
//! body can run against every door.
//!
//! This file uses only `std`, `futures-io` and `tokio`'s traits, so that the
//! fuzz target can include it too (through `tests/model/mod.rs`). A door that
//! is not compiled in (its pipetap feature is off) stays a variant, so a
//! scenario can name it; calling through it panics.

use std::io::{self, BufRead, IoSlice, Read, Write};
#[cfg(any(feature = "futures", feature = "tokio"))]
use std::pin::Pin;
use std::task::{Context, Poll};

/// A front door: which trait family a call goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Door {
    /// `std::io::Read` / `BufRead` / `Write`.
    Blocking,
    /// `futures::io::AsyncRead` / `AsyncBufRead` / `AsyncWrite`.
    Futures,
    /// `tokio::io::AsyncRead` / `AsyncBufRead` / `AsyncWrite`.
    Tokio,
}

impl Door {
    /// Every door, compiled in or not.
    pub const ALL: [Door; 3] = [Door::Blocking, Door::Futures, Door::Tokio];

    /// Whether pipetap's impls for this door are compiled in.
    pub fn is_compiled(self) -> bool {
        match self {
            Door::Blocking => true,
            Door::Futures => cfg!(feature = "futures"),
            Door::Tokio => cfg!(feature = "tokio"),
        }
    }

    /// The doors compiled in, blocking first.
    pub fn compiled() -> Vec<Door> {
        Door::ALL.into_iter().filter(|d| d.is_compiled()).collect()
    }

    /// Whether this is an async door (a call can return `Pending`).
    pub fn is_async(self) -> bool {
        self != Door::Blocking
    }

    /// Panics: this door's pipetap feature is off.
    #[track_caller]
    pub fn missing(self) -> ! {
        panic!("door {self:?} is not compiled in (its pipetap feature is off)")
    }
}

/// Declares `$name` as the door's trait when `$feature` is on, and as a trait
/// every type has when it is off, so that [`DoorRead`] and friends can name
/// all three doors in every build.
macro_rules! door_trait {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $($bound:tt)+) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub trait $name: $($bound)+ {}
        #[cfg(feature = $feature)]
        impl<T: $($bound)+ + ?Sized> $name for T {}
        $(#[$doc])*
        #[cfg(not(feature = $feature))]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T: ?Sized> $name for T {}
    };
}

door_trait!(
    /// `futures::io::AsyncRead`, when the futures door is compiled in.
    FuturesRead, "futures", futures_io::AsyncRead
);
door_trait!(
    /// `futures::io::AsyncBufRead`, when the futures door is compiled in.
    FuturesBufRead, "futures", futures_io::AsyncBufRead
);
door_trait!(
    /// `futures::io::AsyncWrite`, when the futures door is compiled in.
    FuturesWrite, "futures", futures_io::AsyncWrite
);
door_trait!(
    /// `tokio::io::AsyncRead`, when the tokio door is compiled in.
    TokioRead, "tokio", tokio::io::AsyncRead
);
door_trait!(
    /// `tokio::io::AsyncBufRead`, when the tokio door is compiled in.
    TokioBufRead, "tokio", tokio::io::AsyncBufRead
);
door_trait!(
    /// `tokio::io::AsyncWrite`, when the tokio door is compiled in.
    TokioWrite, "tokio", tokio::io::AsyncWrite
);

/// A reader with every compiled-in door.
pub trait DoorRead: Read + FuturesRead + TokioRead + Unpin {}
impl<T: Read + FuturesRead + TokioRead + Unpin + ?Sized> DoorRead for T {}

/// A buffered reader with every compiled-in door.
pub trait DoorBufRead: BufRead + DoorRead + FuturesBufRead + TokioBufRead {}
impl<T: BufRead + DoorRead + FuturesBufRead + TokioBufRead + ?Sized> DoorBufRead for T {}

/// A writer with every compiled-in door.
pub trait DoorWrite: Write + FuturesWrite + TokioWrite + Unpin {}
impl<T: Write + FuturesWrite + TokioWrite + Unpin + ?Sized> DoorWrite for T {}

/// One poll of one call. The blocking door makes the blocking call and is
/// always `Ready` with its result (`WouldBlock` included: the caller decides
/// what it means); std has no close, so its `poll_close` is `Ok(())`.
impl Door {
    pub fn poll_read<R: DoorRead + ?Sized>(
        self,
        r: &mut R,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let _ = &cx;
        match self {
            Door::Blocking => Poll::Ready(r.read(buf)),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncRead::poll_read(Pin::new(r), cx, buf),
            #[cfg(feature = "tokio")]
            Door::Tokio => {
                let mut rb = tokio::io::ReadBuf::new(buf);
                tokio::io::AsyncRead::poll_read(Pin::new(r), cx, &mut rb)
                    .map_ok(|()| rb.filled().len())
            }
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub fn poll_fill_buf<'a, R: DoorBufRead + ?Sized>(
        self,
        r: &'a mut R,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<&'a [u8]>> {
        let _ = &cx;
        match self {
            Door::Blocking => Poll::Ready(r.fill_buf()),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncBufRead::poll_fill_buf(Pin::new(r), cx),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncBufRead::poll_fill_buf(Pin::new(r), cx),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub fn consume<R: DoorBufRead + ?Sized>(self, r: &mut R, amt: usize) {
        match self {
            Door::Blocking => r.consume(amt),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncBufRead::consume(Pin::new(r), amt),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncBufRead::consume(Pin::new(r), amt),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub fn poll_write<W: DoorWrite + ?Sized>(
        self,
        w: &mut W,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let _ = &cx;
        match self {
            Door::Blocking => Poll::Ready(w.write(buf)),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncWrite::poll_write(Pin::new(w), cx, buf),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWrite::poll_write(Pin::new(w), cx, buf),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub fn poll_write_vectored<W: DoorWrite + ?Sized>(
        self,
        w: &mut W,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let _ = &cx;
        match self {
            Door::Blocking => Poll::Ready(w.write_vectored(bufs)),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncWrite::poll_write_vectored(Pin::new(w), cx, bufs),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWrite::poll_write_vectored(Pin::new(w), cx, bufs),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub fn poll_flush<W: DoorWrite + ?Sized>(
        self,
        w: &mut W,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let _ = &cx;
        match self {
            Door::Blocking => Poll::Ready(w.flush()),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncWrite::poll_flush(Pin::new(w), cx),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWrite::poll_flush(Pin::new(w), cx),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    /// `poll_close` (futures) / `poll_shutdown` (tokio); `Ok(())` on the
    /// blocking door, which has no close in std.
    pub fn poll_close<W: DoorWrite + ?Sized>(
        self,
        w: &mut W,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let _ = (&w, &cx);
        match self {
            Door::Blocking => Poll::Ready(Ok(())),
            #[cfg(feature = "futures")]
            Door::Futures => futures_io::AsyncWrite::poll_close(Pin::new(w), cx),
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWrite::poll_shutdown(Pin::new(w), cx),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }
}

/// A blocking call's `WouldBlock` as `Pending`: for poll-level drivers that
/// run a nonblocking writer or reader through the blocking door.
pub fn would_block_as_pending<T>(p: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
    match p {
        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        p => p,
    }
}
