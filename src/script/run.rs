//! The peer's own thread: it drives its [`PipeEnd`] through poll-level
//! calls, both directions in one loop, and parks on a thread waker until
//! either direction can move (see the module docs of [`crate::script`] for
//! why).

use std::io::ErrorKind;
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use super::captures::{Captures, Part};
use super::clock::{Clock, Wait};
use super::error::{ScriptError, ScriptErrorKind};
use super::faults::WriteFaults;
use super::matcher::Matcher;
use super::stall::stalled;
use super::state::{Progress, Shared};
use super::step::Step;
use crate::clock::Hold;
use crate::PipeEnd;

/// Bytes the peer reads from the code under test at a time.
const READ_BUF: usize = 8 * 1024;

/// Wakes the peer's thread, once it has started (before that, its first
/// turn looks at everything anyway), and counts the wake-ups: the deadlock
/// verdict knows the peer is still idle if none came since it parked. A
/// wake-up hands the peer work, so under a paused clock it takes the peer's
/// [`Hold`] first, at once.
pub(crate) struct ThreadWaker {
    thread: OnceLock<Thread>,
    wakes: AtomicU64,
    pub(crate) hold: Option<Hold>,
}

impl ThreadWaker {
    pub(crate) fn new(hold: Option<Hold>) -> Self {
        ThreadWaker {
            thread: OnceLock::new(),
            wakes: AtomicU64::new(0),
            hold,
        }
    }

    /// Wake-ups so far.
    pub(crate) fn wakes(&self) -> u64 {
        self.wakes.load(Ordering::Acquire)
    }
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(hold) = &self.hold {
            hold.take();
        }
        self.wakes.fetch_add(1, Ordering::AcqRel);
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }
}

/// Lets the peer's hold go for good when its thread ends, even by a panic.
struct CloseHold(Option<Hold>);

impl Drop for CloseHold {
    fn drop(&mut self) {
        if let Some(hold) = &self.0 {
            hold.close();
        }
    }
}

/// Everything the peer's thread owns.
pub(crate) struct Peer {
    pub(crate) end: PipeEnd,
    pub(crate) steps: Arc<[Step]>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) faults: WriteFaults,
    pub(crate) clock: Clock,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) waker: Arc<ThreadWaker>,
    /// A first step's wait, started by `build` on the runtime's clock.
    pub(crate) first_wait: Option<Wait>,
    /// The values bound up front; holes keep theirs here.
    pub(crate) captures: Captures,
}

/// The loop's own state.
struct Run {
    matcher: Matcher,
    buf: Box<[u8]>,
    /// The step the peer is on (its own actions).
    step: usize,
    /// `read` step: bytes sent so far.
    sent: usize,
    wait: Option<Wait>,
    read_fault_armed: bool,
    /// The code under test's writing side is still open.
    reading: bool,
    done: bool,
    /// Values kept by holes and bound.
    captures: Captures,
    /// `respond` step: the bytes its closure returned.
    reply: Option<Vec<u8>>,
}

impl Peer {
    /// Runs the script to its end (or its failure, or until stopped), then
    /// drops the end: after a failure, as a reset.
    pub(crate) fn run(mut self) {
        let started = Instant::now();
        let _ = self.waker.thread.set(std::thread::current());
        let _close = CloseHold(self.waker.hold.clone());
        let waker = Waker::from(self.waker.clone());
        let mut cx = Context::from_waker(&waker);
        let mut run = Run {
            matcher: Matcher::default(),
            buf: vec![0; READ_BUF].into_boxed_slice(),
            step: 0,
            sent: 0,
            wait: self.first_wait.take(),
            read_fault_armed: false,
            reading: true,
            done: false,
            captures: std::mem::take(&mut self.captures),
            reply: None,
        };
        let steps = self.steps.clone();
        let mut arm = None;
        run.matcher.skip(&steps, &mut |i| arm = Some(i));
        if let Some(i) = arm {
            self.faults.reached(&self.end, i);
        }
        loop {
            // Wake-ups before this point are seen by the turn's polls.
            let wakes = self.waker.wakes();
            if let Some(hold) = &self.waker.hold {
                hold.begin_turn();
            }
            let result = self.turn(&mut cx, &mut run);
            let stopped = self.stop.load(Ordering::Acquire);
            match result {
                Err(error) => {
                    // The verdict first, so whoever sees the reset finds it
                    // in `finish` too.
                    let verdict = error.verdict();
                    self.shared.fail(error);
                    self.end.peer_reset(Some(verdict));
                    return;
                }
                Ok(progress) => {
                    if progress {
                        self.shared.publish(self.progress(&run));
                    }
                    if stopped || (run.done && !run.reading) {
                        break;
                    }
                    if !progress {
                        // Nothing to do, and the output's wakers have run:
                        // the clock may go, unless work came meanwhile.
                        if self.waker.hold.as_ref().is_some_and(|h| !h.release()) {
                            continue;
                        }
                        let only_reads = run.wait.is_none()
                            && steps.get(run.step).is_none_or(Step::waits_for_code_write);
                        self.shared.park(wakes, only_reads);
                        match run.wait.as_ref().and_then(Wait::wall_until) {
                            Some(until) => std::thread::park_timeout(
                                until.saturating_duration_since(Instant::now()),
                            ),
                            None => std::thread::park(),
                        }
                        self.shared.unpark();
                    }
                }
            }
        }
        if !run.done {
            // Stopped before the end (a stalled script): the code under test
            // sees a reset that says so, not a clean end-of-stream.
            let progress = self.progress(&run);
            let error = stalled(
                self.name.as_deref(),
                &self.steps,
                &progress,
                started.elapsed(),
            );
            self.end.peer_reset(Some(error.verdict()));
        }
    }

    fn progress(&self, run: &Run) -> Progress {
        Progress {
            step: run.step,
            sent: run.sent,
            matched_step: run.matcher.pos,
            matched_offset: run.matcher.offset,
            written: run.matcher.total,
            done: run.done,
        }
    }

    /// Serves both directions until neither can move; `Ok(true)` if anything
    /// moved.
    fn turn(&mut self, cx: &mut Context<'_>, run: &mut Run) -> Result<bool, ScriptError> {
        let mut any = false;
        loop {
            let mut moved = self.serve_reads(cx, run)?;
            moved |= self.faults.check(&self.end);
            moved |= self.act(cx, run)?;
            if !moved {
                return Ok(any);
            }
            any = true;
        }
    }

    /// Reads what the code under test wrote and matches it.
    fn serve_reads(&mut self, cx: &mut Context<'_>, run: &mut Run) -> Result<bool, ScriptError> {
        let mut moved = false;
        let steps = self.steps.clone();
        while run.reading {
            match self.end.peer_poll_read(cx, &mut run.buf) {
                Poll::Pending => break,
                Poll::Ready(Ok(n)) if n > 0 => {
                    moved = true;
                    let mut arm = None;
                    run.matcher.feed(
                        self.name.as_deref(),
                        &steps,
                        &mut run.captures,
                        &run.buf[..n],
                        &mut |i| arm = Some(i),
                    )?;
                    if let Some(i) = arm {
                        self.faults.reached(&self.end, i);
                    }
                }
                Poll::Ready(result) => {
                    moved = true;
                    run.reading = false;
                    if run.matcher.wants_more(&steps) {
                        let how = match result {
                            Ok(_) => "shut its writing side (end-of-stream)".to_owned(),
                            Err(e) => format!("failed its connection ({e})"),
                        };
                        return Err(self.unmet(
                            run.matcher.pos,
                            format!(
                                "the code under test {how} before writing what the step expects"
                            ),
                            run,
                        ));
                    }
                }
            }
        }
        Ok(moved)
    }

    /// Runs the peer's own steps as far as they can go now.
    fn act(&mut self, cx: &mut Context<'_>, run: &mut Run) -> Result<bool, ScriptError> {
        let mut moved = false;
        let steps = self.steps.clone();
        loop {
            let Some(step) = steps.get(run.step) else {
                if !run.done {
                    run.done = true;
                    moved = true;
                    if !steps.last().is_some_and(Step::is_last) {
                        let _ = self.end.shutdown(Shutdown::Write);
                    }
                }
                return Ok(moved);
            };
            match step {
                Step::Read(_) | Step::ReadTemplate(_) | Step::Respond(_) => {
                    if !self.send(cx, run, &steps, &mut moved)? {
                        return Ok(moved);
                    }
                    run.reply = None;
                }
                Step::Write(_)
                | Step::WriteUntil { .. }
                | Step::WriteAny(_)
                | Step::WriteTemplate(_) => {
                    if run.matcher.pos <= run.step {
                        return Ok(moved);
                    }
                }
                Step::Wait(duration) => {
                    let wait = run
                        .wait
                        .get_or_insert_with(|| self.clock.start(*duration, cx.waker()));
                    if !wait.is_over() {
                        return Ok(moved);
                    }
                    run.wait = None;
                }
                Step::ReadError(kind) => {
                    if !run.read_fault_armed {
                        run.read_fault_armed = true;
                        self.end.peer_fail_other_read(*kind);
                    }
                    if self.end.peer_poll_read_fault_fired(cx).is_pending() {
                        return Ok(moved);
                    }
                    run.read_fault_armed = false;
                }
                Step::WriteError(_) => {
                    if !self.faults.has_fired(run.step) {
                        return Ok(moved);
                    }
                }
                Step::ShutdownWrite => {
                    let _ = self.end.shutdown(Shutdown::Write);
                }
                Step::Close => {
                    let _ = self.end.close();
                }
                Step::Reset => {
                    let _ = self.end.close_with_error(ErrorKind::ConnectionReset);
                }
            }
            run.step += 1;
            run.sent = 0;
            moved = true;
        }
    }

    /// Sends the bytes of the sending step the peer is on; `Ok(true)` once
    /// the code under test has read them all.
    fn send(
        &mut self,
        cx: &mut Context<'_>,
        run: &mut Run,
        steps: &[Step],
        moved: &mut bool,
    ) -> Result<bool, ScriptError> {
        let step = &steps[run.step];
        if let (Step::Respond(f), None) = (step, &run.reply) {
            match f.call(&run.captures) {
                Ok(reply) => run.reply = Some(reply),
                Err(panic) => {
                    let why = format!("its closure panicked: {panic}");
                    return Err(self.unmet(run.step, why, run));
                }
            }
        }
        if let (0, None, Some(Step::Wait(d))) = (run.sent, &run.wait, steps.get(run.step + 1)) {
            // A wait after a read starts as its bytes are sent, so a
            // runtime's timer for it exists before the code under test can
            // read them and go idle.
            run.wait = Some(self.clock.start(*d, cx.waker()));
        }
        loop {
            let rest = match step {
                Step::Read(bytes) => &bytes[run.sent..],
                Step::Respond(_) => &run.reply.as_deref().unwrap_or_default()[run.sent..],
                Step::ReadTemplate(t) => {
                    let mut skip = run.sent;
                    let mut rest: &[u8] = &[];
                    for part in &t.parts {
                        let bytes = match part {
                            Part::Lit(lit) => &lit[..],
                            Part::Value { slot } => run.captures.value(*slot),
                            Part::Skip(_) | Part::Keep { .. } => &[],
                        };
                        if skip < bytes.len() {
                            rest = &bytes[skip..];
                            break;
                        }
                        skip -= bytes.len();
                    }
                    rest
                }
                _ => &[],
            };
            if rest.is_empty() {
                break;
            }
            match self.end.peer_poll_write(cx, rest) {
                Poll::Ready(Ok(n)) => {
                    run.sent += n;
                    *moved = true;
                }
                Poll::Ready(Err(_)) => {
                    let why = format!(
                        "the code under test closed its reading side after {} bytes of the step were sent",
                        run.sent
                    );
                    return Err(self.unmet(run.step, why, run));
                }
                Poll::Pending => return Ok(false),
            }
        }
        match self.end.peer_poll_drained(cx) {
            Poll::Pending => Ok(false),
            Poll::Ready(0) => Ok(true),
            Poll::Ready(dropped) => {
                let why = format!(
                    "the code under test closed its reading side with {dropped} bytes unread"
                );
                Err(self.unmet(run.step, why, run))
            }
        }
    }

    fn unmet(&self, step: usize, why: String, run: &Run) -> ScriptError {
        let step = (step < self.steps.len()).then_some(step);
        let detail = format!(
            "  the code under test wrote {} bytes in all before that",
            run.matcher.total
        );
        ScriptError::new(
            ScriptErrorKind::Unmet,
            self.name.as_deref(),
            &self.steps,
            step,
            why,
            detail,
        )
    }
}
