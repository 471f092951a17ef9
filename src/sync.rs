//! Synchronisation primitives: `std` normally, `loom`'s under `--cfg loom`, so
//! the pipe's core state machine can be model-checked unchanged.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Locks `mutex`, ignoring poisoning: no user code ever runs while one of the
/// crate's locks is held, so a panic elsewhere cannot leave the state
/// half-updated, and one panicking thread must never wedge the other side.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        mutex.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Wakes a task, containing a panic in its waker. A waker is user code: if it
/// panics (the panic hook still reports it), the panic must not skip the other
/// wake-ups of the same call, nor escape into the crate call that delivers
/// them, which may belong to the other side of a pipe (its write would lose
/// the count it accepted), be half done (`close` shuts one direction, then the
/// other), or be a recording's write that already reached the connection.
pub(crate) fn wake_contained(waker: std::task::Waker) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake()));
}
