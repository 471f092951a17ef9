//! `MultiWriter`'s own `write_all` (a plain loop over the writers while each
//! takes the whole buffer, the round state machine for anything else) must
//! behave exactly as std's default `write_all` over `MultiWriter::write`:
//! the same result, the same bytes in every writer, the same bytes held, and
//! the same outcome of the flush after it, whatever the writers answer.

mod support;

use std::io::{self, ErrorKind, Write};

use pipetap::MultiWriter;
use proptest::prelude::*;

/// One answer of a scripted writer to one `write` call.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    /// Takes the whole buffer.
    All,
    /// Takes at most this many bytes (at least 1).
    Short(usize),
    /// Takes nothing and says `Ok(0)`.
    Zero,
    /// Claims one byte more than it was offered.
    TooMany,
    Interrupted,
    WouldBlock,
    Fails,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => Just(Answer::All),
        3 => (1usize..8).prop_map(Answer::Short),
        1 => Just(Answer::Zero),
        1 => Just(Answer::TooMany),
        2 => Just(Answer::Interrupted),
        2 => Just(Answer::WouldBlock),
        1 => Just(Answer::Fails),
    ]
}

/// A writer that answers from its script, then takes everything.
#[derive(Clone, Debug, Default, PartialEq)]
struct Scripted {
    script: Vec<Answer>,
    next: usize,
    got: Vec<u8>,
    flushes: usize,
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let answer = self.script.get(self.next).copied().unwrap_or(Answer::All);
        self.next += 1;
        match answer {
            Answer::All => {
                self.got.extend_from_slice(buf);
                Ok(buf.len())
            }
            Answer::Short(n) => {
                let n = n.min(buf.len());
                self.got.extend_from_slice(&buf[..n]);
                Ok(n)
            }
            Answer::Zero => Ok(0),
            Answer::TooMany => Ok(buf.len() + 1),
            Answer::Interrupted => Err(ErrorKind::Interrupted.into()),
            Answer::WouldBlock => Err(ErrorKind::WouldBlock.into()),
            Answer::Fails => Err(io::Error::other("scripted failure")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

/// `MultiWriter` seen through `write` alone, so `write_all` is std's default.
struct DefaultWriteAll(MultiWriter<Scripted>);

impl Write for DefaultWriteAll {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// What one run leaves behind: each `write_all`'s result kind, then the
/// flush's, the bytes held, and every writer's state.
type Outcome = (
    Vec<Option<ErrorKind>>,
    Option<ErrorKind>,
    usize,
    Vec<Scripted>,
);

fn kind(r: io::Result<()>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

/// Runs the `write_all`s through `MultiWriter`'s own (`default` false) or
/// std's default loop.
fn run(scripts: &[Vec<Answer>], bufs: &[Vec<u8>], default: bool) -> Outcome {
    let writers = scripts.iter().map(|s| Scripted {
        script: s.clone(),
        ..Scripted::default()
    });
    let mut mw = DefaultWriteAll(MultiWriter::new(writers));
    let results = bufs
        .iter()
        .map(|b| {
            kind(if default {
                mw.write_all(b)
            } else {
                mw.0.write_all(b)
            })
        })
        .collect();
    let flushed = kind(mw.flush());
    let held = mw.0.held_len();
    (results, flushed, held, mw.0.into_inner())
}

proptest! {
    #![proptest_config(support::proptest_config(512))]

    #[test]
    fn write_all_matches_the_default_loop(
        scripts in prop::collection::vec(prop::collection::vec(answer(), 0..6), 0..4),
        bufs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 1..4),
    ) {
        prop_assert_eq!(run(&scripts, &bufs, false), run(&scripts, &bufs, true));
    }
}

#[test]
fn every_writer_taking_everything_gets_every_byte() {
    let mut mw = MultiWriter::new(vec![Vec::new(), Vec::new(), Vec::new()]);
    mw.write_all(b"one ").unwrap();
    mw.write_all(b"").unwrap();
    mw.write_all(b"two").unwrap();
    for w in mw.get_ref() {
        assert_eq!(w, b"one two");
    }
}

#[test]
fn a_later_writer_that_blocks_holds_the_round_and_flush_delivers_it() {
    let blocks_once = Scripted {
        script: vec![Answer::WouldBlock],
        ..Scripted::default()
    };
    let mut mw = MultiWriter::new(vec![Scripted::default(), blocks_once]);
    mw.write_all(b"held").unwrap();
    assert_eq!(mw.held_len(), 4);
    mw.flush().unwrap();
    assert_eq!(mw.held_len(), 0);
    for w in mw.get_ref() {
        assert_eq!(w.got, b"held");
    }
}
