//! One async read or write as [`Direction::poll`](super::direction::Direction::poll)
//! drives it: a fast path for the common case and the general state machine
//! for everything else, both on the caller's buffer.
//!
//! A trait (not two closures) so that both paths are plain methods the
//! compiler always inlines where they belong: the fast path into the door's
//! entry, the general path into its one out-of-line function.

use std::task::Waker;

use super::call::{Op, Waiter};
use super::channel::{Attempt, Channel, Plain};
use super::label::Label;
use super::ring::Target;
use super::wake::Wake;
use crate::source::Source;

/// An async call on one side of a direction.
pub(crate) trait PollCall {
    /// The side the call is on.
    const OP: Op;

    /// A zero-length call: it finishes at once, never delayed.
    fn is_empty(&self) -> bool;

    /// The fast path ([`Channel::read_plain`], [`Channel::write_plain`]).
    fn plain(&mut self, chan: &mut Channel, waker: &Waker, budget: Option<&Waker>) -> Plain;

    /// The general path ([`Channel::read`], [`Channel::write`]).
    fn attempt(
        &mut self,
        chan: &mut Channel,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt;
}

/// A read into `T`.
pub(crate) struct ReadCall<'a, T: ?Sized>(pub(crate) &'a mut T);

impl<T: Target + ?Sized> PollCall for ReadCall<'_, T> {
    const OP: Op = Op::Read;

    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.0.room() == 0
    }

    #[inline(always)]
    fn plain(&mut self, chan: &mut Channel, waker: &Waker, budget: Option<&Waker>) -> Plain {
        chan.read_plain(self.0, waker, budget)
    }

    #[inline(always)]
    fn attempt(
        &mut self,
        chan: &mut Channel,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        chan.read(self.0, waiter, label, wake)
    }
}

/// A write of a [`Source`].
pub(crate) struct WriteCall<'a, 'b>(pub(crate) &'a Source<'b>);

impl PollCall for WriteCall<'_, '_> {
    const OP: Op = Op::Write;

    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[inline(always)]
    fn plain(&mut self, chan: &mut Channel, _: &Waker, budget: Option<&Waker>) -> Plain {
        match self.0 {
            Source::One(bytes) => chan.write_plain(bytes, budget),
            _ => Plain::General,
        }
    }

    #[inline(always)]
    fn attempt(
        &mut self,
        chan: &mut Channel,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        chan.write(*self.0, waiter, label, wake)
    }
}
