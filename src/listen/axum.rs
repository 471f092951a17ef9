//! Feature `axum`: the in-memory [`Listener`] as an `axum::serve::Listener`,
//! and [`PipeAddr`] as the `ConnectInfo` of its connections.

use std::io;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;

use super::listener::Listener;
use crate::addr::PipeAddr;
use crate::pipe::PipeEnd;

/// `axum::serve(listener, app)` serves over in-memory pipes; each
/// connection's address is its [`PipeAddr`] (`pipe#1`, ...), which a handler
/// extracts as `ConnectInfo<PipeAddr>` when the app is served with
/// `into_make_service_with_connect_info::<PipeAddr>()`.
///
/// axum's `accept` has no error path: once every
/// [`Connector`](crate::Connector) is gone, it waits for ever instead of
/// failing with `NotConnected`, so under `axum::serve` the accept loop runs
/// until `with_graceful_shutdown` ends it. Connections served so far are
/// then drained as axum does for TCP.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use axum::{routing::get, Router};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (listener, connector) = pipetap::listen();
/// let app = Router::new().route("/", get(|| async { "hello" }));
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = tokio::spawn(async move {
///     axum::serve(listener, app)
///         .with_graceful_shutdown(async { stopped.await.ok(); })
///         .await
/// });
///
/// let mut conn = connector.connect().await?;
/// conn.write_all(b"GET / HTTP/1.1\r\nhost: pipe\r\nconnection: close\r\n\r\n").await?;
/// let mut response = String::new();
/// conn.read_to_string(&mut response).await?;
/// assert!(response.starts_with("HTTP/1.1 200 OK"));
/// assert!(response.ends_with("hello"));
///
/// stop.send(()).unwrap();
/// server.await.unwrap()?;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl axum::serve::Listener for Listener {
    type Io = PipeEnd;
    type Addr = PipeAddr;

    async fn accept(&mut self) -> (PipeEnd, PipeAddr) {
        match Listener::accept(self).await {
            Ok(conn) => {
                let addr = conn
                    .peer_addr()
                    .expect("a listener's connection has an address");
                (conn, addr)
            }
            // `NotConnected`, the only error: no connection can come any
            // more, and axum has no way to hear it. Wait for the graceful
            // shutdown, as on an idle TCP listener.
            Err(_) => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<PipeAddr> {
        Ok(Listener::local_addr(self))
    }
}

/// A handler of an app served over a [`Listener`] with
/// `into_make_service_with_connect_info::<PipeAddr>()` extracts
/// `ConnectInfo<PipeAddr>`: the connection's address, `pipe#N`.
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl Connected<IncomingStream<'_, Listener>> for PipeAddr {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        stream.remote_addr().clone()
    }
}
