//! Bounded runners for tests: [`within`] (a closure, on a thread of its
//! own) and [`within_async`] (a future, on any executor). When the code under
//! test runs out of time they fail with a [`HangReport`]: who waits on what,
//! in every live pipe and tape.
//!
//! - [`snapshot`]: the plain data a report shows;
//! - [`registry`]: the live pipes and tapes, registered once at creation;
//! - [`report`]: [`HangReport`], taking and laying out the snapshots;
//! - [`future`]: the async runner.

mod data;
mod future;
#[cfg(feature = "tokio")]
mod probe;
pub(crate) mod registry;
mod report;
pub(crate) mod snapshot;
mod verdict;
pub(crate) mod watch;

pub use data::{DirectionState, PipeState, TapeState, TapeWait, Waiters};
pub use future::{try_within_async, within_async, TryWithin, Within};
pub use report::HangReport;

use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use report::{current_thread, Cause};

/// Runs `f` on a thread of its own and returns what it returns, or fails
/// with a [`HangReport`] of every live pipe and tape if it has not finished
/// within `limit`.
///
/// The thread gets the caller's name (under `cargo test`, the test's), so
/// the pipes and tapes `f` creates are listed first in the report, with
/// those the caller created.
///
/// # Deadlocks are reported at once
///
/// When the closure's thread waits in a pipe that can never move again,
/// `within` does not wait for `limit`: it fails at once with a report that
/// starts `deadlock:` and says who waits on whom. The commonest case is two
/// sides that both read first (or both write into full buffers). The
/// verdict is given only when pipetap sees that nothing can change:
///
/// - the closure's own thread is asleep in a pipe call;
/// - every live side of each pipe involved (each end's reading and writing
///   side, unless shut or dropped) is held by such a wait: a thread asleep
///   in a call through an owned end or half (`&mut`), or a scripted peer
///   on a `write` step (it waits for the code to write). A wait through a
///   whole [`PipeEnd`](crate::PipeEnd) holds both of its sides; after
///   [`into_split`](crate::PipeEnd::into_split) each half needs a wait of
///   its own;
/// - each wait is one the others cannot satisfy: a read with nothing
///   buffered, a write with no room (a full buffer, or a rendezvous pipe
///   with no reader);
/// - nothing pending can change it: no deadline or per-call timeout on any
///   side, no held writes, no script on a `read` or `wait` step.
///
/// What it cannot see, it does not guess: a wait through a shared
/// `&PipeEnd`, `&ReadHalf` or `&WriteHalf` never counts (another thread may
/// hold the same reference), nor does a thread that holds an end but waits
/// elsewhere (a lock, a channel, a `join`), nor a closure that waits on
/// anything but a pipe (it may be joining the threads that are stuck).
/// Those run to `limit`, as before. Tasks count only in
/// [`within_async`] on a paused tokio clock. Pipes of other tests running
/// at the same time never take part. The state is read twice, and the
/// verdict holds only if no waiter moved in between. See [`HangReport`]
/// for the report as data ([`HangReport::is_deadlock`]).
///
/// ```
/// use std::io::Read;
/// use std::time::{Duration, Instant};
///
/// let (a, b) = pipetap::PipeBuilder::new().name("both-read-first").build();
/// let _peer = std::thread::spawn(move || {
///     let mut b = b;                       // owned: an exclusive wait
///     b.read(&mut [0; 8])
/// });
/// let started = Instant::now();
/// let report = pipetap::try_within(Duration::from_secs(60), move || {
///     let mut a = a;
///     a.read(&mut [0; 8])
/// })
/// .unwrap_err();
/// assert!(report.is_deadlock());
/// assert!(started.elapsed() < Duration::from_secs(6)); // not 60 s
/// // deadlock: pipetap::try_within(60s) at src/main.rs:9:14 stopped after 1ms of its bound: ...
/// //   thread `main` (the closure) reads end a of pipe "both-read-first" (nothing buffered)
/// //   and waits for b to write, which thread `<unnamed>` holds ...
/// ```
///
/// # A hang that is not a deadlock
///
/// A thread cannot be stopped from outside: when the time runs out the
/// report is taken and the thread is left running, detached, with whatever
/// it holds (its pipes stay alive, and show in later reports of the same
/// process under "on other threads"). It ends with the process, or on its
/// own if what it waits for ever happens. Use [`try_within`] for a `Result`
/// instead of a panic.
///
/// # Panics
///
/// - If `f` has not finished within `limit`: the message is the report,
///   and the panic points at the caller.
/// - If `f` panics: the panic is resumed on the caller's thread with its
///   payload (the hook has already printed it, for the thread of `f`).
/// - If the thread cannot be spawned.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::time::{Duration, Instant};
///
/// let (mut client, mut server) = pipetap::pipe();
/// let echoed = pipetap::within(Duration::from_secs(5), move || {
///     client.write_all(b"ping")?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf)?;
///     Ok::<_, std::io::Error>(buf)
/// })?;
/// assert_eq!(&echoed, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// A read that nobody will write to:
///
/// ```should_panic
/// use std::io::Read;
/// use std::time::{Duration, Instant};
///
/// let (mut client, _server) = pipetap::PipeBuilder::new().name("stuck").build();
/// let _ = pipetap::within(Duration::from_millis(50), move || client.read(&mut [0; 16]));
/// // panics with:
/// // pipetap::within(50ms) at src/main.rs:6:9: the closure did not finish in time
/// // 1 live pipe and 0 live tapes created on thread `main`
/// //
/// // pipe "stuck" (ends a, b; capacity 65536), created at src/main.rs:5:77 on thread `main`
/// //   a -> b: 0 bytes buffered, nobody waiting
/// //   b -> a: 0 bytes buffered
/// //     a reads: 1 thread waiting for 50ms
/// //     b writes: nobody waiting
/// ```
#[track_caller]
pub fn within<T, F>(limit: Duration, f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match run(limit, f, Location::caller(), "within") {
        Ok(value) => value,
        Err(report) => panic!("{report}"),
    }
}

/// [`within`], returning the [`HangReport`] as an error instead of
/// panicking when `f` has not finished within `limit`. The report converts
/// into an [`io::Error`](std::io::Error) of kind
/// [`TimedOut`](std::io::ErrorKind::TimedOut), so `?` works in a test that
/// returns `io::Result`.
///
/// # Errors
///
/// The report, if `f` has not finished within `limit`; its thread is left
/// running, detached, as [`within`] explains.
///
/// # Panics
///
/// If `f` panics (resumed on the caller's thread), or if the thread cannot
/// be spawned.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use std::time::{Duration, Instant};
///
/// let (mut client, _server) = pipetap::PipeBuilder::new().name("quiet").build();
/// let report = pipetap::try_within(Duration::from_millis(20), move || {
///     client.read(&mut [0; 16])
/// })
/// .unwrap_err();
/// let text = report.to_string();
/// assert!(text.contains(r#"pipe "quiet""#));
/// assert!(text.contains("a reads: 1 thread waiting for"));
/// ```
#[track_caller]
pub fn try_within<T, F>(limit: Duration, f: F) -> Result<T, HangReport>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    run(limit, f, Location::caller(), "try_within")
}

fn run<T, F>(
    limit: Duration,
    f: F,
    site: &'static Location<'static>,
    called: &'static str,
) -> Result<T, HangReport>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _watch = watch::Watch::start();
    let started = Instant::now();
    let name = current_thread();
    let (done, outcome) = mpsc::sync_channel(1);
    // The closure's pipes draw from the caller's seeds, as if it ran there.
    let seeds = crate::seed::current();
    let mut builder = thread::Builder::new();
    if let Some(name) = &name {
        builder = builder.name(name.to_string());
    }
    let handle = builder
        .spawn(move || {
            crate::seed::adopt(seeds);
            let _ = done.send(panic::catch_unwind(AssertUnwindSafe(f)));
        })
        .expect("pipetap::within: cannot spawn the thread that runs the closure");
    let closure = handle.thread().id();
    let deadline = started.checked_add(limit);
    // The verdict is looked for at growing intervals, soon after the start
    // (most deadlocks form at once) and then every [`LOOK_AT_MOST`].
    let mut look = LOOK_FIRST;
    let cause = Cause::Closure { limit, called };
    loop {
        let now = Instant::now();
        let left = deadline.map_or(LOOK_AT_MOST, |d| d.saturating_duration_since(now));
        match outcome.recv_timeout(look.min(left)) {
            Ok(Ok(value)) => {
                let _ = handle.join();
                return Ok(value);
            }
            Ok(Err(payload)) => {
                let _ = handle.join();
                panic::resume_unwind(payload)
            }
            Err(RecvTimeoutError::Timeout) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Err(HangReport::take(cause, site, name));
                }
                if let Some(deadlock) = verdict::find(&verdict::Bounded::Thread(closure)) {
                    let mut report = HangReport::take(cause, site, name);
                    report.set_deadlock(deadlock, started.elapsed());
                    return Err(report);
                }
                look = (look * 2).min(LOOK_AT_MOST);
            }
            // The thread always sends before it ends; should it ever end
            // without sending, its own panic is the best explanation.
            Err(RecvTimeoutError::Disconnected) => match handle.join() {
                Err(payload) => panic::resume_unwind(payload),
                Ok(()) => {
                    unreachable!("pipetap::within: the closure's thread ended without a result")
                }
            },
        }
    }
}

/// When [`within`] first looks for a deadlock.
const LOOK_FIRST: Duration = Duration::from_millis(1);
/// How long [`within`] waits at most between two looks for a deadlock.
const LOOK_AT_MOST: Duration = Duration::from_millis(50);
