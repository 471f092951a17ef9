//! [`Line`]: the connects waiting for room in a full backlog, in the order
//! they came, so that connections queue in connect order.

use crate::clock::Deadline;
use std::collections::VecDeque;

/// The waiting connects, by ticket, each with its deadline.
#[derive(Default)]
pub(super) struct Line {
    waiting: VecDeque<(u64, Deadline)>,
    next: u64,
}

impl Line {
    /// Puts a connect at the back of the line, unless `ticket` says it is
    /// in line already.
    pub(super) fn join(&mut self, ticket: &mut Option<u64>, deadline: Deadline) {
        if ticket.is_none() {
            self.next += 1;
            *ticket = Some(self.next);
            self.waiting.push_back((self.next, deadline));
        }
    }

    /// Whether the connect holding `ticket` (`None`: one not in line yet)
    /// may take a free place: it is first in line, or the line is empty.
    /// Connects ahead of it whose deadline has passed leave the line first:
    /// a future that timed out but is never polled again must not hold up
    /// the ones behind it (its next poll fails with `TimedOut`).
    pub(super) fn is_first(&mut self, ticket: Option<u64>, now: &Deadline) -> bool {
        while let Some(&(first, deadline)) = self.waiting.front() {
            if Some(first) == ticket {
                return true;
            }
            if !now.reached(&deadline) {
                return false;
            }
            self.waiting.pop_front();
        }
        ticket.is_none()
    }

    /// The connect holding `ticket` (if set) leaves the line. Returns
    /// whether it was first, so that the next one may now go.
    pub(super) fn leave(&mut self, ticket: &mut Option<u64>) -> bool {
        let Some(t) = ticket.take() else {
            return false;
        };
        if self.waiting.front().is_some_and(|&(first, _)| first == t) {
            self.waiting.pop_front();
            return true;
        }
        if let Some(at) = self.waiting.iter().position(|&(x, _)| x == t) {
            self.waiting.remove(at);
        }
        false
    }

    pub(super) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    pub(super) fn len(&self) -> usize {
        self.waiting.len()
    }
}
