//! The list of writers a [`MultiWriter`](super::MultiWriter) holds: two of
//! them (a tee's usual shape) inline, any other number in a `Vec`.
//!
//! Inline, the writers sit in the `MultiWriter` itself, so the common write
//! reaches each writer without first loading the `Vec`'s buffer pointer: one
//! dependent load less per writer on every call (BENCHMARKS.md, P5b).

use std::ops::{Deref, DerefMut};

pub(super) enum Writers<W> {
    Two([W; 2]),
    Any(Vec<W>),
}

impl<W> Writers<W> {
    /// Holds exactly these writers, in order.
    pub(super) fn from_vec(writers: Vec<W>) -> Self {
        match <[W; 2]>::try_from(writers) {
            Ok(two) => Writers::Two(two),
            Err(writers) => Writers::Any(writers),
        }
    }

    /// The writers, in order.
    pub(super) fn into_vec(self) -> Vec<W> {
        match self {
            Writers::Two(two) => Vec::from(two),
            Writers::Any(writers) => writers,
        }
    }

    /// Adds writers at the end.
    pub(super) fn extend(&mut self, more: impl IntoIterator<Item = W>) {
        let mut writers = std::mem::replace(self, Writers::Any(Vec::new())).into_vec();
        writers.extend(more);
        *self = Writers::from_vec(writers);
    }
}

impl<W> Deref for Writers<W> {
    type Target = [W];

    #[inline(always)]
    fn deref(&self) -> &[W] {
        match self {
            Writers::Two(two) => two,
            Writers::Any(writers) => writers,
        }
    }
}

impl<W> DerefMut for Writers<W> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [W] {
        match self {
            Writers::Two(two) => two,
            Writers::Any(writers) => writers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_keeps_its_writers_in_order() {
        for n in 0..5 {
            let mut writers = Writers::from_vec((0..n).collect());
            assert_eq!(matches!(writers, Writers::Two(_)), n == 2);
            assert_eq!(&writers[..], &(0..n).collect::<Vec<_>>()[..]);
            writers.extend([10, 11]);
            assert_eq!(matches!(writers, Writers::Two(_)), n == 0);
            writers[0] += 100;
            let mut want: Vec<_> = (0..n).chain([10, 11]).collect();
            want[0] += 100;
            assert_eq!(writers.into_vec(), want);
        }
    }
}
