//! Soak test: many pipes at once, each end driven through a different front
//! door (blocking threads, `futures` on plain threads, tokio tasks on a
//! multi-thread runtime), with every capacity kind and fault knob, full
//! duplex, every byte checked against seeded data. Ignored by default:
//!
//! ```text
//! PIPETAP_STRESS_ROUNDS=5 cargo test --release --all-features --test pipe_stress -- --ignored
//! ```
//!
//! Each round builds [`PIPES`] pipes; both ends of each write their own
//! seeded stream in random-sized (sometimes vectored) writes, shut down their
//! writing side, and read the peer's stream to end-of-stream, comparing every
//! byte. The whole run sits under the watchdog, so a lost wake-up or deadlock
//! fails instead of hanging.

mod support;

use std::io::{self, IoSlice};
use std::sync::Arc;
use std::time::Duration;

use futures::executor::block_on;
use pipetap::{PipeBuilder, ReadHalf, WriteHalf};
use support::{seeded_bytes, watchdog_for, Door};

/// Pipes per round.
const PIPES: usize = 24;

/// A small deterministic generator for sizes and choices.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One end's plan: what it sends, what it must receive, how it writes.
struct Plan {
    label: String,
    send: Vec<u8>,
    expect: Vec<u8>,
    seed: u64,
}

fn rounds() -> usize {
    std::env::var("PIPETAP_STRESS_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

/// The chunks a writer offers: random sizes 1..=max, some split in 3 for a
/// vectored write.
fn chunks(data: &[u8], rng: &mut Rng) -> Vec<(usize, usize, Option<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let len = (1 + rng.below(700)).min(data.len() - at);
        let split = (rng.below(4) == 0).then(|| rng.below(len + 1));
        out.push((at, at + len, split));
        at += len;
    }
    out
}

/// Sends `plan.send` through `door` in random-sized (sometimes vectored)
/// writes, then shuts the write side.
async fn write_plan(door: Door, mut w: WriteHalf, plan: &Plan) -> io::Result<()> {
    let mut rng = Rng(plan.seed);
    for (start, end, split) in chunks(&plan.send, &mut rng) {
        let mut chunk = &plan.send[start..end];
        if let Some(s) = split {
            let s = s.min(chunk.len());
            let slices = [IoSlice::new(&chunk[..s]), IoSlice::new(&chunk[s..])];
            let n = door.write_vectored(&mut w, &slices).await?;
            chunk = &chunk[n..];
        }
        door.write_all(&mut w, chunk).await?;
    }
    match door {
        Door::Blocking => w.shutdown_write(),
        _ => door.close(&mut w).await,
    }
}

/// Reads through `door` in random-sized reads to end-of-stream and checks
/// every byte against `plan.expect`.
async fn read_plan(door: Door, mut r: ReadHalf, plan: &Plan) -> io::Result<()> {
    let mut got = Vec::with_capacity(plan.expect.len());
    let mut rng = Rng(plan.seed ^ 0xABCD);
    let mut buf = vec![0; 1024];
    loop {
        let want = 1 + rng.below(buf.len());
        match door.read(&mut r, &mut buf[..want]).await? {
            0 => break,
            n => got.extend_from_slice(&buf[..n]),
        }
    }
    check(&plan.label, &got, &plan.expect);
    Ok(())
}

#[track_caller]
fn check(label: &str, got: &[u8], expect: &[u8]) {
    if got != expect {
        let at = got.iter().zip(expect).position(|(a, b)| a != b);
        panic!(
            "{label}: received {} bytes, expected {}; first difference at {at:?}",
            got.len(),
            expect.len()
        );
    }
}

/// Many pipes, all doors and knobs, every byte checked; ends by itself.
#[test]
#[ignore = "soak test: PIPETAP_STRESS_ROUNDS=N cargo test --release --all-features --test pipe_stress -- --ignored"]
fn soak_many_pipes_all_doors_and_knobs() {
    let rounds = rounds();
    let limit = Duration::from_secs(60 + 60 * rounds as u64);
    watchdog_for(limit, move || {
        let doors = Door::compiled();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .expect("tokio runtime");
        for round in 0..rounds {
            let started = std::time::Instant::now();
            let mut rng = Rng(0x5EED_0000 + round as u64);
            let mut threads = Vec::new();
            let mut tasks = Vec::new();
            for p in 0..PIPES {
                let capacity = [0, 1, 7, pipetap::DEFAULT_CAPACITY][p % 4];
                let mut builder = PipeBuilder::new()
                    .capacity(capacity)
                    .name(format!("round {round} pipe {p}"));
                if rng.below(3) == 0 {
                    builder = builder.max_read_len(1 + rng.below(5));
                }
                if rng.below(3) == 0 {
                    builder = builder.max_write_len(1 + rng.below(5));
                }
                if rng.below(3) == 0 {
                    builder = builder.interleave_pending(true);
                }
                let config = format!("{builder:?}");
                let (a, b) = builder.build();
                let len = 1 + rng.below(24 * 1024);
                let data = [
                    seeded_bytes(rng.next(), len),
                    seeded_bytes(rng.next(), 1 + rng.below(24 * 1024)),
                ];
                for (side, end) in [a, b].into_iter().enumerate() {
                    let door = doors[rng.below(doors.len())];
                    let plan = Plan {
                        label: format!("{config} end {side} ({door:?})"),
                        send: data[side].clone(),
                        expect: data[1 - side].clone(),
                        seed: rng.next() | 1,
                    };
                    let (r, w) = end.into_split();
                    let plan = Arc::new(plan);
                    let p2 = plan.clone();
                    match door {
                        // A thread each: the blocking calls block inside
                        // `block_on`, whose future is then always ready.
                        Door::Blocking => {
                            threads.push(std::thread::spawn(move || {
                                block_on(write_plan(door, w, &p2))
                            }));
                            threads.push(std::thread::spawn(move || {
                                block_on(read_plan(door, r, &plan))
                            }));
                        }
                        // Both halves on one plain thread.
                        Door::Futures => threads.push(std::thread::spawn(move || {
                            block_on(async {
                                let (wr, rd) = futures::join!(
                                    write_plan(door, w, &p2),
                                    read_plan(door, r, &plan)
                                );
                                wr.and(rd)
                            })
                        })),
                        // Tasks on the multi-thread runtime.
                        Door::Tokio => {
                            tasks.push(rt.spawn(async move { write_plan(door, w, &p2).await }));
                            tasks.push(rt.spawn(async move { read_plan(door, r, &plan).await }));
                        }
                    }
                }
            }
            for t in threads {
                t.join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
                    .expect("blocking/futures end failed");
            }
            rt.block_on(async {
                for t in tasks {
                    t.await
                        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                        .expect("tokio end failed");
                }
            });
            eprintln!("round {round}: {:?}", started.elapsed());
        }
    });
}
