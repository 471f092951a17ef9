//! A fixed-size byte ring: the storage of one direction of a pipe.

use crate::copy::{copy_bytes, copy_in_bulk, PAGE};
use crate::source::Source;

/// Where the bytes of a read go: a plain slice or a tokio `ReadBuf`.
pub(crate) trait Target {
    /// Room left in the destination.
    fn room(&self) -> usize;
    /// Appends `src` (at most `room()` bytes).
    fn put(&mut self, src: &[u8]);
    /// The last `n` bytes put (for a recorded end's tape).
    fn recent(&self, n: usize) -> &[u8];
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
    fn recent(&self, n: usize) -> &[u8] {
        &self.buf[self.filled - n..self.filled]
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
    fn recent(&self, n: usize) -> &[u8] {
        let filled = self.filled();
        &filled[filled.len() - n..]
    }
}

/// Storage a ring starts with on its first write (or less, if its size is
/// smaller): enough for small messages without growing.
const FIRST_STORAGE: usize = 512;
/// Storage of this size or more starts at a page boundary.
const ALIGN_FROM: usize = 16 << 10;

/// A ring of up to `size` bytes. The storage follows the bytes in flight: it
/// is allocated on the first write and doubles (up to `size`, never beyond)
/// only when the bytes buffered outgrow it, so a pipe that carries small
/// messages stays small and growth happens a few times per pipe at most.
///
/// Storage of [`ALIGN_FROM`] bytes or more starts at a page boundary (the
/// allocation is a page larger). A copy runs at full speed only when its two
/// ends sit a multiple of 32 bytes apart modulo a page; on a family-25 AMD
/// EPYC a ring that malloc placed 80 bytes past a page cost page-aligned
/// users 15-30% of their bulk throughput (BENCHMARKS.md). Aligned, the
/// ring matches page-aligned user buffers exactly, and the copy guard of
/// `crate::copy` covers buffers a few bytes past a page.
pub(crate) struct Ring {
    /// The allocation; the ring's bytes are `cap` of them from `base`.
    storage: Box<[u8]>,
    base: usize,
    cap: usize,
    size: usize,
    head: usize,
    len: usize,
}

impl Ring {
    pub(crate) fn new(size: usize) -> Self {
        Ring {
            storage: Box::default(),
            base: 0,
            cap: 0,
            size,
            head: 0,
            len: 0,
        }
    }

    /// `pos` (< 2 * storage) folded into the storage, without a division.
    #[inline]
    fn wrap(&self, pos: usize) -> usize {
        let cap = self.cap;
        if pos >= cap {
            pos - cap
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
    /// The caller has clamped `limit` to [`free`](Self::free) (a bigger one
    /// panics, as a slice index out of range).
    #[inline(always)]
    pub(crate) fn push(&mut self, src: Source<'_>, limit: usize) -> usize {
        debug_assert!(limit <= self.free(), "push beyond the ring's size");
        match src {
            Source::One(bytes) => {
                let n = bytes.len().min(limit);
                if self.len + n > self.cap {
                    self.grow(self.len + n);
                }
                self.push_slice(&bytes[..n]);
                n
            }
            src => self.push_chunks(src, limit),
        }
    }

    /// Makes room for `needed` (<= size) bytes: the next power of two, at
    /// least [`FIRST_STORAGE`], at most `size`. The stored bytes move to the
    /// front of the new storage (usually there are none: a ring that runs dry
    /// starts again at the front).
    #[cold]
    fn grow(&mut self, needed: usize) {
        let cap = needed
            .max(FIRST_STORAGE)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX)
            .max(self.cap * 2)
            .min(self.size);
        let (storage, base) = if cap >= ALIGN_FROM {
            let storage = vec![0; cap.saturating_add(PAGE - 1)].into_boxed_slice();
            let base = (PAGE - storage.as_ptr() as usize % PAGE) % PAGE;
            (storage, base)
        } else {
            (vec![0; cap].into_boxed_slice(), 0)
        };
        let old = std::mem::replace(&mut self.storage, storage);
        let old = &old[self.base..self.base + self.cap];
        self.base = base;
        self.cap = cap;
        let (head, len) = (self.head, self.len);
        let first = len.min(old.len() - head);
        let new = self.area_mut();
        copy_bytes(&mut new[..first], &old[head..head + first]);
        copy_bytes(&mut new[first..len], &old[..len - first]);
        self.head = 0;
    }

    /// The ring's bytes within the allocation.
    #[inline(always)]
    fn area(&self) -> &[u8] {
        &self.storage[self.base..self.base + self.cap]
    }

    /// The ring's bytes within the allocation, to write.
    #[inline(always)]
    fn area_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.base..self.base + self.cap]
    }

    /// The storage allocated now (for tests of the growth policy).
    #[cfg(test)]
    fn storage_len(&self) -> usize {
        self.cap
    }

    /// A vectored write: the chunks of `src`'s first `limit` bytes.
    #[inline(never)]
    fn push_chunks(&mut self, src: Source<'_>, limit: usize) -> usize {
        let src = src.limit(limit.min(self.size - self.len));
        let n = src.len();
        if self.len + n > self.cap {
            self.grow(self.len + n);
        }
        for chunk in src.chunks() {
            self.push_slice(chunk);
        }
        n
    }

    /// Appends all of `src`, which fits.
    #[inline(always)]
    fn push_slice(&mut self, src: &[u8]) {
        let tail = if self.len == 0 {
            // Restart at the front: keeps the common case in one piece.
            self.head = 0;
            0
        } else {
            self.wrap(self.head + self.len)
        };
        self.len += src.len();
        let area = self.area_mut();
        let end = tail + src.len();
        if end <= area.len() {
            copy_in_bulk(&mut area[tail..end], src);
        } else {
            let (first, rest) = src.split_at(area.len() - tail);
            copy_bytes(&mut area[tail..], first);
            copy_bytes(&mut area[..rest.len()], rest);
        }
    }

    /// Moves up to `limit` bytes into `dst`; returns how many were moved.
    #[inline(always)]
    pub(crate) fn pop<T: Target + ?Sized>(&mut self, dst: &mut T, limit: usize) -> usize {
        let n = limit.min(self.len).min(dst.room());
        if n == 0 {
            return 0;
        }
        let area = self.area();
        let first = n.min(area.len() - self.head);
        dst.put(&area[self.head..self.head + first]);
        if n > first {
            dst.put(&area[..n - first]);
        }
        self.head = self.wrap(self.head + n);
        self.len -= n;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(ring: &mut Ring, bytes: &[u8]) -> usize {
        ring.push(Source::One(bytes), ring.free())
    }

    fn pop(ring: &mut Ring, n: usize) -> Vec<u8> {
        let mut buf = vec![0; n];
        let got = ring.pop(&mut SliceTarget::new(&mut buf), usize::MAX);
        buf.truncate(got);
        buf
    }

    #[test]
    fn storage_follows_the_bytes_in_flight() {
        let mut ring = Ring::new(64 * 1024);
        assert_eq!(ring.storage_len(), 0, "nothing before the first write");
        assert_eq!(push(&mut ring, &[1; 64]), 64);
        assert_eq!(ring.storage_len(), FIRST_STORAGE);
        assert_eq!(pop(&mut ring, 64), [1; 64]);
        for _ in 0..100 {
            push(&mut ring, &[2; 64]);
            pop(&mut ring, 64);
        }
        assert_eq!(
            ring.storage_len(),
            FIRST_STORAGE,
            "small messages never grow it"
        );
        push(&mut ring, &[3; 3000]);
        assert_eq!(ring.storage_len(), 4096);
        push(&mut ring, &vec![4; 100_000]);
        assert_eq!(ring.storage_len(), 64 * 1024, "never beyond the capacity");
        assert_eq!(ring.len(), 64 * 1024);
    }

    #[test]
    fn growing_a_wrapped_ring_keeps_the_bytes_in_order() {
        let mut ring = Ring::new(4096);
        let data: Vec<u8> = (0..=255).cycle().take(600).collect();
        push(&mut ring, &data[..500]);
        assert_eq!(ring.storage_len(), FIRST_STORAGE);
        assert_eq!(pop(&mut ring, 400), &data[..400]);
        // 100 bytes left at offset 400; 12 more fit before the end, the
        // rest wraps to the front.
        push(&mut ring, &data[500..600]);
        assert_eq!(ring.storage_len(), FIRST_STORAGE);
        // Outgrow the storage while wrapped.
        let more: Vec<u8> = (0..2000u32).map(|i| (i * 7) as u8).collect();
        push(&mut ring, &more);
        assert_eq!(ring.storage_len(), 4096);
        let mut want = data[400..600].to_vec();
        want.extend_from_slice(&more);
        assert_eq!(pop(&mut ring, 4096), want);
    }

    #[test]
    fn a_small_ring_never_allocates_beyond_its_size() {
        let mut ring = Ring::new(7);
        assert_eq!(push(&mut ring, &[9; 100]), 7);
        assert_eq!(ring.storage_len(), 7);
    }

    #[test]
    fn large_storage_starts_at_a_page_boundary() {
        for size in [ALIGN_FROM, 64 << 10, 100_000] {
            let mut ring = Ring::new(size);
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            assert_eq!(push(&mut ring, &data), size);
            assert_eq!(ring.storage_len(), size);
            assert_eq!(ring.area().as_ptr() as usize % PAGE, 0, "size {size}");
            assert_eq!(pop(&mut ring, size), data);
        }
        let mut small = Ring::new(ALIGN_FROM - 1);
        push(&mut small, &[1; 100]);
        assert_eq!(
            small.storage.len(),
            small.storage_len(),
            "no padding below ALIGN_FROM"
        );
    }
}
