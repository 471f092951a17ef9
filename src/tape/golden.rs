//! Golden transcripts: [`Tape::assert_matches_file`] compares a tape with a
//! tape file turn by turn; what it may write (`FILE.new` for review, or the
//! file under `PIPETAP_UPDATE`) is [`super::review`]'s.

use std::fmt::Write as _;
use std::path::Path;

use super::assert::Mismatch;
use super::file::FileEvent;
use super::holes::turns_of;
use super::review::{self, tell, Mode, UPDATE_VAR};
use super::{diff, file, Event, Tape};
use crate::template::{self, Kept, Piece};

/// One turn: adjacent events of one direction merged.
#[derive(PartialEq, Eq)]
struct Turn {
    write: bool,
    bytes: Vec<u8>,
}

fn turns(events: &[Event]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for event in events {
        let (write, bytes) = match event {
            Event::Write(b) => (true, b),
            Event::Read(b) => (false, b),
        };
        match out.last_mut() {
            Some(turn) if turn.write == write => turn.bytes.extend_from_slice(bytes),
            _ => out.push(Turn {
                write,
                bytes: bytes.to_vec(),
            }),
        }
    }
    out
}

fn side(write: bool) -> &'static str {
    if write {
        "written (>)"
    } else {
        "read (<)"
    }
}

/// A turn of a tape file: its pieces merged, and its bytes if it holds no
/// hole.
struct FileTurn {
    write: bool,
    pieces: Vec<Piece>,
    holes: bool,
}

fn file_turns(events: &[FileEvent]) -> Vec<FileTurn> {
    turns_of(events)
        .into_iter()
        .map(|turn| {
            let mut pieces: Vec<Piece> = Vec::new();
            for piece in turn.iter().flat_map(|e| &e.pieces) {
                match (piece, pieces.last_mut()) {
                    (Piece::Lit(b), Some(Piece::Lit(last))) => last.extend_from_slice(b),
                    _ => pieces.push(piece.clone()),
                }
            }
            let holes = pieces.iter().any(|p| matches!(p, Piece::Hole(_)));
            FileTurn {
                write: turn[0].write,
                pieces,
                holes,
            }
        })
        .collect()
}

impl FileTurn {
    /// The turn's bytes, as `compare` shows them (holes as their text).
    fn as_turn(&self) -> Turn {
        let mut bytes = Vec::new();
        match self.holes {
            false => {
                for piece in &self.pieces {
                    if let Piece::Lit(b) = piece {
                        bytes.extend_from_slice(b);
                    }
                }
            }
            true => bytes = template::render(&self.pieces),
        }
        Turn {
            write: self.write,
            bytes,
        }
    }
}

/// The difference between the file's turns and the tape's, if any. A turn
/// with holes is fitted to the tape's as `write_template` would match it,
/// names keeping their values across the file.
fn compare(files: &[FileTurn], actual: &[Turn]) -> Option<String> {
    let expected: Vec<Turn> = files.iter().map(FileTurn::as_turn).collect();
    let mut seen = Kept::new();
    let mut out = String::new();
    for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
        if files[i].holes && e.write == a.write {
            if let Err(misfit) = template::fit(&files[i].pieces, &a.bytes, &mut seen) {
                let _ = writeln!(
                    out,
                    "  turn {} ({} bytes) does not fit the file's template: {}, at offset {} of the tape's {} bytes",
                    i + 1,
                    side(e.write),
                    misfit.why,
                    misfit.at,
                    a.bytes.len()
                );
                let _ = writeln!(out, "  template: {}", diff::preview(&e.bytes, 160));
                let shown =
                    &a.bytes[misfit.at.saturating_sub(32)..a.bytes.len().min(misfit.at + 32)];
                let _ = writeln!(out, "  tape around there: {}", diff::preview(shown, 96));
                return Some(out);
            }
            continue;
        }
        if e.write != a.write {
            let _ = writeln!(
                out,
                "  turn {} of the file is {} bytes, but the tape's turn {} is {} bytes",
                i + 1,
                side(e.write),
                i + 1,
                side(a.write)
            );
            let _ = writeln!(out, "  file: {}", diff::preview(&e.bytes, 64));
            let _ = writeln!(out, "  tape: {}", diff::preview(&a.bytes, 64));
            return Some(out);
        }
        if e.bytes != a.bytes {
            let offset = diff::first_difference(&e.bytes, &a.bytes).unwrap_or(0);
            let _ = writeln!(
                out,
                "  turn {} ({} bytes) differs: file {} bytes, tape {} bytes, first difference at offset {offset}",
                i + 1,
                side(e.write),
                e.bytes.len(),
                a.bytes.len()
            );
            diff::explain(&mut out, &e.bytes, &a.bytes, None);
            return Some(out);
        }
    }
    if expected.len() != actual.len() {
        let _ = writeln!(
            out,
            "  the file has {} turns, the tape {}",
            expected.len(),
            actual.len()
        );
        let (longer, name) = if expected.len() > actual.len() {
            (&expected[..], "file")
        } else {
            (actual, "tape")
        };
        for (i, t) in longer
            .iter()
            .enumerate()
            .skip(expected.len().min(actual.len()))
            .take(4)
        {
            let _ = writeln!(
                out,
                "  only in the {name}: turn {} {} {}",
                i + 1,
                side(t.write),
                diff::preview(&t.bytes, 64)
            );
        }
        return Some(out);
    }
    None
}

impl Tape {
    /// What an update writes: the tape's file events, except that a turn
    /// whose new bytes fit the old file's turn with holes keeps that turn,
    /// so a refresh never writes a redacted secret or a nonce back.
    fn refreshed(&self, old: &[FileTurn], actual: &[Turn]) -> Vec<FileEvent> {
        let mut seen = Kept::new();
        let mut out = Vec::new();
        for (i, turn) in self.file_turns().into_iter().enumerate() {
            let keep = match (old.get(i), actual.get(i)) {
                (Some(o), Some(a)) if o.holes && o.write == a.write => {
                    template::fit(&o.pieces, &a.bytes, &mut seen).is_ok()
                }
                _ => false,
            };
            if keep {
                out.push(FileEvent {
                    write: old[i].write,
                    pieces: old[i].pieces.clone(),
                });
            } else {
                out.extend(turn);
            }
        }
        out
    }
}

impl Tape {
    /// Asserts that the tape matches the tape file at `path`, turn by turn:
    /// adjacent events of one direction are merged on both sides, because
    /// where reads and writes split depends on scheduling and fault knobs.
    ///
    /// A golden file changes through a review step, as insta's snapshots
    /// do:
    ///
    /// - **On a mismatch** (a differing, missing or malformed file) it
    ///   writes the run's transcript beside the golden file as `FILE.new`
    ///   (as an update would write it: holes kept where the new bytes fit
    ///   them, redacted values replaced) and fails. The message says how to
    ///   accept it (rename `FILE.new` to `FILE`, or rerun with
    ///   `PIPETAP_UPDATE=1`) and names every pending `.new` file this
    ///   process wrote, so a reviewer can diff them first.
    /// - **A passing test removes its stale `FILE.new`.**
    /// - **`PIPETAP_UPDATE=new`** writes only missing files (a differing
    ///   one still fails with its `FILE.new`); **`PIPETAP_UPDATE=1`** (or
    ///   `always`) writes missing and differing files. Either creates the
    ///   file's folders, says so on the process's real stderr (not the
    ///   captured test output), and passes.
    /// - **Where `CI` is set** (to anything but empty, `false` or `0`) it
    ///   never writes anything, neither `FILE.new` nor the file, whatever
    ///   `PIPETAP_UPDATE` says.
    ///
    /// Relative paths are relative to the current directory, which
    /// `cargo test` sets to the crate root.
    ///
    /// # Panics
    ///
    /// If the tape and the file differ (with the turn, the offset and the
    /// hex diff), if the file is missing or malformed (each time with the
    /// review step above), or if it cannot be read or written.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::RecordExt;
    ///
    /// let (client, mut server) = pipetap::pipe();
    /// let (conn, tape) = client.record();
    /// let mut conn = conn.record_reads();
    /// conn.write_all(b"PING\r\n")?;
    /// server.write_all(b"+PONG\r\n")?;
    /// conn.read_exact(&mut [0; 7])?;
    ///
    /// # std::env::remove_var("CI");
    /// # std::env::remove_var("PIPETAP_UPDATE");
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("ping.tape");
    /// // The first run has no golden file: it fails, leaving the transcript
    /// // in ping.tape.new for review.
    /// let err = tape.try_assert_matches_file(&path).unwrap_err().to_string();
    /// assert!(err.contains("for review; to accept it, rename it to ping.tape"));
    /// // The reviewer accepts it...
    /// std::fs::rename(dir.path().join("ping.tape.new"), &path)?;
    /// // ...and from then on the test compares.
    /// tape.assert_matches_file(&path);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn assert_matches_file(&self, path: impl AsRef<Path>) {
        if let Err(mismatch) = self.try_assert_matches_file(path) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the tape matches the tape file at `path`, as
    /// [`assert_matches_file`](Tape::assert_matches_file) does (the same
    /// review step: `FILE.new` on a mismatch, `PIPETAP_UPDATE`, `CI`).
    ///
    /// # Errors
    ///
    /// A [`Mismatch`] describing the difference, the missing or malformed
    /// file, or the error of writing it.
    pub fn try_assert_matches_file(&self, path: impl AsRef<Path>) -> Result<(), Mismatch> {
        let path = path.as_ref();
        let events = self.events();
        let actual = turns(&events);
        let mode = Mode::from_env();
        let existing = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Mismatch::new(format!(
                    "cannot read tape file {}: {e}",
                    path.display()
                )))
            }
        };
        let parsed = existing.as_ref().map(|bytes| {
            std::str::from_utf8(bytes)
                .map_err(|e| format!("not UTF-8 text ({e})"))
                .and_then(|text| file::parse_doc(text).map_err(|e| e.to_string()))
                .map(|doc| file_turns(&doc))
        });
        let difference = match &parsed {
            Some(Ok(expected)) => compare(expected, &actual),
            _ => None,
        };
        if matches!(parsed, Some(Ok(_))) && difference.is_none() {
            review::passed(path, mode);
            return Ok(());
        }
        // What an update writes, and what a mismatch leaves for review.
        let old = match &parsed {
            Some(Ok(old)) => &old[..],
            _ => &[],
        };
        let contents = file::render_doc(&self.refreshed(old, &actual));
        if mode.writes_golden(existing.is_none()) {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Mismatch::new(format!("cannot create folder {}: {e}", dir.display()))
                })?;
            }
            std::fs::write(path, &contents).map_err(|e| {
                Mismatch::new(format!("cannot write tape file {}: {e}", path.display()))
            })?;
            let verb = if existing.is_some() {
                "updated"
            } else {
                "wrote"
            };
            tell(&format!(
                "pipetap: {verb} tape file {} ({} turns, {} events) because {UPDATE_VAR} is set\n",
                path.display(),
                actual.len(),
                events.len()
            ));
            review::passed(path, mode);
            return Ok(());
        }
        let headline = match (&parsed, difference) {
            (None, _) => format!(
                "tape file {} does not exist (relative paths start at {})",
                path.display(),
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|_| "the current directory".into()),
            ),
            (Some(Err(e)), _) => format!("tape file {} is malformed: {e}", path.display()),
            (Some(Ok(_)), difference) => format!(
                "the tape differs from tape file {} (compared turn by turn)\n{}",
                path.display(),
                difference.unwrap_or_default().trim_end()
            ),
        };
        let footer = review::fail(path, mode, existing.is_none(), &contents);
        Err(Mismatch::new(format!("{headline}\n{footer}")))
    }
}
