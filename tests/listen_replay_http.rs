//! The whole record / replay loop behind a connector, with hyper-util's
//! client: record requests against an axum app through the listener, save
//! the tapes into a temporary folder, replay them with no app at all, and
//! see a request that was never recorded fail clearly. Both pool shapes:
//! one connection per request (`pool_max_idle_per_host(0)`) and one
//! kept-alive connection for every request.
#![cfg(all(feature = "axum", feature = "hyper"))]

mod support;

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pipetap::{Connector, PipeBuilder};
use support::tokio_watchdog;

fn app() -> Router {
    Router::new()
        .route("/hello", get(|| async { "hello" }))
        .route("/echo", post(|body: String| async move { body }))
}

/// A client over `connector`: one connection per request if `per_request`,
/// else hyper-util's default pool (one kept-alive connection).
fn client(connector: Connector, per_request: bool) -> Client<Connector, Full<Bytes>> {
    let mut builder = Client::builder(TokioExecutor::new());
    if per_request {
        builder.pool_max_idle_per_host(0);
    }
    builder.build(connector)
}

/// The code under test: two requests, one after another.
async fn two_requests(client: &Client<Connector, Full<Bytes>>) -> Result<(String, String), String> {
    let hello = client
        .get("http://api/hello".parse().unwrap())
        .await
        .map_err(|e| chain(&e))?;
    let hello = hello.into_body().collect().await.unwrap().to_bytes();
    let request = Request::post("http://api/echo")
        .body(Full::new(Bytes::from("ping over a pipe")))
        .unwrap();
    let echo = client.request(request).await.map_err(|e| chain(&e))?;
    let echo = echo.into_body().collect().await.unwrap().to_bytes();
    Ok((
        String::from_utf8(hello.to_vec()).unwrap(),
        String::from_utf8(echo.to_vec()).unwrap(),
    ))
}

/// An error with its sources, one after another.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// Records [`two_requests`] against the axum app over a listener named
/// `api`, and saves the tapes into `dir`.
async fn record(dir: &std::path::Path, per_request: bool) {
    let (listener, connector) = PipeBuilder::new().name("api").listen();
    let listener = listener.record_connections();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app())
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
    });
    let live = client(connector.clone(), per_request);
    assert_eq!(
        two_requests(&live).await.unwrap(),
        ("hello".to_owned(), "ping over a pipe".to_owned())
    );
    drop(live); // closes a pooled connection, which graceful shutdown waits for
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("graceful shutdown ends axum::serve")
        .unwrap()
        .unwrap();
    connector.save_tapes(dir).unwrap();
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    files
}

#[test]
fn one_connection_per_request_recorded_replayed_and_a_third_request_has_no_script() {
    tokio_watchdog(|| async {
        let dir = tempfile::tempdir().unwrap();
        record(dir.path(), true).await;
        assert_eq!(files(dir.path()), ["api-1.tape", "api-2.tape"]);
        let first = std::fs::read_to_string(dir.path().join("api-1.tape")).unwrap();
        assert!(first.contains("> \"GET /hello HTTP/1.1\\r\\n\""), "{first}");

        // Replay with no app at all.
        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        let replay = client(connector, true);
        assert_eq!(
            two_requests(&replay).await.unwrap(),
            ("hello".to_owned(), "ping over a pipe".to_owned())
        );
        peers.finish();

        // A third request, never recorded, fails clearly.
        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        let replay = client(connector, true);
        two_requests(&replay).await.unwrap();
        let err = replay
            .get("http://api/never-recorded".parse().unwrap())
            .await
            .unwrap_err();
        let message = chain(&err);
        assert!(
            message.contains(
                r#"pipetap scripted connector "api": connection api#3: no script is left (the connector has 2 scripts, for connections #1 to #2)"#
            ),
            "{message}"
        );
        let verdict = peers.try_finish().unwrap_err();
        assert_eq!(verdict.beyond_last(), ["api#3"]);
        assert_eq!(verdict.failed().count(), 0, "{verdict}");
    });
}

#[test]
fn one_kept_alive_connection_recorded_and_replayed() {
    tokio_watchdog(|| async {
        let dir = tempfile::tempdir().unwrap();
        record(dir.path(), false).await;
        assert_eq!(files(dir.path()), ["api-1.tape"], "one pooled connection");
        let tape = std::fs::read_to_string(dir.path().join("api-1.tape")).unwrap();
        assert!(tape.contains("> \"POST /echo HTTP/1.1\\r\\n\""), "{tape}");

        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        let replay = client(connector, false);
        assert_eq!(
            two_requests(&replay).await.unwrap(),
            ("hello".to_owned(), "ping over a pipe".to_owned())
        );
        peers.finished().await.unwrap();

        // A third request, never recorded, fails too. Which way depends on
        // whether the pool has seen the end of the kept-alive connection
        // (its script shuts its side after its last step) when the request
        // starts: on that connection, whose script then fails, or on a new
        // one, for which no script is left.
        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        let replay = client(connector, false);
        two_requests(&replay).await.unwrap();
        let err = replay
            .get("http://api/never-recorded".parse().unwrap())
            .await
            .unwrap_err();
        let message = chain(&err);
        let verdict = peers.try_finish().unwrap_err().to_string();
        if message.contains("no script is left") {
            assert!(
                message.contains("connection api#2: no script is left"),
                "{message}"
            );
            assert!(
                verdict.contains("- connection api#2 was made beyond the last script"),
                "{verdict}"
            );
        } else {
            // hyper says the connection failed or closed; the verdict says
            // why.
            assert!(message.contains("connection"), "{message}");
            assert!(
                verdict.contains("- connection api#1: script \"api#1 (")
                    && verdict.contains("failed after its last step"),
                "{verdict}"
            );
        }
    });
}
