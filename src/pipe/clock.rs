//! The clock the live faults (latency, bandwidth, `hold_for`) run on: the
//! one place to ask what time it is for a call, and to have a task woken at
//! a time.
//!
//! For now this is the wall clock and the deadline timer thread; it becomes
//! the crate's one clock (tokio's paused clock for async calls in a paused
//! runtime) when that lands.

use std::task::Waker;
use std::time::Instant;

use super::call::Waiter;

/// The time on the clock of a call that would wait as `waiter`.
pub(crate) fn now(waiter: Waiter<'_>) -> Instant {
    let _ = waiter;
    Instant::now()
}

/// The time on the clock of the calling context (a control call).
pub(crate) fn now_here() -> Instant {
    Instant::now()
}

/// Wakes `waker` at `at` on the clock of the calling context.
pub(crate) fn wake_at(at: Instant, waker: Waker) {
    crate::clock::wall::wake_at(at, waker);
}
