//! Scripted peers: the other end of a connection, without writing it.
//!
//! A [`Script`] is a list of steps written from the side of the code under
//! test (what it will read, what it must write); [`Script::build`] starts a
//! peer that follows them over a pipe and hands back the code's
//! [`PipeEnd`](crate::PipeEnd) and a [`ScriptPeer`] that checks the script
//! ran to its end.
//!
//! # How the peer runs, and why
//!
//! The peer is a thread of its own that drives its end of the pipe through
//! the pipe's poll-level calls, both directions in one loop, and parks on a
//! thread waker until either direction can move. So:
//!
//! - **It never deadlocks the code under test.** While it sends a `read`
//!   step's bytes the code may be writing early bytes; the peer reads and
//!   matches them in the same loop, so neither side waits for the other to
//!   finish first (a peer driven only from the code's own calls, as
//!   `tokio_test::io`'s mock is, cannot serve a direction nobody polls).
//! - **It works with any door and any runtime, or none.** The peer needs no
//!   executor, so the code under test may block, run on
//!   `futures::executor`, or on a tokio current-thread or multi-thread
//!   runtime; it may split its end into halves used from two tasks or
//!   threads (tokio-test's #7445 deadlock cannot happen: each half is an
//!   ordinary pipe half with its own waker).
//! - **Its cost is one thread per script**, started by `build` and stopped
//!   when the script is finished; a step costs no allocation.
//!
//! # Never hang, always explain
//!
//! The first written byte that differs from a `write` step, any byte written
//! after the last step that takes writes, or a step that can no longer be
//! met (the code closed its side while a step still needed it) fails the
//! script at once: the peer resets the connection, so the code's reads fail
//! with `ConnectionReset` and its writes with `BrokenPipe`, instead of
//! hanging. Those errors carry the verdict in one line (the script, the
//! step and its kind, the offset, short excerpts of what was expected and
//! what came), so a test that unwraps the client's result first fails with
//! it; the full error is behind them ([`ScriptError::from_io_error`]). A
//! `ScriptPeer` dropped while its thread panics prints its verdict to the
//! test's output instead of panicking again. [`ScriptPeer::finish`] waits (5 s by default, or
//! [`finish_within`](ScriptPeer::finish_within)) and then panics with a
//! [`ScriptError`] that names the script, the step ("step 2 of 5") and its
//! kind, the offsets within the step and within all bytes written, and the
//! hex + ASCII diff of the tape assertions. A script stalled on a step says
//! which step, what it expected and what arrived so far. A hang report
//! ([`within`](crate::within)) lists every live script with the step it is
//! on, next to its pipe (named after the script, with ends `code` and
//! `script`).
//!
//! # Steps are a plan, not a lock-step
//!
//! Bytes the code writes early, while the peer is still on a `read` or
//! `wait` step, are matched at once against the next `write` steps, as
//! `tokio_test::io` does. A `read` step is done once the code has read all
//! of its bytes, so a `read_error` fires on the read after them. After the
//! last step the peer shuts its write side (the code reads end-of-stream).
//!
//! # Time
//!
//! A `wait` step ends on the clock of the place the script was built in, and
//! the peer holds a paused tokio clock back while it has work in hand, so a
//! longer timeout in the code under test never fires before the reply and a
//! shorter one always does: see [Time](crate#time) in the crate docs, which
//! describes pipetap's one clock. A first step's wait starts in `build`, and
//! a wait that follows a `read` step as the peer sends that step's bytes;
//! any other wait starts when the peer reaches it. The bounds of
//! [`finish`](ScriptPeer::finish) and [`finished`](ScriptPeer::finished) are
//! on the wall clock.
//!
//! # Holes: what changes from run to run
//!
//! [`write_template`](Script::write_template),
//! [`read_template`](Script::read_template), [`write_any`](Script::write_any),
//! [`respond`](Script::respond) and [`bind`](Script::bind) replay protocols
//! whose bytes do not repeat: a request id carried into the reply, a
//! websocket frame's random mask, a nonce answered by a proof computed from
//! it, a client's version number. A tape file (format version 2) holds the
//! same holes, marked with [`Tape::redact`](crate::Tape::redact) and
//! [`Tape::holes_by`](crate::Tape::holes_by). See the recipe
//! [Replaying real protocols](crate::recipes#replaying-real-protocols).
//!
//! # What a script cannot replay
//!
//! A peer that must compute with keys it does not have: a TLS handshake's
//! answers cannot be forged, even by [`respond`](Script::respond). For
//! those, run the real peer (or a small live fake) over a pipe, record the
//! code's side with [`RecordExt::record`](crate::RecordExt::record), and
//! assert on the parts that are fixed
//! ([`Tape::assert_matches_file`](crate::Tape::assert_matches_file), whose
//! files may hold holes, [`Tape::wait_for`](crate::Tape::wait_for) and
//! [`Tape::assert_written`](crate::Tape::assert_written)). And a
//! `{{name}}` hole ends at the first occurrence of the byte after it, with
//! no backtracking: a value that may hold that byte needs a length
//! (`{{name:N}}`) or a bound value.

mod builder;
mod captures;
mod clock;
mod error;
mod faults;
mod live;
mod matcher;
mod peer;
mod resolve;
mod run;
mod stall;
mod state;
mod step;

pub use builder::Script;
pub use captures::Captures;
pub use error::{ScriptError, ScriptErrorKind};
pub use peer::{Finished, ScriptPeer, DEFAULT_FINISH_WITHIN};
