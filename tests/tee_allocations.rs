//! Zero allocations per write in steady state, for MultiWriter and TeeReader
//! on every front door, counted by a global allocator (per thread, so the test
//! harness and other threads cannot disturb the count).

mod common;
mod tee_mock;

mod alloc_counter;

use std::io::{IoSlice, Read, Write};

use alloc_counter::allocations;
use pipetap::{MultiWriter, TeeReader};
use tee_mock::{MockReader, MockWriter};

const ROUNDS: usize = 2_000;

fn steady_state_blocking(size: usize) {
    let data = vec![0xA5u8; size];
    let mut w = MultiWriter::new([Vec::with_capacity(64 * size), Vec::with_capacity(64 * size)]);
    let run = |w: &mut MultiWriter<Vec<u8>>| {
        for i in 0..ROUNDS {
            if i % 32 == 0 {
                w.get_mut().iter_mut().for_each(Vec::clear);
            }
            w.write_all(&data).unwrap();
            let half = size / 2;
            let n = w
                .write_vectored(&[IoSlice::new(&data[..half]), IoSlice::new(&data[half..])])
                .unwrap();
            assert_eq!(n, size);
        }
        w.flush().unwrap();
    };
    run(&mut w); // warm-up
    assert_eq!(
        allocations(|| run(&mut w)),
        0,
        "blocking MultiWriter, {size}-byte writes"
    );
}

#[cfg(any(feature = "futures", feature = "tokio"))]
/// Writers that are `Pending` on alternate calls and take short writes, so
/// every write holds a round in the internal buffer.
fn pending_writers(size: usize) -> MultiWriter<MockWriter> {
    let sink = |limit| {
        let mut m = MockWriter::new().limit(limit).alternate();
        m.data.reserve(64 * size);
        m
    };
    MultiWriter::new([sink(usize::MAX), sink(size / 3 + 1), sink(usize::MAX)])
}

#[cfg(any(feature = "futures", feature = "tokio"))]
fn steady_state_async(
    size: usize,
    name: &str,
    mut poll_write: impl FnMut(
        &mut MultiWriter<MockWriter>,
        &[u8],
    ) -> std::task::Poll<std::io::Result<usize>>,
    mut poll_flush: impl FnMut(&mut MultiWriter<MockWriter>) -> std::task::Poll<std::io::Result<()>>,
) {
    let data = vec![0x5Au8; size];
    let mut w = pending_writers(size);
    let mut run = |w: &mut MultiWriter<MockWriter>| {
        for i in 0..ROUNDS {
            if i % 32 == 0 {
                while poll_flush(w).is_pending() {}
                w.get_mut().iter_mut().for_each(|m| m.data.clear());
            }
            let mut pos = 0;
            while pos < data.len() {
                if let std::task::Poll::Ready(r) = poll_write(w, &data[pos..]) {
                    pos += r.unwrap();
                }
            }
        }
        while poll_flush(w).is_pending() {}
    };
    run(&mut w); // warm-up: the held buffer reaches its size
    assert_eq!(
        allocations(|| run(&mut w)),
        0,
        "{name} MultiWriter, {size}-byte writes"
    );
}

fn steady_state_tee_reader(size: usize) {
    let data = vec![0x3Cu8; 64 * size];
    let mut buf = vec![0u8; size];
    let mut w = MockWriter::new().limit(size / 3 + 1);
    w.blocking_hiccup = std::io::ErrorKind::WouldBlock;
    w.hiccups = vec![false, true];
    w.data.reserve(2 * data.len());
    let mut tee = TeeReader::new(MockReader::new(data), w);
    let mut run = |tee: &mut TeeReader<MockReader, MockWriter>| {
        tee.get_mut().0.pos = 0;
        tee.get_mut().1.data.clear();
        loop {
            match tee.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
    };
    run(&mut tee);
    assert_eq!(
        allocations(|| run(&mut tee)),
        0,
        "TeeReader, {size}-byte reads"
    );
}

/// `fill_buf` / `consume` mixed with reads through a buffered tee whose
/// writer short-writes and would block on alternate calls.
fn steady_state_buffered_tee(size: usize) {
    use std::io::BufRead;
    let data = vec![0x7Eu8; 64 * size];
    let mut buf = vec![0u8; size / 2];
    let mut w = MockWriter::new().limit(size / 3 + 1);
    w.blocking_hiccup = std::io::ErrorKind::WouldBlock;
    w.hiccups = vec![false, true];
    w.data.reserve(2 * data.len());
    let mut tee = TeeReader::new(
        std::io::BufReader::with_capacity(size, MockReader::new(data)),
        w,
    );
    type Tee = TeeReader<std::io::BufReader<MockReader>, MockWriter>;
    let mut run = |tee: &mut Tee| {
        tee.get_mut().0.get_mut().pos = 0;
        tee.get_mut().1.data.clear();
        for i in 0.. {
            let step = if i % 3 == 2 {
                tee.read(&mut buf)
            } else {
                tee.fill_buf().map(|b| b.len().div_ceil(2))
            };
            match step {
                Ok(0) => break,
                Ok(n) if i % 3 != 2 => tee.consume(n),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
    };
    run(&mut tee);
    assert_eq!(
        allocations(|| run(&mut tee)),
        0,
        "buffered TeeReader, {size}-byte buffer"
    );
}

#[test]
fn zero_allocations_per_write_in_steady_state() {
    common::watchdog(all_doors);
}

fn all_doors() {
    assert_eq!(
        allocations(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(10)))),
        1,
        "the counter counts"
    );
    for size in [64, 16 * 1024] {
        steady_state_blocking(size);
        steady_state_tee_reader(size);
        steady_state_buffered_tee(size);

        #[cfg(feature = "futures")]
        steady_state_async(
            size,
            "futures",
            |w, b| {
                let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
                futures::io::AsyncWrite::poll_write(std::pin::Pin::new(w), &mut cx, b)
            },
            |w| {
                let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
                futures::io::AsyncWrite::poll_flush(std::pin::Pin::new(w), &mut cx)
            },
        );

        #[cfg(feature = "tokio")]
        steady_state_async(
            size,
            "tokio",
            |w, b| {
                let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
                tokio::io::AsyncWrite::poll_write(std::pin::Pin::new(w), &mut cx, b)
            },
            |w| {
                let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
                tokio::io::AsyncWrite::poll_flush(std::pin::Pin::new(w), &mut cx)
            },
        );
    }
}
