//! The live-fault benchmark: hyper-util's client calls an axum app over the
//! in-memory listener, with 2 ms of latency each way on every connection,
//! making 100 sequential requests under tokio's paused clock. Each request
//! takes one round trip (4 ms) of tokio time, so the run takes at least
//! 400 ms of it, while the wall clock sees only the work itself: the
//! delays are found by tokio's auto-advance and cost no wall time.
//!
//! Run it with
//! `cargo run --release --example latency_paused --features axum,hyper`;
//! it prints the figures BENCHMARKS.md records (`ROUNDS=n` repeats the run
//! and prints each).

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const REQUESTS: u32 = 100;
const LATENCY: Duration = Duration::from_millis(2);

/// One run: (tokio time, wall time) of `REQUESTS` sequential requests.
async fn run() -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let (listener, connector) = pipetap::PipeBuilder::new()
        .name("app")
        .latency(LATENCY) // each way, every connection
        .listen();
    let app = Router::new().route("/hello", get(|| async { "hello" }));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);

    let (tokio_start, wall_start) = (tokio::time::Instant::now(), Instant::now());
    for _ in 0..REQUESTS {
        let response = client.get("http://app/hello".parse()?).await?;
        let body = response.into_body().collect().await?.to_bytes();
        assert_eq!(body, "hello");
    }
    let took = (tokio_start.elapsed(), wall_start.elapsed());
    server.abort();
    Ok(took)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    for _ in 0..rounds {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()?;
        let (tokio_time, wall_time) = runtime.block_on(run())?;
        println!(
            "{REQUESTS} requests, {LATENCY:?} latency each way: {tokio_time:?} of tokio time \
             (goal >= 400ms), {wall_time:?} of wall time (goal <= 40ms)"
        );
        assert!(tokio_time >= Duration::from_millis(400));
    }
    Ok(())
}
