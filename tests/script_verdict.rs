//! A failed script's verdict reaches the code under test: the errors of its
//! connection say which step failed and how, in one line, and carry the full
//! `ScriptError`; a `ScriptPeer` dropped while its thread panics (the test
//! unwrapped the client's result first) prints its verdict, once.

mod support;

use std::io::ErrorKind;
use std::process::Command;

use pipetap::{Script, ScriptError, ScriptErrorKind};
use rstest::rstest;
use support::script_door::on;
use support::Door;

/// The script a redis-like client fails: it asks for the wrong key.
fn fake_redis() -> Script {
    Script::new()
        .name("fake-redis")
        .write(b"HELLO 3\r\n")
        .read(b"+OK\r\n")
        .write(b"GET city\r\n")
        .read(b"$6\r\nLisbon\r\n")
}

#[rstest]
fn the_code_under_test_gets_the_verdict_in_its_errors(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    on(door, move || async move {
        let (mut conn, peer) = fake_redis().build();
        door.write_all(&mut conn, b"HELLO 3\r\n").await.unwrap();
        let mut buf = [0; 5];
        door.read_exact(&mut conn, &mut buf).await.unwrap();
        door.write_all(&mut conn, b"GET town\r\n").await.unwrap();

        let read = door.read(&mut conn, &mut buf).await.unwrap_err();
        assert_eq!(read.kind(), ErrorKind::ConnectionReset);
        let message = read.to_string();
        assert!(
            message.starts_with(r#"pipetap pipe "fake-redis", code side: "#),
            "{message}"
        );
        assert!(
            message.ends_with(r#"read failed: script "fake-redis" failed at step 3 of 4 (write): the code under test wrote a byte that differs from the step, at offset 4 of the step (13 of all bytes written): expected "GET city\r\n", got "GET town\r\n"; ScriptPeer::finish shows the full diff"#),
            "{message}"
        );
        assert!(!message.contains('\n'), "one line: {message}");
        // `unwrap()` shows the same line, unquoted.
        assert!(format!("{read:?}").contains(r#"expected "GET city\r\n", got "GET town\r\n""#));

        let write = door.write_all(&mut conn, b"QUIT\r\n").await.unwrap_err();
        assert_eq!(write.kind(), ErrorKind::BrokenPipe);
        assert!(
            write.to_string().contains(r#"code side: "#)
                && write
                    .to_string()
                    .contains(r#"script "fake-redis" failed at step 3 of 4 (write)"#),
            "{write}"
        );

        // The full error is reachable, as the source of the error's inner
        // error, and through `ScriptError::from_io_error`.
        for err in [&read, &write] {
            let inner = err.get_ref().expect("an inner error");
            let source = inner.source().expect("a source");
            let script = source.downcast_ref::<ScriptError>().expect("a ScriptError");
            assert_eq!(script.kind(), ScriptErrorKind::Mismatch);
            assert_eq!(script.step(), Some(3));
            assert!(script.to_string().contains("|GET city"), "the full diff");
            assert_eq!(
                ScriptError::from_io_error(err).map(ScriptError::step),
                Some(Some(3))
            );
        }
        let finished = peer.finished().await.unwrap_err();
        assert_eq!(
            finished.summary(),
            ScriptError::from_io_error(&read).unwrap().summary()
        );
    });
}

#[test]
fn long_steps_are_cut_to_a_short_excerpt_around_the_difference() {
    let expected: Vec<u8> = (0..300).map(|i| b'a' + (i % 26) as u8).collect();
    let mut written = expected.clone();
    written[200] = b'!';
    let (mut conn, peer) = Script::new().name("bulk").write(&expected).build();
    std::io::Write::write_all(&mut conn, &written).unwrap();
    let err = std::io::Read::read(&mut conn, &mut [0; 4]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("at offset 200 of the step (200 of all bytes written): expected ...\""),
        "{message}"
    );
    let excerpt = |after: &str| {
        let at = message.find(after).unwrap() + after.len();
        let text = &message[at..];
        text[..text[1..].find('"').unwrap() + 2].to_owned()
    };
    let want = excerpt("expected ...");
    let got = excerpt("got ...");
    assert!(want.len() <= 62 && got.len() <= 62, "{want} / {got}");
    assert!(got.contains('!') && !want.contains('!'), "{want} / {got}");
    assert!(message.len() < 400, "one short line: {message}");
    drop(peer.try_finish());
}

#[test]
fn a_script_stopped_before_its_end_says_so_to_the_code() {
    let (mut conn, peer) = Script::new().name("slow").write(b"PING\r\n").build();
    let err = peer
        .try_finish_within(std::time::Duration::from_millis(10))
        .unwrap_err();
    assert_eq!(err.kind(), ScriptErrorKind::Stalled);
    let read = std::io::Read::read(&mut conn, &mut [0; 4]).unwrap_err();
    assert_eq!(read.kind(), ErrorKind::ConnectionReset);
    assert!(
        read.to_string()
            .contains(r#"read failed: script "slow" stalled at step 1 of 1 (write): the code under test wrote 0 of the 6 bytes it expects"#),
        "{read}"
    );
}

// ---- the shape most tests have: unwrap the client's result first ----

/// Runs the ignored test `name` of this binary in a child process; returns
/// whether it passed, how it ended, and its output.
fn child(name: &str) -> (std::process::ExitStatus, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", name, "--test-threads=1"])
        .env_remove("PIPETAP_SEED")
        .output()
        .expect("run the test binary");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status, text)
}

/// A small redis-like client on tokio-util's line codec, as a user would
/// write it: `GET key` answered by one line.
#[cfg(feature = "tokio")]
mod client {
    use futures::{SinkExt, StreamExt};
    use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

    pub struct Client(Framed<pipetap::PipeEnd, LinesCodec>);

    impl Client {
        pub fn new(conn: pipetap::PipeEnd) -> Self {
            Client(Framed::new(conn, LinesCodec::new()))
        }

        pub async fn get(&mut self, key: &str) -> Result<String, LinesCodecError> {
            self.0.send(format!("GET {key}")).await?;
            match self.0.next().await {
                Some(line) => line,
                None => Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into()),
            }
        }
    }
}

#[cfg(feature = "tokio")]
#[tokio::test]
#[ignore = "run as a child process by the test below"]
async fn child_unwraps_the_clients_result_first() {
    let (conn, peer) = Script::new()
        .name("fake-redis")
        .write(b"GET city\n")
        .read(b"Lisbon\n")
        .build();
    let mut client = client::Client::new(conn);
    let city = client.get("town").await.unwrap(); // the bug: the wrong key
    assert_eq!(city, "Lisbon");
    peer.finished().await.unwrap();
}

#[cfg(feature = "tokio")]
#[test]
fn unwrapping_the_clients_result_first_shows_the_verdict() {
    let (status, text) = child("child_unwraps_the_clients_result_first");
    assert_eq!(
        status.code(),
        Some(101),
        "the test fails, without an abort:\n{text}"
    );
    assert!(!text.contains("panicked while processing panic"), "{text}");
    // The panic message itself holds the verdict...
    let panic = text
        .lines()
        .find(|l| l.starts_with("called `Result::unwrap()` on an `Err` value"))
        .unwrap_or_else(|| panic!("no unwrap panic:\n{text}"));
    assert!(
        panic.contains(r#"pipe "fake-redis", code side: "#)
            && panic.contains(r#"script "fake-redis" failed at step 1 of 2 (write): the code under test wrote a byte that differs from the step, at offset 4 of the step (4 of all bytes written): expected "GET city\n", got "GET town\n"; ScriptPeer::finish shows the full diff"#),
        "{panic}"
    );
    // ... and the dropped peer printed the whole verdict, diff included, once.
    let label =
        "pipetap: the thread panicked with a ScriptPeer not finished; the script's verdict:";
    assert_eq!(text.matches(label).count(), 1, "{text}");
    let verdict = &text[text.find(label).unwrap()..];
    assert!(
        verdict.contains("first difference at offset 4 within the step")
            && verdict.contains("|GET city"),
        "{verdict}"
    );
}

#[test]
#[ignore = "run as a child process by the test below"]
fn child_panics_before_the_script_ends() {
    let (_conn, _peer) = Script::new()
        .name("fake-smtp")
        .read(b"220 ready\r\n")
        .write(b"EHLO me\r\n")
        .build();
    panic!("the test failed before the script's end");
}

#[test]
fn a_peer_dropped_while_the_thread_panics_says_where_the_script_stood() {
    let (status, text) = child("child_panics_before_the_script_ends");
    assert_eq!(status.code(), Some(101), "{text}");
    let label =
        "pipetap: the thread panicked with a ScriptPeer not finished; the script's verdict:";
    assert_eq!(text.matches(label).count(), 1, "{text}");
    assert!(
        text.contains(
            r#"script "fake-smtp" stalled at step 1 of 2 (read "220 ready\r\n" (11 bytes))"#
        ),
        "{text}"
    );
}

#[test]
#[ignore = "run as a child process by the test below"]
fn child_panics_with_scripted_peers_unfinished() {
    let (connector, _peers) = pipetap::Connector::scripted([
        Script::new()
            .name("first")
            .write(b"PING\r\n")
            .read(b"+PONG\r\n"),
        Script::new().name("second").write(b"QUIT\r\n"),
    ]);
    let mut conn = connector.connect_blocking().unwrap();
    std::io::Write::write_all(&mut conn, b"PINK\r\n").unwrap();
    let mut reply = [0; 7];
    std::io::Read::read_exact(&mut conn, &mut reply).unwrap(); // the verdict, unwrapped
}

#[test]
fn scripted_peers_dropped_while_the_thread_panics_print_their_verdict() {
    let (status, text) = child("child_panics_with_scripted_peers_unfinished");
    assert_eq!(status.code(), Some(101), "{text}");
    assert!(
        text.contains(r#"script "pipe#1 (first)" failed at step 1 of 2 (write): the code under test wrote a byte that differs from the step, at offset 3 of the step"#),
        "the unwrap's panic: {text}"
    );
    let label = "pipetap: the thread panicked with ScriptedPeers not finished; their verdict:";
    assert_eq!(text.matches(label).count(), 1, "{text}");
    let verdict = &text[text.find(label).unwrap()..];
    assert!(
        verdict.contains("|PING") && verdict.contains("|PINK"),
        "the diff: {verdict}"
    );
    assert!(
        verdict.contains(r#"script 2 of 2 ("second") never ran"#),
        "the script not reached: {verdict}"
    );
    assert!(
        !text.contains("with a ScriptPeer not finished"),
        "one verdict, not one per peer: {text}"
    );
}
