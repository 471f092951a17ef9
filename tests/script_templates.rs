//! Templates in scripts: holes that match as a stream, values carried over
//! into replies, `respond`, `bind`, and the messages and panics.

use std::io::{Read, Write};
use std::time::Duration;

use pipetap::{PipeBuilder, Script, ScriptErrorKind};
use proptest::prelude::*;

const BOUND: Duration = Duration::from_secs(10);

/// Writes `bytes` in pieces of the given sizes (cycled).
fn write_in(conn: &mut pipetap::PipeEnd, bytes: &[u8], sizes: &[usize]) {
    let mut at = 0;
    let mut i = 0;
    while at < bytes.len() {
        let n = sizes[i % sizes.len()].max(1).min(bytes.len() - at);
        conn.write_all(&bytes[at..at + n]).unwrap();
        at += n;
        i += 1;
    }
}

/// A JSON-RPC-style client: random ids, and it checks that each reply
/// carries its request's id.
fn rpc_client(conn: pipetap::PipeEnd, calls: usize, seed: u64) -> std::io::Result<()> {
    let mut conn = std::io::BufReader::new(conn);
    let mut state = seed | 1;
    for _ in 0..calls {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let id = state % 1_000_000_000;
        writeln!(
            conn.get_mut(),
            r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#
        )?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut conn, &mut line)?;
        let want = format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"pong\"}}\n");
        if line != want {
            return Err(std::io::Error::other(format!("reply {line:?} for id {id}")));
        }
    }
    Ok(())
}

#[test]
fn json_rpc_ids_are_carried_into_the_replies() {
    for seed in [1, 2, 99] {
        let (conn, peer) = Script::new()
            .name("rpc")
            .write_template(r#"{"jsonrpc":"2.0","id":{{id1}},"method":"ping"}"#.to_owned() + "\n")
            .read_template(r#"{"jsonrpc":"2.0","id":{{id1}},"result":"pong"}"#.to_owned() + "\n")
            .write_template(r#"{"jsonrpc":"2.0","id":{{id2}},"method":"ping"}"#.to_owned() + "\n")
            .read_template(r#"{"jsonrpc":"2.0","id":{{id2}},"result":"pong"}"#.to_owned() + "\n")
            .build();
        pipetap::within(BOUND, move || rpc_client(conn, 2, seed)).unwrap();
        peer.finish();
    }
}

#[test]
fn json_rpc_replays_from_a_recorded_tape_with_its_ids_redacted() {
    // Record the client against a real server.
    let (client, server) = pipetap::pipe();
    let (conn, tape) = pipetap::RecordExt::record(client);
    let conn = conn.record_reads();
    let server = std::thread::spawn(move || {
        let mut server = std::io::BufReader::new(server);
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut server, &mut line).unwrap() > 0 {
            let id = line
                .split("\"id\":")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap();
            let id = id.to_owned();
            writeln!(
                server.get_mut(),
                r#"{{"jsonrpc":"2.0","id":{id},"result":"pong"}}"#
            )
            .unwrap();
            line.clear();
        }
    });
    pipetap::within(BOUND, || {
        let mut conn = conn;
        // Recording wraps the pipe; drive it through the same client code.
        let mut reader = std::io::BufReader::new(&mut conn);
        let mut ids = Vec::new();
        for id in [424242u64, 777] {
            writeln!(
                reader.get_mut(),
                r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#
            )?;
            let mut line = String::new();
            std::io::BufRead::read_line(&mut reader, &mut line)?;
            ids.push(line);
        }
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    server.join().unwrap();
    tape.redact("id1", "424242").redact("id2", "777");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpc.tape");
    tape.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("pipetap-tape v2\n"), "{text}");
    assert!(!text.contains("424242") && !text.contains("777"), "{text}");
    // Replay: new random ids each time.
    for seed in [5, 6] {
        let (conn, peer) = Script::from_file(&path).unwrap().build();
        pipetap::within(BOUND, move || rpc_client(conn, 2, seed)).unwrap();
        peer.finish();
    }
}

/// The script the stream tests run: an until-hole, an exact hole, a skip,
/// and the values echoed back.
fn stream_script() -> Script {
    Script::new()
        .write_template("GET /{{path}} HTTP/1.1\r\nX-Nonce: {{nonce:6}}{{_:2}}\r\n{{_}}\r\n\r\n")
        .read_template("path={{path}} nonce={{nonce}}\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// However the code splits its writes, and however small the pipe lets
    /// them be, each hole ends at the same byte.
    #[test]
    fn holes_end_at_the_same_byte_however_writes_split(
        path in "[a-z/]{0,40}",
        nonce in "[ -~]{6}",
        sizes in proptest::collection::vec(1usize..9, 1..6),
        one_byte in any::<bool>(),
    ) {
        let builder = if one_byte { PipeBuilder::new().max_write_len(1) } else { PipeBuilder::new() };
        let (mut conn, peer) = stream_script().build_with(builder);
        let request = format!("GET /{path} HTTP/1.1\r\nX-Nonce: {nonce}ab\r\nUser-Agent: x\r\n\r\n");
        let reply = pipetap::within(BOUND, move || {
            write_in(&mut conn, request.as_bytes(), &sizes);
            let mut reply = String::new();
            conn.read_to_string(&mut reply).unwrap();
            reply
        });
        prop_assert_eq!(reply, format!("path={path} nonce={nonce}\n"));
        peer.try_finish_within(BOUND).unwrap();
    }
}

#[test]
fn a_mismatch_names_the_template_the_holes_and_the_divergence() {
    let (mut conn, peer) = Script::new()
        .name("http")
        .write_template("GET /{{path}} HTTP/1.1\r\nHost: {{host}}\r\n")
        .build();
    conn.write_all(b"GET /index HTTP/1.1\r\nHost: a\r\nX")
        .unwrap();
    conn.write_all(b"GET /index HTTP/1.1\r\nHost: a\r\n").ok();
    let err = peer.try_finish_within(BOUND).unwrap_err();
    assert_eq!(err.kind(), ScriptErrorKind::Unexpected, "{err}");

    let (mut conn, peer) = Script::new()
        .name("http")
        .write_template("GET /{{path}} HTTP/1.1\r\nHost: {{host}}\r\n")
        .build();
    let _ = conn.write_all(b"GET /index HTTP/1.0\r\n");
    let io_error = conn.read(&mut [0; 1]).unwrap_err();
    assert!(
        io_error
            .to_string()
            .contains("at offset 18 of the step (18 of all bytes written)"),
        "{io_error}"
    );
    let err = peer.try_finish_within(BOUND).unwrap_err();
    assert_eq!(err.kind(), ScriptErrorKind::Mismatch);
    let message = err.to_string();
    for want in [
        r#"script "http" failed at step 1 of 1 (write_template "GET /{{path}} HTTP/1.1\r\nHost: {{host}}\r\n")"#,
        r#"{{path}}: kept "index" (5 bytes)"#,
        r#"{{host}}: kept nothing yet"#,
        r#"the literal part " HTTP/1.1\r\nHost: " diverged at its byte 8: offset 18 within the step, offset 18 of all bytes written"#,
        "expected byte 0x31, written byte 0x30",
    ] {
        assert!(message.contains(want), "missing {want:?} in:\n{message}");
    }
}

#[test]
fn a_value_kept_before_must_be_written_again_as_it_was() {
    let (mut conn, peer) = Script::new()
        .write_template("A {{x}};")
        .write_template("B {{x}};")
        .build();
    let _ = conn.write_all(b"A one;B onf;");
    let message = peer.try_finish_within(BOUND).unwrap_err().to_string();
    assert!(
        message.contains(r#"the value of {{x}} "one" diverged at its byte 2"#),
        "{message}"
    );
    assert!(message.contains("step 2 of 2"), "{message}");
}

#[test]
fn a_hole_without_its_delimiter_fails_at_64_kib_instead_of_stalling() {
    let (mut conn, peer) = Script::new().write_template("{{body}}\n").build();
    let writer = std::thread::spawn(move || {
        let chunk = [b'x'; 4096];
        for _ in 0..1000 {
            if conn.write_all(&chunk).is_err() {
                return true;
            }
        }
        false
    });
    let err = peer.try_finish_within(BOUND).unwrap_err();
    assert!(writer.join().unwrap(), "the code's writes should fail");
    let message = err.to_string();
    assert_eq!(err.kind(), ScriptErrorKind::Mismatch);
    assert!(
        message
            .contains("the hole {{body}} took 64 KiB without seeing the literal byte that ends it"),
        "{message}"
    );
    assert!(message.contains(r#"0x0a, the first of "\n""#), "{message}");
}

#[test]
fn respond_answers_a_challenge_computed_from_a_kept_nonce() {
    let (conn, peer) = Script::new()
        .name("challenge")
        .write_template("CHALLENGE {{nonce}}\r\n")
        .respond(|kept| {
            let nonce = kept.get("nonce").expect("kept before respond runs");
            let key = std::str::from_utf8(nonce).unwrap();
            format!(
                "PROOF {}\r\n",
                tungstenite::handshake::derive_accept_key(key.as_bytes())
            )
            .into_bytes()
        })
        .write(b"OK\r\n")
        .build();
    let nonce = format!(
        "{:016x}",
        (std::process::id() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let mut conn = std::io::BufReader::new(conn);
    let nonce2 = nonce.clone();
    let proof = pipetap::within(BOUND, move || {
        let nonce = nonce2;
        write!(conn.get_mut(), "CHALLENGE {nonce}\r\n").unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut conn, &mut line).unwrap();
        conn.get_mut().write_all(b"OK\r\n").unwrap();
        line
    });
    assert_eq!(
        proof,
        format!(
            "PROOF {}\r\n",
            tungstenite::handshake::derive_accept_key(nonce.as_bytes())
        )
    );
    peer.finish();
}

#[test]
fn a_panicking_respond_closure_fails_the_script_with_its_message() {
    let (mut conn, peer) = Script::new()
        .write_template("N {{n}}\n")
        .respond(|_| panic!("no key for this nonce"))
        .build();
    conn.write_all(b"N 1\n").unwrap();
    let message = peer.try_finish_within(BOUND).unwrap_err().to_string();
    assert!(message.contains("step 2 of 2 (respond)"), "{message}");
    assert!(message.contains("no key for this nonce"), "{message}");
}

#[test]
fn bound_values_match_exactly_and_may_end_a_template() {
    let (mut conn, peer) = Script::new()
        .write_template("AUTH {{token}}")
        .write_template("\r\n")
        .read_template("+OK {{user}}\r\n")
        .bind("token", "t0k3n with spaces")
        .bind("user", b"alice")
        .build();
    conn.write_all(b"AUTH t0k3n with spaces\r\n").unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "+OK alice\r\n");
    peer.finish();
}

#[test]
fn write_any_escapes_and_skips() {
    let (mut conn, peer) = Script::new()
        .write_any(4)
        .write_template("{{{{literal}} {{_}}!{{{x:2}}}")
        .read_template("[{{x}}]")
        .build();
    conn.write_all(b"\x00\xff\x01\x02{{literal}} anything!{ab}")
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "[ab]");
    peer.finish();
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).unwrap_err();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn malformed_templates_panic_at_build_time_naming_them() {
    type Case = (&'static str, fn() -> Script, &'static str);
    let cases: &[Case] = &[
        (
            "unclosed",
            || Script::new().write_template("GET /{{path HTTP"),
            r#"Script::write_template: malformed template "GET /{{path HTTP" at byte 5: a `{{` opens a hole that no `}}` closes"#,
        ),
        (
            "bad length",
            || Script::new().read_template("{{a:x}}"),
            "Script::read_template: malformed template \"{{a:x}}\" at byte 0: the hole `{{a:x}}` needs a length",
        ),
        (
            "nothing keeps",
            || Script::new().write(b"x").read_template("hello {{who}}"),
            "the hole {{who}} has no value to send: nothing keeps it in an earlier write_template, and Script::bind does not bind it",
        ),
        (
            "kept later",
            || {
                Script::new()
                    .read_template("{{id}}\n")
                    .write_template("{{id}}\n")
            },
            r#"Script::read_template "{{id}}\n": the hole {{id}} has no value to send"#,
        ),
        (
            "anonymous read",
            || Script::new().read_template("{{_:2}}"),
            "a `_` hole keeps nothing",
        ),
        (
            "ends the template",
            || Script::new().write_template("AUTH {{token}}"),
            r#"Script::write_template "AUTH {{token}}": the hole {{token}} ends the template"#,
        ),
        (
            "two holes",
            || Script::new().write_template("{{a}}{{b}};"),
            "the hole {{a}} is followed by another hole",
        ),
    ];
    for (what, script, want) in cases {
        let message = panic_message(|| {
            let (_conn, peer) = script().build();
            drop(peer);
        });
        assert!(message.contains(want), "{what}: {message}");
    }
}

#[test]
fn a_stalled_template_says_what_arrived() {
    let (mut conn, peer) = Script::new().write_template("HELLO {{name}}\n").build();
    conn.write_all(b"HELLO bo").unwrap();
    let err = peer
        .try_finish_within(Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(err.kind(), ScriptErrorKind::Stalled);
    let message = err.to_string();
    assert!(message.contains("wrote 8 bytes of the step"), "{message}");
    assert!(
        message.contains(r#"template: "HELLO {{name}}\n""#),
        "{message}"
    );
}
