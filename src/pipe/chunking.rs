//! Seeded random chunking: reads and writes split at random sizes within a
//! range, with `Pending` interleaved at random, all drawn from the pipe's
//! seed so that a failure replays exactly (`PIPETAP_SEED`; the seeds
//! themselves are drawn in `crate::seed`).

use std::fmt;
use std::ops::RangeInclusive;

use crate::seed::splitmix;

/// Random chunking for one side of a pipe: every call moves a random number
/// of bytes in `sizes` (at most what is offered or buffered), and, on the
/// async doors, first returns `Pending` (waking its task) with the given
/// chance. Sizes and `Pending`s are drawn from the pipe's seed, so the same
/// seed and the same calls give the same chunks.
///
/// Set it for every side with [`PipeBuilder::chunking`](crate::PipeBuilder::chunking),
/// or per end and direction with
/// [`PipeEnd::set_read_chunking`](crate::PipeEnd::set_read_chunking) and
/// [`PipeEnd::set_write_chunking`](crate::PipeEnd::set_write_chunking).
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use pipetap::{Chunking, PipeBuilder};
///
/// let (mut a, mut b) = PipeBuilder::new()
///     .chunking(Chunking::sizes(1..=16))
///     .seed(7)                                // else derived from the test's seed
///     .build();
/// a.write_all(&[1; 100])?;                    // write_all loops over short writes
/// let mut buf = [0; 100];
/// let n = b.read(&mut buf)?;
/// assert!((1..=16).contains(&n));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunking {
    min: usize,
    max: usize,
    /// Chance, in percent, that an async call first returns `Pending`.
    pending: u8,
}

impl Chunking {
    /// Calls move a random number of bytes in `sizes`.
    ///
    /// # Panics
    ///
    /// If `sizes` is empty or starts at 0 (a call of 0 bytes would look like
    /// end-of-stream).
    ///
    /// # Examples
    ///
    /// ```
    /// let chunks = pipetap::Chunking::sizes(1..=16);
    /// # drop(chunks);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn sizes(sizes: RangeInclusive<usize>) -> Self {
        let (min, max) = sizes.into_inner();
        assert!(
            min >= 1 && min <= max,
            "pipetap: chunk sizes must be a non-empty range starting at 1 or more, got {min}..={max}"
        );
        Chunking {
            min,
            max,
            pending: 0,
        }
    }

    /// On the async doors, each call first returns `Pending` once (waking its
    /// task) with a chance of `percent` in 100. Blocking calls are not
    /// affected.
    ///
    /// # Panics
    ///
    /// If `percent` is above 100.
    ///
    /// # Examples
    ///
    /// ```
    /// let chunks = pipetap::Chunking::sizes(1..=16).with_pending(25);
    /// # drop(chunks);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn with_pending(mut self, percent: u8) -> Self {
        assert!(
            percent <= 100,
            "pipetap: a chance of {percent}% is above 100%"
        );
        self.pending = percent;
        self
    }
}

impl fmt::Display for Chunking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.min, self.max)?;
        if self.pending > 0 {
            write!(f, " with {}% Pending", self.pending)?;
        }
        Ok(())
    }
}

/// One side's random chunking: the setting and its own random stream.
#[derive(Clone, Debug)]
pub(crate) struct Chunker {
    pub(crate) chunking: Chunking,
    rng: u64,
}

impl Chunker {
    /// A chunker whose stream is the `stream`-th of `seed` (each side of a
    /// pipe has its own, so the draws of one side do not depend on how the
    /// calls of the others interleave with it).
    pub(crate) fn new(chunking: Chunking, seed: u64, stream: u64) -> Self {
        Chunker {
            chunking,
            rng: seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F),
        }
    }

    /// The size limit of the next call.
    pub(crate) fn next_len(&mut self) -> usize {
        let span = (self.chunking.max - self.chunking.min) as u64 + 1;
        self.chunking.min + (splitmix(&mut self.rng) % span) as usize
    }

    /// Whether the next async call first returns `Pending`.
    pub(crate) fn next_pending(&mut self) -> bool {
        self.chunking.pending > 0
            && splitmix(&mut self.rng) % 100 < u64::from(self.chunking.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_replay() {
        let mut a = Chunker::new(Chunking::sizes(3..=5), 42, 1);
        let mut b = Chunker::new(Chunking::sizes(3..=5), 42, 1);
        let draws: Vec<usize> = (0..200).map(|_| a.next_len()).collect();
        assert!(draws.iter().all(|n| (3..=5).contains(n)));
        assert!((3..=5).all(|n| draws.contains(&n)), "every size is drawn");
        assert_eq!(draws, (0..200).map(|_| b.next_len()).collect::<Vec<_>>());
        let mut other = Chunker::new(Chunking::sizes(3..=5), 42, 2);
        assert_ne!(
            draws,
            (0..200).map(|_| other.next_len()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn pending_chance_is_roughly_kept() {
        let mut c = Chunker::new(Chunking::sizes(1..=1).with_pending(25), 9, 0);
        let hits = (0..10_000).filter(|_| c.next_pending()).count();
        assert!((2000..3000).contains(&hits), "{hits}");
        let mut never = Chunker::new(Chunking::sizes(1..=1), 9, 0);
        assert!((0..1000).all(|_| !never.next_pending()));
    }
}
