//! tokio-util codecs (`Framed` with `LinesCodec` and `LengthDelimitedCodec`)
//! over pipetap pipes, with every frame split across many small writes and
//! reads. A codec that only worked when one read is one frame would fail here.
//!
//! The sending side is recorded (`pipetap::RecordExt::record()`) so the wire
//! format and the write framing can be checked too.
#![cfg(feature = "tokio")]

mod support;

use std::io::Write;

use bytes::{Bytes, BytesMut};
use futures::{SinkExt, StreamExt};
use pipetap::{PipeBuilder, PipeEnd, RecordExt};
use tokio_util::codec::{Framed, FramedRead, LengthDelimitedCodec, LinesCodec};

/// Every write accepts at most 3 bytes, every read returns at most 2.
fn slivers() -> (PipeEnd, PipeEnd) {
    PipeBuilder::new().max_write_len(3).max_read_len(2).build()
}

/// `Framed<_, LinesCodec>` on both ends; the pipe cuts every line into 3-byte
/// writes and 2-byte reads. Lines arrive whole and in order, both ways.
#[test]
fn lines_codec_round_trip_through_short_writes_and_reads() {
    support::tokio_watchdog(|| async {
        let (a, b) = slivers();
        let (a, tape) = a.record();
        let mut client = Framed::new(a, LinesCodec::new());
        let mut server = Framed::new(b, LinesCodec::new());

        let lines: Vec<String> = vec![
            "HELLO pipetap".into(),
            String::new(),
            "a much longer line ".repeat(20),
            "BYE".into(),
        ];

        let sender = async {
            for line in &lines {
                client.send(line.as_str()).await.unwrap();
            }
            client
        };
        let receiver = async {
            let mut got = Vec::new();
            for _ in 0..lines.len() {
                let line = server.next().await.expect("a line").unwrap();
                // Answer each line, so frames also cross the other way.
                server.send(format!("ok {}", line.len())).await.unwrap();
                got.push(line);
            }
            (server, got)
        };
        let (mut client, (_server, got)) = tokio::join!(sender, receiver);
        assert_eq!(got, lines);

        for line in &lines {
            let reply = client.next().await.expect("a reply").unwrap();
            assert_eq!(reply, format!("ok {}", line.len()));
        }

        // On the wire: exactly the lines, newline-terminated, in writes of at
        // most 3 bytes (the pipe's short writes, which Framed looped over).
        let expected: String = lines.iter().map(|l| format!("{l}\n")).collect();
        tape.assert_written(&expected);
        let writes = tape.writes();
        assert!(writes.iter().all(|w| (1..=3).contains(&w.len())));
        // `send` flushes each line, so no write straddles two lines.
        let per_line: usize = lines.iter().map(|l| (l.len() + 1).div_ceil(3)).sum();
        assert_eq!(writes.len(), per_line);
    });
}

/// A blocking thread dribbles raw bytes, 1 to 4 at a time, into one end
/// (std `Write`); async `FramedRead<_, LinesCodec>` on the other end
/// reassembles the lines: `\r\n` and `\n` endings, a line split anywhere, and
/// an unterminated last line delivered at end-of-stream.
#[test]
fn lines_codec_reassembles_bytes_dribbled_from_a_blocking_thread() {
    support::tokio_watchdog(|| async {
        let (mut raw, framed_end) = PipeBuilder::new().max_read_len(2).build();
        let wire = b"GET /a\r\nPUT /bb\nDELETE /ccc\r\n\r\nunterminated".to_vec();
        let writer = std::thread::spawn(move || {
            let mut rest = &wire[..];
            let mut step = 0;
            while !rest.is_empty() {
                let n = (step % 4 + 1).min(rest.len());
                raw.write_all(&rest[..n]).unwrap();
                rest = &rest[n..];
                step += 1;
                std::thread::yield_now();
            }
            // Dropping `raw` is end-of-stream for the reader.
        });

        let lines: Vec<String> = FramedRead::new(framed_end, LinesCodec::new())
            .map(Result::unwrap)
            .collect()
            .await;
        writer.join().unwrap();
        assert_eq!(
            lines,
            ["GET /a", "PUT /bb", "DELETE /ccc", "", "unterminated"]
        );
    });
}

/// `Framed<_, LengthDelimitedCodec>` both ways, frames of 0 bytes to 10 KiB
/// through 3-byte writes and 2-byte reads. The recorded wire is exactly a
/// 4-byte big-endian length then the payload, per frame.
#[test]
fn length_delimited_round_trip_through_short_writes_and_reads() {
    support::tokio_watchdog(|| async {
        let (a, b) = slivers();
        let (a, tape) = a.record();
        let mut client = Framed::new(a, LengthDelimitedCodec::new());
        let mut server = Framed::new(b, LengthDelimitedCodec::new());

        let frames: Vec<Bytes> = [0usize, 1, 2, 3, 4, 5, 255, 256, 1000, 10 * 1024]
            .iter()
            .enumerate()
            .map(|(i, &n)| Bytes::from(support::seeded_bytes(i as u64 + 1, n)))
            .collect();

        let sender = async {
            for frame in &frames {
                client.send(frame.clone()).await.unwrap();
            }
            client
        };
        let echo = async {
            for _ in 0..frames.len() {
                let frame = server.next().await.expect("a frame").unwrap();
                server.send(frame.freeze()).await.unwrap();
            }
            server
        };
        let (mut client, _server) = tokio::join!(sender, echo);

        for frame in &frames {
            let back: BytesMut = client.next().await.expect("an echoed frame").unwrap();
            assert_eq!(back, frame.as_ref());
        }

        let mut expected = Vec::new();
        for frame in &frames {
            expected.extend_from_slice(&(frame.len() as u32).to_be_bytes());
            expected.extend_from_slice(frame);
        }
        tape.assert_written(&expected);
        assert!(tape.writes().iter().all(|w| w.len() <= 3));
    });
}

/// Raw length-prefixed bytes written from an async task a few bytes at a time
/// (with a yield between, so the reader sees every partial state: half a
/// header, a header without its payload, a payload split mid-way, two frames
/// in one chunk). `FramedRead<_, LengthDelimitedCodec>` yields exactly the
/// frames, then ends cleanly at end-of-stream.
#[test]
fn length_delimited_decodes_bytes_written_a_few_at_a_time() {
    support::tokio_watchdog(|| async {
        let (mut raw, framed_end) = PipeBuilder::new().max_read_len(2).build();
        let frames: Vec<Vec<u8>> = vec![
            b"first".to_vec(),
            Vec::new(),
            b"x".to_vec(),
            support::seeded_bytes(9, 700),
            b"last".to_vec(),
        ];
        let mut wire = Vec::new();
        for frame in &frames {
            wire.extend_from_slice(&(frame.len() as u32).to_be_bytes());
            wire.extend_from_slice(frame);
        }

        let writer = tokio::spawn(async move {
            for (i, chunk) in wire.chunks(3).enumerate() {
                // Alternate single-byte writes with 3-byte ones.
                if i % 2 == 0 {
                    for byte in chunk {
                        tokio::io::AsyncWriteExt::write_all(&mut raw, std::slice::from_ref(byte))
                            .await
                            .unwrap();
                    }
                } else {
                    tokio::io::AsyncWriteExt::write_all(&mut raw, chunk)
                        .await
                        .unwrap();
                }
                tokio::task::yield_now().await;
            }
            tokio::io::AsyncWriteExt::shutdown(&mut raw).await.unwrap();
            raw
        });

        let got: Vec<BytesMut> = FramedRead::new(framed_end, LengthDelimitedCodec::new())
            .map(Result::unwrap)
            .collect()
            .await;
        let _raw = writer.await.unwrap();
        assert_eq!(got.len(), frames.len());
        for (got, want) in got.iter().zip(&frames) {
            assert_eq!(got.as_ref(), want.as_slice());
        }
    });
}
