//! The state machine of one direction of a pipe: everything a read or a
//! write does, whatever front door it came through, and every setting that
//! changes it (deadlines, timeouts, nonblocking mode, fault knobs,
//! `interleave_pending`, the rendezvous hand-off).
//!
//! [`Channel::read`] and [`Channel::write`] never wait: they finish the call,
//! or register how the caller will wait ([`Waiter`]) and say [`Attempt::Wait`].
//! [`super::direction`] decides how to wait (a task's waker, or a thread's
//! condition variable until [`Channel::wait_limit`]). Wake-ups are collected
//! in a [`Wake`] and delivered after the lock is released.

use std::io::{self, ErrorKind};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::call::{Access, Op, Waiter};
use super::chunking::{Chunker, Chunking};
use super::faults::{Cut, FaultConfig, Faults};
use super::label::{with_note, Label, Verdict};
use super::ring::{Ring, Target};
use super::wake::Wake;
use crate::clock::{Alarm, Clock, Deadline};
use crate::seed::{ThreadSeeds, SEED_VAR};
use crate::source::Source;

/// Largest number of bytes a rendezvous (capacity 0) pipe stages for a waiting
/// reader in one hand-off.
const RENDEZVOUS_STAGE: usize = 64 * 1024;

/// How the writer of a direction ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shut {
    /// Orderly: the reader sees end-of-stream once it has drained the buffer.
    Eof,
    /// `close_with_error`: the reader sees this error once it has drained the buffer.
    Error(ErrorKind),
    /// The connection was reset from outside (a [`Net`](crate::Net) took its
    /// address down): the buffer is dropped and the reader fails with
    /// `ConnectionReset` at once.
    Reset,
}

/// The sizes and fault knobs fixed when the pipe is built.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) capacity: usize,
    pub(crate) max_read_len: usize,
    pub(crate) max_write_len: usize,
    pub(crate) interleave_pending: bool,
    /// Random chunking of every side, drawn from `seed`.
    pub(crate) chunking: Option<Chunking>,
    pub(crate) seed: u64,
    /// The test thread's seeds `seed` derives from; `None` for a seed fixed
    /// by `PipeBuilder::seed`.
    pub(crate) seeds: Option<std::sync::Arc<ThreadSeeds>>,
    /// Async calls take part in task budgets (tokio's, or the futures
    /// door's own run limit).
    pub(crate) cooperative: bool,
    /// Live faults every direction starts with (hold, latency, bandwidth,
    /// cut).
    pub(crate) faults: FaultConfig,
}

/// The futures door's budget: after this many ready calls in a row by the
/// same task on one side, the next call returns `Pending` once (and wakes the
/// task at once), so other futures of the task and executor get their turn.
pub(crate) const READY_RUN_LIMIT: u32 = 128;

/// What the fast path of an async call did ([`Channel::read_plain`],
/// [`Channel::write_plain`]).
pub(crate) enum Plain {
    /// Moved this many bytes; the peer's task to wake, if one waited.
    Done(usize, Option<Waker>),
    /// Registered the task's waker: the call is `Pending`.
    Parked,
    /// Not the common case: nothing was done, the general path decides.
    General,
}

/// What a call does next.
pub(crate) enum Attempt {
    Done(io::Result<usize>),
    Wait,
}

/// One side (the reader or the writer) of a direction: who waits on it, and
/// its settings.
struct Side {
    /// The waker of a pending async call.
    waker: Option<Waker>,
    /// The wake-up asked of the deadline's clock for `waker` (dropped, so
    /// cancelled, when `waker` or the deadline changes).
    alarm: Option<Alarm>,
    /// Threads asleep in a blocking call.
    blocked: usize,
    /// When `blocked` last rose from 0 (read only while it is above 0).
    blocked_since: Option<Instant>,
    /// When `waker` was last stored into an empty slot (read only while it
    /// is set).
    parked_since: Option<Instant>,
    /// Threads spinning briefly before they sleep.
    spinning: usize,
    /// The thread asleep in an exclusive blocking call (see [`Access`]),
    /// for the deadlock verdict. Set and cleared on the waiting path only.
    sleeper: Option<std::thread::Thread>,
    /// The thread whose poll stored `waker`, noted only while a bounded
    /// runner runs (as `parked_since`): the verdict counts only the tasks
    /// of the runtime it watches.
    parked_on: Option<std::thread::ThreadId>,
    /// Bumped each time a thread starts or stops sleeping here or a task's
    /// waker is stored (the waiting path only): the verdict's two scans
    /// compare it to know nobody moved in between.
    seq: u32,
    deadline: Option<Deadline>,
    timeout: Option<Duration>,
    nonblocking: bool,
    /// A one-shot injected error.
    fault: Option<ErrorKind>,
    /// Writes only: bytes that may still pass before `fault` fires (a
    /// scripted peer's `write_error` at a byte offset); 0 = the next call.
    fault_after: usize,
    /// Writes only: once `fault` fires, later writes wait (as on a full
    /// pipe) until [`Channel::release`] (the scripted peer arms its next
    /// `write_error` in between).
    hold_after_fault: bool,
    /// Writes are held (see `hold_after_fault`).
    held: bool,
    /// The direction's live faults send this side's calls down the general
    /// path (see [`Faults::gates_reads`], [`Faults::gates_writes`]).
    gated: bool,
    /// `max_read_len` / `max_write_len`.
    max_len: usize,
    interleave_pending: bool,
    /// Seeded random chunking.
    chunker: Option<Chunker>,
    /// `interleave_pending`: the current async call has already yielded once.
    yielded: bool,
    /// Whether any of `fault`, `deadline`, `chunker` or `interleave_pending`
    /// is set: the fast paths check this one flag (see [`Side::rearm`]).
    armed: bool,
    /// The task (its waker's data and vtable addresses, as `will_wake`
    /// compares them) whose ready calls `ready_run` counts.
    run_task: (usize, usize),
    /// Async calls in a row that finished without waiting.
    ready_run: u32,
}

impl Side {
    fn new(max_len: usize, interleave_pending: bool, chunker: Option<Chunker>) -> Self {
        Side {
            waker: None,
            alarm: None,
            blocked: 0,
            blocked_since: None,
            parked_since: None,
            spinning: 0,
            sleeper: None,
            parked_on: None,
            seq: 0,
            deadline: None,
            timeout: None,
            nonblocking: false,
            fault: None,
            fault_after: 0,
            hold_after_fault: false,
            held: false,
            gated: false,
            max_len,
            interleave_pending,
            armed: interleave_pending || chunker.is_some(),
            chunker,
            yielded: false,
            run_task: (0, 0),
            ready_run: 0,
        }
    }

    /// No armed fault, no deadline, no random chunking and no
    /// `interleave_pending`: a call goes straight to the bytes.
    #[inline(always)]
    fn is_plain(&self) -> bool {
        !self.armed
    }

    /// Recomputes `armed` after a setting or the armed fault changed.
    fn rearm(&mut self) {
        self.armed = self.fault.is_some()
            || self.held
            || self.gated
            || self.deadline.is_some()
            || self.chunker.is_some()
            || self.interleave_pending;
    }

    /// The most bytes the next call may move: `max_len`, or a random draw
    /// within it.
    fn limit(&mut self) -> usize {
        match &mut self.chunker {
            Some(c) => self.max_len.min(c.next_len()),
            None => self.max_len,
        }
    }

    /// How long ago the side's deadline passed, if it has, on the clock of
    /// the call: the wall clock for a thread, the deadline's clock for a
    /// task (see [`crate::clock`]).
    fn deadline_passed(&self, waiter: &Waiter<'_>) -> Option<Duration> {
        let deadline = self.deadline.as_ref()?;
        let clock = match waiter {
            Waiter::Task(_) => deadline.clock(),
            Waiter::Thread | Waiter::Nonblocking => Clock::Wall,
        };
        clock.passed(deadline)
    }

    /// Registers `waker` for the current async call, cloning it only when it
    /// differs from the one already stored.
    #[inline(always)]
    fn park_task(&mut self, waker: &Waker) {
        self.park_waker(waker);
        if self.deadline.is_some() && self.alarm.is_none() {
            self.arm(waker);
        }
    }

    /// Has the deadline's clock wake `waker` at the deadline.
    #[inline(never)]
    fn arm(&mut self, waker: &Waker) {
        if let Some(deadline) = &self.deadline {
            self.alarm = Some(deadline.clock().wake_at(deadline, waker.clone()));
        }
    }

    /// Stores `waker` for the current async call (the part of
    /// [`park_task`](Self::park_task) a side without a deadline needs).
    #[inline(always)]
    fn park_waker(&mut self, waker: &Waker) {
        if !self.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            if self.waker.is_none() {
                // A task starts waiting (the waiting path only). The clock
                // and the thread are read only while a hang report could
                // show them.
                self.note_parked();
            }
            self.waker = Some(waker.clone());
            self.alarm = None;
            self.seq = self.seq.wrapping_add(1);
        }
    }

    /// Notes when and on which thread a task started to wait, if a bounded
    /// runner is running.
    #[inline]
    fn note_parked(&mut self) {
        if crate::hang::watch::watching() {
            self.parked_since = Some(Instant::now());
            self.parked_on = Some(std::thread::current().id());
        } else {
            self.parked_since = None;
            self.parked_on = None;
        }
    }

    /// No thread blocked or spinning on this side: a task's waker (if any)
    /// is all there is to wake.
    #[inline(always)]
    fn no_threads(&self) -> bool {
        self.blocked == 0 && self.spinning == 0
    }

    /// Takes the waiting task's waker, if any: the whole wake-up of a side
    /// with [`no_threads`](Self::no_threads).
    #[inline(always)]
    fn take_task(&mut self) -> Option<Waker> {
        let waker = self.waker.take();
        if waker.is_some() {
            self.alarm = None;
        }
        waker
    }

    /// Whether the futures door's run of ready calls by `waker`'s task has
    /// reached [`READY_RUN_LIMIT`]; a call by another task starts a new run.
    #[inline(always)]
    fn run_spent(&mut self, waker: &Waker) -> bool {
        let task = task_id(waker);
        if self.run_task != task {
            self.run_task = task;
            self.ready_run = 0;
            return false;
        }
        self.ready_run >= READY_RUN_LIMIT
    }

    /// The futures door's run limit on the fast path: counts one more ready
    /// call, or says (`false`) that this call must take the general path,
    /// which yields.
    #[inline(always)]
    fn count_ready(&mut self, budget: Option<&Waker>) -> bool {
        let Some(waker) = budget else { return true };
        if self.run_spent(waker) {
            return false;
        }
        self.ready_run += 1;
        true
    }

    /// Takes what is needed to wake everyone waiting on this side.
    #[inline(always)]
    fn wake_all(&mut self, op: Op, wake: &mut Wake) {
        if self.blocked > 0 {
            match op {
                Op::Read => wake.notify_readers(),
                Op::Write => wake.notify_writers(),
            }
        }
        if self.spinning > 0 {
            wake.bump();
        }
        if let Some(w) = self.waker.take() {
            self.alarm = None;
            wake.task(w);
        }
    }

    /// Whether something on this side may end a wait without the peer
    /// acting: an armed fault, or held writes (a plain hold counts: any
    /// thread may release it). The deadline and the per-call timeout are
    /// checked by the verdict from [`Waits`].
    ///
    /// The direction's live faults (`hold`, `hold_for`, latency,
    /// bandwidth) are checked by [`Channel::faults_pending`].
    fn pending(&self) -> bool {
        self.fault.is_some() || self.held || self.hold_after_fault
    }

    fn describe(&self) -> &'static str {
        match (self.blocked > 0, self.waker.is_some()) {
            (true, true) => "thread+task",
            (true, false) => "thread",
            (false, true) => "task",
            (false, false) => "-",
        }
    }
}

/// The state of one direction, guarded by its
/// [`Direction`](super::direction::Direction)'s lock.
pub(crate) struct Channel {
    ring: Ring,
    capacity: usize,
    /// Rendezvous only: how many bytes a waiting reader has asked for.
    demand: usize,
    /// Set once by the writer's shutdown, close or drop; the first one wins.
    write_shut: Option<Shut>,
    /// Set by the reader's `shutdown(Read)`, close or drop.
    read_shut: bool,
    /// Bytes the reader's shutdown dropped unread (for a scripted peer).
    dropped: usize,
    /// Why the peer ended this direction (a failed script's verdict): the
    /// errors of a shut direction carry it.
    verdict: Option<Verdict>,
    reader: Side,
    writer: Side,
    seed: u64,
    /// The test thread's seed that `seed` derives from (`None`: fixed).
    replay: Option<u64>,
    /// Which direction of its pipe this is (0 or 1): picks the random streams.
    index: u64,
    /// Live faults (hold, latency, bandwidth, cut), allocated when the first
    /// one is set: a plain direction pays one pointer.
    faults: Option<Box<Faults>>,
}

/// The clock of a call that would wait as `waiter`: for a task, tokio's
/// inside a paused runtime, else (and for every blocking call) the wall
/// clock (see [`crate::clock`]).
fn clock_of(waiter: Waiter<'_>) -> Clock {
    match waiter {
        Waiter::Task(_) => Clock::current(),
        Waiter::Thread | Waiter::Nonblocking => Clock::Wall,
    }
}

/// The chunker of one side: its own random stream of the pipe's seed.
fn chunker(chunking: &Option<Chunking>, seed: u64, index: u64, op: Op) -> Option<Chunker> {
    let stream = index * 2 + u64::from(op == Op::Write);
    chunking
        .clone()
        .map(|chunking| Chunker::new(chunking, seed, stream))
}

/// What tells one task's waker from another's, without holding a clone.
fn task_id(waker: &Waker) -> (usize, usize) {
    (
        waker.data() as usize,
        std::ptr::from_ref(waker.vtable()) as usize,
    )
}

impl Channel {
    pub(crate) fn new(config: &Config, index: u64) -> Self {
        let size = if config.capacity == 0 {
            RENDEZVOUS_STAGE
        } else {
            config.capacity
        };
        Channel {
            ring: Ring::new(size),
            capacity: config.capacity,
            demand: 0,
            write_shut: None,
            read_shut: false,
            dropped: 0,
            verdict: None,
            reader: Side::new(
                config.max_read_len,
                config.interleave_pending,
                chunker(&config.chunking, config.seed, index, Op::Read),
            ),
            writer: Side::new(
                config.max_write_len,
                config.interleave_pending,
                chunker(&config.chunking, config.seed, index, Op::Write),
            ),
            seed: config.seed,
            replay: config.seeds.as_ref().map(|s| s.seed()),
            index,
            faults: None,
        }
        .with_faults(&config.faults)
    }

    /// Starts with a builder's live faults, if it set any.
    fn with_faults(mut self, config: &FaultConfig) -> Self {
        if !config.is_off() {
            self.faults = Some(Box::new(Faults::from_config(config)));
            self.sync_gates();
        }
        self
    }

    fn side(&self, op: Op) -> &Side {
        match op {
            Op::Read => &self.reader,
            Op::Write => &self.writer,
        }
    }

    #[inline(always)]
    fn side_mut(&mut self, op: Op) -> &mut Side {
        match op {
            Op::Read => &mut self.reader,
            Op::Write => &mut self.writer,
        }
    }

    /// Room a write may fill now.
    #[inline(always)]
    fn space(&self) -> usize {
        if self.capacity > 0 {
            self.ring.free()
        } else {
            self.demand.saturating_sub(self.ring.len())
        }
    }

    /// Wakes every waiter on one side.
    #[inline(always)]
    fn wake_side(&mut self, op: Op, wake: &mut Wake) {
        self.side_mut(op).wake_all(op, wake);
    }

    /// Wakes every waiter on both sides (close, shutdown).
    fn wake_everyone(&mut self, wake: &mut Wake) {
        self.wake_side(Op::Read, wake);
        self.wake_side(Op::Write, wake);
    }

    /// Whether this async call must first return `Pending` once (having
    /// woken its task): `interleave_pending`, or, when `budget` is given (the
    /// futures door, which has no runtime budget to ask), a run of
    /// [`READY_RUN_LIMIT`] ready calls by the same task. An `empty` call
    /// never yields, as the contract promises.
    #[inline(always)]
    pub(crate) fn yield_first(&mut self, op: Op, empty: bool, budget: Option<&Waker>) -> bool {
        let side = self.side_mut(op);
        if empty || (!side.armed && budget.is_none()) {
            return false;
        }
        if !side.yielded
            && (side.interleave_pending || side.chunker.as_mut().is_some_and(Chunker::next_pending))
        {
            side.yielded = true;
            return true;
        }
        if budget.is_some_and(|waker| side.run_spent(waker)) {
            side.ready_run = 0;
            return true;
        }
        false
    }

    /// An async call finished (`true`) or will wait: the next one yields
    /// first again under `interleave_pending`, and the run of ready calls
    /// grows or ends.
    #[inline(always)]
    pub(crate) fn async_done(&mut self, op: Op, ready: bool, counted: bool) {
        let side = self.side_mut(op);
        if !side.armed && !counted {
            return;
        }
        side.yielded &= !ready;
        if counted {
            side.ready_run = if ready { side.ready_run + 1 } else { 0 };
        }
    }

    /// The fast path of an async read: a buffered pipe, nothing armed or shut
    /// on the reading side and no thread waiting on the writing side. Bytes
    /// are waiting (take them, hand back the writer's waker), or none are and
    /// the writer is still there (park `waker`). Anything else is
    /// [`Plain::General`], and nothing has changed.
    #[inline(always)]
    pub(crate) fn read_plain<T: Target + ?Sized>(
        &mut self,
        dst: &mut T,
        waker: &Waker,
        budget: Option<&Waker>,
    ) -> Plain {
        if !(self.reader.is_plain()
            && !self.read_shut
            && self.capacity > 0
            && self.writer.no_threads()
            && dst.room() > 0)
        {
            return Plain::General;
        }
        if self.ring.len() > 0 {
            if !self.reader.count_ready(budget) {
                return Plain::General;
            }
            let n = self.ring.pop(dst, self.reader.max_len);
            return Plain::Done(n, self.writer.take_task());
        }
        if self.write_shut.is_some() {
            return Plain::General;
        }
        self.reader.park_waker(waker);
        if budget.is_some() {
            self.reader.ready_run = 0;
        }
        Plain::Parked
    }

    /// The fast path of an async write of one slice: a buffered pipe with
    /// room, nothing armed or shut, and no thread waiting on the reading
    /// side. Anything else is [`Plain::General`], and nothing has changed.
    #[inline(always)]
    pub(crate) fn write_plain(&mut self, src: &[u8], budget: Option<&Waker>) -> Plain {
        if !(self.writer.is_plain()
            && self.write_shut.is_none()
            && !self.read_shut
            && self.capacity > 0
            && self.reader.no_threads()
            && !src.is_empty())
        {
            return Plain::General;
        }
        let space = self.ring.free();
        if space == 0 || !self.writer.count_ready(budget) {
            return Plain::General;
        }
        let n = self
            .ring
            .push(Source::One(src), space.min(self.writer.max_len));
        Plain::Done(n, self.reader.take_task())
    }

    /// A read that finishes without waiting, or registers `waiter` and says `Wait`.
    #[inline(always)]
    pub(crate) fn read<T: Target + ?Sized>(
        &mut self,
        dst: &mut T,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        let room = dst.room();
        if room == 0 {
            return Attempt::Done(Ok(0));
        }
        // The common cases first, with nothing armed or shut: bytes are
        // waiting, or a task waits for them.
        if self.reader.is_plain() && !self.read_shut {
            if self.ring.len() > 0 {
                let n = self.ring.pop(dst, self.reader.max_len);
                self.wake_side(Op::Write, wake);
                if self.reader.blocked == 0 {
                    self.demand = 0;
                }
                return Attempt::Done(Ok(n));
            }
            if let (None, Waiter::Task(waker)) = (self.write_shut, waiter) {
                self.reader_waits(room, wake);
                self.reader.park_task(waker);
                return Attempt::Wait;
            }
        }
        self.read_slow(dst, waiter, label, wake)
    }

    /// Everything a read does that the common case does not.
    #[inline(never)]
    fn read_slow<T: Target + ?Sized>(
        &mut self,
        dst: &mut T,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        let result = if let Some(kind) = self.reader.fault.take() {
            self.reader.rearm();
            // A scripted peer waits for its `read_error` to fire.
            self.wake_side(Op::Write, wake);
            Err(label.injected(kind, Op::Read, waiter.call(Op::Read)))
        } else if self.read_shut {
            Ok(0)
        } else if let Some(ago) = self.reader.deadline_passed(&waiter) {
            Err(label.deadline(waiter.call(Op::Read), Op::Read, ago))
        } else if let n @ 1.. = self.readable(waiter) {
            let limit = self.reader.limit().min(n);
            let n = self.ring.pop(dst, limit);
            self.sync_gates();
            self.wake_side(Op::Write, wake);
            Ok(n)
        } else if self.ring.len() > 0 {
            // Held or in flight (live faults): end-of-stream and errors
            // queue behind these bytes.
            self.sync_gates();
            match waiter {
                Waiter::Nonblocking => Err(ErrorKind::WouldBlock.into()),
                Waiter::Thread => return Attempt::Wait,
                Waiter::Task(waker) => {
                    self.park_reader_until_arrival(waker);
                    return Attempt::Wait;
                }
            }
        } else {
            match self.write_shut {
                None => match waiter {
                    Waiter::Nonblocking => Err(ErrorKind::WouldBlock.into()),
                    Waiter::Thread => {
                        self.reader_waits(dst.room(), wake);
                        return Attempt::Wait;
                    }
                    Waiter::Task(waker) => {
                        self.reader_waits(dst.room(), wake);
                        self.reader.park_task(waker);
                        return Attempt::Wait;
                    }
                },
                Some(Shut::Eof) => Ok(0),
                Some(Shut::Error(kind)) if self.faults.as_ref().is_some_and(|f| f.was_cut()) => {
                    Err(label.cut(kind, waiter.call(Op::Read)))
                }
                Some(Shut::Error(kind)) => Err(match &self.verdict {
                    Some(verdict) => label.verdict(kind, Op::Read, waiter.call(Op::Read), verdict),
                    None => label.peer_error(kind, waiter.call(Op::Read)),
                }),
                Some(Shut::Reset) => Err(label.reset(Op::Read, waiter.call(Op::Read))),
            }
        };
        if self.reader.blocked == 0 {
            self.demand = 0;
        }
        Attempt::Done(self.note_seed(Op::Read, result))
    }

    /// A reader is about to wait: in a rendezvous pipe it tells the writer how
    /// much it wants.
    fn reader_waits(&mut self, room: usize, wake: &mut Wake) {
        if self.capacity == 0 {
            let want = room.min(self.reader.max_len).min(RENDEZVOUS_STAGE);
            if want > self.demand {
                self.demand = want;
                self.wake_side(Op::Write, wake);
            }
        }
    }

    /// A write that finishes without waiting, or registers `waiter` and says `Wait`.
    #[inline(always)]
    pub(crate) fn write(
        &mut self,
        src: Source<'_>,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        // The common case first: room, and nothing is armed or shut.
        if self.writer.is_plain() && self.write_shut.is_none() && !self.read_shut {
            let space = self.space();
            if space > 0 {
                let n = self.ring.push(src, space.min(self.writer.max_len));
                if n > 0 {
                    self.wake_side(Op::Read, wake);
                }
                return Attempt::Done(Ok(n));
            }
        }
        self.write_slow(src, waiter, label, wake)
    }

    /// Everything a write does that the common case does not.
    #[inline(never)]
    fn write_slow(
        &mut self,
        src: Source<'_>,
        waiter: Waiter<'_>,
        label: &Label,
        wake: &mut Wake,
    ) -> Attempt {
        let empty = src.is_empty();
        let result = if empty && self.write_shut.is_none() && !self.read_shut {
            Ok(0)
        } else if let Some(kind) = (!empty && self.writer.fault_after == 0)
            .then(|| self.writer.fault.take())
            .flatten()
        {
            self.writer.held = std::mem::take(&mut self.writer.hold_after_fault);
            self.writer.rearm();
            // A scripted peer waits for its `write_error` to fire.
            self.wake_side(Op::Read, wake);
            Err(label.injected(kind, Op::Write, waiter.call(Op::Write)))
        } else if self.write_shut == Some(Shut::Reset) {
            Err(label.broken_pipe(waiter.call(Op::Write), "the connection was reset"))
        } else if self.write_shut.is_some() && self.faults.as_ref().is_some_and(|f| f.was_cut()) {
            Err(label.broken_pipe(
                waiter.call(Op::Write),
                "this direction was cut (cut_after) and carries no more bytes",
            ))
        } else if self.write_shut.is_some() {
            Err(label.broken_pipe(waiter.call(Op::Write), "this end's write side is shut down"))
        } else if self.read_shut {
            Err(match &self.verdict {
                Some(verdict) => label.verdict(
                    ErrorKind::BrokenPipe,
                    Op::Write,
                    waiter.call(Op::Write),
                    verdict,
                ),
                None => {
                    label.broken_pipe(waiter.call(Op::Write), "the peer has closed its read side")
                }
            })
        } else if let Some(ago) = self.writer.deadline_passed(&waiter) {
            Err(label.deadline(waiter.call(Op::Write), Op::Write, ago))
        } else {
            let mut space = if self.writer.held { 0 } else { self.space() };
            // Live faults: a held rendezvous accepts nothing; a timed
            // rendezvous hands over once its time has come.
            let (mut now, mut due) = (None, None);
            if let Some(f) = self.faults.as_deref_mut() {
                if self.capacity == 0 && f.is_held() {
                    space = 0;
                } else if f.is_timed() {
                    let t = clock_of(waiter).now();
                    now = Some(t);
                    if self.capacity == 0 {
                        due = f.handover_wait(t);
                        if due.is_some() {
                            space = 0;
                        }
                    }
                }
            }
            if space == 0 {
                return match waiter {
                    Waiter::Nonblocking => Attempt::Done(Err(ErrorKind::WouldBlock.into())),
                    Waiter::Thread => Attempt::Wait,
                    Waiter::Task(waker) => {
                        self.park_writer_until(waker, due);
                        Attempt::Wait
                    }
                };
            }
            let mut limit = self.writer.limit();
            if self.writer.fault.is_some() && self.writer.fault_after > 0 {
                limit = limit.min(self.writer.fault_after);
            }
            if let Some(f) = self.faults.as_deref() {
                limit = f.write_limit(limit);
                if self.capacity == 0 {
                    limit = f.handover_limit(limit);
                }
            }
            let n = self.ring.push(src, space.min(limit));
            if self.writer.fault.is_some() {
                self.writer.fault_after -= n;
            }
            if let Some(f) = self.faults.as_deref_mut() {
                if let Some(how) = f.wrote(n, now, self.capacity == 0) {
                    self.cut_happens(how, wake);
                }
                self.sync_gates();
            }
            self.wake_side(Op::Read, wake);
            Ok(n)
        };
        Attempt::Done(self.note_seed(Op::Write, result))
    }

    /// Shuts the writing side (first shutdown wins) and wakes everyone.
    pub(crate) fn shut_write(&mut self, how: Shut, wake: &mut Wake) {
        if self.write_shut.is_none() {
            self.write_shut = Some(how);
        }
        self.wake_everyone(wake);
    }

    /// Keeps why the peer ends this direction, for the errors that follow
    /// (the first verdict wins).
    pub(crate) fn set_verdict(&mut self, verdict: Verdict) {
        self.verdict.get_or_insert(verdict);
    }

    /// Shuts the reading side: buffered bytes can no longer be delivered and
    /// are dropped; the writer's next write fails.
    pub(crate) fn shut_read(&mut self, wake: &mut Wake) {
        self.read_shut = true;
        self.dropped += self.ring.len();
        self.ring.clear();
        self.demand = 0;
        if let Some(f) = self.faults.as_deref_mut() {
            f.clear();
            self.sync_gates();
        }
        self.wake_everyone(wake);
    }

    /// Resets the direction from outside: what is buffered is dropped, the
    /// reader's calls fail with `ConnectionReset` at once (even after an
    /// orderly shutdown it has not drained yet), the writer's with
    /// `BrokenPipe`. A reader that shut its own side keeps reading `Ok(0)`.
    pub(crate) fn reset(&mut self, wake: &mut Wake) {
        self.write_shut = Some(Shut::Reset);
        self.dropped += self.ring.len();
        self.ring.clear();
        self.demand = 0;
        if let Some(f) = self.faults.as_deref_mut() {
            // Held and flying bytes go with the rest.
            f.clear();
            f.release();
            self.sync_gates();
        }
        self.wake_everyone(wake);
    }

    /// Bytes written and not yet read.
    pub(crate) fn unread_len(&self) -> usize {
        if self.read_shut {
            0
        } else {
            self.ring.len()
        }
    }

    /// Whether the writer has shut this direction.
    pub(crate) fn is_write_shut(&self) -> bool {
        self.write_shut.is_some()
    }

    // ---- settings ----

    /// Sets (or clears) one side's deadline; waiting calls look again.
    pub(crate) fn set_deadline(&mut self, op: Op, deadline: Option<Deadline>, wake: &mut Wake) {
        let side = self.side_mut(op);
        side.deadline = deadline;
        side.alarm = None;
        side.rearm();
        self.wake_side(op, wake);
    }

    /// Sets (or clears) one side's per-call timeout for blocking calls.
    ///
    /// `Some(Duration::ZERO)` is `InvalidInput`, as in std.
    pub(crate) fn set_timeout(
        &mut self,
        op: Op,
        timeout: Option<Duration>,
        wake: &mut Wake,
    ) -> io::Result<()> {
        if timeout == Some(Duration::ZERO) {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "pipetap: cannot set a zero duration timeout",
            ));
        }
        self.side_mut(op).timeout = timeout;
        self.wake_side(op, wake);
        Ok(())
    }

    /// One side's per-call timeout.
    pub(crate) fn timeout(&self, op: Op) -> Option<Duration> {
        self.side(op).timeout
    }

    /// Turns one side's blocking waits into `WouldBlock` (or back).
    pub(crate) fn set_nonblocking(&mut self, op: Op, on: bool, wake: &mut Wake) {
        self.side_mut(op).nonblocking = on;
        self.wake_side(op, wake);
    }

    /// Sets one side's length knob (`max_read_len` / `max_write_len`);
    /// `None` turns it off.
    ///
    /// `Some(0)` is `InvalidInput`: a call of 0 bytes would look like
    /// end-of-stream.
    pub(crate) fn set_max_len(
        &mut self,
        op: Op,
        n: Option<usize>,
        wake: &mut Wake,
    ) -> io::Result<()> {
        if n == Some(0) {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "pipetap: a length knob of 0 would make every call look like end-of-stream",
            ));
        }
        self.side_mut(op).max_len = n.unwrap_or(usize::MAX);
        self.wake_side(op, wake);
        Ok(())
    }

    /// Turns one side's `interleave_pending` on or off.
    pub(crate) fn set_interleave(&mut self, op: Op, on: bool, wake: &mut Wake) {
        self.side_mut(op).interleave_pending = on;
        self.side_mut(op).rearm();
        self.wake_side(op, wake);
    }

    /// Sets (or clears) one side's random chunking, drawn from the pipe's seed.
    pub(crate) fn set_chunking(&mut self, op: Op, chunking: Option<Chunking>, wake: &mut Wake) {
        let chunker = chunker(&chunking, self.seed, self.index, op);
        self.side_mut(op).chunker = chunker;
        self.side_mut(op).rearm();
        self.wake_side(op, wake);
    }

    /// Adds the seed to an error of a side that chunks at random, so a
    /// failing test can be replayed.
    fn note_seed(&self, op: Op, result: io::Result<usize>) -> io::Result<usize> {
        match (result, &self.side(op).chunker) {
            (Err(e), Some(c)) if e.kind() != ErrorKind::WouldBlock => Err(match self.replay {
                Some(test) => with_note(
                    e,
                    format_args!(
                        "[random chunking {}, pipe seed {}: replay with {SEED_VAR}={test}]",
                        c.chunking, self.seed,
                    ),
                ),
                None => with_note(
                    e,
                    format_args!(
                        "[random chunking {}, seed {} fixed by PipeBuilder::seed]",
                        c.chunking, self.seed,
                    ),
                ),
            }),
            (result, _) => result,
        }
    }

    /// Arms a one-shot injected error for one side's next call.
    pub(crate) fn arm_fault(&mut self, op: Op, kind: ErrorKind, wake: &mut Wake) {
        self.side_mut(op).fault = Some(kind);
        // The next call, whatever a scripted peer had placed before.
        self.side_mut(op).fault_after = 0;
        self.side_mut(op).hold_after_fault = false;
        self.side_mut(op).rearm();
        self.wake_side(op, wake);
    }

    // ---- live faults (`hold`, latency, bandwidth, `cut_after`) ----

    /// The bytes the reader may take now: all buffered ones, unless live
    /// faults hold some or keep them in flight.
    #[inline]
    fn readable(&mut self, waiter: Waiter<'_>) -> usize {
        let buffered = self.ring.len();
        match self.faults.as_deref_mut() {
            None => buffered,
            Some(f) => f.readable(buffered, || clock_of(waiter).now()),
        }
    }

    /// Sends each side's calls down the general path while the live faults
    /// need it, and back to the fast paths once they do not.
    fn sync_gates(&mut self) {
        let (reads, writes) = self
            .faults
            .as_deref()
            .map_or((false, false), |f| (f.gates_reads(), f.gates_writes()));
        if self.reader.gated != reads {
            self.reader.gated = reads;
            self.reader.rearm();
        }
        if self.writer.gated != writes {
            self.writer.gated = writes;
            self.writer.rearm();
        }
    }

    /// A reader's task waits for held or flying bytes: woken by a release,
    /// or by its clock when the next bytes arrive.
    fn park_reader_until_arrival(&mut self, waker: &Waker) {
        let fresh = !self
            .reader
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(waker));
        self.reader.park_task(waker);
        if let Some(f) = self.faults.as_deref_mut() {
            if f.is_held() {
                return;
            }
            if let Some(at) = f.next_arrival() {
                f.arm_read(&Clock::current(), at, waker, fresh);
            }
        }
    }

    /// A writer's task waits for room, or (capacity 0 under latency or
    /// bandwidth) until `due`, on its clock.
    fn park_writer_until(&mut self, waker: &Waker, due: Option<Deadline>) {
        let fresh = !self
            .writer
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(waker));
        self.writer.park_task(waker);
        if let (Some(at), Some(f)) = (due, self.faults.as_deref_mut()) {
            f.arm_write(&Clock::current(), at, waker, fresh);
        }
    }

    /// When a blocking call on `op`'s side must look again for the live
    /// faults: the next arrival (reads), the hand-over time (writes).
    fn live_due(&self, op: Op) -> Option<Instant> {
        let f = self.faults.as_deref()?;
        let due = match op {
            Op::Read if !f.is_held() => f.next_arrival(),
            Op::Read => None,
            Op::Write if self.capacity == 0 => f.handover_due(),
            Op::Write => None,
        };
        due.map(|at| at.on_wall())
    }

    /// The direction reached its cut: the reader gets `how` once it has
    /// drained the buffer, the writer's later writes fail, and a `Reset` or
    /// `Error` cut closes the other direction too (through the waker the
    /// pipe gave, run after the lock is released).
    fn cut_happens(&mut self, how: Cut, wake: &mut Wake) {
        let shut = match how.error_kind() {
            None => Shut::Eof,
            Some(kind) => Shut::Error(kind),
        };
        self.shut_write(shut, wake);
        if let Some(hook) = self.faults.as_deref_mut().and_then(Faults::take_on_cut) {
            wake.hook(hook);
        }
    }

    /// The live faults, allocated on first use.
    fn faults_mut(&mut self) -> &mut Faults {
        self.faults.get_or_insert_with(Box::default)
    }

    /// A knob changed: the fast paths are on or off, and every waiter looks
    /// again.
    fn faults_changed(&mut self, wake: &mut Wake) {
        self.sync_gates();
        self.wake_everyone(wake);
    }

    /// `hold` (`until: None`) or `hold_for`: the hold's number, for
    /// [`release_hold`](Self::release_hold).
    pub(crate) fn hold(&mut self, until: Option<Deadline>, wake: &mut Wake) -> u64 {
        let gen = self.faults_mut().hold(until);
        self.faults_changed(wake);
        gen
    }

    /// Keeps the wake-up that ends `hold_for` hold `gen`.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn keep_hold_alarm(&mut self, gen: u64, alarm: Alarm) {
        if let Some(f) = self.faults.as_deref_mut() {
            f.keep_hold_alarm(gen, alarm);
        }
    }

    /// `release`: held bytes are delivered.
    pub(crate) fn release_live(&mut self, wake: &mut Wake) {
        if let Some(f) = self.faults.as_deref_mut() {
            f.release();
            self.faults_changed(wake);
        }
    }

    /// A `hold_for` ran out: ends hold `gen` if it is still on.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn release_hold(&mut self, gen: u64, wake: &mut Wake) {
        if let Some(f) = self.faults.as_deref_mut() {
            if f.release_hold(gen) {
                self.faults_changed(wake);
            }
        }
    }

    /// `set_latency`: for the bytes written from now on.
    pub(crate) fn set_latency(&mut self, latency: Option<Duration>, wake: &mut Wake) {
        if latency.is_none() && self.faults.is_none() {
            return;
        }
        self.faults_mut().set_latency(latency);
        self.faults_changed(wake);
    }

    /// `set_bandwidth`: for the bytes written from now on.
    ///
    /// `Some(0)` is `InvalidInput`: nothing would ever arrive.
    pub(crate) fn set_bandwidth(
        &mut self,
        bandwidth: Option<u64>,
        wake: &mut Wake,
    ) -> io::Result<()> {
        if bandwidth == Some(0) {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "pipetap: a bandwidth of 0 bytes per second would deliver nothing (use hold)",
            ));
        }
        if bandwidth.is_none() && self.faults.is_none() {
            return Ok(());
        }
        self.faults_mut().set_bandwidth(bandwidth);
        self.faults_changed(wake);
        Ok(())
    }

    /// `cut_after`: `n` more bytes, then `how`; `on_cut` closes the other
    /// direction after a `Reset` or `Error` cut. A direction already shut
    /// is left as it is.
    pub(crate) fn cut_after(&mut self, n: usize, how: Cut, on_cut: Option<Waker>, wake: &mut Wake) {
        if self.write_shut.is_some() {
            return;
        }
        let f = self.faults_mut();
        f.set_cut(n, how, on_cut);
        if let Some(how) = f.cut_now() {
            self.cut_happens(how, wake);
        }
        self.faults_changed(wake);
    }

    /// The writing end is dropped: held bytes are released first, then the
    /// reader sees end-of-stream behind them.
    pub(crate) fn writer_dropped(&mut self, wake: &mut Wake) {
        if let Some(f) = self.faults.as_deref_mut() {
            f.release();
            self.sync_gates();
        }
        self.shut_write(Shut::Eof, wake);
    }

    /// The live faults in words (`held`, `latency 20ms`, ...).
    pub(crate) fn describe_faults(&self) -> Vec<String> {
        self.faults
            .as_deref()
            .map(Faults::describe)
            .unwrap_or_default()
    }

    // ---- a scripted peer's hooks (`crate::script`) ----

    /// Arms a one-shot error for the writer's call that comes once `after`
    /// more bytes have passed (writes until then are cut short at that
    /// point); with `hold`, later writes then wait until [`Channel::release`].
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn arm_write_fault_after(
        &mut self,
        kind: ErrorKind,
        after: usize,
        hold: bool,
        wake: &mut Wake,
    ) {
        self.writer.fault = Some(kind);
        self.writer.fault_after = after;
        self.writer.hold_after_fault = hold;
        self.writer.rearm();
        self.wake_side(Op::Write, wake);
    }

    /// Ends a hold that a fired write fault started.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn release(&mut self, wake: &mut Wake) {
        self.writer.held = false;
        self.writer.rearm();
        self.wake_side(Op::Write, wake);
    }

    /// Whether an armed fault on `op`'s side has not fired yet.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn fault_pending(&self, op: Op) -> bool {
        self.side(op).fault.is_some()
    }

    /// `true` once the fault armed on the reader's side has fired; else
    /// registers `waker` on the writer's side, which the firing wakes.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn read_fault_fired(&mut self, waker: &Waker) -> bool {
        if self.reader.fault.is_none() {
            return true;
        }
        self.writer.park_task(waker);
        false
    }

    /// The writer's view of the reader's progress: `Some(dropped)` once
    /// nothing written is left unread (`dropped` = bytes the reader's
    /// shutdown discarded unread); `None` after registering `waker`, which
    /// the reader's next read wakes.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn drained(&mut self, waker: &Waker) -> Option<usize> {
        if self.ring.len() == 0 || self.read_shut {
            return Some(self.dropped);
        }
        self.writer.park_task(waker);
        None
    }

    // ---- blocking calls ----

    /// How a blocking call on `op` waits: as a thread, or not at all.
    pub(crate) fn blocking_waiter(&self, op: Op) -> Waiter<'static> {
        if self.side(op).nonblocking {
            Waiter::Nonblocking
        } else {
            Waiter::Thread
        }
    }

    /// When a blocking call that started at `*started` must stop waiting: the
    /// earlier of the side's deadline and its per-call timeout. The clock is
    /// read (into `started`) only when a timeout is set.
    pub(crate) fn wait_limit(&self, op: Op, started: &mut Option<Instant>) -> WaitLimit {
        let side = self.side(op);
        let timeout_at = side
            .timeout
            .map(|t| *started.get_or_insert_with(Instant::now) + t);
        let mut until = match (side.deadline.map(|d| d.on_wall()), timeout_at) {
            (Some(d), Some(t)) => Some(d.min(t)),
            (d, t) => d.or(t),
        };
        if let Some(due) = self.live_due(op) {
            until = Some(until.map_or(due, |u| u.min(due)));
        }
        WaitLimit { until, timeout_at }
    }

    /// A blocking call stopped waiting at `limit`: if its per-call timeout
    /// has passed, it fails (a passed deadline is caught by the next attempt).
    pub(crate) fn timed_out(
        &mut self,
        op: Op,
        limit: &WaitLimit,
        label: &Label,
    ) -> Option<io::Error> {
        let timeout_at = limit.timeout_at?;
        if Instant::now() < timeout_at {
            return None;
        }
        if op == Op::Read && self.reader.blocked == 0 {
            self.demand = 0;
        }
        let timeout = self.side(op).timeout.unwrap_or_default();
        Some(label.timeout(op, timeout))
    }

    /// A thread starts (`asleep`) or stops sleeping on `op`, in a call that
    /// holds its handle as `access` says.
    pub(crate) fn sleeping(&mut self, op: Op, access: Access, asleep: bool) {
        let side = self.side_mut(op);
        side.seq = side.seq.wrapping_add(1);
        if asleep {
            if side.blocked == 0 {
                side.blocked_since = Some(Instant::now());
            }
            side.blocked += 1;
            if access == Access::Exclusive {
                side.sleeper = Some(std::thread::current());
            }
        } else {
            side.blocked -= 1;
            if access == Access::Exclusive {
                side.sleeper = None;
            }
        }
    }

    /// A thread starts (`true`) or stops spinning on `op`.
    pub(crate) fn spinning(&mut self, op: Op, spinning: bool) {
        let side = self.side_mut(op);
        if spinning {
            side.spinning += 1;
        } else {
            side.spinning -= 1;
        }
    }

    /// A snapshot for `Debug`.
    pub(crate) fn debug_state(&self) -> DebugState {
        DebugState {
            buffered: self.ring.len(),
            write_shut: self.write_shut,
            read_shut: self.read_shut,
            reader: self.reader.describe(),
            writer: self.writer.describe(),
            read_fault: self.reader.fault,
            write_fault: self.writer.fault,
            max_read_len: knob(self.reader.max_len),
            max_write_len: knob(self.writer.max_len),
            read_interleave: self.reader.interleave_pending,
            write_interleave: self.writer.interleave_pending,
            read_deadline: self.reader.deadline.is_some(),
            write_deadline: self.writer.deadline.is_some(),
            read_chunking: self.reader.chunker.as_ref().map(|c| c.chunking.clone()),
            write_chunking: self.writer.chunker.as_ref().map(|c| c.chunking.clone()),
            seed: self.seed,
            faults: self.describe_faults(),
        }
    }
}

/// Who waits on one side, since when, and what bounds its waits: for a hang
/// report ([`crate::HangReport`]).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) struct Waits {
    pub(crate) threads: usize,
    /// When the first of `threads` went to sleep.
    pub(crate) threads_since: Option<Instant>,
    /// Whether a pending task is registered.
    pub(crate) task: bool,
    /// When it registered, if a bounded runner was running then.
    pub(crate) task_since: Option<Instant>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) nonblocking: bool,
    /// The thread asleep in an exclusive call, if one is.
    pub(crate) sleeper: Option<std::thread::Thread>,
    /// The waiting task's waker, and the thread that polled it (if noted).
    pub(crate) waker: Option<Waker>,
    pub(crate) parked_on: Option<std::thread::ThreadId>,
    pub(crate) seq: u32,
    /// Something pending on this side may end a wait without the peer: an
    /// armed fault or a hold (a scripted peer's `write_error`).
    pub(crate) pending: bool,
}

#[cfg_attr(loom, allow(dead_code))]
impl Channel {
    /// Who waits on `op`'s side, for a hang report.
    pub(crate) fn waits(&self, op: Op) -> Waits {
        let side = self.side(op);
        Waits {
            threads: side.blocked,
            threads_since: side.blocked_since.filter(|_| side.blocked > 0),
            task: side.waker.is_some(),
            task_since: side.parked_since.filter(|_| side.waker.is_some()),
            deadline: side.deadline.map(|d| d.on_wall()),
            timeout: side.timeout,
            nonblocking: side.nonblocking,
            sleeper: side.sleeper.clone().filter(|_| side.blocked > 0),
            waker: side.waker.clone(),
            parked_on: side.parked_on.filter(|_| side.waker.is_some()),
            seq: side.seq,
            pending: side.pending(),
        }
    }

    /// Whether the direction's live faults hold bytes, have bytes in
    /// flight, or a hand-over under way (a hold, `hold_for`, latency,
    /// bandwidth): for the verdict, it may still deliver by itself or by a
    /// `release` from any thread.
    pub(crate) fn faults_pending(&self) -> bool {
        self.faults.as_ref().is_some_and(|f| f.is_pending())
    }

    /// Room a write may fill now (0: a writer waits), for the verdict.
    pub(crate) fn room(&self) -> usize {
        if self.read_shut {
            usize::MAX
        } else {
            self.space()
        }
    }

    /// The capacity the pipe was built with (0: rendezvous).
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }
}

/// When a blocking call stops waiting.
pub(crate) struct WaitLimit {
    /// The earlier of the deadline and the per-call timeout, if any.
    pub(crate) until: Option<Instant>,
    timeout_at: Option<Instant>,
}

/// A snapshot of one direction for `Debug` output.
#[derive(Debug)]
pub(crate) struct DebugState {
    pub(crate) buffered: usize,
    pub(crate) write_shut: Option<Shut>,
    pub(crate) read_shut: bool,
    pub(crate) reader: &'static str,
    pub(crate) writer: &'static str,
    pub(crate) read_fault: Option<ErrorKind>,
    pub(crate) write_fault: Option<ErrorKind>,
    pub(crate) max_read_len: Option<usize>,
    pub(crate) max_write_len: Option<usize>,
    pub(crate) read_interleave: bool,
    pub(crate) write_interleave: bool,
    pub(crate) read_deadline: bool,
    pub(crate) write_deadline: bool,
    pub(crate) read_chunking: Option<Chunking>,
    pub(crate) write_chunking: Option<Chunking>,
    pub(crate) seed: u64,
    /// The direction's live faults in words (empty when none is set).
    pub(crate) faults: Vec<String>,
}

/// A length knob for display: `None` when it is off.
pub(crate) fn knob(n: usize) -> Option<usize> {
    (n != usize::MAX).then_some(n)
}
