//! [`Hub`]: the state a listener and its connectors share, and every rule of
//! the contract: the backlog, connect order, the connect timeout, and what
//! dropping the listener or the last connector does. [`super::listener`] and
//! [`super::connector`] only decide how to wait (a task's waker, or a
//! thread's condition variable).

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, ErrorKind};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::line::Line;
use super::waiters::Waiters;
use crate::clock::{Clock, Deadline};
use crate::pipe::{Blueprint, Link, PipeEnd};
use crate::tape::Tape;

/// The default backlog: connections queued for `accept` before a `connect`
/// waits.
pub(super) const DEFAULT_BACKLOG: usize = 128;

/// The default bound on how long a `connect` waits for room in the backlog.
pub(super) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves the server end of every new connection instead of queueing it
/// for `accept`: a scripted connector's scripts.
pub(super) trait Serve: Send + Sync {
    /// Serves connection `n` (counted from 1). An error fails its connect
    /// (the connection is dropped).
    fn serve(&self, n: u64, server: PipeEnd) -> io::Result<()>;

    /// The `Debug` fields of what serves.
    fn debug(&self, d: &mut fmt::DebugStruct<'_, '_>);
}

/// What a listener and its connectors share.
pub(super) struct Hub {
    blueprint: Blueprint,
    /// Serves connections in place of a listener.
    serve: Option<Box<dyn Serve>>,
    state: Mutex<State>,
    /// `accept_blocking` sleeps here until a connection is queued or the last
    /// connector is gone.
    queued: Condvar,
    /// `connect_blocking` sleeps here until there is room, its turn comes,
    /// or the listener is gone.
    room: Condvar,
}

struct State {
    /// Server ends of connections not yet accepted, in connect order.
    queue: VecDeque<PipeEnd>,
    backlog: usize,
    connect_timeout: Duration,
    record: bool,
    /// One tape per connection made while recording, in connect order.
    tapes: Vec<(u64, Tape)>,
    /// Connections made so far (the last one's number).
    made: u64,
    /// The server end of the connection just made, for [`Hub::serve`].
    handoff: Option<(u64, PipeEnd)>,
    /// Whether the listener is still alive.
    listening: bool,
    /// Live `Connector`s (each `connect` future holds one).
    connectors: usize,
    /// Connects waiting for room: only the first may take a freed place.
    line: Line,
    /// Tasks waiting in `accept`, and in `connect` for room.
    accepts: Waiters,
    connects: Waiters,
    /// Threads asleep in `accept_blocking`, and in `connect_blocking`.
    blocked_accepts: usize,
    blocked_connects: usize,
    /// One link per connection made, in connect order.
    links: Vec<Link>,
    /// `Connector::refuse_next`: connects still to refuse.
    refuse: usize,
    /// `Connector::set_connect_delay`.
    connect_delay: Option<Duration>,
}

/// Where one connect stands: its place in line, its task's slot, and its
/// deadline (fixed when it starts, on the clock of the call: see
/// [`crate::clock`]).
#[derive(Default)]
pub(super) struct ConnectState {
    ticket: Option<u64>,
    pub(super) slot: Option<u64>,
    pub(super) deadline: Option<Deadline>,
}

/// Which waiters a change must wake, collected under the lock and woken
/// after it.
#[derive(Default)]
#[must_use]
pub(super) struct Wake {
    accepts: bool,
    connects: bool,
}

impl Hub {
    pub(super) fn new(blueprint: Blueprint) -> Self {
        Self::with_serve(blueprint, None)
    }

    /// A hub whose connections `serve` serves, with no listener.
    pub(super) fn serving(blueprint: Blueprint, serve: Box<dyn Serve>) -> Self {
        Self::with_serve(blueprint, Some(serve))
    }

    fn with_serve(blueprint: Blueprint, serve: Option<Box<dyn Serve>>) -> Self {
        Hub {
            blueprint,
            serve,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                backlog: DEFAULT_BACKLOG,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                record: false,
                tapes: Vec::new(),
                made: 0,
                handoff: None,
                listening: true,
                connectors: 1,
                line: Line::default(),
                accepts: Waiters::default(),
                connects: Waiters::default(),
                blocked_accepts: 0,
                blocked_connects: 0,
                links: Vec::new(),
                refuse: 0,
                connect_delay: None,
            }),
            queued: Condvar::new(),
            room: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The listener's name.
    pub(super) fn name(&self) -> &std::sync::Arc<str> {
        self.blueprint.name()
    }

    /// Runs `f` on the state, then wakes whom it asked for.
    fn update<R>(&self, f: impl FnOnce(&mut State, &mut Wake) -> R) -> R {
        let mut wake = Wake::default();
        let result = f(&mut self.lock(), &mut wake);
        self.wake(wake);
        result
    }

    /// Wakes the waiters `wake` names. Must be called with the lock released.
    fn wake(&self, wake: Wake) {
        for (wanted, which) in [(wake.accepts, true), (wake.connects, false)] {
            if wanted {
                self.wake_all(which);
            }
        }
    }

    fn wake_all(&self, accepts: bool) {
        let mut state = self.lock();
        let (blocked, waiters) = if accepts {
            (state.blocked_accepts, &mut state.accepts)
        } else {
            (state.blocked_connects, &mut state.connects)
        };
        let tasks = (waiters.len() > 0).then(|| waiters.take());
        drop(state);
        if blocked > 0 {
            if accepts {
                self.queued.notify_all();
            } else {
                self.room.notify_all();
            }
        }
        if let Some(mut tasks) = tasks {
            for (_, waker) in tasks.drain(..) {
                waker.wake();
            }
            let mut state = self.lock();
            let waiters = if accepts {
                &mut state.accepts
            } else {
                &mut state.connects
            };
            waiters.give_back(tasks);
        }
    }

    // ---- options ----

    pub(super) fn set_backlog(&self, n: usize) {
        self.update(|state, wake| {
            wake.connects = n > state.backlog && !state.line.is_empty();
            state.backlog = n;
        });
    }

    pub(super) fn set_connect_timeout(&self, timeout: Duration) {
        self.lock().connect_timeout = timeout;
    }

    pub(super) fn record_connections(&self) {
        self.lock().record = true;
    }

    /// Whether the listener is still alive.
    pub(super) fn is_listening(&self) -> bool {
        self.lock().listening
    }

    pub(super) fn tapes(&self) -> Vec<Tape> {
        self.lock().tapes.iter().map(|(_, t)| t.clone()).collect()
    }

    /// Writes the recorded connections' tapes into `dir`, one file per
    /// connection (see [`super::tape_dir`]).
    pub(super) fn save_tapes(&self, dir: &std::path::Path) -> io::Result<()> {
        let (record, tapes) = {
            let state = self.lock();
            (state.record, state.tapes.clone())
        };
        if !record {
            return Err(self.error(
                ErrorKind::InvalidInput,
                format_args!(
                    "save_tapes: its connections are not recorded (call \
                     Listener::record_connections before connecting)"
                ),
            ));
        }
        super::tape_dir::save(dir, self.name(), &tapes)
    }

    /// A link per connection made, in connect order.
    pub(super) fn connections(&self) -> Vec<Link> {
        self.lock().links.clone()
    }

    pub(super) fn refuse_next(&self, n: usize) {
        self.lock().refuse = n;
    }

    pub(super) fn set_connect_delay(&self, delay: Option<Duration>) {
        self.lock().connect_delay = delay.filter(|d| !d.is_zero());
    }

    /// A connect starts: it is refused (`refuse_next`), or goes ahead after
    /// the connect delay, if any.
    pub(super) fn begin_connect(&self) -> io::Result<Option<Duration>> {
        let mut state = self.lock();
        if state.refuse > 0 {
            state.refuse -= 1;
            let left = state.refuse;
            drop(state);
            return Err(self.error(
                ErrorKind::ConnectionRefused,
                format_args!("connection refused (refuse_next: {left} more to refuse)"),
            ));
        }
        Ok(state.connect_delay)
    }

    // ---- accept ----

    /// An accept that finishes now (a queued connection, or `NotConnected`
    /// once every connector is gone), or `None`: registers `waker` (a task)
    /// in `slot` first if one is given.
    pub(super) fn try_accept(
        &self,
        slot: &mut Option<u64>,
        waker: Option<&Waker>,
    ) -> Option<io::Result<PipeEnd>> {
        self.update(|state, wake| state.accept(slot, waker, wake, self))
    }

    /// An accept future is dropped: it no longer waits.
    pub(super) fn forget_accept(&self, slot: &mut Option<u64>) {
        if slot.is_some() {
            self.lock().accepts.remove(slot);
        }
    }

    /// `accept_blocking`: waits on the condition variable until a
    /// connection is queued or every connector is gone.
    pub(super) fn accept_blocking(&self) -> io::Result<PipeEnd> {
        let mut wake = Wake::default();
        let mut state = self.lock();
        loop {
            if let Some(result) = state.accept(&mut None, None, &mut wake, self) {
                drop(state);
                self.wake(wake);
                return result;
            }
            state.blocked_accepts += 1;
            state = self
                .queued
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.blocked_accepts -= 1;
        }
    }

    // ---- connect ----

    /// A connect that finishes now (the client end, once the server end is
    /// queued; `ConnectionRefused`; `TimedOut`), or `None`: registers `waker`
    /// (a task) first if one is given.
    pub(super) fn try_connect(
        &self,
        at: &mut ConnectState,
        waker: Option<&Waker>,
    ) -> Option<io::Result<PipeEnd>> {
        // A task's connect runs on the clock of its call, a thread's on the
        // wall clock.
        let clock = match (&at.deadline, waker) {
            (_, None) => Clock::Wall,
            (Some(deadline), Some(_)) => deadline.clock(),
            (None, Some(_)) => Clock::current(),
        };
        let (result, handoff) = self.update(|state, wake| {
            let result = state.connect(at, &clock, waker, wake, self);
            (result, state.handoff.take())
        });
        Some(self.hand_off(result?, handoff))
    }

    /// A connection just made goes to what serves it, with the hub's lock
    /// released (a script's peer starts a thread); if that fails, so does
    /// the connect.
    fn hand_off(
        &self,
        result: io::Result<PipeEnd>,
        handoff: Option<(u64, PipeEnd)>,
    ) -> io::Result<PipeEnd> {
        match (handoff, &self.serve) {
            (Some((n, server)), Some(serve)) => serve.serve(n, server).and(result),
            _ => result,
        }
    }

    /// A connect future is dropped: it leaves the line.
    pub(super) fn forget_connect(&self, at: &mut ConnectState) {
        if at.ticket.is_some() || at.slot.is_some() {
            self.update(|state, wake| {
                state.connects.remove(&mut at.slot);
                state.leave_line(&mut at.ticket, wake);
            });
        }
    }

    /// `connect_blocking`: waits on the condition variable until the connect
    /// finishes or its deadline passes.
    pub(super) fn connect_blocking(&self) -> io::Result<PipeEnd> {
        if let Some(delay) = self.begin_connect()? {
            // A blocking call runs on the wall clock.
            std::thread::sleep(delay);
        }
        let mut at = ConnectState::default();
        let mut wake = Wake::default();
        let mut state = self.lock();
        loop {
            if let Some(result) = state.connect(&mut at, &Clock::Wall, None, &mut wake, self) {
                let handoff = state.handoff.take();
                drop(state);
                self.wake(wake);
                return self.hand_off(result, handoff);
            }
            let deadline = at.deadline.expect("set by the first attempt");
            let left = deadline.on_wall().saturating_duration_since(Instant::now());
            state.blocked_connects += 1;
            state = self
                .room
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.blocked_connects -= 1;
        }
    }

    // ---- the ends of the listener and of the connectors ----

    pub(super) fn add_connector(&self) {
        self.lock().connectors += 1;
    }

    /// A connector is dropped; the last one ends waiting accepts.
    pub(super) fn drop_connector(&self) {
        self.update(|state, wake| {
            state.connectors -= 1;
            wake.accepts = state.connectors == 0;
        });
    }

    /// The listener is dropped: later and waiting connects are refused, and
    /// the queued connections are reset (their clients' reads fail with
    /// `ConnectionReset`).
    pub(super) fn close(&self) {
        let queued = self.update(|state, wake| {
            state.listening = false;
            wake.connects = true;
            std::mem::take(&mut state.queue)
        });
        for server in queued {
            // Never fails: the `Result` mirrors the other control calls.
            let _ = server.close_with_error(ErrorKind::ConnectionReset);
        }
    }

    pub(super) fn debug(&self, f: &mut fmt::Formatter<'_>, ty: &str) -> fmt::Result {
        let state = self.lock();
        let mut d = f.debug_struct(ty);
        d.field("name", &self.name())
            .field("capacity", &self.blueprint.capacity())
            .field("backlog", &state.backlog)
            .field("connect_timeout", &state.connect_timeout)
            .field("queued", &state.queue.len())
            .field("waiting", &state.line.len())
            .field("connections", &state.made)
            .field("listening", &state.listening)
            .field("connectors", &state.connectors);
        if state.record {
            d.field("tapes", &state.tapes.len());
        }
        if state.refuse > 0 {
            d.field("refuse_next", &state.refuse);
        }
        if let Some(delay) = state.connect_delay {
            d.field("connect_delay", &delay);
        }
        drop(state);
        if let Some(serve) = &self.serve {
            serve.debug(&mut d);
        }
        d.finish()
    }

    // ---- errors ----

    fn error(&self, kind: ErrorKind, what: fmt::Arguments<'_>) -> io::Error {
        io::Error::new(kind, format!("pipetap listener {:?}: {what}", self.name()))
    }
}

impl State {
    fn accept(
        &mut self,
        slot: &mut Option<u64>,
        waker: Option<&Waker>,
        wake: &mut Wake,
        hub: &Hub,
    ) -> Option<io::Result<PipeEnd>> {
        if let Some(server) = self.queue.pop_front() {
            self.accepts.remove(slot);
            // A place is free: the first connect in line may take it.
            wake.connects = !self.line.is_empty();
            return Some(Ok(server));
        }
        if self.connectors == 0 {
            self.accepts.remove(slot);
            return Some(Err(hub.error(
                ErrorKind::NotConnected,
                format_args!("accept failed: every Connector is gone and no connection is queued"),
            )));
        }
        if let Some(waker) = waker {
            self.accepts.register(slot, waker);
        }
        None
    }

    fn connect(
        &mut self,
        at: &mut ConnectState,
        clock: &Clock,
        waker: Option<&Waker>,
        wake: &mut Wake,
        hub: &Hub,
    ) -> Option<io::Result<PipeEnd>> {
        let now = clock.now();
        let deadline = *at
            .deadline
            .get_or_insert_with(|| now.checked_add(self.connect_timeout).unwrap_or(far(now)));
        let result = if !self.listening {
            Err(hub.error(
                ErrorKind::ConnectionRefused,
                format_args!("connection refused: the Listener is gone"),
            ))
        } else if self.queue.len() < self.backlog && self.line.is_first(at.ticket, &now) {
            Ok(self.enqueue(hub, wake))
        } else if now.reached(&deadline) {
            Err(hub.error(
                ErrorKind::TimedOut,
                format_args!(
                    "connect timed out after {:?} (connect_timeout): the backlog of {} \
                     connections stayed full, no accept took one",
                    self.connect_timeout, self.backlog
                ),
            ))
        } else {
            self.line.join(&mut at.ticket, deadline);
            if let Some(waker) = waker {
                self.connects.register(&mut at.slot, waker);
            }
            return None;
        };
        self.connects.remove(&mut at.slot);
        self.leave_line(&mut at.ticket, wake);
        Some(result)
    }

    /// Makes the next connection: its server end joins the queue (waking
    /// accepts), its client end is returned.
    fn enqueue(&mut self, hub: &Hub, wake: &mut Wake) -> PipeEnd {
        self.made += 1;
        let tape = self.record.then(|| {
            let made = self.made;
            let tape =
                Tape::with_label(Some(hub.blueprint.label(made)), hub.blueprint.origin(made));
            self.tapes.push((self.made, tape.clone()));
            tape
        });
        let (client, server) = hub.blueprint.connection(self.made, tape);
        self.links.extend(client.link());
        if hub.serve.is_some() {
            self.handoff = Some((self.made, server));
            return client;
        }
        self.queue.push_back(server);
        wake.accepts = self.accepts.len() > 0 || self.blocked_accepts > 0;
        client
    }

    /// A connect in line (if `ticket` is set) leaves it. If it was first, the
    /// next one may now take a free place.
    fn leave_line(&mut self, ticket: &mut Option<u64>, wake: &mut Wake) {
        if self.line.leave(ticket) {
            wake.connects |= !self.line.is_empty() && self.queue.len() < self.backlog;
        }
    }
}

/// A deadline so far away it never comes (`connect_timeout(Duration::MAX)`).
fn far(now: Deadline) -> Deadline {
    now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600))
        .expect("pipetap: a connect deadline 100 years away overflows Instant")
}
