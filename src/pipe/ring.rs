//! A fixed-size byte ring: the storage of one direction of a pipe.

use crate::copy::copy_bytes;
// Re-exported for the pipe's files that name the write source through the ring.
pub(crate) use crate::source::Source;

/// Where the bytes of a read go: a plain slice or a tokio `ReadBuf`.
pub(crate) trait Target {
    /// Room left in the destination.
    fn room(&self) -> usize;
    /// Appends `src` (at most `room()` bytes).
    fn put(&mut self, src: &[u8]);
}

/// A `&mut [u8]` being filled from the front.
#[derive(Debug)]
pub(crate) struct SliceTarget<'a> {
    buf: &'a mut [u8],
    filled: usize,
}

impl<'a> SliceTarget<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        SliceTarget { buf, filled: 0 }
    }
}

impl Target for SliceTarget<'_> {
    #[inline]
    fn room(&self) -> usize {
        self.buf.len() - self.filled
    }
    #[inline]
    fn put(&mut self, src: &[u8]) {
        let end = self.filled + src.len();
        copy_bytes(&mut self.buf[self.filled..end], src);
        self.filled = end;
    }
}

#[cfg(feature = "tokio")]
impl Target for tokio::io::ReadBuf<'_> {
    #[inline]
    fn room(&self) -> usize {
        self.remaining()
    }
    /// `put_slice`, through the crate's guarded copy: in pieces when one
    /// `memcpy` would hit glibc's slow case. (Safe code cannot copy into the
    /// unfilled part directly without first zeroing it, which costs more.)
    #[inline]
    fn put(&mut self, src: &[u8]) {
        crate::copy::put_bytes(
            self,
            src,
            |buf| buf.filled().as_ptr() as usize + buf.filled().len(),
            |buf, piece| buf.put_slice(piece),
        );
    }
}

/// A ring of `size` bytes; the storage is allocated on first use, so a pipe
/// that is never written costs no buffer.
pub(crate) struct Ring {
    storage: Box<[u8]>,
    size: usize,
    head: usize,
    len: usize,
}

impl Ring {
    pub(crate) fn new(size: usize) -> Self {
        Ring {
            storage: Box::default(),
            size,
            head: 0,
            len: 0,
        }
    }

    /// `pos` (< 2 * size) folded into the ring, without a division.
    #[inline]
    fn wrap(&self, pos: usize) -> usize {
        if pos >= self.size {
            pos - self.size
        } else {
            pos
        }
    }

    /// Bytes stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes that can still be stored.
    pub(crate) fn free(&self) -> usize {
        self.size - self.len
    }

    /// Drops every stored byte.
    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// Appends up to `limit` bytes of `src`; returns how many were taken.
    #[inline]
    pub(crate) fn push(&mut self, src: Source<'_>, limit: usize) -> usize {
        let limit = limit.min(self.size - self.len);
        if limit == 0 {
            return 0;
        }
        if self.storage.is_empty() {
            self.allocate();
        }
        match src {
            Source::One(bytes) => {
                let n = limit.min(bytes.len());
                self.push_slice(&bytes[..n]);
                n
            }
            src => {
                let mut taken = 0;
                for chunk in src.limit(limit).chunks() {
                    self.push_slice(chunk);
                    taken += chunk.len();
                }
                taken
            }
        }
    }

    #[cold]
    fn allocate(&mut self) {
        self.storage = vec![0; self.size].into_boxed_slice();
    }

    /// Appends all of `src`, which fits.
    #[inline]
    fn push_slice(&mut self, src: &[u8]) {
        if self.len == 0 {
            // Restart at the front: keeps the common case in one piece.
            self.head = 0;
        }
        let tail = self.wrap(self.head + self.len);
        let (first, rest) = src.split_at(src.len().min(self.size - tail));
        copy_bytes(&mut self.storage[tail..tail + first.len()], first);
        if !rest.is_empty() {
            copy_bytes(&mut self.storage[..rest.len()], rest);
        }
        self.len += src.len();
    }

    /// Moves up to `limit` bytes into `dst`; returns how many were moved.
    #[inline]
    pub(crate) fn pop<T: Target + ?Sized>(&mut self, dst: &mut T, limit: usize) -> usize {
        let n = limit.min(self.len).min(dst.room());
        if n == 0 {
            return 0;
        }
        let first = n.min(self.size - self.head);
        dst.put(&self.storage[self.head..self.head + first]);
        if n > first {
            dst.put(&self.storage[..n - first]);
        }
        self.head = self.wrap(self.head + n);
        self.len -= n;
        n
    }
}
