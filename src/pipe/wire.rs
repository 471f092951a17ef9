//! [`Wire`]: a hold on a pipe that does not keep it alive, kept by whoever
//! made the pipe to reset it later from outside (a [`Net`](crate::Net)
//! taking an address down), whoever holds its ends.

use std::sync::Weak;

use super::end::PipeEnd;
use super::half::Shared;

/// One pipe, as its maker sees it.
pub(crate) struct Wire(Weak<Shared>);

impl Wire {
    /// Resets both directions: buffered bytes are dropped, reads on both
    /// ends fail with `ConnectionReset` at once, writes with `BrokenPipe`.
    /// Nothing happens if both ends are gone.
    pub(crate) fn reset(&self) {
        if let Some(shared) = self.0.upgrade() {
            for side in 0..2 {
                shared.dir(side).update(|chan, wake| chan.reset(wake));
            }
        }
    }

    /// Whether any half of either end is still there.
    pub(crate) fn is_live(&self) -> bool {
        self.0.strong_count() > 0
    }
}

impl PipeEnd {
    /// A hold on this end's pipe that does not keep it alive.
    pub(crate) fn wire(&self) -> Wire {
        // Whoever holds the wire may reset the pipe at any time: the
        // deadlock verdict never counts it stuck.
        self.read.shared.reach_from_outside();
        Wire(crate::sync::Arc::downgrade(&self.read.shared))
    }
}
