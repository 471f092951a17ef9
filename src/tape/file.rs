//! Tape files: a tape's events as text a reviewer can read in a diff
//! ([`Tape::save`], [`Tape::load`]).
//!
//! ```text
//! pipetap-tape v1
//! # > bytes the recorded side wrote, < bytes it read
//! > "GET / HTTP/1.1\r\n"
//!   "Host: example\r\n"
//!   "\r\n"
//! < "HTTP/1.1 200 OK\r\n"
//!   "content-length: 2\r\n"
//!   "\r\n"
//!   "hi"
//! ```
//!
//! - The first line that is neither blank nor a comment is the version
//!   header, `pipetap-tape v1`.
//! - Each event starts a line with `>` (written) or `<` (read) and a quoted
//!   string; indented quoted strings on the lines after it continue it.
//! - Inside the quotes, printable ASCII stands for itself; every other byte
//!   is escaped: `\r`, `\n`, `\t`, `\\`, `\"`, or `\xNN`.
//! - A text event (7 in 8 bytes printable) is wrapped after each `\n`, so
//!   text protocols read line by line, and at 64 columns; a binary event
//!   (TLS records, Postgres messages) is wrapped every 16 bytes, like a hex
//!   dump, so offsets are easy to count.
//! - Lines starting with `#` are comments; blank lines are ignored.
//!
//! Format version 2 (`pipetap-tape v2`) is version 1 plus holes: the bytes
//! of a `>` or `<` event (its continuation lines joined) are a template, as
//! in [`Script::write_template`](crate::Script::write_template): `{{name}}`,
//! `{{name:N}}`, `{{_}}`, `{{_:N}}`, and `{{{{` for a literal `{{`. A tape
//! is saved as version 1 unless it needs holes or holds `{{`.

use std::fmt::Write as _;
use std::io::{self, ErrorKind};
use std::path::Path;

use super::{Event, Tape};
use crate::source::Source;
use crate::template::{self, Piece};

/// The version header of a tape file without holes.
pub(crate) const HEADER: &str = "pipetap-tape v1";
/// The version header of a tape file with holes.
pub(crate) const HEADER_V2: &str = "pipetap-tape v2";

/// One event of a tape file: its direction and its bytes, as a template
/// (in a version 1 file, one literal piece).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileEvent {
    pub(crate) write: bool,
    pub(crate) pieces: Vec<Piece>,
}

impl FileEvent {
    /// An event with no hole.
    pub(crate) fn plain(write: bool, bytes: &[u8]) -> FileEvent {
        let pieces = if bytes.is_empty() {
            Vec::new()
        } else {
            vec![Piece::Lit(bytes.to_vec())]
        };
        FileEvent { write, pieces }
    }

    /// Whether the event holds a hole.
    pub(crate) fn has_holes(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Hole(_)))
    }

    /// The event as a tape holds it: literal bytes as they are, each hole
    /// as its text.
    pub(crate) fn to_event(&self) -> Event {
        let mut bytes = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Lit(b) => bytes.extend_from_slice(b),
                Piece::Hole(h) => bytes.extend_from_slice(h.to_string().as_bytes()),
            }
        }
        let bytes = bytes::Bytes::from(bytes);
        if self.write {
            Event::Write(bytes)
        } else {
            Event::Read(bytes)
        }
    }
}
/// Columns of escaped text per line before an event wraps.
const WRAP: usize = 64;

/// Bytes per line of a binary event.
const BINARY_ROW: usize = 16;

/// Whether an event reads as text (at least 7 in 8 bytes printable or
/// whitespace): text wraps after each line, binary every 16 bytes.
fn is_text(bytes: &[u8]) -> bool {
    let texty = bytes
        .iter()
        .filter(|&&b| matches!(b, 0x20..=0x7e | b'\r' | b'\n' | b'\t'))
        .count();
    texty * 8 >= bytes.len() * 7
}

/// One byte as the file shows it inside quotes.
fn escape_byte(out: &mut String, b: u8) {
    match b {
        b'\r' => out.push_str("\\r"),
        b'\n' => out.push_str("\\n"),
        b'\t' => out.push_str("\\t"),
        b'\\' => out.push_str("\\\\"),
        b'"' => out.push_str("\\\""),
        0x20..=0x7e => out.push(char::from(b)),
        _ => {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
}

/// One unit of an event's text: an escaped byte, or a hole's token (never
/// split over two lines).
enum Unit<'a> {
    Byte(u8),
    Hole(&'a template::Hole),
}

/// `events` as the text of a tape file: version 1 unless an event holds a
/// hole or a literal `{{`.
pub(crate) fn render_doc(events: &[FileEvent]) -> String {
    let v2 = events.iter().any(|e| {
        e.pieces.iter().any(|p| match p {
            Piece::Hole(_) => true,
            Piece::Lit(b) => template::has_braces(b),
        })
    });
    let mut out = String::new();
    out.push_str(if v2 { HEADER_V2 } else { HEADER });
    out.push('\n');
    out.push_str("# > bytes the recorded side wrote, < bytes it read; one event per > or < line\n");
    if v2 {
        out.push_str(
            "# {{name}} {{name:N}} {{_}} {{_:N}} are holes (see Script::write_template); {{{{ is a literal {{\n",
        );
    }
    let mut escaped = Vec::new();
    for event in events {
        out.push(if event.write { '>' } else { '<' });
        out.push_str(" \"");
        let mut units = Vec::new();
        let mut literal = Vec::new();
        for piece in &event.pieces {
            match piece {
                Piece::Lit(b) => {
                    literal.extend_from_slice(b);
                    escaped.clear();
                    if v2 {
                        template::escape_into(&mut escaped, b);
                    } else {
                        escaped.extend_from_slice(b);
                    }
                    units.extend(escaped.iter().map(|&b| Unit::Byte(b)));
                }
                Piece::Hole(h) => units.push(Unit::Hole(h)),
            }
        }
        let text = is_text(&literal);
        let mut col = 0;
        let mut row = 0;
        for (i, unit) in units.iter().enumerate() {
            let before = out.len();
            let newline = match unit {
                Unit::Byte(b) => {
                    escape_byte(&mut out, *b);
                    row += 1;
                    *b == b'\n'
                }
                Unit::Hole(h) => {
                    out.push_str(&h.to_string());
                    row += h.len.unwrap_or(1);
                    false
                }
            };
            col += out.len() - before;
            let wrap = if text {
                newline || col >= WRAP
            } else {
                row >= BINARY_ROW
            };
            if wrap && i + 1 < units.len() {
                out.push_str("\"\n  \"");
                col = 0;
                row = 0;
            }
        }
        out.push_str("\"\n");
    }
    out
}

fn bad(line: usize, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        ErrorKind::InvalidData,
        format!("tape file, line {line}: {what}"),
    )
}

/// The bytes of one quoted string (the whole rest of the line, trailing
/// spaces allowed), appended to `out`.
/// `quote_col` is the 1-based column of the opening quote.
fn unquote(text: &str, line: usize, quote_col: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let text = text.trim_end();
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .ok_or_else(|| bad(line, format!("expected a quoted string, found {text:?}")))?;
    let mut bytes = inner.bytes().enumerate();
    while let Some((at, b)) = bytes.next() {
        let column = quote_col + 1 + at;
        match b {
            b'\\' => {
                let (_, e) = bytes
                    .next()
                    .ok_or_else(|| bad(line, "a `\\` ends the string"))?;
                match e {
                    b'r' => out.push(b'\r'),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'\\' => out.push(b'\\'),
                    b'"' => out.push(b'"'),
                    b'x' => {
                        let hex: Vec<u8> = bytes.by_ref().take(2).map(|(_, h)| h).collect();
                        let value = std::str::from_utf8(&hex)
                            .ok()
                            .filter(|h| h.len() == 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                            .ok_or_else(|| {
                                bad(line, format!("column {column}: `\\x` needs two hex digits"))
                            })?;
                        out.push(value);
                    }
                    other => {
                        return Err(bad(
                            line,
                            format!(
                                "column {column}: unknown escape `\\{}` (known: \\r \\n \\t \\\\ \\\" \\xNN)",
                                char::from(other).escape_default()
                            ),
                        ))
                    }
                }
            }
            b'"' => {
                return Err(bad(
                    line,
                    format!("column {column}: a `\"` inside the string must be escaped as `\\\"`"),
                ))
            }
            0x20..=0x7e => out.push(b),
            other => {
                return Err(bad(
                    line,
                    format!(
                        "column {column}: byte 0x{other:02x} must be escaped as `\\x{other:02x}`"
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// An event being parsed: its bytes, and where each of its lines starts in
/// them (for the line number of a malformed hole).
struct Raw {
    write: bool,
    bytes: Vec<u8>,
    lines: Vec<(usize, usize)>,
}

/// Parses the text of a tape file into its events, with their holes.
pub(crate) fn parse_doc(text: &str) -> io::Result<Vec<FileEvent>> {
    let mut events: Vec<Raw> = Vec::new();
    let mut version = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if version.is_none() {
            let found = raw.trim_end();
            if found == HEADER || found == HEADER_V2 {
                version = Some(if found == HEADER { 1 } else { 2 });
                continue;
            }
            if let Some(version) = found.strip_prefix("pipetap-tape ") {
                return Err(bad(
                    line,
                    format!(
                        "unsupported format version {version:?} (this pipetap reads v1 and v2)"
                    ),
                ));
            }
            return Err(bad(
                line,
                format!("expected the header `{HEADER}` or `{HEADER_V2}`, found {found:?}"),
            ));
        }
        let start = |write: bool, events: &mut Vec<Raw>| {
            events.push(Raw {
                write,
                bytes: Vec::new(),
                lines: vec![(0, line)],
            });
        };
        if let Some(rest) = raw.strip_prefix("> ") {
            start(true, &mut events);
            unquote(rest, line, 3, &mut events.last_mut().expect("pushed").bytes)?;
        } else if let Some(rest) = raw.strip_prefix("< ") {
            start(false, &mut events);
            unquote(rest, line, 3, &mut events.last_mut().expect("pushed").bytes)?;
        } else if raw.starts_with([' ', '\t']) && trimmed.starts_with('"') {
            let event = events
                .last_mut()
                .ok_or_else(|| bad(line, "a continuation line before any `>` or `<` event"))?;
            event.lines.push((event.bytes.len(), line));
            unquote(
                trimmed,
                line,
                raw.len() - trimmed.len() + 1,
                &mut event.bytes,
            )?;
        } else {
            return Err(bad(
                line,
                format!(
                    "expected `> \"...\"`, `< \"...\"`, an indented `\"...\"`, or a `#` comment, found {:?}",
                    raw.trim_end()
                ),
            ));
        }
    }
    let Some(version) = version else {
        return Err(bad(
            1,
            format!("the header `{HEADER}` is missing (empty file?)"),
        ));
    };
    events
        .into_iter()
        .map(|raw| {
            if version == 1 {
                return Ok(FileEvent::plain(raw.write, &raw.bytes));
            }
            let pieces = template::parse(&raw.bytes).map_err(|e| {
                let line = raw
                    .lines
                    .iter()
                    .take_while(|(start, _)| *start <= e.at)
                    .last()
                    .map_or(raw.lines[0].1, |(_, line)| *line);
                bad(line, format!("malformed hole: {}", e.what))
            })?;
            Ok(FileEvent {
                write: raw.write,
                pieces,
            })
        })
        .collect()
}

/// Parses the bytes of a tape file; a file that is not UTF-8 fails with
/// the line of its first bad byte.
pub(crate) fn parse_bytes(bytes: &[u8]) -> io::Result<Vec<FileEvent>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        bad(line, format!("not UTF-8 text ({e})"))
    })?;
    parse_doc(text)
}

/// Reads and parses the tape file at `path`; errors name the file.
pub(crate) fn read_doc(path: &Path) -> io::Result<Vec<FileEvent>> {
    let bytes = std::fs::read(path)?;
    parse_bytes(&bytes).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

impl Tape {
    /// Writes the tape to a text file at `path` that a reviewer can read in
    /// a diff: one event per `>` (written) or `<` (read) line, printable
    /// ASCII as is and other bytes escaped (`\r`, `\n`, `\t`, `\\`, `\"`,
    /// `\xNN`), long events wrapped over indented continuation lines, after
    /// a version header. [`Tape::load`] reads it back exactly: the bytes and
    /// the boundaries of every event.
    ///
    /// The file holds the holes of [`redact`](Tape::redact) and
    /// [`holes_by`](Tape::holes_by), if any, and then has format version 2;
    /// a tape with no holes and no `{{` in its bytes is saved as version 1.
    /// A tape loaded from a file with holes saves them back while it holds
    /// what was loaded.
    ///
    /// Relative paths are relative to the current directory, which
    /// `cargo test` sets to the crate root.
    ///
    /// # Errors
    ///
    /// The error of writing the file (its folder must exist).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{RecordExt, Tape};
    ///
    /// let (client, mut server) = pipetap::pipe();
    /// let (conn, tape) = client.record();
    /// let mut conn = conn.record_reads();
    /// conn.write_all(b"PING\r\n")?;
    /// server.write_all(b"+PONG\r\n")?;
    /// conn.read_exact(&mut [0; 7])?;
    ///
    /// let dir = tempfile::tempdir()?;          // removed when dropped
    /// let path = dir.path().join("ping.tape");
    /// tape.save(&path)?;
    /// let text = std::fs::read_to_string(&path)?;
    /// assert!(text.contains("> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n"));
    /// assert_eq!(Tape::load(&path)?.events(), tape.events());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        std::fs::write(path, render_doc(&self.file_events()))
    }

    /// Reads a tape file written by [`Tape::save`] (or by hand), of format
    /// version 1 or 2. The holes of a version 2 file stay in the tape's
    /// events as their text (`{{id}}`, with a literal `{{` as itself), and
    /// [`Script::from_tape`](crate::Script::from_tape) and `save` use the
    /// holes themselves while the tape holds what was loaded;
    /// [`Script::from_file`](crate::Script::from_file) replays them.
    ///
    /// # Errors
    ///
    /// The error of reading the file; `InvalidData` for a file that is not
    /// UTF-8 or is malformed (a malformed hole included), with a message
    /// that gives the 1-based line number (and the column where it helps).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let dir = tempfile::tempdir()?;          // removed when dropped
    /// let path = dir.path().join("bad.tape");
    /// std::fs::write(&path, "pipetap-tape v1\n> \"hi\\q\"\n")?;
    /// let err = pipetap::Tape::load(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidData);
    /// assert!(err.to_string().contains("line 2"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> io::Result<Tape> {
        let doc = read_doc(path.as_ref())?;
        let events: Vec<Event> = doc.iter().map(FileEvent::to_event).collect();
        let tape = Tape::from_events(&events);
        if doc.iter().any(FileEvent::has_holes) {
            tape.set_loaded(doc);
        }
        Ok(tape)
    }

    /// A tape holding `events`, in order.
    pub(crate) fn from_events(events: &[Event]) -> Tape {
        let tape = Tape::new();
        for event in events {
            match event {
                Event::Write(b) => tape.record_event(true, b),
                Event::Read(b) => tape.record_event(false, b),
            }
        }
        tape
    }

    fn record_event(&self, write: bool, bytes: &[u8]) {
        let src: Source<'_, std::io::IoSlice<'_>> = Source::One(bytes);
        if write {
            self.record_write(src);
        } else {
            self.record_read(src);
        }
    }
}
