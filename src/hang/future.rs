//! The async runner: [`within_async`] and [`try_within_async`], futures that
//! race the code under test against the crate's timer thread, on any
//! executor and with no runtime.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use super::report::{current_thread, Cause, HangReport};
use super::watch::Watch;
use crate::clock::wall::wake_at;

/// Bounds `future` in time: the returned future resolves to what `future`
/// resolves to, or panics with a [`HangReport`] of every live pipe and tape
/// if `future` is still pending once `limit` has passed (counted from this
/// call).
///
/// It works on any executor and needs no runtime: the crate's timer thread
/// (the one behind the pipe's deadlines) wakes the task at the limit. The
/// pipes and tapes created on the calling thread (under `#[tokio::test]`'s
/// current-thread runtime or `futures::executor::block_on`, the test's
/// thread) are listed first. Use [`try_within_async`] for a `Result`
/// instead of a panic.
///
/// The bound fires only when the executor polls the task again: code that
/// blocks the executor's thread (a blocking read inside a current-thread
/// runtime) can never be interrupted this way. Bound the whole run with the
/// blocking [`within`](crate::within) instead, around `block_on`.
///
/// # Panics
///
/// When polled after the limit with `future` still pending: the message is
/// the report, which names the line that called `within_async` (the panic
/// itself points into pipetap, where the future is polled).
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::time::Duration;
/// use pipetap::RecordExt;
///
/// let (mut conn, tape) = Vec::new().record();
/// conn.write_all(b"+OK\r\n")?;
/// let ready = pipetap::within_async(Duration::from_secs(5), tape.wait_for("+OK"));
/// futures::executor::block_on(ready)?;     // or `.await` on any executor
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn within_async<F: Future>(limit: Duration, future: F) -> Within<F> {
    Within {
        inner: TryWithin {
            future,
            bound: Bound::new(limit, Location::caller(), "within_async"),
        },
    }
}

/// [`within_async`], resolving to `Err(`[`HangReport`]`)` instead of
/// panicking once `limit` has passed with `future` still pending. The report
/// converts into an [`io::Error`](std::io::Error) of kind
/// [`TimedOut`](std::io::ErrorKind::TimedOut).
///
/// # Errors
///
/// The report, if `future` is still pending once `limit` has passed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use pipetap::RecordExt;
///
/// let (_conn, tape) = Vec::<u8>::new().record();    // nothing is ever written
/// let wait = pipetap::try_within_async(Duration::from_millis(20), tape.wait_for("+OK"));
/// let report = futures::executor::block_on(wait).unwrap_err();
/// assert!(report.to_string().contains(r#"waiting for "+OK": a task, for "#));
/// ```
#[track_caller]
pub fn try_within_async<F: Future>(limit: Duration, future: F) -> TryWithin<F> {
    TryWithin {
        future,
        bound: Bound::new(limit, Location::caller(), "try_within_async"),
    }
}

pin_project! {
    /// The future returned by [`within_async`]: the output of the future it
    /// bounds, or a panic with a [`HangReport`] once the limit has passed.
    #[must_use = "futures do nothing unless polled"]
    pub struct Within<F> {
        #[pin]
        inner: TryWithin<F>,
    }
}

pin_project! {
    /// The future returned by [`try_within_async`]: `Ok` with the output of
    /// the future it bounds, or `Err` with a [`HangReport`] once the limit
    /// has passed.
    #[must_use = "futures do nothing unless polled"]
    pub struct TryWithin<F> {
        #[pin]
        future: F,
        bound: Bound,
    }
}

/// The limit of a [`TryWithin`] and what its report needs.
struct Bound {
    limit: Duration,
    /// `None` if the limit is too far away to represent: no limit.
    deadline: Option<Instant>,
    /// The waker the timer thread will wake at the deadline, so that a
    /// poll by the same task does not arm the timer again.
    armed: Option<Waker>,
    site: &'static Location<'static>,
    /// The function that made it, for the report.
    called: &'static str,
    thread: Option<Arc<str>>,
    /// Waiting tasks note the time while this future lives.
    _watch: Watch,
}

impl Bound {
    fn new(limit: Duration, site: &'static Location<'static>, called: &'static str) -> Self {
        Bound {
            limit,
            called,
            deadline: Instant::now().checked_add(limit),
            armed: None,
            site,
            thread: current_thread(),
            _watch: Watch::start(),
        }
    }

    /// The report once the deadline has passed; until then, has the timer
    /// wake this task at the deadline (once per waker).
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<HangReport> {
        let Some(at) = self.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= at {
            self.armed = None;
            let cause = Cause::Future {
                limit: self.limit,
                called: self.called,
            };
            return Poll::Ready(HangReport::take(cause, self.site, self.thread.clone()));
        }
        let waker = cx.waker();
        if !self.armed.as_ref().is_some_and(|w| w.will_wake(waker)) {
            wake_at(at, waker.clone());
            self.armed = Some(waker.clone());
        }
        Poll::Pending
    }
}

impl<F: Future> Future for TryWithin<F> {
    type Output = Result<F::Output, HangReport>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        this.bound.poll_expired(cx).map(Err)
    }
}

impl<F: Future> Future for Within<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match ready!(self.project().inner.poll(cx)) {
            Ok(output) => Poll::Ready(output),
            Err(report) => panic!("{report}"),
        }
    }
}

impl<F> fmt::Debug for TryWithin<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryWithin")
            .field("limit", &self.bound.limit)
            .field("site", &format_args!("{}", self.bound.site))
            .finish_non_exhaustive()
    }
}

impl<F> fmt::Debug for Within<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Within")
            .field("limit", &self.inner.bound.limit)
            .field("site", &format_args!("{}", self.inner.bound.site))
            .finish_non_exhaustive()
    }
}
