//! Feature `hyper`: a [`Net`] as a `tower_service::Service<http::Uri>`,
//! routing by the URI's host and port: the connector of hyper-util's legacy
//! `Client` and of tonic's `Endpoint::connect_with_connector`, for every
//! service on the net at once.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;

use super::connect::NetConnect;
use super::host::of_uri;
use super::Net;
use crate::pipe::PipeEnd;

/// Every call connects to the listener at the URI's `host:port`, the port
/// by scheme when the URI has none (`http` and `ws` 80, `https` and `wss`
/// 443), and returns the client end wrapped in hyper-util's `TokioIo`, as
/// the [`Connector`](crate::Connector)'s `Service<Uri>` does. The future is
/// `Unpin`, `Send` and `'static`. Errors are those of [`Net::connect`], and
/// `InvalidInput` for a URI with no host, or with no port and another
/// scheme.
///
/// (https URIs reach the listener at port 443 as plain connections: TLS is
/// the client's to add, as over TCP.)
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
/// /// A server that answers every request with `reply`.
/// fn serve(listener: pipetap::Listener, reply: &'static str) {
///     tokio::spawn(async move {
///         while let Ok(conn) = listener.accept().await {
///             let service = hyper::service::service_fn(move |_req| async move {
///                 Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from(reply))))
///             });
///             tokio::spawn(hyper::server::conn::http1::Builder::new()
///                 .serve_connection(TokioIo::new(conn), service));
///         }
///     });
/// }
///
/// let net = pipetap::Net::new();
/// serve(net.listen("users:80")?, "ann, bob");
/// serve(net.listen("orders:8080")?, "#1, #2");
///
/// let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(net.clone());
/// for (url, want) in [("http://users/", "ann, bob"), ("http://orders:8080/", "#1, #2")] {
///     let response = client.get(url.parse()?).await?;
///     assert_eq!(response.into_body().collect().await?.to_bytes(), want);
/// }
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
impl tower_service::Service<http::Uri> for Net {
    type Response = TokioIo<PipeEnd>;
    type Error = io::Error;
    type Future = NetHyperConnect;

    /// Always ready: a connect waits in its future, not here.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> NetHyperConnect {
        let connect = match of_uri(&uri) {
            Ok(addr) => Ok(self.connect(&addr)),
            Err(e) => Err(Some(e)),
        };
        NetHyperConnect { connect }
    }
}

/// The future of the [`Net`]'s `tower_service::Service<http::Uri>`:
/// [`Net::connect`] to the URI's address, the client end wrapped in
/// `TokioIo`.
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
#[must_use = "futures do nothing unless polled"]
pub struct NetHyperConnect {
    /// The connect, or why the URI names no address.
    connect: Result<NetConnect, Option<io::Error>>,
}

impl Future for NetHyperConnect {
    type Output = io::Result<TokioIo<PipeEnd>>;

    /// # Panics
    ///
    /// If polled again after a URI that names no address was reported.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().connect {
            Ok(connect) => Pin::new(connect).poll(cx).map_ok(TokioIo::new),
            Err(e) => Poll::Ready(Err(e
                .take()
                .expect("pipetap: NetHyperConnect polled after it finished"))),
        }
    }
}

impl fmt::Debug for NetHyperConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NetHyperConnect")
            .field(&self.connect)
            .finish()
    }
}
