//! MultiWriter: Go's io.MultiWriter tests ported, short writes, misbehaving
//! writers, `Pending` writers on every front door, poll-level wake-ups, and a
//! property test.

mod common;
mod tee_mock;

use std::io::{self, ErrorKind, IoSlice, Write};

use common::{seeded_bytes, watchdog};
use pipetap::MultiWriter;
use rstest::rstest;
use tee_mock::{MockWriter, Scripted, SharedSink};

// ----- Go's io.MultiWriter behaviours -----

#[test]
fn go_every_writer_gets_every_byte() {
    let data = seeded_bytes(1, 10_000);
    let mut w = MultiWriter::new(vec![Vec::new(), Vec::new(), Vec::new()]);
    for chunk in data.chunks(777) {
        w.write_all(chunk).unwrap();
    }
    w.flush().unwrap();
    for sink in w.into_inner() {
        assert_eq!(sink, data);
    }
}

#[test]
fn go_error_stops_the_round_later_writers_not_called() {
    let first = SharedSink::default();
    let after = SharedSink::default();
    let mut w: MultiWriter<Box<dyn Write + Send>> = MultiWriter::new([
        Box::new(first.clone()) as Box<dyn Write + Send>,
        Box::new(Scripted::new([Err(ErrorKind::ConnectionReset)])),
    ]);
    w.push(Box::new(after.clone()));
    let err = w.write(b"hello").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    // The first writer had already taken the bytes; the ones after the failure none.
    assert_eq!(first.data(), b"hello");
    assert!(after.data().is_empty());
}

#[test]
fn erroring_writer_later_writers_see_no_call() {
    let mut w = MultiWriter::new([
        Scripted::new([]),
        Scripted::new([Ok(2), Err(ErrorKind::BrokenPipe)]),
        Scripted::new([]),
    ]);
    let err = w.write(b"hello").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    let ws = w.get_ref();
    assert_eq!(
        ws[0].data, b"hello",
        "writers before the failure have all bytes"
    );
    assert_eq!(ws[1].data, b"he", "the failing writer has a prefix");
    assert_eq!(ws[2].calls, 0, "writers after the failure are not called");
    // A later write is a fresh round for every writer.
    assert_eq!(w.write(b"ok").unwrap(), 2);
    assert_eq!(w.get_ref()[2].data, b"ok");
}

#[test]
fn error_from_first_writer_writes_nothing() {
    let mut w = MultiWriter::new([Scripted::new([Err(ErrorKind::Other)]), Scripted::new([])]);
    assert_eq!(w.write(b"abc").unwrap_err().kind(), ErrorKind::Other);
    assert_eq!(w.get_ref()[1].calls, 0);
}

#[test]
fn go_writer_list_is_copied_at_construction() {
    let a = SharedSink::default();
    let b = SharedSink::default();
    let mut list = vec![a.clone(), b.clone()];
    let mut w = MultiWriter::new(list.clone());
    // Changing the caller's list afterwards has no effect on the MultiWriter.
    list.clear();
    list.push(SharedSink::default());
    w.write_all(b"copied").unwrap();
    assert_eq!(a.data(), b"copied");
    assert_eq!(b.data(), b"copied");
    assert!(list[0].data().is_empty());
}

#[test]
fn no_writers_accepts_everything() {
    let mut w = MultiWriter::<Vec<u8>>::default();
    assert_eq!(w.write(b"into the void").unwrap(), 13);
    assert_eq!(
        w.write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"c")])
            .unwrap(),
        3
    );
    w.flush().unwrap();
}

#[test]
fn empty_buffer_calls_no_writer() {
    let mut w = MultiWriter::new([Scripted::new([]), Scripted::new([])]);
    assert_eq!(w.write(b"").unwrap(), 0);
    assert_eq!(w.write_vectored(&[IoSlice::new(b"")]).unwrap(), 0);
    assert!(w.get_ref().iter().all(|s| s.calls == 0));
}

#[test]
fn flattened_nesting_writes_through_one_level() {
    let inner = MultiWriter::new([Vec::new(), Vec::new()]);
    let mut outer: MultiWriter<Vec<u8>> = [Vec::new()].into_iter().collect();
    outer.append(inner);
    outer.extend([Vec::new()]);
    assert_eq!(outer.len(), 4);
    outer.write_all(b"flat").unwrap();
    assert!(outer.get_ref().iter().all(|v| v == b"flat"));
}

#[test]
fn nested_multiwriter_also_works() {
    let inner = MultiWriter::new([Vec::new(), Vec::new()]);
    let mut outer: MultiWriter<Box<dyn Write + Send>> =
        MultiWriter::new([Box::new(inner) as Box<dyn Write + Send>]);
    outer.write_all(b"nested").unwrap();
    assert_eq!(format!("{outer:?}"), "MultiWriter { writers: 1, held: 0 }");
}

#[test]
fn send_sync_unpin_when_the_writers_are() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<MultiWriter<Vec<u8>>>();
    check::<pipetap::TeeReader<&[u8], Vec<u8>>>();
    fn check_send<T: Send>() {}
    check_send::<MultiWriter<Box<dyn Write + Send>>>();
}

// ----- short writes -----

#[test]
fn first_writer_accepts_3_of_10() {
    let mut w = MultiWriter::new([
        MockWriter::new().limit(3),
        MockWriter::new(),
        MockWriter::new(),
    ]);
    assert_eq!(w.write(b"0123456789").unwrap(), 3);
    for m in w.get_ref() {
        assert_eq!(
            m.data, b"012",
            "every writer has exactly the accepted bytes"
        );
    }
}

#[test]
fn later_writer_accepts_1_byte_per_call() {
    let mut w = MultiWriter::new([MockWriter::new(), MockWriter::new().limit(1)]);
    assert_eq!(w.write(b"0123456789").unwrap(), 10);
    assert_eq!(w.get_ref()[1].data, b"0123456789");
    assert_eq!(w.get_ref()[1].calls, 10);
}

#[test]
fn short_writes_everywhere_write_all() {
    let data = seeded_bytes(2, 4096);
    let mut w = MultiWriter::new([
        MockWriter::new().limit(3),
        MockWriter::new().limit(1),
        MockWriter::new().limit(1000),
    ]);
    w.write_all(&data).unwrap();
    for m in w.get_ref() {
        assert_eq!(m.data, data);
    }
}

#[test]
fn interrupted_later_writer_is_retried_first_writer_reports_it() {
    let mut w = MultiWriter::new([
        Scripted::new([Err(ErrorKind::Interrupted)]),
        Scripted::new([
            Err(ErrorKind::Interrupted),
            Err(ErrorKind::Interrupted),
            Ok(1),
        ]),
    ]);
    // The first writer's Interrupted is the caller's to retry (nothing accepted).
    assert_eq!(w.write(b"abc").unwrap_err().kind(), ErrorKind::Interrupted);
    assert_eq!(w.get_ref()[1].calls, 0);
    // A later writer's Interrupted is retried inside, as write_all does.
    assert_eq!(w.write(b"abc").unwrap(), 3);
    assert_eq!(w.get_ref()[1].data, b"abc");
}

// ----- misbehaving writers -----

#[rstest]
#[case::first_claims_more(0, Ok(11), ErrorKind::InvalidData)]
#[case::later_claims_more(1, Ok(11), ErrorKind::InvalidData)]
#[case::first_claims_huge(0, Ok(usize::MAX), ErrorKind::InvalidData)]
#[case::later_claims_huge(2, Ok(usize::MAX), ErrorKind::InvalidData)]
#[case::first_accepts_nothing(0, Ok(0), ErrorKind::WriteZero)]
#[case::later_accepts_nothing(2, Ok(0), ErrorKind::WriteZero)]
fn misbehaving_writer_is_an_error_not_a_loop(
    #[case] which: usize,
    #[case] behaviour: Result<usize, ErrorKind>,
    #[case] expected: ErrorKind,
) {
    watchdog(move || {
        let mut ws = vec![Scripted::new([]), Scripted::new([]), Scripted::new([])];
        ws[which] = Scripted::new([behaviour]);
        let mut w = MultiWriter::new(ws);
        let err = w.write(b"0123456789").unwrap_err();
        assert_eq!(err.kind(), expected);
        for later in &w.get_ref()[which + 1..] {
            assert_eq!(later.calls, 0);
        }
        // The next write works again.
        assert_eq!(w.write(b"x").unwrap(), 1);
    });
}

#[test]
fn misbehaving_vectored_first_writer_is_invalid_data() {
    struct Liar;
    impl Write for Liar {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Ok(1000)
        }
        fn write_vectored(&mut self, _: &[IoSlice<'_>]) -> io::Result<usize> {
            Ok(1000)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut w: MultiWriter<Box<dyn Write>> = MultiWriter::new([Box::new(Liar) as Box<dyn Write>]);
    let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cd")];
    assert_eq!(
        w.write_vectored(&bufs).unwrap_err().kind(),
        ErrorKind::InvalidData
    );
}

// ----- vectored -----

/// Takes at most `limit` bytes per call, gathering across slices.
struct Gatherer {
    data: Vec<u8>,
    limit: usize,
}

impl Write for Gatherer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(self.limit);
        self.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut left = self.limit;
        for b in bufs {
            let n = b.len().min(left);
            self.data.extend_from_slice(&b[..n]);
            left -= n;
        }
        Ok(self.limit - left)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_vectored_others_get_exactly_the_first_writers_bytes() {
    let bufs = [
        IoSlice::new(b"abc"),
        IoSlice::new(b""),
        IoSlice::new(b"de"),
        IoSlice::new(b"fghij"),
    ];
    let mut w = MultiWriter::new([
        Gatherer {
            data: Vec::new(),
            limit: 7,
        },
        Gatherer {
            data: Vec::new(),
            limit: 1,
        },
        Gatherer {
            data: Vec::new(),
            limit: 100,
        },
    ]);
    assert_eq!(w.write_vectored(&bufs).unwrap(), 7);
    for g in w.get_ref() {
        assert_eq!(g.data, b"abcdefg");
    }
    assert_eq!(w.write_vectored(&bufs[3..]).unwrap(), 5);
    for g in w.get_ref() {
        assert_eq!(g.data, b"abcdefgfghij");
    }
}

// ----- flush -----

#[test]
fn flush_flushes_all_fail_fast() {
    let mut w = MultiWriter::new([MockWriter::new(), MockWriter::new()]);
    w.flush().unwrap();
    assert!(w.get_ref().iter().all(|m| m.flushes == 1));

    struct FailFlush;
    impl Write for FailFlush {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(ErrorKind::Other.into())
        }
    }
    let counter = MockWriter::new();
    let mut w: MultiWriter<Box<dyn Write>> =
        MultiWriter::new([Box::new(FailFlush) as Box<dyn Write>, Box::new(counter)]);
    assert_eq!(w.flush().unwrap_err().kind(), ErrorKind::Other);
}

// ----- nonblocking writers through the blocking door -----

#[test]
fn would_block_from_a_later_writer_holds_the_round() {
    let mut w = MultiWriter::new([
        Scripted::new([]),
        Scripted::new([
            Ok(2),
            Err(ErrorKind::WouldBlock),
            Err(ErrorKind::WouldBlock),
        ]),
        Scripted::new([]),
    ]);
    // The first writer took all 5, so the write succeeds; 3 bytes are held.
    assert_eq!(w.write(b"hello").unwrap(), 5);
    assert_eq!(w.held_len(), 5);
    assert_eq!(w.get_ref()[1].data, b"he");
    assert_eq!(w.get_ref()[2].calls, 0);
    // The next write first finishes the held round; meanwhile it accepts nothing.
    assert_eq!(w.write(b"world").unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(w.get_ref()[0].data, b"hello");
    // Now writer 1 takes the rest; the round completes, then the new write goes through.
    assert_eq!(w.write(b"world").unwrap(), 5);
    assert_eq!(w.held_len(), 0);
    for s in w.get_ref() {
        assert_eq!(s.data, b"helloworld");
    }
}

#[test]
fn flush_finishes_a_held_round_first() {
    let mut w = MultiWriter::new([
        Scripted::new([]),
        Scripted::new([Err(ErrorKind::WouldBlock)]),
    ]);
    assert_eq!(w.write(b"abc").unwrap(), 3);
    assert_eq!(w.held_len(), 3);
    w.flush().unwrap();
    assert_eq!(w.held_len(), 0);
    assert_eq!(w.get_ref()[1].data, b"abc");
}

#[test]
fn error_while_finishing_a_held_round_abandons_it() {
    let mut w = MultiWriter::new([
        Scripted::new([]),
        Scripted::new([
            Ok(1),
            Err(ErrorKind::WouldBlock),
            Err(ErrorKind::BrokenPipe),
        ]),
        Scripted::new([]),
    ]);
    assert_eq!(w.write(b"abc").unwrap(), 3);
    assert_eq!(w.write(b"def").unwrap_err().kind(), ErrorKind::BrokenPipe);
    assert_eq!(w.held_len(), 0);
    assert_eq!(w.get_ref()[1].data, b"a");
    assert_eq!(
        w.get_ref()[2].calls,
        0,
        "fail fast: later writers never got the round"
    );
    assert_eq!(w.write(b"def").unwrap(), 3);
    assert_eq!(w.get_ref()[0].data, b"abcdef");
    assert_eq!(w.get_ref()[2].data, b"def");
}

#[test]
fn pushed_writer_does_not_get_a_held_round() {
    let mut w = MultiWriter::new([
        Scripted::new([]),
        Scripted::new([Err(ErrorKind::WouldBlock)]),
    ]);
    assert_eq!(w.write(b"old").unwrap(), 3);
    w.push(Scripted::new([]));
    assert_eq!(w.write(b"new").unwrap(), 3);
    assert_eq!(w.get_ref()[1].data, b"oldnew");
    assert_eq!(w.get_ref()[2].data, b"new");
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

/// `write_all`s `data` in `chunk`-sized pieces through `door`, then flushes
/// and (async) closes.
fn write_all_via(
    door: Door,
    mut w: MultiWriter<MockWriter>,
    data: Vec<u8>,
    chunk: usize,
) -> MultiWriter<MockWriter> {
    match door {
        Door::Blocking => watchdog(move || {
            for c in data.chunks(chunk) {
                w.write_all(c).unwrap();
            }
            w.flush().unwrap();
            w
        }),
        #[cfg(feature = "futures")]
        Door::Futures => common::futures_watchdog(move || async move {
            use futures::io::AsyncWriteExt as _;
            for c in data.chunks(chunk) {
                futures::io::AsyncWriteExt::write_all(&mut w, c)
                    .await
                    .unwrap();
            }
            futures::io::AsyncWriteExt::flush(&mut w).await.unwrap();
            w.close().await.unwrap();
            w
        }),
        #[cfg(feature = "tokio")]
        Door::Tokio => common::tokio_watchdog(move || async move {
            use tokio::io::AsyncWriteExt as _;
            for c in data.chunks(chunk) {
                tokio::io::AsyncWriteExt::write_all(&mut w, c)
                    .await
                    .unwrap();
            }
            tokio::io::AsyncWriteExt::flush(&mut w).await.unwrap();
            w.shutdown().await.unwrap();
            w
        }),
    }
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn hiccuping_short_writers_every_writer_holds_exactly_the_input(
    #[case] door: Door,
    #[values(1, 100, 65_536)] chunk: usize,
) {
    let data = seeded_bytes(42, 256 * 1024);
    // Async doors: the hiccups are `Pending` (the writer wakes itself);
    // blocking door: `Interrupted`, which the caller's write_all and our
    // internal loop both retry.
    let w = MultiWriter::new([
        MockWriter::new().limit(1000).alternate(),
        MockWriter::new().limit(7).alternate(),
        MockWriter::new().hiccups(vec![false, false, true]),
        MockWriter::new().limit(4096),
    ]);
    let w = write_all_via(door, w, data.clone(), chunk);
    for (i, m) in w.get_ref().iter().enumerate() {
        assert!(
            m.data == data,
            "writer {i} differs (len {} vs {})",
            m.data.len(),
            data.len()
        );
        assert!(m.flushes >= 1, "writer {i} was flushed");
    }
    assert_eq!(w.held_len(), 0);
}

#[cfg(feature = "futures")]
#[test]
fn boxed_futures_writers_mix_types() {
    use futures::io::{AsyncWrite, AsyncWriteExt, Cursor};
    let out = common::futures_watchdog(|| async {
        let mut w: MultiWriter<Box<dyn AsyncWrite + Send + Unpin>> = MultiWriter::new([
            Box::new(Cursor::new(Vec::new())) as Box<dyn AsyncWrite + Send + Unpin>,
            Box::new(MockWriter::new().limit(2).alternate()),
            Box::new(futures::io::sink()),
        ]);
        w.write_all(b"boxed").await.unwrap();
        w.close().await.unwrap();
        w.held_len()
    });
    assert_eq!(out, 0);
}

#[cfg(feature = "tokio")]
#[test]
fn boxed_tokio_writers_mix_types() {
    use tokio::io::{AsyncWrite, AsyncWriteExt};
    let (got, len) = common::tokio_watchdog(|| async {
        let (tx, mut rx) = tokio::io::duplex(4);
        let mut w: MultiWriter<Box<dyn AsyncWrite + Send + Unpin>> = MultiWriter::new([
            Box::new(Vec::new()) as Box<dyn AsyncWrite + Send + Unpin>,
            Box::new(tx),
        ]);
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut rx, &mut got)
                .await
                .unwrap();
            got
        });
        let data = seeded_bytes(5, 10_000);
        w.write_all(&data).await.unwrap();
        w.shutdown().await.unwrap();
        drop(w);
        (reader.await.unwrap(), data.len())
    });
    assert_eq!(got, seeded_bytes(5, len));
}

#[cfg(feature = "futures")]
#[test]
fn round_held_by_an_async_write_is_finished_by_a_blocking_flush() {
    use futures::task::noop_waker_ref;
    use std::task::{Context, Poll};
    let mut w = MultiWriter::new([
        MockWriter::new(),
        MockWriter::new().hiccups(vec![true, false]),
    ]);
    let mut cx = Context::from_waker(noop_waker_ref());
    let p = futures::io::AsyncWrite::poll_write(std::pin::Pin::new(&mut w), &mut cx, b"mixed");
    assert!(matches!(p, Poll::Ready(Ok(5))));
    assert_eq!(w.held_len(), 5);
    Write::flush(&mut w).unwrap();
    assert_eq!(w.held_len(), 0);
    assert!(w
        .get_ref()
        .iter()
        .all(|m| m.data == b"mixed" && m.flushes == 1));
}

// ----- poll level -----

#[cfg(any(feature = "futures", feature = "tokio"))]
mod poll_level {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tee_mock::{Gate, GateWriter};
    use tokio_test::{assert_pending, assert_ready, assert_ready_err, assert_ready_ok};

    type Mw = MultiWriter<GateWriter>;
    type PollWrite = fn(Pin<&mut Mw>, &mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>;
    type PollUnit = fn(Pin<&mut Mw>, &mut Context<'_>) -> Poll<io::Result<()>>;

    /// One door's `poll_write`, `poll_flush` and `poll_close`/`poll_shutdown`.
    #[derive(Clone, Copy)]
    struct Async {
        write: PollWrite,
        flush: PollUnit,
        close: PollUnit,
    }

    #[cfg(feature = "futures")]
    const FUTURES: Async = Async {
        write: |w, cx, b| futures::io::AsyncWrite::poll_write(w, cx, b),
        flush: |w, cx| futures::io::AsyncWrite::poll_flush(w, cx),
        close: |w, cx| futures::io::AsyncWrite::poll_close(w, cx),
    };

    #[cfg(feature = "tokio")]
    const TOKIO: Async = Async {
        write: |w, cx, b| tokio::io::AsyncWrite::poll_write(w, cx, b),
        flush: |w, cx| tokio::io::AsyncWrite::poll_flush(w, cx),
        close: |w, cx| tokio::io::AsyncWrite::poll_shutdown(w, cx),
    };

    fn gates(n: usize) -> (Vec<Gate>, Mw) {
        let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
        let w = MultiWriter::new(gates.iter().map(Gate::writer));
        (gates, w)
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn pending_first_writer_accepts_nothing(#[case] io: Async) {
        let (g, w) = gates(2);
        g[1].open();
        let mut task = tokio_test::task::spawn(w);
        assert_pending!(task.enter(|cx, w| (io.write)(w, cx, b"abc")));
        assert_eq!(task.held_len(), 0);
        assert!(g[1].data().is_empty());
        g[0].open();
        assert!(task.is_woken());
        assert_eq!(
            assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"abc"))),
            3
        );
        assert_eq!(g[0].data(), b"abc");
        assert_eq!(g[1].data(), b"abc");
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn pending_later_writer_holds_round_and_next_write_waits(#[case] io: Async) {
        let (g, w) = gates(3);
        g[0].open();
        g[2].open();
        let mut task = tokio_test::task::spawn(w);
        // Writer 0 took the bytes, so the write is Ready even though writer 1 is Pending.
        assert_eq!(
            assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"one"))),
            3
        );
        assert_eq!(task.held_len(), 3);
        assert_eq!(
            g[2].write_calls(),
            0,
            "writers after the pending one wait their turn"
        );
        // The next write cannot start until the held round is done.
        assert_pending!(task.enter(|cx, w| (io.write)(w, cx, b"two")));
        assert_eq!(g[0].data(), b"one", "nothing new accepted while Pending");
        assert!(!task.is_woken());
        g[1].open();
        assert!(task.is_woken(), "opening the pending writer wakes the task");
        assert_eq!(
            assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"two"))),
            3
        );
        for gate in &g {
            assert_eq!(gate.data(), b"onetwo");
        }
        assert_eq!(task.held_len(), 0);
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn flush_finishes_held_bytes_then_flushes_each_writer_once(#[case] io: Async) {
        let (g, w) = gates(3);
        g[0].open();
        let mut task = tokio_test::task::spawn(w);
        assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"held")));
        assert_pending!(task.enter(|cx, w| (io.flush)(w, cx)));
        assert_eq!(
            g[0].flushes(),
            0,
            "no flush before the held bytes are delivered"
        );
        g[1].open();
        assert!(task.is_woken());
        // Writer 2 still pending: held bytes reached writer 1 only.
        assert_pending!(task.enter(|cx, w| (io.flush)(w, cx)));
        assert_eq!(g[1].data(), b"held");
        g[2].open();
        assert!(task.is_woken());
        assert_ready_ok!(task.enter(|cx, w| (io.flush)(w, cx)));
        for gate in &g {
            assert_eq!(gate.data(), b"held");
            assert_eq!(gate.flushes(), 1);
        }
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn pending_flush_resumes_at_the_writer_it_stopped_at(#[case] io: Async) {
        let (g, w) = gates(2);
        g[0].open();
        let mut task = tokio_test::task::spawn(w);
        // Writer 1 is pending on flush (no held round: nothing written).
        assert_pending!(task.enter(|cx, w| (io.flush)(w, cx)));
        assert_eq!(g[0].flushes(), 1);
        g[0].shut(); // re-flushing writer 0 would now hang
        g[1].open();
        assert!(task.is_woken());
        assert_ready_ok!(task.enter(|cx, w| (io.flush)(w, cx)));
        assert_eq!(g[0].flushes(), 1);
        assert_eq!(g[1].flushes(), 1);
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn close_delivers_held_bytes_then_closes_all(#[case] io: Async) {
        let (g, w) = gates(2);
        g[0].open();
        let mut task = tokio_test::task::spawn(w);
        assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"bye")));
        assert_pending!(task.enter(|cx, w| (io.close)(w, cx)));
        assert_eq!(g[0].closes(), 0);
        g[1].open();
        assert!(task.is_woken());
        assert_ready_ok!(task.enter(|cx, w| (io.close)(w, cx)));
        assert_eq!(g[1].data(), b"bye");
        assert_eq!((g[0].closes(), g[1].closes()), (1, 1));
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(FUTURES))]
    #[cfg_attr(feature = "tokio", case::tokio(TOKIO))]
    fn error_in_held_round_is_reported_by_the_next_call(#[case] io: Async) {
        let (g, w) = gates(3);
        g[0].open();
        g[2].open();
        let mut task = tokio_test::task::spawn(w);
        assert_ready_ok!(task.enter(|cx, w| (io.write)(w, cx, b"abc")));
        g[1].fail_next(ErrorKind::ConnectionReset);
        assert!(task.is_woken());
        let err = assert_ready_err!(task.enter(|cx, w| (io.write)(w, cx, b"def")));
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(g[0].data(), b"abc", "the failing call accepted nothing");
        assert!(
            g[2].data().is_empty(),
            "fail fast: writers after the failure skipped"
        );
        g[1].open();
        assert_eq!(
            assert_ready!(task.enter(|cx, w| (io.write)(w, cx, b"def"))).unwrap(),
            3
        );
        assert_eq!(g[2].data(), b"def");
    }
}

// ----- property test -----

mod props {
    use super::*;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use futures::task::noop_waker_ref;
    use proptest::prelude::*;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::pin::Pin;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::task::Context;
    use std::task::Poll;

    #[derive(Debug, Clone)]
    struct Spec {
        limit: usize,
        hiccups: Vec<bool>,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (1usize..=300, proptest::collection::vec(any::<bool>(), 0..6)).prop_map(|(limit, mut h)| {
            if !h.is_empty() {
                h.push(false); // always some progress
            }
            Spec { limit, hiccups: h }
        })
    }

    /// Drives `w` by hand (no executor): `poll` stands for one door's
    /// `poll_write` / `poll_flush`. Hiccups are `Pending` (or `WouldBlock`).
    fn drive(
        w: &mut MultiWriter<MockWriter>,
        data: &[u8],
        chunk: usize,
        vectored: bool,
        mut poll_write: impl FnMut(
            &mut MultiWriter<MockWriter>,
            &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>>,
        mut poll_flush: impl FnMut(&mut MultiWriter<MockWriter>) -> Poll<io::Result<()>>,
    ) {
        // Progress is any byte reaching any writer: a held round can take many
        // `Pending` polls to drain when writers take 1 byte per call.
        let delivered = |w: &MultiWriter<MockWriter>| -> usize {
            w.get_ref().iter().map(|m| m.data.len()).sum()
        };
        let mut pos = 0;
        let mut stalls = 0;
        let mut last = 0;
        while pos < data.len() {
            let end = (pos + chunk).min(data.len());
            let piece = &data[pos..end];
            // Vectored: the piece as three slices (some possibly empty).
            let (x, rest) = piece.split_at(piece.len() / 3);
            let (y, z) = rest.split_at(rest.len() / 2);
            let slices = [IoSlice::new(x), IoSlice::new(y), IoSlice::new(z)];
            let single = [IoSlice::new(piece)];
            match poll_write(w, if vectored { &slices } else { &single }) {
                Poll::Ready(Ok(n)) => {
                    assert!(n > 0 && n <= end - pos);
                    pos += n;
                    stalls = 0;
                }
                Poll::Ready(Err(e)) => panic!("unexpected error {e}"),
                Poll::Pending => {
                    let now = delivered(w);
                    stalls = if now == last { stalls + 1 } else { 0 };
                    last = now;
                    assert!(stalls < 100, "no progress");
                }
            }
        }
        let mut stalls = 0;
        while poll_flush(w).map(|r| r.unwrap()).is_pending() {
            let now = delivered(w);
            stalls = if now == last { stalls + 1 } else { 0 };
            last = now;
            assert!(stalls < 100, "flush makes no progress");
        }
    }

    fn blocking(r: io::Result<usize>) -> Poll<io::Result<usize>> {
        match r {
            Err(e) if e.kind() == ErrorKind::WouldBlock => Poll::Pending,
            r => Poll::Ready(r),
        }
    }

    proptest! {
        // 200 cases by default; PROPTEST_CASES=N for a longer run.
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
        ))]
        #[test]
        fn every_writer_ends_with_exactly_the_input(
            data in proptest::collection::vec(any::<u8>(), 1..3000),
            specs in proptest::collection::vec(spec(), 1..5),
            chunk in 1usize..700,
            door in 0u8..3,
            vectored in any::<bool>(),
        ) {
            let mut w = MultiWriter::new(specs.iter().map(|s| {
                MockWriter::new()
                    .limit(s.limit)
                    .hiccups(s.hiccups.clone())
                    .blocking_hiccup(ErrorKind::WouldBlock)
            }));
            match door {
                0 => drive(
                    &mut w,
                    &data,
                    chunk,
                    vectored,
                    |w, b| blocking(if vectored { w.write_vectored(b) } else { w.write(&b[0]) }),
                    |w| blocking(w.flush().map(|()| 0)).map(|r| r.map(drop)),
                ),
                #[cfg(feature = "futures")]
                1 => drive(
                    &mut w,
                    &data,
                    chunk,
                    vectored,
                    |w, b| {
                        let cx = &mut Context::from_waker(noop_waker_ref());
                        if vectored {
                            futures::io::AsyncWrite::poll_write_vectored(Pin::new(w), cx, b)
                        } else {
                            futures::io::AsyncWrite::poll_write(Pin::new(w), cx, &b[0])
                        }
                    },
                    |w| futures::io::AsyncWrite::poll_flush(Pin::new(w), &mut Context::from_waker(noop_waker_ref())),
                ),
                #[cfg(feature = "tokio")]
                2 => drive(
                    &mut w,
                    &data,
                    chunk,
                    vectored,
                    |w, b| {
                        let cx = &mut Context::from_waker(noop_waker_ref());
                        if vectored {
                            tokio::io::AsyncWrite::poll_write_vectored(Pin::new(w), cx, b)
                        } else {
                            tokio::io::AsyncWrite::poll_write(Pin::new(w), cx, &b[0])
                        }
                    },
                    |w| tokio::io::AsyncWrite::poll_flush(Pin::new(w), &mut Context::from_waker(noop_waker_ref())),
                ),
                _ => return Ok(()), // door not compiled in
            }
            prop_assert_eq!(w.held_len(), 0);
            for (i, m) in w.get_ref().iter().enumerate() {
                prop_assert!(m.data == data, "writer {} has {} bytes, input {}", i, m.data.len(), data.len());
            }
        }
    }
}
