//! Timeouts, so that a deadlock or a lost wake-up fails a test fast instead
//! of hanging CI.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long any single test may run before it is declared deadlocked.
pub const WATCHDOG: Duration = Duration::from_secs(30);

/// Runs `f` on its own thread and fails the test if it has not finished within
/// [`WATCHDOG`]. A panic inside `f` is re-raised on the caller's thread with
/// its original payload.
#[track_caller]
pub fn watchdog<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    watchdog_for(WATCHDOG, f)
}

/// [`watchdog`] with an explicit limit.
#[track_caller]
pub fn watchdog_for<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name("watched-test".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(result);
        })
        .expect("spawn test thread");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = handle.join();
            value
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("test did not finish within {limit:?}: deadlock or lost wake-up"),
    }
}

/// Runs a future to completion on a fresh current-thread tokio runtime (with
/// timers) under the watchdog.
#[track_caller]
pub fn tokio_watchdog<F>(fut: impl FnOnce() -> F + Send + 'static) -> F::Output
where
    F: std::future::Future,
    F::Output: Send + 'static,
{
    watchdog(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(fut())
    })
}

/// Runs a future to completion with `futures::executor::block_on` (no runtime,
/// no timer driver) under the watchdog.
#[track_caller]
pub fn futures_watchdog<F>(fut: impl FnOnce() -> F + Send + 'static) -> F::Output
where
    F: std::future::Future,
    F::Output: Send + 'static,
{
    watchdog(move || futures::executor::block_on(fut()))
}

/// Spins (yielding) until `cond` holds; fails after 10 s instead of hanging.
/// For conditions another thread makes true, where there is nothing to block
/// on (a waker being called, a thread starting to wait).
#[track_caller]
pub fn wait_until(mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "condition never held: lost wake-up?"
        );
        thread::yield_now();
    }
}
