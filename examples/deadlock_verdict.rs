//! Goal P11: how soon `within(60 s)` reports the commonest deadlock, both
//! sides reading first, as a share of its bound (goal: at most 1/100).
//!
//!     cargo run --release --example deadlock_verdict --features tokio
//!
//! Three shapes, each the median of 5 runs, each on fresh pipes:
//! - two blocking threads, each owning one end of a pipe (`try_within`);
//! - a blocking thread and a scripted peer on a `write` step (`try_within`);
//! - two tokio tasks under a paused clock (`try_within_async` on a
//!   current-thread runtime with `start_paused(true)`).
//!
//! The stuck threads of the first shape stay blocked until the process
//! exits (a thread cannot be stopped from outside); the script's is
//! stopped, and the runtime of the third is dropped, with each run.

use std::io::Read;
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, Script};

const BOUND: Duration = Duration::from_secs(60);
const RUNS: usize = 5;
const GOAL: f64 = 0.01;

fn two_threads() -> Duration {
    let (a, b) = PipeBuilder::new().name("p11-threads").build();
    let _peer = std::thread::spawn(move || {
        let mut b = b;
        b.read(&mut [0; 8])
    });
    let started = Instant::now();
    let report = pipetap::try_within(BOUND, move || {
        let mut a = a;
        a.read(&mut [0; 8])
    })
    .expect_err("a deadlock");
    let took = started.elapsed();
    assert!(report.is_deadlock(), "{report}");
    took
}

fn thread_and_script() -> Duration {
    let (conn, peer) = Script::new()
        .name("p11-script")
        .write(b"PING\r\n")
        .read(b"+PONG\r\n")
        .build();
    let started = Instant::now();
    let report = pipetap::try_within(BOUND, move || {
        let mut conn = conn;
        conn.read(&mut [0; 8])
    })
    .expect_err("a deadlock");
    let took = started.elapsed();
    assert!(report.is_deadlock(), "{report}");
    // Stops the peer: the stuck read then fails with a reset, and ends.
    assert!(peer.try_finish_within(Duration::ZERO).is_err());
    took
}

fn paused_tasks() -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (mut a, mut b) = PipeBuilder::new().name("p11-tasks").build();
        let started = Instant::now();
        let report = pipetap::try_within_async(BOUND, async move {
            let peer =
                tokio::spawn(
                    async move { tokio::io::AsyncReadExt::read(&mut b, &mut [0; 8]).await },
                );
            let got = tokio::io::AsyncReadExt::read(&mut a, &mut [0; 8]).await;
            let _ = peer.await;
            got
        })
        .await
        .expect_err("a deadlock");
        let took = started.elapsed();
        assert!(report.is_deadlock(), "{report}");
        took
    })
}

/// One shape: runs it once, returns how soon the deadlock was reported.
type Shape = fn() -> Duration;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!("# P11 deadlock verdict, bound {BOUND:?}, median of {RUNS} runs, {cpu}");
    let shapes: [(&str, Shape); 3] = [
        ("two threads, one pipe", two_threads),
        ("a thread and a script", thread_and_script),
        ("two tokio tasks, paused clock", paused_tasks),
    ];
    let mut met = 0;
    for (name, shape) in shapes {
        let took = median((0..RUNS).map(|_| shape()).collect());
        let ratio = took.as_secs_f64() / BOUND.as_secs_f64();
        let ok = ratio <= GOAL;
        met += usize::from(ok);
        println!(
            "P11 {name}: reported after {:.2} ms, report/bound = {ratio:.1e} (goal <= {GOAL}) {}",
            took.as_secs_f64() * 1e3,
            if ok { "OK" } else { "SHORT" }
        );
    }
    println!("{met} of 3 shapes met");
    if met < 3 {
        std::process::exit(1);
    }
}
