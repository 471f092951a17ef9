//! Replaying real protocols from saved tapes: a websocket client whose
//! masks are random (holes marked by `holes_by`), redis-rs's preamble with
//! its version in a hole, and secrets kept out of every file.
// Drives the pipe through its futures door too.
#![cfg(feature = "futures")]

use std::io::{Read, Write};
use std::ops::Range;
use std::time::Duration;

use pipetap::{PipeBuilder, RecordExt, Script, Tape};

const BOUND: Duration = Duration::from_secs(10);

// ---- websocket (tungstenite) ----

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The code under test: a websocket client with a key the caller fixes
/// (its masks are random), sending two messages and reading their echoes.
fn ws_client<S: Read + Write>(stream: S) -> Vec<String> {
    let request = tungstenite::http::Request::builder()
        .uri("ws://echo.test/chat")
        .header("Host", "echo.test")
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", KEY)
        .body(())
        .unwrap();
    let (mut ws, _response) = tungstenite::client::client(request, stream).unwrap();
    let mut echoes = Vec::new();
    for text in ["hello", "a somewhat longer message, to be echoed back"] {
        ws.send(tungstenite::Message::text(text)).unwrap();
        match ws.read().unwrap() {
            tungstenite::Message::Text(t) => echoes.push(t.to_string()),
            other => panic!("unexpected {other:?}"),
        }
    }
    ws.close(None).unwrap();
    loop {
        match ws.read() {
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("{e}"),
        }
    }
    echoes
}

/// Where the masks (and so the masked payloads) sit in a turn of client
/// frames; the upgrade request has none.
fn ws_masks(turn: &[u8]) -> Vec<Range<usize>> {
    let mut holes = Vec::new();
    if turn.starts_with(b"GET ") {
        return holes;
    }
    let mut at = 0;
    while at + 2 <= turn.len() {
        let masked = turn[at + 1] & 0x80 != 0;
        let (len, header) = match turn[at + 1] & 0x7f {
            126 => (u16::from_be_bytes([turn[at + 2], turn[at + 3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(turn[at + 2..at + 10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let mask = if masked { 4 } else { 0 };
        // The mask, and the payload it scrambles.
        holes.push(at + header..at + header + mask + len);
        at += header + mask + len;
    }
    holes
}

#[test]
fn a_websocket_client_with_random_masks_replays_from_a_saved_tape() {
    // Record against a real tungstenite echo server.
    let (client, server) = pipetap::pipe();
    let (conn, tape) = client.record();
    let conn = conn.record_reads();
    let server = std::thread::spawn(move || {
        let mut ws = tungstenite::accept(server).unwrap();
        loop {
            match ws.read() {
                Ok(m) if m.is_text() => ws.send(m).unwrap(),
                Ok(_) => {}
                Err(tungstenite::Error::ConnectionClosed) => break,
                Err(e) => panic!("{e}"),
            }
        }
    });
    let echoes = pipetap::within(BOUND, move || ws_client(conn));
    server.join().unwrap();
    assert_eq!(echoes[0], "hello");

    tape.holes_by(ws_masks);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws-echo.tape");
    tape.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("pipetap-tape v2\n"), "{text}");
    // "hello": FIN + text, masked, 5 bytes, then 4 mask bytes + 5 payload.
    assert!(text.contains(r#"> "\x81\x85{{_:9}}""#), "{text}");

    // Replay, twice: new random masks each time, no server.
    for _ in 0..2 {
        let (conn, peer) = Script::from_file(&path).unwrap().build();
        let echoes = pipetap::within(BOUND, move || ws_client(conn));
        assert_eq!(
            echoes,
            ["hello", "a somewhat longer message, to be echoed back"]
        );
        peer.finish();
    }
}

// ---- redis-rs ----

/// redis-rs's preamble, from its source (`connection.rs`): `CLIENT SETINFO`
/// with its name, then its version, whose bytes (and length) change with
/// every release: holes, instead of a `write_until`.
const PREAMBLE: &str =
    "*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$8\r\nLIB-NAME\r\n$8\r\nredis-rs\r\n\
*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$7\r\nLIB-VER\r\n${{_}}\r\n{{lib_ver}}\r\n";

async fn redis_get(conn: pipetap::PipeEnd, info: redis::RedisConnectionInfo) -> String {
    // The driver future borrows the info for as long as it runs.
    let info: &'static redis::RedisConnectionInfo = Box::leak(Box::new(info));
    let (mut conn, driver) = redis::aio::MultiplexedConnection::new(info, conn)
        .await
        .unwrap();
    let driver = tokio::spawn(driver);
    let value: String = redis::cmd("GET")
        .arg("greeting")
        .query_async(&mut conn)
        .await
        .unwrap();
    drop(conn);
    driver.abort();
    value
}

#[tokio::test]
async fn redis_rs_preamble_replays_with_its_version_in_a_hole() {
    for version in [None, Some("10.200.3000-rc.1")] {
        let info = match version {
            None => redis::RedisConnectionInfo::default(),
            Some(v) => redis::RedisConnectionInfo::default().set_lib_name("redis-rs", v),
        };
        let (conn, peer) = Script::new()
            .name("redis")
            .write_template(PREAMBLE)
            .read(b"+OK\r\n+OK\r\n")
            .write(b"*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n")
            .read(b"$5\r\nhello\r\n")
            .build();
        let value = tokio::time::timeout(BOUND, redis_get(conn, info))
            .await
            .expect("redis replay hung");
        assert_eq!(value, "hello");
        peer.finished().await.unwrap();
    }
}

// ---- secrets ----

const SECRET: &str = "s3cr3t-t0k3n-8a7f";

/// A client that authenticates with a bearer token and reads it echoed in
/// a session line; on a pipe that moves one byte per write.
fn record_secret_session() -> Tape {
    let (client, mut server) = PipeBuilder::new().max_write_len(1).build();
    let (conn, tape) = client.record();
    let mut conn = conn.record_reads();
    let server = std::thread::spawn(move || {
        let mut request = [0; 12 + SECRET.len() + 8];
        server.read_exact(&mut request).unwrap();
        server
            .write_all(format!("OK session for {SECRET}\n").as_bytes())
            .unwrap();
    });
    conn.write_all(format!("AUTH Bearer {SECRET}\r\nPING\r\n").as_bytes())
        .unwrap();
    // One byte per read, too.
    for _ in 0..15 + SECRET.len() + 1 {
        conn.read_exact(&mut [0; 1]).unwrap();
    }
    server.join().unwrap();
    assert_eq!(
        tape.events().len(),
        (12 + SECRET.len() + 8) + (15 + SECRET.len() + 1),
        "one event per byte"
    );
    tape
}

/// The environment is process-wide: tests that compare with golden files
/// hold this while they run.
static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn env_lock() -> std::sync::MutexGuard<'static, ()> {
    ENV.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn with_update<T>(f: impl FnOnce() -> T) -> T {
    std::env::set_var("PIPETAP_UPDATE", "1");
    std::env::remove_var("CI");
    let out = f();
    std::env::remove_var("PIPETAP_UPDATE");
    out
}

#[test]
fn a_redacted_secret_never_appears_in_any_file_written_from_the_tape() {
    let _env = env_lock();
    let tape = record_secret_session();
    tape.redact("token", SECRET);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.tape");
    tape.save(&saved).unwrap();
    let golden = dir.path().join("golden/auth.tape");
    // Writes the golden file (and its folder), then refreshes a changed one.
    with_update(|| tape.assert_matches_file(&golden));
    std::fs::write(
        &golden,
        "pipetap-tape v1\n> \"AUTH Bearer something else\\r\\n\"\n",
    )
    .unwrap();
    with_update(|| tape.assert_matches_file(&golden));
    for path in [&saved, &golden] {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.contains(SECRET), "{}:\n{text}", path.display());
        // Not even cut over two lines.
        let joined: String = text
            .lines()
            .map(|l| l.trim().trim_start_matches("> ").trim_start_matches("< "))
            .map(|l| l.trim_matches('"'))
            .collect();
        assert!(!joined.contains(SECRET), "{joined}");
        assert!(text.contains("{{token}}"), "{text}");
    }
    // The golden file matches the tape it came from, holes and all, and
    // replays with the secret bound.
    tape.assert_matches_file(&golden);
    let (mut conn, peer) = Script::from_file(&saved)
        .unwrap()
        .bind("token", SECRET)
        .build();
    conn.write_all(format!("AUTH Bearer {SECRET}\r\nPING\r\n").as_bytes())
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, format!("OK session for {SECRET}\n"));
    peer.finish();
}

#[test]
fn a_golden_update_keeps_the_files_holes_where_the_new_bytes_fit() {
    let _env = env_lock();
    let dir = tempfile::tempdir().unwrap();
    let golden = dir.path().join("nonce.tape");
    std::fs::write(
        &golden,
        "pipetap-tape v2\n> \"HELLO {{_:8}}\\r\\n\"\n< \"WELCOME\\r\\n\"\n> \"NAME {{who}}\\r\\n\"\n",
    )
    .unwrap();
    let session = |nonce: &str, welcome: &str| {
        let (mut conn, tape) = Vec::new().record();
        conn.write_all(format!("HELLO {nonce}\r\n").as_bytes())
            .unwrap();
        tape_read(&tape, welcome);
        conn.write_all(b"NAME alice\r\n").unwrap();
        tape
    };
    // Another nonce fits the file: it passes, and an update writes nothing.
    let tape = session("0badcafe", "WELCOME\r\n");
    tape.assert_matches_file(&golden);
    // A changed reply: the update rewrites that turn, and keeps the others'
    // holes (the new nonce is not written).
    let tape = session("12345678", "WELCOME BACK\r\n");
    let err = tape
        .try_assert_matches_file(&golden)
        .unwrap_err()
        .to_string();
    assert!(err.contains("turn 2"), "{err}");
    with_update(|| tape.assert_matches_file(&golden));
    let text = std::fs::read_to_string(&golden).unwrap();
    assert!(text.contains(r#"> "HELLO {{_:8}}\r\n""#), "{text}");
    assert!(text.contains(r#"< "WELCOME BACK\r\n""#), "{text}");
    assert!(text.contains(r#"> "NAME {{who}}\r\n""#), "{text}");
    assert!(
        !text.contains("12345678") && !text.contains("alice"),
        "{text}"
    );
    tape.assert_matches_file(&golden);
    // A turn that does not fit its template fails naming it.
    let tape = session("short", "WELCOME BACK\r\n");
    let err = tape
        .try_assert_matches_file(&golden)
        .unwrap_err()
        .to_string();
    assert!(err.contains("turn 1"), "{err}");
    assert!(err.contains("does not fit the file's template"), "{err}");
}

/// Records `bytes` as one read on `tape` (through a recording of a reader).
fn tape_read(tape: &Tape, bytes: &str) {
    let mut reader = pipetap::Recording::with_tape(bytes.as_bytes(), tape.clone()).record_reads();
    let mut sink = Vec::new();
    reader.read_to_end(&mut sink).unwrap();
}
