//! Zero heap allocations per read and per write in steady state, on every
//! front door, counted by a per-thread counting allocator.
#![cfg(all(feature = "futures", feature = "tokio"))]

mod alloc_counter;
mod common;

use std::io::{IoSlice, Read, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use alloc_counter::allocations;
use pipetap::{PipeBuilder, PipeEnd};

const ROUNDS: usize = 1_000;

/// A waker whose clones are reference-count bumps, like a runtime's.
struct CountingWaker;
impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {}
}

fn waker() -> Waker {
    Waker::from(Arc::new(CountingWaker))
}

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(vec![0u8; 16])) >= 1);
}

#[test]
fn blocking_reads_and_writes_do_not_allocate() {
    common::watchdog(blocking_rounds);
}

fn blocking_rounds() {
    for capacity in [1usize, 7, 4096, 64 * 1024] {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        // Nonblocking, so a full buffer answers `WouldBlock` (which must not
        // allocate either) instead of waiting for a reader on this thread.
        a.set_nonblocking(true).unwrap();
        let data = [7u8; 64];
        let mut buf = [0u8; 128];
        let mut round = |a: &mut PipeEnd, b: &mut PipeEnd| {
            let n = a.write(&data).unwrap();
            let m = a
                .write_vectored(&[IoSlice::new(&[]), IoSlice::new(&data[..n.min(3)])])
                .unwrap_or(0);
            b.read_exact(&mut buf[..n + m]).unwrap();
            a.flush().unwrap();
        };
        round(&mut a, &mut b); // the first write allocates the buffer
        let n = allocations(|| {
            for _ in 0..ROUNDS {
                round(&mut a, &mut b);
            }
        });
        assert_eq!(
            n, 0,
            "capacity {capacity}: {n} allocations in {ROUNDS} rounds"
        );
    }
}

#[test]
fn async_reads_and_writes_including_pending_ones_do_not_allocate() {
    common::watchdog(async_rounds);
}

fn async_rounds() {
    let waker = waker();
    let mut cx = Context::from_waker(&waker);
    for capacity in [0usize, 1, 64 * 1024] {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let data = [7u8; 64];
        let mut buf = [0u8; 64];
        let mut round = |a: &mut PipeEnd, b: &mut PipeEnd| {
            // The reader waits first (registering its waker and, in a
            // rendezvous pipe, its demand), then the writer hands bytes over.
            assert!(
                futures::AsyncRead::poll_read(Pin::new(&mut *b), &mut cx, &mut buf).is_pending()
            );
            let Poll::Ready(Ok(n)) =
                tokio::io::AsyncWrite::poll_write(Pin::new(&mut *a), &mut cx, &data)
            else {
                panic!("write did not complete");
            };
            let mut rb = tokio::io::ReadBuf::new(&mut buf);
            let Poll::Ready(Ok(())) =
                tokio::io::AsyncRead::poll_read(Pin::new(&mut *b), &mut cx, &mut rb)
            else {
                panic!("read did not complete");
            };
            assert_eq!(rb.filled().len(), n);
        };
        round(&mut a, &mut b);
        let n = allocations(|| {
            for _ in 0..ROUNDS {
                round(&mut a, &mut b);
            }
        });
        assert_eq!(
            n, 0,
            "capacity {capacity}: {n} allocations in {ROUNDS} rounds"
        );
    }
}

#[test]
fn a_blocking_exchange_with_another_thread_does_not_allocate_on_this_thread() {
    common::watchdog(exchange_rounds);
}

fn exchange_rounds() {
    let (mut a, b) = PipeBuilder::new().capacity(16).build();
    let echo = std::thread::spawn(move || {
        let mut b = b;
        let mut buf = [0u8; 64];
        loop {
            match b.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => b.write_all(&buf[..n]).unwrap(),
            }
        }
    });
    let mut buf = [0u8; 16];
    a.write_all(&[1; 16]).unwrap();
    a.read_exact(&mut buf).unwrap();
    // Each round waits for the other thread (spinning, then sleeping).
    let n = allocations(|| {
        for _ in 0..ROUNDS {
            a.write_all(&[2; 16]).unwrap();
            a.read_exact(&mut buf).unwrap();
        }
    });
    drop(a);
    echo.join().unwrap();
    assert_eq!(n, 0, "{n} allocations in {ROUNDS} round trips");
}
