//! The registry of live pipes and tapes: each registers once, when it is
//! created, as a weak reference; a report upgrades the ones still alive.
//! Nothing here runs on a read or a write.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use super::snapshot::{Origin, PipeSnapshot, TapeSnapshot};

/// A pipe's shared state, as the registry sees it.
pub(crate) trait LivePipe: Send + Sync {
    fn snapshot(&self) -> PipeSnapshot;
}

/// A tape's shared state, as the registry sees it.
pub(crate) trait LiveTape: Send + Sync {
    fn snapshot(&self) -> TapeSnapshot;
}

/// A scripted peer, as the registry sees it: one line saying where it is,
/// and what the deadlock verdict needs.
pub(crate) trait LiveScript: Send + Sync {
    fn snapshot(&self) -> String;
    fn party(&self) -> ScriptParty;
}

/// A scripted peer as the deadlock verdict sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScriptParty {
    /// Its end: the pipe (as [`super::snapshot::PipeSnapshot::id`]) and
    /// which end.
    pub(crate) pipe: usize,
    pub(crate) side: usize,
    /// Parked with nothing to do and no wake-up since, waiting only for the
    /// code under test to write: the wake-up count it parked at.
    pub(crate) stuck_reading: Option<u64>,
    pub(crate) name: Option<String>,
    /// The step it is on, in words (`step 2 of 3 (write)`).
    pub(crate) at: String,
}

struct Entry<T: ?Sized> {
    live: Weak<T>,
    origin: Origin,
}

/// Weak references in creation order. Dead ones are dropped by each report,
/// and by a registration once the list has doubled since the last sweep, so
/// registering stays amortised O(1) and the list stays within twice the
/// number of live entries.
struct List<T: ?Sized> {
    entries: Vec<Entry<T>>,
    sweep_at: usize,
}

/// The list length below which registration never sweeps.
const MIN_SWEEP: usize = 64;

impl<T: ?Sized> List<T> {
    const fn new() -> Self {
        List {
            entries: Vec::new(),
            sweep_at: MIN_SWEEP,
        }
    }

    fn sweep(&mut self) {
        self.entries.retain(|e| e.live.strong_count() > 0);
        self.sweep_at = (self.entries.len() * 2).max(MIN_SWEEP);
    }

    fn register(&mut self, live: Weak<T>, origin: Origin) {
        if self.entries.len() >= self.sweep_at {
            self.sweep();
        }
        self.entries.push(Entry { live, origin });
    }

    /// The live entries, in creation order.
    fn live(&mut self) -> Vec<(Arc<T>, Origin)> {
        self.sweep();
        self.entries
            .iter()
            .filter_map(|e| Some((e.live.upgrade()?, e.origin.clone())))
            .collect()
    }
}

static PIPES: Mutex<List<dyn LivePipe>> = Mutex::new(List::new());
static TAPES: Mutex<List<dyn LiveTape>> = Mutex::new(List::new());
static SCRIPTS: Mutex<List<dyn LiveScript>> = Mutex::new(List::new());

fn lock<T: ?Sized>(list: &'static Mutex<List<T>>) -> MutexGuard<'static, List<T>> {
    list.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers a new pipe (once, when it is created).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn register_pipe(pipe: Weak<dyn LivePipe>, origin: Origin) {
    lock(&PIPES).register(pipe, origin);
}

/// Registers a new tape (once, when it is created).
pub(crate) fn register_tape(tape: Weak<dyn LiveTape>, origin: Origin) {
    lock(&TAPES).register(tape, origin);
}

/// Registers a new scripted peer (once, when it is built).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn register_script(script: Weak<dyn LiveScript>, origin: Origin) {
    lock(&SCRIPTS).register(script, origin);
}

/// Every live scripted peer, with where it was built.
pub(crate) fn live_scripts() -> Vec<(Arc<dyn LiveScript>, Origin)> {
    lock(&SCRIPTS).live()
}

/// Every live pipe, with where it was created. The registry's lock is
/// released before the caller takes any snapshot.
pub(crate) fn live_pipes() -> Vec<(Arc<dyn LivePipe>, Origin)> {
    lock(&PIPES).live()
}

/// Every live tape, with where it was created.
pub(crate) fn live_tapes() -> Vec<(Arc<dyn LiveTape>, Origin)> {
    lock(&TAPES).live()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hang::snapshot::Origin;

    #[test]
    fn dead_entries_are_swept_as_the_list_grows() {
        let mut list: List<u32> = List::new();
        let kept: Vec<Arc<u32>> = (0..10).map(Arc::new).collect();
        for k in &kept {
            list.register(Arc::downgrade(k), Origin::here());
        }
        for n in 0..1000 {
            let gone = Arc::new(n);
            list.register(Arc::downgrade(&gone), Origin::here());
            assert!(list.entries.len() <= (kept.len() * 2).max(MIN_SWEEP) + 1);
        }
        let live: Vec<u32> = list.live().into_iter().map(|(n, _)| *n).collect();
        assert_eq!(live, (0..10).collect::<Vec<_>>());
        assert_eq!(list.entries.len(), 10);
    }
}
