//! Goal P10, measured: under tokio's paused clock, a client that gives up
//! after 30 s of silence costs at most 1/1000 of that in wall time.
//!
//! Three ways, each run `RUNS` times on a fresh `start_paused` runtime; the
//! median wall time is printed over the tokio time the client waited:
//!
//! - `deadline`: a pipe read with a 30 s deadline on an idle pipe
//!   (`TimedOut`);
//! - `script-late`: a script whose `wait` (60 s) outlasts the client's 30 s
//!   `tokio::time::timeout` (the client gives up);
//! - `script-answers`: a script that answers after 10 s while the client's
//!   timeout is 20 s (the client gets the answer).
//!
//! Run with `cargo run --release --example paused_clock --features tokio`.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use pipetap::Script;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RUNS: usize = 21;
const GOAL: f64 = 0.001;

/// One way: its wall time and the tokio time it covered.
fn measure(
    body: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration>>>,
) -> (Duration, Duration) {
    let mut walls = Vec::with_capacity(RUNS);
    let mut virtual_time = Duration::ZERO;
    for _ in 0..RUNS {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("a runtime");
        let wall = Instant::now();
        virtual_time = rt.block_on(body());
        walls.push(wall.elapsed());
    }
    walls.sort();
    (walls[RUNS / 2], virtual_time)
}

fn deadline() -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration>>> {
    Box::pin(async {
        let started = tokio::time::Instant::now();
        let (mut client, _server) = pipetap::pipe();
        client
            .set_read_deadline(Some(Instant::now() + Duration::from_secs(30)))
            .unwrap();
        let err = client.read(&mut [0; 16]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        started.elapsed()
    })
}

fn script_late() -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration>>> {
    Box::pin(async {
        let started = tokio::time::Instant::now();
        let (mut client, peer) = Script::new()
            .write(b"ping\n")
            .wait(Duration::from_secs(60))
            .read(b"pong\n")
            .build();
        client.write_all(b"ping\n").await.unwrap();
        let mut reply = [0; 5];
        let read = tokio::time::timeout(Duration::from_secs(30), client.read_exact(&mut reply));
        assert!(read.await.is_err(), "the client must give up first");
        let waited = started.elapsed();
        drop(client);
        let _ = peer.finished().await; // it hung up before the answer
        waited
    })
}

fn script_answers() -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration>>> {
    Box::pin(async {
        let started = tokio::time::Instant::now();
        let (mut client, peer) = Script::new()
            .write(b"ping\n")
            .wait(Duration::from_secs(10))
            .read(b"pong\n")
            .build();
        client.write_all(b"ping\n").await.unwrap();
        let mut reply = [0; 5];
        let read = tokio::time::timeout(Duration::from_secs(20), client.read_exact(&mut reply));
        read.await.expect("the answer comes first").unwrap();
        assert_eq!(&reply, b"pong\n");
        peer.finished().await.unwrap();
        started.elapsed()
    })
}

fn main() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!("# P10: wall time / tokio time under start_paused, median of {RUNS} runs ({cpu})");
    let mut all_ok = true;
    for (name, body) in [
        ("deadline", deadline as fn() -> _),
        ("script-late", script_late),
        ("script-answers", script_answers),
    ] {
        let (wall, virtual_time) = measure(body);
        let ratio = wall.as_secs_f64() / virtual_time.as_secs_f64();
        let ok = ratio <= GOAL;
        all_ok &= ok;
        println!(
            "P10 {name:<15} wall {:>9.3} ms over {:>5.1} s of tokio time = {ratio:.1e} (goal <= {GOAL}) {}",
            wall.as_secs_f64() * 1e3,
            virtual_time.as_secs_f64(),
            if ok { "OK" } else { "SHORT" }
        );
    }
    if !all_ok {
        std::process::exit(1);
    }
}
