//! An axum router tested end to end without a port: served with
//! `axum::serve` over pipetap's in-memory listener, called by hyper-util's
//! client through the listener's connector, every connection recorded. The
//! handler sees the connection's address (`ConnectInfo<PipeAddr>`), the
//! recorded request is printed, and `with_graceful_shutdown` stops the
//! server.
//!
//! Run it with `cargo run --example axum_in_memory --features axum,hyper`.

use std::time::Duration;

use axum::extract::{ConnectInfo, Json};
use axum::routing::post;
use axum::Router;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pipetap::PipeAddr;

/// The app under test: it greets the caller, naming its connection.
fn app() -> Router {
    Router::new().route(
        "/greet",
        post(
            |ConnectInfo(peer): ConnectInfo<PipeAddr>, Json(name): Json<String>| async move {
                format!("hello {name}, from {peer}")
            },
        ),
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Short reads on every connection, to shake out framing bugs.
    let (listener, connector) = pipetap::PipeBuilder::new()
        .name("app")
        .max_read_len(7)
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

    let client = Client::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(connector);
    let request = hyper::Request::post("http://app/greet")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(r#""ferris""#)))?;
    let response = client.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    println!("{status} {}", String::from_utf8_lossy(&body));
    assert_eq!(body, "hello ferris, from app#1");

    // What the client sent, as recorded on connection #1's tape.
    let tape = &tapes.tapes()[0];
    println!("--- the recorded request ({} bytes) ---", tape.len());
    println!("{}", tape.to_string_lossy());
    assert!(tape
        .to_string_lossy()
        .starts_with("POST /greet HTTP/1.1\r\n"));

    stop.send(()).ok();
    drop(client);
    tokio::time::timeout(Duration::from_secs(5), server).await???;
    Ok(())
}
