//! Waiting on a tape can never hang: a wait ends once its pattern is written,
//! once no recording writes to the tape any more (`UnexpectedEof`), or once
//! its bound passes (`TimedOut`), with one message for the async and the
//! blocking twin.

mod support;

use std::io::{self, ErrorKind, Write};
use std::time::{Duration, Instant};

use pipetap::{RecordExt, Recording, Tape};
use rstest::rstest;
use support::watchdog;
use tokio_test::{assert_pending, assert_ready_err, assert_ready_ok};

/// How a test waits: the blocking twin, or the future on one executor.
#[derive(Clone, Copy, Debug)]
enum Waiter {
    Blocking,
    FuturesExecutor,
    TokioCurrentThread,
    TokioMultiThread,
}

/// Waits for `pattern` on `tape` the way `waiter` does, bounded by `bound`
/// (`None`: no bound for the future, `Duration::MAX` for the blocking twin),
/// under the watchdog.
fn wait(
    waiter: Waiter,
    tape: &Tape,
    pattern: &'static str,
    bound: Option<Duration>,
) -> io::Result<()> {
    let tape = tape.clone();
    watchdog(move || {
        let future = || {
            let wait = tape.wait_for(pattern);
            match bound {
                Some(bound) => wait.within(bound),
                None => wait,
            }
        };
        match waiter {
            Waiter::Blocking => tape.wait_for_blocking(pattern, bound.unwrap_or(Duration::MAX)),
            Waiter::FuturesExecutor => futures::executor::block_on(future()),
            // No `enable_time`: the bound must not need tokio's timer.
            Waiter::TokioCurrentThread => tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(future()),
            Waiter::TokioMultiThread => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap()
                .block_on(async { tokio::spawn(future()).await.unwrap() }),
        }
    })
}

/// Spins (yielding the core) until `tape` has `n` pending waits.
fn until_waiting(tape: &Tape, n: usize) {
    let needle = format!("waiting: {n} ");
    while !format!("{tape:?}").contains(&needle) {
        std::thread::yield_now();
    }
}

// ---- the pattern, then the end of all writers ----

#[test]
fn a_pending_wait_is_woken_and_fails_when_the_last_recording_is_dropped() {
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"partial QUI").unwrap();
    let mut task = tokio_test::task::spawn(tape.wait_for("QUIT\r\n"));
    assert_pending!(task.poll());
    assert!(!task.is_woken());
    drop(conn);
    assert!(task.is_woken());
    let err = assert_ready_err!(task.poll());
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    let message = err.to_string();
    assert!(
        message.contains(r#"do not contain "QUIT\r\n""#),
        "{message}"
    );
    assert!(
        message.contains("every recording that wrote to this tape is gone"),
        "{message}"
    );
    assert!(
        message.contains("11 bytes written so far (1 write)"),
        "{message}"
    );
    assert!(message.contains("|partial QUI     |"), "{message}");
    assert!(
        message.contains(r#"the written bytes end with "QUI", the first 3"#),
        "{message}"
    );
}

#[test]
fn into_inner_ends_the_recording_like_a_drop() {
    let (conn, tape) = Vec::<u8>::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("x"));
    assert_pending!(task.poll());
    let inner: Vec<u8> = conn.into_inner();
    assert!(inner.is_empty());
    assert!(task.is_woken());
    assert_eq!(
        assert_ready_err!(task.poll()).kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn a_shared_tape_ends_only_when_every_recording_is_gone() {
    let tape = Tape::new();
    let first = Recording::with_tape(Vec::<u8>::new(), tape.clone());
    let mut second = Recording::with_tape(Vec::<u8>::new(), tape.clone());
    let mut task = tokio_test::task::spawn(tape.wait_for("done"));
    assert_pending!(task.poll());
    drop(first);
    assert_pending!(task.poll()); // the second may still write it
    second.write_all(b"almost don").unwrap();
    assert_pending!(task.poll());
    drop(second);
    assert!(task.is_woken());
    let message = assert_ready_err!(task.poll()).to_string();
    assert!(
        message.contains("10 bytes written so far (1 write)"),
        "{message}"
    );
}

#[test]
fn a_written_pattern_wins_over_the_end_of_the_writers() {
    let (mut conn, tape) = Vec::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("BYE"));
    assert_pending!(task.poll());
    conn.write_all(b"BYE").unwrap();
    drop(conn);
    assert_ready_ok!(task.poll());
    // A wait made afterwards finds it too, even with no time left.
    futures::executor::block_on(tape.wait_for("BYE").within(Duration::ZERO)).unwrap();
    tape.wait_for_blocking("BYE", Duration::ZERO).unwrap();
}

#[test]
fn a_wait_made_after_the_last_recording_is_gone_fails_at_once() {
    let (conn, tape) = Vec::<u8>::new().record();
    drop(conn);
    let mut task = tokio_test::task::spawn(tape.wait_for("x"));
    assert_eq!(
        assert_ready_err!(task.poll()).kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn a_recording_attached_again_revives_the_wait() {
    let (conn, tape) = Vec::<u8>::new().record();
    drop(conn);
    let mut again = Recording::with_tape(Vec::new(), tape.clone());
    let mut task = tokio_test::task::spawn(tape.wait_for("x"));
    assert_pending!(task.poll());
    again.write_all(b"x").unwrap();
    assert!(task.is_woken());
    assert_ready_ok!(task.poll());
}

#[test]
fn a_tape_no_recording_was_attached_to_waits_for_one() {
    // Made before the recording, as when the wait is spawned first.
    let tape = Tape::new();
    let mut task = tokio_test::task::spawn(tape.wait_for("ready"));
    assert_pending!(task.poll());
    let mut conn = Recording::with_tape(Vec::new(), tape.clone());
    assert_pending!(task.poll());
    conn.write_all(b"ready").unwrap();
    assert!(task.is_woken());
    assert_ready_ok!(task.poll());
}

#[rstest]
fn a_tape_no_recording_was_attached_to_ends_at_its_bound(
    #[values(Waiter::Blocking, Waiter::FuturesExecutor, Waiter::TokioCurrentThread)] waiter: Waiter,
) {
    let err = wait(
        waiter,
        &Tape::new(),
        "ready",
        Some(Duration::from_millis(20)),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    let message = err.to_string();
    assert!(
        message.contains("no recording was ever attached to this tape"),
        "{message}"
    );
    assert!(
        message.contains("0 bytes written so far (0 writes)"),
        "{message}"
    );
}

#[rstest]
fn every_waiter_ends_with_unexpected_eof_when_the_writer_goes_away(
    #[values(
        Waiter::Blocking,
        Waiter::FuturesExecutor,
        Waiter::TokioCurrentThread,
        Waiter::TokioMultiThread
    )]
    waiter: Waiter,
    #[values(None, Some(Duration::from_secs(60)))] bound: Option<Duration>,
) {
    let (mut conn, tape) = Vec::new().record();
    let writer = {
        let tape = tape.clone();
        std::thread::spawn(move || {
            conn.write_all(b"HTTP/1.1 101 Switching").unwrap();
            until_waiting(&tape, 1);
            drop(conn); // while the wait is pending
        })
    };
    let started = Instant::now();
    let err = wait(waiter, &tape, "\r\n\r\n", bound).unwrap_err();
    writer.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");
    // Long before the bound: the watchdog would have fired first.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(err.to_string().contains("Switching"), "{err}");
}

#[test]
fn the_blocking_twin_gives_the_same_eof_message_as_the_future() {
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"\x00\x05hello\r\n").unwrap();
    drop(conn);
    let blocking = tape
        .wait_for_blocking("bye", Duration::from_secs(60))
        .unwrap_err();
    let future = futures::executor::block_on(tape.wait_for("bye")).unwrap_err();
    assert_eq!(blocking.kind(), future.kind());
    assert_eq!(blocking.to_string(), future.to_string());
}

// ---- the bound ----

#[rstest]
fn the_async_timeout_message_is_the_blocking_twins(
    #[values(
        Waiter::FuturesExecutor,
        Waiter::TokioCurrentThread,
        Waiter::TokioMultiThread
    )]
    waiter: Waiter,
) {
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"+OK ready\r\n\0\x01").unwrap();
    let bound = Duration::from_millis(30);
    let started = Instant::now();
    let err = wait(waiter, &tape, "QUIT\r\n", Some(bound)).unwrap_err();
    assert!(
        started.elapsed() >= bound,
        "timed out early: {:?}",
        started.elapsed()
    );
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    let blocking = tape.wait_for_blocking("QUIT\r\n", bound).unwrap_err();
    assert_eq!(err.to_string(), blocking.to_string());
    let expected = r#"timed out after 30ms waiting for the written bytes to contain "QUIT\r\n"
  1 recording still writes to this tape
  13 bytes written so far (1 write)

            offset    hex                                               |ascii|
  written   00000000  2b 4f 4b 20 72 65 61 64  79 0d 0a 00 01           |+OK ready....   |

  written (text): "+OK ready\r\n\0\x01""#;
    assert_eq!(err.to_string(), expected);
    drop(conn);
}

#[test]
fn a_long_tape_shows_its_last_bytes() {
    let (mut conn, tape) = Vec::new().record();
    let bytes: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
    conn.write_all(&bytes).unwrap();
    let message = tape
        .wait_for_blocking("!", Duration::ZERO)
        .unwrap_err()
        .to_string();
    assert!(message.contains("1000 bytes written so far"), "{message}");
    assert!(
        message.contains("(the last 264 of 1000 bytes)"),
        "{message}"
    );
    assert!(message.contains("written   000002e0  "), "{message}");
    assert!(message.contains("written   000003e0  "), "{message}");
    assert!(!message.contains("written   000002d0  "), "{message}");
    assert!(message.contains(r#"written (text): ..."opqr"#), "{message}");
}

#[test]
fn the_bound_wakes_a_pending_wait_on_an_executor_without_a_timer() {
    let (_conn, tape) = Vec::<u8>::new().record();
    let bound = Duration::from_millis(20);
    let wait = tape.wait_for("never").within(bound);
    let started = Instant::now();
    let err = support::futures_watchdog(move || wait).unwrap_err();
    assert!(started.elapsed() >= bound);
    assert_eq!(err.kind(), ErrorKind::TimedOut);
}

#[test]
fn a_bounded_wait_polled_again_arms_the_timer_once_per_waker() {
    let (mut conn, tape) = Vec::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("z").within(Duration::from_secs(60)));
    assert_pending!(task.poll());
    // The task's own reference, the tape's, the timer's and the armed copy.
    let armed = task.waker_ref_count();
    for _ in 0..10 {
        conn.write_all(b"a").unwrap();
        assert!(task.is_woken());
        assert_pending!(task.poll());
    }
    assert_eq!(task.waker_ref_count(), armed);
}

#[test]
fn a_zero_bound_fails_at_the_first_poll_unless_the_pattern_is_there() {
    let (mut conn, tape) = Vec::new().record();
    let mut task = tokio_test::task::spawn(tape.wait_for("x").within(Duration::ZERO));
    assert_eq!(assert_ready_err!(task.poll()).kind(), ErrorKind::TimedOut);
    conn.write_all(b"x").unwrap();
    let mut task = tokio_test::task::spawn(tape.wait_for("x").within(Duration::ZERO));
    assert_ready_ok!(task.poll());
}

#[test]
fn debug_shows_the_bound() {
    let (_conn, tape) = Vec::<u8>::new().record();
    let wait = tape.wait_for("a\r\n").within(Duration::from_secs(2));
    let debug = format!("{wait:?}");
    assert!(debug.contains(r#"pattern: "a\r\n""#), "{debug}");
    assert!(debug.contains("within: Some(2s)"), "{debug}");
}

// ---- the case that used to hang ----

/// A server that rejects the request after reading a few bytes of it (as
/// tungstenite does with a request read one byte at a time) drops its end; the
/// client's write fails half-way and the client drops its connection. The
/// wait for the end of the request, joined with both, must end.
#[cfg(feature = "tokio")]
#[test]
fn join_with_a_client_whose_server_hangs_up_ends() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    support::tokio_watchdog(|| async {
        let (client, mut server) = pipetap::PipeBuilder::new()
            .capacity(16)
            .max_read_len(1)
            .build();
        let (mut client, tape) = client.record();
        let request = "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        let client = async move {
            let written = AsyncWriteExt::write_all(&mut client, request.as_bytes()).await;
            drop(client);
            written
        };
        let server = async move {
            let mut first = [0; 4];
            AsyncReadExt::read_exact(&mut server, &mut first)
                .await
                .unwrap();
            drop(server); // "Attack attempt detected"
        };
        let (waited, written, ()) = tokio::join!(tape.wait_for(b"\r\n\r\n"), client, server);
        assert_eq!(written.unwrap_err().kind(), ErrorKind::BrokenPipe);
        let err = waited.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains(r#"contain "\r\n\r\n""#), "{err}");
        assert!(tape.len() < request.len());
    });
}
