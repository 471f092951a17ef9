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

use std::fmt::Write as _;
use std::io::{self, ErrorKind};
use std::path::Path;

use super::{Event, Tape};
use crate::source::Source;

/// The version header this pipetap writes and reads.
pub(crate) const HEADER: &str = "pipetap-tape v1";
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

/// `events` as the text of a tape file.
pub(crate) fn render(events: &[Event]) -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    out.push_str("# > bytes the recorded side wrote, < bytes it read; one event per > or < line\n");
    for event in events {
        let (mark, bytes) = match event {
            Event::Write(b) => ('>', &b[..]),
            Event::Read(b) => ('<', &b[..]),
        };
        out.push(mark);
        out.push_str(" \"");
        let text = is_text(bytes);
        let mut col = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let before = out.len();
            escape_byte(&mut out, b);
            col += out.len() - before;
            let wrap = if text {
                b == b'\n' || col >= WRAP
            } else {
                (i + 1) % BINARY_ROW == 0
            };
            if wrap && i + 1 < bytes.len() {
                out.push_str("\"\n  \"");
                col = 0;
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

/// Parses the text of a tape file.
pub(crate) fn parse(text: &str) -> io::Result<Vec<Event>> {
    let mut events: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut header = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !header {
            let found = raw.trim_end();
            if found == HEADER {
                header = true;
                continue;
            }
            if let Some(version) = found.strip_prefix("pipetap-tape ") {
                return Err(bad(
                    line,
                    format!("unsupported format version {version:?} (this pipetap reads v1)"),
                ));
            }
            return Err(bad(
                line,
                format!("expected the header `{HEADER}`, found {found:?}"),
            ));
        }
        if let Some(rest) = raw.strip_prefix("> ") {
            events.push((true, Vec::new()));
            unquote(rest, line, 3, &mut events.last_mut().expect("pushed").1)?;
        } else if let Some(rest) = raw.strip_prefix("< ") {
            events.push((false, Vec::new()));
            unquote(rest, line, 3, &mut events.last_mut().expect("pushed").1)?;
        } else if raw.starts_with([' ', '\t']) && trimmed.starts_with('"') {
            let (_, bytes) = events
                .last_mut()
                .ok_or_else(|| bad(line, "a continuation line before any `>` or `<` event"))?;
            unquote(trimmed, line, raw.len() - trimmed.len() + 1, bytes)?;
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
    if !header {
        return Err(bad(
            1,
            format!("the header `{HEADER}` is missing (empty file?)"),
        ));
    }
    Ok(events
        .into_iter()
        .map(|(write, bytes)| {
            let bytes = bytes::Bytes::from(bytes);
            if write {
                Event::Write(bytes)
            } else {
                Event::Read(bytes)
            }
        })
        .collect())
}

impl Tape {
    /// Writes the tape to a text file at `path` that a reviewer can read in
    /// a diff: one event per `>` (written) or `<` (read) line, printable
    /// ASCII as is and other bytes escaped (`\r`, `\n`, `\t`, `\\`, `\"`,
    /// `\xNN`), long events wrapped over indented continuation lines, after
    /// a version header. [`Tape::load`] reads it back exactly: the bytes and
    /// the boundaries of every event.
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
    /// let path = std::env::temp_dir().join("pipetap-doc-save.tape");
    /// tape.save(&path)?;
    /// let text = std::fs::read_to_string(&path)?;
    /// assert!(text.contains("> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n"));
    /// assert_eq!(Tape::load(&path)?.events(), tape.events());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        std::fs::write(path, render(&self.events()))
    }

    /// Reads a tape file written by [`Tape::save`] (or by hand).
    ///
    /// # Errors
    ///
    /// The error of reading the file; `InvalidData` for a file that is not
    /// UTF-8 or is malformed, with a message that gives the 1-based line
    /// number (and the column where it helps).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let path = std::env::temp_dir().join("pipetap-doc-load.tape");
    /// std::fs::write(&path, "pipetap-tape v1\n> \"hi\\q\"\n")?;
    /// let err = pipetap::Tape::load(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidData);
    /// assert!(err.to_string().contains("line 2"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> io::Result<Tape> {
        let path = path.as_ref();
        let text = std::fs::read(path)?;
        let text = String::from_utf8(text).map_err(|e| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("tape file {}: not UTF-8 text ({e})", path.display()),
            )
        })?;
        let events = parse(&text)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Tape::from_events(&events))
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
