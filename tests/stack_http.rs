//! HTTP/1.1 with hyper 1.x, client and server over one pipetap pipe, through
//! hyper-util's tokio adapter. Nothing here was written for pipetap: if hyper's
//! own client and server talk over the pipe unchanged, the pipe behaves like a
//! socket as far as a real protocol stack can tell.
//!
//! The client's connection is recorded (`pipetap::RecordExt::record()`) and
//! the request line and headers hyper sends are asserted byte for byte.
#![cfg(feature = "tokio")]

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1 as client;
use hyper::server::conn::http1 as server;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pipetap::{PipeBuilder, PipeEnd, RecordExt, Tape};
use rstest::rstest;
use tokio::task::JoinHandle;

/// The server under test: answers `METHOD PATH BODY` and numbers the requests
/// it has seen on this connection in `x-request-number`.
async fn handle(
    req: Request<Incoming>,
    seen: Arc<AtomicUsize>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .expect("request body")
        .to_bytes();
    let text = format!("{method} {path} {}", String::from_utf8_lossy(&body));
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("x-request-number", n.to_string())
        .body(Full::new(Bytes::from(text)))
        .expect("response"))
}

/// Serves one connection on `end`; returns the task and the request counter.
fn spawn_server(end: PipeEnd) -> (JoinHandle<hyper::Result<()>>, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let task = tokio::spawn(async move {
        server::Builder::new()
            .serve_connection(
                TokioIo::new(end),
                service_fn(move |req| handle(req, counter.clone())),
            )
            .await
    });
    (task, seen)
}

/// The server connection ends in `Ok(())` once the client has hung up
/// cleanly, as over TCP: the pipe's flush succeeds even after the peer is
/// gone (see `stack_regressions.rs`), so hyper's final flush does not fail.
#[track_caller]
fn assert_server_closed_cleanly(outcome: Result<hyper::Result<()>, tokio::task::JoinError>) {
    outcome
        .expect("server task panicked")
        .expect("server connection ended in an error");
}

async fn body_text(resp: Response<Incoming>) -> String {
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

/// A hyper client connection to [`spawn_server`] over one pipe from `make`;
/// the client's end is recorded onto `tape`.
struct Session<B> {
    send: client::SendRequest<B>,
    client_task: JoinHandle<hyper::Result<()>>,
    server_task: JoinHandle<hyper::Result<()>>,
    seen: Arc<AtomicUsize>,
    tape: Tape,
}

impl<B> Session<B>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    async fn open(make: fn() -> (PipeEnd, PipeEnd)) -> Self {
        let (client_end, server_end) = make();
        let (server_task, seen) = spawn_server(server_end);
        let (conn, tape) = client_end.record();
        let (send, connection) = client::handshake(TokioIo::new(conn)).await.unwrap();
        let client_task = tokio::spawn(connection);
        Session {
            send,
            client_task,
            server_task,
            seen,
            tape,
        }
    }

    /// Hangs up: both connection futures end cleanly, as over TCP.
    async fn close(self) {
        drop(self.send);
        self.client_task.await.unwrap().unwrap();
        assert_server_closed_cleanly(self.server_task.await);
    }
}

fn buffered() -> (PipeEnd, PipeEnd) {
    pipetap::pipe()
}

fn rendezvous() -> (PipeEnd, PipeEnd) {
    PipeBuilder::new().capacity(0).build()
}

/// Short reads and writes and a spurious `Pending` before every call.
fn hostile() -> (PipeEnd, PipeEnd) {
    PipeBuilder::new()
        .capacity(64)
        .max_read_len(7)
        .max_write_len(5)
        .interleave_pending(true)
        .build()
}

#[rstest]
#[case::buffered(buffered)]
#[case::rendezvous(rendezvous)]
#[case::hostile(hostile)]
fn get_request_and_response_over_pipe(#[case] make: fn() -> (PipeEnd, PipeEnd)) {
    support::tokio_watchdog(move || async move {
        let mut session = Session::open(make).await;

        let req = Request::builder()
            .method(Method::GET)
            .uri("/hello")
            .header("host", "example.test")
            .body(Empty::<Bytes>::new())
            .unwrap();
        let resp = session.send.send_request(req).await.unwrap();

        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["x-request-number"], "1");
        assert_eq!(body_text(resp).await, "GET /hello ");
        assert_eq!(session.seen.load(Ordering::SeqCst), 1);

        // Exactly what hyper puts on the wire for a body-less GET: the request
        // line, our one header (hyper lower-cases names), the blank line.
        session
            .tape
            .assert_written("GET /hello HTTP/1.1\r\nhost: example.test\r\n\r\n");

        session.close().await;
    });
}

#[rstest]
#[case::buffered(buffered)]
#[case::rendezvous(rendezvous)]
#[case::hostile(hostile)]
fn post_with_body_over_pipe(#[case] make: fn() -> (PipeEnd, PipeEnd)) {
    support::tokio_watchdog(move || async move {
        let mut session = Session::open(make).await;

        let payload = "name=pipetap&kind=test";
        let req = Request::builder()
            .method(Method::POST)
            .uri("/submit")
            .header("host", "example.test")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(payload)))
            .unwrap();
        let resp = session.send.send_request(req).await.unwrap();

        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(body_text(resp).await, format!("POST /submit {payload}"));

        // hyper adds content-length itself for a body of known size.
        let sent = session.tape.to_string_lossy();
        assert!(
            sent.starts_with("POST /submit HTTP/1.1\r\n"),
            "request line: {sent:?}"
        );
        let (head, body) = sent.split_once("\r\n\r\n").expect("end of headers");
        let mut headers: Vec<&str> = head.split("\r\n").skip(1).collect();
        headers.sort_unstable();
        assert_eq!(
            headers,
            [
                "content-length: 22",
                "content-type: application/x-www-form-urlencoded",
                "host: example.test",
            ]
        );
        assert_eq!(body, payload);

        session.close().await;
    });
}

/// Several requests, one after another, on one connection: HTTP/1.1
/// keep-alive. The server counts requests per connection, so `x-request-number`
/// climbing to N proves they all used the one pipe; the tape holds all N
/// requests back to back.
#[rstest]
#[case::buffered(buffered)]
#[case::rendezvous(rendezvous)]
#[case::hostile(hostile)]
fn keep_alive_several_requests_on_one_connection(#[case] make: fn() -> (PipeEnd, PipeEnd)) {
    const N: usize = 5;
    support::tokio_watchdog(move || async move {
        let mut session = Session::open(make).await;

        let mut expected = String::new();
        for i in 1..=N {
            session.send.ready().await.unwrap();
            let (req, want) = if i % 2 == 0 {
                let body = format!("body-{i}");
                let req = Request::post(format!("/items/{i}"))
                    .header("host", "example.test")
                    .body(Full::new(Bytes::from(body.clone())))
                    .unwrap();
                expected.push_str(&format!(
                    "POST /items/{i} HTTP/1.1\r\nhost: example.test\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                ));
                (req, format!("POST /items/{i} {body}"))
            } else {
                let req = Request::get(format!("/items/{i}"))
                    .header("host", "example.test")
                    .body(Full::new(Bytes::new()))
                    .unwrap();
                expected.push_str(&format!(
                    "GET /items/{i} HTTP/1.1\r\nhost: example.test\r\n\r\n"
                ));
                (req, format!("GET /items/{i} "))
            };
            let resp = session.send.send_request(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()["x-request-number"], i.to_string().as_str());
            assert_eq!(body_text(resp).await, want);
        }
        assert_eq!(session.seen.load(Ordering::SeqCst), N);

        // All N requests went down the one connection, in order.
        session.tape.assert_written(&expected);

        // Closing the client side ends both connection futures cleanly: the
        // server sees end-of-stream between requests, not an error.
        session.close().await;
    });
}
