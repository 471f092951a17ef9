//! Wake-ups tested at poll level: a pending call is woken exactly when it can
//! make progress, never lost, and a dropped pending call loses and duplicates
//! nothing. Each runs on the async doors compiled in (futures, tokio), and
//! under the watchdog.
#![cfg(any(feature = "futures", feature = "tokio"))]

mod support;

use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, PipeEnd};
use rstest::rstest;
use support::{wait_until, watchdog, Door};
use tokio_test::task::spawn;
use tokio_test::{assert_pending, assert_ready};

/// Blocks on `door`'s close (a pipe's close never waits).
fn close(door: Door, end: &mut PipeEnd) -> io::Result<()> {
    futures::executor::block_on(door.close(end))
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn write_wakes_a_pending_read(#[case] door: Door, #[values(0, 1, 64)] capacity: usize) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let mut buf = [0; 8];
        let mut task = spawn(door.read(&mut a, &mut buf));
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
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn read_wakes_a_pending_write(#[case] door: Door, #[values(0, 1, 64)] capacity: usize) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let fill = vec![1; capacity];
        a.write_all(&fill).unwrap();
        let data = *b"x";
        let mut task = spawn(door.write(&mut a, &data));
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
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn peer_drop_and_shutdown_wake_pending_calls(
    #[case] door: Door,
    #[values(0, 4)] capacity: usize,
    #[values("drop", "close", "shutdown_write", "close_with_error")] how: &'static str,
) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let (mut c, d) = PipeBuilder::new().capacity(capacity).build();
        c.write_all(&vec![0; capacity]).unwrap();
        let mut buf = [0; 4];
        let mut reading = spawn(door.read(&mut a, &mut buf));
        let mut writing = spawn(door.write(&mut c, b"more"));
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
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn dropped_pending_read_loses_nothing(#[case] door: Door, #[values(0, 8)] capacity: usize) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let mut buf = [0; 3];
        let mut task = spawn(door.read(&mut a, &mut buf));
        assert_pending!(task.poll());
        drop(task);
        // In a rendezvous pipe the abandoned read had asked for 3 bytes; a writer
        // may hand them over, and they wait for the next read.
        assert_eq!(b.write(b"abc").unwrap(), 3);
        let mut got = [0; 8];
        assert_eq!(a.read(&mut got).unwrap(), 3);
        assert_eq!(&got[..3], b"abc");
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn dropped_pending_write_delivers_and_duplicates_nothing(
    #[case] door: Door,
    #[values(0, 4)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        a.write_all(&b"abcd"[..capacity]).unwrap();
        let mut task = spawn(door.write(&mut a, b"efgh"));
        assert_pending!(task.poll());
        drop(task);
        assert_eq!(b.unread_len(), capacity);
        drop(a);
        let mut got = Vec::new();
        b.read_to_end(&mut got).unwrap();
        assert_eq!(got, &b"abcd"[..capacity]);
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn interleave_pending_yields_once_per_call_and_wakes_itself(#[case] door: Door) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().interleave_pending(true).build();
        {
            let mut task = spawn(door.write(&mut a, b"hi"));
            assert_pending!(task.poll());
            assert!(task.is_woken(), "the knob must arrange its own wake-up");
            assert_eq!(assert_ready!(task.poll()).unwrap(), 2);
        }
        let mut buf = [0; 2];
        let mut task = spawn(door.read(&mut b, &mut buf));
        assert_pending!(task.poll());
        assert!(task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 2);
        drop(task);
        assert_eq!(&buf, b"hi");
        // Empty calls finish at once, knob or not ("a zero-length write returns
        // Ok(0) at once").
        assert_eq!(
            assert_ready!(spawn(door.write(&mut a, b"")).poll()).unwrap(),
            0
        );
        assert_eq!(
            assert_ready!(spawn(door.read(&mut b, &mut [])).poll()).unwrap(),
            0
        );
        // Blocking calls are not affected.
        a.write_all(b"x").unwrap();
        b.read_exact(&mut [0; 1]).unwrap();
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn deadline_wakes_a_pending_read_without_a_runtime(#[case] door: Door) {
    watchdog(move || {
        let (mut a, _b) = PipeBuilder::new().build();
        let deadline = Instant::now() + Duration::from_millis(30);
        a.set_read_deadline(Some(deadline)).unwrap();
        let mut buf = [0; 1];
        let mut task = spawn(door.read(&mut a, &mut buf));
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
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn deadline_set_between_async_calls_fails_the_next_one_at_once(#[case] door: Door) {
    watchdog(move || {
        let (a, _b) = PipeBuilder::new().build();
        let (mut rd, _wr) = a.into_split();
        let mut buf = [0; 1];
        let mut task = spawn(door.read(&mut rd, &mut buf));
        assert_pending!(task.poll());
        assert!(!task.is_woken());
        drop(task);
        // Deadline set while no call waits, then a call: fails at once.
        rd.set_read_deadline(Some(Instant::now())).unwrap();
        let mut task = spawn(door.read(&mut rd, &mut buf));
        assert_eq!(
            assert_ready!(task.poll()).unwrap_err().kind(),
            ErrorKind::TimedOut
        );
    });
}

/// A waker that polls again from inside `wake` must not deadlock: wakers are
/// called after the lock is released.
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn waker_that_reenters_the_pipe_does_not_deadlock(#[case] door: Door) {
    watchdog(move || {
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
        watchdog(move || {
            let (a, mut b) = PipeBuilder::new().build();
            let slot = Arc::new(Mutex::new(None));
            let waker = Waker::from(Arc::new(Reenter(slot.clone())));
            let mut cx = Context::from_waker(&waker);
            let mut a = a;
            let mut buf = [0; 4];
            assert!(door.poll_read(&mut a, &mut cx, &mut buf).is_pending());
            *slot.lock().unwrap() = Some(a);
            b.write_all(b"wake").unwrap();
            let a = slot.lock().unwrap().take().unwrap();
            assert_eq!(a.unread_len(), 4);
        });
    });
}

/// An async write that finds a *thread* blocked in the peer's read wakes it
/// (the async doors' fast path only ever wakes a task, so it must hand such a
/// call to the general path).
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn async_write_wakes_a_thread_blocked_in_read(
    #[case] door: Door,
    #[values(0, 1, 64)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let reader = std::thread::spawn(move || {
            let mut got = [0; 1];
            b.read_exact(&mut got).map(|()| got)
        });
        wait_until(|| format!("{a:?}").contains("reader_waiting: \"thread\""));
        let mut task = spawn(door.write(&mut a, b"z"));
        assert_eq!(assert_ready!(task.poll()).unwrap(), 1);
        assert_eq!(&reader.join().unwrap().unwrap(), b"z");
    });
}

/// An async read that frees room wakes a *thread* blocked in the peer's
/// write (see `async_write_wakes_a_thread_blocked_in_read`).
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn async_read_wakes_a_thread_blocked_in_write(
    #[case] door: Door,
    #[values(1, 64)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = PipeBuilder::new().capacity(capacity).build();
        let sent: Vec<u8> = (0..=u8::MAX).cycle().take(capacity + 3).collect();
        let writer = {
            let sent = sent.clone();
            std::thread::spawn(move || a.write_all(&sent).map(|()| a))
        };
        wait_until(|| format!("{b:?}").contains("writer_waiting: \"thread\""));
        let mut got = Vec::new();
        while got.len() < sent.len() {
            let mut buf = [0; 16];
            let mut task = spawn(door.read(&mut b, &mut buf));
            // Each read either finds bytes or is woken once the writer, woken
            // by the read before it, has written more.
            let n = loop {
                if let std::task::Poll::Ready(n) = task.poll() {
                    break n.unwrap();
                }
                wait_until(|| task.is_woken());
            };
            drop(task);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, sent);
        writer.join().unwrap().unwrap();
    });
}
