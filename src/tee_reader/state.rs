//! The core of [`TeeReader`](super::TeeReader): what the tee owes whom, and
//! the one read / `fill_buf` / `consume` logic every front door drives.
//!
//! The writer is called through a [`Door`]; the reader is called by the door
//! file, through a closure that gets the same door (so an async door's
//! context serves both).

use std::io::{self, ErrorKind};
use std::task::{ready, Poll};

use crate::copy::{append_bytes, copy_bytes};
use crate::door::Door;
use crate::source::Source;
use crate::write_all::write_all_from;

/// What the tee owes whom.
///
/// `held`: bytes read from `R` that `W` or the caller have not had yet:
/// `held[..teed]` is in `W`, `held[..given]` was returned to the caller,
/// `given <= teed`. These come before anything still in `R`.
///
/// `teed_ahead`: bytes at the front of `R`'s buffer (`BufRead` readers only)
/// that `W` already has and the caller has not consumed. Never nonzero while
/// bytes are held: a hold only starts from a read that got past them.
#[derive(Default)]
pub(super) struct TeeState {
    held: Vec<u8>,
    teed: usize,
    given: usize,
    teed_ahead: usize,
}

impl TeeState {
    /// Whether bytes read from `R` wait for `W` or the caller.
    pub(super) fn is_holding(&self) -> bool {
        self.given < self.held.len()
    }

    /// Bytes read from `R` but not yet returned to the caller.
    pub(super) fn held_len(&self) -> usize {
        self.held.len() - self.given
    }

    /// Bytes at the front of `R`'s buffer that `W` already has.
    pub(super) fn teed_ahead(&self) -> usize {
        self.teed_ahead
    }

    fn reset(&mut self) {
        self.held.clear();
        self.teed = 0;
        self.given = 0;
    }

    /// Delivers held bytes to `W` (as far as it takes them), giving the
    /// caller those `W` has: `Some(result)` to return, or `None` once nothing
    /// is held any more.
    #[cold]
    #[inline(never)]
    fn poll_read_held<W, D: Door<W>>(
        &mut self,
        door: &mut D,
        w: &mut W,
        buf: &mut [u8],
    ) -> Option<Poll<io::Result<usize>>> {
        let res = write_all_from(Source::One(&self.held), &mut self.teed, |b| {
            door.write(w, b)
        });
        let k = (self.teed - self.given).min(buf.len());
        if k > 0 {
            copy_bytes(&mut buf[..k], &self.held[self.given..self.given + k]);
            self.given += k;
            if !self.is_holding() {
                self.reset();
            }
            return Some(Poll::Ready(Ok(k)));
        }
        if let Poll::Pending | Poll::Ready(Err(_)) = res {
            return Some(res.map_ok(|()| 0));
        }
        // `W` has everything and the caller too: nothing was held after all.
        self.reset();
        None
    }

    /// One read: held bytes first, then a read of `R` (through `read`) whose
    /// bytes go to `W` before they are returned.
    #[inline]
    pub(super) fn poll_read<W, D, F>(
        &mut self,
        door: &mut D,
        w: &mut W,
        buf: &mut [u8],
        read: F,
    ) -> Poll<io::Result<usize>>
    where
        D: Door<W>,
        F: FnOnce(&mut D, &mut [u8]) -> Poll<io::Result<usize>>,
    {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.is_holding() {
            if let Some(done) = self.poll_read_held(door, w, buf) {
                return done;
            }
        }
        let n = ready!(read(door, buf))?;
        if n > buf.len() {
            return Poll::Ready(Err(overread(n, buf.len())));
        }
        // The front of what `R` returned may be bytes an earlier `fill_buf`
        // already gave `W`: count them as teed instead of teeing them again.
        let mut teed = self.teed_ahead.min(n);
        self.teed_ahead -= teed;
        let res = write_all_from(Source::One(&buf[..n]), &mut teed, |b| door.write(w, b));
        if teed < n {
            self.held.clear();
            append_bytes(&mut self.held, &buf[teed..n]);
            self.teed = 0;
            self.given = 0;
            if teed == 0 {
                ready!(res)?;
            }
        }
        Poll::Ready(Ok(teed))
    }

    /// `fill_buf` while bytes are held: they come before anything in `R`, so
    /// the buffer is the held bytes `W` has (after giving `W` more of them).
    pub(super) fn poll_fill_held<W, D: Door<W>>(
        &mut self,
        door: &mut D,
        w: &mut W,
    ) -> Poll<io::Result<&[u8]>> {
        let res = write_all_from(Source::One(&self.held), &mut self.teed, |b| {
            door.write(w, b)
        });
        if self.teed == self.given {
            // `W` took none of the bytes the caller has not had: `res` is
            // `Pending` or an error (holding means `teed < held.len()` here).
            ready!(res)?;
        }
        Poll::Ready(Ok(&self.held[self.given..self.teed]))
    }

    /// `fill_buf` from `R`'s buffer `buf`: tees the bytes past `teed_ahead`
    /// and returns the prefix of `buf` that `W` has.
    pub(super) fn poll_fill_from<'a, W, D: Door<W>>(
        &mut self,
        buf: &'a [u8],
        door: &mut D,
        w: &mut W,
    ) -> Poll<io::Result<&'a [u8]>> {
        // `R`'s buffer cannot shrink without a consume; if it did (someone
        // consumed `R` directly through `get_mut`), never slice out of bounds.
        self.teed_ahead = self.teed_ahead.min(buf.len());
        let res = write_all_from(Source::One(buf), &mut self.teed_ahead, |b| door.write(w, b));
        if self.teed_ahead == 0 && !buf.is_empty() {
            ready!(res)?;
        }
        Poll::Ready(Ok(&buf[..self.teed_ahead]))
    }

    /// `consume` for every door; `consume_r` consumes from `R`.
    pub(super) fn consume(&mut self, amt: usize, consume_r: impl FnOnce(usize)) {
        if self.is_holding() {
            // The buffer was held bytes, all in `W`; never count more than
            // that as given, and never skip bytes of `R` the caller has not seen.
            self.given += amt.min(self.teed - self.given);
            if !self.is_holding() {
                self.reset();
            }
        } else {
            self.teed_ahead = self.teed_ahead.saturating_sub(amt);
            consume_r(amt);
        }
    }
}

#[cold]
#[inline(never)]
fn overread(n: usize, len: usize) -> io::Error {
    io::Error::new(
        ErrorKind::InvalidData,
        format!("reader reported {n} bytes read into a {len}-byte buffer"),
    )
}
