//! Go's `net.Pipe` conformance behaviours (golang.org/x/net/nettest), ported:
//! each runs across capacities 0, 1, 7 and the default, and across the
//! blocking, futures and tokio front doors (those compiled in).

mod support;

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, DEFAULT_CAPACITY};
use rstest::rstest;
use support::{seeded_bytes, watchdog, Conn, Door};

fn pair(capacity: usize, da: Door, db: Door) -> (Conn, Conn) {
    let (a, b) = PipeBuilder::new().capacity(capacity).build();
    (Conn::new(a, da), Conn::new(b, db))
}

/// At capacity 1 every byte is a hand-off, so the data is scaled down there.
fn data_len(capacity: usize) -> usize {
    if capacity == 1 {
        16 * 1024
    } else {
        1024 * 1024
    }
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn basic_io_copies_seeded_bytes_then_eof(
    #[case] door: Door,
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(capacity, door, door);
        let data = seeded_bytes(capacity as u64 + 1, data_len(capacity));
        let sent = data.clone();
        let writer = thread::spawn(move || {
            for chunk in sent.chunks(1024) {
                a.write_all(chunk).unwrap();
            }
            a.io.close().unwrap();
        });
        let got = b.read_chunked(1024).unwrap();
        writer.join().unwrap();
        assert_eq!(got.len(), data.len());
        assert!(got == data, "bytes differ");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn ping_pong_counter_to_1000(
    #[case] door: Door,
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(capacity, door, door);
        let pong = thread::spawn(move || {
            let mut buf = [0; 8];
            loop {
                match b.read_exact(&mut buf) {
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => return,
                    other => other.unwrap(),
                }
                let n = u64::from_be_bytes(buf);
                b.write_all(&(n + 1).to_be_bytes()).unwrap();
            }
        });
        let mut n = 0u64;
        let mut buf = [0; 8];
        while n < 1000 {
            a.write_all(&n.to_be_bytes()).unwrap();
            a.read_exact(&mut buf).unwrap();
            assert_eq!(u64::from_be_bytes(buf), n + 1);
            n += 2;
        }
        drop(a);
        pong.join().unwrap();
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn past_deadline_fails_at_once_and_other_direction_works(
    #[case] door: Door,
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(capacity, door, door);
        let past = Instant::now() - Duration::from_secs(1);
        a.io.set_read_deadline(Some(past)).unwrap();
        a.io.set_write_deadline(Some(past)).unwrap();
        let mut buf = [0; 4];
        assert_eq!(a.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(a.write(b"x").unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(b.io.unread_len(), 0, "a timed-out write moved bytes");
        // b -> a is untouched by a's deadlines on b's side; b's own calls work.
        let t = thread::spawn(move || {
            let mut buf = [0; 4];
            b.read_exact(&mut buf).map(|_| buf)
        });
        a.io.set_write_deadline(None).unwrap();
        a.write_all(b"ping").unwrap();
        assert_eq!(&t.join().unwrap().unwrap(), b"ping");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn past_deadline_fails_even_when_data_is_ready(
    #[case] door: Door,
    #[values(1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(capacity, door, door);
        a.write(b"x").unwrap();
        b.io.set_read_deadline(Some(Instant::now())).unwrap();
        let mut buf = [0; 1];
        assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(b.io.unread_len(), 1, "a timed-out read moved bytes");
        b.io.set_read_deadline(None).unwrap();
        assert_eq!(b.read(&mut buf).unwrap(), 1);
        assert_eq!(&buf, b"x");
    });
}

type Call = thread::JoinHandle<std::io::Result<usize>>;

/// Fills `end`'s outgoing buffer, then starts a thread reading from it and one
/// writing to it through `&PipeEnd`; both have to wait (whether they already
/// do when the caller acts on them is up to the scheduler).
fn spawn_waiting_read_and_write(end: &Arc<pipetap::PipeEnd>, capacity: usize) -> (Call, Call) {
    if capacity > 0 {
        (&**end).write_all(&vec![0; capacity]).unwrap();
    }
    let reader = {
        let end = end.clone();
        thread::spawn(move || (&*end).read(&mut [0; 8]))
    };
    let writer = {
        let end = end.clone();
        thread::spawn(move || (&*end).write(b"blocked"))
    };
    (reader, writer)
}

/// Deadlines moved while a call waits: only the blocking door can be waited
/// on through a shared reference (`&PipeEnd`), as with Go's `net.Conn`.
#[rstest]
fn deadline_moved_into_the_past_unblocks_waiting_calls(
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (a, b) = PipeBuilder::new().capacity(capacity).build();
        let a = Arc::new(a);
        let (reader, writer) = spawn_waiting_read_and_write(&a, capacity);
        // Whether or not the calls are already waiting, they must fail now.
        let past = Instant::now() - Duration::from_millis(1);
        a.set_deadline(Some(past)).unwrap();
        assert_eq!(
            reader.join().unwrap().unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        assert_eq!(
            writer.join().unwrap().unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        // Clearing the deadline makes the end usable again.
        a.set_deadline(None).unwrap();
        let reader = thread::spawn(move || {
            let mut b = b;
            let mut got = vec![0; capacity + 2];
            b.read_exact(&mut got).unwrap();
            got
        });
        (&*a).write_all(b"ok").unwrap();
        assert_eq!(&reader.join().unwrap()[capacity..], b"ok");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn near_future_deadline_expires_while_waiting(
    #[case] door: Door,
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(capacity, door, door);
        let wait = Duration::from_millis(40);
        let start = Instant::now();
        a.io.set_read_deadline(Some(start + wait)).unwrap();
        let err = a.read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(
            start.elapsed() >= wait,
            "TimedOut arrived before the deadline"
        );

        if capacity > 0 {
            b.write_all(&vec![1; capacity]).unwrap();
        }
        let start = Instant::now();
        b.io.set_write_deadline(Some(start + wait)).unwrap();
        assert_eq!(b.write(b"more").unwrap_err().kind(), ErrorKind::TimedOut);
        assert!(
            start.elapsed() >= wait,
            "TimedOut arrived before the deadline"
        );

        // Clearing the deadlines makes both ends usable again.
        a.io.set_read_deadline(None).unwrap();
        b.io.set_write_deadline(None).unwrap();
        let sent = thread::spawn(move || {
            b.write_all(b"again").unwrap();
            b
        });
        let mut got = vec![0; capacity + 5];
        a.read_exact(&mut got).unwrap();
        assert_eq!(&got[capacity..], b"again");
        sent.join().unwrap();
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn peer_close_wakes_a_waiting_read_and_write(
    #[case] door: Door,
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, b) = pair(capacity, door, door);
        let (mut c, d) = pair(capacity, door, door);
        let reader = thread::spawn(move || a.read(&mut [0; 8]));
        if capacity > 0 {
            c.write_all(&vec![0; capacity]).unwrap();
        }
        let writer = thread::spawn(move || c.write(b"x"));
        b.io.close().unwrap();
        drop(d);
        assert_eq!(
            reader.join().unwrap().unwrap(),
            0,
            "EOF after the peer closed"
        );
        assert_eq!(
            writer.join().unwrap().unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
    });
}

#[rstest]
fn own_close_wakes_threads_blocked_on_the_same_end(
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (a, _b) = PipeBuilder::new().capacity(capacity).build();
        let a = Arc::new(a);
        let (reader, writer) = spawn_waiting_read_and_write(&a, capacity);
        a.close().unwrap();
        assert_eq!(reader.join().unwrap().unwrap(), 0);
        assert_eq!(
            writer.join().unwrap().unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
    });
}

/// Hundreds of threads read, write and move deadlines at once; afterwards the
/// connection still round-trips.
#[rstest]
fn concurrent_reads_writes_and_deadlines_leave_a_working_pipe(
    #[values(0, 1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (a, b) = PipeBuilder::new().capacity(capacity).build();
        let (a, b) = (Arc::new(a), Arc::new(b));
        let mut threads = Vec::new();
        for i in 0..200 {
            let end = if i % 2 == 0 { a.clone() } else { b.clone() };
            threads.push(thread::spawn(move || {
                let soon = Instant::now() + Duration::from_millis(20 + (i % 7) as u64);
                match i % 3 {
                    0 => {
                        end.set_read_deadline(Some(soon)).unwrap();
                        let _ = (&*end).read(&mut [0; 64]);
                    }
                    1 => {
                        end.set_write_deadline(Some(soon)).unwrap();
                        let _ = (&*end).write(&[i as u8; 64]);
                    }
                    _ => {
                        end.set_deadline(Some(soon)).unwrap();
                        let _ = (&*end).write(&[i as u8; 3]);
                        let _ = (&*end).read(&mut [0; 3]);
                    }
                }
            }));
        }
        for t in threads {
            t.join().unwrap();
        }
        for end in [&a, &b] {
            end.set_deadline(None).unwrap();
            // Drain whatever the threads left in flight.
            end.set_nonblocking(true).unwrap();
            while (&**end).read(&mut [0; 1024]).is_ok_and(|n| n > 0) {}
            end.set_nonblocking(false).unwrap();
        }
        let echo = {
            let b = b.clone();
            thread::spawn(move || {
                let mut buf = [0; 5];
                (&*b).read_exact(&mut buf).unwrap();
                (&*b).write_all(&buf).unwrap();
            })
        };
        (&*a).write_all(b"hello").unwrap();
        let mut buf = [0; 5];
        (&*a).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        echo.join().unwrap();
    });
}

/// One pipe, a blocking thread on one end and a tokio task on the other,
/// 1 MiB each way at once.
#[cfg(feature = "tokio")]
#[rstest]
fn blocking_thread_and_tokio_task_exchange_a_mebibyte_each_way(
    #[values(0, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    support::tokio_watchdog(move || async move {
        let len = if capacity == 7 {
            128 * 1024
        } else {
            1024 * 1024
        };
        let (a, b) = PipeBuilder::new().capacity(capacity).build();
        let to_b = seeded_bytes(1, len);
        let to_a = seeded_bytes(2, len);
        let (expect_a, expect_b) = (to_a.clone(), to_b.clone());
        let thread = thread::spawn(move || {
            let (mut rd, mut wr) = a.into_split();
            let w = thread::spawn(move || {
                for chunk in to_b.chunks(4096) {
                    Write::write_all(&mut wr, chunk).unwrap();
                }
            });
            let mut got = Vec::new();
            Read::read_to_end(&mut rd, &mut got).unwrap();
            w.join().unwrap();
            got
        });
        let (mut rd, mut wr) = b.into_split();
        let writer = tokio::spawn(async move {
            for chunk in to_a.chunks(3000) {
                AsyncWriteExt::write_all(&mut wr, chunk).await.unwrap();
            }
            AsyncWriteExt::shutdown(&mut wr).await.unwrap();
        });
        let mut got_b = Vec::new();
        AsyncReadExt::read_to_end(&mut rd, &mut got_b)
            .await
            .unwrap();
        writer.await.unwrap();
        drop(rd);
        let got_a = tokio::task::spawn_blocking(move || thread.join().unwrap())
            .await
            .unwrap();
        assert!(got_b == expect_b, "bytes to b differ");
        assert!(got_a == expect_a, "bytes to a differ");
    });
}
