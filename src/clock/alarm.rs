//! [`Alarm`]: a wake-up asked of a clock, cancelled when dropped where the
//! clock allows it.

/// A wake-up from [`Clock::wake_at`](super::Clock::wake_at). Dropping it
/// cancels a wake-up on a paused tokio clock (so a stale timer never makes
/// that clock jump ahead); the wall clock's timer cannot be cancelled and
/// may still wake its waker once.
#[derive(Debug)]
#[must_use = "dropping an alarm cancels it"]
pub(crate) struct Alarm {
    #[cfg(feature = "tokio")]
    task: Option<tokio::task::AbortHandle>,
}

impl Alarm {
    /// A wake-up on the wall clock's timer thread.
    pub(super) fn wall() -> Alarm {
        Alarm {
            #[cfg(feature = "tokio")]
            task: None,
        }
    }

    /// A wake-up by a task sleeping on a paused runtime's clock.
    #[cfg(feature = "tokio")]
    pub(super) fn paused(task: tokio::task::AbortHandle) -> Alarm {
        Alarm { task: Some(task) }
    }
}

#[cfg(feature = "tokio")]
impl Drop for Alarm {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
