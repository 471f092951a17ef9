//! Running a test body on one front door's executor, for the script tests.

use std::future::Future;
use std::time::Duration;

use super::{futures_watchdog, tokio_watchdog, Door};

/// How long a test lets a script stall before it expects the error.
pub const SHORT: Duration = Duration::from_millis(300);

/// Runs `body` on `door`'s executor: tokio's current-thread runtime for the
/// tokio door, `futures::executor::block_on` for the futures door and for
/// blocking calls; under the watchdog. A door whose pipetap feature is off
/// is skipped.
pub fn on<F, Fut>(door: Door, body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    if !door.is_compiled() {
        return;
    }
    match door {
        Door::Tokio => tokio_watchdog(body),
        _ => futures_watchdog(body),
    }
}
