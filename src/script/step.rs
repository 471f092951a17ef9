//! One step of a script, as the builder stores it, and how messages name it.

use std::fmt;
use std::io::ErrorKind;
use std::time::Duration;

use super::captures::{Responder, Template};
use crate::tape::hexdump::preview;

/// Bytes of a step's data shown when a message names the step.
const SHOWN: usize = 40;

/// One step, from the side of the code under test.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The peer sends these bytes; done once the code has read them all.
    Read(Vec<u8>),
    /// The code must write exactly these bytes next.
    Write(Vec<u8>),
    /// The code writes anything up to and including `delimiter`; `table` is
    /// its Knuth-Morris-Pratt failure table, so matching needs no buffer.
    WriteUntil {
        delimiter: Vec<u8>,
        table: Vec<usize>,
    },
    /// The code writes any `n` bytes.
    WriteAny(usize),
    /// The code must write bytes that fit the template.
    WriteTemplate(Template),
    /// The peer sends the template with its named holes filled.
    ReadTemplate(Template),
    /// The peer sends what the closure computes from the values kept.
    Respond(Responder),
    /// The peer pauses.
    Wait(Duration),
    /// The code's next read fails with this kind.
    ReadError(ErrorKind),
    /// The code's next write fails with this kind.
    WriteError(ErrorKind),
    /// The peer half-closes.
    ShutdownWrite,
    /// The peer closes (last step).
    Close,
    /// The peer resets the connection (last step).
    Reset,
}

impl Step {
    /// A `write_until` step with its failure table.
    pub(crate) fn write_until(delimiter: Vec<u8>) -> Step {
        let mut table = vec![0; delimiter.len()];
        let mut k = 0;
        for i in 1..delimiter.len() {
            while k > 0 && delimiter[i] != delimiter[k] {
                k = table[k - 1];
            }
            if delimiter[i] == delimiter[k] {
                k += 1;
            }
            table[i] = k;
        }
        Step::WriteUntil { delimiter, table }
    }

    /// Whether the step takes at least one written byte (an empty `write`
    /// or template, or `write_any(0)`, takes none and is passed over).
    pub(crate) fn takes_bytes(&self) -> bool {
        match self {
            Step::Write(b) => !b.is_empty(),
            Step::WriteAny(n) => *n > 0,
            Step::WriteTemplate(t) => !t.pieces.is_empty(),
            Step::WriteUntil { .. } => true,
            _ => false,
        }
    }

    /// Whether no step may follow this one.
    /// Whether the peer, on this step, only waits for the code under test
    /// to write (the deadlock verdict counts it as a reader). Every kind is
    /// named, so a new one must say.
    pub(crate) fn waits_for_code_write(&self) -> bool {
        match self {
            Step::Write(_)
            | Step::WriteUntil { .. }
            | Step::WriteAny(_)
            | Step::WriteTemplate(_)
            | Step::WriteError(_) => true,
            Step::Read(_)
            | Step::ReadTemplate(_)
            | Step::Respond(_)
            | Step::Wait(_)
            | Step::ReadError(_)
            | Step::ShutdownWrite
            | Step::Close
            | Step::Reset => false,
        }
    }

    pub(crate) fn is_last(&self) -> bool {
        matches!(self, Step::Close | Step::Reset)
    }

    /// The step's kind, as the builder method is called.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Step::Read(_) => "read",
            Step::Write(_) => "write",
            Step::WriteUntil { .. } => "write_until",
            Step::WriteAny(_) => "write_any",
            Step::WriteTemplate(_) => "write_template",
            Step::ReadTemplate(_) => "read_template",
            Step::Respond(_) => "respond",
            Step::Wait(_) => "wait",
            Step::ReadError(_) => "read_error",
            Step::WriteError(_) => "write_error",
            Step::ShutdownWrite => "shutdown_write",
            Step::Close => "close",
            Step::Reset => "reset",
        }
    }
}

impl fmt::Display for Step {
    /// `write "EHLO me\r\n" (9 bytes)`, `wait 5ms`, `read_error ConnectionReset`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            Step::Read(bytes) | Step::Write(bytes) => {
                write!(
                    f,
                    "{kind} {} ({} bytes)",
                    preview(bytes, SHOWN),
                    bytes.len()
                )
            }
            Step::WriteUntil { delimiter, .. } => {
                write!(f, "{kind} {}", preview(delimiter, SHOWN))
            }
            Step::WriteAny(n) => write!(f, "{kind} {n} bytes"),
            Step::WriteTemplate(t) | Step::ReadTemplate(t) => {
                write!(f, "{kind} {}", preview(&t.text, SHOWN))
            }
            Step::Respond(_) => f.write_str(kind),
            Step::Wait(d) => write!(f, "{kind} {d:?}"),
            Step::ReadError(k) | Step::WriteError(k) => write!(f, "{kind} {k:?}"),
            Step::ShutdownWrite | Step::Close | Step::Reset => f.write_str(kind),
        }
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
