//! [`Hold`]: keeps a paused tokio runtime from auto-advancing its clock while
//! a thread outside it (a scripted peer) has work in hand.
//!
//! tokio advances a paused clock as soon as its own tasks are all idle; it
//! cannot see another thread at work. Its only public way to hold the clock
//! is a running `spawn_blocking` call: tokio counts it from the moment it is
//! spawned until it returns. So [`Hold::take`] spawns one (unless one runs
//! already) that waits until [`Hold::release`] or [`Hold::close`].
//!
//! The owner takes the hold in the waker that hands its thread work (so the
//! clock is held before the task that handed the work over can go idle),
//! marks the start of each turn with [`Hold::begin_turn`], and lets go with
//! [`Hold::release`] once a turn found nothing to do, its output handed over
//! (the wakers of what it wrote have run); a wake-up that came during that
//! turn keeps the hold for the next one.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use super::Clock;

/// How long one hold lasts at most (wall clock) if its owner never lets go,
/// so that a stuck owner slows the runtime's clock down but never stops it.
const HOLD_AT_MOST: Duration = Duration::from_secs(5);

/// A hold on one paused runtime's clock; cheap to share (`Arc` inside).
#[derive(Debug, Clone)]
pub(crate) struct Hold(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    runtime: Handle,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// A `spawn_blocking` call holds the clock.
    held: bool,
    /// Work was handed over since the current turn began.
    woken: bool,
    /// The owner is gone: never hold again.
    closed: bool,
}

impl Hold {
    /// A hold on `clock`, if it is a paused runtime's.
    pub(crate) fn on(clock: &Clock) -> Option<Hold> {
        match clock {
            Clock::Paused(runtime) => Some(Hold(Arc::new(Inner {
                runtime: runtime.clone(),
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }))),
            Clock::Wall => None,
        }
    }

    /// Work was handed over: hold the clock, at once.
    pub(crate) fn take(&self) {
        let mut state = self.lock();
        state.woken = true;
        if state.held || state.closed {
            return;
        }
        state.held = true;
        drop(state);
        let inner = self.0.clone();
        // Counted by tokio from this call on, whatever thread makes it.
        drop(self.0.runtime.spawn_blocking(move || inner.hold()));
    }

    /// A turn begins: the work handed over so far is in hand.
    pub(crate) fn begin_turn(&self) {
        self.lock().woken = false;
    }

    /// The turn found nothing to do: let the clock go, unless work was
    /// handed over during the turn (then `false`: run another turn).
    pub(crate) fn release(&self) -> bool {
        let mut state = self.lock();
        if state.woken {
            return false;
        }
        if state.held {
            state.held = false;
            self.0.changed.notify_all();
        }
        true
    }

    /// The owner is gone: let go for good.
    pub(crate) fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.held = false;
        self.0.changed.notify_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    /// The `spawn_blocking` call: returns (so letting tokio's clock go) once
    /// the hold is released, or after [`HOLD_AT_MOST`].
    fn hold(&self) {
        let until = Instant::now() + HOLD_AT_MOST;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.held {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.held = false;
                break;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
