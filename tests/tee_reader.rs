//! TeeReader: blocking, futures and tokio; short reads, short / pending /
//! failing writers, poll-level wake-ups, and a property test.

mod common;
mod tee_mock;

use std::io::{self, ErrorKind, Read};

use common::{seeded_bytes, watchdog};
use pipetap::TeeReader;
use rstest::rstest;
use tee_mock::{MockReader, MockWriter, Scripted};

#[test]
fn every_byte_read_is_in_the_writer_before_the_read_returns() {
    let data = seeded_bytes(7, 50_000);
    let mut r = TeeReader::new(MockReader::new(data.clone()).limit(999), Vec::new());
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
}

#[test]
fn short_reads_one_byte_at_a_time() {
    let mut r = TeeReader::new(MockReader::new(b"hello".to_vec()).limit(1), Vec::new());
    let mut buf = [0u8; 10];
    for (i, expected) in b"hello".iter().enumerate() {
        assert_eq!(r.read(&mut buf).unwrap(), 1);
        assert_eq!(buf[0], *expected);
        assert_eq!(r.get_ref().1.len(), i + 1);
    }
    assert_eq!(r.read(&mut buf).unwrap(), 0);
}

#[test]
fn writer_short_writes_are_completed() {
    let data = seeded_bytes(8, 10_000);
    let mut r = TeeReader::new(&data[..], MockWriter::new().limit(1));
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
    assert_eq!(r.get_ref().1.data, data);
}

#[test]
fn empty_buffer_reads_nothing() {
    let mut r = TeeReader::new(MockReader::new(b"abc".to_vec()), Vec::new());
    assert_eq!(r.read(&mut []).unwrap(), 0);
    assert_eq!(r.get_ref().0.calls, 0);
}

#[test]
fn would_block_writer_returns_what_it_took_and_holds_the_rest() {
    let mut r = TeeReader::new(
        MockReader::new(b"hello world".to_vec()).limit(5),
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
    assert_eq!(r.into_inner().1.data, b"hello world");
}

#[test]
fn writer_error_loses_nothing() {
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
    assert_eq!(r.get_ref().1.data, b"abcdef");
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
}

#[test]
fn tee_into_a_multi_writer() {
    let data = seeded_bytes(3, 5000);
    let copies = pipetap::MultiWriter::new([MockWriter::new().limit(3), MockWriter::new()]);
    let mut r = TeeReader::new(MockReader::new(data.clone()).limit(100), copies);
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
    for m in r.into_inner().1.into_inner() {
        assert_eq!(m.data, data);
    }
}

#[test]
fn buf_reader_over_tee_gives_exact_buf_read() {
    use std::io::BufRead;
    let mut br =
        io::BufReader::with_capacity(4, TeeReader::new(&b"line one\nline two\n"[..], Vec::new()));
    let mut line = String::new();
    br.read_line(&mut line).unwrap();
    assert_eq!(line, "line one\n");
    let (_, copy) = br.into_inner().into_inner();
    // Teed when the buffer read it: at most one buffer ahead of what was consumed.
    assert!(copy.starts_with(b"line one\n") && copy.len() <= 9 + 4);
}

// ----- one behaviour, three front doors -----

#[derive(Debug, Clone, Copy)]
enum Door {
    Blocking,
    #[cfg(feature = "futures")]
    Futures,
    #[cfg(feature = "tokio")]
    Tokio,
}

fn read_to_end_via(door: Door, mut r: TeeReader<MockReader, MockWriter>) -> (Vec<u8>, Vec<u8>) {
    let finish = |out: Vec<u8>, r: TeeReader<MockReader, MockWriter>| (out, r.into_inner().1.data);
    match door {
        Door::Blocking => watchdog(move || {
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            finish(out, r)
        }),
        #[cfg(feature = "futures")]
        Door::Futures => common::futures_watchdog(move || async move {
            let mut out = Vec::new();
            futures::io::AsyncReadExt::read_to_end(&mut r, &mut out)
                .await
                .unwrap();
            finish(out, r)
        }),
        #[cfg(feature = "tokio")]
        Door::Tokio => common::tokio_watchdog(move || async move {
            let mut out = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut r, &mut out)
                .await
                .unwrap();
            finish(out, r)
        }),
    }
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
    let data = seeded_bytes(99, 20_000);
    let r = TeeReader::new(
        MockReader::new(data.clone())
            .limit(read_limit)
            .hiccups(vec![true, false]),
        MockWriter::new()
            .limit(write_limit)
            .hiccups(vec![false, true]),
    );
    let (out, copy) = read_to_end_via(door, r);
    assert!(out == data, "reader output differs");
    assert!(copy == data, "writer copy differs");
}

// ----- poll level -----

#[cfg(any(feature = "futures", feature = "tokio"))]
mod poll_level {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tee_mock::{Gate, GateWriter};
    use tokio_test::{assert_pending, assert_ready_ok};

    type Tee = TeeReader<MockReader, GateWriter>;
    type PollRead = fn(Pin<&mut Tee>, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>;

    #[cfg(feature = "futures")]
    const FUTURES: PollRead = |r, cx, buf| futures::io::AsyncRead::poll_read(r, cx, buf);

    #[cfg(feature = "tokio")]
    const TOKIO: PollRead = |r, cx, buf| {
        let mut rb = tokio::io::ReadBuf::new(buf);
        match tokio::io::AsyncRead::poll_read(r, cx, &mut rb) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(rb.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    };

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn pending_writer_holds_bytes_until_it_has_them(#[case] poll_read: PollRead) {
        let gate = Gate::default();
        let tee = TeeReader::new(
            MockReader::new(b"hello world".to_vec()).limit(5),
            gate.writer(),
        );
        let mut task = tokio_test::task::spawn(tee);
        let mut buf = [0u8; 16];
        assert_pending!(task.enter(|cx, r| poll_read(r, cx, &mut buf)));
        assert_eq!(task.held_len(), 5, "R's bytes are held, not lost");
        assert!(!task.is_woken());
        // A second poll while W is still pending neither reads R again nor duplicates.
        assert_pending!(task.enter(|cx, r| poll_read(r, cx, &mut buf)));
        assert_eq!(task.get_ref().0.pos, 5);
        gate.open();
        assert!(task.is_woken(), "W becoming ready wakes the reader");
        let n = assert_ready_ok!(task.enter(|cx, r| poll_read(r, cx, &mut buf)));
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(gate.data(), b"hello");
        assert_eq!(task.held_len(), 0);
        let n = assert_ready_ok!(task.enter(|cx, r| poll_read(r, cx, &mut buf)));
        assert_eq!(&buf[..n], b" worl");
        assert_eq!(gate.data(), b"hello worl");
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn dropped_pending_read_loses_nothing(#[case] poll_read: PollRead) {
        let gate = Gate::default();
        let tee = TeeReader::new(MockReader::new(b"abc".to_vec()), gate.writer());
        let mut task = tokio_test::task::spawn(tee);
        let mut buf = [0u8; 8];
        assert_pending!(task.enter(|cx, r| poll_read(r, cx, &mut buf)));
        // The caller gives up on that read (drops its future) and reads later.
        gate.open();
        let mut small = [0u8; 2];
        let n = assert_ready_ok!(task.enter(|cx, r| poll_read(r, cx, &mut small)));
        assert_eq!(&small[..n], b"ab");
        let n = assert_ready_ok!(task.enter(|cx, r| poll_read(r, cx, &mut small)));
        assert_eq!(&small[..n], b"c");
        assert_eq!(
            assert_ready_ok!(task.enter(|cx, r| poll_read(r, cx, &mut small))),
            0
        );
        assert_eq!(gate.data(), b"abc");
    }
}

// ----- property test -----

mod props {
    use super::*;
    use proptest::prelude::*;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::pin::Pin;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::task::Context;
    use std::task::Poll;

    fn pattern() -> impl Strategy<Value = Vec<bool>> {
        proptest::collection::vec(any::<bool>(), 0..5).prop_map(|mut h| {
            if !h.is_empty() {
                h.push(false);
            }
            h
        })
    }

    proptest! {
        // 200 cases by default; PROPTEST_CASES=N for a longer run.
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
        ))]
        #[test]
        fn reader_and_writer_both_get_exactly_the_input(
            data in proptest::collection::vec(any::<u8>(), 0..3000),
            read_limit in 1usize..500,
            write_limit in 1usize..500,
            read_hiccups in pattern(),
            write_hiccups in pattern(),
            buf_len in 1usize..700,
            door in 0u8..3,
        ) {
            let mut r = TeeReader::new(
                {
                    let mut m = MockReader::new(data.clone()).limit(read_limit).hiccups(read_hiccups);
                    m.blocking_hiccup = ErrorKind::WouldBlock;
                    m
                },
                MockWriter::new()
                    .limit(write_limit)
                    .hiccups(write_hiccups)
                    .blocking_hiccup(ErrorKind::WouldBlock),
            );
            let mut out = Vec::new();
            let mut buf = vec![0u8; buf_len];
            let mut stalls = 0;
            loop {
                let p: Poll<io::Result<usize>> = match door {
                    0 => match r.read(&mut buf) {
                        Err(e) if e.kind() == ErrorKind::WouldBlock => Poll::Pending,
                        res => Poll::Ready(res),
                    },
                    #[cfg(feature = "futures")]
                    1 => futures::io::AsyncRead::poll_read(
                        Pin::new(&mut r),
                        &mut Context::from_waker(futures::task::noop_waker_ref()),
                        &mut buf,
                    ),
                    #[cfg(feature = "tokio")]
                    2 => {
                        let mut rb = tokio::io::ReadBuf::new(&mut buf);
                        tokio::io::AsyncRead::poll_read(
                            Pin::new(&mut r),
                            &mut Context::from_waker(futures::task::noop_waker_ref()),
                            &mut rb,
                        )
                        .map_ok(|()| rb.filled().len())
                    }
                    _ => return Ok(()),
                };
                match p {
                    Poll::Ready(Ok(0)) => break,
                    Poll::Ready(Ok(n)) => {
                        out.extend_from_slice(&buf[..n]);
                        prop_assert!(r.get_ref().1.data.starts_with(&out), "returned bytes not teed first");
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
            prop_assert!(r.get_ref().1.data == data, "writer copy differs");
        }
    }
}
