//! Wake-ups collected while a direction's lock is held and delivered after
//! it is released, so that a waker that polls again cannot deadlock.

use std::task::Waker;
use std::time::Instant;

use super::direction::Direction;
use super::timer;
use crate::sync::{wake_contained, Ordering};

/// Wake-ups collected under the lock and delivered after it is released.
#[derive(Default)]
#[must_use]
pub(crate) struct Wake {
    /// `NOTIFY_*` / `BUMP` bits.
    pub(super) signals: u8,
    pub(super) reader_task: Option<Waker>,
    pub(super) writer_task: Option<Waker>,
    /// A deadline the timer thread must wake a task at (rare: only pending
    /// calls with a deadline).
    pub(super) timer: Option<Box<(Instant, Waker)>>,
}

/// Blocked readers must be notified.
pub(super) const NOTIFY_READERS: u8 = 1;
/// Blocked writers must be notified.
pub(super) const NOTIFY_WRITERS: u8 = 2;
/// Spinning threads must look again.
pub(super) const BUMP: u8 = 4;

impl Wake {
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.signals == 0
            && self.reader_task.is_none()
            && self.writer_task.is_none()
            && self.timer.is_none()
    }

    /// Whether a task must be woken (not only threads signalled).
    pub(super) fn has_tasks(&self) -> bool {
        self.reader_task.is_some() || self.writer_task.is_some() || self.timer.is_some()
    }

    /// Delivers the wake-ups. Must be called with the lock released.
    #[inline]
    pub(crate) fn run(self, dir: &Direction) {
        if self.is_empty() {
            // Nothing to deliver and nothing owned: skip the out-of-line drop.
            std::mem::forget(self);
        } else {
            self.deliver(dir);
        }
    }

    #[inline(never)]
    fn deliver(self, dir: &Direction) {
        self.signal(dir);
        if let Some(timer) = self.timer {
            let (at, waker) = *timer;
            timer::wake_at(at, waker);
        }
        if let Some(w) = self.reader_task {
            wake_contained(w);
        }
        if let Some(w) = self.writer_task {
            wake_contained(w);
        }
    }

    /// Signals spinning and blocked threads (safe with the lock held).
    pub(super) fn signal(&self, dir: &Direction) {
        if self.signals & BUMP != 0 {
            dir.progress.fetch_add(1, Ordering::Release);
        }
        if self.signals & NOTIFY_READERS != 0 {
            dir.readable.notify_all();
        }
        if self.signals & NOTIFY_WRITERS != 0 {
            dir.writable.notify_all();
        }
    }
}
