//! MultiWriter: Go's io.MultiWriter tests ported, short writes, misbehaving
//! writers, `Pending` writers on every front door, poll-level wake-ups, and a
//! property test.

mod support;

use std::io::{ErrorKind, IoSlice, Write};

use pipetap::MultiWriter;
use rstest::rstest;
use support::mock::{Mock, Scripted, SharedSink};
use support::{seeded_bytes, watchdog, Conn, Door};

// ----- Go's io.MultiWriter behaviours -----

#[test]
fn go_every_writer_gets_every_byte() {
    watchdog(move || {
        let data = seeded_bytes(1, 10_000);
        let mut w = MultiWriter::new(vec![Vec::new(), Vec::new(), Vec::new()]);
        for chunk in data.chunks(777) {
            w.write_all(chunk).unwrap();
        }
        w.flush().unwrap();
        for sink in w.into_inner() {
            assert_eq!(sink, data);
        }
    });
}

#[test]
fn go_error_stops_the_round_later_writers_not_called() {
    watchdog(move || {
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
    });
}

#[test]
fn erroring_writer_later_writers_see_no_call() {
    watchdog(move || {
        let mut w = MultiWriter::new([
            Scripted::new([]),
            Scripted::new([Ok(2), Err(ErrorKind::BrokenPipe)]),
            Scripted::new([]),
        ]);
        let err = w.write(b"hello").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let ws = w.get_ref();
        assert_eq!(
            ws[0].written, b"hello",
            "writers before the failure have all bytes"
        );
        assert_eq!(ws[1].written, b"he", "the failing writer has a prefix");
        assert_eq!(ws[2].calls, 0, "writers after the failure are not called");
        // A later write is a fresh round for every writer.
        assert_eq!(w.write(b"ok").unwrap(), 2);
        assert_eq!(w.get_ref()[2].written, b"ok");
    });
}

#[test]
fn error_from_first_writer_writes_nothing() {
    watchdog(move || {
        let mut w = MultiWriter::new([Scripted::new([Err(ErrorKind::Other)]), Scripted::new([])]);
        assert_eq!(w.write(b"abc").unwrap_err().kind(), ErrorKind::Other);
        assert_eq!(w.get_ref()[1].calls, 0);
    });
}

#[test]
fn go_writer_list_is_copied_at_construction() {
    watchdog(move || {
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
    });
}

#[test]
fn no_writers_accepts_everything() {
    watchdog(move || {
        let mut w = MultiWriter::<Vec<u8>>::default();
        assert_eq!(w.write(b"into the void").unwrap(), 13);
        assert_eq!(
            w.write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"c")])
                .unwrap(),
            3
        );
        w.flush().unwrap();
    });
}

#[test]
fn empty_buffer_calls_no_writer() {
    watchdog(move || {
        let mut w = MultiWriter::new([Scripted::new([]), Scripted::new([])]);
        assert_eq!(w.write(b"").unwrap(), 0);
        assert_eq!(w.write_vectored(&[IoSlice::new(b"")]).unwrap(), 0);
        assert!(w.get_ref().iter().all(|s| s.calls == 0));
    });
}

#[test]
fn flattened_nesting_writes_through_one_level() {
    watchdog(move || {
        let inner = MultiWriter::new([Vec::new(), Vec::new()]);
        let mut outer: MultiWriter<Vec<u8>> = [Vec::new()].into_iter().collect();
        outer.append(inner);
        outer.extend([Vec::new()]);
        assert_eq!(outer.len(), 4);
        outer.write_all(b"flat").unwrap();
        assert!(outer.get_ref().iter().all(|v| v == b"flat"));
    });
}

#[test]
fn nested_multiwriter_also_works() {
    watchdog(move || {
        let inner = MultiWriter::new([Vec::new(), Vec::new()]);
        let mut outer: MultiWriter<Box<dyn Write + Send>> =
            MultiWriter::new([Box::new(inner) as Box<dyn Write + Send>]);
        outer.write_all(b"nested").unwrap();
        assert_eq!(format!("{outer:?}"), "MultiWriter { writers: 1, held: 0 }");
    });
}

// ----- short writes -----

#[test]
fn first_writer_accepts_3_of_10() {
    watchdog(move || {
        let mut w = MultiWriter::new([Mock::new().max_write(3), Mock::new(), Mock::new()]);
        assert_eq!(w.write(b"0123456789").unwrap(), 3);
        for m in w.get_ref() {
            assert_eq!(
                m.written, b"012",
                "every writer has exactly the accepted bytes"
            );
        }
    });
}

#[test]
fn later_writer_accepts_1_byte_per_call() {
    watchdog(move || {
        let mut w = MultiWriter::new([Mock::new(), Mock::new().max_write(1)]);
        assert_eq!(w.write(b"0123456789").unwrap(), 10);
        assert_eq!(w.get_ref()[1].written, b"0123456789");
        assert_eq!(w.get_ref()[1].calls, 10);
    });
}

#[test]
fn short_writes_everywhere_write_all() {
    watchdog(move || {
        let data = seeded_bytes(2, 4096);
        let mut w = MultiWriter::new([
            Mock::new().max_write(3),
            Mock::new().max_write(1),
            Mock::new().max_write(1000),
        ]);
        w.write_all(&data).unwrap();
        for m in w.get_ref() {
            assert_eq!(m.written, data);
        }
    });
}

#[test]
fn interrupted_later_writer_is_retried_first_writer_reports_it() {
    watchdog(move || {
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
        assert_eq!(w.get_ref()[1].written, b"abc");
    });
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
    watchdog(move || {
        // Claims 1000 of the 4 bytes offered.
        let mut w = MultiWriter::new([Scripted::new([Ok(1000)]), Scripted::new([])]);
        let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cd")];
        assert_eq!(
            w.write_vectored(&bufs).unwrap_err().kind(),
            ErrorKind::InvalidData
        );
    });
}

// ----- vectored -----

#[test]
fn write_vectored_others_get_exactly_the_first_writers_bytes() {
    watchdog(move || {
        let bufs = [
            IoSlice::new(b"abc"),
            IoSlice::new(b""),
            IoSlice::new(b"de"),
            IoSlice::new(b"fghij"),
        ];
        // Each takes at most its limit per call, gathered across the slices.
        let mut w = MultiWriter::new([
            Mock::new().max_write(7),
            Mock::new().max_write(1),
            Mock::new().max_write(100),
        ]);
        assert_eq!(w.write_vectored(&bufs).unwrap(), 7);
        for g in w.get_ref() {
            assert_eq!(g.written, b"abcdefg");
        }
        assert_eq!(w.write_vectored(&bufs[3..]).unwrap(), 5);
        for g in w.get_ref() {
            assert_eq!(g.written, b"abcdefgfghij");
        }
    });
}

// ----- flush -----

#[test]
fn flush_flushes_all_fail_fast() {
    watchdog(move || {
        let mut w = MultiWriter::new([Mock::new(), Mock::new()]);
        w.flush().unwrap();
        assert!(w.get_ref().iter().all(|m| m.flushes == 1));

        let mut w = MultiWriter::new([Mock::new().flush_error(ErrorKind::Other), Mock::new()]);
        assert_eq!(w.flush().unwrap_err().kind(), ErrorKind::Other);
        assert_eq!(w.get_ref()[1].flushes, 0, "later writers are not flushed");
    });
}

// ----- nonblocking writers through the blocking door -----

#[test]
fn would_block_from_a_later_writer_holds_the_round() {
    watchdog(move || {
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
        assert_eq!(w.get_ref()[1].written, b"he");
        assert_eq!(w.get_ref()[2].calls, 0);
        // The next write first finishes the held round; meanwhile it accepts nothing.
        assert_eq!(w.write(b"world").unwrap_err().kind(), ErrorKind::WouldBlock);
        assert_eq!(w.get_ref()[0].written, b"hello");
        // Now writer 1 takes the rest; the round completes, then the new write goes through.
        assert_eq!(w.write(b"world").unwrap(), 5);
        assert_eq!(w.held_len(), 0);
        for s in w.get_ref() {
            assert_eq!(s.written, b"helloworld");
        }
    });
}

#[test]
fn flush_finishes_a_held_round_first() {
    watchdog(move || {
        let mut w = MultiWriter::new([
            Scripted::new([]),
            Scripted::new([Err(ErrorKind::WouldBlock)]),
        ]);
        assert_eq!(w.write(b"abc").unwrap(), 3);
        assert_eq!(w.held_len(), 3);
        w.flush().unwrap();
        assert_eq!(w.held_len(), 0);
        assert_eq!(w.get_ref()[1].written, b"abc");
    });
}

#[test]
fn error_while_finishing_a_held_round_abandons_it() {
    watchdog(move || {
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
        assert_eq!(w.get_ref()[1].written, b"a");
        assert_eq!(
            w.get_ref()[2].calls,
            0,
            "fail fast: later writers never got the round"
        );
        assert_eq!(w.write(b"def").unwrap(), 3);
        assert_eq!(w.get_ref()[0].written, b"abcdef");
        assert_eq!(w.get_ref()[2].written, b"def");
    });
}

#[test]
fn pushed_writer_does_not_get_a_held_round() {
    watchdog(move || {
        let mut w = MultiWriter::new([
            Scripted::new([]),
            Scripted::new([Err(ErrorKind::WouldBlock)]),
        ]);
        assert_eq!(w.write(b"old").unwrap(), 3);
        w.push(Scripted::new([]));
        assert_eq!(w.write(b"new").unwrap(), 3);
        assert_eq!(w.get_ref()[1].written, b"oldnew");
        assert_eq!(w.get_ref()[2].written, b"new");
    });
}

// ----- one behaviour, three front doors -----

/// `write_all`s `data` in `chunk`-sized pieces through `door`, then flushes
/// and closes (the blocking door has no close).
fn write_all_via(
    door: Door,
    w: MultiWriter<Mock>,
    data: Vec<u8>,
    chunk: usize,
) -> MultiWriter<Mock> {
    watchdog(move || {
        let mut w = Conn::new(w, door);
        for c in data.chunks(chunk) {
            w.write_all(c).unwrap();
        }
        w.flush().unwrap();
        w.close().unwrap();
        w.into_inner()
    })
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn hiccuping_short_writers_every_writer_holds_exactly_the_input(
    #[case] door: Door,
    #[values(1, 100, 65_536)] chunk: usize,
) {
    watchdog(move || {
        let data = seeded_bytes(42, 256 * 1024);
        // Async doors: the hiccups are `Pending` (the writer wakes itself);
        // blocking door: `Interrupted`, which the caller's write_all and our
        // internal loop both retry.
        let w = MultiWriter::new([
            Mock::new().max_write(1000).alternate(),
            Mock::new().max_write(7).alternate(),
            Mock::new().hiccups(vec![false, false, true]),
            Mock::new().max_write(4096),
        ]);
        let w = write_all_via(door, w, data.clone(), chunk);
        for (i, m) in w.get_ref().iter().enumerate() {
            assert!(
                m.written == data,
                "writer {i} differs (len {} vs {})",
                m.written.len(),
                data.len()
            );
            assert!(m.flushes >= 1, "writer {i} was flushed");
        }
        assert_eq!(w.held_len(), 0);
    });
}

#[cfg(feature = "futures")]
#[test]
fn boxed_futures_writers_mix_types() {
    use futures::io::{AsyncWrite, AsyncWriteExt, Cursor};
    let out = support::futures_watchdog(|| async {
        let mut w: MultiWriter<Box<dyn AsyncWrite + Send + Unpin>> = MultiWriter::new([
            Box::new(Cursor::new(Vec::new())) as Box<dyn AsyncWrite + Send + Unpin>,
            Box::new(Mock::new().max_write(2).alternate()),
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
    let (got, len) = support::tokio_watchdog(|| async {
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

#[cfg(any(feature = "futures", feature = "tokio"))]
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn round_held_by_an_async_write_is_finished_by_a_blocking_flush(#[case] door: Door) {
    watchdog(move || {
        use std::task::{Context, Poll, Waker};
        let mut w = MultiWriter::new([Mock::new(), Mock::new().hiccups(vec![true, false])]);
        let mut cx = Context::from_waker(Waker::noop());
        let p = door.poll_write(&mut w, &mut cx, b"mixed");
        assert!(matches!(p, Poll::Ready(Ok(5))));
        assert_eq!(w.held_len(), 5);
        Write::flush(&mut w).unwrap();
        assert_eq!(w.held_len(), 0);
        assert!(w
            .get_ref()
            .iter()
            .all(|m| m.written == b"mixed" && m.flushes == 1));
    });
}

// ----- poll level -----

#[cfg(any(feature = "futures", feature = "tokio"))]
mod poll_level {
    use super::*;
    use support::mock::{Gate, GateWriter};
    use tokio_test::{assert_pending, assert_ready, assert_ready_err, assert_ready_ok};

    type Mw = MultiWriter<GateWriter>;

    fn gates(n: usize) -> (Vec<Gate>, Mw) {
        let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
        let w = MultiWriter::new(gates.iter().map(Gate::writer));
        (gates, w)
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn pending_first_writer_accepts_nothing(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(2);
            g[1].open();
            let mut task = tokio_test::task::spawn(w);
            assert_pending!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"abc")));
            assert_eq!(task.held_len(), 0);
            assert!(g[1].data().is_empty());
            g[0].open();
            assert!(task.is_woken());
            assert_eq!(
                assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"abc"))),
                3
            );
            assert_eq!(g[0].data(), b"abc");
            assert_eq!(g[1].data(), b"abc");
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn pending_later_writer_holds_round_and_next_write_waits(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(3);
            g[0].open();
            g[2].open();
            let mut task = tokio_test::task::spawn(w);
            // Writer 0 took the bytes, so the write is Ready even though writer 1 is Pending.
            assert_eq!(
                assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"one"))),
                3
            );
            assert_eq!(task.held_len(), 3);
            assert_eq!(
                g[2].write_calls(),
                0,
                "writers after the pending one wait their turn"
            );
            // The next write cannot start until the held round is done.
            assert_pending!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"two")));
            assert_eq!(g[0].data(), b"one", "nothing new accepted while Pending");
            assert!(!task.is_woken());
            g[1].open();
            assert!(task.is_woken(), "opening the pending writer wakes the task");
            assert_eq!(
                assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"two"))),
                3
            );
            for gate in &g {
                assert_eq!(gate.data(), b"onetwo");
            }
            assert_eq!(task.held_len(), 0);
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn flush_finishes_held_bytes_then_flushes_each_writer_once(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(3);
            g[0].open();
            let mut task = tokio_test::task::spawn(w);
            assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"held")));
            assert_pending!(task.enter(|cx, w| door.poll_flush(w.get_mut(), cx)));
            assert_eq!(
                g[0].flushes(),
                0,
                "no flush before the held bytes are delivered"
            );
            g[1].open();
            assert!(task.is_woken());
            // Writer 2 still pending: held bytes reached writer 1 only.
            assert_pending!(task.enter(|cx, w| door.poll_flush(w.get_mut(), cx)));
            assert_eq!(g[1].data(), b"held");
            g[2].open();
            assert!(task.is_woken());
            assert_ready_ok!(task.enter(|cx, w| door.poll_flush(w.get_mut(), cx)));
            for gate in &g {
                assert_eq!(gate.data(), b"held");
                assert_eq!(gate.flushes(), 1);
            }
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn pending_flush_resumes_at_the_writer_it_stopped_at(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(2);
            g[0].open();
            let mut task = tokio_test::task::spawn(w);
            // Writer 1 is pending on flush (no held round: nothing written).
            assert_pending!(task.enter(|cx, w| door.poll_flush(w.get_mut(), cx)));
            assert_eq!(g[0].flushes(), 1);
            g[0].shut(); // re-flushing writer 0 would now hang
            g[1].open();
            assert!(task.is_woken());
            assert_ready_ok!(task.enter(|cx, w| door.poll_flush(w.get_mut(), cx)));
            assert_eq!(g[0].flushes(), 1);
            assert_eq!(g[1].flushes(), 1);
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn close_delivers_held_bytes_then_closes_all(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(2);
            g[0].open();
            let mut task = tokio_test::task::spawn(w);
            assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"bye")));
            assert_pending!(task.enter(|cx, w| door.poll_close(w.get_mut(), cx)));
            assert_eq!(g[0].closes(), 0);
            g[1].open();
            assert!(task.is_woken());
            assert_ready_ok!(task.enter(|cx, w| door.poll_close(w.get_mut(), cx)));
            assert_eq!(g[1].data(), b"bye");
            assert_eq!((g[0].closes(), g[1].closes()), (1, 1));
        });
    }

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn error_in_held_round_is_reported_by_the_next_call(#[case] door: Door) {
        watchdog(move || {
            let (g, w) = gates(3);
            g[0].open();
            g[2].open();
            let mut task = tokio_test::task::spawn(w);
            assert_ready_ok!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"abc")));
            g[1].fail_next(ErrorKind::ConnectionReset);
            assert!(task.is_woken());
            let err =
                assert_ready_err!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"def")));
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            assert_eq!(g[0].data(), b"abc", "the failing call accepted nothing");
            assert!(
                g[2].data().is_empty(),
                "fail fast: writers after the failure skipped"
            );
            g[1].open();
            assert_eq!(
                assert_ready!(task.enter(|cx, w| door.poll_write(w.get_mut(), cx, b"def")))
                    .unwrap(),
                3
            );
            assert_eq!(g[2].data(), b"def");
        });
    }
}

// ----- property test -----

mod props {
    use super::*;
    use proptest::prelude::*;
    use std::task::{Context, Poll, Waker};
    use support::door::would_block_as_pending;

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

    /// Drives `w` by hand (no executor, a no-op waker) through `door`'s
    /// `poll_write` (or `poll_write_vectored`) and `poll_flush`. Hiccups are
    /// `Pending` (or, on the blocking door, `WouldBlock`).
    fn drive(w: &mut MultiWriter<Mock>, data: &[u8], chunk: usize, vectored: bool, door: Door) {
        let cx = &mut Context::from_waker(Waker::noop());
        // Progress is any byte reaching any writer: a held round can take many
        // `Pending` polls to drain when writers take 1 byte per call.
        let delivered =
            |w: &MultiWriter<Mock>| -> usize { w.get_ref().iter().map(|m| m.written.len()).sum() };
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
            let written = if vectored {
                door.poll_write_vectored(w, cx, &slices)
            } else {
                door.poll_write(w, cx, piece)
            };
            match would_block_as_pending(written) {
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
        while would_block_as_pending(door.poll_flush(w, cx))
            .map(|r| r.unwrap())
            .is_pending()
        {
            let now = delivered(w);
            stalls = if now == last { stalls + 1 } else { 0 };
            last = now;
            assert!(stalls < 100, "flush makes no progress");
        }
    }

    proptest! {
        #![proptest_config(support::proptest_config(200))]
        #[test]
        fn every_writer_ends_with_exactly_the_input(
            data in proptest::collection::vec(any::<u8>(), 1..3000),
            specs in proptest::collection::vec(spec(), 1..5),
            chunk in 1usize..700,
            door in proptest::sample::select(Door::compiled()),
            vectored in any::<bool>(),
        ) {
            watchdog(move || -> Result<(), TestCaseError> {
                let mut w = MultiWriter::new(specs.iter().map(|s| {
                    Mock::new()
                        .max_write(s.limit)
                        .hiccups(s.hiccups.clone())
                        .blocking_hiccup(ErrorKind::WouldBlock)
                }));
                drive(&mut w, &data, chunk, vectored, door);
                prop_assert_eq!(w.held_len(), 0);
                for (i, m) in w.get_ref().iter().enumerate() {
                    prop_assert!(m.written == data, "writer {} has {} bytes, input {}", i, m.written.len(), data.len());
                }
                Ok(())
            })?;
        }
    }
}
