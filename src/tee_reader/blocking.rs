//! The blocking door: `std::io::Read` and `BufRead` for `TeeReader`, each a
//! call into the [tee state](super::state).

use std::io::{self, BufRead, Read, Write};

use super::TeeReader;
use crate::door::{blocking, unpoll, BlockingDoor};

/// # Errors
///
/// Errors of `R` (nothing was read); errors of `W`, including `InvalidData` /
/// `WriteZero` for a misbehaving `W` (the bytes stay held for the next read);
/// `WouldBlock` from a nonblocking `R` or `W` (held bytes are kept likewise).
impl<R: Read, W: Write> Read for TeeReader<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = &mut self.reader;
        unpoll(
            self.state
                .poll_read(&mut BlockingDoor, &mut self.writer, buf, |_, b| {
                    blocking(r.read(b))
                }),
        )
    }
}

/// Tees at fill time: see [`TeeReader`'s `BufRead` section](TeeReader#bufread-and-asyncbufread).
///
/// # Errors
///
/// `fill_buf`: errors of `R`; errors of `W` (including `InvalidData` /
/// `WriteZero` for a misbehaving `W`, and `WouldBlock`) when `W` has none of
/// the bytes yet. Nothing is consumed from `R` by an error, and the next
/// `fill_buf` resumes where `W` stopped.
impl<R: BufRead, W: Write> BufRead for TeeReader<R, W> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let w = &mut self.writer;
        if self.state.is_holding() {
            return unpoll(self.state.poll_fill_held(&mut BlockingDoor, w));
        }
        let buf = self.reader.fill_buf()?;
        unpoll(self.state.poll_fill_from(buf, &mut BlockingDoor, w))
    }

    fn consume(&mut self, amt: usize) {
        let r = &mut self.reader;
        self.state.consume(amt, |amt| r.consume(amt));
    }
}
