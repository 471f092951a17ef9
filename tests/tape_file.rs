//! Tape files: the text format reads naturally, round-trips any bytes and
//! event boundaries exactly, and a malformed file names its line.

mod support;

use std::io::ErrorKind;

use bytes::Bytes;
use pipetap::{Event, Tape};
use proptest::prelude::*;

/// A file in a temporary folder of its own, removed when it is dropped.
fn temp(name: &str) -> support::temp::TempFile {
    support::temp::temp_file(name)
}

fn tape_of(events: &[(bool, Vec<u8>)]) -> Tape {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = temp(&format!("build-{n}.tape"));
    // Build through the public format: write by hand, load.
    let mut text = String::from("pipetap-tape v1\n");
    for (write, bytes) in events {
        text.push_str(if *write { "> \"" } else { "< \"" });
        for &b in bytes {
            text.push_str(&format!("\\x{b:02x}"));
        }
        text.push_str("\"\n");
    }
    std::fs::write(&path, text).unwrap();
    Tape::load(&path).unwrap()
}

#[test]
fn an_http_exchange_reads_line_by_line() {
    let tape = tape_of(&[
        (true, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n".to_vec()),
        (
            false,
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n".to_vec(),
        ),
        (false, b"hi".to_vec()),
    ]);
    let path = temp("http.tape");
    tape.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "pipetap-tape v1\n\
         # > bytes the recorded side wrote, < bytes it read; one event per > or < line\n\
         > \"GET / HTTP/1.1\\r\\n\"\n\
         \x20 \"Host: example\\r\\n\"\n\
         \x20 \"\\r\\n\"\n\
         < \"HTTP/1.1 200 OK\\r\\n\"\n\
         \x20 \"content-length: 2\\r\\n\"\n\
         \x20 \"\\r\\n\"\n\
         < \"hi\"\n"
    );
}

#[test]
fn binary_wraps_at_sixteen_bytes_a_line() {
    let record: Vec<u8> = (0u8..40).collect();
    let tape = tape_of(&[(true, record)]);
    let path = temp("binary.tape");
    tape.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("> \"\\x00\\x01"), "{text}");
    assert_eq!(
        lines[1],
        "  \"\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f\""
    );
    assert_eq!(
        lines[2], "  \" !\\\"#$%&'\"",
        "printable bytes as is, quotes escaped"
    );
}

#[test]
fn comments_blank_lines_and_continuations_are_read() {
    let path = temp("hand.tape");
    std::fs::write(
        &path,
        "# written by hand\n\npipetap-tape v1\n> \"EHLO\"\n  # a comment inside\n  \" me\\r\\n\"  \n< \"250\\tok\\\\\"\n",
    )
    .unwrap();
    let tape = Tape::load(&path).unwrap();
    assert_eq!(
        tape.events(),
        vec![
            Event::Write(Bytes::from_static(b"EHLO me\r\n")),
            Event::Read(Bytes::from_static(b"250\tok\\")),
        ]
    );
}

#[test]
fn malformed_files_name_their_line() {
    let cases: &[(&str, &str)] = &[
        ("", "line 1: the header `pipetap-tape v1` is missing"),
        (
            "pipetap-tape v3\n",
            "line 1: unsupported format version \"v3\"",
        ),
        (
            "pipetap-tape v2\n> \"GET \"\n  \"/{{path HTTP/1.1\"\n",
            "line 3: malformed hole: a `{{` opens a hole that no `}}` closes",
        ),
        (
            "pipetap-tape v2\n< \"{{a b}}\"\n",
            "line 2: malformed hole: the hole `{{a b}}` has byte ' ' in its name",
        ),
        ("hello\n", "line 1: expected the header `pipetap-tape v1`"),
        (
            "pipetap-tape v1\n> \"ok\"\n> \"bad\\q\"\n",
            "line 3: column 7: unknown escape `\\q`",
        ),
        (
            "pipetap-tape v1\n> \"\\x4\"\n",
            "line 2: column 4: `\\x` needs two hex digits",
        ),
        (
            "pipetap-tape v1\n> \"a\"b\"\n",
            "line 2: column 5: a `\"` inside the string must be escaped",
        ),
        (
            "pipetap-tape v1\n> \"no end\n",
            "line 2: expected a quoted string",
        ),
        (
            "pipetap-tape v1\n  \"orphan\"\n",
            "line 2: a continuation line before any `>` or `<` event",
        ),
        ("pipetap-tape v1\n= \"x\"\n", "line 2: expected `> \"...\"`"),
        (
            "pipetap-tape v1\n> \"tab\there\"\n",
            "line 2: column 7: byte 0x09 must be escaped as `\\x09`",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = temp(&format!("bad{i}.tape"));
        std::fs::write(&path, text).unwrap();
        let err = Tape::load(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData, "{text:?}");
        assert!(err.to_string().contains(want), "{text:?}: {err}");
        assert!(
            err.to_string().contains(&*path.display().to_string()),
            "{err}"
        );
    }
    let path = temp("latin1.tape");
    std::fs::write(&path, b"pipetap-tape v1\n> \"\xe9\"\n").unwrap();
    assert_eq!(
        Tape::load(&path).unwrap_err().kind(),
        ErrorKind::InvalidData
    );
    assert_eq!(
        Tape::load(temp("missing.tape")).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

fn event() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..200),
        // Text-like: lines, escapes, quotes, long runs that wrap.
        proptest::collection::vec(
            prop_oneof![
                Just(b'\r'),
                Just(b'\n'),
                Just(b'"'),
                Just(b'\\'),
                Just(b' '),
                0x20u8..0x7f
            ],
            1..300
        ),
    ];
    (any::<bool>(), bytes)
}

proptest! {
    #![proptest_config(support::proptest_config(128))]

    #[test]
    fn round_trip_is_exact(events in proptest::collection::vec(event(), 0..12)) {
        let tape = tape_of(&events);
        let path = temp("prop.tape");
        tape.save(&path).unwrap();
        let back = Tape::load(&path).unwrap();
        prop_assert_eq!(back.events(), tape.events());
        let want: Vec<Event> = events
            .iter()
            .map(|(w, b)| if *w { Event::Write(Bytes::from(b.clone())) } else { Event::Read(Bytes::from(b.clone())) })
            .collect();
        prop_assert_eq!(back.events(), want);
        // Every line of the file is printable ASCII.
        let text = std::fs::read_to_string(&path).unwrap();
        prop_assert!(text.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b)));
    }
}

const SECRET: &[u8] = b"hunter2";

/// Turns that alternate direction, from an alphabet with braces, quotes,
/// NUL runs (which `holes_by` marks) and the secret (which is redacted),
/// each split into events at the given points.
/// Whether the first turn is written, and each turn's bytes and cuts.
type Turns = (bool, Vec<(Vec<u8>, Vec<usize>)>);

fn holed_turns() -> impl Strategy<Value = Turns> {
    let symbol = prop_oneof![
        Just(&b"{"[..]),
        Just(&b"}"[..]),
        Just(&b"{{"[..]),
        Just(&b"a"[..]),
        Just(&b"\n"[..]),
        Just(&b"\""[..]),
        Just(&b"\x00\x00"[..]),
        Just(&b"\xff"[..]),
        Just(SECRET),
    ];
    let turn = (
        proptest::collection::vec(symbol, 1..12).prop_map(|s| s.concat()),
        proptest::collection::vec(0usize..100, 0..3),
    );
    (any::<bool>(), proptest::collection::vec(turn, 1..8))
}

/// The NUL runs of a turn.
fn nul_runs(turn: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < turn.len() {
        if turn[i] == 0 {
            let start = i;
            while i < turn.len() && turn[i] == 0 {
                i += 1;
            }
            runs.push(start..i);
        } else {
            i += 1;
        }
    }
    runs
}

proptest! {
    #![proptest_config(support::proptest_config(64))]

    /// With holes: the file saves and loads back to the same text, holds
    /// no secret, and replays the recorded exchange with the secret bound.
    #[test]
    fn round_trip_with_holes((first_write, turns) in holed_turns()) {
        let mut events = Vec::new();
        for (i, (bytes, cuts)) in turns.iter().enumerate() {
            let write = first_write ^ (i % 2 == 1);
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % bytes.len()).filter(|&c| c > 0).collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut at = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                events.push((write, bytes[at..cut].to_vec()));
                at = cut;
            }
        }
        let tape = tape_of(&events);
        tape.redact("secret", SECRET).holes_by(nul_runs);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("holes.tape");
        tape.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        prop_assert!(!text.contains("hunter2"), "{}", text);
        let back = Tape::load(&path).unwrap();
        let again = dir.path().join("again.tape");
        back.save(&again).unwrap();
        prop_assert_eq!(std::fs::read_to_string(&again).unwrap(), text.clone());

        // Replay: the code writes what was written, reads what was read.
        let (mut conn, peer) = pipetap::Script::from_file(&path)
            .unwrap()
            .bind("secret", SECRET)
            .build();
        use std::io::{Read, Write};
        for (i, (bytes, _)) in turns.iter().enumerate() {
            if first_write ^ (i % 2 == 1) {
                conn.write_all(bytes).unwrap();
            } else {
                let mut got = vec![0; bytes.len()];
                conn.read_exact(&mut got).unwrap();
                prop_assert_eq!(&got, bytes);
            }
        }
        drop(conn);
        peer.try_finish_within(std::time::Duration::from_secs(10)).unwrap();
    }
}
