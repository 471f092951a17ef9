//! What a call on one direction is: which side it is on ([`Op`]) and how
//! it will wait if it cannot finish now ([`Waiter`]).

use std::task::Waker;

/// Which side of a direction a call is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Read,
    Write,
}

/// How a call that cannot finish now will wait.
#[derive(Clone, Copy)]
pub(crate) enum Waiter<'a> {
    /// An async call: the task's waker is registered.
    Task(&'a Waker),
    /// A blocking call: the thread sleeps on the side's condition variable.
    Thread,
    /// A blocking call in nonblocking mode: fails with `WouldBlock` instead.
    Nonblocking,
}

impl Waiter<'_> {
    /// The name of the call, for error messages.
    pub(crate) fn call(self, op: Op) -> &'static str {
        match (self, op) {
            (Waiter::Task(_), Op::Read) => "poll_read",
            (Waiter::Task(_), Op::Write) => "poll_write",
            (_, Op::Read) => "read",
            (_, Op::Write) => "write",
        }
    }
}

/// How a blocking call holds the handle it was made through. The deadlock
/// verdict ([`crate::within`]) counts only exclusive waits: through an owned
/// end or half (`&mut`), never through a shared `&PipeEnd`, `&ReadHalf` or
/// `&WriteHalf`, which another thread may hold too.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Access {
    /// Through `&PipeEnd`, `&ReadHalf` or `&WriteHalf`.
    Shared,
    /// Through `&mut` an owned end or half.
    Exclusive,
}
