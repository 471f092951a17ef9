//! The core of [`MultiWriter`](super::MultiWriter): one state machine for
//! every front door.
//!
//! One write is one round: the first writer decides the count, every other
//! writer then receives exactly those bytes. When a later writer is `Pending`
//! (or `WouldBlock`), the round is held: its bytes are copied into one reused
//! buffer and the next call finishes it before anything else. A flush (or
//! close) that stops at a `Pending` writer resumes there.
//!
//! [`Rounds`] keeps that state; the writers stay in the `MultiWriter` and are
//! passed in, so the API can hand them out between calls.

use std::io::{self, ErrorKind, IoSlice};
use std::task::{ready, Poll};

use crate::door::{Door, Finish};
use crate::source::Source;
use crate::write_all::{check_written, write_all_answered, write_all_from};

/// The state between calls: a held round, and a flush or close in progress.
#[derive(Default)]
pub(super) struct Rounds {
    round: Round,
    /// A finish that stopped at writer `.1`, `Pending`.
    finishing: Option<(Finish, usize)>,
}

/// A write whose bytes the first writer accepted but some later writer has not
/// fully received yet: writers `next..end` still owe `held[offset..]` (for
/// `next`) or all of `held` (for the ones after it).
#[derive(Default)]
struct Round {
    held: Vec<u8>,
    next: usize,
    end: usize,
    offset: usize,
}

impl Round {
    #[inline]
    fn is_active(&self) -> bool {
        self.next < self.end
    }

    fn reset(&mut self) {
        self.held.clear();
        self.next = 0;
        self.end = 0;
        self.offset = 0;
    }
}

impl Rounds {
    /// Nothing is held and no flush or close is under way: a new round can
    /// start from scratch.
    #[inline]
    pub(super) fn is_idle(&self) -> bool {
        !self.round.is_active() && self.finishing.is_none()
    }

    /// Bytes held for writers that have not received the last round yet.
    pub(super) fn held_len(&self) -> usize {
        if self.round.is_active() {
            self.round.held.len()
        } else {
            0
        }
    }

    /// Delivers the held round (if any) to the writers that still owe it.
    /// On error the round is abandoned: the failing writer has a prefix, the
    /// ones after it nothing (fail fast, as for a fresh round).
    #[cold]
    #[inline(never)]
    fn finish_round<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
    ) -> Poll<io::Result<()>> {
        let round = &mut self.round;
        while round.next < round.end {
            let Some(w) = writers.get_mut(round.next) else {
                break;
            };
            let held = Source::One(&round.held);
            match write_all_from(held, &mut round.offset, |b| door.write(w, b)) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => {
                    round.next += 1;
                    round.offset = 0;
                }
                Poll::Ready(Err(e)) => {
                    round.reset();
                    return Poll::Ready(Err(e));
                }
            }
        }
        round.reset();
        Poll::Ready(Ok(()))
    }

    /// Gives `src` (what the first writer accepted) to every writer after
    /// it. A `Pending` writer makes the round held: `src` is copied into the
    /// one reused buffer and delivery resumes on the next call.
    #[inline]
    fn spread<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        src: Source<'_>,
    ) -> io::Result<()> {
        self.spread_from(writers, door, src, 1, None)
    }

    /// [`spread`](Self::spread) to the writers from `from` on, where writer
    /// `from` may already have `answered` a write of all of `src` (a single
    /// slice).
    #[inline]
    fn spread_from<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        src: Source<'_>,
        from: usize,
        mut answered: Option<Poll<io::Result<usize>>>,
    ) -> io::Result<()> {
        let end = writers.len();
        let Some(rest) = writers.get_mut(from..) else {
            return Ok(());
        };
        for (i, w) in (from..).zip(rest) {
            let mut offset = 0;
            let delivered = match (answered.take(), src) {
                (Some(answer), Source::One(bytes)) => {
                    write_all_answered(bytes, &mut offset, answer, |b| door.write(w, b))
                }
                _ => write_all_from(src, &mut offset, |b| door.write(w, b)),
            };
            match delivered {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Err(e),
                Poll::Pending => {
                    self.hold(src, i, end, offset);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Holds the round: writers `next..end` owe `src`, `next` from `offset`.
    #[cold]
    #[inline(never)]
    fn hold(&mut self, src: Source<'_>, next: usize, end: usize, offset: usize) {
        let round = &mut self.round;
        round.held.clear();
        src.append_to(&mut round.held);
        round.next = next;
        round.end = end;
        round.offset = offset;
    }

    /// One `write`: finishes a held round, then runs a new one.
    #[inline]
    pub(super) fn poll_write<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.round.is_active() {
            ready!(self.finish_round(writers, door))?;
        }
        let Some(first) = writers.first_mut() else {
            return Poll::Ready(Ok(buf.len()));
        };
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let answer = door.write(first, buf);
        self.first_answered(writers, door, buf, answer)
    }

    /// The rest of a `write` of `buf` (not empty; no round held) once the
    /// first writer has answered `answer` to it: the count is checked, and
    /// what it accepted goes to every other writer.
    #[inline]
    pub(super) fn first_answered<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        buf: &[u8],
        answer: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let n = match answer {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => match r.and_then(|n| check_written(n, buf.len())) {
                Ok(n) => n,
                Err(e) => return Poll::Ready(Err(e)),
            },
        };
        if self.finishing.is_some() {
            self.finishing = None;
        }
        Poll::Ready(
            self.spread(writers, door, Source::One(&buf[..n]))
                .map(|()| n),
        )
    }

    /// The rest of a round in which writers `..i` (`i` >= 1; the first one
    /// decided the count) took all of `buf` and writer `i` has answered
    /// `answer` to a write of all of it: as [`spread`](Self::spread) from
    /// there.
    #[cold]
    #[inline(never)]
    pub(super) fn later_answered<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        buf: &[u8],
        i: usize,
        answer: Poll<io::Result<usize>>,
    ) -> io::Result<()> {
        self.spread_from(writers, door, Source::One(buf), i, Some(answer))
    }

    /// One `write_vectored`: as [`poll_write`](Self::poll_write), with the
    /// first writer's vectored write deciding the count.
    pub(super) fn poll_write_vectored<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.round.is_active() {
            ready!(self.finish_round(writers, door))?;
        }
        let total = bufs.iter().fold(0usize, |t, b| t.saturating_add(b.len()));
        let Some(first) = writers.first_mut() else {
            return Poll::Ready(Ok(total));
        };
        if total == 0 {
            return Poll::Ready(Ok(0));
        }
        let n = match door.write_vectored(first, bufs) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => match r.and_then(|n| check_written(n, total)) {
                Ok(n) => n,
                Err(e) => return Poll::Ready(Err(e)),
            },
        };
        self.finishing = None;
        let src = Source::Many(bufs).limit(n);
        Poll::Ready(self.spread(writers, door, src).map(|()| n))
    }

    /// One flush (or close): finishes a held round, then flushes (or closes)
    /// the writers in order, resuming at the one a `Pending` stopped at.
    pub(super) fn poll_finish<W, D: Door<W>>(
        &mut self,
        writers: &mut [W],
        door: &mut D,
        how: Finish,
    ) -> Poll<io::Result<()>> {
        if self.round.is_active() {
            ready!(self.finish_round(writers, door))?;
        }
        let mut next = match self.finishing {
            Some((h, next)) if h == how => next,
            _ => 0,
        };
        while let Some(w) = writers.get_mut(next) {
            match door.finish(w, how) {
                Poll::Pending => {
                    self.finishing = Some((how, next));
                    return Poll::Pending;
                }
                Poll::Ready(Ok(())) => next += 1,
                Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    self.finishing = None;
                    return Poll::Ready(Err(e));
                }
            }
        }
        self.finishing = None;
        Poll::Ready(Ok(()))
    }
}
