//! How a `wait` step keeps time.
//!
//! A wait ends at the earlier of two clocks: the wall clock, always, and,
//! with the `tokio` feature when the script was built inside a tokio
//! runtime, that runtime's clock. The peer asks the runtime (through the
//! `Handle` captured at build) to sleep for the same duration and wake it.
//! Under `tokio::time::pause()` the runtime's clock jumps ahead as soon as
//! the code under test is idle, so a scripted delay costs nothing, as with
//! `tokio_test::io`; on a running clock both end together. If the runtime is
//! gone or busy (its thread blocked in [`ScriptPeer::finish`](crate::ScriptPeer::finish)),
//! the wall clock still ends the wait, so a wait never hangs.
//!
//! A paused clock must not jump again before the peer has acted on the end
//! of its wait: the code under test may be waiting under a longer
//! `tokio::time::timeout`, and the runtime, seeing nothing to run while the
//! peer's own thread sends the next bytes, would fire that timeout first. So
//! the task that slept hands over to a `spawn_blocking` call (which keeps
//! tokio from auto-advancing while it runs) that waits, bounded, until the
//! peer has run its next steps and gone idle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
#[cfg(feature = "tokio")]
use std::sync::{Condvar, Mutex, PoisonError};
use std::task::Waker;
use std::time::{Duration, Instant};

/// Where the script was built: the clocks a wait may follow.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    #[cfg(feature = "tokio")]
    runtime: Option<tokio::runtime::Handle>,
}

/// What one wait shares with the runtime task that sleeps for it.
#[derive(Debug, Default)]
struct Shared {
    /// The runtime's clock ended the wait.
    ended: AtomicBool,
    /// The peer has acted on the end and gone idle.
    #[cfg(feature = "tokio")]
    idle: Mutex<bool>,
    #[cfg(feature = "tokio")]
    idle_changed: Condvar,
}

/// How long the runtime is held back at most, waiting for the peer.
#[cfg(feature = "tokio")]
const HOLD_AT_MOST: Duration = Duration::from_secs(1);

impl Clock {
    /// The clocks of the calling thread's context.
    pub(crate) fn here() -> Clock {
        Clock {
            #[cfg(feature = "tokio")]
            runtime: tokio::runtime::Handle::try_current().ok(),
        }
    }

    /// Starts a wait of `duration`; `waker` is woken when the runtime's
    /// clock ends it.
    pub(crate) fn start(&self, duration: Duration, waker: &Waker) -> Wait {
        let until = Instant::now().checked_add(duration);
        let shared = Arc::new(Shared::default());
        #[cfg(feature = "tokio")]
        if let Some(runtime) = &self.runtime {
            let (task, waker) = (shared.clone(), waker.clone());
            drop(runtime.spawn(async move {
                tokio::time::sleep(duration).await;
                let _ = tokio::task::spawn_blocking(move || {
                    task.ended.store(true, Ordering::Release);
                    waker.wake();
                    let idle = task.idle.lock().unwrap_or_else(PoisonError::into_inner);
                    let _ = task
                        .idle_changed
                        .wait_timeout_while(idle, HOLD_AT_MOST, |idle| !*idle);
                })
                .await;
            }));
        }
        #[cfg(not(feature = "tokio"))]
        let _ = waker;
        Wait {
            until,
            shared: Some(shared),
        }
    }
}

/// One running wait.
#[derive(Debug)]
pub(crate) struct Wait {
    /// `None`: the duration is too long to be reached.
    pub(crate) until: Option<Instant>,
    /// Always `Some` until [`Wait::into_idle`].
    shared: Option<Arc<Shared>>,
}

impl Wait {
    /// Whether either clock has ended the wait.
    pub(crate) fn is_over(&self) -> bool {
        self.shared
            .as_ref()
            .is_some_and(|s| s.ended.load(Ordering::Acquire))
            || self.until.is_some_and(|t| Instant::now() >= t)
    }

    /// The wait is over: the handle to tell its runtime task once the peer
    /// has gone idle.
    pub(crate) fn into_idle(mut self) -> Idle {
        Idle(self.shared.take())
    }
}

impl Drop for Wait {
    /// A wait dropped unfinished (the peer stopped) holds nothing back.
    fn drop(&mut self) {
        Idle(self.shared.take()).tell();
    }
}

/// Tells a finished wait's runtime task that the peer has gone idle (when
/// told, or when dropped).
#[derive(Debug)]
pub(crate) struct Idle(Option<Arc<Shared>>);

impl Idle {
    /// The peer has nothing more to do for now.
    pub(crate) fn tell(mut self) {
        self.release();
    }

    fn release(&mut self) {
        let shared = self.0.take();
        #[cfg(feature = "tokio")]
        if let Some(shared) = shared {
            *shared.idle.lock().unwrap_or_else(PoisonError::into_inner) = true;
            shared.idle_changed.notify_all();
        }
        #[cfg(not(feature = "tokio"))]
        drop(shared);
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        self.release();
    }
}
