//! Whether the calling thread runs inside a tokio runtime whose clock is
//! paused (the rule is in the [module docs](super)).

/// The handle of the runtime the calling thread is in, if its clock is
/// paused.
#[cfg(feature = "tokio")]
pub(super) fn paused_runtime() -> Option<tokio::runtime::Handle> {
    use tokio::runtime::{Handle, RuntimeFlavor};

    let handle = Handle::try_current().ok()?;
    if !matches!(handle.runtime_flavor(), RuntimeFlavor::CurrentThread) {
        return None;
    }
    paused_here().then_some(handle)
}

/// Rule 3: tokio's clock stands still while the wall clock moves.
#[cfg(feature = "tokio")]
fn paused_here() -> bool {
    let first = tokio::time::Instant::now();
    let wall = std::time::Instant::now();
    // The wall clock ticks in nanoseconds on Linux (a read takes longer),
    // in at most ~100 ns elsewhere: a few reads at most.
    while std::time::Instant::now() == wall {
        std::hint::spin_loop();
    }
    tokio::time::Instant::now() == first
}
