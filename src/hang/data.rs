//! A [`HangReport`](super::HangReport) as data: what
//! [`pipes`](super::HangReport::pipes) and
//! [`tapes`](super::HangReport::tapes) give, so a test can assert on a hang
//! without parsing its text.

use std::time::Duration;

/// Who waits on one side of a pipe's direction (or on a tape), in the one
/// wording a report uses for every door: threads asleep in a blocking call,
/// tasks whose pending poll left their waker. The text says `1 thread
/// waiting for 50ms`, `2 threads waiting for 1.2s`, `1 task waiting for
/// 3ms`.
///
/// A side has at most one task: the last one that polled it.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use std::time::Duration;
///
/// let (a, _b) = pipetap::PipeBuilder::new().name("doc-waiters").build();
/// let report = pipetap::try_within(Duration::from_millis(30), move || {
///     let mut a = a;
///     a.read(&mut [0; 8])
/// })
/// .unwrap_err();
/// let pipe = report.pipes().into_iter().find(|p| p.name.as_deref() == Some("doc-waiters")).unwrap();
/// let b_to_a = &pipe.directions[1];
/// assert_eq!((b_to_a.from.as_str(), b_to_a.to.as_str()), ("b", "a"));
/// assert_eq!(b_to_a.reader.threads, 1);
/// assert!(b_to_a.reader.threads_for.unwrap() >= Duration::from_millis(20));
/// assert_eq!(b_to_a.writer.threads + b_to_a.writer.tasks, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Waiters {
    /// Threads asleep in a blocking call.
    pub threads: usize,
    /// How long the first of them has waited (`None` if none waits).
    pub threads_for: Option<Duration>,
    /// Tasks whose pending poll left their waker (0 or 1 on a pipe's side).
    pub tasks: usize,
    /// How long the task has waited, if it started while a bounded runner
    /// ran (`None` if no task waits, or it waits since before the runner
    /// began).
    pub tasks_for: Option<Duration>,
}

impl Waiters {
    /// Whether nobody waits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.threads == 0 && self.tasks == 0
    }
}

/// One direction of a pipe in a [`HangReport`](super::HangReport): the
/// bytes end `from` writes and end `to` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectionState {
    /// The end that writes.
    pub from: String,
    /// The end that reads.
    pub to: String,
    /// Bytes written and not yet read.
    pub buffered: usize,
    /// Who waits to read (on end `to`).
    pub reader: Waiters,
    /// Who waits to write (on end `from`).
    pub writer: Waiters,
}

/// One live pipe in a [`HangReport`](super::HangReport).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipeState {
    /// The pipe's name, if it has one (`NAME#N` for a listener's
    /// connection).
    pub name: Option<String>,
    /// The names of its ends.
    pub ends: [String; 2],
    /// Its capacity per direction (0: rendezvous).
    pub capacity: usize,
    /// Where it was created (`file:line:column`), in the test's code: for a
    /// listener's connection, the line that created the listener; for a
    /// script's pipe, the line that built the script.
    pub created_at: String,
    /// `directions[i]` carries the bytes `ends[i]` writes.
    pub directions: [DirectionState; 2],
}

/// A pending [`wait_for`](crate::Tape::wait_for) or
/// [`wait_for_blocking`](crate::Tape::wait_for_blocking) on a tape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TapeWait {
    /// The pattern, escaped and quoted as the report shows it.
    pub pattern: String,
    /// Who waits: one thread or one task, and for how long.
    pub waiters: Waiters,
    /// The bound of the wait, if it has one.
    pub within: Option<Duration>,
}

/// One live tape in a [`HangReport`](super::HangReport).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TapeState {
    /// The tape's label ([`Tape::label`](crate::Tape::label)): `NAME#N` for a
    /// listener's connection.
    pub label: Option<String>,
    /// Bytes recorded as written.
    pub written: usize,
    /// Bytes recorded as read.
    pub read: usize,
    /// The pending waits on it, oldest first.
    pub waits: Vec<TapeWait>,
}

impl TapeState {
    /// Every byte recorded, written and read.
    #[must_use]
    pub fn len(&self) -> usize {
        self.written + self.read
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
