//! User code that panics while holding an end (in a thread, in a task, inside
//! a waker the pipe calls) never poisons or wedges the pipe for the other
//! side: the peer sees end-of-stream / `BrokenPipe` as documented, and what
//! should keep working keeps working.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::thread;

use support::watchdog;

#[test]
fn thread_panicking_with_end_gives_peer_data_then_eof() {
    watchdog(|| {
        let (a, mut b) = pipetap::pipe();
        let t = thread::spawn(move || {
            let mut a = a;
            a.write_all(b"partial").unwrap();
            panic!("user code failed while holding the end");
        });
        assert!(t.join().is_err());
        let mut got = Vec::new();
        b.read_to_end(&mut got).unwrap();
        assert_eq!(
            got, b"partial",
            "bytes written before the panic are delivered"
        );
        assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
        // The surviving end's controls still work: nothing is poisoned.
        b.set_nonblocking(true).unwrap();
        b.set_read_deadline(None).unwrap();
        assert!(format!("{b:?}").contains("PipeEnd"));
        assert!(b.is_peer_closed());
    });
}

#[test]
fn thread_panicking_with_shared_end_does_not_poison_it() {
    watchdog(|| {
        let (a, mut b) = pipetap::pipe();
        let a = Arc::new(a);
        let a2 = a.clone();
        let t = thread::spawn(move || {
            (&*a2).write_all(b"one").unwrap();
            let mut buf = [0; 3];
            (&*a2).read_exact(&mut buf).unwrap();
            panic!("user code failed after a read");
        });
        b.write_all(b"two").unwrap();
        assert!(t.join().is_err());
        // The end is still alive (the Arc) and fully usable from this thread.
        (&*a).write_all(b"three").unwrap();
        let mut got = [0; 8];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"onethree");
        b.write_all(b"!").unwrap();
        let mut buf = [0; 1];
        (&*a).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"!");
    });
}

#[test]
fn blocked_reader_is_woken_when_writer_thread_panics() {
    watchdog(|| {
        let (a, mut b) = pipetap::PipeBuilder::new().capacity(0).build();
        let reader = thread::spawn(move || {
            let mut got = Vec::new();
            b.read_to_end(&mut got).map(|_| got)
        });
        let writer = thread::spawn(move || {
            let mut a = a;
            a.write_all(b"abc").unwrap();
            panic!("writer failed");
        });
        assert!(writer.join().is_err());
        assert_eq!(reader.join().unwrap().unwrap(), b"abc");
    });
}

/// Tasks on a tokio runtime (a module of its own: tokio's extension traits
/// and std's `Read`/`Write` both name `read` and `write`).
#[cfg(feature = "tokio")]
mod tokio_tasks {
    use super::support;
    use std::io::ErrorKind;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn tokio_task_panicking_with_end_gives_peer_data_then_eof() {
        support::tokio_watchdog(|| async {
            let (mut a, mut b) = pipetap::PipeBuilder::new().capacity(4).build();
            let task = tokio::spawn(async move {
                a.write_all(b"hell").await.unwrap();
                a.write_all(b"o").await.unwrap();
                panic!("task failed while holding the end");
            });
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"hello");
            assert!(task.await.unwrap_err().is_panic());
            assert_eq!(
                b.write(b"x").await.unwrap_err().kind(),
                ErrorKind::BrokenPipe
            );
        });
    }

    #[test]
    fn tokio_task_panicking_with_read_half_leaves_write_half_working() {
        support::tokio_watchdog(|| async {
            let (a, mut b) = pipetap::PipeBuilder::new().capacity(16).build();
            let (mut rd, mut wr) = a.into_split();
            let task = tokio::spawn(async move {
                let mut buf = [0; 2];
                rd.read_exact(&mut buf).await.unwrap();
                panic!("reader task failed");
            });
            b.write_all(b"hi").await.unwrap();
            assert!(task.await.unwrap_err().is_panic());
            // The dead task's read side is shut: b's writes fail ...
            assert_eq!(
                b.write(b"x").await.unwrap_err().kind(),
                ErrorKind::BrokenPipe
            );
            // ... but the other half still talks to b.
            wr.write_all(b"still here").await.unwrap();
            drop(wr);
            let mut got = String::new();
            b.read_to_string(&mut got).await.unwrap();
            assert_eq!(got, "still here");
        });
    }
}

/// Wakers the pipe calls, on each async door compiled in.
#[cfg(any(feature = "futures", feature = "tokio"))]
mod wakers {
    use super::support::wakers::{CountingWaker, PanickingWaker};
    use super::support::{watchdog, Door};
    use rstest::rstest;
    use std::io::{ErrorKind, Read, Write};
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::task::{Context, Poll, Waker};

    fn poll_read(
        door: Door,
        end: &mut pipetap::PipeEnd,
        waker: &Waker,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        door.poll_read(end, &mut Context::from_waker(waker), buf)
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn panicking_waker_does_not_wedge_the_writer(#[case] door: Door) {
        watchdog(move || {
            let (mut a, mut b) = pipetap::pipe();
            let bad = PanickingWaker::waker();
            let mut buf = [0; 8];
            assert!(poll_read(door, &mut b, &bad, &mut buf).is_pending());
            // The writer's call delivers the bytes and reports them, whatever the
            // reader's waker does.
            let wrote = catch_unwind(AssertUnwindSafe(|| a.write(b"abc")));
            assert_eq!(
                wrote
                    .expect("a panicking waker reached the writer")
                    .unwrap(),
                3
            );
            a.write_all(b"def").unwrap();
            let (_, good) = CountingWaker::new();
            match poll_read(door, &mut b, &good, &mut buf) {
                Poll::Ready(Ok(6)) => assert_eq!(&buf[..6], b"abcdef"),
                other => panic!("expected the 6 bytes once, got {other:?}"),
            }
        });
    }

    /// Regression: a panicking waker of the peer's pending read made `close()`
    /// panic after shutting the write direction only, so the read direction was
    /// never shut (the peer's writes kept succeeding instead of `BrokenPipe`).
    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn panicking_waker_stopped_close_halfway(#[case] door: Door) {
        watchdog(move || {
            let (a, mut b) = pipetap::pipe();
            let bad = PanickingWaker::waker();
            let mut buf = [0; 8];
            assert!(poll_read(door, &mut b, &bad, &mut buf).is_pending());
            let closed = catch_unwind(AssertUnwindSafe(|| a.close()));
            assert!(closed.is_ok(), "close() panicked from the peer's waker");
            assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
            assert_eq!(b.read(&mut buf).unwrap(), 0);
        });
    }

    /// Regression: a panicking waker skipped the wake-ups after it, so another
    /// task pending on the pipe was never woken by `close()`.
    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn panicking_waker_swallowed_other_wakeups(#[case] door: Door) {
        watchdog(move || {
            let (mut a, mut b) = pipetap::pipe();
            let bad = PanickingWaker::waker();
            let (counter, good) = CountingWaker::new();
            let mut buf = [0; 8];
            assert!(poll_read(door, &mut b, &bad, &mut buf).is_pending());
            assert!(poll_read(door, &mut a, &good, &mut buf).is_pending());
            let _ = catch_unwind(AssertUnwindSafe(|| a.close()));
            assert_eq!(counter.count(), 1, "a's own pending read was not woken");
            assert_eq!(
                poll_read(door, &mut a, &good, &mut buf).map(|r| r.unwrap()),
                Poll::Ready(0)
            );
        });
    }

    /// A thread that panics while holding an end drops it while unwinding;
    /// if the peer's waker panicked out of that drop, the process would
    /// abort (a panic during a panic). It must not.
    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn panicking_waker_during_unwind_does_not_abort(#[case] door: Door) {
        watchdog(move || {
            let (a, mut b) = pipetap::pipe();
            let bad = PanickingWaker::waker();
            let mut buf = [0; 8];
            assert!(poll_read(door, &mut b, &bad, &mut buf).is_pending());
            let t = std::thread::spawn(move || {
                let _a = a;
                panic!("user code failed while holding the end");
            });
            assert!(t.join().is_err());
            assert_eq!(b.read(&mut buf).unwrap(), 0);
            assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
        });
    }
}
