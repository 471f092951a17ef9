//! [`Waiters`]: the tasks waiting on one condition of a listener (an
//! `accept`, or a `connect` waiting for room), each in a slot its future
//! keeps, woken all at once after the listener's lock is released.

use std::task::Waker;

/// The waiting tasks, by slot id.
#[derive(Default)]
pub(super) struct Waiters {
    list: Vec<(u64, Waker)>,
    next: u64,
}

impl Waiters {
    /// Registers (or refreshes) the task of `slot`, cloning its waker only
    /// when it changed.
    pub(super) fn register(&mut self, slot: &mut Option<u64>, waker: &Waker) {
        if let Some(id) = *slot {
            if let Some((_, w)) = self.list.iter_mut().find(|(i, _)| *i == id) {
                if !w.will_wake(waker) {
                    *w = waker.clone();
                }
                return;
            }
        }
        self.next += 1;
        *slot = Some(self.next);
        self.list.push((self.next, waker.clone()));
    }

    /// `slot`'s task no longer waits.
    pub(super) fn remove(&mut self, slot: &mut Option<u64>) {
        if let Some(id) = slot.take() {
            if let Some(at) = self.list.iter().position(|(i, _)| *i == id) {
                self.list.swap_remove(at);
            }
        }
    }

    /// Takes every waiting task, to be woken once the lock is released
    /// (they register again if they must wait on).
    pub(super) fn take(&mut self) -> Vec<(u64, Waker)> {
        std::mem::take(&mut self.list)
    }

    /// Gives back the list [`take`](Self::take) emptied, so its capacity is
    /// reused, unless a task has registered into a new one meanwhile.
    pub(super) fn give_back(&mut self, list: Vec<(u64, Waker)>) {
        if self.list.capacity() == 0 {
            self.list = list;
        }
    }

    pub(super) fn len(&self) -> usize {
        self.list.len()
    }
}
