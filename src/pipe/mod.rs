//! The in-memory pipe: one core state machine per direction ([`channel`]),
//! the ends and their controls ([`end`]), and one thin file per front door.

// Without an async door the poll-based entry points have no caller.
#![cfg_attr(not(any(feature = "futures", feature = "tokio")), allow(dead_code))]

mod blocking;
mod builder;
mod channel;
mod end;
#[cfg(feature = "futures")]
mod futures_io;
mod ring;
mod timer;
#[cfg(feature = "tokio")]
mod tokio_io;

pub use builder::{pipe, PipeBuilder, DEFAULT_CAPACITY};
pub use end::{PipeEnd, ReadHalf, WriteHalf};
pub(crate) use ring::append_bytes;
