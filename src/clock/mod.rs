//! The one clock every timed thing in the crate reads: pipe deadlines,
//! `Script::wait`, `Tape::wait_for(..).within(d)`, the listener's
//! `connect_timeout`, and the live-fault timers. It sits at the bottom of the
//! crate's import graph: it imports nothing of the crate but [`crate::sync`].
//!
//! # Which clock a call runs on
//!
//! The wall clock (`std::time::Instant`), except for an *async* call made
//! inside a tokio runtime whose clock is paused (feature `tokio`): that call
//! runs on tokio's clock ([`Clock::current`]). Blocking calls and the hang
//! guards (`within*`, `finish*`) always use [`Clock::Wall`].
//!
//! # How "paused" is detected
//!
//! tokio has no public "is the clock paused" query. [`Clock::current`] says
//! a runtime's clock is paused when
//!
//! 1. the calling thread is inside a tokio runtime (`Handle::try_current`),
//! 2. that runtime is a current-thread one (tokio can pause no other kind),
//! 3. and `tokio::time::Instant::now()` read twice, with the wall clock seen
//!    to move in between, gives the same instant twice.
//!
//! The rule is sound both ways. A clock that is not paused reads
//! `std::time::Instant::now()` (plus a fixed offset after a `resume`), so it
//! moves whenever the wall clock does; a paused clock moves only when tokio
//! advances it, which on a current-thread runtime happens on the runtime's
//! own thread, the very thread that is reading it. A multi-thread runtime is
//! never taken for paused (rule 2, and rule 3 holds for it too). The test
//! costs two reads of tokio's clock and a few of the wall clock (well under a
//! microsecond), and it is only made where a timer is set or checked, never
//! on a pipe call without a deadline.
//!
//! # Deadlines on two clocks
//!
//! A [`Deadline`] holds the wall-clock instant and, when it was set inside a
//! paused runtime, the same moment on tokio's clock, mapped relative to the
//! moment it was set (`deadline - std::time::Instant::now()` after tokio's
//! now). A deadline is compared on tokio's clock when both its setting and
//! the call that checks it ran inside a paused runtime; otherwise on the wall
//! clock. So a deadline set outside a paused runtime stays a wall-clock one,
//! and blocking calls on the same pipe keep the wall-clock meaning of the
//! same deadline.

#![cfg_attr(loom, allow(dead_code, unused_imports))]

mod alarm;
mod deadline;
mod detect;
#[cfg(feature = "tokio")]
mod hold;
#[cfg(not(feature = "tokio"))]
#[path = "no_hold.rs"]
mod hold;
#[cfg(feature = "tokio")]
mod paused;
#[cfg(all(test, feature = "tokio", not(loom)))]
mod tests;
pub(crate) mod wall;

pub(crate) use alarm::Alarm;
pub(crate) use deadline::Deadline;
pub(crate) use hold::Hold;

use std::task::Waker;
use std::time::{Duration, Instant};

/// A clock a call runs on: see the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    /// `std::time::Instant`, with the crate's timer thread for wake-ups.
    Wall,
    /// The clock of a paused tokio runtime, reached through its handle.
    #[cfg(feature = "tokio")]
    Paused(tokio::runtime::Handle),
}

impl Clock {
    /// The clock an async call made now runs on: tokio's, inside a runtime
    /// whose clock is paused, else the wall clock.
    pub(crate) fn current() -> Clock {
        #[cfg(feature = "tokio")]
        if let Some(handle) = detect::paused_runtime() {
            return Clock::Paused(handle);
        }
        Clock::Wall
    }

    /// Whether this is a paused tokio runtime's clock.
    pub(crate) fn is_paused(&self) -> bool {
        !matches!(self, Clock::Wall)
    }

    /// Now, as a deadline that is just reached (on this clock and on the
    /// wall clock).
    pub(crate) fn now(&self) -> Deadline {
        match self {
            Clock::Wall => Deadline::wall(Instant::now()),
            #[cfg(feature = "tokio")]
            Clock::Paused(handle) => {
                let wall = Instant::now();
                Deadline::paused(wall, paused::now(handle))
            }
        }
    }

    /// `duration` from now; `None` if it cannot be represented.
    pub(crate) fn after(&self, duration: Duration) -> Option<Deadline> {
        self.now().checked_add(duration)
    }

    /// The deadline a caller means by the wall-clock instant `at`, set now:
    /// on a paused clock, `at - Instant::now()` after its now.
    pub(crate) fn deadline(&self, at: Instant) -> Deadline {
        match self {
            Clock::Wall => Deadline::wall(at),
            #[cfg(feature = "tokio")]
            Clock::Paused(handle) => {
                let (wall_now, now) = (Instant::now(), paused::now(handle));
                let mapped = if at >= wall_now {
                    now.checked_add(at - wall_now)
                } else {
                    Some(now.checked_sub(wall_now - at).unwrap_or(now))
                };
                match mapped {
                    Some(mapped) => Deadline::paused(at, mapped),
                    None => Deadline::wall(at),
                }
            }
        }
    }

    /// How long ago `at` passed on this clock (zero: just now), or `None`
    /// if it has not come yet.
    pub(crate) fn passed(&self, at: &Deadline) -> Option<Duration> {
        self.now().since(at)
    }

    /// Whether `at` has come on this clock.
    pub(crate) fn reached(&self, at: &Deadline) -> bool {
        self.passed(at).is_some()
    }

    /// How long until `at` on this clock (zero once it has come).
    #[allow(dead_code)] // for the live-fault timers (latency, hold_for, ...)
    pub(crate) fn until(&self, at: &Deadline) -> Duration {
        at.since(&self.now()).unwrap_or_default()
    }

    /// Has `waker` woken once `at` comes on this clock (or soon after). A
    /// deadline that has no time on this clock (set outside a paused
    /// runtime) is waited for on the wall clock.
    ///
    /// Keep the [`Alarm`] while the wake-up is wanted: dropping it cancels
    /// the wake-up where that is possible (on tokio's clock, so that a stale
    /// timer never makes a paused clock jump). The wall clock's timer may
    /// still wake `waker` once, which a waker must allow anyway.
    pub(crate) fn wake_at(&self, at: &Deadline, waker: Waker) -> Alarm {
        #[cfg(feature = "tokio")]
        if let (Clock::Paused(handle), Some(mapped)) = (self, at.on_paused()) {
            return Alarm::paused(paused::wake_at(handle, mapped, waker));
        }
        wall::wake_at(at.on_wall(), waker);
        Alarm::wall()
    }
}
