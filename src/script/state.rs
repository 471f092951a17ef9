//! What the peer's thread shares with its [`ScriptPeer`](crate::ScriptPeer):
//! how far the script got, and how it failed.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::time::Instant;

use super::error::ScriptError;

/// How far the script got (copied out after every turn of the peer).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Progress {
    /// The peer's own step.
    pub(crate) step: usize,
    /// `read` step: bytes sent so far.
    pub(crate) sent: usize,
    /// Where the code's written stream is.
    pub(crate) matched_step: usize,
    pub(crate) matched_offset: usize,
    pub(crate) written: u64,
    /// Every step has run.
    pub(crate) done: bool,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) progress: Progress,
    pub(crate) failure: Option<ScriptError>,
    /// The peer's thread has ended.
    pub(crate) exited: bool,
    /// `finished()` futures waiting.
    wakers: Vec<Waker>,
    /// Threads waiting in `finish`.
    blocked: usize,
    /// The peer's thread is parked with nothing to do: the wake-up count
    /// when its last turn began, and whether it waits only for the code
    /// under test to write (a `write`-like step or the end, no wait timed).
    pub(crate) parked: Option<(u64, bool)>,
}

impl State {
    /// Whether a finish can return now.
    pub(crate) fn settled(&self) -> bool {
        self.progress.done || self.failure.is_some() || self.exited
    }
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes the peer's progress; wakes finishers once it is done.
    pub(crate) fn publish(&self, progress: Progress) {
        let mut state = self.lock();
        state.progress = progress;
        if progress.done {
            self.wake(state);
        }
    }

    /// The peer's thread parks after a turn that began at wake-up count
    /// `wakes` and moved nothing.
    pub(crate) fn park(&self, wakes: u64, only_reads: bool) {
        self.lock().parked = Some((wakes, only_reads));
    }

    /// The peer's thread is running again.
    pub(crate) fn unpark(&self) {
        self.lock().parked = None;
    }

    /// Records the first failure.
    pub(crate) fn fail(&self, error: ScriptError) {
        let mut state = self.lock();
        state.failure.get_or_insert(error);
        self.wake(state);
    }

    /// The peer's thread has ended.
    pub(crate) fn exit(&self) {
        let mut state = self.lock();
        state.exited = true;
        self.wake(state);
    }

    fn wake(&self, mut state: MutexGuard<'_, State>) {
        let notify = state.blocked > 0;
        let mut wakers = std::mem::take(&mut state.wakers);
        drop(state);
        if notify {
            self.changed.notify_all();
        }
        for waker in wakers.drain(..) {
            waker.wake();
        }
    }

    /// Blocks until the script settles or `deadline` passes; returns the
    /// state then.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        state.blocked += 1;
        while !state.settled() {
            match deadline {
                None => {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner)
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    state = self
                        .changed
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        state.blocked -= 1;
        state
    }

    /// Registers a `finished()` future's waker.
    pub(crate) fn register(state: &mut State, waker: &Waker) {
        if !state.wakers.iter().any(|w| w.will_wake(waker)) {
            state.wakers.push(waker.clone());
        }
    }
}
