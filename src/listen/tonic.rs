//! Feature `tonic`: [`PipeEnd`] as tonic's `transport::server::Connected`,
//! so `Server::builder().add_service(..).serve_with_incoming(listener)`
//! serves over an in-memory [`Listener`](crate::Listener) with no glue.

use std::sync::Arc;

use tonic::transport::server::Connected;

use crate::addr::PipeAddr;
use crate::pipe::PipeEnd;

/// A connection's `ConnectInfo` is its [`PipeAddr`] (`NAME#N`, or `ADDR#N`
/// on a [`Net`](crate::Net)), which a tonic service reads with
/// `request.extensions().get::<PipeAddr>()`. A plain pipe's is its name
/// (`pipe` if it has none), with no connection number.
///
/// The listener is a `Stream<Item = io::Result<PipeEnd>>` (feature
/// `futures`, which `tonic` turns on) that ends once every
/// [`Connector`](crate::Connector) (or every clone of the
/// [`Net`](crate::Net)) is gone, so `serve_with_incoming` returns then. On
/// the client side, a [`Connector`](crate::Connector) or a
/// [`Net`](crate::Net) is the connector of
/// `Endpoint::connect_with_connector` (feature `hyper`).
///
/// The feature needs Rust 1.88 or later (tonic 0.14's own minimum).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use tonic::transport::{Endpoint, Server};
/// use tonic_health::pb::health_client::HealthClient;
/// use tonic_health::pb::HealthCheckRequest;
///
/// let (listener, connector) = pipetap::PipeBuilder::new().name("grpc").listen();
/// let (reporter, health) = tonic_health::server::health_reporter();
/// reporter.set_serving::<tonic_health::pb::health_server::HealthServer<
///     tonic_health::server::HealthService>>().await;
/// let server = tokio::spawn(
///     Server::builder().add_service(health).serve_with_incoming(listener),
/// );
///
/// let channel = Endpoint::from_static("http://grpc")
///     .connect_with_connector(connector)
///     .await?;
/// let response = HealthClient::new(channel)
///     .check(HealthCheckRequest { service: String::new() })
///     .await?;
/// assert_eq!(response.into_inner().status, 1); // SERVING
/// # server.abort();
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
impl Connected for PipeEnd {
    type ConnectInfo = PipeAddr;

    fn connect_info(&self) -> PipeAddr {
        self.peer_addr().unwrap_or_else(|| {
            PipeAddr::listener(Arc::from(self.name().unwrap_or(super::DEFAULT_NAME)))
        })
    }
}
