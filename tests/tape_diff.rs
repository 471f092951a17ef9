//! The tape's mismatch messages: an aligned diff that lists every differing
//! region, shows short sides whole and always has an escaped-text line.

use std::io::Write;

use pipetap::{RecordExt, Tape};

/// A length-prefixed LOGIN message: a 4-byte big-endian length, then the body
/// with the user name at offset 34.
fn login(name: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&[0x00, 0x01, 0x00, 0x10]); // version 1, LOGIN
    body.extend_from_slice(&[0x5e, 0x2b, 0x91, 0x07, 0, 0, 0, 0]); // request id, flags
    body.extend_from_slice(b"user-agent=pt/0.1\0");
    body.extend_from_slice(name);
    body.extend_from_slice(b"\0\x01\x00ttl=30\0");
    let mut message = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    message
}

/// A tape holding `chunks`, one write each.
fn tape_of(chunks: &[&[u8]]) -> Tape {
    let (mut conn, tape) = Vec::new().record();
    for chunk in chunks {
        conn.write_all(chunk).unwrap();
    }
    tape
}

#[test]
fn binary_message_differing_in_its_length_and_a_shifted_name() {
    let sent = login(b"bob");
    let tape = tape_of(&[&sent[..4], &sent[4..]]);
    let message = tape.try_assert_written(login(b"alice")).unwrap_err();
    let expected = r#"written bytes differ from the expected bytes
  expected: 49 bytes, actual: 47 bytes (2 writes)
  first difference at offset 3, in write #0 at offset 3 of that write
  expected byte 0x2d ('-'), actual byte 0x2b ('+')
  2 differing regions (aligned: inserted or deleted bytes shift the rest):
    1. offset 3: expected 1 byte "-", actual 1 byte "+"; write #0 at offset 3
    2. offset 34: expected 5 bytes "alice", actual 3 bytes "bob"; write #1 at offset 30

            offset    hex                                               |ascii|
  expected  00000000  00 00 00 2d 00 01 00 10  5e 2b 91 07 00 00 00 00  |...-....^+......|
                               ^^                                           ^
  actual    00000000  00 00 00 2b 00 01 00 10  5e 2b 91 07 00 00 00 00  |...+....^+......|
                               ^^                                           ^
  expected  00000010  75 73 65 72 2d 61 67 65  6e 74 3d 70 74 2f 30 2e  |user-agent=pt/0.|
  actual    00000010  75 73 65 72 2d 61 67 65  6e 74 3d 70 74 2f 30 2e  |user-agent=pt/0.|
  expected  00000020  31 00 61 6c 69 63 65 00  01 00 74 74 6c 3d 33 30  |1.alice...ttl=30|
                            ^^ ^^ ^^ ^^ ^^                                 ^^^^^
  actual    00000020  31 00 62 6f 62 00 01 00  74 74 6c 3d 33 30 00     |1.bob...ttl=30. |
                            ^^ ^^ ^^                                       ^^^
  expected  00000030  00                                                |.               |

  expected (text): "\0\0\0-\0\x01\0\x10^+\x91\x07\0\0\0\0user-agent=pt/0.1\0alice\0\x01\0ttl=30\0"
  actual   (text): "\0\0\0+\0\x01\0\x10^+\x91\x07\0\0\0\0user-agent=pt/0.1\0bob\0\x01\0ttl=30\0""#;
    assert_eq!(message.to_string(), expected, "\n{message}");
    // The panicking assertion prints the same text.
    let panic = std::panic::catch_unwind(|| tape.assert_written(login(b"alice"))).unwrap_err();
    assert_eq!(panic.downcast_ref::<String>().unwrap(), expected);
}

#[test]
fn an_insertion_shifts_nothing_after_it() {
    let tape = tape_of(&[b"HELLO, ", b"big world\r\n"]);
    let message = tape
        .try_assert_written("HELLO, world\r\n")
        .unwrap_err()
        .to_string();
    assert!(message.contains("1 differing region"), "{message}");
    assert!(
        message.contains(r#"1. offset 7: 4 bytes extra "big "; write #1 at offset 0"#),
        "{message}"
    );
    let message = tape
        .try_assert_written("HELLO, big bad world\r\n")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(r#"1. offset 11: 4 bytes missing "bad "; write #1 at offset 4"#),
        "{message}"
    );
}

#[test]
fn many_regions_are_listed_up_to_a_limit() {
    let expected: Vec<u8> = (0..2000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut actual = expected.clone();
    for region in 0..12 {
        actual[100 + region * 150] = b'#';
    }
    let tape = tape_of(&[&actual]);
    let message = tape.try_assert_written(&expected).unwrap_err().to_string();
    assert!(message.contains("12 differing regions"), "{message}");
    assert!(message.contains("    8. offset 1150: "), "{message}");
    assert!(!message.contains("    9. offset"), "{message}");
    assert!(message.contains("... and 4 more regions"), "{message}");
    // One hex window per listed region, none for the rest.
    assert_eq!(message.matches("|ascii|").count(), 8, "{message}");
    assert!(message.contains("00000470"), "{message}"); // around offset 1150
    assert!(!message.contains("00000500  "), "{message}"); // around offset 1300
}

#[test]
fn nearby_regions_share_one_hex_window() {
    let expected = "x".repeat(300) + "one two three" + &"y".repeat(300);
    let actual = "x".repeat(300) + "uno two tres" + &"y".repeat(300);
    let tape = tape_of(&[actual.as_bytes()]);
    let message = tape.try_assert_written(&expected).unwrap_err().to_string();
    assert!(message.contains("2 differing regions"), "{message}");
    assert!(
        message.contains(r#"expected 3 bytes "one", actual 3 bytes "uno""#),
        "{message}"
    );
    assert!(
        message.contains(r#"offset 309: expected 4 bytes "hree", actual 3 bytes "res""#),
        "{message}"
    );
    assert_eq!(message.matches("|ascii|").count(), 1, "{message}");
}

#[test]
fn short_sides_are_shown_whole_and_long_ones_cut() {
    let short = tape_of(&[&[b'a'; 256]]);
    let message = short
        .try_assert_written([b'b'; 256])
        .unwrap_err()
        .to_string();
    assert!(message.contains("000000f0  "), "{message}");
    assert!(!message.contains("showing"), "{message}");
    let long = tape_of(&[&[b'a'; 257]]);
    let mut expected = [b'a'; 257];
    expected[0] = b'b';
    let message = long.try_assert_written(expected).unwrap_err().to_string();
    assert!(!message.contains("000000f0  "), "{message}");
    assert!(
        message.contains("(257 bytes in all, showing 0..64)"),
        "{message}"
    );
}

#[test]
fn assert_writes_aligns_the_first_differing_write() {
    let tape = tape_of(&[b"GET", b" /index.html HTTP/1.1\r\n"]);
    let message = tape
        .try_assert_writes(["GET", " /inde.html HTTP/1.0\r\n"])
        .unwrap_err()
        .to_string();
    assert!(message.contains("first differing write: #1"), "{message}");
    assert!(message.contains("2 differing regions"), "{message}");
    assert!(message.contains(r#": 1 byte extra "x""#), "{message}");
    assert!(
        message.contains(r#"expected 1 byte "0", actual 1 byte "1""#),
        "{message}"
    );
    assert!(
        message.contains(r#"expected (text): " /inde.html HTTP/1.0\r\n""#),
        "{message}"
    );
}
