//! The one write loop shared by [`MultiWriter`](crate::MultiWriter) and
//! [`TeeReader`](crate::TeeReader), for every front door.
//!
//! A "door" turns one writer call into a `Poll`: the async doors pass the
//! writer's own `Poll` through, the blocking door maps `WouldBlock` to
//! `Pending` (and back again at the front), so one state machine serves
//! blocking, futures and tokio callers alike.

use std::io::{self, ErrorKind, IoSlice};
use std::task::Poll;

/// Bytes to hand to a writer, in order, as possibly several contiguous chunks.
pub(crate) trait Source {
    /// Total number of bytes.
    fn len(&self) -> usize;
    /// The longest contiguous run starting at `offset` (`offset < len()`); never empty.
    fn chunk_at(&self, offset: usize) -> &[u8];
    /// Replaces the contents of `dst` with all the bytes.
    fn copy_to(&self, dst: &mut Vec<u8>);
}

impl Source for [u8] {
    #[inline]
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    #[inline]
    fn chunk_at(&self, offset: usize) -> &[u8] {
        &self[offset..]
    }

    #[inline]
    fn copy_to(&self, dst: &mut Vec<u8>) {
        dst.clear();
        dst.extend_from_slice(self);
    }
}

/// The first `len` bytes gathered from a list of slices (a vectored write's
/// accepted prefix), without copying them anywhere.
pub(crate) struct Gathered<'a, 'b> {
    pub(crate) bufs: &'a [IoSlice<'b>],
    pub(crate) len: usize,
}

impl Source for Gathered<'_, '_> {
    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    fn chunk_at(&self, offset: usize) -> &[u8] {
        let mut base = 0;
        for buf in self.bufs {
            let end = base + buf.len();
            if offset < end {
                let stop = end.min(self.len);
                return &buf[offset - base..stop - base];
            }
            base = end;
        }
        &[]
    }

    fn copy_to(&self, dst: &mut Vec<u8>) {
        dst.clear();
        let mut left = self.len;
        for buf in self.bufs {
            let take = buf.len().min(left);
            dst.extend_from_slice(&buf[..take]);
            left -= take;
            if left == 0 {
                break;
            }
        }
    }
}

/// Checks the count a writer (or reader) reported against what it was
/// offered: more than offered is `InvalidData`, nothing of a non-empty buffer
/// is `WriteZero`.
#[inline]
pub(crate) fn check_written(n: usize, offered: usize) -> io::Result<usize> {
    if n > offered || (n == 0 && offered != 0) {
        Err(misbehaved(n, offered))
    } else {
        Ok(n)
    }
}

#[cold]
#[inline(never)]
fn misbehaved(n: usize, offered: usize) -> io::Error {
    if n > offered {
        io::Error::new(
            ErrorKind::InvalidData,
            format!("writer reported {n} bytes written of {offered} offered"),
        )
    } else {
        io::Error::new(
            ErrorKind::WriteZero,
            "writer accepted 0 bytes of a non-empty buffer",
        )
    }
}

/// Writes `src[*offset..]` through `write` until all of it is accepted,
/// advancing `*offset` by exactly what was accepted, so a `Pending` or an error
/// can be resumed later without losing or repeating a byte.
///
/// `Interrupted` is retried, as `write_all` does; a writer that claims more than
/// it was offered or accepts nothing stops the loop with an error.
#[inline]
pub(crate) fn write_all_from<S, F>(
    src: &S,
    offset: &mut usize,
    mut write: F,
) -> Poll<io::Result<()>>
where
    S: Source + ?Sized,
    F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
{
    while *offset < src.len() {
        let chunk = src.chunk_at(*offset);
        if chunk.is_empty() {
            // Unreachable with a consistent `Source`; never spin on it.
            return Poll::Ready(Err(empty_chunk()));
        }
        match write(chunk) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(n)) => match check_written(n, chunk.len()) {
                Ok(n) => *offset += n,
                Err(e) => return Poll::Ready(Err(e)),
            },
            Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
        }
    }
    Poll::Ready(Ok(()))
}

/// Maps a blocking call's `WouldBlock` to `Pending`, so a nonblocking writer
/// gets the same hold-and-resume treatment as an async one.
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

#[cold]
#[inline(never)]
fn empty_chunk() -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, "internal: empty chunk")
}
