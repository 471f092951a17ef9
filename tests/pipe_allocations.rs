//! Zero heap allocations per read and per write in steady state, on every
//! front door compiled in, counted by a per-thread counting allocator.

mod support;

use std::io::{IoSlice, Read, Write};

use pipetap::PipeBuilder;
use rstest::rstest;
use support::alloc::{allocations, assert_steady_state, Counting};
use support::watchdog;
#[cfg(any(feature = "futures", feature = "tokio"))]
use support::Door;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: usize = 1_000;

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(std::hint::black_box(vec![0u8; 16]))) >= 1);
}

#[rstest]
fn blocking_reads_and_writes_do_not_allocate(#[values(1, 7, 4096, 64 * 1024)] capacity: usize) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        // Nonblocking, so a full buffer answers `WouldBlock` (which must not
        // allocate either) instead of waiting for a reader on this thread.
        a.set_nonblocking(true).unwrap();
        let data = [7u8; 64];
        let mut buf = [0u8; 128];
        // The first write allocates the buffer: the warm-up round.
        assert_steady_state(&format!("capacity {capacity}"), ROUNDS, || {
            let n = a.write(&data).unwrap();
            let m = a
                .write_vectored(&[IoSlice::new(&[]), IoSlice::new(&data[..n.min(3)])])
                .unwrap_or(0);
            b.read_exact(&mut buf[..n + m]).unwrap();
            a.flush().unwrap();
        });
    });
}

/// The reader waits first through `wait` (registering its waker and, in a
/// rendezvous pipe, its demand), the writer hands bytes over through `write`,
/// and the reader takes them through `read`.
#[cfg(any(feature = "futures", feature = "tokio"))]
#[rstest]
#[cfg_attr(
    feature = "futures",
    case::futures(Door::Futures, Door::Futures, Door::Futures)
)]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio, Door::Tokio, Door::Tokio))]
#[cfg_attr(
    all(feature = "futures", feature = "tokio"),
    case::mixed(Door::Futures, Door::Tokio, Door::Tokio)
)]
fn async_reads_and_writes_including_pending_ones_do_not_allocate(
    #[case] wait: Door,
    #[case] write: Door,
    #[case] read: Door,
    #[values(0, 1, 64 * 1024)] capacity: usize,
) {
    use pipetap::PipeEnd;
    use std::task::{Context, Poll};
    use support::wakers::CountingWaker;
    watchdog(move || {
        let (_, waker) = CountingWaker::new();
        let mut cx = Context::from_waker(&waker);
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let data = [7u8; 64];
        let mut buf = [0u8; 64];
        let mut round = |a: &mut PipeEnd, b: &mut PipeEnd| {
            assert!(wait.poll_read(b, &mut cx, &mut buf).is_pending());
            // The futures door yields once after a long run of ready calls
            // by one task (cooperative scheduling): poll again then.
            let mut write_once = || write.poll_write(a, &mut cx, &data);
            let Poll::Ready(Ok(n)) = (match write_once() {
                Poll::Pending => write_once(),
                ready => ready,
            }) else {
                panic!("write did not complete");
            };
            let Poll::Ready(Ok(got)) = read.poll_read(b, &mut cx, &mut buf) else {
                panic!("read did not complete");
            };
            assert_eq!(got, n);
        };
        assert_steady_state(&format!("capacity {capacity}"), ROUNDS, || {
            round(&mut a, &mut b)
        });
    });
}

#[test]
fn a_blocking_exchange_with_another_thread_does_not_allocate_on_this_thread() {
    watchdog(|| {
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
        // Each round waits for the other thread (spinning, then sleeping).
        assert_steady_state("round trips", ROUNDS, || {
            a.write_all(&[2; 16]).unwrap();
            a.read_exact(&mut buf).unwrap();
        });
        drop(a);
        echo.join().unwrap();
    });
}
