//! Door calls as futures, each made with its door's own helper (`std`'s
//! `write_all`, `futures::AsyncWriteExt::write_all`, tokio's
//! `AsyncWriteExt::write_all`, ...), so a test exercises what users call.
//!
//! The blocking door makes its blocking call when the future is first polled,
//! and is then `Ready`: await it on a thread of its own or under `block_on`,
//! never on a runtime's worker thread.

use std::io::{self, IoSlice};

use super::door::{Door, DoorBufRead, DoorRead, DoorWrite};

impl Door {
    pub async fn read<R: DoorRead + ?Sized>(self, r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Door::Blocking => r.read(buf),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncReadExt::read(r, buf).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncReadExt::read(r, buf).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn read_exact<R: DoorRead + ?Sized>(
        self,
        r: &mut R,
        buf: &mut [u8],
    ) -> io::Result<()> {
        match self {
            Door::Blocking => r.read_exact(buf),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncReadExt::read_exact(r, buf).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncReadExt::read_exact(r, buf).await.map(drop),
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn read_to_end<R: DoorRead + ?Sized>(
        self,
        r: &mut R,
        out: &mut Vec<u8>,
    ) -> io::Result<usize> {
        match self {
            Door::Blocking => r.read_to_end(out),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncReadExt::read_to_end(r, out).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncReadExt::read_to_end(r, out).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn read_until<R: DoorBufRead + ?Sized>(
        self,
        r: &mut R,
        byte: u8,
        out: &mut Vec<u8>,
    ) -> io::Result<usize> {
        match self {
            Door::Blocking => r.read_until(byte, out),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncBufReadExt::read_until(r, byte, out).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncBufReadExt::read_until(r, byte, out).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn read_line<R: DoorBufRead + ?Sized>(
        self,
        r: &mut R,
        line: &mut String,
    ) -> io::Result<usize> {
        match self {
            Door::Blocking => r.read_line(line),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncBufReadExt::read_line(r, line).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncBufReadExt::read_line(r, line).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn write<W: DoorWrite + ?Sized>(self, w: &mut W, buf: &[u8]) -> io::Result<usize> {
        match self {
            Door::Blocking => w.write(buf),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncWriteExt::write(w, buf).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWriteExt::write(w, buf).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn write_all<W: DoorWrite + ?Sized>(self, w: &mut W, buf: &[u8]) -> io::Result<()> {
        match self {
            Door::Blocking => w.write_all(buf),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncWriteExt::write_all(w, buf).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWriteExt::write_all(w, buf).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn write_vectored<W: DoorWrite + ?Sized>(
        self,
        w: &mut W,
        bufs: &[IoSlice<'_>],
    ) -> io::Result<usize> {
        match self {
            Door::Blocking => w.write_vectored(bufs),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncWriteExt::write_vectored(w, bufs).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWriteExt::write_vectored(w, bufs).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    pub async fn flush<W: DoorWrite + ?Sized>(self, w: &mut W) -> io::Result<()> {
        match self {
            Door::Blocking => w.flush(),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncWriteExt::flush(w).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWriteExt::flush(w).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }

    /// `close` (futures) / `shutdown` (tokio). std has no close: on the
    /// blocking door this does nothing and returns `Ok(())`; a caller with a
    /// blocking close of its own (`PipeEnd::shutdown`) calls that instead.
    pub async fn close<W: DoorWrite + ?Sized>(self, w: &mut W) -> io::Result<()> {
        let _ = &w;
        match self {
            Door::Blocking => Ok(()),
            #[cfg(feature = "futures")]
            Door::Futures => futures::AsyncWriteExt::close(w).await,
            #[cfg(feature = "tokio")]
            Door::Tokio => tokio::io::AsyncWriteExt::shutdown(w).await,
            #[allow(unreachable_patterns)]
            _ => self.missing(),
        }
    }
}
