//! Connect + accept + the first round trip (4 bytes each way), in one run:
//! pipetap's in-memory listener against `tokio::net::TcpListener` on
//! 127.0.0.1 and against building a bare `pipe()`, all on one current-thread
//! tokio runtime, the connection dropped at the end of each iteration.
//! Also the blocking listener (`connect_blocking` + `accept_blocking`).
//!
//! A second group puts a connect through a `Net` (by address) beside a
//! connect through the listener's own `Connector`, with its accept and
//! nothing else, async and blocking: what the net's routing costs.
//! Results and ratios: BENCHMARKS.md.

use std::hint::black_box;
use std::io::{Read, Write};

use criterion::{criterion_group, criterion_main, Criterion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap()
}

async fn round_trip<C, S>(client: &mut C, server: &mut S)
where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut buf = [0u8; 4];
    client.write_all(b"ping").await.unwrap();
    server.read_exact(&mut buf).await.unwrap();
    server.write_all(b"pong").await.unwrap();
    client.read_exact(&mut buf).await.unwrap();
    black_box(buf);
}

fn connect_accept_round_trip(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("connect_accept_round_trip");

    let (listener, connector) = pipetap::listen();
    group.bench_function("pipetap_listener", |b| {
        b.to_async(&rt).iter(|| async {
            let (client, server) = tokio::join!(connector.connect(), listener.accept());
            let (mut client, mut server) = (client.unwrap(), server.unwrap());
            round_trip(&mut client, &mut server).await;
        })
    });

    group.bench_function("bare_pipe", |b| {
        b.to_async(&rt).iter(|| async {
            let (mut client, mut server) = pipetap::pipe();
            round_trip(&mut client, &mut server).await;
        })
    });

    let tcp = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = tcp.local_addr().unwrap();
    group.bench_function("tokio_tcp_loopback", |b| {
        b.to_async(&rt).iter(|| async {
            let (client, server) = tokio::join!(tokio::net::TcpStream::connect(addr), tcp.accept());
            let (mut client, (mut server, _)) = (client.unwrap(), server.unwrap());
            // Close with a reset, so no TIME_WAIT socket is left per
            // iteration to exhaust the ephemeral ports.
            client.set_zero_linger().unwrap();
            round_trip(&mut client, &mut server).await;
        })
    });

    group.bench_function("pipetap_listener_blocking", |b| {
        b.iter(|| {
            let mut client = connector.connect_blocking().unwrap();
            let mut server = listener.accept_blocking().unwrap();
            let mut buf = [0u8; 4];
            Write::write_all(&mut client, b"ping").unwrap();
            Read::read_exact(&mut server, &mut buf).unwrap();
            Write::write_all(&mut server, b"pong").unwrap();
            Read::read_exact(&mut client, &mut buf).unwrap();
            black_box(buf);
        })
    });
    group.finish();
}

fn net_connect_vs_connector(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("connect_accept");

    let (listener, connector) = pipetap::listen();
    let net = pipetap::Net::new();
    // Other addresses on the net, so the lookup is not in a map of one.
    let _others: Vec<_> = ["api:80", "cache:6379", "users:80", "zeta:1"]
        .into_iter()
        .map(|addr| net.listen(addr).unwrap())
        .collect();
    let db = net.listen("db:5432").unwrap();

    group.bench_function("connector", |b| {
        b.to_async(&rt).iter(|| async {
            let (client, server) = tokio::join!(connector.connect(), listener.accept());
            black_box((client.unwrap(), server.unwrap()));
        })
    });
    group.bench_function("net", |b| {
        b.to_async(&rt).iter(|| async {
            let (client, server) = tokio::join!(net.connect("db:5432"), db.accept());
            black_box((client.unwrap(), server.unwrap()));
        })
    });
    group.bench_function("connector_blocking", |b| {
        b.iter(|| {
            let client = connector.connect_blocking().unwrap();
            black_box((client, listener.accept_blocking().unwrap()));
        })
    });
    group.bench_function("net_blocking", |b| {
        b.iter(|| {
            let client = net.connect_blocking("db:5432").unwrap();
            black_box((client, db.accept_blocking().unwrap()));
        })
    });
    group.finish();
}

criterion_group!(benches, connect_accept_round_trip, net_connect_vs_connector);
criterion_main!(benches);
