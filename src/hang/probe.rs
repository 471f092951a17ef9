//! When [`within_async`](crate::within_async) may count tasks in the
//! deadlock verdict: on a tokio runtime whose clock is paused, once tokio
//! has auto-advanced to a timer set at the bound. tokio advances a paused
//! clock only when none of its tasks can run and no `spawn_blocking` call is
//! at work, and always to the earliest timer first; so when that timer
//! fires, every task of the runtime is idle and no timer of the runtime is
//! due before the bound.
//!
//! A task may still be asleep on a timer set past the bound. So a verdict
//! found then is confirmed once more at a second timer, far away (a year on
//! tokio's clock, which costs no wall time): tokio gets there only if every
//! timer before it fired and the set is still stuck.
//!
//! Whether the clock is paused is looked at on the first poll, by the
//! crate's clock rule ([`crate::clock`]); the timer at the bound counts
//! from then on tokio's clock. It is set only once the task looks stuck (a
//! look at the pipes 1 ms after the first poll, then at doubling intervals
//! up to 50 ms, on the wall clock): a bound that finds nothing never moves
//! tokio's clock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::verdict::{self, Bounded, Deadlock};

/// How far past the bound the confirming timer is set (tokio's timers
/// reach about two years).
const CONFIRM_AFTER: Duration = Duration::from_secs(365 * 24 * 3600);

/// The probe of one bounded future.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    state: State,
    /// tokio's time at the first poll: the bound counts from it.
    tokio_started: Option<tokio::time::Instant>,
}

#[derive(Debug, Default)]
enum State {
    /// Not polled yet.
    #[default]
    Fresh,
    /// On a paused clock, looking on the wall clock (at `next`, then at
    /// doubling intervals) whether the task looks stuck; only then is the
    /// timer at the bound set, so tokio's clock does not move for a bound
    /// that finds nothing.
    Watching { next: Instant, every: Duration },
    /// A timer at the bound, on the paused clock.
    Armed(Pin<Box<tokio::time::Sleep>>),
    /// A verdict found at the bound, waiting for its confirmation.
    Confirming(Pin<Box<tokio::time::Sleep>>),
    /// No verdict will be looked for (no paused clock, or the set was not
    /// stuck at the bound).
    Off,
}

impl Probe {
    /// Looks after the probe; `Ready` with the deadlock once it is
    /// confirmed. `limit` is the bound, `started` when it began.
    pub(crate) fn poll(
        &mut self,
        cx: &mut Context<'_>,
        limit: Duration,
        started: Instant,
    ) -> Poll<Deadlock> {
        loop {
            match &mut self.state {
                State::Off => return Poll::Pending,
                State::Fresh => {
                    if !crate::clock::Clock::current().is_paused() {
                        self.state = State::Off;
                        return Poll::Pending;
                    }
                    self.tokio_started = Some(tokio::time::Instant::now());
                    let next = Instant::now() + LOOK_FIRST;
                    crate::clock::wall::wake_at(next, cx.waker().clone());
                    self.state = State::Watching {
                        next,
                        every: LOOK_FIRST,
                    };
                    return Poll::Pending;
                }
                State::Watching { next, every } => {
                    let now = Instant::now();
                    if now < *next {
                        return Poll::Pending;
                    }
                    if looks_stuck(cx.waker()) {
                        let start = self.tokio_started.unwrap_or_else(tokio::time::Instant::now);
                        let at = start + limit;
                        self.state = State::Armed(Box::pin(tokio::time::sleep_until(at)));
                        continue;
                    }
                    *every = (*every * 2).min(LOOK_AT_MOST);
                    *next = now + *every;
                    crate::clock::wall::wake_at(*next, cx.waker().clone());
                    return Poll::Pending;
                }
                State::Armed(sleep) => {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    if started.elapsed() >= limit {
                        // The wall clock got there too: the clock ran.
                        self.state = State::Off;
                        return Poll::Pending;
                    }
                    if find(cx.waker()).is_none() {
                        self.state = State::Off;
                        return Poll::Pending;
                    }
                    let at = tokio::time::Instant::now() + CONFIRM_AFTER;
                    self.state = State::Confirming(Box::pin(tokio::time::sleep_until(at)));
                }
                State::Confirming(sleep) => {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let found = find(cx.waker());
                    self.state = State::Off;
                    return match found {
                        Some(deadlock) => Poll::Ready(deadlock),
                        None => Poll::Pending,
                    };
                }
            }
        }
    }
}

/// When the task is first looked at, on the wall clock.
const LOOK_FIRST: Duration = Duration::from_millis(1);
/// How long at most between two looks.
const LOOK_AT_MOST: Duration = Duration::from_millis(50);

/// Whether the task of `waker` looks stuck now.
fn looks_stuck(waker: &Waker) -> bool {
    verdict::looks_stuck(&Bounded::Task {
        waker,
        runtime: std::thread::current().id(),
    })
}

/// The verdict for the task of `waker`, on this thread's runtime.
fn find(waker: &Waker) -> Option<Deadlock> {
    verdict::find(&Bounded::Task {
        waker,
        runtime: std::thread::current().id(),
    })
}
