//! A tape as the hang report sees it: registered once at creation, and its
//! state copied on demand (what was written and read last, the recordings
//! alive, and every pending wait with its pattern and since when). The
//! pending waits are noted when a wait first has to wait, never when bytes
//! are recorded.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use super::{hexdump, Shared, State};
use crate::hang::registry::{register_tape, LiveTape};
use crate::hang::snapshot::{Origin, TapeSnapshot, WaitSnapshot, TAIL};

/// A wait that has had to wait: [`super::WaitFor`] (a task) or
/// [`super::Tape::wait_for_blocking`] (a thread).
pub(super) struct Pending {
    id: u64,
    wait: WaitSnapshot,
}

/// Registers a new tape, as created by the caller.
pub(super) fn register(shared: &Arc<Shared>, origin: Origin) {
    let weak = Arc::downgrade(shared);
    register_tape(weak, origin);
}

impl State {
    /// A waiter id, for the waker list and the pending waits.
    pub(super) fn new_waiter(&mut self) -> u64 {
        self.next_waiter += 1;
        self.next_waiter
    }

    /// Notes that waiter `id` waits for `pattern`, from now on.
    pub(super) fn note_pending(
        &mut self,
        id: u64,
        pattern: &[u8],
        task: bool,
        within: Option<Duration>,
    ) {
        self.pending.push(Pending {
            id,
            wait: WaitSnapshot {
                pattern: hexdump::quoted(pattern),
                task,
                since: Instant::now(),
                within,
            },
        });
    }

    /// Waiter `id` no longer waits.
    pub(super) fn end_pending(&mut self, id: u64) {
        if let Some(at) = self.pending.iter().position(|p| p.id == id) {
            self.pending.swap_remove(at);
        }
    }
}

/// The last (at most [`TAIL`]) of `bytes`, escaped and quoted.
fn tail(bytes: &[u8]) -> String {
    hexdump::quoted(&bytes[bytes.len().saturating_sub(TAIL)..])
}

impl LiveTape for Shared {
    fn snapshot(&self) -> TapeSnapshot {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut waits: Vec<WaitSnapshot> = state.pending.iter().map(|p| p.wait.clone()).collect();
        waits.sort_by_key(|w| w.since);
        TapeSnapshot {
            label: self.label.clone(),
            written: state.written.bytes.len(),
            writes: state.written.ends.len(),
            written_tail: tail(&state.written.bytes),
            read: state.read.bytes.len(),
            reads: state.read.ends.len(),
            read_tail: tail(&state.read.bytes),
            recordings: state.writers,
            attached: state.attached,
            waits,
        }
    }
}
