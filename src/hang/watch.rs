//! Whether a bounded runner ([`within`](super::within) and its twins) is
//! running: only then does a task that starts waiting on a pipe note the
//! time, for the report's "waiting for ...". Reading the clock costs about
//! 25 ns on a VM, as much as a tenth of an async round trip, and nothing but
//! a hang report ever looks at it; a waiting task still shows in a report
//! without it, as waiting since before the runner began.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Bounded runners alive now.
static WATCHERS: AtomicUsize = AtomicUsize::new(0);

/// One running bounded runner: counted from [`Watch::start`] until dropped.
#[derive(Debug)]
pub(crate) struct Watch(());

impl Watch {
    pub(crate) fn start() -> Self {
        WATCHERS.fetch_add(1, Ordering::Relaxed);
        Watch(())
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        WATCHERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether any bounded runner is running.
#[inline(always)]
pub(crate) fn watching() -> bool {
    WATCHERS.load(Ordering::Relaxed) != 0
}
