//! Bounded runners for tests: [`within`] (a closure, on a thread of its
//! own) and [`within_async`] (a future, on any executor). When the code under
//! test runs out of time they fail with a [`HangReport`]: who waits on what,
//! in every live pipe and tape.
//!
//! - [`snapshot`]: the plain data a report shows;
//! - [`registry`]: the live pipes and tapes, registered once at creation;
//! - [`report`]: [`HangReport`], taking and laying out the snapshots;
//! - [`future`]: the async runner.

mod future;
pub(crate) mod registry;
mod report;
pub(crate) mod snapshot;
pub(crate) mod watch;

pub use future::{try_within_async, within_async, TryWithin, Within};
pub use report::HangReport;

use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use report::{current_thread, Cause};

/// Runs `f` on a thread of its own and returns what it returns, or fails
/// with a [`HangReport`] of every live pipe and tape if it has not finished
/// within `limit`.
///
/// The thread gets the caller's name (under `cargo test`, the test's), so
/// the pipes and tapes `f` creates are listed first in the report, with
/// those the caller created.
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
/// use std::time::Duration;
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
/// use std::time::Duration;
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
    match run(limit, f, Location::caller()) {
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
/// use std::time::Duration;
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
    run(limit, f, Location::caller())
}

fn run<T, F>(limit: Duration, f: F, site: &'static Location<'static>) -> Result<T, HangReport>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _watch = watch::Watch::start();
    let name = current_thread();
    let (done, outcome) = mpsc::sync_channel(1);
    let mut builder = thread::Builder::new();
    if let Some(name) = &name {
        builder = builder.name(name.to_string());
    }
    let handle = builder
        .spawn(move || {
            let _ = done.send(panic::catch_unwind(AssertUnwindSafe(f)));
        })
        .expect("pipetap::within: cannot spawn the thread that runs the closure");
    match outcome.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = handle.join();
            Ok(value)
        }
        Ok(Err(payload)) => {
            let _ = handle.join();
            panic::resume_unwind(payload)
        }
        Err(RecvTimeoutError::Timeout) => Err(HangReport::take(Cause::Closure(limit), site, name)),
        // The thread always sends before it ends; should it ever end
        // without sending, its own panic is the best explanation.
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("pipetap::within: the closure's thread ended without a result"),
        },
    }
}
