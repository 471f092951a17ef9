//! Entry points for the fuzz targets in `fuzz/` (not part of the API).
//!
//! The parsers of tape files and templates must turn any input into a
//! value or an `InvalidData` error naming the line: these functions give a
//! fuzzer the same paths [`Tape::load`](crate::Tape::load),
//! [`Script::from_file`](crate::Script::from_file) and
//! [`Script::write_template`](crate::Script::write_template) take, without
//! files and without the documented panic of a malformed template.

use std::io;

use crate::tape::file::{self, FileEvent};
use crate::{template, Script, Tape};

/// Parses `bytes` as a tape file, as `Tape::load` and `Script::from_file`
/// do, and checks that what it parsed saves and parses back the same.
///
/// # Errors
///
/// `InvalidData` naming the line, for a malformed file.
///
/// # Panics
///
/// If saving what was parsed does not give it back: a bug.
pub fn tape_file(bytes: &[u8]) -> io::Result<(Tape, Script)> {
    let doc = file::parse_bytes(bytes)?;
    let text = file::render_doc(&doc);
    let again = file::parse_doc(&text)
        .unwrap_or_else(|e| panic!("a rendered tape file does not parse: {e}\n{text}"));
    assert_eq!(again, doc, "a tape file does not round-trip:\n{text}");
    let events: Vec<_> = doc.iter().map(FileEvent::to_event).collect();
    let tape = Tape::from_events(&events);
    if doc.iter().any(FileEvent::has_holes) {
        tape.set_loaded(doc.clone());
    }
    Ok((tape, Script::from_doc(&doc)))
}

/// Parses `t` as a template, as `Script::write_template` does.
///
/// # Errors
///
/// The message `write_template` would panic with, naming the byte.
///
/// # Panics
///
/// If the rendered pieces do not parse back the same: a bug.
pub fn template(t: &[u8]) -> Result<usize, String> {
    let pieces = template::parse(t).map_err(|e| format!("at byte {}: {}", e.at, e.what))?;
    let again = template::parse(&template::render(&pieces))
        .unwrap_or_else(|e| panic!("a rendered template does not parse: {}", e.what));
    assert_eq!(again, pieces, "a template does not round-trip");
    Ok(pieces.len())
}
