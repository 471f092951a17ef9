//! How a pipe and its ends are named in errors and `Debug`, and the errors
//! the pipe itself produces. Each message names the pipe, the end, the call
//! and what ended it.

use std::fmt;
use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::call::Op;

/// The names one direction's errors carry: the pipe's, and those of the end
/// that reads it and the end that writes it.
#[derive(Clone)]
pub(crate) struct Label {
    pub(crate) pipe: Option<Arc<str>>,
    pub(crate) reader_end: Arc<str>,
    pub(crate) writer_end: Arc<str>,
}

impl Label {
    fn error(&self, kind: ErrorKind, op: Op, what: fmt::Arguments<'_>) -> io::Error {
        let end = match op {
            Op::Read => &self.reader_end,
            Op::Write => &self.writer_end,
        };
        let msg = match &self.pipe {
            Some(name) => format!("pipetap pipe {name:?}, end {end}: {what}"),
            None => format!("pipetap pipe, end {end}: {what}"),
        };
        io::Error::new(kind, msg)
    }

    /// A call reached the side's deadline, which passed at `at`.
    pub(crate) fn deadline(&self, call: &str, op: Op, at: Instant) -> io::Error {
        let setter = match op {
            Op::Read => "set_read_deadline",
            Op::Write => "set_write_deadline",
        };
        let ago = Instant::now().saturating_duration_since(at);
        self.error(
            ErrorKind::TimedOut,
            op,
            format_args!("{call} timed out: the deadline set by {setter} passed {ago:?} ago"),
        )
    }

    /// A blocking call waited its whole per-call timeout.
    pub(crate) fn timeout(&self, op: Op, timeout: Duration) -> io::Error {
        let (call, setter) = match op {
            Op::Read => ("read", "set_read_timeout"),
            Op::Write => ("write", "set_write_timeout"),
        };
        self.error(
            ErrorKind::TimedOut,
            op,
            format_args!("{call} timed out after waiting {timeout:?} ({setter})"),
        )
    }

    pub(crate) fn broken_pipe(&self, call: &str, why: &str) -> io::Error {
        self.error(
            ErrorKind::BrokenPipe,
            Op::Write,
            format_args!("{call} failed, broken pipe: {why}"),
        )
    }

    pub(crate) fn injected(&self, kind: ErrorKind, op: Op, call: &str) -> io::Error {
        let knob = match op {
            Op::Read => "fail_next_read",
            Op::Write => "fail_next_write",
        };
        self.error(
            kind,
            op,
            format_args!("{call} failed with an injected error ({knob})"),
        )
    }

    pub(crate) fn peer_error(&self, kind: ErrorKind, call: &str) -> io::Error {
        self.error(
            kind,
            Op::Read,
            format_args!(
                "{call} failed: end {} closed the pipe with an error (close_with_error)",
                self.writer_end
            ),
        )
    }
}
