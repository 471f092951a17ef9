//! User code that panics while holding an end (in a thread, in a task, inside
//! a waker the pipe calls) never poisons or wedges the pipe for the other
//! side: the peer sees end-of-stream / `BrokenPipe` as documented, and what
//! should keep working keeps working.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::thread;

use common::watchdog;

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
    use super::common;
    use std::io::ErrorKind;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn tokio_task_panicking_with_end_gives_peer_data_then_eof() {
        common::tokio_watchdog(|| async {
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
        common::tokio_watchdog(|| async {
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

/// Wakers the pipe calls (a module of its own: needs the `futures` door).
#[cfg(feature = "futures")]
mod wakers {
    use super::common::watchdog;
    use std::io::{ErrorKind, Read, Write};
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    /// A waker that panics when woken.
    struct PanickingWaker;

    impl Wake for PanickingWaker {
        fn wake(self: Arc<Self>) {
            panic!("waker panicked");
        }
    }

    /// A waker that counts its wake-ups.
    #[derive(Default)]
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll_read(
        end: &mut pipetap::PipeEnd,
        waker: &Waker,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        use futures::io::AsyncRead;
        std::pin::Pin::new(end).poll_read(&mut Context::from_waker(waker), buf)
    }

    #[test]
    fn panicking_waker_does_not_wedge_the_writer() {
        watchdog(|| {
            let (mut a, mut b) = pipetap::pipe();
            let bad = Waker::from(Arc::new(PanickingWaker));
            let mut buf = [0; 8];
            assert!(poll_read(&mut b, &bad, &mut buf).is_pending());
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
            let good = Waker::from(Arc::new(CountingWaker::default()));
            match poll_read(&mut b, &good, &mut buf) {
                Poll::Ready(Ok(6)) => assert_eq!(&buf[..6], b"abcdef"),
                other => panic!("expected the 6 bytes once, got {other:?}"),
            }
        });
    }

    /// Regression: a panicking waker of the peer's pending read made `close()`
    /// panic after shutting the write direction only, so the read direction was
    /// never shut (the peer's writes kept succeeding instead of `BrokenPipe`).
    #[test]
    fn panicking_waker_stopped_close_halfway() {
        watchdog(|| {
            let (a, mut b) = pipetap::pipe();
            let bad = Waker::from(Arc::new(PanickingWaker));
            let mut buf = [0; 8];
            assert!(poll_read(&mut b, &bad, &mut buf).is_pending());
            let closed = catch_unwind(AssertUnwindSafe(|| a.close()));
            assert!(closed.is_ok(), "close() panicked from the peer's waker");
            assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
            assert_eq!(b.read(&mut buf).unwrap(), 0);
        });
    }

    /// Regression: a panicking waker skipped the wake-ups after it, so another
    /// task pending on the pipe was never woken by `close()`.
    #[test]
    fn panicking_waker_swallowed_other_wakeups() {
        watchdog(|| {
            let (mut a, mut b) = pipetap::pipe();
            let bad = Waker::from(Arc::new(PanickingWaker));
            let counter = Arc::new(CountingWaker::default());
            let good = Waker::from(counter.clone());
            let mut buf = [0; 8];
            assert!(poll_read(&mut b, &bad, &mut buf).is_pending());
            assert!(poll_read(&mut a, &good, &mut buf).is_pending());
            let _ = catch_unwind(AssertUnwindSafe(|| a.close()));
            assert_eq!(
                counter.0.load(Ordering::SeqCst),
                1,
                "a's own pending read was not woken"
            );
            assert_eq!(
                poll_read(&mut a, &good, &mut buf).map(|r| r.unwrap()),
                Poll::Ready(0)
            );
        });
    }

    /// A thread that panics while holding an end drops it while unwinding;
    /// if the peer's waker panicked out of that drop, the process would
    /// abort (a panic during a panic). It must not.
    #[test]
    fn panicking_waker_during_unwind_does_not_abort() {
        watchdog(|| {
            let (a, mut b) = pipetap::pipe();
            let bad = Waker::from(Arc::new(PanickingWaker));
            let mut buf = [0; 8];
            assert!(poll_read(&mut b, &bad, &mut buf).is_pending());
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
