//! pipetap's pipe side by side with `tokio::io::duplex` (and an OS socket pair
//! for the blocking case), in one run: one-way throughput, 64-byte round trips
//! on a current-thread runtime, and blocking round trips between two threads.
//! Results and ratios: BENCHMARKS.md.

use std::hint::black_box;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const CAPACITY: usize = 64 * 1024;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A zeroed buffer of `len` bytes starting on a 4 KiB page boundary.
fn page_aligned(len: usize) -> (Vec<u8>, usize) {
    let v = vec![0u8; len + 4096];
    let off = (4096 - v.as_ptr() as usize % 4096) % 4096;
    (v, off)
}

/// Moves `iters * chunk` bytes from a writer task to a reader task; returns
/// the time taken.
fn one_way<W, R>(
    rt: &tokio::runtime::Runtime,
    (mut w, mut r): (W, R),
    chunk: usize,
    aligned: bool,
    iters: u64,
) -> Duration
where
    W: AsyncWrite + Unpin + Send + 'static,
    R: AsyncRead + Unpin + Send + 'static,
{
    rt.block_on(async move {
        let total = chunk as u64 * iters;
        let reader = tokio::spawn(async move {
            let (mut store, off) = if aligned {
                page_aligned(CAPACITY)
            } else {
                (vec![0u8; CAPACITY], 0)
            };
            let buf = &mut store[off..off + CAPACITY];
            let mut got = 0u64;
            while got < total {
                let n = r.read(buf).await.unwrap();
                assert!(n > 0);
                got += n as u64;
            }
            black_box(&buf[0]);
        });
        let (store, off) = if aligned {
            page_aligned(chunk)
        } else {
            (vec![7u8; chunk], 0)
        };
        let data = &store[off..off + chunk];
        let start = Instant::now();
        for _ in 0..iters {
            w.write_all(data).await.unwrap();
        }
        reader.await.unwrap();
        start.elapsed()
    })
}

fn throughput(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("one_way");
    for (chunk, aligned) in [
        (64, false),
        (1024, false),
        (16 * 1024, false),
        (64 * 1024, true),
        (64 * 1024, false),
    ] {
        group.throughput(Throughput::Bytes(chunk as u64));
        let label = if chunk == 64 * 1024 {
            format!(
                "{chunk}{}",
                if aligned {
                    "_page_aligned"
                } else {
                    "_plain_vec"
                }
            )
        } else {
            chunk.to_string()
        };
        group.bench_with_input(BenchmarkId::new("pipetap", &label), &chunk, |b, &chunk| {
            b.iter_custom(|iters| {
                let (a, bb) = pipetap::PipeBuilder::new().capacity(CAPACITY).build();
                one_way(&rt, (a, bb), chunk, aligned, iters)
            })
        });
        group.bench_with_input(
            BenchmarkId::new("tokio_duplex", &label),
            &chunk,
            |b, &chunk| {
                b.iter_custom(|iters| {
                    let (a, bb) = tokio::io::duplex(CAPACITY);
                    one_way(&rt, (a, bb), chunk, aligned, iters)
                })
            },
        );
    }
    group.finish();
}

/// `iters` 64-byte round trips between two tasks on one current-thread runtime.
fn round_trips<S>(rt: &tokio::runtime::Runtime, (mut a, mut b): (S, S), iters: u64) -> Duration
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    rt.block_on(async move {
        let echo = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            for _ in 0..iters {
                b.read_exact(&mut buf).await.unwrap();
                b.write_all(&buf).await.unwrap();
            }
        });
        let mut buf = [1u8; 64];
        let start = Instant::now();
        for _ in 0..iters {
            a.write_all(&buf).await.unwrap();
            a.read_exact(&mut buf).await.unwrap();
        }
        let elapsed = start.elapsed();
        echo.await.unwrap();
        elapsed
    })
}

fn round_trip(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("round_trip_64B");
    group.bench_function("pipetap", |b| {
        b.iter_custom(|iters| round_trips(&rt, pipetap::pipe(), iters))
    });
    group.bench_function("tokio_duplex", |b| {
        b.iter_custom(|iters| round_trips(&rt, tokio::io::duplex(CAPACITY), iters))
    });
    group.finish();
}

/// `iters` 64-byte round trips between two threads over blocking IO.
fn blocking_round_trips<S>(mut a: S, mut b: S, iters: u64) -> Duration
where
    S: Read + Write + Send + 'static,
{
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..iters {
            b.read_exact(&mut buf).unwrap();
            b.write_all(&buf).unwrap();
        }
    });
    let mut buf = [1u8; 64];
    let start = Instant::now();
    for _ in 0..iters {
        a.write_all(&buf).unwrap();
        a.read_exact(&mut buf).unwrap();
    }
    let elapsed = start.elapsed();
    echo.join().unwrap();
    elapsed
}

fn blocking_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("blocking_round_trip_64B");
    group.bench_function("pipetap", |b| {
        b.iter_custom(|iters| {
            let (x, y) = pipetap::pipe();
            blocking_round_trips(x, y, iters)
        })
    });
    group.bench_function("unix_socketpair", |b| {
        b.iter_custom(|iters| {
            let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
            blocking_round_trips(x, y, iters)
        })
    });
    group.finish();
}

criterion_group!(benches, throughput, round_trip, blocking_round_trip);
criterion_main!(benches);
