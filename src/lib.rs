//! In-memory connections and connection recording for tests.
//!
//! Wrap a connection, hand it to the code under test, then assert on exactly
//! what it sent: the Rust take on Go's `net.Pipe` plus an `io.MultiWriter`
//! copy of every write.
//!
//! ```
//! use std::io::{Read, Write};
//! use pipetap::RecordExt;
//!
//! let (client, mut server) = pipetap::pipe();     // in-memory, full duplex
//! let (mut conn, tape) = client.record();          // records what is written
//! conn.write_all(b"HELLO\r\n")?;                   // ... the code under test
//! let mut line = [0; 7];
//! server.read_exact(&mut line)?;                   // ... and its peer
//! tape.assert_written(b"HELLO\r\n");               // hex diff on mismatch
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! pipetap gives you three things:
//!
//! - [`pipe()`] and [`PipeBuilder`]: an in-memory, full-duplex connection
//!   whose [`PipeEnd`]s implement blocking `std::io::Read + Write`,
//!   `futures::io::AsyncRead + AsyncWrite` (feature `futures`, on by default)
//!   and `tokio::io::AsyncRead + AsyncWrite` (feature `tokio`), all on the same
//!   pipe: a blocking thread can talk to an async task. Buffered or rendezvous
//!   (capacity 0, like Go's `net.Pipe`), with half-close, Go-style deadlines
//!   that work without any runtime, std-style timeouts, and fault knobs
//!   (short reads and writes, spurious `Pending`, injected errors, resets).
//! - [`MultiWriter`] and [`TeeReader`]: Go's `io.MultiWriter` and
//!   `io.TeeReader`, with exact semantics for short writes and `Pending`.
//! - [`Recording`] and [`Tape`]: wrap *any* connection type (a `TcpStream`, a
//!   TLS stream, a mock, a [`PipeEnd`]) with [`RecordExt::record`]; every IO
//!   trait is delegated, written (and optionally read) bytes land on a tape
//!   that outlives the connection, and the tape's assertions print a hex +
//!   ASCII diff when the bytes differ.
//!
//! No async runtime is ever required. See the [`recipes`] for whole tests
//! (an HTTP client, a line protocol, a TLS-wrapped protocol, blocking code
//! against async code), and [`shaking_out_bugs`] for one example per fault
//! knob catching a real class of bug in the code under test.
//!
//! # Closing
//!
//! Each direction of a pipe closes on its own, as with a TCP socket:
//!
//! - `shutdown(Shutdown::Write)` (and `poll_close` / `poll_shutdown`): the
//!   peer reads what is buffered, then `Ok(0)`; this end's later writes fail
//!   with `BrokenPipe`.
//! - `shutdown(Shutdown::Read)`: this end's reads return `Ok(0)` (unread bytes
//!   are dropped); the peer's writes fail with `BrokenPipe`.
//! - [`PipeEnd::close`] (= `shutdown(Shutdown::Both)`) and dropping an end:
//!   both of the above. Every read or write blocked or pending on *either* end
//!   is woken at once, including a thread blocked on this same end through
//!   `&PipeEnd`.
//! - [`PipeEnd::close_with_error`]: like `close`, but once the peer has
//!   drained the buffer its reads fail with the given `ErrorKind` (for example
//!   `ConnectionReset`), every time. The first close wins.
//! - Dropping a [`WriteHalf`] shuts the write direction only; dropping a
//!   [`ReadHalf`] shuts the read direction; dropping both is dropping the end.
//! - `flush` always succeeds: a pipe holds nothing back.
//!
//! End-of-stream and broken pipe are sticky: once seen, they are seen again.
//!
//! # When a test hangs
//!
//! Run the code under test under [`within`] (a closure, on a thread of its
//! own) or [`within_async`] (a future, on any executor, no runtime needed).
//! If it has not finished in time, the test fails with a [`HangReport`]:
//! every live pipe with its bytes buffered per direction, who waits on each
//! side (a thread or a task) and for how long, its deadlines and knobs, and
//! every live tape with its last bytes and pending
//! [`wait_for`](Tape::wait_for)s. ([`try_within`] and [`try_within_async`]
//! return the report as an error instead; [`HangReport::capture`] takes one
//! at any time.)
//!
//! ```
//! use std::io::Read;
//! use std::time::Duration;
//!
//! let (mut client, _server) = pipetap::PipeBuilder::new().name("redis").build();
//! let report = pipetap::try_within(Duration::from_millis(50), move || {
//!     let mut reply = [0; 5];
//!     client.read_exact(&mut reply)                // the server never answers
//! })
//! .unwrap_err()
//! .to_string();
//! assert!(report.contains(r#"pipe "redis" (ends a, b; capacity 65536)"#));
//! assert!(report.contains("    a reads: 1 thread waiting for"));
//! ```
//!
//! # Time
//!
//! One clock serves everything in pipetap that models the network: pipe
//! deadlines ([`PipeEnd::set_read_deadline`] and its siblings),
//! [`Script::wait`], a bounded tape wait ([`WaitFor::within`]) and the
//! listener's [`connect_timeout`](Listener::connect_timeout). It is the wall
//! clock, except for an *async* call made inside a tokio runtime whose clock
//! is paused (feature `tokio`; `#[tokio::test(start_paused = true)]` or
//! `tokio::time::pause()`): that call runs on tokio's clock. So a client that
//! gives up after 30 s of silence fails after 30 s of tokio time and next to
//! no wall time, and `tokio::time::advance` moves every such timer.
//!
//! - **Deadlines keep their meaning.** A deadline is a `std::time::Instant`;
//!   set inside a paused runtime it falls `deadline - Instant::now()` after
//!   tokio's now, at the moment it is set, so a test written for the wall
//!   clock needs no change. A deadline set outside a paused runtime stays on
//!   the wall clock. Moving or clearing a deadline cancels its tokio timer.
//! - **Blocking calls stay on the wall clock**, wherever they run, and so do
//!   the hang guards: the bounds of [`within`], [`try_within`],
//!   [`within_async`], [`try_within_async`] and of every
//!   [`ScriptPeer::finish`]/[`finished`](ScriptPeer::finished) variant. A
//!   paused clock neither stretches nor shrinks them.
//! - **A runtime that is not paused** (and every multi-thread runtime, which
//!   tokio cannot pause) keeps the wall clock, as without tokio.
//! - **How "paused" is told.** tokio has no public query. A call is taken to
//!   run on a paused clock when it runs inside a current-thread runtime
//!   whose `tokio::time::Instant::now()` stands still while the wall clock
//!   moves (read twice, a tick of the wall clock apart). A running clock
//!   always moves with the wall clock, so it is never taken for paused. The
//!   test is made only where a timer is set or checked, never on a pipe call
//!   without one. The runtime needs its timer enabled (as `#[tokio::test]`
//!   does).
//! - **Scripted peers hold the clock.** A [`Script`] built inside a runtime
//!   whose clock is paused keeps that clock: its waits end on tokio's time
//!   (or the wall clock's, whichever comes first, so a blocked runtime never
//!   hangs a script). Its peer is a thread, which tokio cannot see, so the
//!   peer holds tokio's auto-advance back whenever it has work in hand (from
//!   the moment the code under test hands it bytes or room, or a wait ends,
//!   until what it sent is handed over). So a timeout in the code under test
//!   that is longer than the script's waits before the reply never fires
//!   first, and a shorter one always does (an equal one may go either way).
//!   A thread of your own playing the peer has no such hold: tokio may jump
//!   its clock while that thread works.
//!
//! ```
//! # #[cfg(feature = "tokio")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> std::io::Result<()> {
//! use std::io::ErrorKind;
//! use std::time::{Duration, Instant};
//! use tokio::io::AsyncReadExt;
//!
//! let (mut client, _server) = pipetap::pipe();
//! client.set_read_deadline(Some(Instant::now() + Duration::from_secs(30)))?;
//! let (wall, tokio_time) = (Instant::now(), tokio::time::Instant::now());
//! let err = client.read(&mut [0; 16]).await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::TimedOut);
//! assert!(tokio_time.elapsed() >= Duration::from_secs(30));
//! assert!(wall.elapsed() < Duration::from_secs(5));    // no 30 s of waiting
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! # Front doors on one type
//!
//! Because a [`PipeEnd`] implements the std, futures and tokio traits at once,
//! importing more than one of their extension traits in the same scope makes
//! method calls such as `read_to_end` ambiguous; call them as
//! `tokio::io::AsyncReadExt::read_to_end(&mut end, &mut buf)` or import only
//! the traits you use. [`PipeEnd::shutdown`] is std's `shutdown(how)`; the
//! async half-close is `AsyncWriteExt::shutdown` / `close`.
//!
//! # Features
//!
//! - `futures` (default): `futures::io::AsyncRead` / `AsyncWrite` /
//!   `AsyncBufRead` impls, through the small `futures-io` crate.
//! - `tokio`: `tokio::io::AsyncRead` / `AsyncWrite` / `AsyncBufRead` impls
//!   (tokio without any of its runtime features).
//!
//! - `axum`: the in-memory [`Listener`] is an `axum::serve::Listener` (axum
//!   0.8; implies `tokio`).
//! - `hyper`: the [`Connector`] and the [`Net`] are
//!   `tower_service::Service<http::Uri>`s, the connector of hyper-util's
//!   legacy `Client` and of tonic's `Endpoint::connect_with_connector`; the
//!   net routes by the URI's host and port (implies `tokio`).
//! - `tonic`: [`PipeEnd`] is tonic's `transport::server::Connected` (its
//!   `ConnectInfo` the [`PipeAddr`]), so tonic's
//!   `serve_with_incoming(listener)` takes a [`Listener`] as it is (tonic
//!   0.14, which needs Rust 1.88; implies `tokio` and `futures`).
//!
//! With neither `futures` nor `tokio` (nor the two that imply it), pipetap
//! pulls in no async crate at all.
//!
//! # Testing servers
//!
//! Servers are written around an accept loop. [`listen()`] (or
//! [`PipeBuilder::listen`], to give every connection the builder's capacity
//! and fault knobs) makes an in-memory [`Listener`] for that loop and a
//! [`Connector`] for the test's clients: no port, no socket, and every
//! connection a [`PipeEnd`] named `NAME#N`, with ends `client` and
//! `server`, and its [`PipeAddr`]. [`Listener::record_connections`] keeps one
//! [`Tape`] per connection, from the client's side, without wrapping
//! anything.
//!
//! ```
//! use std::io::{BufRead, BufReader, Write};
//!
//! // The server under test: a line-based echo, one thread per connection.
//! fn serve(listener: pipetap::Listener) {
//!     while let Ok(conn) = listener.accept_blocking() {   // ends with the connectors
//!         std::thread::spawn(move || {
//!             let mut lines = BufReader::new(&conn);
//!             let mut line = String::new();
//!             while lines.read_line(&mut line).unwrap_or(0) > 0 {
//!                 (&conn).write_all(line.to_uppercase().as_bytes()).unwrap();
//!                 line.clear();
//!             }
//!         });
//!     }
//! }
//!
//! let (listener, connector) = pipetap::PipeBuilder::new()
//!     .max_read_len(1)                 // the server's reads are all short
//!     .listen();
//! let listener = listener.record_connections();
//! let server = std::thread::spawn(move || serve(listener));
//!
//! for name in ["ann", "bob"] {
//!     let conn = connector.connect_blocking()?;
//!     (&conn).write_all(format!("hi {name}\n").as_bytes())?;
//!     let mut reply = String::new();
//!     BufReader::new(&conn).read_line(&mut reply)?;
//!     assert_eq!(reply, format!("HI {}\n", name.to_uppercase()));
//! }
//! let tapes = connector.tapes();              // in connect order
//! tapes[0].assert_written(b"hi ann\n");
//! tapes[1].assert_read(b"HI BOB\n");
//! drop(connector);                             // the accept loop ends
//! server.join().unwrap();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The rules a server author relies on, each with its `ErrorKind`, are in
//! [`listen()`]'s docs: connections are accepted in connect order; a
//! `connect` beyond the backlog waits for an `accept`, within
//! [`Listener::connect_timeout`] (`TimedOut`); dropping the listener resets
//! the queued connections (`ConnectionReset`) and refuses connects
//! (`ConnectionRefused`); once every connector is gone, `accept` fails with
//! `NotConnected` and the listener's stream ends, so the accept loop ends by
//! itself. Under `axum::serve` (feature `axum`), whose accept has no error
//! path, `with_graceful_shutdown` ends it. See the [`recipes`] for an axum
//! app called through hyper-util's client.
//!
//! Code that dials several services by address (a gateway and its
//! backends) runs against a [`Net`]: listeners at `host:port` addresses,
//! [`Net::connect`] by address (with `hyper`, by URL), and faults by
//! address ([`Net::down`] resets every connection to one and refuses
//! connects until [`Net::up`]).
//! # Scripted peers
//!
//! A [`Script`] plays the other end of the connection from a list of steps,
//! so a test of a client needs no hand-written fake server. Steps are written
//! from the side of the code under test: `read` is what it will read, `write`
//! what it must write. The peer runs on a thread of its own, so the code
//! under test may block, await on any executor, or split its end into
//! halves; a wrong byte fails the script at once (the code sees a reset, not
//! a hang) and [`ScriptPeer::finish`] names the script, the step and the
//! offset, with a hex diff. See [`script`] for the design, and [Time](#time)
//! for tokio's paused clock.
//!
//! ```
//! use std::io::{self, BufRead, BufReader, Write};
//! use pipetap::Script;
//!
//! /// Code under test: sends one mail command, returns the server's code.
//! fn helo(conn: impl io::Read + io::Write) -> io::Result<u16> {
//!     let mut conn = BufReader::new(conn);
//!     let mut line = String::new();
//!     conn.read_line(&mut line)?;                    // the greeting
//!     conn.get_mut().write_all(b"EHLO me\r\n")?;
//!     line.clear();
//!     conn.read_line(&mut line)?;
//!     line[..3].parse().map_err(|_| io::ErrorKind::InvalidData.into())
//! }
//!
//! let (conn, peer) = Script::new()
//!     .name("fake-smtp")
//!     .read(b"220 ready\r\n")
//!     .write(b"EHLO me\r\n")
//!     .read(b"250 ok\r\n")
//!     .build();
//! assert_eq!(helo(conn)?, 250);
//! peer.finish();                                     // every step ran
//! # Ok::<(), io::Error>(())
//! ```
//!
//! A recorded session becomes a script with [`Script::from_tape`] or, saved
//! as a file, [`Script::from_file`]: record once against the real server,
//! replay in every run without it. A client that dials (hyper-util's
//! `Client`, tonic, a pool) replays behind a connector:
//! [`Listener::save_tapes`] writes one file per recorded connection and
//! [`Connector::replay_dir`] (or [`Connector::scripted`]) serves the N-th
//! connection with the N-th script, checked by [`ScriptedPeers::finish`].
//! What the client randomises on every run
//! (a websocket client's frame mask, SCRAM, TLS) cannot be replayed; see
//! [`script`] for what to do instead.
//!
//! # Golden transcripts
//!
//! [`Tape::save`] writes a tape as a text file a reviewer can read in a
//! diff (`>` lines for what the recorded side wrote, `<` for what it read,
//! bytes escaped as in Rust strings, a version header), [`Tape::load`] reads
//! it back exactly, and [`Tape::assert_matches_file`] compares a tape with
//! one turn by turn, with a review step as insta's snapshots have: a
//! missing or different file fails with the diff and leaves the run's
//! transcript beside it as `FILE.new`; renaming it to `FILE` (or rerunning
//! with `PIPETAP_UPDATE=1`) accepts it, and the failure names every pending
//! `.new` file of the run. A passing test removes its stale `FILE.new`.
//! `PIPETAP_UPDATE=new` writes only missing files, `PIPETAP_UPDATE=1` (or
//! `always`) rewrites differing ones too (saying which, on the real
//! stderr); where `CI` is set nothing is ever written. Relative paths start
//! at the current directory, which `cargo test` sets to the crate root.
//!
//! ```
//! use std::io::{self, Read, Write};
//! use pipetap::RecordExt;
//!
//! # fn main() -> io::Result<()> {
//! let (client, mut server) = pipetap::pipe();
//! let (conn, tape) = client.record();
//! let mut conn = conn.record_reads();
//! conn.write_all(b"PING\r\n")?;                     // the code under test
//! server.read_exact(&mut [0; 6])?;                   // a live peer
//! server.write_all(b"+PONG\r\n")?;
//! conn.read_exact(&mut [0; 7])?;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("ping.tape");
//! # std::fs::write(&path, "pipetap-tape v1\n> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n")?;
//! // In a test: `tape.assert_matches_file("tests/tapes/ping.tape")`, the
//! // file accepted once from its `.new` (or written by
//! // `PIPETAP_UPDATE=1 cargo test`) and committed.
//! tape.assert_matches_file(&path);
//! assert_eq!(
//!     std::fs::read_to_string(&path)?,
//!     "pipetap-tape v1\n> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n",
//! );
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `pin_project!` munches one attribute per step; `TeeReader`'s long doc
// comment needs more than the default 128.
#![recursion_limit = "256"]

// The bytes of a write, and the one guarded copy every door uses.
mod copy;
mod source;
#[doc(hidden)]
pub use copy::__piecewise_copies;

// Time: the one clock every timed thing reads.
mod clock;

// The pipe.
mod pipe;
mod seed;
mod sync;
pub use pipe::{
    pipe, Chunking, Cut, Link, LinkDirection, PipeBuilder, PipeEnd, ReadHalf, ReuniteError,
    WriteHalf, DEFAULT_CAPACITY,
};

// Tee writers.
mod door;
mod multi_writer;
mod tee_reader;
mod write_all;
pub use multi_writer::MultiWriter;
pub use tee_reader::TeeReader;

// Hang reports.
mod hang;
pub use hang::{try_within, try_within_async, within, within_async, HangReport, TryWithin, Within};

/// A [`HangReport`] as data: what [`HangReport::pipes`] and
/// [`HangReport::tapes`] return, so a test can assert on a hang (who waits,
/// how many, for how long, what is buffered) without parsing its text.
pub mod report {
    pub use crate::hang::{DirectionState, PipeState, TapeState, TapeWait, Waiters};
}

// The in-memory listener.
mod addr;
mod listen;
pub use addr::PipeAddr;
#[cfg(feature = "hyper")]
pub use listen::HyperConnect;
pub use listen::{listen, Accept, Connect, Connector, Listener};
#[cfg(not(loom))]
pub use listen::{FinishedAll, ReplayError, ScriptedPeers};

// A network of named listeners.
#[cfg(not(loom))]
mod net;
#[cfg(all(feature = "hyper", not(loom)))]
pub use net::NetHyperConnect;
#[cfg(not(loom))]
pub use net::{Net, NetConnect};

// Recording.
mod recording;
mod tape;
mod template;
pub use recording::{RecordExt, Recording};
pub use tape::{Event, Mismatch, Tape, WaitFor};

// Scripted peers.
#[cfg(not(loom))]
pub mod script;
#[cfg(not(loom))]
pub use script::{Captures, Finished, Script, ScriptError, ScriptErrorKind, ScriptPeer};

#[cfg(not(loom))]
#[doc(hidden)]
pub mod fuzzing;

#[doc = include_str!("../RECIPES.md")]
pub mod recipes {}

#[doc = include_str!("../SHAKING-OUT-BUGS.md")]
pub mod shaking_out_bugs {}

// The README's example is compiled and run as a doctest so it never rots.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
