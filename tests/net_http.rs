//! `Net` as a `tower_service::Service<http::Uri>` (feature `hyper`): one
//! hyper-util client reaches several in-memory services by URL. An axum
//! "api" service calls a "users" service through the net; taking "users"
//! down makes the api answer 503, bringing it up makes the api recover.
#![cfg(all(feature = "axum", feature = "hyper", not(loom)))]

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pipetap::{Listener, Net};
use support::tokio_watchdog;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

type HttpClient = Client<Net, Empty<Bytes>>;

fn client(net: &Net) -> HttpClient {
    Client::builder(TokioExecutor::new()).build(net.clone())
}

/// The "users" service.
fn users() -> Router {
    Router::new().route("/users", get(|| async { "ann, bob" }))
}

/// The "api" service: it asks "users" through the net, and answers 503 when
/// it cannot reach it.
fn api(users: HttpClient) -> Router {
    async fn list(State(users): State<HttpClient>) -> (StatusCode, String) {
        let answer = async {
            let response = users.get("http://users/users".parse()?).await?;
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(body)
        };
        match answer.await {
            Ok(body) => (
                StatusCode::OK,
                format!("users: {}", String::from_utf8_lossy(&body)),
            ),
            Err(e) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("users unreachable: {e}"),
            ),
        }
    }
    Router::new().route("/", get(list)).with_state(users)
}

/// `axum::serve(listener, app)` until the returned sender is used or dropped.
fn serve(
    listener: Listener,
    app: Router,
) -> (oneshot::Sender<()>, JoinHandle<std::io::Result<()>>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
    });
    (stop, server)
}

async fn get_api(client: &HttpClient, url: &str) -> (StatusCode, String) {
    let response = client.get(url.parse().unwrap()).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn an_api_answers_503_while_the_service_it_calls_is_down_and_recovers_once_it_is_up() {
    tokio_watchdog(|| async {
        let net = Net::new().record_connections();
        let (stop_users, users_server) = serve(net.listen("users:80").unwrap(), users());
        let (stop_api, api_server) = serve(net.listen("api:80").unwrap(), api(client(&net)));
        let outside = client(&net);

        assert_eq!(
            get_api(&outside, "http://api/").await,
            (StatusCode::OK, "users: ann, bob".to_owned())
        );

        net.down("users:80").unwrap();
        for _ in 0..2 {
            let (status, body) = get_api(&outside, "http://api/").await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
            assert!(body.starts_with("users unreachable"), "{body}");
        }

        net.up("users:80").unwrap();
        for _ in 0..2 {
            assert_eq!(
                get_api(&outside, "http://api/").await,
                (StatusCode::OK, "users: ann, bob".to_owned())
            );
        }

        // What went over the net, by address.
        let tapes = net.tapes();
        assert_eq!(tapes[0].label().as_deref(), Some("api:80#1"));
        assert_eq!(tapes[1].label().as_deref(), Some("users:80#1"));
        let sent: Vec<String> = tapes.iter().map(|t| t.to_string_lossy()).collect();
        assert!(
            sent[0].starts_with("GET / HTTP/1.1\r\nhost: api\r\n"),
            "{sent:?}"
        );
        assert!(
            sent[1].starts_with("GET /users HTTP/1.1\r\nhost: users\r\n"),
            "{sent:?}"
        );
        assert!(
            sent[2..]
                .iter()
                .all(|s| s.starts_with("GET /users HTTP/1.1\r\n")),
            "{sent:?}"
        );

        drop(outside);
        for (stop, server) in [(stop_api, api_server), (stop_users, users_server)] {
            stop.send(()).unwrap();
            tokio::time::timeout(Duration::from_secs(10), server)
                .await
                .expect("graceful shutdown ends axum::serve")
                .unwrap()
                .unwrap();
        }
    });
}

#[test]
fn urls_route_by_host_and_port_with_the_scheme_s_default_port() {
    tokio_watchdog(|| async {
        let net = Net::new();
        let app = |name: &'static str| Router::new().route("/", get(move || async move { name }));
        let (_s1, _h1) = serve(net.listen("svc:80").unwrap(), app("http default"));
        let (_s2, _h2) = serve(net.listen("svc:8080").unwrap(), app("explicit port"));
        let (_s3, _h3) = serve(net.listen("svc:443").unwrap(), app("https default"));
        let client = client(&net);
        for (url, want) in [
            ("http://svc/", "http default"),
            ("http://SVC:80/", "http default"),
            ("http://svc:8080/", "explicit port"),
        ] {
            assert_eq!(
                get_api(&client, url).await,
                (StatusCode::OK, want.to_owned())
            );
        }
        // https reaches port 443 (TLS is the client's to add): the connector is
        // asked for it directly, as hyper-util's plain client refuses https.
        let mut net_service = net.clone();
        let io = tower_service::Service::call(&mut net_service, "https://svc/".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(io.inner().peer_addr().unwrap().to_string(), "svc:443#1");

        let err = client
            .get("http://nowhere/".parse().unwrap())
            .await
            .unwrap_err();
        let source = std::error::Error::source(&err)
            .and_then(|e| e.downcast_ref::<std::io::Error>())
            .expect("the connect's io::Error");
        assert_eq!(source.kind(), ErrorKind::ConnectionRefused);
        assert!(
            source
                .to_string()
                .contains(r#"nothing listens on "nowhere:80""#),
            "{source}"
        );
        assert!(
            source
                .to_string()
                .contains(r#""svc:443", "svc:80", "svc:8080""#),
            "{source}"
        );

        let bad = tower_service::Service::call(&mut net_service, "grpc://svc/".parse().unwrap())
            .await
            .unwrap_err();
        assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    });
}

/// The bounds hyper-util's legacy client and tonic's
/// `Endpoint::connect_with_connector` put on a connector.
#[test]
fn the_net_meets_hyper_util_s_and_tonic_s_bounds() {
    fn hyper_util_accepts<C>(_: &C)
    where
        C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
    {
    }
    fn tonic_accepts<C>(_: &C)
    where
        C: tower_service::Service<http::Uri> + Send + 'static,
        C::Response: hyper::rt::Read + hyper::rt::Write + Send + Unpin,
        C::Future: Send,
        Box<dyn std::error::Error + Send + Sync>: From<C::Error> + Send,
    {
    }
    let net = Net::new();
    hyper_util_accepts(&net);
    tonic_accepts(&net);
}
