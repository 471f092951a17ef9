//! How a `wait` step keeps time.
//!
//! A script keeps the clock of the place it was built in
//! ([`crate::clock::Clock::current`]): tokio's, inside a runtime whose clock
//! is paused, else the wall clock. A wait ends at the earlier of the wall
//! clock and that clock. On a paused clock an alarm task sleeps on the
//! runtime until the wait's end and wakes the peer, so once the code under
//! test is idle tokio jumps to it and a scripted delay costs nothing; its
//! waker (the peer's) takes the [`Hold`](crate::clock::Hold) at once, so the
//! clock jumps no further until the peer has sent what follows. If the
//! runtime's thread is blocked (in [`ScriptPeer::finish`](crate::ScriptPeer::finish),
//! say), the wall clock still ends the wait, so a wait never hangs.

use std::task::Waker;
use std::time::{Duration, Instant};

use crate::clock::{Alarm, Clock as TimeClock, Deadline};

/// The clock of the place a script was built in.
#[derive(Debug, Clone)]
pub(crate) struct Clock(TimeClock);

impl Clock {
    /// The clock of the calling context.
    pub(crate) fn here() -> Clock {
        Clock(TimeClock::current())
    }

    /// The clock itself (for the peer's [`Hold`](crate::clock::Hold)).
    pub(crate) fn time(&self) -> &TimeClock {
        &self.0
    }

    /// Starts a wait of `duration`; on a paused clock `waker` is woken when
    /// that clock ends it.
    pub(crate) fn start(&self, duration: Duration, waker: &Waker) -> Wait {
        let until = self.0.after(duration);
        let alarm = match &until {
            Some(at) if self.0.is_paused() => Some(self.0.wake_at(at, waker.clone())),
            _ => None,
        };
        Wait {
            clock: self.0.clone(),
            until,
            _alarm: alarm,
        }
    }
}

/// One running wait.
#[derive(Debug)]
pub(crate) struct Wait {
    clock: TimeClock,
    /// `None`: the duration is too long to be reached.
    until: Option<Deadline>,
    /// The paused clock's wake-up (cancelled if the wait is dropped).
    _alarm: Option<Alarm>,
}

impl Wait {
    /// Whether either clock has ended the wait.
    pub(crate) fn is_over(&self) -> bool {
        self.until
            .as_ref()
            .is_some_and(|at| TimeClock::Wall.reached(at) || self.clock.reached(at))
    }

    /// When the wall clock ends the wait, if it can.
    pub(crate) fn wall_until(&self) -> Option<Instant> {
        self.until.as_ref().map(Deadline::on_wall)
    }
}
