//! `Recording<C>`: exactly what the inner connection accepted (and, with
//! `record_reads`, delivered) ends up on the tape, through every door.

mod support;

use std::io::{self, BufRead, BufReader, ErrorKind, IoSlice, IoSliceMut, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;

use pipetap::{Event, RecordExt, Recording, Tape};
use rstest::rstest;
use support::mock::{Mock, Scripted};
use support::{watchdog, Conn, Door};

/// Events with neighbours of the same kind merged (a socket may split a
/// message over several reads).
fn merged(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Write(a)), Event::Write(b)) | (Some(Event::Read(a)), Event::Read(b)) => {
                *a = [&a[..], &b[..]].concat().into();
            }
            (_, event) => out.push(event),
        }
    }
    out
}

// ---- one behaviour, every door ----

/// The mock for `door`: on the async doors every call first returns
/// `Pending` once (waking the task), so a recording must not record on
/// `Pending`.
fn mock_for(door: Door) -> Mock {
    match door {
        Door::Blocking => Mock::new(),
        _ => Mock::new().alternate(),
    }
}

/// A recording of `mock`, driven through `door`.
fn recorded(door: Door, mock: Mock) -> (Conn<Recording<Mock>>, Tape) {
    let (conn, tape) = mock.record();
    (Conn::new(conn, door), tape)
}

mod doors {
    use super::*;

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn one_byte_writer_records_each_accepted_byte_as_one_write(#[case] door: Door) {
        watchdog(move || {
            let (mut conn, tape) = recorded(door, mock_for(door).max_write(1));
            conn.write_all(b"hello").unwrap();
            tape.assert_written(b"hello");
            tape.assert_writes(["h", "e", "l", "l", "o"]);
            assert_eq!(conn.io.get_ref().written, b"hello");
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn short_write_records_only_the_accepted_prefix(#[case] door: Door) {
        watchdog(move || {
            let (mut conn, tape) = recorded(door, mock_for(door).max_write(3));
            assert_eq!(conn.write(b"0123456789").unwrap(), 3);
            tape.assert_writes(["012"]);
            assert_eq!(conn.write(b"3456789").unwrap(), 3);
            tape.assert_writes(["012", "345"]);
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn failed_write_records_nothing(#[case] door: Door) {
        watchdog(move || {
            let (mut conn, tape) = recorded(door, mock_for(door));
            conn.write_all(b"ok").unwrap();
            conn.io.write_error = Some(ErrorKind::ConnectionReset);
            let err = conn.write(b"lost").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
            tape.assert_writes(["ok"]);
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn vectored_write_records_the_accepted_prefix_across_slices(#[case] door: Door) {
        watchdog(move || {
            let (mut conn, tape) = recorded(door, mock_for(door).max_write(5));
            let bufs = [
                IoSlice::new(b"ab"),
                IoSlice::new(b""),
                IoSlice::new(b"cde"),
                IoSlice::new(b"fg"),
            ];
            assert_eq!(conn.write_vectored(&bufs).unwrap(), 5);
            let bufs = [IoSlice::new(b"fg"), IoSlice::new(b"hijkl")];
            assert_eq!(conn.write_vectored(&bufs).unwrap(), 5);
            tape.assert_writes(["abcde", "fghij"]);
            assert_eq!(tape.bytes(), conn.io.get_ref().written);
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn reads_are_recorded_only_after_record_reads(#[case] door: Door) {
        watchdog(move || {
            let mut buf = [0; 3];
            let (mut plain, tape) = recorded(door, mock_for(door).input(b"abcdef"));
            assert_eq!(plain.read(&mut buf).unwrap(), 3);
            assert!(tape.reads().is_empty());

            let (conn, tape) = mock_for(door).input(b"abcdef").max_read(2).record();
            let mut conn = Conn::new(conn.record_reads(), door);
            assert_eq!(conn.read(&mut buf).unwrap(), 2);
            assert_eq!(conn.read(&mut buf).unwrap(), 2);
            assert_eq!(tape.reads(), ["ab", "cd"]);
            assert!(tape.is_empty(), "reads are not written bytes");
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn read_line_records_each_consumed_byte_once(#[case] door: Door) {
        watchdog(move || {
            // fill_buf shows 4 bytes at a time, so "t\nse" is buffered but only
            // "t\n" consumed by the first line; "se" must be recorded once, later.
            let mock = mock_for(door).input(b"first\nsecond\n").max_read(4);
            let (conn, tape) = mock.record();
            let mut conn = Conn::new(conn.record_reads(), door);
            let mut line = String::new();
            conn.read_line(&mut line).unwrap();
            assert_eq!(line, "first\n");
            tape.assert_read(b"first\n");
            line.clear();
            conn.read_line(&mut line).unwrap();
            assert_eq!(line, "second\n");
            tape.assert_read(b"first\nsecond\n");
            assert_eq!(tape.reads(), ["firs", "t\n", "seco", "nd\n"]);
        });
    }

    #[rstest]
    #[case::blocking(Door::Blocking)]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn flush_and_close_reach_the_inner_connection(#[case] door: Door) {
        watchdog(move || {
            let (mut conn, tape) = recorded(door, mock_for(door));
            conn.flush().unwrap();
            conn.close().unwrap();
            assert_eq!(conn.io.flushes, 1);
            // std has no close: only the async doors have one to pass on.
            assert_eq!(conn.io.closes, usize::from(door.is_async()));
            assert!(tape.is_empty());
        });
    }
}

// ---- poll level: Pending records nothing ----

#[cfg(any(feature = "futures", feature = "tokio"))]
#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn pending_write_records_nothing_until_it_completes(#[case] door: Door) {
    watchdog(move || {
        let (mut conn, tape) = Mock::new().alternate().record();
        let mut task = tokio_test::task::spawn(());
        task.enter(|cx, _| {
            let poll = door.poll_write(&mut conn, cx, b"data");
            assert!(poll.is_pending());
            assert!(tape.is_empty());
            let poll = door.poll_write(&mut conn, cx, b"data");
            assert!(matches!(poll, std::task::Poll::Ready(Ok(4))));
        });
        tape.assert_writes(["data"]);
    });
}

#[cfg(feature = "tokio")]
#[test]
fn pending_tokio_read_records_nothing_until_it_completes() {
    watchdog(move || {
        use std::pin::Pin;
        use tokio::io::{AsyncRead, ReadBuf};
        let (conn, tape) = Mock::new().input(b"xyz").alternate().record();
        let mut conn = conn.record_reads();
        let mut task = tokio_test::task::spawn(());
        let mut storage = [0; 8];
        let mut buf = ReadBuf::new(&mut storage);
        buf.put_slice(b"pre");
        task.enter(|cx, _| {
            assert!(Pin::new(&mut conn).poll_read(cx, &mut buf).is_pending());
            assert!(tape.reads().is_empty());
            assert!(Pin::new(&mut conn).poll_read(cx, &mut buf).is_ready());
        });
        // Only what this read added, not what was already in the buffer.
        assert_eq!(tape.reads(), ["xyz"]);
    });
}

// ---- blocking, no features needed ----

#[test]
fn write_of_ten_bytes_accepted_three_records_three() {
    watchdog(move || {
        let (mut conn, tape) = Mock::new().max_write(3).record();
        assert_eq!(conn.write(b"0123456789").unwrap(), 3);
        tape.assert_written(b"012");
        assert_eq!(tape.writes().len(), 1);
    });
}

#[test]
fn write_all_through_one_byte_writer_is_exact() {
    watchdog(move || {
        let data = support::seeded_bytes(7, 1000);
        let (mut conn, tape) = Mock::new().max_write(1).record();
        conn.write_all(&data).unwrap();
        tape.assert_written(&data);
        assert_eq!(tape.writes().len(), 1000);
        assert_eq!(conn.into_inner().written, data);
    });
}

#[test]
fn writer_claiming_more_than_offered_records_only_what_was_offered() {
    watchdog(move || {
        // Claims 13 of the 3 bytes offered.
        let (mut conn, tape) = Scripted::new([Ok(13)]).record();
        assert_eq!(conn.write(b"abc").unwrap(), 13);
        tape.assert_written(b"abc");
    });
}

#[test]
fn read_vectored_records_the_bytes_gathered_into_the_slices() {
    watchdog(move || {
        let (conn, tape) = Mock::new().input(b"abcdefgh").max_read(5).record();
        let mut conn = conn.record_reads();
        let (mut a, mut b) = ([0; 2], [0; 8]);
        let n = conn
            .read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap();
        assert_eq!(n, 5);
        assert_eq!(tape.reads(), ["abcde"]);
    });
}

#[test]
fn fill_buf_without_consume_records_nothing() {
    watchdog(move || {
        let inner = BufReader::with_capacity(4, &b"abcdefgh"[..]);
        let mut conn = Recording::new(inner).record_reads();
        assert_eq!(conn.fill_buf().unwrap(), b"abcd");
        assert_eq!(conn.fill_buf().unwrap(), b"abcd");
        assert!(conn.tape().reads().is_empty());
    });
}

#[test]
fn consume_records_exactly_the_consumed_bytes() {
    watchdog(move || {
        let inner = BufReader::with_capacity(4, &b"abcdefgh"[..]);
        let mut conn = Recording::new(inner).record_reads();
        let tape = conn.tape();
        conn.fill_buf().unwrap();
        conn.consume(1);
        conn.consume(2); // twice from one fill_buf: still exact
        assert_eq!(tape.reads(), ["a", "bc"]);
        assert_eq!(conn.fill_buf().unwrap(), b"d");
        conn.consume(1);
        assert_eq!(conn.fill_buf().unwrap(), b"efgh");
        conn.consume(0);
        conn.consume(4);
        assert_eq!(tape.reads(), ["a", "bc", "d", "efgh"]);
        tape.assert_read(b"abcdefgh");
    });
}

#[test]
fn plain_read_after_fill_buf_is_not_recorded_twice() {
    watchdog(move || {
        let inner = BufReader::with_capacity(4, &b"abcdefgh"[..]);
        let mut conn = Recording::new(inner).record_reads();
        let tape = conn.tape();
        assert_eq!(conn.fill_buf().unwrap(), b"abcd");
        let mut two = [0; 2];
        conn.read_exact(&mut two).unwrap();
        let mut rest = String::new();
        conn.read_line(&mut rest).unwrap();
        assert_eq!(rest, "cdefgh");
        tape.assert_read(b"abcdefgh");
    });
}

#[test]
fn read_line_through_bufreader_over_a_recording() {
    watchdog(move || {
        let (conn, tape) = Mock::new()
            .input(b"HTTP/1.1 200 OK\r\nx: y\r\n\r\n")
            .max_read(7)
            .record();
        let mut reader = BufReader::new(conn.record_reads());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            lines.push(line);
        }
        assert_eq!(lines, ["HTTP/1.1 200 OK\r\n", "x: y\r\n", "\r\n"]);
        tape.assert_read(b"HTTP/1.1 200 OK\r\nx: y\r\n\r\n");
    });
}

#[test]
fn interleaved_request_response_is_recorded_in_order() {
    watchdog(|| {
        let (client, server) = UnixStream::pair().unwrap();
        let server = std::thread::spawn(move || {
            let mut reader = BufReader::new(&server);
            for reply in [&b"+PONG\r\n"[..], b"+BYE\r\n"] {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                (&server).write_all(reply).unwrap();
            }
        });
        let (client, tape) = client.record();
        let mut client = BufReader::new(client.record_reads());
        let mut reply = String::new();
        client.get_mut().write_all(b"PING\r\n").unwrap();
        client.read_line(&mut reply).unwrap();
        client.get_mut().write_all(b"QUIT\r\n").unwrap();
        client.read_line(&mut reply).unwrap();
        server.join().unwrap();
        drop(client);

        assert_eq!(
            merged(tape.events()),
            [
                Event::Write("PING\r\n".into()),
                Event::Read("+PONG\r\n".into()),
                Event::Write("QUIT\r\n".into()),
                Event::Read("+BYE\r\n".into()),
            ]
        );
        tape.assert_writes(["PING\r\n", "QUIT\r\n"]);
        tape.assert_read(b"+PONG\r\n+BYE\r\n");
    });
}

#[test]
fn tape_is_kept_after_the_connection_is_dropped() {
    watchdog(move || {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut conn, tape) = a.record();
        conn.write_all(b"goodbye").unwrap();
        drop(conn);
        let mut got = Vec::new();
        b.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"goodbye");
        tape.assert_written(b"goodbye");
    });
}

#[test]
fn two_recordings_share_one_tape() {
    watchdog(move || {
        let tape = Tape::new();
        let mut first = Recording::with_tape(Vec::new(), tape.clone());
        let mut second =
            Recording::with_tape(Mock::new().input(b"in"), tape.clone()).record_reads();
        first.write_all(b"1").unwrap();
        second.write_all(b"2").unwrap();
        let mut buf = [0; 2];
        second.read_exact(&mut buf).unwrap();
        first.write_all(b"3").unwrap();
        assert_eq!(
            tape.events(),
            [
                Event::Write("1".into()),
                Event::Write("2".into()),
                Event::Read("in".into()),
                Event::Write("3".into()),
            ]
        );
        assert_eq!(first.get_ref(), b"13");
        assert_eq!(second.get_ref().written, b"2");
    });
}

#[test]
fn shared_tape_from_two_threads_keeps_every_write_whole() {
    watchdog(|| {
        let tape = Tape::new();
        let threads: Vec<_> = [b'a', b'b']
            .into_iter()
            .map(|byte| {
                let mut conn = Recording::with_tape(io::sink(), tape.clone());
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        conn.write_all(&[byte; 8]).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let writes = tape.writes();
        assert_eq!(writes.len(), 2000);
        assert!(writes
            .iter()
            .all(|w| w[..] == [b'a'; 8] || w[..] == [b'b'; 8]));
    });
}

#[test]
fn std_tcp_stream_over_loopback() {
    watchdog(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            (&stream).write_all(line.to_uppercase().as_bytes()).unwrap();
        });
        let (conn, tape) = TcpStream::connect(addr).unwrap().record();
        let mut conn = conn.record_reads();
        conn.write_all(b"hello tcp\n").unwrap();
        let mut reply = String::new();
        BufReader::new(&mut conn).read_line(&mut reply).unwrap();
        server.join().unwrap();
        assert_eq!(reply, "HELLO TCP\n");
        // Deref reaches TcpStream's own methods.
        assert_eq!(conn.peer_addr().unwrap(), addr);
        drop(conn);
        tape.assert_written(b"hello tcp\n");
        tape.assert_read(b"HELLO TCP\n");
    });
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_tcp_stream_over_loopback() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    support::tokio_watchdog(|| async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut stream = tokio::io::BufReader::new(stream);
            let mut line = String::new();
            stream.read_line(&mut line).await.unwrap();
            stream.get_mut().write_all(b"+OK\r\n").await.unwrap();
        });
        let (conn, tape) = tokio::net::TcpStream::connect(addr).await.unwrap().record();
        let mut conn = tokio::io::BufReader::new(conn.record_reads());
        conn.get_mut().write_all(b"SET k v\r\n").await.unwrap();
        let mut reply = String::new();
        conn.read_line(&mut reply).await.unwrap();
        server.await.unwrap();
        assert_eq!(reply, "+OK\r\n");
        assert_eq!(conn.get_ref().peer_addr().unwrap(), addr);
        conn.get_mut().shutdown().await.unwrap();
        drop(conn);
        tape.assert_written(b"SET k v\r\n");
        tape.assert_read(b"+OK\r\n");
    });
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_test_io_mock_is_recorded() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    support::tokio_watchdog(|| async {
        let mock = tokio_test::io::Builder::new()
            .write(b"GET")
            .write(b" /\r\n")
            .read(b"200\r\n")
            .build();
        let (conn, tape) = mock.record();
        let mut conn = conn.record_reads();
        conn.write_all(b"GET").await.unwrap();
        conn.write_all(b" /\r\n").await.unwrap();
        let mut reply = [0; 5];
        conn.read_exact(&mut reply).await.unwrap();
        tape.assert_writes(["GET", " /\r\n"]);
        tape.assert_read(b"200\r\n");
        assert_eq!(
            merged(tape.events()),
            [
                Event::Write("GET /\r\n".into()),
                Event::Read("200\r\n".into())
            ]
        );
    });
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_duplex_short_writes_are_recorded_as_accepted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    support::tokio_watchdog(|| async {
        let (a, mut b) = tokio::io::duplex(4);
        let (mut a, tape) = a.record();
        let data = support::seeded_bytes(3, 100);
        let expected = data.clone();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.unwrap();
            got
        });
        a.write_all(&data).await.unwrap();
        a.shutdown().await.unwrap();
        assert_eq!(reader.await.unwrap(), expected);
        tape.assert_written(&expected);
        assert!(tape.writes().iter().all(|w| !w.is_empty() && w.len() <= 4));
    });
}

#[test]
fn accessors_reach_the_inner_connection() {
    watchdog(move || {
        let (mut conn, tape) = vec![1u8].record();
        assert_eq!(conn.len(), 1); // Deref
        conn.push(2); // DerefMut, not recorded
        conn.get_mut().push(3);
        assert_eq!(conn.get_ref(), &[1, 2, 3]);
        {
            let mut pinned = std::pin::pin!(Recording::with_tape(vec![9u8], tape.clone()));
            assert_eq!(*pinned.as_mut().get_pin_mut(), [9]);
        }
        conn.write_all(&[4]).unwrap();
        assert_eq!(conn.into_inner(), [1, 2, 3, 4]);
        tape.assert_written([4]);
    });
}

#[test]
fn recording_debug_shows_the_inner_connection_and_the_tape() {
    watchdog(move || {
        let (mut conn, _tape) = Vec::new().record();
        conn.write_all(b"hi").unwrap();
        let debug = format!("{:?}", conn.record_reads());
        assert!(debug.starts_with("Recording"), "{debug}");
        assert!(debug.contains("inner: [104, 105]"), "{debug}");
        assert!(debug.contains("written: 2"), "{debug}");
        assert!(debug.contains("record_reads: true"), "{debug}");
    });
}

// ---- property: the tape is exactly what the inner writer accepted ----

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tape_equals_exactly_what_the_inner_writer_accepted(
            writes in prop::collection::vec(
                (prop::collection::vec(any::<u8>(), 0..64), any::<prop::sample::Index>(), any::<bool>()),
                0..24,
            ),
            accepts in prop::collection::vec(1usize..40, 1..8),
        ) {
            watchdog(move || -> Result<(), TestCaseError> {
                // Accepts a scripted number of bytes per call (cycling).
                let (mut conn, tape) = Mock::new().max_writes(accepts).log_writes().record();
                for (data, split, vectored) in &writes {
                    if *vectored {
                        // Split into two slices and loop until all is accepted.
                        let mut at = 0;
                        let cut = split.index(data.len() + 1);
                        while at < data.len() {
                            let bufs = [
                                IoSlice::new(&data[at.min(cut)..cut]),
                                IoSlice::new(&data[at.max(cut)..]),
                            ];
                            at += conn.write_vectored(&bufs).unwrap();
                        }
                    } else {
                        conn.write_all(data).unwrap();
                    }
                }
                let mock = conn.get_ref();
                let all: Vec<u8> = writes.iter().flat_map(|(d, _, _)| d.clone()).collect();
                prop_assert_eq!(&mock.written, &all);
                prop_assert_eq!(&tape.bytes()[..], &mock.written[..]);
                let recorded: Vec<Vec<u8>> = tape.writes().iter().map(|w| w.to_vec()).collect();
                prop_assert_eq!(recorded, mock.accepted_writes());
                prop_assert!(tape.try_assert_writes(mock.accepted_writes()).is_ok());
                Ok(())
            })?;
        }
    }
}
