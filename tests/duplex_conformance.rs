//! tokio's own tests for `tokio::io::duplex`, run on pipetap as conformance
//! tests (reworded; same behaviours): ping-pong, across tasks, disconnect,
//! disconnect of the reader, write size limited by capacity, and
//! cooperative scheduling. Every scenario runs on each applicable front door;
//! the two peers run concurrently (threads for the blocking and futures
//! doors, tasks for tokio), under a watchdog.
#![cfg(all(feature = "futures", feature = "tokio"))]

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use pipetap::{PipeBuilder, PipeEnd};
use rstest::rstest;
use support::{watchdog, Door};

/// Runs one door call to completion on the calling thread: tokio calls on a
/// current-thread runtime of their own, the others on `futures`' executor
/// (a blocking call is ready at its first poll).
fn run<F: std::future::Future>(door: Door, call: F) -> F::Output {
    match door {
        Door::Tokio => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(call),
        _ => futures::executor::block_on(call),
    }
}

/// Runs `a` and `b` on two threads, each with its own end of a pipe of
/// `capacity`, and waits for both under the watchdog.
fn peers(
    capacity: usize,
    a: impl FnOnce(PipeEnd) + Send + 'static,
    b: impl FnOnce(PipeEnd) + Send + 'static,
) {
    watchdog(move || {
        let (ea, eb) = PipeBuilder::new().capacity(capacity).build();
        let ta = std::thread::spawn(move || a(ea));
        let tb = std::thread::spawn(move || b(eb));
        let (ra, rb) = (ta.join(), tb.join());
        if let Err(p) = ra {
            std::panic::resume_unwind(p);
        }
        if let Err(p) = rb {
            std::panic::resume_unwind(p);
        }
    });
}

#[rstest]
fn ping_pong(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(32).build();
        let mut buf = [0u8; 4];
        run(door, door.write_all(&mut a, b"ping")).unwrap();
        run(door, door.read_exact(&mut b, &mut buf)).unwrap();
        assert_eq!(&buf, b"ping");
        run(door, door.write_all(&mut b, b"pong")).unwrap();
        run(door, door.read_exact(&mut a, &mut buf)).unwrap();
        assert_eq!(&buf, b"pong");
    });
}

#[rstest]
fn across_tasks(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door_a: Door,
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door_b: Door,
) {
    peers(
        32,
        move |mut a| {
            run(door_a, door_a.write_all(&mut a, b"ping")).unwrap();
            let mut buf = [0u8; 4];
            run(door_a, door_a.read_exact(&mut a, &mut buf)).unwrap();
            assert_eq!(&buf, b"pong");
        },
        move |mut b| {
            let mut buf = [0u8; 4];
            run(door_b, door_b.read_exact(&mut b, &mut buf)).unwrap();
            assert_eq!(&buf, b"ping");
            run(door_b, door_b.write_all(&mut b, b"pong")).unwrap();
        },
    );
}

#[rstest]
fn disconnect(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
    #[values(32, 0)] capacity: usize,
) {
    peers(
        capacity,
        move |mut a| {
            run(door, door.write_all(&mut a, b"ping")).unwrap();
            // ... and dropped.
        },
        move |mut b| {
            let mut buf = [0u8; 32];
            let n = run(door, door.read(&mut b, &mut buf)).unwrap();
            assert_eq!(&buf[..n], b"ping");
            assert_eq!(run(door, door.read(&mut b, &mut buf)).unwrap(), 0);
        },
    );
}

#[rstest]
fn disconnect_reader(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    // The writer blocks (4 bytes do not fit in 2) until the reader's end is
    // dropped, then fails.
    peers(2, drop, move |mut b| {
        let err = run(door, door.write_all(&mut b, b"ping")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[rstest]
fn max_write_size(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    // The reader keeps its end until the writer is done: dropping it would
    // make the second write fail with `BrokenPipe` instead.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    peers(
        32,
        move |mut a| {
            assert_eq!(run(door, door.write(&mut a, &[0u8; 64])).unwrap(), 32);
            // Waits for the reader, which frees 4 bytes.
            assert_eq!(run(door, door.write(&mut a, &[0u8; 64])).unwrap(), 4);
            done_tx.send(()).unwrap();
        },
        move |mut b| {
            let mut buf = [0u8; 4];
            run(door, door.read_exact(&mut b, &mut buf)).unwrap();
            done_rx.recv().unwrap();
        },
    );
}

// ---- cooperative scheduling ----

/// Writes and reads on an always-ready pipe forever, on the tokio door.
async fn busy_tokio(mut tx: PipeEnd, mut rx: PipeEnd) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        AsyncWriteExt::write_all(&mut tx, &[7; 512]).await.unwrap();
        let mut buf = [0; 512];
        AsyncReadExt::read_exact(&mut rx, &mut buf).await.unwrap();
    }
}

fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("tokio runtime")
}

/// tokio's `duplex_is_cooperative`: a biased `select!` between a busy loop
/// and `yield_now` finishes, because the loop runs out of budget and yields.
#[rstest]
fn tokio_door_is_cooperative(#[values(false, true)] multi_thread: bool) {
    watchdog(move || {
        runtime(multi_thread).block_on(async {
            let (tx, rx) = PipeBuilder::new().capacity(8 << 10).build();
            tokio::select! {
                biased;
                _ = busy_tokio(tx, rx) => unreachable!("the busy loop never ends"),
                _ = tokio::task::yield_now() => {}
            }
        });
    });
}

/// A `timeout` around busy code fires: the user's safety net works.
#[rstest]
fn tokio_timeout_around_busy_loop_fires(#[values(false, true)] multi_thread: bool) {
    watchdog(move || {
        runtime(multi_thread).block_on(async {
            let (tx, rx) = PipeBuilder::new().capacity(8 << 10).build();
            let outcome = tokio::time::timeout(Duration::from_millis(50), busy_tokio(tx, rx)).await;
            assert!(outcome.is_err(), "the timeout must fire");
        });
    });
}

/// The same busy loop on the futures door.
async fn busy_futures(mut tx: PipeEnd, mut rx: PipeEnd) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    loop {
        AsyncWriteExt::write_all(&mut tx, &[7; 512]).await.unwrap();
        let mut buf = [0; 512];
        AsyncReadExt::read_exact(&mut rx, &mut buf).await.unwrap();
    }
}

/// A future that is `Pending` once (waking itself), then ready: like
/// `yield_now`, on any executor.
fn yield_once() -> impl std::future::Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

/// The futures-executor twin of `duplex_is_cooperative`: `futures::select!`
/// gets to poll its other branch because the busy loop yields.
#[test]
fn futures_door_is_cooperative() {
    use futures::FutureExt;
    watchdog(|| {
        futures::executor::block_on(async {
            let (tx, rx) = PipeBuilder::new().capacity(8 << 10).build();
            let busy = busy_futures(tx, rx).fuse();
            let other = yield_once().fuse();
            futures::pin_mut!(busy, other);
            futures::select_biased! {
                _ = busy => unreachable!("the busy loop never ends"),
                _ = other => {}
            }
        });
    });
}

/// A timeout-style race on the futures executor: a deadline watched by a
/// thread ends the busy loop.
#[test]
fn futures_timeout_around_busy_loop_fires() {
    use futures::FutureExt;
    watchdog(|| {
        let (fired_tx, fired_rx) = futures::channel::oneshot::channel::<()>();
        let timer = std::thread::spawn(move || {
            // A timer, not synchronisation: the race is what is tested.
            std::thread::sleep(Duration::from_millis(50));
            let _ = fired_tx.send(());
        });
        futures::executor::block_on(async {
            let (tx, rx) = PipeBuilder::new().capacity(8 << 10).build();
            let busy = busy_futures(tx, rx).fuse();
            let mut fired = fired_rx.fuse();
            futures::pin_mut!(busy);
            futures::select! {
                _ = busy => unreachable!("the busy loop never ends"),
                _ = fired => {}
            }
        });
        timer.join().unwrap();
    });
}
