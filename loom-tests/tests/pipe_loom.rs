//! loom models of the pipe core: every interleaving (up to the preemption
//! bound) of the races below is explored with loom's `Mutex`, `Condvar` and
//! atomics standing in for std's inside pipetap (`src/sync.rs`).
//!
//! Run by `.ci/loom.sh`: `RUSTFLAGS="--cfg loom" cargo test --release`. Without
//! `--cfg loom` this file is empty. A lost wake-up shows as a loom deadlock
//! (all threads blocked, or `block_on` never woken), which aborts the binary.
#![cfg(loom)]

use std::future::poll_fn;
use std::io::{ErrorKind, Read, Write};
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

use futures_io::{AsyncRead, AsyncWrite};
use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;
use pipetap::{PipeBuilder, PipeEnd};

/// Reads `end` through the blocking door until end-of-stream.
fn read_to_end(mut end: &PipeEnd) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0; 8];
    loop {
        match end.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

/// Writes as much of `data` as the pipe takes before an error; returns the
/// count accepted and the error, if any.
fn write_until_error(mut end: &PipeEnd, data: &[u8]) -> (usize, Option<ErrorKind>) {
    let mut done = 0;
    while done < data.len() {
        match end.write(&data[done..]) {
            Ok(n) => done += n,
            Err(e) => return (done, Some(e.kind())),
        }
    }
    (done, None)
}

/// Polls an async read once with the `block_on` task's waker: `None` if it
/// was pending (the "future" is then dropped: a cancel).
fn poll_read_once(end: &mut PipeEnd, buf: &mut [u8]) -> Option<std::io::Result<usize>> {
    block_on(poll_fn(|cx| {
        Poll::Ready(match Pin::new(&mut *end).poll_read(cx, buf) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        })
    }))
}

/// Polls an async write once; `None` if it was pending (then dropped).
fn poll_write_once(end: &mut PipeEnd, data: &[u8]) -> Option<std::io::Result<usize>> {
    block_on(poll_fn(|cx| {
        Poll::Ready(match Pin::new(&mut *end).poll_write(cx, data) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        })
    }))
}

/// An async read to completion (`block_on` parks until woken).
fn async_read(end: &mut PipeEnd, buf: &mut [u8]) -> std::io::Result<usize> {
    block_on(poll_fn(|cx| Pin::new(&mut *end).poll_read(cx, buf)))
}

/// An async write to completion.
fn async_write(end: &mut PipeEnd, data: &[u8]) -> std::io::Result<usize> {
    block_on(poll_fn(|cx| Pin::new(&mut *end).poll_write(cx, data)))
}

/// A write racing a close of the same end: whatever the write accepted
/// before the close is read, in full and in order, before end-of-stream;
/// what it did not accept fails with `BrokenPipe`, never silently vanishes.
#[test]
fn write_racing_close_loses_no_byte() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(2).build();
        let a = Arc::new(a);
        let writer = {
            let a = a.clone();
            thread::spawn(move || write_until_error(&a, b"xyz"))
        };
        let closer = {
            let a = a.clone();
            thread::spawn(move || a.close().unwrap())
        };
        let got = read_to_end(&b);
        let (accepted, err) = writer.join().unwrap();
        closer.join().unwrap();
        assert_eq!(got, &b"xyz"[..accepted], "bytes lost or changed");
        if accepted < 3 {
            assert_eq!(err, Some(ErrorKind::BrokenPipe));
        }
    });
}

/// A write racing the peer dropping its end: the write either lands before
/// the drop or fails with `BrokenPipe`; the writer never hangs.
#[test]
fn write_racing_peer_drop_never_hangs() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(1).build();
        let writer = thread::spawn(move || write_until_error(&a, b"xy"));
        let reader = thread::spawn(move || {
            let mut buf = [0; 1];
            let n = (&b).read(&mut buf).unwrap();
            drop(b);
            buf[..n].to_vec()
        });
        let (accepted, err) = writer.join().unwrap();
        let got = reader.join().unwrap();
        assert_eq!(got, b"x", "the first byte always arrives");
        assert!(accepted >= 1);
        if accepted < 2 {
            assert_eq!(err, Some(ErrorKind::BrokenPipe));
        }
    });
}

/// A blocked read racing a close of its own end from another thread: the
/// read returns (`Ok(0)`, or the byte the peer sent first), never hangs.
#[test]
fn read_racing_own_close_returns() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(4).build();
        let b = Arc::new(b);
        let reader = {
            let b = b.clone();
            thread::spawn(move || {
                let mut buf = [0; 4];
                let n = (&*b).read(&mut buf).unwrap();
                buf[..n].to_vec()
            })
        };
        let sender = thread::spawn(move || {
            let _ = (&a).write(b"k");
            a
        });
        b.close().unwrap();
        let got = reader.join().unwrap();
        assert!(got.is_empty() || got == b"k", "got {got:?}");
        drop(sender.join().unwrap());
    });
}

/// A read racing the peer's write-then-close: the reader sees the byte, then
/// end-of-stream; never end-of-stream first.
#[test]
fn read_racing_peer_close_sees_data_then_eof() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(4).build();
        let peer = thread::spawn(move || {
            (&a).write_all(b"ok").unwrap();
            drop(a);
        });
        assert_eq!(read_to_end(&b), b"ok");
        peer.join().unwrap();
    });
}

/// `close_with_error` racing a read: after the buffered bytes the reader sees
/// the error kind, never `Ok(0)`.
#[test]
fn read_racing_close_with_error_sees_the_error() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(4).build();
        let peer = thread::spawn(move || {
            (&a).write_all(b"z").unwrap();
            a.close_with_error(ErrorKind::ConnectionReset).unwrap();
        });
        let mut buf = [0; 4];
        let mut got = Vec::new();
        let err = loop {
            match (&b).read(&mut buf) {
                Ok(0) => panic!("EOF instead of the reset"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break e.kind(),
            }
        };
        assert_eq!(got, b"z");
        assert_eq!(err, ErrorKind::ConnectionReset);
        peer.join().unwrap();
    });
}

/// A deadline set in the past by another thread while a blocking write waits
/// for room: the write fails with `TimedOut` having written nothing, and
/// clearing the deadline makes the end usable again.
#[test]
fn deadline_racing_blocked_write() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(1).build();
        (&a).write_all(b"1").unwrap(); // full
        let a = Arc::new(a);
        let writer = {
            let a = a.clone();
            thread::spawn(move || (&*a).write(b"2").map_err(|e| e.kind()))
        };
        a.set_write_deadline(Some(Instant::now())).unwrap();
        assert_eq!(writer.join().unwrap(), Err(ErrorKind::TimedOut));
        a.set_write_deadline(None).unwrap();
        let mut buf = [0; 2];
        assert_eq!((&b).read(&mut buf).unwrap(), 1);
        assert_eq!(&buf[..1], b"1", "the timed-out write transferred nothing");
        assert_eq!((&*a).write(b"3").unwrap(), 1);
    });
}

/// The same race with a reader making room at the same time: the write
/// either lands whole or times out having written nothing, and what the
/// reader finds afterwards agrees with what the writer was told. (An async
/// write cannot race a deadline set by another thread: the pending future
/// holds the end mutably; its deadline wake-ups come from the timer thread,
/// which the loom build switches off.)
#[test]
fn deadline_racing_blocked_write_and_reader() {
    loom::model(|| {
        let (a, b) = PipeBuilder::new().capacity(1).build();
        (&a).write_all(b"1").unwrap(); // full
        let a = Arc::new(a);
        let writer = {
            let a = a.clone();
            thread::spawn(move || (&*a).write(b"2").map_err(|e| e.kind()))
        };
        let reader = thread::spawn(move || {
            let mut buf = [0; 1];
            assert_eq!((&b).read(&mut buf).unwrap(), 1);
            assert_eq!(&buf, b"1");
            b
        });
        a.set_write_deadline(Some(Instant::now())).unwrap();
        let wrote = writer.join().unwrap();
        let b = reader.join().unwrap();
        assert!(
            matches!(wrote, Ok(1) | Err(ErrorKind::TimedOut)),
            "{wrote:?}"
        );
        assert_eq!(b.unread_len(), usize::from(wrote.is_ok()));
        a.close().unwrap();
        let rest = read_to_end(&b);
        assert_eq!(rest, if wrote.is_ok() { &b"2"[..] } else { &b""[..] });
    });
}

/// A rendezvous (capacity 0) hand-off racing the cancel of a pending async
/// read: no byte is lost or duplicated; what the cancelled read had been
/// handed is read by the next read.
#[test]
fn rendezvous_handoff_racing_read_cancel() {
    loom::model(|| {
        let (a, mut b) = PipeBuilder::new().capacity(0).build();
        let writer = thread::spawn(move || {
            let r = write_until_error(&a, b"abc");
            drop(a);
            r
        });
        let mut buf = [0; 2];
        let first = match poll_read_once(&mut b, &mut buf) {
            Some(Ok(n)) => buf[..n].to_vec(),
            Some(Err(e)) => panic!("read failed: {e}"),
            None => Vec::new(), // pending: dropped
        };
        let mut got = first;
        got.extend(read_to_end(&b));
        let (accepted, err) = writer.join().unwrap();
        assert_eq!(err, None);
        assert_eq!(accepted, 3);
        assert_eq!(got, b"abc");
    });
}

/// A rendezvous hand-off racing the cancel of a pending async write: a write
/// that was pending and dropped delivered nothing; one that completed
/// delivered exactly its count.
#[test]
fn rendezvous_handoff_racing_write_cancel() {
    loom::model(|| {
        let (mut a, b) = PipeBuilder::new().capacity(0).build();
        let reader = thread::spawn(move || read_to_end(&b));
        let accepted = match poll_write_once(&mut a, b"abc") {
            Some(Ok(n)) => n,
            Some(Err(e)) => panic!("write failed: {e}"),
            None => 0, // pending: dropped
        };
        drop(a);
        assert_eq!(reader.join().unwrap(), &b"abc"[..accepted]);
    });
}

/// A pending async read is woken by a write from another thread.
#[test]
fn async_reader_woken_by_write() {
    loom::model(|| {
        let (a, mut b) = PipeBuilder::new().capacity(4).build();
        let writer = thread::spawn(move || {
            (&a).write_all(b"w").unwrap();
            a
        });
        let mut buf = [0; 4];
        assert_eq!(async_read(&mut b, &mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'w');
        drop(writer.join().unwrap());
    });
}

/// A pending async write on a full pipe is woken by a read from another
/// thread.
#[test]
fn async_writer_woken_by_read() {
    loom::model(|| {
        let (mut a, b) = PipeBuilder::new().capacity(1).build();
        (&a).write_all(b"1").unwrap();
        let reader = thread::spawn(move || {
            let mut buf = [0; 1];
            assert_eq!((&b).read(&mut buf).unwrap(), 1);
            assert_eq!(&buf, b"1");
            b
        });
        assert_eq!(async_write(&mut a, b"2").unwrap(), 1);
        let b = reader.join().unwrap();
        let mut buf = [0; 1];
        assert_eq!((&b).read(&mut buf).unwrap(), 1);
        assert_eq!(&buf, b"2");
    });
}

/// Both sides async on a rendezvous pipe, each in its own thread: the
/// hand-off completes (neither task is left pending un-woken).
#[test]
fn async_rendezvous_both_sides() {
    loom::model(|| {
        let (mut a, mut b) = PipeBuilder::new().capacity(0).build();
        let writer = thread::spawn(move || {
            let n = async_write(&mut a, b"hi").unwrap();
            (n, a)
        });
        let mut buf = [0; 2];
        let n = async_read(&mut b, &mut buf).unwrap();
        let (accepted, _a) = writer.join().unwrap();
        assert_eq!(n, accepted);
        assert_eq!(&buf[..n], &b"hi"[..n]);
    });
}

/// A pending async read is woken when the peer's end is dropped in another
/// thread, and sees end-of-stream.
#[test]
fn async_reader_woken_by_peer_drop() {
    loom::model(|| {
        let (a, mut b) = PipeBuilder::new().capacity(0).build();
        let dropper = thread::spawn(move || drop(a));
        let mut buf = [0; 1];
        assert_eq!(async_read(&mut b, &mut buf).unwrap(), 0);
        dropper.join().unwrap();
    });
}

/// The same with `interleave_pending`: each call's extra `Pending` wakes its
/// own task, so neither side is left un-woken.
#[test]
fn async_handoff_with_interleave_pending() {
    loom::model(|| {
        let (mut a, mut b) = PipeBuilder::new()
            .capacity(1)
            .interleave_pending(true)
            .build();
        let writer = thread::spawn(move || {
            let n = async_write(&mut a, b"h").unwrap();
            (n, a)
        });
        let mut buf = [0; 2];
        let n = async_read(&mut b, &mut buf).unwrap();
        let (accepted, _a) = writer.join().unwrap();
        assert_eq!((n, accepted), (1, 1));
        assert_eq!(buf[0], b'h');
    });
}
