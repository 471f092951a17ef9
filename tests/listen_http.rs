//! The listener under real HTTP stacks: an axum app served over it (feature
//! `axum`) and called by hyper-util's legacy client through the connector
//! (feature `hyper`), with `ConnectInfo<PipeAddr>`, the tapes and the
//! graceful shutdown; and a plain hyper HTTP/2 service over the connector.
//! (tonic itself, server and client, is in `tests/net_tonic.rs`.)
#![cfg(all(feature = "axum", feature = "hyper"))]

mod support;

use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use pipetap::{Connector, PipeAddr};
use support::tokio_watchdog;

fn app() -> Router {
    Router::new()
        .route("/hello", get(|| async { "hello" }))
        .route(
            "/whoami",
            get(|ConnectInfo(addr): ConnectInfo<PipeAddr>| async move { addr.to_string() }),
        )
        .route("/echo", post(|body: String| async move { body }))
}

fn client(connector: Connector) -> Client<Connector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build(connector)
}

async fn body_of(response: Response<hyper::body::Incoming>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn an_axum_app_over_the_listener_called_by_hyper_util_s_client() {
    tokio_watchdog(|| async {
        let (listener, connector) = pipetap::PipeBuilder::new()
            .name("app")
            .max_read_len(5) // short reads on both sides of every connection
            .listen();
        let listener = listener.record_connections();
        let tapes = connector.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app().into_make_service_with_connect_info::<PipeAddr>(),
            )
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
        });

        let client = client(connector);
        let response = client
            .get("http://app/hello".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(body_of(response).await, "hello");

        let whoami = client
            .get("http://app/whoami".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(body_of(whoami).await, "app#1"); // the pooled connection

        let request = Request::post("http://app/echo")
            .body(Full::new(Bytes::from("ping over a pipe")))
            .unwrap();
        let echo = client.request(request).await.unwrap();
        assert_eq!(body_of(echo).await, "ping over a pipe");

        let tapes = tapes.tapes();
        assert_eq!(tapes.len(), 1, "one keep-alive connection");
        let sent = tapes[0].to_string_lossy();
        assert!(
            sent.starts_with("GET /hello HTTP/1.1\r\nhost: app\r\n"),
            "{sent}"
        );
        assert!(sent.contains("POST /echo HTTP/1.1\r\n"), "{sent}");
        assert!(sent.ends_with("\r\n\r\nping over a pipe"), "{sent}");
        let received = String::from_utf8_lossy(&tapes[0].reads().concat()).into_owned();
        assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
        assert!(received.ends_with("ping over a pipe"), "{received}");

        stop.send(()).unwrap();
        drop(client); // closes the pooled connection, which graceful shutdown waits for
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("graceful shutdown ends axum::serve")
            .unwrap()
            .unwrap();
    });
}

#[test]
fn under_axum_serve_the_loop_waits_past_the_connectors_until_graceful_shutdown() {
    tokio_watchdog(|| async {
        let (listener, connector) = pipetap::listen();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut server = tokio::spawn(async move {
            axum::serve(listener, app())
                .with_graceful_shutdown(async {
                    stopped.await.ok();
                })
                .await
        });
        let client = client(connector);
        let hello = client
            .get("http://pipe/hello".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(body_of(hello).await, "hello");
        drop(client); // the last connector: accept has no error path
        let still_serving = tokio::time::timeout(Duration::from_millis(50), &mut server).await;
        assert!(
            still_serving.is_err(),
            "axum::serve ended without a shutdown"
        );
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("graceful shutdown ends axum::serve")
            .unwrap()
            .unwrap();
    });
}

#[test]
fn many_connections_each_get_their_own_connect_info() {
    tokio_watchdog(|| async {
        let (listener, connector) = pipetap::listen();
        let listener = listener.record_connections();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app().into_make_service_with_connect_info::<PipeAddr>(),
            )
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
        });
        // A client without a pool: one connection per request.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build::<_, Full<Bytes>>(connector.clone());
        for n in 1..=3 {
            let whoami = client
                .get("http://pipe/whoami".parse().unwrap())
                .await
                .unwrap();
            assert_eq!(body_of(whoami).await, format!("pipe#{n}"));
        }
        let tapes = connector.tapes();
        assert_eq!(tapes.len(), 3);
        for tape in &tapes {
            assert!(tape
                .to_string_lossy()
                .starts_with("GET /whoami HTTP/1.1\r\n"));
        }
        stop.send(()).unwrap();
        drop((client, connector));
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("graceful shutdown ends axum::serve")
            .unwrap()
            .unwrap();
    });
}

#[test]
fn a_plain_hyper_http2_service_over_the_connector() {
    tokio_watchdog(|| async {
        let (listener, connector) = pipetap::PipeBuilder::new().capacity(1024).listen();
        let listener = listener.record_connections();
        let server = tokio::spawn(async move {
            let mut served = 0;
            while let Ok(conn) = listener.accept().await {
                served += 1;
                let service =
                    hyper::service::service_fn(|req: Request<hyper::body::Incoming>| async move {
                        let path = req.uri().path().to_owned();
                        let body = req.into_body().collect().await?.to_bytes();
                        let reply = format!("{path}: {}", String::from_utf8_lossy(&body));
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from(reply))))
                    });
                tokio::spawn(
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(conn), service),
                );
            }
            served
        });
        let client = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build::<_, Full<Bytes>>(connector.clone());
        // Concurrent calls, multiplexed on one HTTP/2 connection.
        let calls = (0..10).map(|i| {
            let client = client.clone();
            async move {
                let request = Request::post(format!("http://grpc/svc.Method/{i}"))
                    .body(Full::new(Bytes::from(format!("msg {i}"))))
                    .unwrap();
                let response = client.request(request).await.unwrap();
                assert_eq!(response.version(), hyper::Version::HTTP_2);
                body_of(response).await
            }
        });
        let replies = futures::future::join_all(calls).await;
        for (i, reply) in replies.iter().enumerate() {
            assert_eq!(reply, &format!("/svc.Method/{i}: msg {i}"));
        }
        let tapes = connector.tapes();
        assert_eq!(tapes.len(), 1, "HTTP/2 multiplexes over one connection");
        assert!(tapes[0]
            .bytes()
            .starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        drop((client, connector));
        let served = tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the accept loop ends with the connectors")
            .unwrap();
        assert_eq!(served, 1);
    });
}

/// The bounds tonic's `Endpoint::connect_with_connector` puts on a connector
/// (tonic 0.12 and later, on hyper 1; `BoxError` is tonic's
/// `Box<dyn Error + Send + Sync>`).
fn tonic_accepts<C>(_: &C)
where
    C: tower_service::Service<http::Uri> + Send + 'static,
    C::Response: hyper::rt::Read + hyper::rt::Write + Send + Unpin,
    C::Future: Send,
    Box<dyn std::error::Error + Send + Sync>: From<C::Error> + Send,
{
}

#[test]
fn the_connector_meets_tonic_s_and_hyper_util_s_bounds() {
    use hyper_util::client::legacy::connect::{Connect, Connection};
    fn hyper_util_accepts<C: Connect + Clone + Send + Sync + 'static>(_: &C) {}
    fn is_connection<T: Connection>() {}
    let (_listener, connector) = pipetap::listen();
    tonic_accepts(&connector);
    hyper_util_accepts(&connector);
    is_connection::<TokioIo<pipetap::PipeEnd>>();
}
