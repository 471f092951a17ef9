//! The tape: what it stores, its assertions and their messages, and waiting.

mod support;

use std::future::Future;
use std::io::{ErrorKind, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use pipetap::{Event, RecordExt, Recording, Tape};
use support::mock::Mock;
use support::wakers::PanickingWaker;
use support::watchdog;

/// A recording onto a `Vec`, with some writes already made.
fn written(chunks: &[&[u8]]) -> (Recording<Vec<u8>>, Tape) {
    let (mut conn, tape) = Vec::new().record();
    for chunk in chunks {
        conn.write_all(chunk).unwrap();
    }
    (conn, tape)
}

/// Runs `f`, expecting a panic, and returns its message.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn new_tape_is_empty() {
    for tape in [Tape::new(), Tape::default()] {
        assert!(tape.is_empty());
        assert!(tape.read_is_empty());
        assert_eq!(tape.len(), 0);
        assert_eq!(tape.read_len(), 0);
        assert!(tape.bytes().is_empty());
        assert!(tape.read_bytes().is_empty());
        assert!(tape.writes().is_empty());
        assert!(tape.reads().is_empty());
        assert!(tape.events().is_empty());
        tape.assert_written(b"");
        tape.assert_read(b"");
        tape.assert_writes(Vec::<Vec<u8>>::new());
    }
}

#[test]
fn clones_share_one_record() {
    let (mut conn, tape) = written(&[b"a"]);
    let other = tape.clone();
    conn.write_all(b"b").unwrap();
    other.assert_written(b"ab");
    other.clear();
    assert!(tape.is_empty());
}

#[test]
fn writes_keeps_each_write_boundary() {
    let (_conn, tape) = written(&[b"GET / HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"]);
    assert_eq!(tape.writes(), ["GET / HTTP/1.1\r\n", "Host: x\r\n", "\r\n"]);
    assert_eq!(tape.bytes(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(tape.len(), 27);
}

#[test]
fn empty_writes_are_not_recorded() {
    let (mut conn, tape) = written(&[b"a"]);
    assert_eq!(conn.write(b"").unwrap(), 0);
    assert_eq!(tape.writes(), ["a"]);
}

#[test]
fn clear_forgets_everything_and_recording_goes_on() {
    let (mut conn, tape) = written(&[b"old", b"stuff"]);
    tape.clear();
    assert!(tape.is_empty());
    assert!(tape.events().is_empty());
    conn.write_all(b"new").unwrap();
    tape.assert_writes(["new"]);
    assert_eq!(tape.events(), [Event::Write("new".into())]);
}

#[test]
fn take_returns_written_bytes_and_clears() {
    let (mut conn, tape) = written(&[b"one", b"two"]);
    assert_eq!(tape.take(), "onetwo");
    assert!(tape.is_empty());
    assert!(tape.writes().is_empty());
    conn.write_all(b"three").unwrap();
    assert_eq!(tape.take(), "three");
}

/// A recording that wrote "ab", read "12", wrote "c" and read "345".
fn wrote_and_read() -> Tape {
    let mut conn = Recording::new(Mock::reading(b"12345")).record_reads();
    let mut buf = [0; 3];
    conn.write_all(b"ab").unwrap();
    std::io::Read::read_exact(&mut conn, &mut buf[..2]).unwrap();
    conn.write_all(b"c").unwrap();
    std::io::Read::read_exact(&mut conn, &mut buf).unwrap();
    conn.tape()
}

#[test]
fn plain_accessors_cover_the_writes_and_read_accessors_the_reads() {
    let tape = wrote_and_read();
    assert_eq!((tape.len(), tape.read_len()), (3, 5));
    assert_eq!(tape.bytes(), "abc");
    assert_eq!(tape.read_bytes(), "12345");
    assert_eq!(tape.to_string_lossy(), "abc");
    assert!(!tape.is_empty() && !tape.read_is_empty());

    let (conn, tape) = (&b"only reads"[..]).record();
    let mut conn = conn.record_reads();
    std::io::Read::read_to_end(&mut conn, &mut Vec::new()).unwrap();
    assert!(tape.is_empty(), "is_empty ignores reads");
    assert_eq!(tape.len(), 0);
    assert!(!tape.read_is_empty());
    assert_eq!(tape.read_len(), 10);
}

#[test]
fn take_clears_the_reads_too() {
    let tape = wrote_and_read();
    assert_eq!(tape.take(), "abc");
    assert!(tape.read_is_empty());
    assert!(tape.reads().is_empty());
    assert!(tape.events().is_empty());
}

#[test]
fn take_reads_returns_the_reads_and_clears_the_writes_too() {
    let tape = wrote_and_read();
    assert_eq!(tape.take_reads(), "12345");
    assert!(tape.read_is_empty());
    assert!(tape.is_empty());
    assert!(tape.events().is_empty());
}

#[test]
fn take_events_returns_both_directions_in_order_and_clears() {
    let tape = wrote_and_read();
    let expected = tape.events();
    assert_eq!(
        expected,
        [
            Event::Write("ab".into()),
            Event::Read("12".into()),
            Event::Write("c".into()),
            Event::Read("345".into()),
        ]
    );
    assert_eq!(tape.take_events(), expected);
    assert!(tape.take_events().is_empty());
    assert!(tape.is_empty() && tape.read_is_empty());
}

#[test]
fn a_pending_wait_for_rescans_from_the_start_after_each_take() {
    let takes: [fn(&Tape); 3] = [
        |t| drop(t.take()),
        |t| drop(t.take_reads()),
        |t| drop(t.take_events()),
    ];
    for take in takes {
        let (mut conn, tape) = written(&[b"0123456789"]);
        let mut waiting = tokio_test::task::spawn(tape.wait_for("needle"));
        tokio_test::assert_pending!(waiting.poll()); // has scanned 10 bytes
        take(&tape);
        conn.write_all(b"needle").unwrap(); // shorter than what it scanned
        assert!(waiting.is_woken());
        tokio_test::assert_ready_ok!(waiting.poll());
    }
}

#[test]
fn to_string_lossy_replaces_invalid_utf8() {
    let (_conn, tape) = written(&[b"ok \xf0\x9f\x98\x80 ", b"\xff"]);
    assert_eq!(tape.to_string_lossy(), "ok \u{1f600} \u{fffd}");
}

#[test]
fn tape_outlives_the_connection() {
    let (conn, tape) = written(&[b"last words"]);
    drop(conn);
    tape.assert_written(b"last words");
    assert_eq!(tape.writes().len(), 1);
}

#[test]
fn debug_shows_lengths_and_a_preview() {
    let (_conn, tape) = written(&[b"HELLO\r\n", b"x".repeat(100).as_slice()]);
    let debug = format!("{tape:?}");
    assert!(debug.contains("written: 107"), "{debug}");
    assert!(debug.contains("writes: 2"), "{debug}");
    assert!(debug.contains(r#"HELLO\r\n"#), "{debug}");
    assert!(debug.contains("..."), "{debug}");
    assert!(debug.len() < 200, "{debug}");
}

// ---- assertions ----

#[test]
#[allow(clippy::unnecessary_to_owned)] // the shapes users pass are the point
fn assert_written_passes_on_equal_bytes_of_any_shape() {
    let (_conn, tape) = written(&[b"HEL", b"LO"]);
    tape.assert_written(b"HELLO");
    tape.assert_written("HELLO");
    tape.assert_written(b"HELLO".to_vec());
    tape.assert_written(bytes::Bytes::from_static(b"HELLO"));
    assert!(tape.try_assert_written("HELLO").is_ok());
}

#[test]
fn mismatch_message_gives_lengths_offset_write_index_and_hex() {
    let (_conn, tape) = written(&[b"GET / HTTP/1.1\r\n", b"Host: example.com\r\n", b"\r\n"]);
    let message =
        panic_message(|| tape.assert_written("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"));
    assert!(
        message.contains("expected: 37 bytes, actual: 37 bytes"),
        "{message}"
    );
    // "GET / HTTP/1.1\r\n" is 16 bytes; "Host: example." 14 more.
    assert!(
        message.contains("first difference at offset 30"),
        "{message}"
    );
    assert!(message.contains("write #1 at offset 14"), "{message}");
    assert!(
        message.contains("0x6f ('o')") && message.contains("0x63 ('c')"),
        "{message}"
    );
    // The hex window: row 0x10 holds "Host: example.co" on the actual side.
    assert!(
        message.contains("00000010  48 6f 73 74 3a 20 65 78  61 6d 70 6c 65 2e 63 6f"),
        "{message}"
    );
    assert!(message.contains("|Host: example.co|"), "{message}");
    assert!(message.contains("^^"), "{message}");
    assert!(
        message.contains(r#"expected (text): "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n""#),
        "{message}"
    );
    assert!(
        message.contains(r#"actual   (text): "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n""#),
        "{message}"
    );
}

#[test]
fn marker_sits_under_the_first_differing_byte() {
    let (_conn, tape) = written(&[b"abcdefXhij"]);
    let message = tape
        .try_assert_written("abcdefghij")
        .unwrap_err()
        .to_string();
    let lines: Vec<&str> = message.lines().collect();
    let actual = lines
        .iter()
        .position(|l| l.trim_start().starts_with("actual "))
        .unwrap();
    let marker = lines[actual + 1];
    let hex = marker.find("^^").unwrap();
    assert_eq!(&lines[actual][hex..hex + 2], "58", "{message}"); // 'X'
    let ascii = marker.rfind('^').unwrap();
    assert_eq!(&lines[actual][ascii..=ascii], "X", "{message}");
}

#[test]
fn try_twin_returns_the_same_message_as_the_panic() {
    let (_conn, tape) = written(&[b"abc"]);
    let err = tape.try_assert_written("abd").unwrap_err();
    let message = panic_message(|| tape.assert_written("abd"));
    assert_eq!(err.to_string(), message);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), message);
    assert!(format!("{err:?}").contains("first difference at offset 2"));
}

#[test]
fn mismatch_when_actual_is_a_prefix_of_expected() {
    let (_conn, tape) = written(&[b"HEL", b"LO"]);
    let message = tape
        .try_assert_written("HELLO WORLD")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("expected: 11 bytes, actual: 5 bytes (2 writes)"),
        "{message}"
    );
    assert!(
        message.contains("first difference at offset 5"),
        "{message}"
    );
    assert!(
        message.contains("just after the last write (#1)"),
        "{message}"
    );
    assert!(
        message.contains("prefix of the expected bytes (6 missing)"),
        "{message}"
    );
}

#[test]
fn mismatch_when_more_was_written_than_expected() {
    let (_conn, tape) = written(&[b"HEL", b"LO!"]);
    let message = tape.try_assert_written("HELLO").unwrap_err().to_string();
    assert!(
        message.contains("first difference at offset 5, in write #1 at offset 2"),
        "{message}"
    );
    assert!(message.contains("1 extra bytes were written"), "{message}");
}

#[test]
fn short_binary_mismatch_shows_both_sides_whole_with_escaped_text() {
    let actual: Vec<u8> = (0..64).map(|i| (i * 7) as u8 ^ 0x80).collect();
    let mut expected = actual.clone();
    expected[40] ^= 1;
    let (_conn, tape) = written(&[&actual[..32], &actual[32..]]);
    let message = tape.try_assert_written(&expected).unwrap_err().to_string();
    assert!(
        message.contains("first difference at offset 40, in write #1 at offset 8"),
        "{message}"
    );
    // Short sides are shown whole: every row, on both sides.
    for row in ["00000000", "00000010", "00000020", "00000030"] {
        assert_eq!(message.matches(&format!("{row}  ")).count(), 2, "{message}");
    }
    // Binary bytes are escaped, never dropped from the text lines.
    assert!(
        message.contains(r#"actual   (text): "\x80\x87\x8e"#),
        "{message}"
    );
}

#[test]
fn long_binary_mismatch_shows_a_window_around_each_region() {
    let actual: Vec<u8> = (0..1000).map(|i| (i * 7) as u8 ^ 0x80).collect();
    let mut expected = actual.clone();
    expected[40] ^= 1;
    expected[700] ^= 1;
    let (_conn, tape) = written(&[&actual]);
    let message = tape.try_assert_written(&expected).unwrap_err().to_string();
    assert!(message.contains("2 differing regions"), "{message}");
    // 16 bytes of context each side: rows 0x10..0x30 and 0x2a0..0x2c0.
    for row in ["00000010", "00000030", "000002a0", "000002c0"] {
        assert!(message.contains(row), "{row}: {message}");
    }
    assert!(!message.contains("00000000  "), "{message}");
    assert!(!message.contains("00000100  "), "{message}");
    assert!(message.contains("expected (text): "), "{message}");
}

#[test]
fn long_text_is_cut_around_the_difference() {
    let actual = "x".repeat(5000) + "needle" + &"y".repeat(5000);
    let expected = "x".repeat(5000) + "noodle" + &"y".repeat(5000);
    let (_conn, tape) = written(&[actual.as_bytes()]);
    let message = tape.try_assert_written(&expected).unwrap_err().to_string();
    assert!(
        message.contains("first difference at offset 5001"),
        "{message}"
    );
    assert!(
        message.contains("needle") && message.contains("noodle"),
        "{message}"
    );
    assert!(
        message.len() < 2000,
        "message too long: {} bytes",
        message.len()
    );
}

#[test]
fn assert_read_names_the_read_holding_the_difference() {
    let conn = std::io::Cursor::new(b"+OK\r\n+PONG\r\n".to_vec());
    let mut conn = Recording::new(conn).record_reads();
    let tape = conn.tape();
    let mut buf = [0; 5];
    std::io::Read::read_exact(&mut conn, &mut buf).unwrap();
    let mut buf = [0; 7];
    std::io::Read::read_exact(&mut conn, &mut buf).unwrap();
    tape.assert_read(b"+OK\r\n+PONG\r\n");
    let message = panic_message(|| tape.assert_read(b"+OK\r\n+PING\r\n"));
    assert!(message.starts_with("read bytes differ"), "{message}");
    assert!(
        message.contains("first difference at offset 7, in read #1 at offset 2"),
        "{message}"
    );
    assert!(tape.try_assert_read(b"+OK").is_err());
}

#[test]
#[allow(clippy::needless_borrows_for_generic_args)] // the shapes users pass are the point
fn assert_writes_accepts_many_shapes() {
    let (_conn, tape) = written(&[b"ab", b"cd"]);
    tape.assert_writes(&[b"ab", b"cd"]);
    tape.assert_writes([b"ab", b"cd"]);
    tape.assert_writes(["ab", "cd"]);
    tape.assert_writes(&["ab", "cd"]);
    tape.assert_writes(vec![b"ab".to_vec(), b"cd".to_vec()]);
    tape.assert_writes(vec![String::from("ab"), String::from("cd")]);
    tape.assert_writes(tape.writes());
    let (_conn, tape) = written(&[b"GET", b"\r\n"]);
    tape.assert_writes(&[&b"GET"[..], b"\r\n"]);
}

#[test]
fn assert_writes_reports_the_first_differing_write() {
    let (_conn, tape) = written(&[b"GET", b" /index.html", b"\r\n"]);
    let message = panic_message(|| tape.assert_writes(["GET", " /index.htm!", "\r\n"]));
    assert!(
        message.contains("expected: 3 writes (17 bytes), actual: 3 writes (17 bytes)"),
        "{message}"
    );
    assert!(message.contains("first differing write: #1"), "{message}");
    assert!(
        message.contains("first difference at offset 11 of write #1 (offset 14 of all bytes)"),
        "{message}"
    );
    assert!(
        message.contains("6c") && message.contains("21"),
        "{message}"
    );
    assert!(
        !message.contains("only the write boundaries differ"),
        "{message}"
    );
    let err = tape
        .try_assert_writes(["GET", " /index.htm!", "\r\n"])
        .unwrap_err();
    assert_eq!(err.to_string(), message);
}

#[test]
fn assert_writes_reports_framing_only_differences() {
    let (_conn, tape) = written(&[b"GET /", b"\r\n"]);
    let message = tape
        .try_assert_writes(["GET", " /\r\n"])
        .unwrap_err()
        .to_string();
    assert!(message.contains("first differing write: #0"), "{message}");
    assert!(
        message.contains("only the write boundaries differ"),
        "{message}"
    );
    assert!(message.contains(r#"4 bytes  " /\r\n""#), "{message}");
}

#[test]
fn assert_writes_reports_count_mismatch() {
    let (_conn, tape) = written(&[b"a", b"b"]);
    let missing = tape
        .try_assert_writes(["a", "b", "c"])
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("expected: 3 writes (3 bytes), actual: 2 writes (2 bytes)"),
        "{missing}"
    );
    assert!(
        missing.contains("the first 2 writes match; 1 expected write(s) missing"),
        "{missing}"
    );
    assert!(missing.contains(r#"#2: "c""#), "{missing}");
    let extra = tape.try_assert_writes(["a"]).unwrap_err().to_string();
    assert!(
        extra.contains("the first 1 writes match; 1 extra write(s)"),
        "{extra}"
    );
    assert!(extra.contains(r#"#1: "b""#), "{extra}");
}

// ---- events ----

#[test]
fn events_rebuild_writes_and_reads_in_order() {
    let mut conn = Recording::new(Mock::reading(b"12345")).record_reads();
    let tape = conn.tape();
    let mut buf = [0; 2];
    conn.write_all(b"a").unwrap();
    conn.write_all(b"b").unwrap();
    std::io::Read::read_exact(&mut conn, &mut buf).unwrap();
    conn.write_all(b"c").unwrap();
    std::io::Read::read_exact(&mut conn, &mut buf).unwrap();
    std::io::Read::read_exact(&mut conn, &mut buf[..1]).unwrap();
    assert_eq!(
        tape.events(),
        [
            Event::Write("a".into()),
            Event::Write("b".into()),
            Event::Read("12".into()),
            Event::Write("c".into()),
            Event::Read("34".into()),
            Event::Read("5".into()),
        ]
    );
    assert_eq!(tape.reads(), ["12", "34", "5"]);
    assert_eq!(tape.read_bytes(), "12345");
    assert_eq!(tape.writes(), ["a", "b", "c"]);
}

// ---- waiting ----

#[test]
fn wait_for_is_ready_at_once_when_already_written() {
    let (_conn, tape) = written(&[b"xx READY yy"]);
    let mut task = tokio_test::task::spawn(tape.wait_for("READY"));
    tokio_test::assert_ready_ok!(task.poll());
    let mut empty = tokio_test::task::spawn(tape.wait_for(""));
    tokio_test::assert_ready_ok!(empty.poll());
}

#[test]
fn wait_for_is_woken_by_each_write_and_ready_once_the_pattern_is_complete() {
    let (mut conn, tape) = Vec::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("PONG\r\n"));
    tokio_test::assert_pending!(task.poll());
    assert!(!task.is_woken());

    conn.write_all(b"+PO").unwrap();
    assert!(task.is_woken());
    tokio_test::assert_pending!(task.poll());

    conn.write_all(b"NG\r").unwrap();
    assert!(task.is_woken());
    tokio_test::assert_pending!(task.poll());

    conn.write_all(b"\n").unwrap();
    assert!(task.is_woken());
    tokio_test::assert_ready_ok!(task.poll());
}

#[test]
fn wait_for_only_keeps_one_waker_per_future() {
    let (mut conn, tape) = Vec::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("z"));
    for _ in 0..10 {
        tokio_test::assert_pending!(task.poll());
    }
    // One clone held by the tape (plus the task's own reference).
    assert_eq!(task.waker_ref_count(), 2);
    conn.write_all(b"a").unwrap();
    assert_eq!(task.waker_ref_count(), 1);
    drop(task);
}

#[test]
fn dropping_wait_for_releases_its_waker() {
    let (_conn, tape) = Vec::<u8>::new().record();
    let mut task = tokio_test::task::spawn(());
    let baseline = task.waker_ref_count();
    task.enter(|cx, _| {
        let mut future = tape.wait_for("z");
        assert!(std::pin::Pin::new(&mut future).poll(cx).is_pending());
        drop(future);
    });
    assert_eq!(task.waker_ref_count(), baseline);
}

#[test]
fn panicking_wait_for_waker_does_not_escape_into_the_recordings_write() {
    let (mut conn, tape) = Vec::new().record();
    let waker = PanickingWaker::waker();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut bad = tape.wait_for("ping");
    assert!(std::pin::Pin::new(&mut bad).poll(&mut cx).is_pending());
    // Registered after the panicking waker, so it is woken after it.
    let mut good = tokio_test::task::spawn(tape.wait_for("ping"));
    tokio_test::assert_pending!(good.poll());

    let written = catch_unwind(AssertUnwindSafe(|| conn.write(b"ping")))
        .expect("the waker's panic escaped into the recording's write");
    assert_eq!(written.unwrap(), 4);
    tape.assert_written("ping");
    assert_eq!(conn.get_ref(), b"ping");
    // The waiters after the panicking one are still woken.
    assert!(good.is_woken());
    tokio_test::assert_ready_ok!(good.poll());
    assert!(std::pin::Pin::new(&mut bad).poll(&mut cx).is_ready());
}

#[test]
fn wait_for_looks_only_at_bytes_written_after_clear() {
    let (mut conn, tape) = written(&[b"abc"]);
    let mut task = tokio_test::task::spawn(tape.wait_for("cd"));
    tokio_test::assert_pending!(task.poll());
    tape.clear();
    conn.write_all(b"d").unwrap();
    tokio_test::assert_pending!(task.poll());
    conn.write_all(b"cd").unwrap();
    tokio_test::assert_ready_ok!(task.poll());
}

#[test]
fn wait_for_with_pattern_written_in_pieces_from_another_thread() {
    watchdog(|| {
        let (mut conn, tape) = Vec::new().record();
        let writer = std::thread::spawn(move || {
            for piece in [&b"HTTP/1.1 2"[..], b"00 O", b"K\r", b"\n"] {
                conn.write_all(piece).unwrap();
            }
        });
        futures::executor::block_on(tape.wait_for("200 OK\r\n")).unwrap();
        writer.join().unwrap();
        tape.assert_written("HTTP/1.1 200 OK\r\n");
    });
}

#[test]
fn wait_for_with_pattern_written_in_pieces_from_another_task() {
    support::tokio_watchdog(|| async {
        let (mut conn, tape) = Vec::new().record();
        let waiter = tokio::spawn(tape.wait_for("<end>"));
        for piece in ["data <", "e", "nd", ">"] {
            tokio::task::yield_now().await;
            conn.write_all(piece.as_bytes()).unwrap();
        }
        waiter.await.unwrap().unwrap();
    });
}

#[test]
fn wait_for_blocking_returns_once_written_from_another_thread() {
    watchdog(|| {
        let (mut conn, tape) = Vec::new().record();
        let waiter = {
            let tape = tape.clone();
            std::thread::spawn(move || tape.wait_for_blocking("QUIT\r\n", Duration::from_secs(20)))
        };
        for piece in [&b"QU"[..], b"IT", b"\r", b"\n"] {
            conn.write_all(piece).unwrap();
        }
        waiter.join().unwrap().unwrap();
        // Already there: returns at once even with no time left.
        tape.wait_for_blocking("QUIT", Duration::ZERO).unwrap();
    });
}

#[test]
fn wait_for_blocking_times_out_naming_the_pattern() {
    watchdog(|| {
        let (_conn, tape) = written(&[b"partial QUI"]);
        let started = std::time::Instant::now();
        let err = tape
            .wait_for_blocking("QUIT\r\n", Duration::from_millis(50))
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let message = err.to_string();
        assert!(message.contains(r#""QUIT\r\n""#), "{message}");
        assert!(message.contains("11 bytes written so far"), "{message}");
        assert!(message.contains("partial QUI"), "{message}");
    });
}
