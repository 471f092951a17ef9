//! [`Writer`]: a live recording's hold on its tape. The tape counts them, so
//! a wait can tell "not written yet" from "no one left to write it": once the
//! last writer is gone, every pending wait is woken, and one whose pattern is
//! absent fails with `UnexpectedEof` ([`super::wait`]).

use std::fmt;
use std::ops::Deref;

use super::Tape;

/// A tape handle that counts as a writer while it lives. Each
/// [`Recording`](crate::Recording) holds one, whether or not its connection
/// ever writes: it *could* write until it is dropped (or unwrapped with
/// `into_inner`).
pub(crate) struct Writer {
    tape: Tape,
}

impl Writer {
    /// Attaches a writer to `tape`.
    pub(crate) fn attach(tape: Tape) -> Self {
        {
            let mut state = tape.lock();
            state.writers += 1;
            state.attached = true;
        }
        Writer { tape }
    }
}

impl Deref for Writer {
    type Target = Tape;

    fn deref(&self) -> &Tape {
        &self.tape
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Wakes every waiter (after releasing the lock): those whose pattern
        // is absent fail if this was the last writer, the others wait on.
        self.tape.append(|state| state.writers -= 1);
    }
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tape.fmt(f)
    }
}
