//! [`Deadline`]: a moment on the wall clock and, when it was set inside a
//! paused tokio runtime, on that runtime's clock too.

use std::time::{Duration, Instant};

use super::Clock;

/// A moment that can be compared on either clock (see the
/// [module docs](super)): a deadline, or a "now" from [`Clock::now`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    wall: Instant,
    /// The same moment on a paused runtime's clock.
    #[cfg(feature = "tokio")]
    paused: Option<tokio::time::Instant>,
}

impl Deadline {
    /// A moment on the wall clock only.
    pub(crate) fn wall(at: Instant) -> Deadline {
        Deadline {
            wall: at,
            #[cfg(feature = "tokio")]
            paused: None,
        }
    }

    /// A moment on both clocks.
    #[cfg(feature = "tokio")]
    pub(super) fn paused(wall: Instant, paused: tokio::time::Instant) -> Deadline {
        Deadline {
            wall,
            paused: Some(paused),
        }
    }

    /// The moment on the wall clock (what blocking calls and hang reports
    /// use).
    pub(crate) fn on_wall(&self) -> Instant {
        self.wall
    }

    /// The moment on a paused runtime's clock, if it was set inside one.
    #[cfg(feature = "tokio")]
    pub(super) fn on_paused(&self) -> Option<tokio::time::Instant> {
        self.paused
    }

    /// The clock an async call made now compares this deadline on: the wall
    /// clock for a deadline set outside a paused runtime (without looking
    /// for a runtime), else [`Clock::current`].
    pub(crate) fn clock(&self) -> Clock {
        #[cfg(feature = "tokio")]
        if self.paused.is_some() {
            return Clock::current();
        }
        Clock::Wall
    }

    /// `duration` later; `None` if that cannot be represented.
    pub(crate) fn checked_add(&self, duration: Duration) -> Option<Deadline> {
        Some(Deadline {
            wall: self.wall.checked_add(duration)?,
            #[cfg(feature = "tokio")]
            paused: match self.paused {
                Some(at) => Some(at.checked_add(duration)?),
                None => None,
            },
        })
    }

    /// Taking `self` as now: how long ago `at` passed (zero: just now), or
    /// `None` if it has not come yet. Compared on the paused clock when both
    /// have a time there, else on the wall clock.
    pub(crate) fn since(&self, at: &Deadline) -> Option<Duration> {
        #[cfg(feature = "tokio")]
        if let (Some(now), Some(at)) = (self.paused, at.paused) {
            return (now >= at).then(|| now - at);
        }
        (self.wall >= at.wall).then(|| self.wall - at.wall)
    }

    /// Taking `self` as now: whether `at` has come.
    pub(crate) fn reached(&self, at: &Deadline) -> bool {
        self.since(at).is_some()
    }
}
