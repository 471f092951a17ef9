//! Pipe behaviour that real protocol stacks tripped over, kept as minimal
//! tests. Each names what broke.
#![cfg(feature = "tokio")]

mod support;

use std::io::Write;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// hyper's HTTP/1 server, on reading end-of-stream from a client that hung up
/// cleanly (the normal end of a keep-alive connection), flushes before it
/// shuts down. On a `TcpStream` (and on tokio's `DuplexStream`) flush is a
/// no-op that always succeeds; the pipe's flush used to fail with `BrokenPipe`
/// once the peer was gone, so `serve_connection` ended in
/// `Err(BodyWrite(BrokenPipe))` instead of `Ok(())` (see `stack_http.rs`).
/// Flush now always succeeds, as on a socket.
#[test]
fn flush_after_peer_hangs_up_succeeds_so_hyper_server_ends_cleanly() {
    support::tokio_watchdog(|| async {
        let (mut server, mut client) = pipetap::pipe();
        AsyncWriteExt::write_all(&mut client, b"GET / HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        drop(client); // the client hangs up cleanly

        let mut request = Vec::new();
        AsyncReadExt::read_to_end(&mut server, &mut request)
            .await
            .unwrap();
        assert_eq!(request, b"GET / HTTP/1.1\r\n\r\n");

        // Nothing is held back, so there is nothing to fail: a socket says Ok.
        AsyncWriteExt::flush(&mut server)
            .await
            .expect("tokio flush");
        Write::flush(&mut server).expect("std flush");
        // Shutting down the write side already succeeds (as on a socket).
        AsyncWriteExt::shutdown(&mut server)
            .await
            .expect("tokio shutdown");
    });
}
