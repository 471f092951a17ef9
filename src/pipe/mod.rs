//! The in-memory pipe. Dependencies run one way, down this list:
//!
//! - [`blocking`], `futures_io`, `tokio_io`: one thin file per front door;
//! - [`builder`], [`end`] and [`half`]: the public handles and their controls,
//!   each a call into a direction;
//! - [`direction`]: how calls wait (a task's waker, or a spin and a condvar);
//! - [`link`]: the live faults of a connection whose ends the test does not
//!   hold ([`Link`]), and the knob calls `PipeEnd` shares with it;
//! - [`channel`]: the state machine of one direction; every behaviour and
//!   setting lives here (reads, writes, close, deadlines and timeouts, fault
//!   knobs, `interleave_pending`, the rendezvous hand-off);
//! - [`faults`]: the live faults of one direction (hold, latency, bandwidth,
//!   cut) and the bytes they keep in flight, timed on [`crate::clock`];
//! - [`label`]: the names and error messages; [`call`]: which side a call is
//!   on and how it waits; `live`: what a hang report shows of a pipe;
//! - [`wake`]: wake-ups collected under the lock and delivered after it, and
//!   where threads sleep (deadlines are read and timed by
//!   [`crate::clock`]);
//! - [`ring`]: the byte storage;
//! - [`blueprint`]: a builder's settings kept to build a listener's
//!   connections; [`tap`]: records a listener connection's client end from
//!   inside it.

// Without an async door the poll-based entry points have no caller.
#![cfg_attr(not(any(feature = "futures", feature = "tokio")), allow(dead_code))]

mod blocking;
mod blueprint;
mod builder;
mod call;
mod channel;
mod chunking;
mod direction;
mod end;
mod end_faults;
mod faults;
#[cfg(feature = "futures")]
mod futures_io;
mod half;
mod label;
mod link;
#[cfg(not(loom))]
mod live;
#[cfg(not(loom))]
mod peer_hooks;
mod poll_call;
mod ring;
mod tap;
#[cfg(feature = "tokio")]
mod tokio_io;
mod wake;

pub(crate) use blueprint::Blueprint;
pub use builder::{pipe, PipeBuilder, DEFAULT_CAPACITY};
pub use chunking::Chunking;
pub use end::{PipeEnd, ReuniteError};
pub use faults::Cut;
pub use half::{ReadHalf, WriteHalf};
pub(crate) use label::Verdict;
pub use link::{Link, LinkDirection};
