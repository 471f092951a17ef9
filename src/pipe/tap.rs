//! [`Tap`]: records what one end of a pipe writes and reads onto a tape, from
//! inside the end, so the end stays a plain [`PipeEnd`](crate::PipeEnd) (a
//! listener's [`record_connections`](crate::Listener::record_connections)).
//!
//! Both halves of the recorded end hold the same tap; the tape counts it as
//! one recording (its waits end once both halves are gone). Bytes are
//! recorded after the call returns from the direction, with no pipe lock
//! held, exactly as a [`Recording`](crate::Recording) around the end would
//! record them. A pipe without a tap pays one predictable branch per call.

use std::io::IoSlice;

use crate::source::Source;
use crate::tape::{Tape, Writer};

/// One end's recording: shared by its read and write halves.
#[derive(Clone)]
pub(crate) struct Tap {
    writer: std::sync::Arc<Writer>,
}

impl Tap {
    /// A tap recording onto `tape`.
    pub(crate) fn new(tape: Tape) -> Self {
        Tap {
            writer: std::sync::Arc::new(Writer::attach(tape)),
        }
    }

    /// The end's write accepted `n` bytes of `src`.
    #[cold]
    #[inline(never)]
    pub(crate) fn wrote(&self, src: Source<'_, IoSlice<'_>>, n: usize) {
        self.writer.record_write(src.limit(n));
    }

    /// The end's read delivered `bytes`.
    #[cold]
    #[inline(never)]
    pub(crate) fn read(&self, bytes: &[u8]) {
        self.writer.record_read(Source::one(bytes));
    }
}
