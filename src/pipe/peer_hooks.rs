//! What a scripted peer ([`crate::script`]) needs of its own end beyond the
//! public API: poll-level reads and writes that it drives from its own thread
//! with a thread waker, a wake-up once the code under test has read what the
//! peer wrote, and injected errors placed at an exact byte offset of the code
//! under test's stream. Each is one call into a [`Channel`](super::channel::Channel);
//! none touches the plain read/write path.

use std::io::{self, ErrorKind};
use std::task::{Context, Poll};

use super::call::Op;
use super::channel::Shut;
use super::direction::Door;
use super::end::PipeEnd;
use super::label::Verdict;

impl PipeEnd {
    /// A poll-level read into `buf` (the futures door's call, with no
    /// runtime needed).
    pub(crate) fn peer_poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.read_half().poll_read_slice(cx, Door::Futures, buf)
    }

    /// A poll-level write of `buf`.
    pub(crate) fn peer_poll_write(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write_half().poll_write_one(cx, Door::Futures, buf)
    }

    /// `Ready(dropped)` once the other end has read everything this end
    /// wrote (or shut its reading side, dropping `dropped` bytes unread).
    pub(crate) fn peer_poll_drained(&self, cx: &mut Context<'_>) -> Poll<usize> {
        let half = self.write_half();
        let dir = half.shared.dir(half.side);
        match dir.update(|chan, _| chan.drained(cx.waker())) {
            Some(dropped) => Poll::Ready(dropped),
            None => Poll::Pending,
        }
    }

    /// Makes the other end's next read fail with `kind`; whether it is still
    /// armed is [`PipeEnd::peer_read_fault_pending`], and its firing wakes
    /// this end's pending write or drain.
    pub(crate) fn peer_fail_other_read(&self, kind: ErrorKind) {
        let half = self.write_half();
        half.shared
            .dir(half.side)
            .update(|chan, wake| chan.arm_fault(Op::Read, kind, wake));
    }

    /// `Ready` once the fault of [`PipeEnd::peer_fail_other_read`] has fired.
    pub(crate) fn peer_poll_read_fault_fired(&self, cx: &mut Context<'_>) -> Poll<()> {
        let half = self.write_half();
        let dir = half.shared.dir(half.side);
        if dir.update(|chan, _| chan.read_fault_fired(cx.waker())) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Makes the other end's write that comes once `after` more bytes have
    /// passed fail with `kind`; with `hold`, its later writes then wait until
    /// [`PipeEnd::peer_release_other_writes`]. Its firing wakes this end's
    /// pending read.
    pub(crate) fn peer_fail_other_write(&self, kind: ErrorKind, after: usize, hold: bool) {
        let half = self.read_half();
        half.shared
            .dir(1 - half.side)
            .update(|chan, wake| chan.arm_write_fault_after(kind, after, hold, wake));
    }

    /// Whether the fault of [`PipeEnd::peer_fail_other_write`] has not fired.
    pub(crate) fn peer_write_fault_pending(&self) -> bool {
        let half = self.read_half();
        half.shared
            .dir(1 - half.side)
            .inspect(|chan| chan.fault_pending(Op::Write))
    }

    /// Lets the other end's held writes go on.
    pub(crate) fn peer_release_other_writes(&self) {
        let half = self.read_half();
        half.shared
            .dir(1 - half.side)
            .update(|chan, wake| chan.release(wake));
    }

    /// Resets the connection with `verdict`: the other end's writes fail
    /// with `BrokenPipe` from now on (the read side shuts first, so none
    /// slips in), its reads with `ConnectionReset` once it has drained what
    /// was sent; both errors carry the verdict.
    pub(crate) fn peer_reset(&self, verdict: Option<Verdict>) {
        let read = self.read_half();
        read.shared.dir(1 - read.side).update(|chan, wake| {
            if let Some(verdict) = &verdict {
                chan.set_verdict(verdict.clone());
            }
            chan.shut_read(wake);
        });
        let write = self.write_half();
        write.shared.dir(write.side).update(|chan, wake| {
            if let Some(verdict) = verdict {
                chan.set_verdict(verdict);
            }
            chan.shut_write(Shut::Error(ErrorKind::ConnectionReset), wake);
        });
    }
}
