//! A 100-request keep-alive session with hyper-util's client, side by side:
//! against the axum app it was recorded from (over the in-memory listener),
//! and replayed through `Connector::scripted` with no app at all. Each
//! iteration is one fresh client, one kept-alive connection, 100 GETs one
//! after another with their bodies read; the replay's iteration includes
//! starting its script and `ScriptedPeers::finish`. One current-thread tokio
//! runtime. Results and ratios: BENCHMARKS.md.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pipetap::{Connector, PipeBuilder, Script};

const REQUESTS: usize = 100;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The code under test: 100 requests over one kept-alive connection.
async fn session(connector: Connector) {
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    for i in 0..REQUESTS {
        let uri = format!("http://api/item/{}", i % 10).parse().unwrap();
        let response = client.get(uri).await.unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body.len(), 6);
    }
}

fn app() -> Router {
    Router::new().route(
        "/item/{id}",
        get(
            |axum::extract::Path(id): axum::extract::Path<u32>| async move { format!("item {id}") },
        ),
    )
}

fn keep_alive_session(c: &mut Criterion) {
    let rt = runtime();
    let (listener, connector) = PipeBuilder::new().name("api").listen();
    let listener = listener.record_connections();
    let recorder = connector.clone();
    rt.spawn(async move { axum::serve(listener, app()).await });

    // The session, recorded once against the app.
    rt.block_on(session(connector.clone()));
    let tapes = recorder.tapes();
    assert_eq!(tapes.len(), 1, "one kept-alive connection");
    let script = Script::from_tape(&tapes[0]);

    let mut group = c.benchmark_group("keep_alive_100_requests");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));

    group.bench_function("axum_over_listener", |b| {
        b.to_async(&rt).iter(|| session(connector.clone()))
    });

    group.bench_function("replay_connector_scripted", |b| {
        b.to_async(&rt).iter(|| async {
            let (connector, peers) = Connector::scripted([script.clone()]);
            session(connector).await;
            peers.finished().await.unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, keep_alive_session);
criterion_main!(benches);
