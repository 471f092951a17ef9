//! Wake-ups: what the state machine collects under a direction's lock
//! ([`Wake`]) and where blocked or spinning threads wait for them
//! ([`Sleepers`]). Task wake-ups are delivered after the lock is released, so
//! a waker that polls again cannot deadlock.

use std::task::Waker;

use crate::sync::{wake_contained, AtomicUsize, Condvar, Ordering};

/// Where the threads blocked on one direction wait: one condition variable per
/// side, and a counter that spinning threads watch.
pub(crate) struct Sleepers {
    readable: Condvar,
    writable: Condvar,
    progress: AtomicUsize,
}

impl Sleepers {
    pub(crate) fn new() -> Self {
        Sleepers {
            readable: Condvar::new(),
            writable: Condvar::new(),
            progress: AtomicUsize::new(0),
        }
    }

    /// The condition variable blocked readers (`true`) or writers sleep on.
    pub(crate) fn condvar(&self, readers: bool) -> &Condvar {
        if readers {
            &self.readable
        } else {
            &self.writable
        }
    }

    /// The progress count a spinning thread compares against.
    pub(crate) fn progress(&self) -> usize {
        self.progress.load(Ordering::Acquire)
    }
}

/// Blocked readers must be notified.
const NOTIFY_READERS: u8 = 1;
/// Blocked writers must be notified.
const NOTIFY_WRITERS: u8 = 2;
/// Spinning threads must look again.
const BUMP: u8 = 4;
/// A task must be woken (kept in `signals` too, so that the common
/// "nothing to do" check is one compare).
const TASKS: u8 = 8;

/// Wake-ups collected under the lock and delivered after it is released.
#[derive(Default)]
#[must_use]
pub(crate) struct Wake {
    signals: u8,
    /// At most one task waits per side of a direction, so two slots suffice;
    /// a third is woken at once.
    tasks: [Option<Waker>; 2],
    /// Run after the lock is released, whatever else: a cut closing the
    /// other direction (which takes that direction's lock).
    hook: Option<Waker>,
}

impl Wake {
    /// Blocked readers must be notified.
    pub(crate) fn notify_readers(&mut self) {
        self.signals |= NOTIFY_READERS;
    }

    /// Blocked writers must be notified.
    pub(crate) fn notify_writers(&mut self) {
        self.signals |= NOTIFY_WRITERS;
    }

    /// Spinning threads must look again.
    pub(crate) fn bump(&mut self) {
        self.signals |= BUMP;
    }

    /// `waker`'s task must be woken.
    pub(crate) fn task(&mut self, waker: Waker) {
        self.signals |= TASKS;
        if self.tasks[0].is_none() {
            self.tasks[0] = Some(waker);
        } else if self.tasks[1].is_none() {
            self.tasks[1] = Some(waker);
        } else {
            wake_contained(waker);
        }
    }

    /// `hook` must be woken once the lock is released.
    pub(crate) fn hook(&mut self, hook: Waker) {
        self.signals |= TASKS;
        if let Some(old) = self.hook.replace(hook) {
            // Never two in one call; keep the promise anyway.
            self.task(old);
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.signals == 0
    }

    /// Whether a task must be woken (not only threads signalled).
    pub(crate) fn has_tasks(&self) -> bool {
        self.signals & TASKS != 0
    }

    /// Delivers the wake-ups. Must be called with the lock released.
    #[inline]
    pub(crate) fn run(self, sleepers: &Sleepers) {
        if self.is_empty() {
            // Nothing to deliver and nothing owned: skip the out-of-line drop.
            std::mem::forget(self);
        } else {
            self.deliver(sleepers);
        }
    }

    #[inline(never)]
    fn deliver(self, sleepers: &Sleepers) {
        self.signal(sleepers);
        if let Some(hook) = self.hook {
            wake_contained(hook);
        }
        let [first, second] = self.tasks;
        if let Some(waker) = first {
            wake_contained(waker);
        }
        if let Some(waker) = second {
            wake_contained(waker);
        }
    }

    /// Signals spinning and blocked threads (safe with the lock held).
    pub(crate) fn signal(&self, sleepers: &Sleepers) {
        if self.signals & BUMP != 0 {
            sleepers.progress.fetch_add(1, Ordering::Release);
        }
        if self.signals & NOTIFY_READERS != 0 {
            sleepers.readable.notify_all();
        }
        if self.signals & NOTIFY_WRITERS != 0 {
            sleepers.writable.notify_all();
        }
    }
}
