//! `Script` on every door: tokio-test's io cases reworded, the regressions
//! behind tokio-test's open issues, and code under test that is wrong on
//! purpose (under a watchdog: a script must fail, never hang).

mod support;

use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, Script, ScriptErrorKind};
use rstest::rstest;
use support::{futures_watchdog, tokio_watchdog, Door};

/// Runs `body` on `door`'s executor: tokio's current-thread runtime for the
/// tokio door, `futures::executor::block_on` for the futures door and for
/// blocking calls; under the watchdog.
/// A door whose pipetap feature is off is skipped.
fn on<F, Fut>(door: Door, body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    if !door.is_compiled() {
        return;
    }
    match door {
        Door::Tokio => tokio_watchdog(body),
        _ => futures_watchdog(body),
    }
}

const SHORT: Duration = Duration::from_millis(300);

// ---- tokio-test's io cases, reworded ----

#[rstest]
fn a_read_step_is_read(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().read(b"hello world").build();
        let mut buf = [0; 1024];
        let n = door.read(&mut conn, &mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello world");
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn a_read_error_comes_between_reads(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .read(b"hello ")
            .read_error(ErrorKind::ConnectionAborted)
            .read(b"world")
            .build();
        let mut buf = [0; 1024];
        let n = door.read(&mut conn, &mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello ");
        let err = door.read(&mut conn, &mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        let n = door.read(&mut conn, &mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"world");
        assert_eq!(
            door.read(&mut conn, &mut buf).await.unwrap(),
            0,
            "end-of-stream after the last step"
        );
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn a_write_step_is_matched(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().write(b"hello world").build();
        door.write_all(&mut conn, b"hello world").await.unwrap();
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn one_write_may_cover_two_write_steps(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().write(b"hello ").write(b"world").build();
        door.write_all(&mut conn, b"hello world").await.unwrap();
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn a_write_error_comes_between_writes(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .write(b"hello ")
            .write_error(ErrorKind::ConnectionAborted)
            .write(b"world")
            .build();
        door.write_all(&mut conn, b"hello ").await.unwrap();
        let err = door.write_all(&mut conn, b"world").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        door.write_all(&mut conn, b"world").await.unwrap();
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn a_write_that_crosses_a_write_error_is_cut_short_there(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .write(b"abc")
            .write_error(ErrorKind::TimedOut)
            .write(b"def")
            .write_error(ErrorKind::Interrupted)
            .write(b"g")
            .build();
        assert_eq!(door.write(&mut conn, b"abcdefg").await.unwrap(), 3);
        assert_eq!(
            door.write(&mut conn, b"defg").await.unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        assert_eq!(door.write(&mut conn, b"defg").await.unwrap(), 3);
        assert_eq!(
            door.write(&mut conn, b"g").await.unwrap_err().kind(),
            ErrorKind::Interrupted
        );
        assert_eq!(door.write(&mut conn, b"g").await.unwrap(), 1);
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn data_left_to_read_fails_the_finish(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (_conn, peer) = Script::new().name("left").read(b"hello world").build();
        let err = peer.finished_within(SHORT).await.unwrap_err();
        assert_eq!(err.kind(), ScriptErrorKind::Stalled);
        let message = err.to_string();
        assert!(
            message.starts_with(r#"script "left" stalled at step 1 of 1 (read "hello world" (11 bytes)): it sent all 11 bytes and the code under test has not read them all"#),
            "{message}"
        );
    });
}

#[rstest]
fn data_left_to_write_fails_the_finish(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().name("left").write(b"hello world").build();
        door.write_all(&mut conn, b"hello").await.unwrap();
        let err = peer.finished_within(SHORT).await.unwrap_err();
        let message = err.to_string();
        assert_eq!(err.kind(), ScriptErrorKind::Stalled, "{message}");
        assert!(message.contains("step 1 of 1 (write \"hello world\" (11 bytes)): the code under test wrote 5 of the 11 bytes it expects"), "{message}");
        assert!(message.contains(r#"still expected: " world""#), "{message}");
    });
}

#[rstest]
fn waits_pause_the_peer(#[values(Door::Blocking, Door::Futures)] door: Door) {
    on(door, move || async move {
        let pause = Duration::from_millis(30);
        let (mut conn, peer) = Script::new()
            .read(b"hello ")
            .wait(pause)
            .read(b"world")
            .wait(pause)
            .read(b"!")
            .build();
        let started = Instant::now();
        let mut got = Vec::new();
        door.read_to_end(&mut conn, &mut got).await.unwrap();
        assert_eq!(got, b"hello world!");
        assert!(started.elapsed() >= 2 * pause, "{:?}", started.elapsed());
        peer.finished().await.unwrap();
    });
}

#[cfg(feature = "tokio")]
#[test]
fn a_wait_follows_tokios_paused_clock() {
    tokio_watchdog(|| async {
        tokio::time::pause();
        let (mut conn, peer) = Script::new()
            .read(b"a")
            .wait(Duration::from_secs(3600))
            .read(b"b")
            .build();
        let (wall, clock) = (Instant::now(), tokio::time::Instant::now());
        let mut got = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut conn, &mut got)
            .await
            .unwrap();
        assert_eq!(got, b"ab");
        assert!(
            clock.elapsed() >= Duration::from_secs(3600),
            "tokio's clock moved on by the wait"
        );
        assert!(
            wall.elapsed() < Duration::from_secs(10),
            "and it cost no real hour"
        );
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn early_writes_are_matched_during_a_read_step(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    // The code writes its whole request before it reads the greeting, over
    // a pipe too small for either side to finish first: the peer must serve
    // both directions at once.
    on(door, move || async move {
        let (greeting, request) = (vec![b'g'; 4096], vec![b'r'; 4096]);
        let (mut conn, peer) = Script::new()
            .read(&greeting)
            .write(&request)
            .build_with(PipeBuilder::new().capacity(16));
        if door == Door::Blocking {
            conn.write_all(&request).unwrap();
        } else {
            door.write_all(&mut conn, &request).await.unwrap();
        }
        let mut got = vec![0; 4096];
        door.read_exact(&mut conn, &mut got).await.unwrap();
        assert_eq!(got, greeting);
        peer.finished().await.unwrap();
    });
}

// ---- regressions behind tokio-test's open issues ----

/// tokio-test #8329: an unexpected write hung forever. Here the first wrong
/// byte fails the script at once: the code's writes then fail with
/// `BrokenPipe`, its reads with `ConnectionReset`, and the finish names the
/// byte.
#[rstest]
fn an_unexpected_write_fails_at_once_instead_of_hanging(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .name("fake-redis")
            .write(b"PING\r\n")
            .read(b"+PONG\r\n")
            .build();
        door.write_all(&mut conn, b"PINK\r\n").await.unwrap();
        let mut buf = [0; 16];
        let err = door.read(&mut conn, &mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        let err = door.write_all(&mut conn, b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let err = peer.finished().await.unwrap_err();
        assert_eq!(err.kind(), ScriptErrorKind::Mismatch);
        let message = err.to_string();
        assert!(message.starts_with(r#"script "fake-redis" failed at step 1 of 2 (write "PING\r\n" (6 bytes)): the code under test wrote a byte that differs from the step"#), "{message}");
        assert!(
            message.contains(
                "first difference at offset 3 within the step, offset 3 of all bytes written"
            ),
            "{message}"
        );
        assert!(
            message.contains("expected byte 0x47, written byte 0x4b"),
            "{message}"
        );
        assert!(
            message.contains("|PING..") && message.contains("|PINK.."),
            "hex + ASCII diff: {message}"
        );
    });
}

#[rstest]
fn a_byte_after_the_last_step_fails_the_script(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().name("quit").write(b"QUIT\r\n").build();
        door.write_all(&mut conn, b"QUIT\r\nX").await.unwrap();
        let err = peer.finished().await.unwrap_err();
        assert_eq!(err.kind(), ScriptErrorKind::Unexpected);
        assert_eq!(err.step(), None);
        let message = err.to_string();
        assert!(
            message.contains(
                "after its last step (of 1): the code under test wrote bytes after the last step"
            ),
            "{message}"
        );
        assert!(
            message.contains("1 byte written at offset 6 of all bytes written"),
            "{message}"
        );
    });
}

/// tokio-test #7445: a mock split into halves used from two tasks
/// deadlocked. Here each half is an ordinary pipe half.
#[rstest]
fn split_halves_in_two_tasks(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 16, 65536)] capacity: usize,
) {
    on(door, move || async move {
        let mut script = Script::new();
        for i in 0..50u8 {
            script = script.write([b'q', i]).read([b'a', i]);
        }
        let (conn, peer) = script.build_with(PipeBuilder::new().capacity(capacity));
        let (mut rd, mut wr) = conn.into_split();
        let writer = async move {
            for i in 0..50u8 {
                door.write_all(&mut wr, &[b'q', i]).await.unwrap();
            }
        };
        let reader = async move {
            let mut got = vec![0; 100];
            door.read_exact(&mut rd, &mut got).await.unwrap();
            got
        };
        let got = if door == Door::Tokio {
            let w = tokio::spawn(writer);
            let r = tokio::spawn(reader);
            w.await.unwrap();
            r.await.unwrap()
        } else {
            futures::join!(writer, reader).1
        };
        let want: Vec<u8> = (0..50u8).flat_map(|i| [b'a', i]).collect();
        assert_eq!(got, want);
        peer.finished().await.unwrap();
    });
}

#[cfg(feature = "tokio")]
#[test]
fn split_halves_on_a_multi_thread_runtime() {
    support::watchdog(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (conn, peer) = Script::new()
                .write(b"hello")
                .read(b"world")
                .write(b"bye")
                .build();
            let (mut rd, mut wr) = tokio::io::split(conn);
            let w = tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                wr.write_all(b"hello").await.unwrap();
                wr.write_all(b"bye").await.unwrap();
            });
            let r = tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut got = Vec::new();
                rd.read_to_end(&mut got).await.unwrap();
                got
            });
            w.await.unwrap();
            assert_eq!(r.await.unwrap(), b"world");
            peer.finished().await.unwrap();
        });
    });
}

/// tokio-test #2693: nothing checked that the script ran to its end. Here
/// `finish` waits for every step, bounded, and names the one left.
#[rstest]
fn finish_checks_the_script_ran_to_its_end(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .name("smtp")
            .read(b"220 ready\r\n")
            .write(b"QUIT\r\n")
            .read(b"221 bye\r\n")
            .build();
        let mut buf = [0; 11];
        door.read_exact(&mut conn, &mut buf).await.unwrap();
        let started = Instant::now();
        let err = peer.finished_within(SHORT).await.unwrap_err();
        assert!(started.elapsed() >= SHORT && started.elapsed() < SHORT * 10);
        let message = err.to_string();
        assert!(message.starts_with(r#"script "smtp" stalled at step 2 of 3 (write "QUIT\r\n" (6 bytes)): the code under test wrote 0 of the 6 bytes it expects"#), "{message}");
        // The code under test is not left hanging either.
        let err = door.read(&mut conn, &mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    });
}

#[test]
fn finish_panics_with_the_message() {
    let (_conn, peer) = Script::new().name("unread").read(b"x").build();
    let panic = std::panic::catch_unwind(move || peer.finish_within(Duration::from_millis(50)))
        .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with(r#"script "unread" stalled at step 1 of 1"#),
        "{message}"
    );
}

#[test]
fn dropping_an_unfinished_peer_panics_unless_already_panicking() {
    let (_conn, peer) = Script::new().name("dropped").write(b"x").build();
    let panic = std::panic::catch_unwind(move || {
        std::thread::spawn(move || {
            // Already panicking: the drop stays quiet (no double panic).
            let _peer = peer;
            panic!("the test's own failure");
        })
        .join()
    })
    .unwrap()
    .unwrap_err();
    assert_eq!(
        panic.downcast_ref::<&str>(),
        Some(&"the test's own failure")
    );

    let (mut conn, peer) = Script::new().name("dropped").write(b"xy").build();
    conn.write_all(b"xz").unwrap();
    let panic = std::panic::catch_unwind(move || drop(peer)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with(r#"script "dropped" failed at step 1 of 1"#),
        "{message}"
    );
}

/// tokio-test #7212: its messages named neither the mock nor the step.
#[test]
fn messages_name_the_script_and_the_step() {
    support::watchdog(|| {
        let (mut conn, peer) = Script::new()
            .name("fake-pg")
            .write(b"startup")
            .read(b"R")
            .write(b"query 1;")
            .build();
        conn.write_all(b"startup").unwrap();
        conn.read_exact(&mut [0; 1]).unwrap();
        conn.write_all(b"query 2;").unwrap();
        let message = peer.try_finish().unwrap_err().to_string();
        assert!(
            message.starts_with(
                r#"script "fake-pg" failed at step 3 of 3 (write "query 1;" (8 bytes))"#
            ),
            "{message}"
        );
        assert!(
            message.contains("offset 6 within the step, offset 13 of all bytes written"),
            "{message}"
        );
    });
}

/// tokio-test #7881: a write right as a wait ends could see an unexpected
/// `WouldBlock` (the mock checked its timer twice). Here a wait never makes
/// a write fail: many rounds of writes racing the end of a wait.
#[rstest]
fn writes_racing_the_end_of_a_wait(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let mut script = Script::new();
        for i in 0..200u8 {
            script = script
                .wait(Duration::from_micros(u64::from(i % 7)))
                .write([i]);
        }
        let (mut conn, peer) = script.build();
        for i in 0..200u8 {
            door.write_all(&mut conn, &[i]).await.unwrap();
        }
        peer.finished().await.unwrap();
    });
}

// ---- writes match as a stream; knobs keep working ----

#[rstest]
fn writes_match_as_a_stream_whatever_their_size(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
    #[values(1, 3, 1000)] max_write_len: usize,
    #[values(0, 7, 65536)] capacity: usize,
) {
    on(door, move || async move {
        let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let response = b"HTTP/1.1 204 No Content\r\n\r\n";
        let (mut conn, peer) = Script::new()
            .write(&request[..5])
            .write(&request[5..])
            .read(response)
            .build_with(PipeBuilder::new().capacity(capacity));
        conn.set_max_write_len(Some(max_write_len)).unwrap();
        conn.set_max_read_len(Some(2)).unwrap();
        door.write_all(&mut conn, request).await.unwrap();
        let mut got = Vec::new();
        door.read_to_end(&mut conn, &mut got).await.unwrap();
        assert_eq!(got, response);
        peer.finished().await.unwrap();
    });
}

/// Knobs on the whole pipe (both ends, the peer's included): random
/// chunking, spurious `Pending`, short reads, a rendezvous pipe.
#[rstest]
fn the_peer_copes_with_every_knob(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
    #[values(0, 3, 65536)] capacity: usize,
    #[values(1, 2, 3)] seed: u64,
) {
    on(door, move || async move {
        let builder = PipeBuilder::new()
            .capacity(capacity)
            .max_read_len(5)
            .interleave_pending(true)
            .chunking(pipetap::Chunking::sizes(1..=4).with_pending(30))
            .seed(seed);
        let mut script = Script::new().read(b"hello\n");
        for i in 0..20u8 {
            script = script.write([b'>', i, b'\n']).read([b'<', i, b'\n']);
        }
        let (mut conn, peer) = script.build_with(builder);
        let mut buf = [0; 6];
        door.read_exact(&mut conn, &mut buf).await.unwrap();
        for i in 0..20u8 {
            door.write_all(&mut conn, &[b'>', i, b'\n']).await.unwrap();
            let mut reply = [0; 3];
            door.read_exact(&mut conn, &mut reply).await.unwrap();
            assert_eq!(reply, [b'<', i, b'\n']);
        }
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn write_until_takes_the_part_that_changes(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .write(b"Date: ")
            .write_until(b"\r\n\r\n")
            .read(b"ok")
            .build();
        conn.set_max_write_len(Some(1)).unwrap();
        door.write_all(&mut conn, b"Date: Wed, 02 Dec 2026 \r\n 18:00\r\n\r\n")
            .await
            .unwrap();
        let mut got = Vec::new();
        door.read_to_end(&mut conn, &mut got).await.unwrap();
        assert_eq!(got, b"ok");
        peer.finished().await.unwrap();
    });
}

#[rstest]
fn shutdown_write_then_more_writes_then_close(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .read(b"all of it")
            .shutdown_write()
            .write(b"thanks")
            .close()
            .build();
        let mut got = Vec::new();
        door.read_to_end(&mut conn, &mut got).await.unwrap();
        assert_eq!(got, b"all of it");
        door.write_all(&mut conn, b"thanks").await.unwrap();
        peer.finished().await.unwrap();
        let err = door.write_all(&mut conn, b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[rstest]
fn reset_is_sticky(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().read(b"bye").reset().build();
        let mut buf = [0; 3];
        door.read_exact(&mut conn, &mut buf).await.unwrap();
        for _ in 0..2 {
            let err = door.read(&mut conn, &mut buf).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        }
        peer.finished().await.unwrap();
    });
}

#[test]
#[should_panic(expected = "Script::read: no step may follow `close`, which ends the script")]
fn no_step_after_close() {
    let _ = Script::new().close().read(b"x");
}

#[test]
#[should_panic(expected = "the delimiter is empty")]
fn write_until_needs_a_delimiter() {
    let _ = Script::new().write_until(b"");
}

// ---- code under test that is wrong on purpose ----

/// Code that closes its connection while the script still expects a
/// write: the step cannot be met, and the script says so at once.
#[rstest]
fn code_that_hangs_up_early(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new()
            .name("early")
            .read(b"hello\n")
            .write(b"hi\n")
            .build();
        let mut buf = [0; 6];
        door.read_exact(&mut conn, &mut buf).await.unwrap();
        drop(conn);
        let err = peer.finished().await.unwrap_err();
        assert_eq!(err.kind(), ScriptErrorKind::Unmet);
        let message = err.to_string();
        assert!(message.contains("step 2 of 2 (write \"hi\\n\" (3 bytes)): the code under test shut its writing side (end-of-stream) before writing what the step expects"), "{message}");
    });
}

/// Code that never reads its reply and closes: the script says the bytes
/// went unread.
#[rstest]
fn code_that_never_reads_the_reply(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = Script::new().write(b"GET\n").read(b"200 ok\n").build();
        door.write_all(&mut conn, b"GET\n").await.unwrap();
        // Let the reply arrive before hanging up.
        while conn.unread_len() < 7 {
            futures::future::ready(()).await;
            std::thread::yield_now();
        }
        drop(conn);
        let err = peer.finished().await.unwrap_err();
        let message = err.to_string();
        assert_eq!(err.kind(), ScriptErrorKind::Unmet, "{message}");
        assert!(
            message.contains("closed its reading side with 7 bytes unread"),
            "{message}"
        );
    });
}

/// Code that waits for a reply to a request it never sent: a stall,
/// reported with what the script waited for, and the code gets a reset.
#[rstest]
fn code_that_waits_for_nothing(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    on(door, move || async move {
        let (conn, peer) = Script::new()
            .name("lost")
            .write(b"PING")
            .read(b"PONG")
            .build();
        let (mut rd, _wr) = conn.into_split();
        let reading = async move {
            let mut buf = [0; 4];
            door.read(&mut rd, &mut buf).await
        };
        let finishing = peer.finished_within(SHORT);
        if door == Door::Blocking {
            let reader = std::thread::spawn(move || futures::executor::block_on(reading));
            let message = finishing.await.unwrap_err().to_string();
            assert!(
                message.contains(r#"stalled at step 1 of 2 (write "PING" (4 bytes))"#),
                "{message}"
            );
            assert_eq!(
                reader.join().unwrap().unwrap_err().kind(),
                ErrorKind::ConnectionReset
            );
        } else {
            let (read, finished) = futures::join!(reading, finishing);
            let message = finished.unwrap_err().to_string();
            assert!(
                message.contains(r#"stalled at step 1 of 2 (write "PING" (4 bytes))"#),
                "{message}"
            );
            assert_eq!(read.unwrap_err().kind(), ErrorKind::ConnectionReset);
        }
    });
}

#[test]
fn the_types_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<Script>();
    both::<pipetap::ScriptPeer>();
    both::<pipetap::ScriptError>();
    both::<pipetap::Finished>();
}

// ---- hang reports ----

#[test]
fn a_hang_report_names_the_script_and_its_step() {
    let (conn, peer) = Script::new()
        .name("fake-redis")
        .write(b"PING\r\n")
        .read(b"+PONG\r\n")
        .build();
    let report = pipetap::try_within(Duration::from_millis(100), move || {
        let mut conn = conn;
        let mut reply = [0; 7];
        conn.read_exact(&mut reply) // forgot to send PING
    })
    .unwrap_err()
    .to_string();
    assert!(
        report.contains(r#"pipe "fake-redis" (ends code, script; capacity 65536)"#),
        "{report}"
    );
    assert!(
        report.contains(r#"script "fake-redis" waits at step 1 of 2 (write "PING\r\n" (6 bytes)): the code under test wrote 0 of the 6 bytes it expects"#),
        "{report}"
    );
    assert!(peer.try_finish_within(Duration::from_millis(10)).is_err());
}
