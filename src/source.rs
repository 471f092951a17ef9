//! [`Source`]: the bytes of one write, wherever they sit.
//!
//! A write offers its bytes as one slice or, vectored, as a list of slices of
//! which a callee may take only a prefix. The pipe's ring, the tee writers and
//! the tape all need the same few things of those bytes (how many, the run
//! that starts at an offset, each contiguous chunk in order, a copy), so they
//! all take a `Source`, and [`Chunks`] is the crate's one loop that walks a
//! prefix across slices.

use std::io::IoSlice;
use std::ops::Deref;

use crate::copy::append_bytes;

/// The bytes of one write (or one vectored read, for the tape), in order.
///
/// `S` is the slice type of a vectored call: [`IoSlice`] for writes,
/// [`IoSliceMut`](std::io::IoSliceMut) for a vectored read being recorded.
pub(crate) enum Source<'a, S = IoSlice<'a>> {
    /// One slice.
    One(&'a [u8]),
    /// All bytes of a vectored call's slices (empty slices are skipped).
    Many(&'a [S]),
    /// The first `len` bytes across the slices (or all of them, if fewer).
    Prefix(&'a [S], usize),
}

// Not derived: a `Source` of `IoSliceMut`s is `Copy` too (it only borrows them).
impl<S> Clone for Source<'_, S> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Source<'_, S> {}

impl<'a> Source<'a> {
    /// [`Source::One`] for callers generic over the slice type, where the
    /// variant alone leaves it open (a single slice has none).
    #[inline]
    pub(crate) const fn one(bytes: &'a [u8]) -> Self {
        Source::One(bytes)
    }
}

impl<'a, S: Deref<Target = [u8]>> Source<'a, S> {
    /// The number of bytes. O(1) for one slice, one pass over the slices
    /// otherwise.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Source::One(bytes) => bytes.len(),
            _ => self.chunks().map(<[u8]>::len).sum(),
        }
    }

    /// Whether no byte is offered.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Source::One(bytes) => bytes.is_empty(),
            _ => self.chunks().next().is_none(),
        }
    }

    /// The first `n` bytes (all of them, if there are fewer). O(1).
    #[inline]
    pub(crate) fn limit(self, n: usize) -> Self {
        match self {
            Source::One(bytes) => Source::One(&bytes[..n.min(bytes.len())]),
            Source::Many(bufs) => Source::Prefix(bufs, n),
            Source::Prefix(bufs, len) => Source::Prefix(bufs, n.min(len)),
        }
    }

    /// The non-empty contiguous chunks, in order.
    #[inline]
    pub(crate) fn chunks(&self) -> Chunks<'a, S> {
        match *self {
            Source::One(bytes) => Chunks {
                next: bytes,
                rest: &[],
                left: bytes.len(),
            },
            Source::Many(bufs) => Chunks {
                next: &[],
                rest: bufs,
                left: usize::MAX,
            },
            Source::Prefix(bufs, len) => Chunks {
                next: &[],
                rest: bufs,
                left: len,
            },
        }
    }

    /// The longest contiguous run starting at `offset`; empty at or past the
    /// end.
    #[inline]
    pub(crate) fn chunk_at(&self, offset: usize) -> &'a [u8] {
        if let Source::One(bytes) = *self {
            return bytes.get(offset..).unwrap_or_default();
        }
        let mut base = 0;
        for chunk in self.chunks() {
            if offset < base + chunk.len() {
                return &chunk[offset - base..];
            }
            base += chunk.len();
        }
        &[]
    }

    /// Appends all the bytes to `dst`, through the crate's guarded copy.
    #[inline]
    pub(crate) fn append_to(&self, dst: &mut Vec<u8>) {
        if let Source::One(bytes) = *self {
            return append_bytes(dst, bytes);
        }
        for chunk in self.chunks() {
            append_bytes(dst, chunk);
        }
    }
}

/// The chunks of a [`Source`]: the one loop that gathers a prefix across
/// slices.
pub(crate) struct Chunks<'a, S> {
    /// A chunk to return before `rest` (a `Source::One`'s slice).
    next: &'a [u8],
    rest: &'a [S],
    /// Bytes still to return.
    left: usize,
}

impl<'a, S: Deref<Target = [u8]>> Iterator for Chunks<'a, S> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            if self.left == 0 {
                return None;
            }
            let chunk = if self.next.is_empty() {
                let (first, rest) = self.rest.split_first()?;
                self.rest = rest;
                &**first
            } else {
                std::mem::take(&mut self.next)
            };
            if !chunk.is_empty() {
                let n = chunk.len().min(self.left);
                self.left -= n;
                return Some(&chunk[..n]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::IoSliceMut;

    fn gather<S: Deref<Target = [u8]>>(src: Source<'_, S>) -> Vec<u8> {
        let mut v = Vec::new();
        src.append_to(&mut v);
        v
    }

    #[test]
    fn one_slice() {
        let src: Source<'_> = Source::One(b"hello");
        assert_eq!(src.len(), 5);
        assert!(!src.is_empty());
        assert_eq!(src.chunk_at(0), b"hello");
        assert_eq!(src.chunk_at(3), b"lo");
        assert_eq!(src.chunk_at(5), b"");
        assert_eq!(src.limit(2).chunks().collect::<Vec<_>>(), [b"he"]);
        assert_eq!(src.limit(9).len(), 5);
        assert!(Source::one(b"").is_empty());
        assert_eq!(Source::one(b"").chunks().count(), 0);
    }

    #[test]
    fn prefix_across_slices_skips_empty_ones() {
        let bufs = [
            IoSlice::new(b""),
            IoSlice::new(b"ab"),
            IoSlice::new(b""),
            IoSlice::new(b"cde"),
            IoSlice::new(b"f"),
        ];
        let all = Source::Many(&bufs[..]);
        assert_eq!(all.len(), 6);
        assert_eq!(gather(all), b"abcdef");
        assert_eq!(all.chunks().collect::<Vec<_>>(), [&b"ab"[..], b"cde", b"f"]);
        assert_eq!(all.chunk_at(1), b"b");
        assert_eq!(all.chunk_at(2), b"cde");
        assert_eq!(all.chunk_at(4), b"e");
        assert_eq!(all.chunk_at(6), b"");

        let four = all.limit(4);
        assert_eq!(four.len(), 4);
        assert_eq!(four.chunks().collect::<Vec<_>>(), [&b"ab"[..], b"cd"]);
        assert_eq!(four.chunk_at(3), b"d");
        assert_eq!(four.chunk_at(4), b"");
        assert_eq!(four.limit(9).len(), 4);
        assert_eq!(four.limit(1).len(), 1);
        // A prefix longer than the slices is all of them.
        assert_eq!(all.limit(100).len(), 6);
        assert!(all.limit(0).is_empty());
        assert!(Source::Many(&bufs[..1]).is_empty());
        assert!(Source::<IoSlice<'_>>::Many(&[]).is_empty());
    }

    #[test]
    fn slices_of_a_vectored_read() {
        let (mut a, mut b) = (*b"xy", *b"zw");
        let bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
        assert_eq!(gather(Source::Many(&bufs[..]).limit(3)), b"xyz");
    }
}
