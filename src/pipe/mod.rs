//! The in-memory pipe.
//!
//! - [`channel`]: the state machine of one direction (every behaviour lives here);
//! - [`direction`]: how calls wait on it (task wakers, or a spin and a condvar);
//! - [`wake`]: wake-ups delivered after the lock is released; [`timer`]: deadlines
//!   for pending async calls; [`ring`]: the byte storage;
//! - [`half`] and [`end`]: the public handles and their controls;
//! - one thin file per front door: [`blocking`], `futures_io`, `tokio_io`.

// Without an async door the poll-based entry points have no caller.
#![cfg_attr(not(any(feature = "futures", feature = "tokio")), allow(dead_code))]

mod blocking;
mod builder;
mod channel;
mod direction;
mod end;
#[cfg(feature = "futures")]
mod futures_io;
mod half;
mod ring;
mod timer;
#[cfg(feature = "tokio")]
mod tokio_io;
mod wake;

pub use builder::{pipe, PipeBuilder, DEFAULT_CAPACITY};
pub use end::PipeEnd;
pub use half::{ReadHalf, WriteHalf};
