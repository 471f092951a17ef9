//! `write_error` steps, placed at an exact byte offset of the code under
//! test's written stream.
//!
//! A `write_error` must hit the code's first write after the bytes of the
//! earlier `write` steps, however far ahead of the peer the code runs. So the
//! peer does not wait to see those bytes: it arms the error in the pipe
//! itself, to fire once exactly that many more bytes have passed (a write
//! that crosses the point is cut short there). The first one is armed
//! before [`Script::build`](crate::Script::build) returns. When one fires and
//! another follows, the pipe holds the code's later writes (they wait, as on
//! a full pipe) until the peer has armed the next one, so none slips past.
//! After a `write_until` or a `write_template` the offset is unknown in advance: such a
//! `write_error` is armed when the matcher reaches it.

use std::io::ErrorKind;

use super::step::Step;
use crate::PipeEnd;

#[derive(Debug)]
struct Fault {
    step: usize,
    kind: ErrorKind,
    /// Bytes of the code's stream before it; `None` after a `write_until`.
    offset: Option<u64>,
    armed: bool,
    fired: bool,
}

/// The script's `write_error` steps, in order.
#[derive(Debug, Default)]
pub(crate) struct WriteFaults {
    list: Vec<Fault>,
    /// The fault armed in the pipe and not fired yet.
    current: Option<usize>,
}

impl WriteFaults {
    pub(crate) fn new(steps: &[Step]) -> Self {
        let mut offset = Some(0u64);
        let mut list = Vec::new();
        for (step, s) in steps.iter().enumerate() {
            match s {
                Step::Write(bytes) => offset = offset.map(|o| o + bytes.len() as u64),
                Step::WriteAny(n) => offset = offset.map(|o| o + *n as u64),
                Step::WriteUntil { .. } | Step::WriteTemplate(_) => offset = None,
                Step::WriteError(kind) => list.push(Fault {
                    step,
                    kind: *kind,
                    offset,
                    armed: false,
                    fired: false,
                }),
                _ => {}
            }
        }
        WriteFaults {
            list,
            current: None,
        }
    }

    /// Arms the first fault if its offset is known: before the code under
    /// test has the connection.
    pub(crate) fn arm_first(&mut self, end: &PipeEnd) {
        if let Some(offset) = self.list.first().and_then(|f| f.offset) {
            self.arm(end, 0, offset);
        }
    }

    fn arm(&mut self, end: &PipeEnd, i: usize, after: u64) {
        let hold = self.list.get(i + 1).is_some_and(|f| f.offset.is_some());
        let after = usize::try_from(after).unwrap_or(usize::MAX);
        end.peer_fail_other_write(self.list[i].kind, after, hold);
        self.list[i].armed = true;
        self.current = Some(i);
    }

    /// The matcher passed the `write_error` at `step`: arms it now if its
    /// offset was unknown.
    pub(crate) fn reached(&mut self, end: &PipeEnd, step: usize) {
        if let Some(i) = self.list.iter().position(|f| f.step == step) {
            if !self.list[i].armed && self.list[i].offset.is_none() {
                self.arm(end, i, 0);
            }
        }
    }

    /// Notices a fired fault and arms the next; `true` if one fired.
    pub(crate) fn check(&mut self, end: &PipeEnd) -> bool {
        let Some(i) = self.current else {
            return false;
        };
        if end.peer_write_fault_pending() {
            return false;
        }
        self.list[i].fired = true;
        self.current = None;
        if let (Some(next), Some(here)) = (
            self.list.get(i + 1).and_then(|f| f.offset),
            self.list[i].offset,
        ) {
            self.arm(end, i + 1, next - here);
            end.peer_release_other_writes();
        }
        true
    }

    /// Whether the `write_error` at `step` has fired.
    pub(crate) fn has_fired(&self, step: usize) -> bool {
        self.list.iter().any(|f| f.step == step && f.fired)
    }
}
