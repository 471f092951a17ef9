//! [`Tap`]: records what one end of a pipe writes and reads onto a tape, from
//! inside the end, so the end stays a plain [`PipeEnd`](crate::PipeEnd) (a
//! listener's [`record_connections`](crate::Listener::record_connections)).
//!
//! Both halves of the recorded end hold the same tap; the tape counts it as
//! one recording (its waits end once both halves are gone). Bytes are
//! recorded after the call returns from the direction, with no pipe lock
//! held, exactly as a [`Recording`](crate::Recording) around the end would
//! record them. A recorded call takes its own out-of-line path (the
//! `*_with` methods), so an end without a tap pays one test of an `Option`
//! per call and keeps nothing alive across it.

use std::io::{self, IoSlice};
use std::task::Poll;

use super::ring::Target;
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

    /// The tape it records onto.
    pub(crate) fn tape(&self) -> Tape {
        Tape::clone(&self.writer)
    }

    /// A blocking read into `dst` by `read`, recorded.
    #[cold]
    #[inline(never)]
    pub(crate) fn read_with<T: Target + ?Sized>(
        &self,
        dst: &mut T,
        read: impl FnOnce(&mut T) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let result = read(dst);
        if let Ok(n) = result {
            self.writer.record_read(Source::one(dst.recent(n)));
        }
        result
    }

    /// An async read into `dst` by `poll`, recorded once it is ready.
    #[cold]
    #[inline(never)]
    pub(crate) fn poll_read_with<T: Target + ?Sized>(
        &self,
        dst: &mut T,
        poll: impl FnOnce(&mut T) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let result = poll(dst);
        if let Poll::Ready(Ok(n)) = result {
            self.writer.record_read(Source::one(dst.recent(n)));
        }
        result
    }

    /// A blocking write of `src` by `write`, recorded.
    #[cold]
    #[inline(never)]
    pub(crate) fn write_with<'s, 'a>(
        &self,
        src: &'s Source<'a, IoSlice<'a>>,
        write: impl FnOnce(&'s Source<'a, IoSlice<'a>>) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let result = write(src);
        if let Ok(n) = result {
            self.writer.record_write(src.limit(n));
        }
        result
    }

    /// An async write of `src` by `poll`, recorded once it is ready.
    #[cold]
    #[inline(never)]
    pub(crate) fn poll_write_with<'s, 'a>(
        &self,
        src: &'s Source<'a, IoSlice<'a>>,
        poll: impl FnOnce(&'s Source<'a, IoSlice<'a>>) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let result = poll(src);
        if let Poll::Ready(Ok(n)) = result {
            self.writer.record_write(src.limit(n));
        }
        result
    }
}
