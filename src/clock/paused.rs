//! A paused tokio runtime's clock: reading it from any thread, and waking a
//! waker when it reaches a moment.

use std::task::Waker;

use tokio::runtime::Handle;
use tokio::time::Instant;

/// The runtime's now (entering it, so that this works from any thread).
pub(super) fn now(handle: &Handle) -> Instant {
    let _enter = handle.enter();
    Instant::now()
}

/// Spawns a task on the runtime that sleeps until `at` on its clock, then
/// wakes `waker`. The task's timer is what lets tokio's auto-advance jump to
/// `at` once the runtime is idle; aborting the task removes it.
pub(super) fn wake_at(handle: &Handle, at: Instant, waker: Waker) -> tokio::task::AbortHandle {
    handle
        .spawn(async move {
            tokio::time::sleep_until(at).await;
            crate::sync::wake_contained(waker);
        })
        .abort_handle()
}
