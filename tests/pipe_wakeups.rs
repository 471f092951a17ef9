//! Wake-ups tested at poll level: a pending call is woken exactly when it can
//! make progress, never lost, and a dropped pending call loses and duplicates
//! nothing. Each runs on the futures and the tokio door.
#![cfg(all(feature = "futures", feature = "tokio"))]

mod common;

use std::future::Future;
use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::pin::Pin;
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, PipeEnd};
use rstest::rstest;
use tokio_test::task::spawn;
use tokio_test::{assert_pending, assert_ready};

#[derive(Clone, Copy, Debug)]
enum Door {
    Futures,
    Tokio,
}

type IoFuture<'a> = Pin<Box<dyn Future<Output = io::Result<usize>> + 'a>>;

fn read<'a>(door: Door, end: &'a mut PipeEnd, buf: &'a mut [u8]) -> IoFuture<'a> {
    match door {
        Door::Futures => Box::pin(futures::AsyncReadExt::read(end, buf)),
        Door::Tokio => Box::pin(tokio::io::AsyncReadExt::read(end, buf)),
    }
}

fn write<'a>(door: Door, end: &'a mut PipeEnd, buf: &'a [u8]) -> IoFuture<'a> {
    match door {
        Door::Futures => Box::pin(futures::AsyncWriteExt::write(end, buf)),
        Door::Tokio => Box::pin(tokio::io::AsyncWriteExt::write(end, buf)),
    }
}

fn close(door: Door, end: &mut PipeEnd) -> io::Result<()> {
    futures::executor::block_on(async {
        match door {
            Door::Futures => futures::AsyncWriteExt::close(end).await,
            Door::Tokio => tokio::io::AsyncWriteExt::shutdown(end).await,
        }
    })
}

/// Spins (yielding) until `cond` holds; fails the test after 10 s instead of
/// hanging.
#[track_caller]
fn wait_until(mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "condition never held: lost wake-up?"
        );
        std::thread::yield_now();
    }
}

#[rstest]
fn write_wakes_a_pending_read(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 1, 64)] capacity: usize,
) {
    let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
    let mut buf = [0; 8];
    let mut task = spawn(read(door, &mut a, &mut buf));
    assert_pending!(task.poll());
    assert!(!task.is_woken(), "woken with nothing to read: busy polling");
    if capacity == 0 {
        // The pending read has told the writer how much it wants.
        assert_eq!(b.write(b"hello world").unwrap(), 8);
    } else {
        b.write_all(b"h").unwrap();
    }
    assert!(task.is_woken());
    let n = assert_ready!(task.poll()).unwrap();
    assert!(n >= 1);
    drop(task);
    assert_eq!(buf[0], b'h');
}

#[rstest]
fn read_wakes_a_pending_write(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 1, 64)] capacity: usize,
) {
    let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
    let fill = vec![1; capacity];
    a.write_all(&fill).unwrap();
    let data = *b"x";
    let mut task = spawn(write(door, &mut a, &data));
    assert_pending!(task.poll());
    assert!(!task.is_woken());
    if capacity == 0 {
        // A reader arrives (nonblocking, so it only registers its demand by
        // waiting in a thread).
        let reader = std::thread::spawn(move || {
            let mut one = [0; 1];
            b.read_exact(&mut one).map(|_| one)
        });
        wait_until(|| task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 1);
        assert_eq!(&reader.join().unwrap().unwrap(), b"x");
    } else {
        b.read_exact(&mut [0; 1]).unwrap();
        assert!(task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 1);
    }
}

#[rstest]
fn peer_drop_and_shutdown_wake_pending_calls(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 4)] capacity: usize,
    #[values("drop", "close", "shutdown_write", "close_with_error")] how: &str,
) {
    let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
    let (mut c, d) = PipeBuilder::new().capacity(capacity).build();
    c.write_all(&vec![0; capacity]).unwrap();
    let mut buf = [0; 4];
    let mut reading = spawn(read(door, &mut a, &mut buf));
    let mut writing = spawn(write(door, &mut c, b"more"));
    assert_pending!(reading.poll());
    assert_pending!(writing.poll());
    match how {
        "drop" => drop((b, d)),
        "close" => {
            b.close().unwrap();
            d.close().unwrap();
        }
        "shutdown_write" => {
            close(door, &mut b).unwrap();
            d.shutdown(Shutdown::Read).unwrap();
        }
        _ => {
            b.close_with_error(ErrorKind::ConnectionReset).unwrap();
            d.close_with_error(ErrorKind::ConnectionReset).unwrap();
        }
    }
    assert!(reading.is_woken(), "{how} did not wake the pending read");
    assert!(writing.is_woken(), "{how} did not wake the pending write");
    let read_result = assert_ready!(reading.poll());
    if how == "close_with_error" {
        assert_eq!(read_result.unwrap_err().kind(), ErrorKind::ConnectionReset);
    } else {
        assert_eq!(read_result.unwrap(), 0);
    }
    assert_eq!(
        assert_ready!(writing.poll()).unwrap_err().kind(),
        ErrorKind::BrokenPipe
    );
}

#[rstest]
fn dropped_pending_read_loses_nothing(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 8)] capacity: usize,
) {
    let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
    let mut buf = [0; 3];
    let mut task = spawn(read(door, &mut a, &mut buf));
    assert_pending!(task.poll());
    drop(task);
    // In a rendezvous pipe the abandoned read had asked for 3 bytes; a writer
    // may hand them over, and they wait for the next read.
    assert_eq!(b.write(b"abc").unwrap(), 3);
    let mut got = [0; 8];
    assert_eq!(a.read(&mut got).unwrap(), 3);
    assert_eq!(&got[..3], b"abc");
}

#[rstest]
fn dropped_pending_write_delivers_and_duplicates_nothing(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 4)] capacity: usize,
) {
    let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
    a.write_all(&b"abcd"[..capacity]).unwrap();
    let mut task = spawn(write(door, &mut a, b"efgh"));
    assert_pending!(task.poll());
    drop(task);
    assert_eq!(b.unread_len(), capacity);
    drop(a);
    let mut got = Vec::new();
    b.read_to_end(&mut got).unwrap();
    assert_eq!(got, &b"abcd"[..capacity]);
}

#[rstest]
fn interleave_pending_yields_once_per_call_and_wakes_itself(
    #[values(Door::Futures, Door::Tokio)] door: Door,
) {
    let (mut a, mut b) = PipeBuilder::new().interleave_pending(true).build();
    {
        let mut task = spawn(write(door, &mut a, b"hi"));
        assert_pending!(task.poll());
        assert!(task.is_woken(), "the knob must arrange its own wake-up");
        assert_eq!(assert_ready!(task.poll()).unwrap(), 2);
    }
    let mut buf = [0; 2];
    let mut task = spawn(read(door, &mut b, &mut buf));
    assert_pending!(task.poll());
    assert!(task.is_woken());
    assert_eq!(assert_ready!(task.poll()).unwrap(), 2);
    drop(task);
    assert_eq!(&buf, b"hi");
    // Empty calls finish at once, knob or not ("a zero-length write returns
    // Ok(0) at once").
    assert_eq!(
        assert_ready!(spawn(write(door, &mut a, b"")).poll()).unwrap(),
        0
    );
    assert_eq!(
        assert_ready!(spawn(read(door, &mut b, &mut [])).poll()).unwrap(),
        0
    );
    // Blocking calls are not affected.
    a.write_all(b"x").unwrap();
    b.read_exact(&mut [0; 1]).unwrap();
}

#[rstest]
fn deadline_wakes_a_pending_read_without_a_runtime(
    #[values(Door::Futures, Door::Tokio)] door: Door,
) {
    common::watchdog(move || {
        let (mut a, _b) = PipeBuilder::new().build();
        let deadline = Instant::now() + Duration::from_millis(30);
        a.set_read_deadline(Some(deadline)).unwrap();
        let mut buf = [0; 1];
        let mut task = spawn(read(door, &mut a, &mut buf));
        assert_pending!(task.poll());
        // Nothing but the deadline timer can wake the task.
        wait_until(|| task.is_woken());
        assert!(Instant::now() >= deadline, "woken before the deadline");
        assert_eq!(
            assert_ready!(task.poll()).unwrap_err().kind(),
            ErrorKind::TimedOut
        );
    });
}

#[rstest]
fn deadline_set_between_async_calls_fails_the_next_one_at_once(
    #[values(Door::Futures, Door::Tokio)] door: Door,
) {
    let (a, _b) = PipeBuilder::new().build();
    let (mut rd, _wr) = a.into_split();
    let mut buf = [0; 1];
    let fut: IoFuture<'_> = match door {
        Door::Futures => Box::pin(futures::AsyncReadExt::read(&mut rd, &mut buf)),
        Door::Tokio => Box::pin(tokio::io::AsyncReadExt::read(&mut rd, &mut buf)),
    };
    let mut task = spawn(fut);
    assert_pending!(task.poll());
    assert!(!task.is_woken());
    drop(task);
    // Deadline set while no call waits, then a call: fails at once.
    rd.set_read_deadline(Some(Instant::now())).unwrap();
    let mut task = spawn(futures::AsyncReadExt::read(&mut rd, &mut buf));
    assert_eq!(
        assert_ready!(task.poll()).unwrap_err().kind(),
        ErrorKind::TimedOut
    );
}

/// A waker that polls again from inside `wake` must not deadlock: wakers are
/// called after the lock is released.
#[test]
fn waker_that_reenters_the_pipe_does_not_deadlock() {
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Wake, Waker};

    struct Reenter(Arc<Mutex<Option<PipeEnd>>>);
    impl Wake for Reenter {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            if let Some(end) = self.0.lock().unwrap().as_ref() {
                // Touch the same direction's lock from inside the wake.
                let _ = end.unread_len();
                let _ = format!("{end:?}");
            }
        }
    }
    common::watchdog(|| {
        let (a, mut b) = PipeBuilder::new().build();
        let slot = Arc::new(Mutex::new(None));
        let waker = Waker::from(Arc::new(Reenter(slot.clone())));
        let mut cx = Context::from_waker(&waker);
        let mut a = a;
        let mut buf = [0; 4];
        assert!(futures::AsyncRead::poll_read(Pin::new(&mut a), &mut cx, &mut buf).is_pending());
        *slot.lock().unwrap() = Some(a);
        b.write_all(b"wake").unwrap();
        let a = slot.lock().unwrap().take().unwrap();
        assert_eq!(a.unread_len(), 4);
    });
}
