//! The live faults of one direction (API.md section 7): `hold`, `hold_for`,
//! latency, bandwidth and `cut_after`, and what they do to the bytes in the
//! ring. A direction that never had one has no [`Faults`] at all (the
//! channel's `Option<Box<Faults>>` is `None`), so a plain pipe pays one
//! pointer per direction and nothing on its reads and writes.
//!
//! The ring keeps every byte written and not yet read, in order. Its front
//! part has *arrived* (the reader may take it unless the direction is held);
//! the rest is in flight, described by [`Flight`]s, one per write (or per run
//! of writes due at the same time): when its first byte arrives and, under a
//! bandwidth limit, how fast the rest follows. Bytes never overtake each
//! other: a flight arrives only after the one before it.

use std::collections::VecDeque;
use std::fmt;
use std::io::ErrorKind;
use std::task::Waker;
use std::time::Duration;

use crate::clock::{Alarm, Clock, Deadline};

/// What the peer sees once a direction cut by
/// [`PipeEnd::cut_after`](crate::PipeEnd::cut_after) has carried its bytes.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
/// use pipetap::Cut;
///
/// let (mut a, mut b) = pipetap::pipe();
/// a.cut_after(3, Cut::Reset)?;
/// assert_eq!(a.write(b"hello")?, 3);                        // short: up to the cut
/// assert_eq!(a.write(b"lo").unwrap_err().kind(), ErrorKind::BrokenPipe);
/// let mut buf = [0; 8];
/// assert_eq!(b.read(&mut buf)?, 3);
/// assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::ConnectionReset);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cut {
    /// An orderly end: the peer reads `Ok(0)`, as after `shutdown(Write)`.
    /// The other direction is not touched.
    Eof,
    /// A reset: the peer's reads fail with `ConnectionReset`, and the other
    /// direction closes too, as [`PipeEnd::close_with_error`](crate::PipeEnd::close_with_error) does.
    Reset,
    /// As [`Reset`](Cut::Reset), with this error kind instead.
    Error(ErrorKind),
}

impl Cut {
    /// The error the peer reads, `None` for end-of-stream.
    pub(crate) fn error_kind(self) -> Option<ErrorKind> {
        match self {
            Cut::Eof => None,
            Cut::Reset => Some(ErrorKind::ConnectionReset),
            Cut::Error(kind) => Some(kind),
        }
    }
}

impl fmt::Display for Cut {
    /// `end-of-stream`, `reset`, or the error kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cut::Eof => f.write_str("end-of-stream"),
            Cut::Reset => f.write_str("reset"),
            Cut::Error(kind) => write!(f, "{kind:?}"),
        }
    }
}

/// The knobs a builder gives every direction of the pipes it builds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FaultConfig {
    pub(crate) held: bool,
    pub(crate) latency: Option<Duration>,
    pub(crate) bandwidth: Option<u64>,
    pub(crate) cut: Option<(usize, Cut)>,
}

impl FaultConfig {
    /// Nothing that [`Faults::from_config`] would set.
    pub(crate) fn is_off(&self) -> bool {
        !self.held && self.latency.is_none() && self.bandwidth.is_none()
    }
}

/// One run of bytes on its way: the first arrives at `start`; under a
/// bandwidth limit the rest follow in slices of 1 ms.
#[derive(Debug)]
struct Flight {
    start: Deadline,
    total: usize,
    arrived: usize,
    rate: Option<u64>,
}

/// The length of one bandwidth slice.
const SLICE: Duration = Duration::from_millis(1);

impl Flight {
    /// Bytes of this flight that have arrived by `now`.
    fn arrived_by(&self, now: &Deadline) -> usize {
        let Some(elapsed) = now.since(&self.start) else {
            return 0;
        };
        match self.rate {
            None => self.total,
            Some(rate) => {
                let slices = elapsed.as_nanos() / SLICE.as_nanos() + 1;
                let bytes = slices.saturating_mul(u128::from(rate)) / 1000;
                usize::try_from(bytes).map_or(self.total, |b| b.min(self.total))
            }
        }
    }

    /// When the next byte of this flight arrives.
    fn next_due(&self) -> Deadline {
        match self.rate {
            None => self.start,
            Some(rate) => {
                // The first slice k with (k + 1) * rate / 1000 > arrived.
                let want = (self.arrived as u128 + 1) * 1000;
                let k = want.div_ceil(u128::from(rate.max(1))).saturating_sub(1);
                let nanos = k.saturating_mul(SLICE.as_nanos());
                later(&self.start, duration_from_nanos(nanos))
            }
        }
    }
}

/// `d` after `at`, or `at` itself if that cannot be represented (never
/// for the durations `duration_from_nanos` gives).
fn later(at: &Deadline, d: Duration) -> Deadline {
    at.checked_add(d).unwrap_or(*at)
}

/// The later of two moments.
fn latest(a: Deadline, b: Deadline) -> Deadline {
    if a.reached(&b) {
        a
    } else {
        b
    }
}

fn duration_from_nanos(nanos: u128) -> Duration {
    const NANOS: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS).unwrap_or(u64::MAX / 2);
    // Far enough to never come, without overflowing an `Instant`.
    Duration::new(secs.min(100 * 365 * 24 * 3600), (nanos % NANOS) as u32)
}

/// How long `bytes` take at `rate` bytes per second.
fn transfer_time(bytes: usize, rate: u64) -> Duration {
    duration_from_nanos((bytes as u128 * 1_000_000_000) / u128::from(rate.max(1)))
}

/// Has `waker` woken at `at` on `clock`, keeping the wake-up in `slot`,
/// unless `slot` already holds one for that time and the task is not `fresh`.
fn arm(
    slot: &mut Option<(Deadline, Alarm)>,
    clock: &Clock,
    at: Deadline,
    waker: &Waker,
    fresh: bool,
) {
    if fresh || !slot.as_ref().is_some_and(|(armed, _)| *armed == at) {
        *slot = Some((at, clock.wake_at(&at, waker.clone())));
    }
}

/// The live faults of one direction and the bytes they keep in flight.
#[derive(Default)]
pub(crate) struct Faults {
    /// `hold`: nothing is delivered.
    held: bool,
    /// `hold_for`: when the hold ends (shown in `Debug`).
    hold_until: Option<Deadline>,
    /// `hold_for`'s wake-up (dropping it cancels it on a paused clock).
    hold_alarm: Option<Alarm>,
    /// Counts holds and releases, so that a `hold_for` timer releases only
    /// the hold it started.
    hold_gen: u64,
    latency: Option<Duration>,
    bandwidth: Option<u64>,
    /// Bandwidth: when everything written so far has been sent.
    pace_free: Option<Deadline>,
    flights: VecDeque<Flight>,
    /// Bytes in the ring that have not arrived yet (the sum over `flights`).
    in_flight: usize,
    /// `cut_after`: bytes this direction still carries, and what follows.
    cut: Option<(usize, Cut)>,
    /// The cut has happened (for messages).
    cut_done: Option<(usize, Cut)>,
    /// Woken when a `Reset` or `Error` cut happens: it closes the other
    /// direction (which this one cannot reach).
    on_cut: Option<Waker>,
    /// Capacity 0: when the write now waiting for its hand-over started.
    handover_since: Option<Deadline>,
    /// Capacity 0: the time the waiting write was last told to wait for.
    handover_at: Option<Deadline>,
    /// The time the reader's task was last asked to be woken at, and the
    /// wake-up.
    read_alarm: Option<(Deadline, Alarm)>,
    /// The same for the writer's task.
    write_alarm: Option<(Deadline, Alarm)>,
}

impl Faults {
    /// A direction's faults from a builder's settings, but its cut, which
    /// the pipe sets once both directions exist (a reset closes both).
    pub(crate) fn from_config(config: &FaultConfig) -> Faults {
        Faults {
            held: config.held,
            latency: config.latency.filter(|d| !d.is_zero()),
            bandwidth: config.bandwidth,
            ..Faults::default()
        }
    }

    // ---- the knobs ----

    /// `hold` (`until: None`) or `hold_for`: returns the hold's number, which
    /// a `hold_for` timer hands back to [`release_hold`](Self::release_hold).
    pub(crate) fn hold(&mut self, until: Option<Deadline>) -> u64 {
        self.held = true;
        self.hold_until = until;
        self.hold_alarm = None;
        self.hold_gen += 1;
        self.hold_gen
    }

    /// Keeps hold `gen`'s wake-up, if that hold is still on.
    pub(crate) fn keep_hold_alarm(&mut self, gen: u64, alarm: Alarm) {
        if self.held && self.hold_gen == gen {
            self.hold_alarm = Some(alarm);
        }
    }

    /// `release`: ends any hold.
    pub(crate) fn release(&mut self) {
        self.held = false;
        self.hold_until = None;
        self.hold_alarm = None;
        self.hold_gen += 1;
    }

    /// A `hold_for` timer fired: ends the hold if it is still hold `gen`.
    pub(crate) fn release_hold(&mut self, gen: u64) -> bool {
        if self.held && self.hold_gen == gen {
            self.release();
            true
        } else {
            false
        }
    }

    pub(crate) fn set_latency(&mut self, latency: Option<Duration>) {
        self.latency = latency.filter(|d| !d.is_zero());
    }

    pub(crate) fn set_bandwidth(&mut self, bandwidth: Option<u64>) {
        self.bandwidth = bandwidth;
        if bandwidth.is_none() {
            self.pace_free = None;
        }
    }

    /// `cut_after`: `n` more bytes, then `how`. A waker to close the other
    /// direction comes with a `Reset` or `Error` cut.
    pub(crate) fn set_cut(&mut self, n: usize, how: Cut, on_cut: Option<Waker>) {
        self.cut = Some((n, how));
        self.on_cut = on_cut;
    }

    // ---- what the channel asks ----

    /// Reads must take the general path: something is held or in flight.
    pub(crate) fn gates_reads(&self) -> bool {
        self.held || self.in_flight > 0
    }

    /// Writes must take the general path: a write is timed, paced or counted.
    pub(crate) fn gates_writes(&self) -> bool {
        self.held || self.latency.is_some() || self.bandwidth.is_some() || self.cut.is_some()
    }

    /// Whether the direction is held.
    pub(crate) fn is_held(&self) -> bool {
        self.held
    }

    /// Whether a write must read the clock: it is timed or paced.
    pub(crate) fn is_timed(&self) -> bool {
        self.latency.is_some() || self.bandwidth.is_some()
    }

    /// Whether anything is held, in flight, or due to change by itself: for
    /// the deadlock verdict, a direction like this may still deliver.
    pub(crate) fn is_pending(&self) -> bool {
        self.held || self.in_flight > 0 || self.handover_since.is_some()
    }

    /// How many bytes of the `buffered` ones the reader may take at `now`.
    /// `now` is read only when something is in flight.
    pub(crate) fn readable(&mut self, buffered: usize, now: impl FnOnce() -> Deadline) -> usize {
        if self.in_flight > 0 {
            self.advance(&now());
        }
        if self.held {
            0
        } else {
            buffered - self.in_flight
        }
    }

    /// Moves the flights that have arrived by `now` out of flight.
    fn advance(&mut self, now: &Deadline) {
        while let Some(front) = self.flights.front_mut() {
            let arrived = front.arrived_by(now);
            self.in_flight -= arrived - front.arrived;
            front.arrived = arrived;
            if arrived < front.total {
                break;
            }
            self.flights.pop_front();
        }
    }

    /// When more bytes arrive, if any are in flight.
    pub(crate) fn next_arrival(&self) -> Option<Deadline> {
        self.flights.front().map(Flight::next_due)
    }

    /// A reader's task waits until `at` on `clock`: has it woken then,
    /// unless it (`fresh` says it is not a new task) already is.
    pub(crate) fn arm_read(&mut self, clock: &Clock, at: Deadline, waker: &Waker, fresh: bool) {
        arm(&mut self.read_alarm, clock, at, waker, fresh);
    }

    /// As [`arm_read`](Self::arm_read), for a waiting writer.
    pub(crate) fn arm_write(&mut self, clock: &Clock, at: Deadline, waker: &Waker, fresh: bool) {
        arm(&mut self.write_alarm, clock, at, waker, fresh);
    }

    /// Capacity 0: when the waiting write may hand over, if its last
    /// attempt was told to wait.
    pub(crate) fn handover_due(&self) -> Option<Deadline> {
        self.handover_at
    }

    /// The most bytes a write may move now, `limit` at most: up to the cut.
    pub(crate) fn write_limit(&self, limit: usize) -> usize {
        match self.cut {
            Some((left, _)) => limit.min(left),
            None => limit,
        }
    }

    /// Capacity 0: the time before which the waiting write may not hand its
    /// bytes over (`now` is the clock of its call), or `None` if it may now.
    /// A held direction hands nothing over at all (see the channel).
    pub(crate) fn handover_wait(&mut self, now: Deadline) -> Option<Deadline> {
        let mut not_before = None;
        if let Some(latency) = self.latency {
            let since = *self.handover_since.get_or_insert(now);
            not_before = Some(later(&since, latency));
        }
        if let Some(free) = self.pace_free {
            not_before = Some(not_before.map_or(free, |t| latest(t, free)));
        }
        self.handover_at = not_before.filter(|t| !now.reached(t));
        self.handover_at
    }

    /// Capacity 0 under a bandwidth limit: one hand-over moves at most one
    /// slice's worth of bytes.
    pub(crate) fn handover_limit(&self, limit: usize) -> usize {
        match self.bandwidth {
            Some(rate) => limit.min(usize::try_from(rate / 1000).unwrap_or(usize::MAX).max(1)),
            None => limit,
        }
    }

    /// A write of `n` bytes went into the ring at `now`: with capacity, they
    /// fly (latency, bandwidth); with none, they were handed over and the
    /// pace is kept. Returns the cut that happens now, if the write reached
    /// it.
    pub(crate) fn wrote(
        &mut self,
        n: usize,
        now: Option<Deadline>,
        rendezvous: bool,
    ) -> Option<Cut> {
        if let Some(now) = now {
            let send = match (self.bandwidth, self.pace_free) {
                (Some(_), Some(free)) => latest(now, free),
                _ => now,
            };
            if let Some(rate) = self.bandwidth {
                self.pace_free = Some(later(&send, transfer_time(n, rate)));
            }
            if rendezvous {
                self.handover_since = None;
                self.handover_at = None;
            } else {
                self.fly(n, later(&send, self.latency.unwrap_or_default()));
            }
        }
        let (left, how) = self.cut.as_mut()?;
        *left -= n;
        if *left > 0 {
            return None;
        }
        let how = *how;
        self.cut_done = self.cut.take().map(|(_, how)| (0, how));
        Some(how)
    }

    /// `n` bytes start to arrive at `start`.
    fn fly(&mut self, n: usize, start: Deadline) {
        if n == 0 {
            return;
        }
        let rate = self.bandwidth;
        self.in_flight += n;
        if let Some(back) = self.flights.back_mut() {
            if rate.is_none() && back.rate.is_none() && back.start.reached(&start) {
                // Due no later than the run before it: it arrives with it.
                back.total += n;
                return;
            }
        }
        self.flights.push_back(Flight {
            start,
            total: n,
            arrived: 0,
            rate,
        });
    }

    /// Cut with nothing left to carry (`cut_after(0, ..)`): the cut happens
    /// at once. Returns it.
    pub(crate) fn cut_now(&mut self) -> Option<Cut> {
        match self.cut {
            Some((0, how)) => {
                self.cut = None;
                self.cut_done = Some((0, how));
                Some(how)
            }
            _ => None,
        }
    }

    /// The waker that closes the other direction after a `Reset` cut.
    pub(crate) fn take_on_cut(&mut self) -> Option<Waker> {
        self.on_cut.take()
    }

    /// Whether this direction's end came from a cut (for messages).
    pub(crate) fn was_cut(&self) -> bool {
        self.cut_done.is_some()
    }

    /// The reader's side dropped every buffered byte: nothing is in flight.
    pub(crate) fn clear(&mut self) {
        self.flights.clear();
        self.in_flight = 0;
        self.handover_since = None;
        self.handover_at = None;
        self.read_alarm = None;
        self.write_alarm = None;
    }

    /// The knobs in words, for `Debug` and hang reports: `held`,
    /// `latency 20ms`, `bandwidth 1000 B/s`, `cut after 1000 B, then reset`.
    pub(crate) fn describe(&self) -> Vec<String> {
        let mut knobs = Vec::new();
        match (self.held, self.hold_until) {
            (true, Some(until)) => {
                knobs.push(format!("held for {:?} more", until.clock().until(&until)))
            }
            (true, None) => knobs.push("held".into()),
            _ => {}
        }
        if let Some(d) = self.latency {
            knobs.push(format!("latency {d:?}"));
        }
        if let Some(b) = self.bandwidth {
            knobs.push(format!("bandwidth {b} B/s"));
        }
        if self.in_flight > 0 {
            knobs.push(format!("{} B in flight", self.in_flight));
        }
        if let Some((left, how)) = self.cut {
            knobs.push(format!("cut after {left} B, then {how}"));
        }
        if let Some((_, how)) = self.cut_done {
            knobs.push(format!("cut ({how})"));
        }
        knobs
    }
}
