//! The wall clock's timer: wakes wakers at a `std::time::Instant`, without
//! any async runtime (one lazily started background thread).
//!
//! Under `--cfg loom` the timer is off ([`wake_at`] does nothing): loom cannot
//! model a real background thread, and the loom models only use deadlines that
//! have already passed, which wake waiting calls directly.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::task::Waker;
use std::time::Instant;

struct Entry {
    at: Instant,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
}

struct Timer {
    queue: Mutex<Queue>,
    changed: Condvar,
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            // Room for many pending timers from the start, so that arming
            // one (a deadline, a live fault's delay) does not allocate.
            queue: Mutex::new(Queue {
                heap: BinaryHeap::with_capacity(1024),
                seq: 0,
            }),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("pipetap-deadlines".into())
            .spawn(move || timer.run())
            .expect("pipetap: cannot start the deadline timer thread");
        timer
    })
}

/// Under loom: nothing (see the module docs).
#[cfg(loom)]
pub(crate) fn wake_at(_at: Instant, _waker: Waker) {}

/// Arranges for `waker` to be woken at `at` (or soon after).
#[cfg(not(loom))]
pub(crate) fn wake_at(at: Instant, waker: Waker) {
    let timer = timer();
    let mut queue = timer.queue.lock().unwrap_or_else(PoisonError::into_inner);
    queue.seq += 1;
    let seq = queue.seq;
    let earliest = queue.heap.peek().is_none_or(|Reverse(e)| at < e.at);
    queue.heap.push(Reverse(Entry { at, seq, waker }));
    drop(queue);
    if earliest {
        timer.changed.notify_one();
    }
}

impl Timer {
    fn run(&self) {
        let mut due = Vec::new();
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            while queue.heap.peek().is_some_and(|Reverse(e)| e.at <= now) {
                if let Some(Reverse(entry)) = queue.heap.pop() {
                    due.push(entry.waker);
                }
            }
            if !due.is_empty() {
                drop(queue);
                // Wake outside the lock: a waker may poll and re-register.
                // A waker that panics must not take the timer down with it.
                for waker in due.drain(..) {
                    crate::sync::wake_contained(waker);
                }
                queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            queue = match queue.heap.peek() {
                Some(Reverse(next)) => {
                    let wait = next.at.saturating_duration_since(now);
                    self.changed
                        .wait_timeout(queue, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .changed
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}
