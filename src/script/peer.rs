//! [`ScriptPeer`]: the test's handle on a running script, and
//! [`Finished`], the future of [`ScriptPeer::finished`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::ScriptError;
use super::stall::stalled;
use super::state::Shared;
use super::step::Step;

/// How long [`ScriptPeer::finish`] waits for the script to run to its end.
pub const DEFAULT_FINISH_WITHIN: Duration = Duration::from_secs(5);

/// The running peer of a [`Script`](crate::Script), from
/// [`Script::build`](crate::Script::build): the test asks it whether the
/// script ran to its end.
///
/// Dropping a `ScriptPeer` without finishing it finishes it (waiting up to
/// the default bound) and panics if the script failed or did not finish.
/// If the thread is already panicking (the test failed first, say by
/// unwrapping the result of the code under test), it does not wait or panic
/// again: it prints the script's verdict (failed or unfinished, with the
/// diff) to the test's output, once.
///
/// # Examples
///
/// ```
/// use std::io::{BufRead, BufReader, Write};
/// use pipetap::Script;
///
/// let (conn, peer) = Script::new()
///     .name("echo")
///     .write(b"ping\n")
///     .read(b"pong\n")
///     .build();
/// let mut conn = BufReader::new(conn);
/// conn.get_mut().write_all(b"ping\n")?;
/// let mut line = String::new();
/// conn.read_line(&mut line)?;
/// assert_eq!(line, "pong\n");
/// peer.finish();
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ScriptPeer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) thread: Option<JoinHandle<()>>,
    pub(crate) steps: Arc<[Step]>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) started: Instant,
    /// Registered for hang reports while the handle lives.
    pub(crate) _live: Arc<super::live::Live>,
}

impl ScriptPeer {
    /// Waits (up to 5 s) until every step has run.
    ///
    /// # Panics
    ///
    /// Panics with the [`ScriptError`] if the script failed or did not
    /// finish in time.
    #[track_caller]
    pub fn finish(self) {
        self.finish_within(DEFAULT_FINISH_WITHIN);
    }

    /// [`finish`](ScriptPeer::finish) with another bound.
    ///
    /// # Panics
    ///
    /// As [`finish`](ScriptPeer::finish).
    #[track_caller]
    pub fn finish_within(self, bound: Duration) {
        if let Err(error) = self.try_finish_within(bound) {
            panic!("{error}");
        }
    }

    /// Waits (up to 5 s) until every step has run.
    ///
    /// # Errors
    ///
    /// The [`ScriptError`] of a script that failed, or that did not finish
    /// in time (then saying which step it was on, what it expected and what
    /// arrived so far).
    pub fn try_finish(self) -> Result<(), ScriptError> {
        self.try_finish_within(DEFAULT_FINISH_WITHIN)
    }

    /// [`try_finish`](ScriptPeer::try_finish) with another bound.
    ///
    /// # Errors
    ///
    /// As [`try_finish`](ScriptPeer::try_finish).
    pub fn try_finish_within(mut self, bound: Duration) -> Result<(), ScriptError> {
        self.complete(Instant::now().checked_add(bound))
    }

    /// The async twin of [`try_finish`](ScriptPeer::try_finish): a future
    /// (any executor, no runtime needed) that resolves once every step has
    /// run, or with the error, within the same 5 s bound (on the wall clock;
    /// a paused tokio clock does not change it).
    ///
    /// Use it where blocking the thread would stall the code under test
    /// that runs on that same thread, as in a current-thread
    /// `#[tokio::test]`.
    pub fn finished(self) -> Finished {
        self.finished_within(DEFAULT_FINISH_WITHIN)
    }

    /// [`finished`](ScriptPeer::finished) with another bound.
    pub fn finished_within(self, bound: Duration) -> Finished {
        Finished {
            deadline: Instant::now().checked_add(bound),
            peer: Some(self),
            timer: false,
        }
    }

    /// Waits until the script settles or `deadline`, stops the peer's thread
    /// and says how it went.
    fn complete(&mut self, deadline: Option<Instant>) -> Result<(), ScriptError> {
        let state = self.shared.wait_until(deadline);
        let progress = state.progress;
        let timed_out = !state.settled();
        drop(state);
        self.stop_thread();
        let state = self.shared.lock();
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        if timed_out || !progress.done {
            let waited = self.started.elapsed();
            return Err(stalled(
                self.name.as_deref(),
                &self.steps,
                &progress,
                waited,
            ));
        }
        Ok(())
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

// The handle holds no state a panic could leave half-changed.
impl std::panic::UnwindSafe for ScriptPeer {}
impl std::panic::RefUnwindSafe for ScriptPeer {}

impl Drop for ScriptPeer {
    fn drop(&mut self) {
        if self.thread.is_none() {
            return;
        }
        if std::thread::panicking() {
            // The test failed elsewhere first (often by unwrapping what the
            // code under test returned): say how the script went, once, on
            // the test's output, and do not panic again.
            if let Err(error) = self.complete(Some(Instant::now())) {
                eprintln!(
                    "pipetap: the thread panicked with a ScriptPeer not finished; the script's verdict:\n{error}"
                );
            }
            return;
        }
        if let Err(error) = self.complete(Instant::now().checked_add(DEFAULT_FINISH_WITHIN)) {
            panic!("{error}");
        }
    }
}

impl fmt::Debug for ScriptPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("ScriptPeer")
            .field("name", &self.name)
            .field("steps", &self.steps.len())
            .field("step", &(state.progress.step + 1).min(self.steps.len()))
            .field("done", &state.progress.done)
            .field("failed", &state.failure.is_some())
            .finish()
    }
}

/// The future of [`ScriptPeer::finished`]: `Ok(())` once every step has
/// run, or the [`ScriptError`].
#[must_use = "a future does nothing unless polled"]
#[derive(Debug)]
pub struct Finished {
    peer: Option<ScriptPeer>,
    deadline: Option<Instant>,
    timer: bool,
}

impl Future for Finished {
    type Output = Result<(), ScriptError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let peer = this
            .peer
            .as_mut()
            .expect("`Finished` polled after it completed");
        let settled = {
            let mut state = peer.shared.lock();
            let settled = state.settled();
            if !settled {
                Shared::register(&mut state, cx.waker());
            }
            settled
        };
        let late = this.deadline.is_some_and(|d| Instant::now() >= d);
        if !settled && !late {
            if let (false, Some(deadline)) = (this.timer, this.deadline) {
                this.timer = true;
                crate::clock::wall::wake_at(deadline, cx.waker().clone());
            }
            return Poll::Pending;
        }
        let mut peer = this.peer.take().expect("checked above");
        Poll::Ready(peer.complete(Some(Instant::now())))
    }
}
