//! What a hang report shows: plain copies of the state of live pipes and
//! tapes, taken under their locks and formatted after releasing them (in
//! [`super::report`]).

use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where and on which thread a pipe or tape was created.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) site: &'static Location<'static>,
    pub(crate) thread: Option<Arc<str>>,
    /// For a listener's connection: its number, `site` and `thread` being
    /// where the listener was made (connections are often made inside a
    /// framework, out of `#[track_caller]`'s reach).
    pub(crate) connection: Option<u64>,
}

impl Origin {
    /// The caller's location and the current thread's name.
    #[track_caller]
    pub(crate) fn here() -> Self {
        Origin {
            site: Location::caller(),
            thread: std::thread::current().name().map(Arc::from),
            connection: None,
        }
    }

    /// Connection `n` of the listener made here.
    pub(crate) fn connection(&self, n: u64) -> Origin {
        Origin {
            connection: Some(n),
            ..self.clone()
        }
    }
}

/// One pipe: both of its directions.
#[derive(Debug)]
pub(crate) struct PipeSnapshot {
    /// Tells this pipe from the others (the address of its shared state).
    pub(crate) id: usize,
    /// Whether each end is split into halves.
    pub(crate) split: [bool; 2],
    /// Something outside the ends can act on it (a `Net` may reset it).
    pub(crate) outside: bool,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) ends: [Arc<str>; 2],
    pub(crate) capacity: usize,
    /// `directions[s]` carries the bytes end `s` writes.
    pub(crate) directions: [DirectionSnapshot; 2],
}

/// One direction of a pipe.
#[derive(Debug)]
pub(crate) struct DirectionSnapshot {
    pub(crate) buffered: usize,
    /// Room a write may fill now (`usize::MAX` once the reader shut its
    /// side: a write fails instead of waiting).
    pub(crate) room: usize,
    /// Live faults may still deliver by themselves or by a `release` (a
    /// hold, `hold_for`, bytes in flight under latency or bandwidth).
    pub(crate) faults_pending: bool,
    /// How the writer ended the direction, in words after its name
    /// ("shut down its writing side"), if it did.
    pub(crate) writer_shut: Option<String>,
    /// The reader shut its side.
    pub(crate) reader_shut: bool,
    pub(crate) reader: SideSnapshot,
    pub(crate) writer: SideSnapshot,
}

/// One side (the reader or the writer) of a direction.
#[derive(Debug, Default)]
pub(crate) struct SideSnapshot {
    /// Threads asleep in a blocking call, and since when the first one is.
    pub(crate) threads: usize,
    pub(crate) threads_since: Option<Instant>,
    /// Whether a task waits (a pending poll registered its waker), and since
    /// when, if a bounded runner was running when it began.
    pub(crate) task: bool,
    pub(crate) task_since: Option<Instant>,
    pub(crate) deadline: Option<Instant>,
    /// The knobs set on this side, each in words (`max_read_len 1`,
    /// `timeout 300ms`, `nonblocking`, ...).
    pub(crate) knobs: Vec<String>,
    /// For the deadlock verdict: the thread asleep in an exclusive call,
    /// the waiting task's waker and the thread that polled it, the side's
    /// wait counter, its per-call timeout, and whether anything else
    /// pending (an armed fault, a hold) may end a wait.
    pub(crate) sleeper: Option<std::thread::Thread>,
    pub(crate) waker: Option<std::task::Waker>,
    pub(crate) parked_on: Option<std::thread::ThreadId>,
    pub(crate) seq: u32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) pending: bool,
}

impl SideSnapshot {
    pub(crate) fn is_waiting(&self) -> bool {
        self.threads > 0 || self.task
    }

    /// Nobody waits, and no deadline or knob is set: nothing to show.
    pub(crate) fn is_plain(&self) -> bool {
        !self.is_waiting() && self.deadline.is_none() && self.knobs.is_empty()
    }
}

/// One tape.
#[derive(Debug)]
pub(crate) struct TapeSnapshot {
    /// The tape's label (`NAME#N` for a listener's connection).
    pub(crate) label: Option<Arc<str>>,
    pub(crate) written: usize,
    pub(crate) writes: usize,
    /// The last bytes written (at most [`TAIL`]), escaped and quoted.
    pub(crate) written_tail: String,
    pub(crate) read: usize,
    pub(crate) reads: usize,
    pub(crate) read_tail: String,
    /// Live recordings writing to the tape, and whether one ever was.
    pub(crate) recordings: usize,
    pub(crate) attached: bool,
    pub(crate) waits: Vec<WaitSnapshot>,
}

/// How many of a tape's last bytes a report shows.
pub(crate) const TAIL: usize = 64;

/// A pending `wait_for` (a task) or `wait_for_blocking` (a thread).
#[derive(Debug, Clone)]
pub(crate) struct WaitSnapshot {
    /// Escaped and quoted.
    pub(crate) pattern: String,
    pub(crate) task: bool,
    pub(crate) since: Instant,
    pub(crate) within: Option<Duration>,
}
