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
/// # Deadlocks on a paused tokio clock
///
/// With the `tokio` feature, on a current-thread runtime whose clock is
/// paused (`#[tokio::test(start_paused = true)]`), the future fails before
/// its limit with a report that starts `deadlock:` when its task waits in a
/// set of pipes that can never move again, by the rules of
/// [`within`](crate::within#deadlocks-are-reported-at-once), tasks
/// included: each task waiting on a pipe holds it, and a task that waits on
/// several pipes (`select!`, `join!`, `copy_bidirectional`) brings them all
/// into the set. Only then is it known that no task can run: tokio has
/// auto-advanced its clock to a timer set at the bound (set once the task
/// looks stuck, at a look 1 ms after the first poll and then at doubling
/// intervals up to 50 ms of wall time, so a bound that finds nothing never
/// moves tokio's clock), so every task of the runtime is idle and no timer
/// of it is due before; the verdict is
/// then confirmed at a second timer a year later on tokio's clock (no wall
/// time), so a task asleep past the bound is not called stuck. The
/// runtime needs its timer enabled, as `#[tokio::test]` has it.
///
/// A task that a plain thread will wake (through a channel, say) can look
/// stuck on a paused clock: tokio does not see the thread. Start such
/// threads with `tokio::task::spawn_blocking`, which tokio counts as work.
/// On a running clock, on another executor, or on a multi-thread runtime,
/// tasks never count, and the limit runs out as before.
/// [`Within::without_verdict`] waits out the limit in every case.
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
/// assert!(report.to_string().contains(r#"wait_for "+OK": 1 task waiting for "#));
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
    /// When the bound began (wall clock).
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    started: Instant,
    /// Whether to look for a deadlock (see [`TryWithin::without_verdict`]).
    verdict: bool,
    /// Looks for a deadlock on a paused tokio clock.
    #[cfg(feature = "tokio")]
    probe: super::probe::Probe,
    /// Waiting tasks note the time while this future lives.
    _watch: Watch,
}

impl Bound {
    fn new(limit: Duration, site: &'static Location<'static>, called: &'static str) -> Self {
        let started = Instant::now();
        Bound {
            limit,
            called,
            started,
            verdict: true,
            #[cfg(feature = "tokio")]
            probe: super::probe::Probe::default(),
            deadline: started.checked_add(limit),
            armed: None,
            site,
            thread: current_thread(),
            _watch: Watch::start(),
        }
    }

    fn cause(&self) -> Cause {
        Cause::Future {
            limit: self.limit,
            called: self.called,
        }
    }

    /// The report once the deadline has passed, or a deadlock found; until
    /// then, has the timer wake this task at the deadline (once per waker).
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<HangReport> {
        #[cfg(feature = "tokio")]
        if self.verdict {
            if let Poll::Ready(deadlock) = self.probe.poll(cx, self.limit, self.started) {
                let mut report = HangReport::take(self.cause(), self.site, self.thread.clone());
                report.set_deadlock(deadlock, self.started.elapsed());
                return Poll::Ready(report);
            }
        }
        let Some(at) = self.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= at {
            self.armed = None;
            return Poll::Ready(HangReport::take(
                self.cause(),
                self.site,
                self.thread.clone(),
            ));
        }
        let waker = cx.waker();
        if !self.armed.as_ref().is_some_and(|w| w.will_wake(waker)) {
            wake_at(at, waker.clone());
            self.armed = Some(waker.clone());
        }
        Poll::Pending
    }
}

impl<F> TryWithin<F> {
    /// Waits out the bound even when the future is found in a deadlock
    /// (see [`within_async`]): the report then comes at the limit, as a
    /// timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let bounded = pipetap::try_within_async(Duration::from_secs(5), async { 1 })
    ///     .without_verdict();
    /// assert_eq!(futures::executor::block_on(bounded).unwrap(), 1);
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub fn without_verdict(mut self) -> Self {
        self.bound.verdict = false;
        self
    }
}

impl<F> Within<F> {
    /// Waits out the bound even when the future is found in a deadlock:
    /// see [`TryWithin::without_verdict`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let bounded = pipetap::within_async(Duration::from_secs(5), async { 1 }).without_verdict();
    /// assert_eq!(futures::executor::block_on(bounded), 1);
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub fn without_verdict(mut self) -> Self {
        self.inner.bound.verdict = false;
        self
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
