//! The one bulk byte copy of the crate, with its guard against glibc's slow
//! `memcpy` case.
//!
//! glibc (at least 2.33-2.38) copies large blocks with `rep movsb`. On some AMD
//! CPUs that instruction runs about 10x slower when the destination sits just
//! past the source modulo a 4 KiB page, that is when `(dst - src) mod 4096` is
//! small (sourceware bug 30994). Which distance a copy meets depends on where
//! the allocator placed two buffers, so any pipe or tee that copies a user's
//! bytes in one large `memcpy` collapses for *some* placement of the user's
//! buffers. Every copy of a user's bytes in this crate goes through this file
//! (ring push and pop, tokio `ReadBuf`s, vectored writes, the tape, the tee
//! writers' held bytes), which copies a block that would hit the slow case in
//! pieces too small for `rep movsb` instead.
//!
//! Copies that took the piecewise path are counted per thread, so a test can
//! check that a door applies the guard (see [`__piecewise_copies`]).

use std::cell::Cell;

/// The page size whose offsets decide a copy's speed (the distance the slow
/// case depends on is taken modulo it).
pub(crate) const PAGE: usize = 4096;
/// Bytes at or above which glibc's `memcpy` may switch to `rep movsb` (its
/// lowest threshold; most CPUs use a higher one).
const SLOW_COPY_MIN: usize = 2048;
/// Piece size for copies whose addresses would hit the slow case: below every
/// `rep movsb` threshold, so each piece is a plain vector loop.
const COPY_PIECE: usize = 1024;

thread_local! {
    /// Copies this thread made in pieces.
    static PIECEWISE: Cell<usize> = const { Cell::new(0) };
}

/// Whether copying `len` bytes from address `src` to address `dst` would hit
/// the slow `rep movsb` case: a large copy whose `(dst - src) mod 4096` is small.
#[inline]
fn hits_slow_copy(dst: usize, src: usize, len: usize) -> bool {
    len >= SLOW_COPY_MIN && (1..=63).contains(&(dst.wrapping_sub(src) % PAGE))
}

#[cold]
#[inline(never)]
fn note_piecewise() {
    PIECEWISE.with(|n| n.set(n.get().wrapping_add(1)));
}

/// The number of copies the calling thread has made in pieces to avoid glibc's
/// slow `memcpy` case (sourceware bug 30994). Not part of the API: it lets
/// tests check that every door applies the guard.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let before = pipetap::__piecewise_copies();
/// let (mut a, mut b) = pipetap::pipe();
/// a.write_all(b"small writes are never split")?;
/// let mut buf = [0; 28];
/// b.read_exact(&mut buf)?;
/// assert_eq!(pipetap::__piecewise_copies(), before);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(hidden)]
pub fn __piecewise_copies() -> usize {
    PIECEWISE.with(Cell::get)
}

/// Copies `src` into `dst` (same length), in pieces when one `memcpy` of it
/// would hit the slow case.
#[inline(always)]
pub(crate) fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    debug_assert_eq!(dst.len(), src.len());
    if !hits_slow_copy(dst.as_ptr() as usize, src.as_ptr() as usize, src.len()) {
        dst.copy_from_slice(src);
    } else {
        copy_pieces(dst, src);
    }
}

#[cold]
#[inline(never)]
fn copy_pieces(dst: &mut [u8], src: &[u8]) {
    note_piecewise();
    for (d, s) in dst.chunks_mut(COPY_PIECE).zip(src.chunks(COPY_PIECE)) {
        d.copy_from_slice(s);
    }
}

/// Copies at least this large are made back to front (see [`copy_in_bulk`]).
const BACK_TO_FRONT_FROM: usize = 32 << 10;
/// The piece size of a back-to-front copy: large enough for `rep movsb`'s
/// speed within each piece.
const BACK_TO_FRONT_PIECE: usize = 8 << 10;

/// Copies `src` into `dst` (same length) as [`copy_bytes`] does, but a large
/// copy goes in pieces from the last to the first. For a ring that is read
/// from the front soon after, this leaves the front, which the reader copies
/// first, in the L1 cache: about 5% more one-way throughput at 64 KiB writes
/// on a family-25 AMD EPYC (see BENCHMARKS.md).
#[inline(always)]
pub(crate) fn copy_in_bulk(dst: &mut [u8], src: &[u8]) {
    if src.len() < BACK_TO_FRONT_FROM {
        copy_bytes(dst, src);
    } else {
        copy_back_to_front(dst, src);
    }
}

#[inline(never)]
fn copy_back_to_front(dst: &mut [u8], src: &[u8]) {
    debug_assert_eq!(dst.len(), src.len());
    let pieces = dst
        .chunks_mut(BACK_TO_FRONT_PIECE)
        .zip(src.chunks(BACK_TO_FRONT_PIECE));
    for (d, s) in pieces.rev() {
        copy_bytes(d, s);
    }
}

/// Appends `src` to `dst` like `extend_from_slice`, in pieces when one
/// `memcpy` of it would hit the slow case.
#[inline]
pub(crate) fn append_bytes(dst: &mut Vec<u8>, src: &[u8]) {
    put_bytes(
        dst,
        src,
        |v| {
            v.reserve(src.len());
            v.as_ptr() as usize + v.len()
        },
        |v, piece| v.extend_from_slice(piece),
    );
}

/// Copies `src` into `dst`, a destination that takes bytes through its own
/// copy (`put`, which appends them in order, as a `Vec` or a tokio `ReadBuf`
/// does): whole, or piece by piece when one `memcpy` of it would hit the slow
/// case. `at` returns the address the next byte lands at (making room first
/// if it needs to); it is called only for copies large enough to matter, so a
/// small copy costs nothing more than `put`.
#[inline]
pub(crate) fn put_bytes<T: ?Sized>(
    dst: &mut T,
    src: &[u8],
    at: impl FnOnce(&mut T) -> usize,
    mut put: impl FnMut(&mut T, &[u8]),
) {
    if src.len() >= SLOW_COPY_MIN && hits_slow_copy(at(dst), src.as_ptr() as usize, src.len()) {
        note_piecewise();
        for piece in src.chunks(COPY_PIECE) {
            put(dst, piece);
        }
    } else {
        put(dst, src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset into `base` at which a destination sits `dist` bytes past
    /// `src` modulo a page.
    fn offset_for(base: *const u8, src: *const u8, dist: usize) -> usize {
        (src as usize + dist).wrapping_sub(base as usize) % PAGE
    }

    #[test]
    fn only_large_copies_at_a_short_distance_are_split() {
        assert!(!hits_slow_copy(1016, 1000, SLOW_COPY_MIN - 1));
        assert!(hits_slow_copy(1016, 1000, SLOW_COPY_MIN));
        assert!(hits_slow_copy(1000 + 4096 + 63, 1000, 1 << 16));
        assert!(!hits_slow_copy(1000, 1000, 1 << 16));
        assert!(!hits_slow_copy(1000 + 64, 1000, 1 << 16));
        // The destination below the source: the distance wraps to near 4096.
        assert!(!hits_slow_copy(1000, 1016, 1 << 16));
    }

    #[test]
    fn every_helper_copies_exactly_and_splits_only_at_a_bad_distance() {
        let len = 5000;
        let src: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let mut dst = vec![0u8; len + 4096];
        for (dist, split) in [(16, true), (1, true), (63, true), (0, false), (64, false)] {
            let before = __piecewise_copies();

            let off = offset_for(dst.as_ptr(), src.as_ptr(), dist);
            let d = &mut dst[off..off + len];
            d.fill(0);
            copy_bytes(d, &src);
            assert_eq!(d, &src[..]);

            let mut v = Vec::with_capacity(len + 4096);
            v.resize(offset_for(v.as_ptr(), src.as_ptr(), dist), 0);
            let at = v.len();
            append_bytes(&mut v, &src);
            assert_eq!(&v[at..], &src[..]);

            let mut w = Vec::new();
            put_bytes(
                &mut w,
                &src,
                |_| src.as_ptr() as usize + dist,
                |w, piece| w.extend_from_slice(piece),
            );
            assert_eq!(w, src);

            let want = if split { 3 } else { 0 };
            assert_eq!(__piecewise_copies() - before, want, "distance {dist}");
        }
    }

    #[test]
    fn a_bulk_copy_is_exact_at_every_size_around_its_pieces() {
        let sizes = [
            0,
            1,
            BACK_TO_FRONT_FROM - 1,
            BACK_TO_FRONT_FROM,
            BACK_TO_FRONT_FROM + 1,
            BACK_TO_FRONT_FROM + BACK_TO_FRONT_PIECE - 1,
            4 * BACK_TO_FRONT_PIECE + 5,
            64 << 10,
        ];
        for len in sizes {
            let src: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let mut dst = vec![0xAA; len];
            copy_in_bulk(&mut dst, &src);
            assert!(dst == src, "a {len}-byte bulk copy lost its order");
        }
    }

    #[test]
    fn a_bulk_copy_at_a_short_distance_is_guarded_piece_by_piece() {
        let len = 64 << 10;
        let src: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let mut dst = vec![0u8; len + 4096];
        let off = offset_for(dst.as_ptr(), src.as_ptr(), 16);
        let before = __piecewise_copies();
        copy_in_bulk(&mut dst[off..off + len], &src);
        assert_eq!(&dst[off..off + len], &src[..]);
        assert_eq!(
            __piecewise_copies() - before,
            len / BACK_TO_FRONT_PIECE,
            "every piece meets the same distance"
        );
    }
}
