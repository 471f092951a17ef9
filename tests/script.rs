//! `Script` on every door: tokio-test's io cases reworded, and writes that
//! match as a stream under every knob.

mod support;

use std::io::{ErrorKind, Write};
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, Script, ScriptErrorKind};
use rstest::rstest;
use support::script_door::{on, SHORT};
use support::Door;

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
    support::tokio_watchdog(|| async {
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

/// tokio-test's `wait` and `multiple_wait`, on a paused clock, with a
/// timeout around each read that is longer than the wait before it: the
/// waits must end first, and tokio's clock must move on by both.
#[cfg(feature = "tokio")]
#[test]
fn waits_on_a_paused_clock_end_before_longer_timeouts() {
    support::tokio_watchdog(|| async {
        tokio::time::pause();
        let second = Duration::from_secs(1);
        for _ in 0..20 {
            let (mut conn, peer) = Script::new()
                .wait(second)
                .read(b"hello ")
                .wait(second)
                .read(b"world!")
                .build();
            let started = tokio::time::Instant::now();
            let mut buf = [0; 6];
            for want in [b"hello ", b"world!"] {
                let read = tokio::io::AsyncReadExt::read_exact(&mut conn, &mut buf);
                tokio::time::timeout(second * 3 / 2, read)
                    .await
                    .expect("a wait outlasted the longer timeout")
                    .unwrap();
                assert_eq!(&buf, want);
            }
            assert!(started.elapsed() >= 2 * second, "{:?}", started.elapsed());
            peer.finished().await.unwrap();
        }
    });
}
