//! Cost of recording writes: a `Recording` around a sink vs the bare sink.
//!
//! The sink is a `Vec<u8>` cleared every `FLUSH_BYTES`, so the bare case does
//! one copy per write like a real in-memory connection; the recording adds one
//! lock, one copy onto the tape and one offset push. The tape is cleared at the
//! same period, so its capacity is reused (the steady state of a long test).
//! `io::sink()` (no copy at all) is shown too, as the absolute floor.

use std::hint::black_box;
use std::io::{self, Read, Write};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pipetap::{RecordExt, Recording};

/// Clear the sink (and the tape) after this many bytes.
const FLUSH_BYTES: usize = 256 << 10;

/// A `Vec` sink that forgets its contents every `FLUSH_BYTES`.
struct VecSink(Vec<u8>);

impl Write for VecSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0.len() + buf.len() > FLUSH_BYTES {
            self.0.clear();
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn writes(c: &mut Criterion) {
    for size in [64usize, 16 * 1024] {
        let data = vec![0xa5u8; size];
        let label = if size >= 1024 {
            format!("{}KiB", size / 1024)
        } else {
            format!("{size}B")
        };
        let mut group = c.benchmark_group(format!("write_{label}"));
        group.throughput(Throughput::Bytes(size as u64));

        group.bench_function(BenchmarkId::new("bare", "vec"), |b| {
            let mut sink = VecSink(Vec::with_capacity(FLUSH_BYTES));
            b.iter(|| sink.write(black_box(&data)).unwrap());
        });

        group.bench_function(BenchmarkId::new("recorded", "vec"), |b| {
            let (mut conn, tape) = VecSink(Vec::with_capacity(FLUSH_BYTES)).record();
            let mut written = 0;
            b.iter(|| {
                // Counted here rather than with `tape.len()`, which takes the lock.
                written += size;
                if written > FLUSH_BYTES {
                    tape.clear();
                    written = size;
                }
                conn.write(black_box(&data)).unwrap()
            });
        });

        // The comparison: a pipe end written (and its peer drained)
        // bare, and the same through a recording.
        group.bench_function(BenchmarkId::new("bare", "pipe"), |b| {
            let (mut w, mut r) = pipetap::pipe();
            let mut buf = vec![0u8; size];
            b.iter(|| {
                let n = w.write(black_box(&data)).unwrap();
                r.read_exact(&mut buf[..n]).unwrap();
                n
            });
        });

        group.bench_function(BenchmarkId::new("recorded", "pipe"), |b| {
            let (w, mut r) = pipetap::pipe();
            let (mut conn, tape) = w.record();
            let mut buf = vec![0u8; size];
            let mut written = 0;
            b.iter(|| {
                written += size;
                if written > FLUSH_BYTES {
                    tape.clear();
                    written = size;
                }
                let n = conn.write(black_box(&data)).unwrap();
                r.read_exact(&mut buf[..n]).unwrap();
                n
            });
        });

        // The floor for any recorder: the bare pipe plus a hand-written copy of
        // each write into a side `Vec` cleared at the same period.
        group.bench_function(BenchmarkId::new("hand_copied", "pipe"), |b| {
            let (mut w, mut r) = pipetap::pipe();
            let mut buf = vec![0u8; size];
            let mut side: Vec<u8> = Vec::with_capacity(FLUSH_BYTES);
            b.iter(|| {
                if side.len() + size > FLUSH_BYTES {
                    side.clear();
                }
                let n = w.write(black_box(&data)).unwrap();
                side.extend_from_slice(&data[..n]);
                r.read_exact(&mut buf[..n]).unwrap();
                n
            });
        });

        group.bench_function(BenchmarkId::new("bare", "io_sink"), |b| {
            let mut sink = io::sink();
            b.iter(|| sink.write(black_box(&data)).unwrap());
        });

        group.bench_function(BenchmarkId::new("recorded", "io_sink"), |b| {
            let mut conn = Recording::new(io::sink());
            let tape = conn.tape();
            let mut written = 0;
            b.iter(|| {
                // Counted here rather than with `tape.len()`, which takes the lock.
                written += size;
                if written > FLUSH_BYTES {
                    tape.clear();
                    written = size;
                }
                conn.write(black_box(&data)).unwrap()
            });
        });
        group.finish();
    }
}

criterion_group!(benches, writes);
criterion_main!(benches);
