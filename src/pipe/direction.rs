//! How calls wait on one direction: [`Direction::poll`] for async calls
//! (register the task's waker), [`Direction::block`] for blocking calls (spin
//! briefly, then sleep on a condition variable until the limit the
//! [`Channel`] gives), both driving the same [`Channel`].

use std::io;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use super::call::{Access, Op, Waiter};
use super::channel::{Attempt, Channel, Config, DebugState, Plain};
use super::label::Label;
use super::poll_call::PollCall;
use super::wake::{Sleepers, Wake};
use crate::sync::{lock, wait, wait_timeout, wake_contained, Mutex, MutexGuard};

/// One direction: the guarded state, where its blocked threads sleep, and
/// the names its errors carry.
pub(crate) struct Direction {
    state: Mutex<Channel>,
    sleepers: Sleepers,
    label: Label,
    /// `PipeBuilder::cooperative`.
    cooperative: bool,
}

impl Direction {
    pub(crate) fn new(config: &Config, index: u64, label: Label) -> Self {
        Direction {
            state: Mutex::new(Channel::new(config, index)),
            sleepers: Sleepers::new(),
            label,
            cooperative: config.cooperative,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Channel> {
        lock(&self.state)
    }

    /// Runs `f` on the state, then delivers the wake-ups it collected.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut Channel, &mut Wake) -> R) -> R {
        let mut wake = Wake::default();
        let result = f(&mut self.lock(), &mut wake);
        wake.run(&self.sleepers);
        result
    }

    /// Reads the state without changing it.
    pub(crate) fn inspect<R>(&self, f: impl FnOnce(&Channel) -> R) -> R {
        f(&self.lock())
    }

    /// An async call: its fast path ([`PollCall::plain`]) first, and the
    /// general path ([`PollCall::attempt`], out of line) only when that says
    /// [`Plain::General`], under the same lock and budget. The tokio door
    /// takes part in tokio's task budget (see [`Door`]); the futures door
    /// counts its run of ready calls in the channel.
    #[inline(always)]
    pub(crate) fn poll<C: PollCall>(
        &self,
        cx: &mut Context<'_>,
        door: Door,
        call: &mut C,
    ) -> Poll<io::Result<usize>> {
        #[cfg(feature = "tokio")]
        let coop = match door {
            Door::Tokio if !call.is_empty() => Some(std::task::ready!(tokio_budget(cx, self))),
            _ => None,
        };
        #[cfg(not(feature = "tokio"))]
        let coop = ();
        let budget = (door == Door::Futures && self.cooperative).then(|| cx.waker());
        let mut chan = self.lock();
        match call.plain(&mut chan, cx.waker(), budget) {
            Plain::Done(n, peer) => {
                drop(chan);
                if let Some(waker) = peer {
                    wake_contained(waker);
                }
                #[cfg(feature = "tokio")]
                if let Some(coop) = coop.flatten() {
                    coop.made_progress();
                }
                Poll::Ready(Ok(n))
            }
            Plain::Parked => Poll::Pending,
            Plain::General => self.poll_general(cx.waker(), budget, chan, coop, call),
        }
    }

    /// The general path of an async call, with the lock held and the tokio
    /// budget (if any) taken: the call runs with the task's waker, after the
    /// channel's gate (`interleave_pending`, and the futures door's run
    /// limit); an empty call is never delayed.
    #[inline(never)]
    fn poll_general<C: PollCall>(
        &self,
        waker: &Waker,
        budget: Option<&Waker>,
        mut chan: MutexGuard<'_, Channel>,
        coop: Coop,
        call: &mut C,
    ) -> Poll<io::Result<usize>> {
        #[cfg(not(feature = "tokio"))]
        let () = coop;
        let op = C::OP;
        let empty = call.is_empty();
        let mut wake = Wake::default();
        if chan.yield_first(op, empty, budget) {
            drop(chan);
            waker.wake_by_ref();
            return Poll::Pending;
        }
        let attempt = call.attempt(&mut chan, Waiter::Task(waker), &self.label, &mut wake);
        chan.async_done(op, matches!(attempt, Attempt::Done(_)), budget.is_some());
        drop(chan);
        wake.run(&self.sleepers);
        match attempt {
            Attempt::Done(result) => {
                #[cfg(feature = "tokio")]
                if let Some(coop) = coop.flatten() {
                    coop.made_progress();
                }
                Poll::Ready(result)
            }
            Attempt::Wait => Poll::Pending,
        }
    }

    /// A blocking call: retries `attempt` until it finishes, sleeping on the
    /// side's condition variable in between, until the channel's wait limit
    /// (deadline or per-call timeout).
    pub(crate) fn block(
        &self,
        op: Op,
        access: Access,
        mut attempt: impl FnMut(&mut Channel, Waiter<'_>, &Label, &mut Wake) -> Attempt,
    ) -> io::Result<usize> {
        let mut chan = self.lock();
        let mut started = None;
        let mut may_spin = may_spin();
        loop {
            let mut wake = Wake::default();
            let waiter = chan.blocking_waiter(op);
            if let Attempt::Done(result) = attempt(&mut chan, waiter, &self.label, &mut wake) {
                drop(chan);
                wake.run(&self.sleepers);
                return result;
            }
            // After the attempt, which may have set the time a live fault
            // (latency, bandwidth) lets the call go on.
            let limit = chan.wait_limit(op, &mut started);
            if wake.has_tasks() {
                // Deliver task wake-ups outside the lock, then look again.
                drop(chan);
                wake.run(&self.sleepers);
                chan = self.lock();
                continue;
            }
            wake.signal(&self.sleepers);
            if may_spin && !matches!(waiter, Waiter::Nonblocking) {
                // The peer is most likely running on another core and about
                // to make progress: a short spin saves two context switches.
                may_spin = false;
                chan = self.spin(chan, op);
                continue;
            }
            let cvar = self.sleepers.condvar(op == Op::Read);
            chan.sleeping(op, access, true);
            let mut reached = false;
            chan = match limit.until {
                None => wait(cvar, chan),
                Some(until) => {
                    let now = Instant::now();
                    if now >= until {
                        reached = true;
                        chan
                    } else {
                        wait_timeout(cvar, chan, until - now)
                    }
                }
            };
            chan.sleeping(op, access, false);
            if reached {
                if let Some(err) = chan.timed_out(op, &limit, &self.label) {
                    return Err(err);
                }
            }
        }
    }

    /// Releases the lock and spins until the state changes or the spin budget
    /// is used up; returns with the lock held again.
    fn spin<'a>(&'a self, mut chan: MutexGuard<'a, Channel>, op: Op) -> MutexGuard<'a, Channel> {
        chan.spinning(op, true);
        let seen = self.sleepers.progress();
        drop(chan);
        // Spin for a bounded time only, and never `yield_now`: on a loaded
        // machine a yield can hand the core to another process for a whole
        // time slice, which turned each hand-off into milliseconds.
        let started = Instant::now();
        'spin: loop {
            for _ in 0..32 {
                if self.sleepers.progress() != seen {
                    break 'spin;
                }
                std::hint::spin_loop();
            }
            if started.elapsed() >= SPIN_FOR {
                break;
            }
        }
        let mut chan = self.lock();
        chan.spinning(op, false);
        chan
    }

    /// For `Debug`: buffered bytes, flags and waiters.
    pub(crate) fn debug_state(&self) -> DebugState {
        self.inspect(Channel::debug_state)
    }
}

/// The tokio budget unit an async call holds (see [`tokio_budget`]):
/// `None` for the futures door and empty calls.
#[cfg(feature = "tokio")]
type Coop = Option<Option<tokio::task::coop::RestoreOnPending>>;
#[cfg(not(feature = "tokio"))]
type Coop = ();

/// Which async front door a call came through: it decides which task budget
/// the call takes part in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Door {
    /// `futures::io`: no runtime budget to ask, so the channel counts ready
    /// calls itself and yields after a long run.
    Futures,
    /// `tokio::io`: consumes tokio's own task budget, like tokio's IO.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    Tokio,
}

/// tokio's task budget (`tokio::task::coop`), as tokio's own IO uses it: a
/// call first asks for a unit of budget (returning `Pending`, with the task
/// woken, when it is spent) and commits it once it made progress. Outside a
/// tokio runtime the budget is unlimited. `None` when the pipe was built with
/// `cooperative(false)`.
#[cfg(feature = "tokio")]
fn tokio_budget(
    cx: &mut Context<'_>,
    dir: &Direction,
) -> Poll<Option<tokio::task::coop::RestoreOnPending>> {
    if !dir.cooperative {
        return Poll::Ready(None);
    }
    tokio::task::coop::poll_proceed(cx).map(Some)
}

/// How long a blocking call spins, watching for progress, before it sleeps:
/// about ten round trips of a peer running on another core.
const SPIN_FOR: std::time::Duration = std::time::Duration::from_micros(20);

/// Whether a blocking call spins before it sleeps: not on a single core (the
/// peer cannot run while we spin) and not under loom.
fn may_spin() -> bool {
    #[cfg(loom)]
    {
        false
    }
    #[cfg(not(loom))]
    {
        static MULTI_CORE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *MULTI_CORE.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
    }
}
