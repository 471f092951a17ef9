//! Wakers for poll-level tests that need more than a no-op waker
//! (`std::task::Waker::noop()`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

/// A waker whose wake panics, as a buggy executor's might.
pub struct PanickingWaker;

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("PanickingWaker woken");
    }
}

impl PanickingWaker {
    pub fn waker() -> Waker {
        Waker::from(Arc::new(PanickingWaker))
    }
}

/// A waker that counts its wake-ups. Its clones are reference-count bumps,
/// as a runtime's are, and waking it allocates nothing.
#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl CountingWaker {
    /// A counter and a waker that bumps it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}
