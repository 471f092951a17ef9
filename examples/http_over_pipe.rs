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
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

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

    // RECORDING: replace these two lines with
    //     use pipetap::RecordExt;
    //     let (client_end, tape) = client_end.record();
    // and `sent.lock().unwrap()` below with `tape.to_string_lossy()`.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let client_end = CopyWrites::new(client_end, sent.clone());

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
    let request = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
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
    // The server may report the hang-up while flushing; either way it is done.
    let _ = server.await?;
    Ok(())
}

/// RECORDING: a stand-in for `pipetap::Recording` until it lands: delegates
/// to the inner connection and copies every byte it accepted into a Vec.
struct CopyWrites<C> {
    inner: C,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl<C> CopyWrites<C> {
    fn new(inner: C, sent: Arc<Mutex<Vec<u8>>>) -> Self {
        CopyWrites { inner, sent }
    }
}

impl<C: AsyncRead + Unpin> AsyncRead for CopyWrites<C> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<C: AsyncWrite + Unpin> AsyncWrite for CopyWrites<C> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let res = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = res {
            this.sent.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
