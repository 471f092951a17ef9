//! Helpers shared by the integration tests. Every test file declares
//! `mod support;` and uses what it needs:
//!
//! - [`door`]: the front doors (blocking, futures, tokio) and one poll of a
//!   call through any of them; [`door_async`]: the same calls as futures;
//!   [`conn`]: a value driven call by call through one door.
//! - [`watchdog`]: timeouts, so a deadlock fails fast instead of hanging.
//! - [`mock`]: the readers, writers and connections the tee and recording
//!   tests wrap.
//! - [`wakers`]: wakers that count or panic.
//! - [`script_door`]: a script test's body on one door's executor.
//! - [`alloc`]: the counting allocator of the zero-allocation tests.
//! - [`model`]: the reference model of a pipe (also the fuzz target's).
//! - [`temp`]: files in temporary folders removed on drop.

// Each test binary compiles all of this module but uses only part of it, so
// the rest would be reported as dead code in every binary.
#![allow(dead_code)]

pub mod alloc;
pub mod conn;
pub mod door;
pub mod door_async;
pub mod mock;
pub mod model;
pub mod script_door;
pub mod temp;
pub mod wakers;
pub mod watchdog;

// Shortcuts; like the helpers, unused in some binaries.
#[allow(unused_imports)]
pub use conn::Conn;
#[allow(unused_imports)]
pub use door::Door;
#[allow(unused_imports)]
pub use watchdog::{futures_watchdog, tokio_watchdog, wait_until, watchdog, watchdog_for};

/// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
pub fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// A proptest config with `default` cases, or `PROPTEST_CASES` for a longer
/// run.
pub fn proptest_config(default: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    proptest::test_runner::Config::with_cases(cases)
}
