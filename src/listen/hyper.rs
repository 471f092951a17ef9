//! Feature `hyper`: the in-memory [`Connector`] as a
//! `tower_service::Service<http::Uri>`, the connector of hyper-util's legacy
//! `Client` and of tonic's `Endpoint::connect_with_connector`.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;

use super::connector::{Connect, Connector};
use crate::pipe::PipeEnd;

/// Every call connects to the listener, whatever the URI says (its scheme
/// and host still go into the request, as over TCP), and returns the client
/// end wrapped in hyper-util's `TokioIo`, which implements hyper's
/// `rt::Read + rt::Write` and, since [`PipeEnd`] implements it, hyper-util's
/// `Connection`. The future is `Unpin`, `Send` and `'static`. Errors are
/// those of [`Connector::connect`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use http_body_util::{BodyExt, Empty, Full};
/// use hyper::body::Bytes;
/// use hyper_util::client::legacy::Client;
/// use hyper_util::rt::{TokioExecutor, TokioIo};
///
/// let (listener, connector) = pipetap::listen();
/// tokio::spawn(async move {
///     while let Ok(conn) = listener.accept().await {
///         let service = hyper::service::service_fn(|_req| async {
///             Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
///         });
///         tokio::spawn(hyper::server::conn::http1::Builder::new()
///             .serve_connection(TokioIo::new(conn), service));
///     }
/// });
///
/// let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
/// let response = client.get("http://pipe/".parse()?).await?;
/// let body = response.into_body().collect().await?.to_bytes();
/// assert_eq!(body, "hi");
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
impl tower_service::Service<http::Uri> for Connector {
    type Response = TokioIo<PipeEnd>;
    type Error = io::Error;
    type Future = HyperConnect;

    /// Always ready: a connect waits in its future, not here.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> HyperConnect {
        HyperConnect {
            connect: self.connect(),
        }
    }
}

/// A pipe is a plain connection to hyper-util's legacy `Client`: not
/// proxied, no ALPN (HTTP/2 is chosen by the client's builder, as for
/// prior-knowledge h2c over TCP).
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
impl Connection for PipeEnd {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// The future of the [`Connector`]'s `tower_service::Service<http::Uri>`:
/// [`Connector::connect`], with the client end wrapped in `TokioIo`.
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
#[must_use = "futures do nothing unless polled"]
pub struct HyperConnect {
    connect: Connect,
}

impl Future for HyperConnect {
    type Output = io::Result<TokioIo<PipeEnd>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.connect).poll(cx).map_ok(TokioIo::new)
    }
}

impl fmt::Debug for HyperConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HyperConnect").field(&self.connect).finish()
    }
}
