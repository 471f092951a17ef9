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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

/// Where the script was built: the clocks a wait may follow.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    #[cfg(feature = "tokio")]
    runtime: Option<tokio::runtime::Handle>,
}

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
        let ended = Arc::new(AtomicBool::new(false));
        #[cfg(feature = "tokio")]
        if let Some(runtime) = &self.runtime {
            let (ended, waker) = (ended.clone(), waker.clone());
            drop(runtime.spawn(async move {
                tokio::time::sleep(duration).await;
                ended.store(true, Ordering::Release);
                waker.wake();
            }));
        }
        #[cfg(not(feature = "tokio"))]
        let _ = waker;
        Wait { until, ended }
    }
}

/// One running wait.
#[derive(Debug)]
pub(crate) struct Wait {
    /// `None`: the duration is too long to be reached.
    pub(crate) until: Option<Instant>,
    ended: Arc<AtomicBool>,
}

impl Wait {
    /// Whether either clock has ended the wait.
    pub(crate) fn is_over(&self) -> bool {
        self.ended.load(Ordering::Acquire) || self.until.is_some_and(|t| Instant::now() >= t)
    }
}
