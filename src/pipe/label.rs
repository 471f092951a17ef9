//! How a pipe and its ends are named in errors and `Debug`, and the errors
//! the pipe itself produces. Each message names the pipe, the end, the call
//! and what ended it.

use std::error::Error;
use std::fmt;
use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::time::Duration;

use super::call::Op;

/// Why a peer ended the connection, carried into the errors the other end
/// gets from then on: a one-line explanation for the message, and the full
/// error behind it (a scripted peer's [`ScriptError`](crate::ScriptError)),
/// reachable as the `source()` of the io::Error's inner error.
#[derive(Clone)]
pub(crate) struct Verdict {
    pub(crate) line: Arc<str>,
    pub(crate) cause: Arc<dyn Error + Send + Sync>,
}

impl fmt::Debug for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

/// The inner error of an io::Error that carries a [`Verdict`]: its message
/// is the whole line (also in `Debug`, so `unwrap()` prints it unquoted),
/// and its `source()` is the verdict's full error.
struct Explained {
    message: String,
    cause: Arc<dyn Error + Send + Sync>,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Explained {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.cause)
    }
}

/// `error` with `note` added to its message, keeping its kind and, for an
/// error that carries a [`Verdict`], the verdict's full error as its source.
pub(crate) fn with_note(error: io::Error, note: fmt::Arguments<'_>) -> io::Error {
    let kind = error.kind();
    if error.get_ref().is_some_and(|e| e.is::<Explained>()) {
        if let Some(Ok(mut explained)) = error.into_inner().map(|e| e.downcast::<Explained>()) {
            use fmt::Write as _;
            let _ = write!(explained.message, " {note}");
            return io::Error::new(kind, *explained);
        }
        unreachable!("checked above that the error holds an `Explained`");
    }
    io::Error::new(kind, format!("{error} {note}"))
}

/// How messages name an end: `client side`, `code side`; a one-letter name
/// (the default `a` and `b`) reads better as `end a`.
pub(crate) struct EndName<'a>(pub(crate) &'a str);

impl fmt::Display for EndName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.chars().nth(1).is_none() {
            write!(f, "end {}", self.0)
        } else {
            write!(f, "{} side", self.0)
        }
    }
}

/// The names one direction's errors carry: the pipe's, and those of the end
/// that reads it and the end that writes it.
#[derive(Clone)]
pub(crate) struct Label {
    pub(crate) pipe: Option<Arc<str>>,
    pub(crate) reader_end: Arc<str>,
    pub(crate) writer_end: Arc<str>,
}

impl Label {
    fn message(&self, op: Op, what: fmt::Arguments<'_>) -> String {
        let end = EndName(match op {
            Op::Read => &self.reader_end,
            Op::Write => &self.writer_end,
        });
        match &self.pipe {
            Some(name) => format!("pipetap pipe {name:?}, {end}: {what}"),
            None => format!("pipetap pipe, {end}: {what}"),
        }
    }

    fn error(&self, kind: ErrorKind, op: Op, what: fmt::Arguments<'_>) -> io::Error {
        io::Error::new(kind, self.message(op, what))
    }

    /// A call failed because the peer ended the connection with `verdict`:
    /// the message holds the verdict's line, the source its full error.
    pub(crate) fn verdict(
        &self,
        kind: ErrorKind,
        op: Op,
        call: &str,
        verdict: &Verdict,
    ) -> io::Error {
        let message = self.message(op, format_args!("{call} failed: {}", verdict.line));
        io::Error::new(
            kind,
            Explained {
                message,
                cause: verdict.cause.clone(),
            },
        )
    }

    /// A call reached the side's deadline, which passed `ago` ago (on the
    /// call's clock).
    pub(crate) fn deadline(&self, call: &str, op: Op, ago: Duration) -> io::Error {
        let setter = match op {
            Op::Read => "set_read_deadline",
            Op::Write => "set_write_deadline",
        };
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

    /// The connection was reset from outside (`Net::down`).
    pub(crate) fn reset(&self, op: Op, call: &str) -> io::Error {
        self.error(
            ErrorKind::ConnectionReset,
            op,
            format_args!(
                "{call} failed: the connection was reset (Net::down took its address down)"
            ),
        )
    }

    /// The reader reached the cut of a direction cut by `cut_after`.
    pub(crate) fn cut(&self, kind: ErrorKind, call: &str) -> io::Error {
        self.error(
            kind,
            Op::Read,
            format_args!(
                "{call} failed: the bytes end {} sends were cut (cut_after)",
                self.writer_end
            ),
        )
    }

    pub(crate) fn peer_error(&self, kind: ErrorKind, call: &str) -> io::Error {
        self.error(
            kind,
            Op::Read,
            format_args!(
                "{call} failed: the {} closed the pipe with an error (close_with_error)",
                EndName(&self.writer_end)
            ),
        )
    }
}
