//! A fixed-size byte ring: the storage of one direction of a pipe.

use std::io::IoSlice;

/// Bytes at or above which glibc's `memcpy` may switch to `rep movsb`, which is
/// slow on some AMD CPUs when `(dst - src) mod 4096` is small (sourceware bug
/// 30994). Copies that would hit that case are split into pieces below it.
const SLOW_COPY_MIN: usize = 2048;
/// Piece size used for copies whose addresses would hit the slow case.
const COPY_PIECE: usize = 1024;

/// Whether copying `len` bytes from address `src` to address `dst` would hit
/// the slow `rep movsb` case: a large copy whose `(dst - src) mod 4096` is small.
#[inline]
fn hits_slow_copy(dst: usize, src: usize, len: usize) -> bool {
    len >= SLOW_COPY_MIN && (1..=63).contains(&(dst.wrapping_sub(src) % 4096))
}

/// Copies `src` into `dst` (same length), avoiding the 4 KiB-aliasing slow path
/// of `rep movsb` by copying in pieces when the addresses would trigger it.
#[inline]
pub(crate) fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    debug_assert_eq!(dst.len(), src.len());
    if !hits_slow_copy(dst.as_ptr() as usize, src.as_ptr() as usize, src.len()) {
        dst.copy_from_slice(src);
    } else {
        for (d, s) in dst.chunks_mut(COPY_PIECE).zip(src.chunks(COPY_PIECE)) {
            d.copy_from_slice(s);
        }
    }
}

/// Appends `src` to `dst` like `extend_from_slice`, avoiding the same slow
/// `memcpy` case as [`copy_bytes`].
#[inline]
pub(crate) fn append_bytes(dst: &mut Vec<u8>, src: &[u8]) {
    if src.len() < SLOW_COPY_MIN {
        dst.extend_from_slice(src);
        return;
    }
    dst.reserve(src.len());
    let at = dst.as_ptr() as usize + dst.len();
    if hits_slow_copy(at, src.as_ptr() as usize, src.len()) {
        for piece in src.chunks(COPY_PIECE) {
            dst.extend_from_slice(piece);
        }
    } else {
        dst.extend_from_slice(src);
    }
}

/// Where the bytes of a write come from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    /// One slice.
    One(&'a [u8]),
    /// A vectored write: the slices in order (empty ones are skipped).
    Many(&'a [IoSlice<'a>]),
}

impl Source<'_> {
    /// Whether no byte is offered.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Source::One(b) => b.is_empty(),
            Source::Many(bufs) => bufs.iter().all(|b| b.is_empty()),
        }
    }
}

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
    #[inline]
    fn put(&mut self, src: &[u8]) {
        self.put_slice(src);
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
            Source::Many(bufs) => self.push_many(bufs, limit),
        }
    }

    #[cold]
    fn allocate(&mut self) {
        self.storage = vec![0; self.size].into_boxed_slice();
    }

    fn push_many(&mut self, bufs: &[IoSlice<'_>], limit: usize) -> usize {
        let mut taken = 0;
        for buf in bufs {
            if taken == limit {
                break;
            }
            let n = buf.len().min(limit - taken);
            self.push_slice(&buf[..n]);
            taken += n;
        }
        taken
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
