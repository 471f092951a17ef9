//! The blocking door: `std::io::Write` for `MultiWriter`, each method a call
//! into the [round](super::round) state machine.

use std::io::{self, ErrorKind, IoSlice, Write};

use super::writers::Writers;
use super::MultiWriter;
use crate::door::{blocking, unpoll, BlockingDoor, Finish};

/// See the [type docs](MultiWriter#semantics) for the exact semantics.
///
/// # Errors
///
/// The first error of any writer (the later writers are not called for that
/// buffer); [`ErrorKind::InvalidData`] / [`ErrorKind::WriteZero`] for a writer
/// that claims more than offered / accepts nothing; [`ErrorKind::WouldBlock`]
/// while a round held for a nonblocking writer cannot be finished.
impl<W: Write> Write for MultiWriter<W> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        unpoll(
            self.rounds
                .poll_write(&mut self.writers, &mut BlockingDoor, buf),
        )
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        unpoll(
            self.rounds
                .poll_write_vectored(&mut self.writers, &mut BlockingDoor, bufs),
        )
    }

    /// The default `write_all` loop, with the same semantics. Its common
    /// case, nothing held and every writer taking the whole buffer in one
    /// call, is a plain loop over the writers, always inlined, so a tee into
    /// in-memory sinks compiles down to the copies; any other answer goes on
    /// in the round state machine from exactly that point.
    #[inline(always)]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if !self.rounds.is_idle() {
            return self.write_all_rounds(buf, None);
        }
        match take_whole(&mut self.writers, buf) {
            None => Ok(()),
            Some((i, answer)) => self.write_all_answered(buf, i, answer),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        unpoll(
            self.rounds
                .poll_finish(&mut self.writers, &mut BlockingDoor, Finish::Flush),
        )
    }
}

/// Offers all of `buf` to each writer in turn; `None` when every one took all
/// of it in one call, else the first writer that did not and its answer. Two
/// writers (a tee's usual shape) are held inline and get straight-line code:
/// both stay in registers instead of being fetched from a `Vec` (measured:
/// 2-way tee into two `Vec`s, 64 B writes, 1.46x -> about 1.1x of two writes
/// by hand; BENCHMARKS.md).
#[inline(always)]
fn take_whole<W: Write>(
    writers: &mut Writers<W>,
    buf: &[u8],
) -> Option<(usize, io::Result<usize>)> {
    let whole = |answer: &io::Result<usize>| matches!(answer, Ok(n) if *n == buf.len());
    match writers {
        Writers::Two([a, b]) => {
            let answer = a.write(buf);
            if !whole(&answer) {
                return Some((0, answer));
            }
            let answer = b.write(buf);
            (!whole(&answer)).then_some((1, answer))
        }
        Writers::Any(writers) => {
            for (i, w) in writers.iter_mut().enumerate() {
                let answer = w.write(buf);
                if !whole(&answer) {
                    return Some((i, answer));
                }
            }
            None
        }
    }
}

impl<W: Write> MultiWriter<W> {
    /// `write_all` once writer `i` answered `answer` to a write of all of
    /// `buf` (and the writers before it took all of it).
    #[cold]
    #[inline(never)]
    fn write_all_answered(
        &mut self,
        buf: &[u8],
        i: usize,
        answer: io::Result<usize>,
    ) -> io::Result<()> {
        let answer = blocking(answer);
        if i > 0 {
            // The first writer took all of `buf`: the round's count.
            return self.rounds.later_answered(
                &mut self.writers,
                &mut BlockingDoor,
                buf,
                i,
                answer,
            );
        }
        let written =
            unpoll(
                self.rounds
                    .first_answered(&mut self.writers, &mut BlockingDoor, buf, answer),
            );
        self.write_all_rounds(buf, Some(written))
    }

    /// The default `write_all` loop over [`Write::write`], where the first
    /// call may already have been `answered`.
    fn write_all_rounds(
        &mut self,
        mut buf: &[u8],
        mut answered: Option<io::Result<usize>>,
    ) -> io::Result<()> {
        while !buf.is_empty() {
            let written = match answered.take() {
                Some(written) => written,
                None => self.write(buf),
            };
            match written {
                Ok(n) => match buf.get(n..) {
                    Some(rest) if n > 0 => buf = rest,
                    _ => return Err(ErrorKind::WriteZero.into()),
                },
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
