//! A held or delayed direction allocates nothing per write (API.md section
//! 7), on the blocking and the async doors, counted by a per-thread counting
//! allocator once the direction's fault state exists.

mod support;

use std::io::{Read, Write};
use std::task::{Context, Poll};
use std::time::Duration;

use pipetap::PipeBuilder;
use rstest::rstest;
use support::alloc::{assert_steady_state, Counting};
use support::wakers::CountingWaker;
use support::{watchdog, Door};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: usize = 500;

#[rstest]
fn holding_writing_and_releasing_does_not_allocate(#[values(1, 64, 64 * 1024)] capacity: usize) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        a.set_nonblocking(true).unwrap();
        b.set_nonblocking(true).unwrap();
        let data = [7u8; 64];
        let mut buf = [0u8; 64];
        assert_steady_state(&format!("capacity {capacity}"), ROUNDS, || {
            a.hold().unwrap();
            let n = a.write(&data).unwrap();
            assert!(b.read(&mut buf).is_err(), "held");
            a.release().unwrap();
            b.read_exact(&mut buf[..n]).unwrap();
        });
    });
}

#[rstest]
fn delayed_and_paced_blocking_writes_do_not_allocate(
    #[values(0, 64 * 1024)] capacity: usize,
    #[values(false, true)] paced: bool,
) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        a.set_latency(Some(Duration::from_micros(50))).unwrap();
        if paced {
            a.set_bandwidth(Some(64_000_000)).unwrap();
        }
        let data = [7u8; 64];
        let mut buf = [0u8; 64];
        if capacity == 0 {
            // A rendezvous needs a reader on another thread.
            let echo = std::thread::spawn(move || {
                let mut buf = [0u8; 64];
                while b.read_exact(&mut buf).is_ok() {}
            });
            assert_steady_state("rendezvous", ROUNDS, || a.write_all(&data).unwrap());
            drop(a);
            echo.join().unwrap();
        } else {
            assert_steady_state("buffered", ROUNDS, || {
                a.write_all(&data).unwrap();
                b.read_exact(&mut buf).unwrap();
            });
        }
    });
}

#[cfg(any(feature = "futures", feature = "tokio"))]
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn delayed_async_reads_that_wait_for_their_bytes_do_not_allocate(#[case] door: Door) {
    watchdog(move || {
        let (_, waker) = CountingWaker::new();
        let mut cx = Context::from_waker(&waker);
        let (mut a, mut b) = PipeBuilder::new().build();
        a.set_latency(Some(Duration::from_micros(50))).unwrap();
        let data = [7u8; 64];
        let mut buf = [0u8; 64];
        let mut round = || {
            // The futures door yields once after a long run of ready calls
            // by one task (cooperative scheduling): poll again then.
            let written = match door.poll_write(&mut a, &mut cx, &data) {
                Poll::Pending => door.poll_write(&mut a, &mut cx, &data),
                ready => ready,
            };
            assert!(matches!(written, Poll::Ready(Ok(64))));
            // Pending until the bytes arrive (the clock's timer wakes the
            // task); polled again until they have.
            loop {
                match door.poll_read(&mut b, &mut cx, &mut buf) {
                    Poll::Ready(Ok(n)) => {
                        assert_eq!(n, 64);
                        break;
                    }
                    Poll::Ready(Err(e)) => panic!("{e}"),
                    Poll::Pending => std::hint::spin_loop(),
                }
            }
        };
        // The clock's timer queue grows to its working size first.
        for _ in 0..ROUNDS {
            round();
        }
        assert_steady_state("latency", ROUNDS, round);
    });
}
