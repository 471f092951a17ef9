//! [`write_all_from`]: a `write_all` that can stop and resume, the one write
//! loop of [`MultiWriter`](crate::MultiWriter) and
//! [`TeeReader`](crate::TeeReader) for every front door.
//!
//! The file is named after that loop. A tee writer hands bytes it has already
//! committed to (what the first writer accepted, what the reader returned) to
//! a writer that may short-write, be `Pending` or fail part way; the loop
//! keeps an offset into the [`Source`] so the next call picks up at exactly
//! the next byte, and it checks each count the writer reports.

use std::io::{self, ErrorKind};
use std::task::Poll;

use crate::source::Source;

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
pub(crate) fn write_all_from<F>(
    src: Source<'_>,
    offset: &mut usize,
    mut write: F,
) -> Poll<io::Result<()>>
where
    F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
{
    // The common case first: one call takes all of a single slice.
    if let (Source::One(bytes), 0) = (src, *offset) {
        if bytes.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let answer = write(bytes);
        return write_all_answered(bytes, offset, answer, write);
    }
    write_rest(src, offset, write)
}

/// [`write_all_from`] of all of `bytes` (not empty) from offset 0, where the
/// writer has already answered `answer` to the first call, a write of all
/// of `bytes`: the loop goes on from there exactly as if it had made that
/// call itself.
#[inline]
pub(crate) fn write_all_answered<F>(
    bytes: &[u8],
    offset: &mut usize,
    answer: Poll<io::Result<usize>>,
    write: F,
) -> Poll<io::Result<()>>
where
    F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
{
    match answer {
        Poll::Ready(Ok(n)) if n == bytes.len() => {
            *offset = n;
            return Poll::Ready(Ok(()));
        }
        Poll::Ready(Ok(n)) => match check_written(n, bytes.len()) {
            Ok(n) => *offset = n,
            Err(e) => return Poll::Ready(Err(e)),
        },
        Poll::Pending => return Poll::Pending,
        Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
    }
    write_rest(Source::One(bytes), offset, write)
}

/// The loop of [`write_all_from`] from `*offset` on.
fn write_rest<F>(src: Source<'_>, offset: &mut usize, mut write: F) -> Poll<io::Result<()>>
where
    F: FnMut(&[u8]) -> Poll<io::Result<usize>>,
{
    let len = src.len();
    while *offset < len {
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

#[cold]
#[inline(never)]
fn empty_chunk() -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, "internal: empty chunk")
}
