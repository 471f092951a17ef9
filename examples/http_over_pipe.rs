//! A hyper 1.x HTTP client and server talking over one in-memory pipetap pipe,
//! with the client's side of the connection recorded and printed.
//!
//! Run it with:
//!
//! ```text
//! cargo run --example http_over_pipe --features tokio
//! ```
//!
//! Nothing here is special to pipetap: hyper's own client and server, through
//! hyper-util's `TokioIo` adapter, run over a `PipeEnd` exactly as they would
//! over a `TcpStream`, but with no sockets, ports or network.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use pipetap::RecordExt;

/// The server: greets whoever asks, echoing the request body.
async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await.map(|b| b.to_bytes());
    let body = body.unwrap_or_default();
    let text = format!(
        "hello from {path}; you sent {} bytes: {}\n",
        body.len(),
        String::from_utf8_lossy(&body)
    );
    Ok(Response::new(Full::new(Bytes::from(text))))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (client_end, server_end) = pipetap::pipe();

    // The server side: hyper's HTTP/1 server on one end of the pipe.
    let server = tokio::spawn(async move {
        hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(server_end), service_fn(hello))
            .await
    });

    // Record the client's end: every byte hyper writes lands on `tape`.
    let (client_end, tape) = client_end.record();

    // The client side: hyper's HTTP/1 client on the other end.
    let (mut send, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(client_end)).await?;
    let client = tokio::spawn(connection);

    let req = Request::post("/greet")
        .header("host", "example.test")
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(b"hi, pipe")))?;
    let resp = send.send_request(req).await?;

    println!("--- request bytes the client sent ---");
    let request = tape.to_string_lossy();
    // Show the CRLFs hyper put on the wire, one header per line.
    println!("{}", request.replace("\r\n", "\\r\\n\n"));
    println!();
    println!("--- response ---");
    println!("{:?} {}", resp.version(), resp.status());
    for (name, value) in resp.headers() {
        println!("{name}: {}", value.to_str().unwrap_or("<binary>"));
    }
    let body = resp.into_body().collect().await?.to_bytes();
    print!("\n{}", String::from_utf8_lossy(&body));

    // Hang up; both connection futures finish.
    drop(send);
    client.await??;
    server.await??;
    Ok(())
}
