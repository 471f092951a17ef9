//! The live-fault timers (latency, bandwidth, hold_for, the connect delay)
//! on tokio's paused clock (API.md sections 6 and 7): async calls in a paused
//! runtime wait on tokio's time, so long delays cost next to no wall time,
//! and tokio's auto-advance finds them.
#![cfg(feature = "tokio")]

use std::time::{Duration, Instant};

use pipetap::PipeBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Well under the delays below: the paused clock must not spend them.
const WALL_BOUND: Duration = Duration::from_secs(2);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test(start_paused = true)]
async fn latency_costs_tokio_time_not_wall_time() {
    let (mut a, mut b) = PipeBuilder::new().latency(secs(30)).build();
    let (wall, tokio_start) = (Instant::now(), tokio::time::Instant::now());
    a.write_all(b"ping").await.unwrap();
    let mut buf = [0; 4];
    b.read_exact(&mut buf).await.unwrap();
    b.write_all(b"pong").await.unwrap();
    a.read_exact(&mut buf).await.unwrap();
    assert!(
        tokio_start.elapsed() >= secs(60),
        "{:?}",
        tokio_start.elapsed()
    );
    assert!(wall.elapsed() < WALL_BOUND, "{:?}", wall.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_rendezvous_hand_over_waits_its_latency_on_tokio_time() {
    let (mut a, mut b) = PipeBuilder::new().capacity(0).latency(secs(10)).build();
    let (wall, tokio_start) = (Instant::now(), tokio::time::Instant::now());
    let reader = tokio::spawn(async move {
        let mut buf = [0; 2];
        b.read_exact(&mut buf).await.map(|_| buf)
    });
    a.write_all(b"hi").await.unwrap();
    assert_eq!(&reader.await.unwrap().unwrap(), b"hi");
    assert!(tokio_start.elapsed() >= secs(10));
    assert!(wall.elapsed() < WALL_BOUND, "{:?}", wall.elapsed());
}

#[tokio::test(start_paused = true)]
async fn bandwidth_costs_tokio_time_not_wall_time() {
    let (mut a, mut b) = PipeBuilder::new().bandwidth(1_000).build(); // 1 byte per ms
    let (wall, tokio_start) = (Instant::now(), tokio::time::Instant::now());
    a.write_all(&[7; 2_000]).await.unwrap();
    let mut got = vec![0; 2_000];
    b.read_exact(&mut got).await.unwrap();
    let took = tokio_start.elapsed();
    assert!(
        took >= Duration::from_millis(1_990) && took <= secs(3),
        "{took:?}"
    );
    assert!(wall.elapsed() < WALL_BOUND, "{:?}", wall.elapsed());
}

#[tokio::test(start_paused = true)]
async fn hold_for_ends_on_tokio_time() {
    let (mut a, mut b) = pipetap::pipe();
    let (wall, tokio_start) = (Instant::now(), tokio::time::Instant::now());
    a.hold_for(secs(3600)).unwrap();
    a.write_all(b"an hour later").await.unwrap();
    let mut buf = [0; 13];
    b.read_exact(&mut buf).await.unwrap();
    assert!(tokio_start.elapsed() >= secs(3600));
    assert!(wall.elapsed() < WALL_BOUND, "{:?}", wall.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_timeout_in_the_code_under_test_fires_before_a_longer_hold_for() {
    let (mut a, mut b) = pipetap::pipe();
    a.hold_for(secs(10)).unwrap();
    a.write_all(b"late").await.unwrap();
    let mut buf = [0; 4];
    let early = tokio::time::timeout(secs(5), b.read_exact(&mut buf)).await;
    assert!(early.is_err(), "the 5 s timeout fires first");
    // The bytes were held, not lost: they arrive when the hold ends.
    let late = tokio::time::timeout(secs(10), b.read_exact(&mut buf)).await;
    assert_eq!(late.unwrap().unwrap(), 4);
    assert_eq!(&buf, b"late");
}

#[tokio::test(start_paused = true)]
async fn a_connect_delay_costs_tokio_time_not_wall_time() {
    let (listener, connector) = pipetap::listen();
    connector.set_connect_delay(Some(secs(60))).unwrap();
    let (wall, tokio_start) = (Instant::now(), tokio::time::Instant::now());
    let conn = connector.connect().await.unwrap();
    assert!(tokio_start.elapsed() >= secs(60));
    assert!(wall.elapsed() < WALL_BOUND, "{:?}", wall.elapsed());
    assert_eq!(
        listener.accept().await.unwrap().peer_addr(),
        conn.peer_addr()
    );
    // A connect timeout in the code under test fires first.
    let slow = tokio::time::timeout(secs(30), connector.connect()).await;
    assert!(slow.is_err());
}
