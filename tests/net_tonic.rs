//! Feature `tonic`: tonic serves over an in-memory listener with no glue
//! (`PipeEnd` is tonic's `Connected`, its `ConnectInfo` the `PipeAddr`), and
//! tonic's channel connects through a `Connector` or a `Net`
//! (`Endpoint::connect_with_connector`). The service is tonic-health's, so
//! no protobuf code generation is needed.
#![cfg(all(feature = "tonic", feature = "hyper", not(loom)))]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pipetap::{Listener, Net, PipeAddr};
use support::tokio_watchdog;
use tokio::task::JoinHandle;
use tonic::transport::server::Connected;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus as Status;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::server::{HealthReporter, HealthService};
use tonic_health::ServingStatus;

/// The addresses the server saw, one per call, from the request's
/// extensions (where tonic puts the `ConnectInfo`).
type Seen = Arc<Mutex<Vec<Option<PipeAddr>>>>;

/// tonic-health's server on `listener`, with `service` serving: what
/// `serve_with_incoming` takes is the listener itself.
async fn health_server(
    listener: Listener,
    service: &str,
) -> (
    HealthReporter,
    Seen,
    JoinHandle<Result<(), tonic::transport::Error>>,
) {
    let reporter = HealthReporter::new();
    reporter
        .set_service_status(service, ServingStatus::Serving)
        .await;
    let seen = Seen::default();
    let record = seen.clone();
    let health = HealthServer::with_interceptor(
        HealthService::from_health_reporter(reporter.clone()),
        move |request: tonic::Request<()>| {
            let addr = request.extensions().get::<PipeAddr>().cloned();
            record.lock().unwrap().push(addr);
            Ok(request)
        },
    );
    let server = tokio::spawn(
        Server::builder()
            .add_service(health)
            .serve_with_incoming(listener),
    );
    (reporter, seen, server)
}

async fn check(channel: &Channel, service: &str) -> Result<Status, tonic::Status> {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    let response = HealthClient::new(channel.clone()).check(request).await?;
    Ok(response.into_inner().status())
}

#[test]
fn tonic_health_serves_over_the_listener_and_the_connector_with_no_glue() {
    tokio_watchdog(|| async {
        let (listener, connector) = pipetap::PipeBuilder::new().name("grpc").listen();
        let listener = listener.record_connections();
        let (reporter, seen, server) = health_server(listener, "users").await;
        let recorded = connector.clone();

        let channel = Endpoint::from_static("http://grpc")
            .connect_with_connector(connector)
            .await
            .unwrap();
        assert_eq!(check(&channel, "users").await.unwrap(), Status::Serving);
        reporter
            .set_service_status("users", ServingStatus::NotServing)
            .await;
        assert_eq!(check(&channel, "users").await.unwrap(), Status::NotServing);
        let unknown = check(&channel, "orders").await.unwrap_err();
        assert_eq!(unknown.code(), Code::NotFound);

        // Every call came over connection #1, and tonic saw its address.
        let grpc1 = Some("grpc#1".to_owned());
        let seen: Vec<_> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|a| a.as_ref().map(|a| a.to_string()))
            .collect();
        assert_eq!(seen, [grpc1.clone(), grpc1.clone(), grpc1]);
        let tapes = recorded.tapes();
        assert_eq!(tapes.len(), 1, "one HTTP/2 connection");
        assert!(tapes[0]
            .bytes()
            .starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));

        // The listener's stream ends once the connectors are gone: the
        // server returns by itself.
        drop((channel, recorded));
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("serve_with_incoming ends with the connectors")
            .unwrap()
            .unwrap();
    });
}

#[test]
fn one_tonic_client_reaches_services_on_a_net_by_url_through_down_and_up() {
    tokio_watchdog(|| async {
        let net = Net::new();
        let (_users, users_seen, _s1) =
            health_server(net.listen("users:50051").unwrap(), "users").await;
        let (_orders, _, _s2) = health_server(net.listen("orders:50051").unwrap(), "orders").await;

        let users = Endpoint::from_static("http://users:50051")
            .connect_with_connector(net.clone())
            .await
            .unwrap();
        let orders = Endpoint::from_static("http://orders:50051")
            .connect_with_connector(net.clone())
            .await
            .unwrap();
        assert_eq!(check(&users, "users").await.unwrap(), Status::Serving);
        assert_eq!(check(&orders, "orders").await.unwrap(), Status::Serving);
        assert_eq!(
            users_seen.lock().unwrap()[0].as_ref().unwrap().to_string(),
            "users:50051#1"
        );

        net.down("users:50051").unwrap();
        // The call in flight on the reset connection is cancelled (as over
        // TCP); the reconnect after it is refused.
        let reset = check(&users, "users").await.unwrap_err();
        assert!(
            matches!(reset.code(), Code::Cancelled | Code::Unavailable),
            "{reset}"
        );
        let refused = check(&users, "users").await.unwrap_err();
        assert_eq!(refused.code(), Code::Unavailable, "{refused}");
        assert_eq!(check(&orders, "orders").await.unwrap(), Status::Serving);

        net.up("users:50051").unwrap();
        // The channel reconnects on its own: within a few calls (the first
        // may still meet the connection the reset closed), never by waiting.
        let mut answers = Vec::new();
        for _ in 0..3 {
            let answer = check(&users, "users").await;
            answers.push(answer.as_ref().map(|s| *s).map_err(|e| e.code()));
            if answer.is_ok() {
                break;
            }
        }
        assert_eq!(answers.last(), Some(&Ok(Status::Serving)), "{answers:?}");
        let last = users_seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .flatten()
            .unwrap();
        assert_eq!(last.to_string(), "users:50051#2");

        // A channel to an address where nothing listens fails at once.
        let err = Endpoint::from_static("http://billing:50051")
            .connect_with_connector(net.clone())
            .await
            .unwrap_err();
        let text = format!("{:?}", std::error::Error::source(&err));
        assert!(
            text.contains(r#"nothing listens on \"billing:50051\""#),
            "{text}"
        );
    });
}

#[test]
fn a_pipe_s_connect_info_is_its_address_or_its_name() {
    let (listener, connector) = pipetap::PipeBuilder::new().name("db").listen();
    let client = connector.connect_blocking().unwrap();
    let server = listener.accept_blocking().unwrap();
    assert_eq!(client.connect_info().to_string(), "db#1");
    assert_eq!(server.connect_info(), client.peer_addr().unwrap());

    let (a, _b) = pipetap::pipe();
    assert_eq!(a.connect_info().to_string(), "pipe");
    assert_eq!(a.connect_info().connection(), None);
    let (named, _b) = pipetap::PipeBuilder::new().name("cache").build();
    assert_eq!(named.connect_info().to_string(), "cache");
}
