//! [`Listener`]: the accepting side of an in-memory listener, and its
//! [`Accept`] future.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::hub::Hub;
use crate::addr::PipeAddr;
use crate::pipe::PipeEnd;
use crate::tape::Tape;

/// The accepting side of an in-memory listener made by
/// [`listen()`](crate::listen()) or [`PipeBuilder::listen`](crate::PipeBuilder::listen):
/// a server's accept loop runs over it as over a `TcpListener`, and every
/// connection is a [`PipeEnd`].
///
/// Options are set by value: [`backlog`](Self::backlog) (default 128),
/// [`connect_timeout`](Self::connect_timeout) (default 5 s) and
/// [`record_connections`](Self::record_connections). The module docs of
/// [`listen`](crate::listen()) give every outcome of `accept` and `connect`
/// with its `ErrorKind`.
///
/// With the `futures` feature it is also a
/// `Stream<Item = io::Result<PipeEnd>>`, which ends (`None`) once every
/// [`Connector`](crate::Connector) is gone and the queue is drained; with the
/// `axum` feature it is an `axum::serve::Listener`; with the `tonic` feature
/// tonic's `serve_with_incoming(listener)` takes it as it is (each
/// [`PipeEnd`] is tonic's `Connected`).
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (listener, connector) = pipetap::listen();
/// let server = std::thread::spawn(move || -> std::io::Result<u32> {
///     let mut served = 0;
///     // Ends with `NotConnected` once the connector is dropped.
///     while let Ok(mut conn) = listener.accept_blocking() {
///         let mut ping = [0; 4];
///         conn.read_exact(&mut ping)?;
///         conn.write_all(b"pong")?;
///         served += 1;
///     }
///     Ok(served)
/// });
/// for _ in 0..3 {
///     let mut conn = connector.connect_blocking()?;
///     conn.write_all(b"ping")?;
///     let mut pong = [0; 4];
///     conn.read_exact(&mut pong)?;
///     assert_eq!(&pong, b"pong");
/// }
/// drop(connector);
/// assert_eq!(server.join().unwrap()?, 3);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Listener {
    hub: Arc<Hub>,
    /// The `Stream` impl's place among the waiting accepts.
    #[cfg_attr(not(feature = "futures"), allow(dead_code))]
    stream_slot: Option<u64>,
}

impl Listener {
    pub(super) fn new(hub: Arc<Hub>) -> Self {
        Listener {
            hub,
            stream_slot: None,
        }
    }

    /// How many connections may wait for `accept` (default 128). A
    /// `connect` beyond it waits for an `accept` to take one, for at most
    /// the [`connect_timeout`](Self::connect_timeout), then fails with
    /// `TimedOut`.
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0: a connect completes once its connection is
    /// queued, so a backlog of 0 could never take one (a rendezvous with
    /// `accept` is what a backlog of 1 and an accept loop give).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    ///
    /// let (listener, connector) = pipetap::listen();
    /// let listener = listener.backlog(1).connect_timeout(Duration::from_millis(10));
    /// let _first = connector.connect_blocking()?;          // queued
    /// let err = connector.connect_blocking().unwrap_err(); // no room, no accept
    /// assert_eq!(err.kind(), ErrorKind::TimedOut);
    /// assert!(err.to_string().contains("backlog of 1"));
    /// # drop(listener);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn backlog(self, n: usize) -> Self {
        assert!(n > 0, "pipetap: a listener's backlog must be at least 1");
        self.hub.set_backlog(n);
        self
    }

    /// How long a `connect` waits for room in a full backlog before it
    /// fails with `TimedOut` (default 5 s). `Duration::ZERO` fails at once.
    /// A connect's bound is fixed when it starts; an async connect made
    /// inside a paused tokio runtime counts it on tokio's clock (see
    /// [Time](crate#time)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (listener, _connector) = pipetap::listen();
    /// let listener = listener.connect_timeout(Duration::from_secs(1));
    /// # drop(listener);
    /// ```
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.hub.set_connect_timeout(timeout);
        self
    }

    /// Records every connection made from now on onto a tape of its own,
    /// from the client's side: its writes are what the client sent, its
    /// reads what the client received. The ends stay plain [`PipeEnd`]s;
    /// [`tapes`](Self::tapes) gives the tapes in connect order.
    ///
    /// A tape is one connection, which may carry several requests: a
    /// pooling client such as hyper-util's legacy `Client` sends the next
    /// request to the same host over the connection it keeps idle. Build it
    /// with `pool_max_idle_per_host(0)` for one connection, so one tape, per
    /// request.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (listener, connector) = pipetap::listen();
    /// let listener = listener.record_connections();
    /// let mut client = connector.connect_blocking()?;
    /// let mut server = listener.accept_blocking()?;
    /// client.write_all(b"GET /\r\n")?;
    /// let mut request = [0; 7];
    /// server.read_exact(&mut request)?;
    /// server.write_all(b"OK")?;
    /// let mut reply = [0; 2];
    /// client.read_exact(&mut reply)?;
    ///
    /// let tapes = listener.tapes();
    /// tapes[0].assert_written(b"GET /\r\n");
    /// tapes[0].assert_read(b"OK");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn record_connections(self) -> Self {
        self.hub.record_connections();
        self
    }

    /// The tapes of the recorded connections (see
    /// [`record_connections`](Self::record_connections)), in connect order:
    /// `tapes()[0]` is connection `#1`'s. The same as
    /// [`Connector::tapes`](crate::Connector::tapes).
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, _connector) = pipetap::listen();
    /// assert!(listener.tapes().is_empty());
    /// ```
    pub fn tapes(&self) -> Vec<Tape> {
        self.hub.tapes()
    }

    /// Writes the tape of every recorded connection (see
    /// [`record_connections`](Self::record_connections)) into `dir`, one
    /// file per connection named after its label: connection `api#2` is
    /// `api-2.tape`, `db:5432#2` is `db_5432-2.tape` (every character other
    /// than an ASCII letter, digit, `.`, `-` or `_` becomes `_`). The folder
    /// is created if missing, the name's other numbered files (left by an
    /// earlier recording) are removed, and other files are left alone.
    /// [`Connector::replay_dir`] replays the folder. A file's number is its
    /// connection's.
    ///
    /// Each file is a tape file as [`Tape::save`] writes it, from the
    /// client's side: `>` what the client sent, `<` what it received.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the connections are not recorded; the error of
    /// creating the folder, or of writing or removing a file, naming it.
    ///
    /// [`Connector::replay_dir`]: crate::Connector::replay_dir
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let (listener, connector) = pipetap::PipeBuilder::new().name("api").listen();
    /// let listener = listener.record_connections();
    /// connector.connect_blocking()?.write_all(b"one")?;
    /// connector.connect_blocking()?.write_all(b"two")?;
    /// listener.save_tapes(dir.path())?;
    /// assert!(dir.path().join("api-1.tape").exists());
    /// assert!(dir.path().join("api-2.tape").exists());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_tapes(&self, dir: impl AsRef<std::path::Path>) -> io::Result<()> {
        self.hub.save_tapes(dir.as_ref())
    }

    /// The listener's address: its name (`pipe` unless
    /// [`PipeBuilder::name`](crate::PipeBuilder::name) gave another).
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, _connector) = pipetap::PipeBuilder::new().name("api").listen();
    /// assert_eq!(listener.local_addr().to_string(), "api");
    /// ```
    pub fn local_addr(&self) -> PipeAddr {
        PipeAddr::listener(self.hub.name().clone())
    }

    /// Waits for the next connection, in connect order, and returns its
    /// server end. Works on any executor; needs no runtime.
    ///
    /// # Errors
    ///
    /// `NotConnected` once every [`Connector`](crate::Connector) is gone and
    /// no connection is queued: no connection can come any more, so an
    /// accept loop ends by itself.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let (listener, connector) = pipetap::listen();
    /// futures::executor::block_on(async {
    ///     let mut client = connector.connect().await?;
    ///     let mut server = listener.accept().await?;
    ///     client.write_all(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     server.read_exact(&mut buf).await?;
    ///     drop((client, connector));
    ///     let end = listener.accept().await.unwrap_err();
    ///     assert_eq!(end.kind(), std::io::ErrorKind::NotConnected);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accept(&self) -> Accept<'_> {
        Accept {
            hub: &self.hub,
            slot: None,
        }
    }

    /// Blocks the thread until the next connection, in connect order, and
    /// returns its server end.
    ///
    /// # Errors
    ///
    /// `NotConnected` once every [`Connector`](crate::Connector) is gone and
    /// no connection is queued.
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, connector) = pipetap::listen();
    /// let client = connector.connect_blocking()?;
    /// let server = listener.accept_blocking()?;
    /// assert_eq!(server.end_name(), "server");
    /// assert_eq!(client.end_name(), "client");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accept_blocking(&self) -> io::Result<PipeEnd> {
        self.hub.accept_blocking()
    }

    /// The poll behind [`accept`](Self::accept) and the `Stream` impl, for
    /// hand-written futures: `Ready` with the next connection's server end
    /// (or `NotConnected`), or `Pending` with the task registered.
    ///
    /// # Errors
    ///
    /// `NotConnected` as for [`accept`](Self::accept).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (mut listener, connector) = pipetap::listen();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(listener.poll_accept(&mut cx).is_pending());
    /// let _client = connector.connect_blocking()?;
    /// assert!(matches!(listener.poll_accept(&mut cx), Poll::Ready(Ok(_))));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<PipeEnd>> {
        match self.hub.try_accept(&mut self.stream_slot, Some(cx.waker())) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }
}

impl Drop for Listener {
    /// Resets the queued connections (their clients' reads fail with
    /// `ConnectionReset`) and refuses waiting and later connects
    /// (`ConnectionRefused`). Accepted connections are not touched.
    fn drop(&mut self) {
        self.hub.forget_accept(&mut self.stream_slot);
        self.hub.close();
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.hub.debug(f, "Listener")
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl futures_core::Stream for Listener {
    type Item = io::Result<PipeEnd>;

    /// The next connection's server end; `None` (not an error item) once
    /// every [`Connector`](crate::Connector) is gone and the queue is
    /// drained, since servers that take a stream of connections stop on an
    /// error item.
    ///
    /// tonic's `serve_with_incoming` takes such a stream and wants each
    /// connection to implement tonic's `Connected` trait: with the `tonic`
    /// feature [`PipeEnd`] does (its `ConnectInfo` is its
    /// [`PipeAddr`]), so `serve_with_incoming(listener)` needs no glue.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut().poll_accept(cx) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(None),
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The future of [`Listener::accept`]: the next connection's server end.
/// Dropping it before it finishes loses no connection.
#[must_use = "futures do nothing unless polled"]
pub struct Accept<'a> {
    hub: &'a Hub,
    slot: Option<u64>,
}

impl Future for Accept<'_> {
    type Output = io::Result<PipeEnd>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.hub.try_accept(&mut this.slot, Some(cx.waker())) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }
}

impl Drop for Accept<'_> {
    fn drop(&mut self) {
        self.hub.forget_accept(&mut self.slot);
    }
}

impl fmt::Debug for Accept<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accept")
            .field("listener", &self.hub.name())
            .field("waiting", &self.slot.is_some())
            .finish()
    }
}
