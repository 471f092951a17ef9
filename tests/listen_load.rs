//! Many clients at once over one listener: 100 concurrent request/response
//! exchanges on a multi-thread tokio runtime, and the same with 100 blocking
//! threads; every reply matches its request, every connection is accepted
//! once, and the accept loop ends by itself.

mod support;

use std::collections::BTreeSet;
use std::thread;
use std::time::Duration;

use support::watchdog;

const CLIENTS: usize = 100;

/// The reply to `request`: its bytes reversed.
fn reply_to(request: &[u8]) -> Vec<u8> {
    request.iter().rev().copied().collect()
}

fn request_of(i: usize) -> Vec<u8> {
    format!("request number {i:03} ").repeat(20).into_bytes()
}

#[cfg(feature = "tokio")]
#[test]
fn a_hundred_concurrent_clients_on_a_multi_thread_runtime() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    watchdog(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        rt.block_on(async {
            let (listener, connector) = pipetap::PipeBuilder::new()
                .capacity(64) // small: the exchanges interleave
                .max_read_len(7)
                .listen();
            let listener = listener.record_connections();
            let server = tokio::spawn(async move {
                let mut tasks = Vec::new();
                let mut seen = BTreeSet::new();
                while let Ok(mut conn) = listener.accept().await {
                    seen.insert(conn.peer_addr().unwrap().connection().unwrap());
                    tasks.push(tokio::spawn(async move {
                        let mut len = [0; 2];
                        conn.read_exact(&mut len).await.unwrap();
                        let mut request = vec![0; u16::from_be_bytes(len) as usize];
                        conn.read_exact(&mut request).await.unwrap();
                        conn.write_all(&reply_to(&request)).await.unwrap();
                    }));
                }
                for task in tasks {
                    task.await.unwrap();
                }
                (seen, listener)
            });
            let clients: Vec<_> = (0..CLIENTS)
                .map(|i| {
                    let connector = connector.clone();
                    tokio::spawn(async move {
                        let mut conn = connector.connect().await.unwrap();
                        let request = request_of(i);
                        let len = (request.len() as u16).to_be_bytes();
                        conn.write_all(&len).await.unwrap();
                        conn.write_all(&request).await.unwrap();
                        let mut reply = vec![0; request.len()];
                        conn.read_exact(&mut reply).await.unwrap();
                        assert_eq!(reply, reply_to(&request));
                        (conn.peer_addr().unwrap(), request)
                    })
                })
                .collect();
            drop(connector);
            let mut sent = Vec::new();
            for client in clients {
                sent.push(client.await.unwrap());
            }
            let (seen, listener) = server.await.unwrap();
            assert_eq!(seen, (1..=CLIENTS as u64).collect::<BTreeSet<_>>());
            // Each tape holds exactly its client's exchange.
            let tapes = listener.tapes();
            assert_eq!(tapes.len(), CLIENTS);
            for (addr, request) in sent {
                let tape = &tapes[addr.connection().unwrap() as usize - 1];
                assert_eq!(&tape.bytes()[2..], &request[..]);
                tape.assert_read(reply_to(&request));
            }
        });
    });
}

#[test]
fn a_hundred_blocking_client_threads() {
    use std::io::{Read, Write};
    watchdog(|| {
        let (listener, connector) = pipetap::PipeBuilder::new().capacity(64).listen();
        let listener = listener.backlog(8).connect_timeout(Duration::from_secs(20));
        let server = thread::spawn(move || {
            let mut handlers = Vec::new();
            while let Ok(mut conn) = listener.accept_blocking() {
                handlers.push(thread::spawn(move || {
                    let mut request = Vec::new();
                    conn.read_to_end(&mut request).unwrap(); // the client half-closes
                    conn.write_all(&reply_to(&request)).unwrap();
                    conn.peer_addr().unwrap().connection().unwrap()
                }));
            }
            let served: BTreeSet<u64> = handlers.into_iter().map(|h| h.join().unwrap()).collect();
            served
        });
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let connector = connector.clone();
                thread::spawn(move || {
                    let mut conn = connector.connect_blocking().unwrap();
                    let request = request_of(i);
                    conn.write_all(&request).unwrap();
                    conn.shutdown(std::net::Shutdown::Write).unwrap();
                    let mut reply = Vec::new();
                    conn.read_to_end(&mut reply).unwrap();
                    assert_eq!(reply, reply_to(&request));
                })
            })
            .collect();
        drop(connector);
        for client in clients {
            client.join().unwrap();
        }
        let served = server.join().unwrap();
        assert_eq!(served, (1..=CLIENTS as u64).collect::<BTreeSet<_>>());
    });
}
