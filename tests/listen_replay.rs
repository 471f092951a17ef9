//! Replay behind a connector: `Connector::scripted`, `replay_dir`,
//! `save_tapes` and `ScriptedPeers`, with blocking code (the HTTP loop is
//! in `listen_replay_http.rs`).
// Drives the pipe through its futures door too.
#![cfg(feature = "futures")]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use pipetap::{Connector, PipeBuilder, Script};
use support::watchdog;

fn ping_pong() -> Script {
    Script::new().write(b"PING\r\n").read(b"+PONG\r\n")
}

fn ping(conn: &mut pipetap::PipeEnd) -> std::io::Result<()> {
    conn.write_all(b"PING\r\n")?;
    let mut reply = [0; 7];
    conn.read_exact(&mut reply)?;
    assert_eq!(&reply, b"+PONG\r\n");
    Ok(())
}

#[test]
fn the_n_th_connection_gets_the_n_th_script_and_one_more_has_none() {
    watchdog(|| {
        let (connector, peers) = PipeBuilder::new()
            .name("redis")
            .scripted([ping_pong(), Script::new().write(b"QUIT\r\n").close()]);
        let mut first = connector.connect_blocking().unwrap();
        assert_eq!(first.peer_addr().unwrap().to_string(), "redis#1");
        assert_eq!(first.end_name(), "client");
        ping(&mut first).unwrap();
        let mut second = connector.clone().connect_blocking().unwrap();
        second.write_all(b"QUIT\r\n").unwrap();
        assert_eq!(second.read(&mut [0; 4]).unwrap(), 0, "the script closed");

        let err = connector.connect_blocking().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        let message = err.to_string();
        assert!(
            message.contains(r#"scripted connector "redis": connection redis#3: no script is left (the connector has 2 scripts, for connections #1 to #2)"#),
            "{message}"
        );
        let err = peers.try_finish().unwrap_err();
        assert_eq!(err.beyond_last(), ["redis#3"]);
        assert_eq!(err.failed().count(), 0);
        assert!(
            err.to_string().contains(
                "- connection redis#3 was made beyond the last script: no script is left"
            ),
            "{err}"
        );
    });
}

#[test]
fn finish_passes_when_every_script_ran_and_later_connects_are_refused() {
    watchdog(|| {
        let (connector, peers) = Connector::scripted([ping_pong(), ping_pong()]);
        for _ in 0..2 {
            ping(&mut connector.connect_blocking().unwrap()).unwrap();
        }
        assert!(format!("{peers:?}").contains("scripts: 2, served: 2, beyond_last: 0"));
        peers.finish();
        let err = connector.connect_blocking().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("the replay is over"), "{err}");
    });
}

#[test]
fn finish_names_every_failing_script_with_its_connection() {
    watchdog(|| {
        let (connector, peers) = Connector::scripted([
            ping_pong(),
            ping_pong().name("second"),
            ping_pong(),
            ping_pong().name("fourth"),
        ]);
        ping(&mut connector.connect_blocking().unwrap()).unwrap();
        let mut wrong = connector.connect_blocking().unwrap();
        wrong.write_all(b"PANG\r\n").unwrap();
        let mut quiet = connector.connect_blocking().unwrap(); // never writes
        let err = peers
            .try_finish_within(Duration::from_millis(200))
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(
                r#"replay through scripted connector "pipe" failed (3 problems with 4 scripts):"#
            ),
            "{message}"
        );
        assert!(
            message
                .contains(r#"- connection pipe#2: script "pipe#2 (second)" failed at step 1 of 2"#),
            "{message}"
        );
        assert!(
            message.contains(r#"- connection pipe#3: script "pipe#3" stalled at step 1 of 2"#),
            "{message}"
        );
        assert!(
            message.contains(
                r#"- script 4 of 4 ("fourth") never ran: no connection #4 was made for it"#
            ),
            "{message}"
        );
        assert_eq!(err.never_ran(), 1);
        let failed: Vec<&str> = err.failed().map(|(label, _)| label).collect();
        assert_eq!(failed, ["pipe#2", "pipe#3"]);
        // The failed script reset its connection; the stalled one was
        // stopped with a reset too.
        assert_eq!(
            wrong.read(&mut [0; 8]).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(
            quiet.read(&mut [0; 8]).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
    });
}

#[test]
#[should_panic(expected = "connection pipe#1 was made beyond the last script")]
fn finish_panics_with_the_verdicts() {
    let (connector, peers) = Connector::scripted([]);
    assert!(connector.connect_blocking().is_err());
    peers.finish();
}

#[test]
#[should_panic(expected = "script 1 of 1 never ran")]
fn dropping_the_peers_unfinished_checks_them() {
    let (_connector, peers) = Connector::scripted([ping_pong()]);
    drop(peers);
}

#[test]
fn finished_is_the_async_twin_on_a_current_thread_runtime() {
    watchdog(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (connector, peers) = Connector::scripted([ping_pong(), ping_pong()]);
            for _ in 0..2 {
                let mut conn = connector.connect().await.unwrap();
                AsyncWriteExt::write_all(&mut conn, b"PING\r\n")
                    .await
                    .unwrap();
                let mut reply = [0; 7];
                AsyncReadExt::read_exact(&mut conn, &mut reply)
                    .await
                    .unwrap();
            }
            peers.finished().await.unwrap();

            let (connector, peers) = Connector::scripted([ping_pong()]);
            let mut conn = connector.connect().await.unwrap();
            AsyncWriteExt::write_all(&mut conn, b"PONG\r\n")
                .await
                .unwrap();
            let err = peers.finished().await.unwrap_err();
            assert!(
                err.to_string()
                    .contains(r#"- connection pipe#1: script "pipe#1" failed at step 1 of 2"#),
                "{err}"
            );
        });
    });
}

/// Records `n` connections of a listener named `name`, connection `i`
/// writing `ask i` and reading `got i`.
fn record(name: &str, n: usize) -> pipetap::Connector {
    let (listener, connector) = PipeBuilder::new().name(name).listen();
    let listener = listener.record_connections();
    for i in 1..=n {
        let mut client = connector.connect_blocking().unwrap();
        let mut server = listener.accept_blocking().unwrap();
        let ask = format!("ask {i}\n");
        client.write_all(ask.as_bytes()).unwrap();
        let mut got = vec![0; ask.len()];
        server.read_exact(&mut got).unwrap();
        server.write_all(format!("got {i}\n").as_bytes()).unwrap();
        let mut reply = vec![0; ask.len()];
        client.read_exact(&mut reply).unwrap();
    }
    connector
}

#[test]
fn save_tapes_names_files_after_labels_and_replay_dir_reads_them_in_numeric_order() {
    watchdog(|| {
        let dir = tempfile::tempdir().unwrap();
        let recorded = record("db:5432", 11);
        recorded.save_tapes(dir.path()).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(files.len(), 11);
        assert_eq!(files[0], "db_5432-1.tape");
        assert!(files.contains(&"db_5432-10.tape".to_owned()));
        let text = std::fs::read_to_string(dir.path().join("db_5432-2.tape")).unwrap();
        assert!(text.contains("> \"ask 2\\n\"\n< \"got 2\\n\"\n"), "{text}");
        // A pending review file and a note are not connections.
        std::fs::write(dir.path().join("db_5432-1.tape.new"), "junk").unwrap();
        std::fs::write(dir.path().join("README"), "notes").unwrap();

        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        for i in 1..=11 {
            let mut conn = connector.connect_blocking().unwrap();
            assert_eq!(
                conn.peer_addr().unwrap().to_string(),
                format!("db:5432#{i}")
            );
            conn.write_all(format!("ask {i}\n").as_bytes()).unwrap();
            let mut reply = String::new();
            conn.read_to_string(&mut reply).unwrap(); // the script ends its side
            assert_eq!(reply, format!("got {i}\n"));
        }
        peers.finish();

        // A shorter recording into the same folder removes the files it no
        // longer has, so the folder replays it.
        record("db:5432", 2).save_tapes(dir.path()).unwrap();
        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        drop(connector);
        let err = peers.try_finish().unwrap_err();
        assert_eq!(err.never_ran(), 2, "{err}");
        assert!(
            err.to_string().contains("db_5432-2.tape"),
            "scripts are named after their files: {err}"
        );
        assert!(dir.path().join("db_5432-1.tape.new").exists());
        assert!(!dir.path().join("db_5432-3.tape").exists());
    });
}

#[test]
fn a_replayed_file_that_differs_names_its_connection_and_its_file() {
    watchdog(|| {
        let dir = tempfile::tempdir().unwrap();
        record("api", 1).save_tapes(dir.path()).unwrap();
        let (connector, peers) = Connector::replay_dir(dir.path()).unwrap();
        let mut conn = connector.connect_blocking().unwrap();
        conn.write_all(b"ask 9\n").unwrap();
        let err = peers.try_finish().unwrap_err().to_string();
        let file = dir.path().join("api-1.tape");
        assert!(
            err.contains(&format!(
                "- connection api#1: script \"api#1 ({})\" failed at step 1 of 2",
                file.display()
            )),
            "{err}"
        );
        assert!(err.contains("offset 4 within the step"), "{err}");
    });
}

#[test]
fn replay_dir_and_save_tapes_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let err = Connector::replay_dir(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        err.to_string().contains("holds no connection tape file"),
        "{err}"
    );

    let missing = dir.path().join("nowhere");
    let err = Connector::replay_dir(&missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("nowhere"), "{err}");

    record("api", 1).save_tapes(dir.path()).unwrap();
    record("db:5432", 1).save_tapes(dir.path()).unwrap();
    let err = Connector::replay_dir(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("holds the tapes of 2 names (api-N.tape, db_5432-N.tape)"),
        "{err}"
    );

    std::fs::write(dir.path().join("api-1.tape"), "pipetap-tape v1\n> oops\n").unwrap();
    std::fs::remove_file(dir.path().join("db_5432-1.tape")).unwrap();
    let err = Connector::replay_dir(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert!(err.to_string().contains("line 2"), "{err}");

    let (listener, connector) = pipetap::listen();
    let err = listener.save_tapes(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("record_connections"), "{err}");
    drop(connector);
}
