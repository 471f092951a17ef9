//! A 2-way `MultiWriter` into two `Vec<u8>` sinks versus writing the same
//! bytes to both sinks by hand, at 64 B and 16 KiB per write.
//!
//! Each iteration writes one buffer; the sinks are cleared every
//! `CLEAR_EVERY` writes so their capacity is reused (no allocation in the
//! measured loop on either side).

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pipetap::MultiWriter;

const CLEAR_EVERY: usize = 64;

fn tee(c: &mut Criterion) {
    let mut group = c.benchmark_group("tee_2way");
    for size in [64usize, 16 * 1024] {
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        group.throughput(Throughput::Bytes(size as u64));

        group.bench_with_input(BenchmarkId::new("by_hand", size), &data, |b, data| {
            let mut a = Vec::with_capacity(CLEAR_EVERY * size);
            let mut z = Vec::with_capacity(CLEAR_EVERY * size);
            let mut i = 0;
            b.iter(|| {
                if i % CLEAR_EVERY == 0 {
                    a.clear();
                    z.clear();
                }
                i += 1;
                a.write_all(black_box(data)).unwrap();
                z.write_all(black_box(data)).unwrap();
            });
            black_box((&a, &z));
        });

        group.bench_with_input(BenchmarkId::new("multi_writer", size), &data, |b, data| {
            let mut w = MultiWriter::new([
                Vec::with_capacity(CLEAR_EVERY * size),
                Vec::with_capacity(CLEAR_EVERY * size),
            ]);
            let mut i = 0;
            b.iter(|| {
                if i % CLEAR_EVERY == 0 {
                    w.get_mut().iter_mut().for_each(Vec::clear);
                }
                i += 1;
                w.write_all(black_box(data)).unwrap();
            });
            black_box(w.get_ref());
        });
    }
    group.finish();
}

criterion_group!(benches, tee);
criterion_main!(benches);
