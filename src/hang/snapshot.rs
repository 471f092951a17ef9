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
}

impl Origin {
    /// The caller's location and the current thread's name.
    #[track_caller]
    pub(crate) fn here() -> Self {
        Origin {
            site: Location::caller(),
            thread: std::thread::current().name().map(Arc::from),
        }
    }
}

/// One pipe: both of its directions.
#[derive(Debug)]
pub(crate) struct PipeSnapshot {
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
