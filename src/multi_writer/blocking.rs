//! The blocking door: `std::io::Write` for `MultiWriter`, each method a call
//! into the [round](super::round) state machine.

use std::io::{self, ErrorKind, IoSlice, Write};

use super::MultiWriter;
use crate::door::{unpoll, BlockingDoor, Finish};

/// See the [type docs](MultiWriter#semantics) for the exact semantics.
///
/// # Errors
///
/// The first error of any writer (the later writers are not called for that
/// buffer); [`ErrorKind::InvalidData`] / [`ErrorKind::WriteZero`] for a writer
/// that claims more than offered / accepts nothing; [`ErrorKind::WouldBlock`]
/// while a round held for a nonblocking writer cannot be finished.
impl<W: Write> Write for MultiWriter<W> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        unpoll(
            self.rounds
                .poll_write(&mut self.writers, &mut BlockingDoor, buf),
        )
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        unpoll(
            self.rounds
                .poll_write_vectored(&mut self.writers, &mut BlockingDoor, bufs),
        )
    }

    /// The default `write_all` loop (same semantics), always inlined so the
    /// hot path of a tee into in-memory sinks compiles down to the copies.
    #[inline(always)]
    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(n) => match buf.get(n..) {
                    Some(rest) if n > 0 => buf = rest,
                    _ => return Err(ErrorKind::WriteZero.into()),
                },
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        unpoll(
            self.rounds
                .poll_finish(&mut self.writers, &mut BlockingDoor, Finish::Flush),
        )
    }
}
