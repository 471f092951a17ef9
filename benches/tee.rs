//! A 2-way `MultiWriter` into two `Vec<u8>` sinks versus writing the same
//! bytes to both sinks by hand, at 64 B and 16 KiB per write.
//!
//! Each iteration clears both sinks (their capacity is reused: no allocation
//! in the measured loop on either side) and then writes `CLEAR_EVERY` buffers.

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use pipetap::MultiWriter;

const CLEAR_EVERY: usize = 64;

fn tee(c: &mut Criterion) {
    let mut group = c.benchmark_group("tee_2way");
    for size in [64usize, 16 * 1024] {
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        // One iteration = clear both sinks, then `CLEAR_EVERY` writes of `size`
        // bytes (criterion's per-iteration overhead is then negligible).
        group.throughput(Throughput::Bytes((CLEAR_EVERY * size) as u64));

        group.bench_with_input(BenchmarkId::new("by_hand", size), &data, |b, data| {
            let mut a = Vec::with_capacity(CLEAR_EVERY * size);
            let mut z = Vec::with_capacity(CLEAR_EVERY * size);
            b.iter(|| {
                a.clear();
                z.clear();
                for _ in 0..CLEAR_EVERY {
                    a.write_all(black_box(data)).unwrap();
                    z.write_all(black_box(data)).unwrap();
                }
                black_box((&a, &z));
            });
        });

        group.bench_with_input(BenchmarkId::new("multi_writer", size), &data, |b, data| {
            let mut w = MultiWriter::new([
                Vec::with_capacity(CLEAR_EVERY * size),
                Vec::with_capacity(CLEAR_EVERY * size),
            ]);
            b.iter(|| {
                w.get_mut().iter_mut().for_each(Vec::clear);
                for _ in 0..CLEAR_EVERY {
                    w.write_all(black_box(data)).unwrap();
                }
                black_box(w.get_ref());
            });
        });
    }
    group.finish();
}

criterion_group!(benches, tee);

/// `TEE_AB=1 cargo bench --bench tee`: the same two loops, alternated in
/// blocks within one process, reporting the ratio of the fastest blocks. On a
/// loaded machine this is far steadier than two separate criterion runs.
fn interleaved() {
    for size in [64usize, 16 * 1024] {
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let n = if size == 64 { 200_000 } else { 2_000 };
        let mut a = Vec::with_capacity(CLEAR_EVERY * size);
        let mut z = Vec::with_capacity(CLEAR_EVERY * size);
        let mut w = MultiWriter::new([
            Vec::with_capacity(CLEAR_EVERY * size),
            Vec::with_capacity(CLEAR_EVERY * size),
        ]);
        let (mut hand_best, mut tee_best) = (f64::MAX, f64::MAX);
        for _ in 0..200 {
            let t = Instant::now();
            for i in 0..n {
                if i % CLEAR_EVERY == 0 {
                    a.clear();
                    z.clear();
                }
                a.write_all(black_box(&data)).unwrap();
                z.write_all(black_box(&data)).unwrap();
            }
            hand_best = hand_best.min(t.elapsed().as_secs_f64() / n as f64);
            let t = Instant::now();
            for i in 0..n {
                if i % CLEAR_EVERY == 0 {
                    w.get_mut().iter_mut().for_each(Vec::clear);
                }
                w.write_all(black_box(&data)).unwrap();
            }
            tee_best = tee_best.min(t.elapsed().as_secs_f64() / n as f64);
            black_box((&a, &z, w.get_ref()));
        }
        println!(
            "tee_2way/{size}: by_hand {:.2} ns, multi_writer {:.2} ns, ratio {:.3}",
            hand_best * 1e9,
            tee_best * 1e9,
            tee_best / hand_best
        );
    }
}

fn main() {
    if std::env::var_os("TEE_AB").is_some() {
        interleaved();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
