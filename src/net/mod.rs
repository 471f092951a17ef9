//! [`Net`]: a network of named in-memory listeners, dialled by address.
//! Dependencies run one way, down this list:
//!
//! - `hyper`: `Net` as a `tower_service::Service<http::Uri>` (feature);
//! - this file: the public handle; `connect`: its connect future;
//!   `replay`: its tapes saved into a folder, and replayed from one;
//! - `table`: the shared state and every rule (addresses in use, down and
//!   up, the connections to reset, the tapes);
//! - `host`: what an address is (`host:port`, and a URI's).

mod connect;
mod host;
#[cfg(feature = "hyper")]
mod hyper;
mod replay;
mod table;

use std::fmt;
use std::io;
use std::sync::Arc;

pub use connect::NetConnect;
#[cfg(feature = "hyper")]
pub use hyper::NetHyperConnect;

use crate::listen::Listener;
use crate::pipe::{Link, PipeBuilder, PipeEnd};
use crate::tape::Tape;
use table::Table;

/// A network of in-memory listeners, each at an address (`"db:5432"`), so
/// that code which dials several services by address (an API gateway and
/// its backends, a client that takes URLs) runs against in-memory ones.
///
/// - [`listen`](Self::listen) puts a [`Listener`] at an address, like
///   [`listen()`](crate::listen()) makes one; [`connect`](Self::connect)
///   (async, any executor) and [`connect_blocking`](Self::connect_blocking)
///   dial it and return the client end, a [`PipeEnd`].
/// - Faults by address: [`down`](Self::down) resets every live connection
///   to it and refuses connects until [`up`](Self::up);
///   [`hold`](Self::hold) stalls every connection to it both ways until
///   [`release`](Self::release); [`refuse_next`](Self::refuse_next) refuses
///   the next connects. [`connections`](Self::connections) gives a
///   [`Link`] per connection, with every live-fault knob.
/// - [`record_connections`](Self::record_connections) records every
///   connection; [`tapes`](Self::tapes) gives their tapes.
/// - With the `hyper` feature, the net is a `tower_service::Service<http::Uri>`
///   routing by the URI's host and port: one hyper-util client (or tonic
///   channel) reaches every service on the net by URL.
///
/// `Net` is `Clone`: every clone is the same network.
///
/// # Addresses
///
/// - An address is `host:port`; its host is compared without regard to case
///   and its port as a number (`DB:05432` is `db:5432`). Anything else
///   fails with `InvalidInput`.
/// - Connections are named `ADDR#N` (N from 1, per address), unless the
///   builder given to [`listen_with`](Self::listen_with) has a
///   [`name`](PipeBuilder::name): then `NAME#N`. Their ends are `client` and
///   `server`; [`PipeEnd::peer_addr`] shows the name on both.
/// - A second `listen` on an address in use fails with `AddrInUse`; a
///   dropped listener frees its address.
/// - A connect to an address where nothing listens fails at once with
///   `ConnectionRefused`, naming the address and the ones that exist (a typo
///   shows at once, not as a hang).
/// - A listener's `accept` waits for connections while any clone of the net
///   lives; once every clone is gone and its queue is drained, it fails with
///   `NotConnected` (as once every [`Connector`](crate::Connector) is gone).
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let net = pipetap::Net::new();
/// let db = net.listen("db:5432")?;
/// let cache = net.listen("cache:6379")?;
///
/// let mut conn = net.connect_blocking("db:5432")?;
/// conn.write_all(b"SELECT 1")?;
/// let mut server = db.accept_blocking()?;
/// let mut query = [0; 8];
/// server.read_exact(&mut query)?;
/// assert_eq!(server.peer_addr().unwrap().to_string(), "db:5432#1");
///
/// let err = net.connect_blocking("db:5433").unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
/// assert!(err.to_string().contains(r#"nothing listens on "db:5433""#));
/// assert!(err.to_string().contains(r#"listening: "cache:6379", "db:5432""#));
/// # drop(cache);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Net {
    table: Arc<Table>,
}

impl Default for Net {
    fn default() -> Self {
        Self::new()
    }
}

impl Net {
    /// An empty network.
    ///
    /// # Examples
    ///
    /// ```
    /// let net = pipetap::Net::new();
    /// assert!(net.tapes().is_empty());
    /// ```
    pub fn new() -> Self {
        Net {
            table: Arc::new(Table::new()),
        }
    }

    /// Records every connection made from now on, to any address (the
    /// listeners there already included), onto a tape of its own from the
    /// client's side, as [`Listener::record_connections`] does;
    /// [`tapes`](Self::tapes) gives them. Every clone of the net records.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let net = pipetap::Net::new().record_connections();
    /// let _db = net.listen("db:5432")?;
    /// net.connect_blocking("db:5432")?.write_all(b"PING")?;
    /// let tapes = net.tapes();
    /// tapes[0].assert_written(b"PING");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "record_connections returns the net"]
    pub fn record_connections(self) -> Self {
        self.table.record_connections();
        self
    }

    /// The tapes of the recorded connections (see
    /// [`record_connections`](Self::record_connections)), to every address,
    /// in the order their connects finished. Each tape's
    /// [`label`](Tape::label) is its connection's name, `ADDR#N` (or
    /// `NAME#N`). The tapes stay here once their listener is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let net = pipetap::Net::new().record_connections();
    /// let db = net.listen("db:5432")?;
    /// let api = net.listen("api:80")?;
    /// net.connect_blocking("api:80")?.write_all(b"GET /")?;
    /// net.connect_blocking("db:5432")?.write_all(b"SELECT")?;
    /// drop((db, api));
    /// let tapes = net.tapes();
    /// assert_eq!(tapes[0].label().as_deref(), Some("api:80#1"));
    /// tapes[0].assert_written(b"GET /");
    /// assert_eq!(tapes[1].label().as_deref(), Some("db:5432#1"));
    /// tapes[1].assert_written(b"SELECT");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tapes(&self) -> Vec<Tape> {
        self.table.tapes()
    }

    /// Puts a listener at `addr` (`host:port`), its connections built with
    /// the default pipe settings and named `ADDR#N`. The [`Listener`] is the
    /// one [`listen()`](crate::listen()) makes, with its options
    /// ([`backlog`](Listener::backlog), ...); connects come through the net.
    /// Dropping it frees the address.
    ///
    /// # Errors
    ///
    /// - `AddrInUse` if a listener is at `addr` already.
    /// - `InvalidInput` if `addr` is not `host:port`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let net = pipetap::Net::new();
    /// let db = net.listen("db:5432")?;
    /// assert_eq!(db.local_addr().to_string(), "db:5432");
    /// assert_eq!(net.listen("db:5432").unwrap_err().kind(), ErrorKind::AddrInUse);
    /// drop(db);
    /// let _db = net.listen("db:5432")?;                // free again
    /// assert_eq!(net.listen("db").unwrap_err().kind(), ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn listen(&self, addr: &str) -> io::Result<Listener> {
        self.table.listen(addr, PipeBuilder::new())
    }

    /// Puts a listener at `addr` whose every connection is built with
    /// `builder`'s settings (capacity, fault knobs), as
    /// [`PipeBuilder::listen`] does. Connections are named `ADDR#N`, unless
    /// the builder has a [`name`](PipeBuilder::name): then `NAME#N`, and the
    /// listener's [`local_addr`](Listener::local_addr) is that name.
    ///
    /// # Errors
    ///
    /// As [`listen`](Self::listen).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::PipeBuilder;
    ///
    /// let net = pipetap::Net::new();
    /// let db = net.listen_with("db:5432", PipeBuilder::new().max_read_len(1))?;
    /// let api = net.listen_with("api:80", PipeBuilder::new().name("api"))?;
    ///
    /// net.connect_blocking("db:5432")?.write_all(b"abc")?;
    /// assert_eq!(db.accept_blocking()?.read(&mut [0; 8])?, 1);   // short reads
    /// let conn = net.connect_blocking("api:80")?;
    /// assert_eq!(conn.peer_addr().unwrap().to_string(), "api#1");
    /// # drop(api);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn listen_with(&self, addr: &str, builder: PipeBuilder) -> io::Result<Listener> {
        self.table.listen(addr, builder)
    }

    /// Connects to the listener at `addr`: makes a connection and returns
    /// its client end once the server end is queued for `accept`, as
    /// [`Connector::connect`](crate::Connector::connect) does. Works on any
    /// executor; needs no runtime.
    ///
    /// The address is looked up when `connect` is called: the future is
    /// `'static`, `Send` and `Unpin`, and dropping it before it finishes makes
    /// no connection.
    ///
    /// # Errors
    ///
    /// - `ConnectionRefused` at once if nothing listens at `addr` (the
    ///   message names the addresses that exist), or it is
    ///   [`down`](Self::down); and if the listener goes, or the address goes
    ///   down, while the connect waits.
    /// - `TimedOut` if the listener's backlog stays full for its connect
    ///   timeout.
    /// - `InvalidInput` if `addr` is not `host:port`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let net = pipetap::Net::new();
    /// let users = net.listen("users:80")?;
    /// futures::executor::block_on(async {
    ///     let mut client = net.connect("users:80").await?;
    ///     let mut server = users.accept().await?;
    ///     client.write_all(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     server.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, addr: &str) -> NetConnect {
        NetConnect::new(&self.table, addr)
    }

    /// Connects to the listener at `addr`, blocking the thread while its
    /// backlog is full; see [`connect`](Self::connect).
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// let conn = net.connect_blocking("DB:5432")?;     // hosts ignore case
    /// assert_eq!(conn.peer_addr().unwrap().to_string(), "db:5432#1");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_blocking(&self, addr: &str) -> io::Result<PipeEnd> {
        let route = self.table.route(addr)?;
        let client = route.connector.connect_blocking()?;
        self.table.connected(&route, client)
    }

    /// Takes `addr` down: every live connection to it is reset (what is
    /// buffered, held or in flight either way is dropped; reads on both
    /// ends then fail with `ConnectionReset` at once, writes with
    /// `BrokenPipe`; blocked and pending calls are woken), and connects are
    /// refused (`ConnectionRefused`) until [`up`](Self::up). A connect
    /// waiting for room in the backlog meanwhile is refused once it gets
    /// its place, and its connection reset. The listener stays, and its
    /// accept loop goes on. Idempotent.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing listens at `addr` (the message names the
    /// addresses that exist); `InvalidInput` if it is not `host:port`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    ///
    /// let net = pipetap::Net::new();
    /// let db = net.listen("db:5432")?;
    /// let mut client = net.connect_blocking("db:5432")?;
    /// let mut server = db.accept_blocking()?;
    /// server.write_all(b"never read")?;
    ///
    /// net.down("db:5432")?;
    /// assert_eq!(client.read(&mut [0; 16]).unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// assert_eq!(server.read(&mut [0; 16]).unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// let refused = net.connect_blocking("db:5432").unwrap_err();
    /// assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    ///
    /// net.up("db:5432")?;
    /// let _again = net.connect_blocking("db:5432")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn down(&self, addr: &str) -> io::Result<()> {
        self.table.down(addr)
    }

    /// Brings `addr` back up after [`down`](Self::down): connects are
    /// accepted again. Connections reset by `down` stay reset. Idempotent.
    ///
    /// # Errors
    ///
    /// As [`down`](Self::down).
    ///
    /// # Examples
    ///
    /// ```
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// net.down("db:5432")?;
    /// net.up("db:5432")?;
    /// net.connect_blocking("db:5432")?;
    /// assert_eq!(net.up("db:5433").unwrap_err().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn up(&self, addr: &str) -> io::Result<()> {
        self.table.up(addr)
    }

    /// Holds every connection to `addr` both ways, as
    /// [`Link::hold`] does: writes are accepted up to the capacity, but
    /// nothing is delivered (bytes already buffered included) until
    /// [`release`](Self::release). Connections made while the address is
    /// held start held. Nothing is lost or reordered: a partition that
    /// heals. [`down`](Self::down) drops the held bytes.
    ///
    /// # Errors
    ///
    /// As [`down`](Self::down).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    ///
    /// let net = pipetap::Net::new();
    /// let db = net.listen("db:5432")?;
    /// net.hold("db:5432")?;
    /// let mut client = net.connect_blocking("db:5432")?;   // held from the start
    /// let mut server = db.accept_blocking()?;
    /// server.write_all(b"ready")?;
    /// client.set_nonblocking(true)?;
    /// assert_eq!(client.read(&mut [0; 8]).unwrap_err().kind(), ErrorKind::WouldBlock);
    ///
    /// net.release("db:5432")?;
    /// client.set_nonblocking(false)?;
    /// let mut ready = [0; 5];
    /// client.read_exact(&mut ready)?;
    /// assert_eq!(&ready, b"ready");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn hold(&self, addr: &str) -> io::Result<()> {
        self.table.hold(addr, true)
    }

    /// Ends [`hold`](Self::hold): every connection to `addr` delivers what
    /// it held, in order, and later connections start released. It releases
    /// a connection held through its [`Link`] too.
    ///
    /// # Errors
    ///
    /// As [`down`](Self::down).
    ///
    /// # Examples
    ///
    /// ```
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// net.hold("db:5432")?;
    /// assert!(format!("{net:?}").contains(r#""db:5432": up, held"#));
    /// net.release("db:5432")?;
    /// assert!(format!("{net:?}").contains(r#""db:5432": up, 0 connections"#));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn release(&self, addr: &str) -> io::Result<()> {
        self.table.hold(addr, false)
    }

    /// Connect fault: the next `n` connects to `addr` (from any clone, on
    /// any door) fail at once with `ConnectionRefused`, as against a server
    /// that is not up yet; the one after goes through. Replaces an earlier
    /// count; `0` refuses none. (It is the listener's
    /// [`Connector::refuse_next`](crate::Connector::refuse_next).)
    ///
    /// # Errors
    ///
    /// As [`down`](Self::down).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// net.refuse_next("db:5432", 2)?;
    /// for _ in 0..2 {
    ///     let err = net.connect_blocking("db:5432").unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// }
    /// assert!(net.connect_blocking("db:5432").is_ok());      // the retry succeeds
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn refuse_next(&self, addr: &str, n: usize) -> io::Result<()> {
        self.table.refuse_next(addr, n)
    }

    /// A [`Link`] for each connection made through the net, to any address,
    /// in the order the connects finished, closed ones included: the
    /// live-fault knobs (hold, latency, bandwidth, cut) of connections whose
    /// ends the test does not hold, such as those in a client's pool.
    /// [`Link::addr`] tells them apart (`ADDR#N`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// let _api = net.listen("api:80")?;
    /// let _a = net.connect_blocking("api:80")?;
    /// let _b = net.connect_blocking("db:5432")?;
    /// let links = net.connections();
    /// assert_eq!(links[1].addr().to_string(), "db:5432#1");
    /// links[1].server_to_client().set_latency(Some(Duration::from_millis(5)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connections(&self) -> Vec<Link> {
        self.table.connections()
    }
}

impl fmt::Debug for Net {
    /// The live addresses, each up or down (and held) with the number of
    /// connections made to it, and the number of tapes when recording.
    ///
    /// ```
    /// let net = pipetap::Net::new();
    /// let _db = net.listen("db:5432")?;
    /// let _conn = net.connect_blocking("db:5432")?;
    /// assert_eq!(
    ///     format!("{net:?}"),
    ///     r#"Net { addresses: {"db:5432": up, 1 connection} }"#,
    /// );
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table.debug(f)
    }
}
