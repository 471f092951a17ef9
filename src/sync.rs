//! Synchronisation primitives: `parking_lot`'s lock and condition variable
//! normally, `loom`'s under `--cfg loom`, so the pipe's core state machine can
//! be model-checked unchanged. The wrappers below give both one shape.
//!
//! Why `parking_lot` rather than `std::sync::Mutex`: every read and write of a
//! pipe takes one lock, and std's poison bookkeeping (a look at the global
//! panic count when the guard is made and again when it is dropped) was about
//! a tenth of a 64-byte write's instructions. The crate never needs poisoning:
//! no user code runs while one of its locks is held (see [`lock`]). It is the
//! lock tokio's own duplex uses when tokio's `parking_lot` feature is on.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::Arc;

use std::time::Duration;

/// Locks `mutex`. There is no poisoning to ignore: no user code ever runs
/// while one of the crate's locks is held, so a panic elsewhere cannot leave
/// the state half-updated, and one panicking thread must never wedge the
/// other side.
#[inline(always)]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        mutex.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        mutex.lock()
    }
}

/// Sleeps on `cvar`, releasing `guard`'s lock, until notified (or a spurious
/// wake-up); returns with the lock held again.
pub(crate) fn wait<'a, T>(cvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    #[cfg(loom)]
    {
        cvar.wait(guard).unwrap()
    }
    #[cfg(not(loom))]
    {
        let mut guard = guard;
        cvar.wait(&mut guard);
        guard
    }
}

/// As [`wait`], for at most `timeout`.
pub(crate) fn wait_timeout<'a, T>(
    cvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: Duration,
) -> MutexGuard<'a, T> {
    #[cfg(loom)]
    {
        cvar.wait_timeout(guard, timeout).unwrap().0
    }
    #[cfg(not(loom))]
    {
        let mut guard = guard;
        cvar.wait_for(&mut guard, timeout);
        guard
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
