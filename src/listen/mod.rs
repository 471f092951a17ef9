//! The in-memory listener: [`listen()`] and [`PipeBuilder::listen`] make a
//! [`Listener`] and a [`Connector`], so a server's accept loop can be tested
//! without ports. Dependencies run one way, down this list:
//!
//! - `axum`, `hyper`, `tonic`: the framework integrations (features);
//! - [`listener`], [`connector`]: the public handles and their futures, each
//!   deciding only how to wait;
//! - [`scripted`]: connectors served by scripts, and their
//!   [`ScriptedPeers`]; [`tape_dir`]: folders of connection tape files;
//! - [`hub`]: the shared state and every rule (backlog, order, timeout,
//!   close); [`line`]: the connects waiting for room, in order;
//!   [`waiters`]: the tasks waiting on it.

mod connector;
mod hub;
mod line;
mod listener;
#[cfg(not(loom))]
mod scripted;
pub(crate) mod tape_dir;
mod waiters;

#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "hyper")]
mod hyper;
#[cfg(feature = "tonic")]
mod tonic;

use std::sync::Arc;

pub use connector::{Connect, Connector};
#[cfg(feature = "hyper")]
pub use hyper::HyperConnect;
pub use listener::{Accept, Listener};
#[cfg(not(loom))]
pub use scripted::{FinishedAll, ReplayError, ScriptedPeers};

use crate::pipe::PipeBuilder;

/// A listener's name unless [`PipeBuilder::name`] gives one.
const DEFAULT_NAME: &str = "pipe";

/// The names of a connection's ends unless [`PipeBuilder::end_names`] gives
/// others: the client's (returned by `connect`), then the server's (returned
/// by `accept`).
const END_NAMES: [&str; 2] = ["client", "server"];

/// Creates an in-memory listener with the default pipe settings: a
/// [`Listener`] to accept on and a [`Connector`] to connect with. Every
/// connection is a [`pipe()`](crate::pipe()), named `pipe#1`, `pipe#2`, ...
/// with ends `client` and `server`. [`PipeBuilder::listen`] builds every
/// connection from a builder's settings instead (capacity, fault knobs).
///
/// # Accepting and connecting
///
/// - [`Connector::connect`] (async, any executor) and
///   [`Connector::connect_blocking`] make a connection and return its client
///   end; its server end is queued for [`Listener::accept`] (async) or
///   [`Listener::accept_blocking`], which take them in connect order. With
///   the `futures` feature the listener is a
///   `Stream<Item = io::Result<PipeEnd>>` too.
/// - Every connection is built from the same settings and named `NAME#N`
///   (N counts from 1 in connect order; NAME is the builder's name, `pipe`
///   by default); both ends show it in `Debug` and in their errors, and
///   [`PipeEnd::peer_addr`](crate::PipeEnd::peer_addr) gives it as a
///   [`PipeAddr`](crate::PipeAddr) on both ends.
///
/// # Outcomes
///
/// - **Backlog.** At most [`Listener::backlog`] connections (128 by
///   default) wait for `accept`. A `connect` beyond it waits, in line, for an
///   `accept` to take one, for at most [`Listener::connect_timeout`] (5 s by
///   default), then fails with **`TimedOut`**, naming the listener and its
///   backlog.
/// - **Dropping the listener** resets the queued, not yet accepted,
///   connections: their clients' reads fail with **`ConnectionReset`** once
///   they have drained what the server never wrote (nothing), and their
///   writes with `BrokenPipe`. A `connect` waiting for room, and every later
///   `connect`, fails with **`ConnectionRefused`**. Connections already
///   accepted are not touched.
/// - **Dropping every connector**: once the queue is drained, `accept`
///   fails with **`NotConnected`** and the stream ends with `None` (not an
///   error item: servers such as hyper-util's and tonic's stop on one), so
///   a test server's accept loop ends by itself (tonic's
///   `serve_with_incoming(listener)` returns: with the `tonic` feature each
///   [`PipeEnd`](crate::PipeEnd) is tonic's `Connected`, so it takes the
///   listener as it is). A `connect` future holds a connector while it
///   lives.
/// - Under `axum::serve` (feature `axum`), whose accept has no error path,
///   the loop waits for connections until `with_graceful_shutdown` ends it.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (listener, connector) = pipetap::listen();
/// let mut client = connector.connect_blocking()?;
/// let mut server = listener.accept_blocking()?;
/// assert_eq!(format!("{:?}", client.peer_addr().unwrap()), r#"PipeAddr("pipe#1")"#);
/// client.write_all(b"ping")?;
/// let mut buf = [0; 4];
/// server.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "dropping the listener refuses every connect"]
#[track_caller]
pub fn listen() -> (Listener, Connector) {
    PipeBuilder::new().listen()
}

impl PipeBuilder {
    /// Creates an in-memory listener whose every connection is a pipe built
    /// with these settings (capacity, `max_read_len`, `interleave_pending`,
    /// chunking and its seed, ...), named `NAME#N` after
    /// [`name`](Self::name) (`pipe` by default) with ends `client` and
    /// `server` (or those [`end_names`](Self::end_names) gives). See
    /// [`listen()`] for the outcomes.
    ///
    /// All connections share one seed (this builder's, else `PIPETAP_SEED`,
    /// else a fresh one), so `PIPETAP_SEED=<seed>` replays them all.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (listener, connector) = pipetap::PipeBuilder::new()
    ///     .name("redis")
    ///     .max_read_len(1)                  // every server read is short
    ///     .listen();
    /// let mut client = connector.connect_blocking()?;
    /// let mut server = listener.accept_blocking()?;
    /// client.write_all(b"PING\r\n")?;
    /// assert_eq!(server.read(&mut [0; 16])?, 1);
    /// assert!(format!("{server:?}").contains(r#"name: "redis#1", end: "server""#));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "dropping the listener refuses every connect"]
    #[track_caller]
    pub fn listen(self) -> (Listener, Connector) {
        self.listen_named_or(DEFAULT_NAME)
    }

    /// [`listen`](Self::listen), the listener named `default_name` unless
    /// the builder has a name.
    #[track_caller]
    pub(crate) fn listen_named_or(self, default_name: &str) -> (Listener, Connector) {
        let hub = Arc::new(hub::Hub::new(self.blueprint(default_name, END_NAMES)));
        (Listener::new(hub.clone()), Connector::new(hub))
    }
}
