//! Edge cases of the pipe contract (API.md section 1), each run across the
//! front doors compiled in and, where it matters, across capacities.

mod support;

use std::io::{ErrorKind, IoSlice, Read, Write};
use std::net::Shutdown;
use std::time::Duration;

use pipetap::{pipe, PipeBuilder, DEFAULT_CAPACITY};
use rstest::rstest;
use support::{watchdog, Conn, Door};

fn pair(builder: PipeBuilder, door: Door) -> (Conn, Conn) {
    let (a, b) = builder.build();
    (Conn::new(a, door), Conn::new(b, door))
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn zero_length_calls_on_an_open_pipe_return_at_once(
    #[case] door: Door,
    #[values(0, 1, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
        assert_eq!(a.write(&[]).unwrap(), 0);
        assert_eq!(b.read(&mut []).unwrap(), 0);
        assert!(
            !b.io.is_peer_closed(),
            "an empty write must not look like EOF"
        );
        assert_eq!(a.write_vectored(&[IoSlice::new(&[])]).unwrap(), 0);
        // Still a live pipe afterwards.
        b.io.set_nonblocking(true).unwrap();
        assert_eq!(
            b.io.read(&mut [0; 1]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn zero_length_write_on_a_closed_pipe_fails(#[case] door: Door) {
    watchdog(move || {
        let (mut a, b) = pair(PipeBuilder::new(), door);
        drop(b);
        assert_eq!(a.write(&[]).unwrap_err().kind(), ErrorKind::BrokenPipe);
        let (mut c, _d) = pair(PipeBuilder::new(), door);
        c.shutdown_write().unwrap();
        assert_eq!(c.write(&[]).unwrap_err().kind(), ErrorKind::BrokenPipe);
        assert_eq!(c.read(&mut []).unwrap(), 0);
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn eof_and_broken_pipe_are_sticky(
    #[case] door: Door,
    #[values(0, 1, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
        if capacity > 0 {
            a.write_all(&b"x".repeat(capacity)).unwrap();
        }
        a.io.close().unwrap();
        let got = b.read_chunked(16).unwrap();
        assert_eq!(got.len(), capacity);
        for _ in 0..3 {
            assert_eq!(b.read(&mut [0; 4]).unwrap(), 0);
            assert_eq!(b.write(b"y").unwrap_err().kind(), ErrorKind::BrokenPipe);
        }
        assert!(b.io.is_peer_closed());
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn half_close_each_way_leaves_the_other_direction_working(
    #[case] door: Door,
    #[values(1, 7, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
        // a -> b closed by a's shutdown(Write); b -> a still open.
        a.write_all(&b"q"[..]).unwrap();
        a.shutdown_write().unwrap();
        a.shutdown_write().unwrap(); // idempotent
        assert_eq!(a.write(b"late").unwrap_err().kind(), ErrorKind::BrokenPipe);
        assert_eq!(b.read_chunked(8).unwrap(), b"q");
        b.write_all(b"r").unwrap();
        let mut one = [0; 1];
        a.read_exact(&mut one).unwrap();
        assert_eq!(&one, b"r");
        assert!(a.flush().is_ok(), "flush succeeds while the peer is alive");

        // shutdown(Read): own reads return Ok(0), the peer's writes fail.
        let (mut c, mut d) = pair(PipeBuilder::new().capacity(capacity), door);
        c.io.shutdown(Shutdown::Read).unwrap();
        assert_eq!(c.read(&mut [0; 4]).unwrap(), 0);
        assert_eq!(d.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
        // ...and c -> d still works.
        c.write_all(b"k").unwrap();
        let mut one = [0; 1];
        d.read_exact(&mut one).unwrap();
        assert_eq!(&one, b"k");
    });
}

/// A write accepts exactly min(offered, free space); a read returns exactly
/// min(buf, available): swept around the write size.
#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn capacity_sweep_around_the_write_size(#[case] door: Door) {
    watchdog(move || {
        for capacity in 1..=9usize {
            for offered in [1usize, 4, 5, 8, 9, 12] {
                let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
                let data: Vec<u8> = (0..offered as u8).collect();
                let n = a.write(&data).unwrap();
                assert_eq!(n, offered.min(capacity), "cap {capacity} offered {offered}");
                assert_eq!(b.io.unread_len(), n);
                if n < offered {
                    // The rest only fits as the reader makes room.
                    a.io.set_nonblocking(true).unwrap();
                    assert_eq!(
                        a.io.write(&data[n..]).unwrap_err().kind(),
                        ErrorKind::WouldBlock
                    );
                }
                let mut buf = vec![0; 3];
                let got = b.read(&mut buf).unwrap();
                assert_eq!(got, n.min(3));
                assert_eq!(&buf[..got], &data[..got]);
                // A write larger than the free space returns the free space.
                let free = capacity - (n - got);
                let m = a.write(&[7; 20]).unwrap();
                assert_eq!(m, free.min(20));
            }
        }
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn vectored_writes_gather_across_slices_up_to_the_limit(#[case] door: Door) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(7), door);
        let bufs = [
            IoSlice::new(b"ab"),
            IoSlice::new(b""),
            IoSlice::new(b"cde"),
            IoSlice::new(b"fghij"),
        ];
        assert_eq!(a.write_vectored(&bufs).unwrap(), 7);
        let mut got = [0; 7];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"abcdefg");

        let (mut c, mut d) = pair(PipeBuilder::new().max_write_len(4), door);
        assert_eq!(c.write_vectored(&bufs).unwrap(), 4);
        let mut got = [0; 4];
        d.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"abcd");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn max_read_len_caps_every_read(#[case] door: Door) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().max_read_len(2), door);
        a.write_all(b"abcde").unwrap();
        let mut buf = [0; 16];
        assert_eq!(b.read(&mut buf).unwrap(), 2);
        assert_eq!(b.read(&mut buf).unwrap(), 2);
        assert_eq!(b.read(&mut buf).unwrap(), 1);
        assert_eq!(&buf[..1], b"e");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn max_write_len_caps_every_write(
    #[case] door: Door,
    #[values(0, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity).max_write_len(3), door);
        let reader = std::thread::spawn(move || b.read_chunked(64).unwrap());
        let mut sizes = Vec::new();
        let mut rest: &[u8] = b"0123456789";
        while !rest.is_empty() {
            let n = a.write(rest).unwrap();
            assert!(n <= 3);
            sizes.push(n);
            rest = &rest[n..];
        }
        drop(a);
        assert_eq!(reader.join().unwrap(), b"0123456789");
        assert!(sizes.iter().all(|&n| n > 0));
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn injected_errors_fire_once_and_move_no_byte(
    #[case] door: Door,
    #[values(0, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
        a.io.fail_next_write(ErrorKind::ConnectionReset);
        b.io.fail_next_read(ErrorKind::TimedOut);
        // Both fire even though no data is ready and no reader waits.
        assert_eq!(
            a.write(b"abc").unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(b.read(&mut [0; 4]).unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(b.io.unread_len(), 0);
        // Then they are gone.
        let reader = std::thread::spawn(move || {
            let mut got = [0; 3];
            b.read_exact(&mut got).map(|_| got)
        });
        a.write_all(b"abc").unwrap();
        assert_eq!(&reader.join().unwrap().unwrap(), b"abc");
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn close_with_error_fails_peer_reads_after_the_drain_every_time(
    #[case] door: Door,
    #[values(0, 1, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(capacity), door);
        if capacity > 0 {
            a.write_all(&b"z".repeat(capacity)).unwrap();
        }
        a.io.close_with_error(ErrorKind::ConnectionReset).unwrap();
        a.io.close().unwrap(); // the first close wins
        let mut got = vec![0; capacity];
        b.read_exact(&mut got).unwrap();
        for _ in 0..2 {
            assert_eq!(
                b.read(&mut [0; 4]).unwrap_err().kind(),
                ErrorKind::ConnectionReset
            );
        }
        assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);

        // A shutdown before close_with_error wins too.
        let (c, mut d) = pair(PipeBuilder::new().capacity(capacity), door);
        c.io.shutdown(Shutdown::Write).unwrap();
        c.io.close_with_error(ErrorKind::ConnectionReset).unwrap();
        assert_eq!(d.read(&mut [0; 4]).unwrap(), 0);
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn rendezvous_write_returns_what_the_reader_took(#[case] door: Door) {
    watchdog(move || {
        let (mut a, mut b) = pair(PipeBuilder::new().capacity(0), door);
        let reader = std::thread::spawn(move || {
            let mut buf = [0; 4];
            let n = b.read(&mut buf).unwrap();
            (n, buf, b)
        });
        let n = a.write(b"0123456789").unwrap();
        let (took, buf, _b) = reader.join().unwrap();
        assert_eq!(n, took);
        assert_eq!(n, 4);
        assert_eq!(&buf, b"0123");
        // With no reader waiting, nothing is buffered and a nonblocking write
        // would block.
        a.io.set_nonblocking(true).unwrap();
        assert_eq!(a.io.write(b"x").unwrap_err().kind(), ErrorKind::WouldBlock);
    });
}

#[test]
fn timeouts_bound_blocking_calls_and_reject_zero() {
    watchdog(|| {
        let (mut a, _b) = PipeBuilder::new().capacity(1).build();
        assert_eq!(
            a.set_read_timeout(Some(Duration::ZERO)).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            a.set_write_timeout(Some(Duration::ZERO))
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidInput
        );
        let t = Duration::from_millis(20);
        a.set_read_timeout(Some(t)).unwrap();
        a.set_write_timeout(Some(t)).unwrap();
        assert_eq!(a.read_timeout().unwrap(), Some(t));
        let start = std::time::Instant::now();
        assert_eq!(a.read(&mut [0; 1]).unwrap_err().kind(), ErrorKind::TimedOut);
        assert!(start.elapsed() >= t);
        a.write_all(b"x").unwrap();
        let start = std::time::Instant::now();
        assert_eq!(a.write(b"y").unwrap_err().kind(), ErrorKind::TimedOut);
        assert!(start.elapsed() >= t);
        a.set_write_timeout(None).unwrap();
        assert_eq!(a.write_timeout().unwrap(), None);
    });
}

#[test]
fn name_shows_in_debug_and_in_error_messages() {
    watchdog(|| {
        let (mut a, b) = PipeBuilder::new().name("client").capacity(4).build();
        a.write_all(b"abc").unwrap();
        let dbg = format!("{a:?} {b:?}");
        assert!(dbg.contains("client"), "{dbg}");
        assert!(dbg.contains("buffered: 3"), "{dbg}");
        // Armed faults show on the end that armed them.
        b.fail_next_read(ErrorKind::TimedOut);
        assert!(format!("{b:?}").contains("fail_next_read: TimedOut"));
        assert!(!format!("{a:?}").contains("fail_next_read"));
        let mut b = b;
        assert_eq!(b.read(&mut [0; 1]).unwrap_err().kind(), ErrorKind::TimedOut);
        assert!(!format!("{b:?}").contains("fail_next_read"), "one-shot");
        a.set_write_deadline(Some(std::time::Instant::now()))
            .unwrap();
        let err = a.write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.to_string().contains("client"), "{err}");
        drop(b);
        a.set_write_deadline(None).unwrap();
        let err = a.write(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert!(err.to_string().contains("client"), "{err}");
        let dbg = format!("{a:?}");
        assert!(dbg.contains("reader_shut"), "{dbg}");
    });
}

#[test]
fn debug_shows_who_is_waiting() {
    watchdog(|| {
        let (a, b) = pipe();
        let a = std::sync::Arc::new(a);
        let reader = {
            let a = a.clone();
            std::thread::spawn(move || (&*a).read(&mut [0; 1]))
        };
        // Wait (bounded by the watchdog) until Debug reports the blocked reader.
        while !format!("{a:?}").contains("reader_waiting: \"thread\"") {
            std::thread::yield_now();
        }
        drop(b);
        assert_eq!(reader.join().unwrap().unwrap(), 0);
    });
}

#[test]
fn split_halves_reunite_and_dropping_write_half_shuts_only_writes() {
    watchdog(|| {
        let (a, mut b) = pipe();
        let (rd, wr) = a.into_split();
        let (other_rd, other_wr) = pipe().0.into_split();
        let pipetap::ReuniteError(rd, other_wr) = rd.reunite(other_wr).unwrap_err();
        let a = rd.reunite(wr).unwrap();
        drop((other_rd, other_wr));
        let (mut rd, wr) = a.into_split();
        drop(wr);
        assert_eq!(b.read(&mut [0; 1]).unwrap(), 0);
        b.write_all(b"still").unwrap();
        let mut got = [0; 5];
        rd.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"still");
        drop(rd);
        assert_eq!(b.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
    });
}
