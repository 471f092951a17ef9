//! Code under test that is wrong on purpose, on every door, under a
//! watchdog: a script must fail and explain, never hang.

mod support;

use std::io::ErrorKind;

use pipetap::{Script, ScriptErrorKind};
use rstest::rstest;
use support::script_door::{on, SHORT};
use support::Door;

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
