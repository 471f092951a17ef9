//! The cases behind tokio-test's open issues (#8329, #7445, #2693, #7212,
//! #7881), as regression tests: pipetap's scripts do the right thing, on
//! every door.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, Script, ScriptErrorKind};
use rstest::rstest;
use support::script_door::{on, SHORT};
use support::Door;

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

/// Under a paused clock, a scripted wait must end before a longer timeout
/// in the code under test: the runtime must not jump past the timeout while
/// the peer is still sending what comes after the wait.
#[cfg(feature = "tokio")]
#[test]
fn a_paused_wait_ends_before_a_longer_timeout() {
    support::tokio_watchdog(|| async {
        tokio::time::pause();
        for _ in 0..50 {
            let (mut conn, peer) = Script::new()
                .read(b"x")
                .wait(Duration::from_millis(500))
                .read(b"late")
                .build();
            let mut buf = [0; 1];
            tokio::io::AsyncReadExt::read_exact(&mut conn, &mut buf)
                .await
                .unwrap();
            let started = tokio::time::Instant::now();
            let mut buf = [0; 4];
            let read = tokio::io::AsyncReadExt::read_exact(&mut conn, &mut buf);
            tokio::time::timeout(Duration::from_secs(1), read)
                .await
                .expect("the wait (500 ms) ended after the 1 s timeout")
                .unwrap();
            assert_eq!(&buf, b"late");
            assert!(
                started.elapsed() <= Duration::from_millis(501),
                "{:?}",
                started.elapsed()
            );
            peer.finished().await.unwrap();
        }
    });
}
