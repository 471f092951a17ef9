//! TeeReader: blocking, futures and tokio; short reads, short / pending /
//! failing writers, poll-level wake-ups, and a property test. The buffered
//! doors (`BufRead` / `AsyncBufRead`) are in `tee_reader_buffered.rs`.

mod support;

use std::io::{self, ErrorKind, Read};

use pipetap::TeeReader;
use rstest::rstest;
use support::mock::{Mock, Scripted};
use support::{seeded_bytes, watchdog, Conn, Door};

#[test]
fn every_byte_read_is_in_the_writer_before_the_read_returns() {
    watchdog(move || {
        let data = seeded_bytes(7, 50_000);
        let mut r = TeeReader::new(Mock::reading(data.clone()).max_read(999), Vec::new());
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            assert_eq!(
                r.get_ref().1,
                &out,
                "the writer has exactly what was returned so far"
            );
        }
        assert_eq!(out, data);
    });
}

#[test]
fn short_reads_one_byte_at_a_time() {
    watchdog(move || {
        let mut r = TeeReader::new(Mock::reading(b"hello".to_vec()).max_read(1), Vec::new());
        let mut buf = [0u8; 10];
        for (i, expected) in b"hello".iter().enumerate() {
            assert_eq!(r.read(&mut buf).unwrap(), 1);
            assert_eq!(buf[0], *expected);
            assert_eq!(r.get_ref().1.len(), i + 1);
        }
        assert_eq!(r.read(&mut buf).unwrap(), 0);
    });
}

#[test]
fn writer_short_writes_are_completed() {
    watchdog(move || {
        let data = seeded_bytes(8, 10_000);
        let mut r = TeeReader::new(&data[..], Mock::new().max_write(1));
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(r.get_ref().1.written, data);
    });
}

#[test]
fn empty_buffer_reads_nothing() {
    watchdog(move || {
        let mut r = TeeReader::new(Mock::reading(b"abc".to_vec()), Vec::new());
        assert_eq!(r.read(&mut []).unwrap(), 0);
        assert_eq!(r.get_ref().0.calls, 0);
    });
}

#[test]
fn would_block_writer_returns_what_it_took_and_holds_the_rest() {
    watchdog(move || {
        let mut r = TeeReader::new(
            Mock::reading(b"hello world".to_vec()).max_read(5),
            Scripted::new([
                Ok(2),
                Err(ErrorKind::WouldBlock),
                Err(ErrorKind::WouldBlock),
            ]),
        );
        let mut buf = [0u8; 16];
        // R produced "hello"; W took "he", then would block: only "he" is returned.
        assert_eq!(r.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"he");
        assert_eq!(r.held_len(), 3);
        // W still blocked and nothing new in it: WouldBlock, nothing returned.
        assert_eq!(r.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        // W takes the rest: the held bytes come before anything new from R.
        let reads_before = r.get_ref().0.calls;
        assert_eq!(r.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"llo");
        assert_eq!(
            r.get_ref().0.calls,
            reads_before,
            "R not read while bytes were held"
        );
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b" world");
        assert_eq!(r.into_inner().1.written, b"hello world");
    });
}

#[test]
fn writer_error_loses_nothing() {
    watchdog(move || {
        let mut r = TeeReader::new(
            &b"abcdef"[..],
            Scripted::new([Err(ErrorKind::ConnectionReset)]),
        );
        let mut buf = [0u8; 4];
        assert_eq!(
            r.read(&mut buf).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(r.held_len(), 4);
        // The held bytes are retried first, and delivered in buffer-sized pieces.
        let mut small = [0u8; 3];
        assert_eq!(r.read(&mut small).unwrap(), 3);
        assert_eq!(&small, b"abc");
        assert_eq!(r.read(&mut small).unwrap(), 1);
        assert_eq!(&small[..1], b"d");
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"ef");
        assert_eq!(r.get_ref().1.written, b"abcdef");
    });
}

#[rstest]
#[case::claims_more(Ok(100), ErrorKind::InvalidData)]
#[case::accepts_nothing(Ok(0), ErrorKind::WriteZero)]
fn misbehaving_writer_is_an_error_and_bytes_stay_held(
    #[case] behaviour: Result<usize, ErrorKind>,
    #[case] expected: ErrorKind,
) {
    watchdog(move || {
        let mut r = TeeReader::new(&b"xyz"[..], Scripted::new([behaviour]));
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).unwrap_err().kind(), expected);
        assert_eq!(r.held_len(), 3);
        assert_eq!(r.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"xyz");
    });
}

#[test]
fn misbehaving_reader_is_invalid_data() {
    watchdog(move || {
        struct Liar;
        impl Read for Liar {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Ok(usize::MAX)
            }
        }
        let mut r = TeeReader::new(Liar, Vec::new());
        let err = r.read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert!(r.get_ref().1.is_empty());
    });
}

#[test]
fn tee_into_a_multi_writer() {
    watchdog(move || {
        let data = seeded_bytes(3, 5000);
        let copies = pipetap::MultiWriter::new([Mock::new().max_write(3), Mock::new()]);
        let mut r = TeeReader::new(Mock::reading(data.clone()).max_read(100), copies);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        for m in r.into_inner().1.into_inner() {
            assert_eq!(m.written, data);
        }
    });
}

#[test]
fn buf_reader_over_tee_gives_exact_buf_read() {
    watchdog(move || {
        use std::io::BufRead;
        let mut br = io::BufReader::with_capacity(
            4,
            TeeReader::new(&b"line one\nline two\n"[..], Vec::new()),
        );
        let mut line = String::new();
        br.read_line(&mut line).unwrap();
        assert_eq!(line, "line one\n");
        let (_, copy) = br.into_inner().into_inner();
        // Teed when the buffer read it: at most one buffer ahead of what was consumed.
        assert!(copy.starts_with(b"line one\n") && copy.len() <= 9 + 4);
    });
}

// ----- one behaviour, three front doors -----

/// Reads `r` to end-of-stream through `door`; returns what was read and the
/// writer's copy.
fn read_to_end_via(door: Door, r: TeeReader<Mock, Mock>) -> (Vec<u8>, Vec<u8>) {
    watchdog(move || {
        let mut r = Conn::new(r, door);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (out, r.into_inner().into_inner().1.written)
    })
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn hiccuping_reader_and_writer_tee_exactly(
    #[case] door: Door,
    #[values(1, 333, usize::MAX)] read_limit: usize,
    #[values(1, 5, usize::MAX)] write_limit: usize,
) {
    watchdog(move || {
        let data = seeded_bytes(99, 20_000);
        let r = TeeReader::new(
            Mock::reading(data.clone())
                .max_read(read_limit)
                .hiccups(vec![true, false]),
            Mock::new()
                .max_write(write_limit)
                .hiccups(vec![false, true]),
        );
        let (out, copy) = read_to_end_via(door, r);
        assert!(out == data, "reader output differs");
        assert!(copy == data, "writer copy differs");
    });
}

// ----- poll level -----

#[cfg(any(feature = "futures", feature = "tokio"))]
mod poll_level {
    use super::*;
    use support::mock::Gate;
    use tokio_test::{assert_pending, assert_ready_ok};

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn pending_writer_holds_bytes_until_it_has_them(#[case] door: Door) {
        watchdog(move || {
            let gate = Gate::default();
            let tee = TeeReader::new(
                Mock::reading(b"hello world".to_vec()).max_read(5),
                gate.writer(),
            );
            let mut task = tokio_test::task::spawn(tee);
            let mut buf = [0u8; 16];
            assert_pending!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut buf)));
            assert_eq!(task.held_len(), 5, "R's bytes are held, not lost");
            assert!(!task.is_woken());
            // A second poll while W is still pending neither reads R again nor duplicates.
            assert_pending!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut buf)));
            assert_eq!(task.get_ref().0.pos, 5);
            gate.open();
            assert!(task.is_woken(), "W becoming ready wakes the reader");
            let n = assert_ready_ok!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut buf)));
            assert_eq!(&buf[..n], b"hello");
            assert_eq!(gate.data(), b"hello");
            assert_eq!(task.held_len(), 0);
            let n = assert_ready_ok!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut buf)));
            assert_eq!(&buf[..n], b" worl");
            assert_eq!(gate.data(), b"hello worl");
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn dropped_pending_read_loses_nothing(#[case] door: Door) {
        watchdog(move || {
            let gate = Gate::default();
            let tee = TeeReader::new(Mock::reading(b"abc".to_vec()), gate.writer());
            let mut task = tokio_test::task::spawn(tee);
            let mut buf = [0u8; 8];
            assert_pending!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut buf)));
            // The caller gives up on that read (drops its future) and reads later.
            gate.open();
            let mut small = [0u8; 2];
            let n =
                assert_ready_ok!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut small)));
            assert_eq!(&small[..n], b"ab");
            let n =
                assert_ready_ok!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut small)));
            assert_eq!(&small[..n], b"c");
            assert_eq!(
                assert_ready_ok!(task.enter(|cx, r| door.poll_read(r.get_mut(), cx, &mut small))),
                0
            );
            assert_eq!(gate.data(), b"abc");
        });
    }
}

// ----- property test -----

mod props {
    use super::*;
    use proptest::prelude::*;
    use std::task::{Context, Poll, Waker};
    use support::door::would_block_as_pending;

    fn pattern() -> impl Strategy<Value = Vec<bool>> {
        proptest::collection::vec(any::<bool>(), 0..5).prop_map(|mut h| {
            if !h.is_empty() {
                h.push(false);
            }
            h
        })
    }

    proptest! {
        #![proptest_config(support::proptest_config(200))]
        #[test]
        fn reader_and_writer_both_get_exactly_the_input(
            data in proptest::collection::vec(any::<u8>(), 0..3000),
            read_limit in 1usize..500,
            write_limit in 1usize..500,
            read_hiccups in pattern(),
            write_hiccups in pattern(),
            buf_len in 1usize..700,
            door in proptest::sample::select(Door::compiled()),
        ) {
            watchdog(move || -> Result<(), TestCaseError> {
                let mut r = TeeReader::new(
                    {
                        let mut m = Mock::reading(data.clone()).max_read(read_limit).hiccups(read_hiccups);
                        m.blocking_hiccup = ErrorKind::WouldBlock;
                        m
                    },
                    Mock::new()
                        .max_write(write_limit)
                        .hiccups(write_hiccups)
                        .blocking_hiccup(ErrorKind::WouldBlock),
                );
                let mut out = Vec::new();
                let mut buf = vec![0u8; buf_len];
                let mut stalls = 0;
                loop {
                    let cx = &mut Context::from_waker(Waker::noop());
                    let p = would_block_as_pending(door.poll_read(&mut r, cx, &mut buf));
                    match p {
                        Poll::Ready(Ok(0)) => break,
                        Poll::Ready(Ok(n)) => {
                            out.extend_from_slice(&buf[..n]);
                            prop_assert!(r.get_ref().1.written.starts_with(&out), "returned bytes not teed first");
                            stalls = 0;
                        }
                        Poll::Ready(Err(e)) => panic!("unexpected error {e}"),
                        Poll::Pending => {
                            stalls += 1;
                            prop_assert!(stalls < 1000, "no progress");
                        }
                    }
                }
                prop_assert_eq!(r.held_len(), 0);
                prop_assert!(out == data, "reader output differs");
                prop_assert!(r.get_ref().1.written == data, "writer copy differs");
                Ok(())
            })?;
        }
    }
}
