//! What a tape's files hold in place of secrets and nonces:
//! [`Tape::redact`] and [`Tape::holes_by`], applied to every file written
//! from the tape ([`Tape::save`], golden updates), and the holes of a tape
//! loaded from a file, kept so that saving it again writes them back.

use std::ops::Range;
use std::sync::Arc;

use super::file::FileEvent;
use super::{Event, Tape};
use crate::template::{self, Hole, Piece};

/// A `holes_by` closure.
type HolesFn = dyn Fn(&[u8]) -> Vec<Range<usize>> + Send + Sync;
pub(crate) type HolesBy = Arc<HolesFn>;

/// A tape's redactions and `holes_by` closure.
#[derive(Default)]
pub(crate) struct Marks {
    redactions: Vec<(Box<str>, Vec<u8>)>,
    holes_by: Option<HolesBy>,
}

/// The events of the file a tape was loaded from, while the tape holds
/// exactly what was loaded.
pub(crate) struct Loaded {
    pub(crate) doc: Arc<[FileEvent]>,
    pub(crate) epoch: u64,
    pub(crate) written: usize,
    pub(crate) read: usize,
}

impl Tape {
    /// Makes every file written from this tape ([`save`](Tape::save), the
    /// updates of [`assert_matches_file`](Tape::assert_matches_file)) hold
    /// the hole `{{name}}` in place of each occurrence of `value`, written
    /// or read, matched across the boundaries of events (however the
    /// connection split its writes) and of lines. Replay such a file with
    /// `Script::from_file(path)?.bind(name, value)`: a bound hole matches
    /// (`>`) or sends (`<`) exactly the value. The tape itself keeps the
    /// value; only files leave it out. Clones of the tape share their
    /// redactions.
    ///
    /// Where two redacted values overlap, the longer one is redacted.
    ///
    /// # Panics
    ///
    /// If `value` is empty, or `name` is not a hole name (letters, digits,
    /// `_`, `-`, `.`; not `_` alone).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"AUTH hunter2\r\n")?;
    /// tape.redact("password", "hunter2");
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.tape");
    /// tape.save(&path)?;
    /// let text = std::fs::read_to_string(&path)?;
    /// assert!(text.contains(r#"> "AUTH {{password}}\r\n""#));
    /// assert!(!text.contains("hunter2"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn redact(&self, name: impl Into<String>, value: impl AsRef<[u8]>) -> &Tape {
        let name = name.into();
        let value = value.as_ref().to_vec();
        assert!(
            !value.is_empty(),
            "Tape::redact({name:?}, ..): the value is empty"
        );
        match template::parse(format!("{{{{{name}}}}}").as_bytes()).as_deref() {
            Ok([Piece::Hole(Hole { name: Some(_), len: None })]) => {}
            _ => panic!(
                "Tape::redact({name:?}, ..): not a hole name (letters, digits, `_`, `-` and `.`; not `_` alone)"
            ),
        }
        let mut state = self.lock();
        let redactions = &mut state.marks.redactions;
        redactions.retain(|(_, v)| *v != value);
        redactions.push((name.into_boxed_str(), value));
        self
    }

    /// Marks holes in every file written from this tape without editing
    /// it by hand: `f` is called with the bytes of each written turn
    /// (adjacent writes merged, as the file's `>` lines replay them) and
    /// returns the ranges of those bytes to save as `{{_:N}}`, holes that
    /// match any `N` bytes on replay. For values at a known place in every
    /// message, such as the mask of a websocket frame. Read turns are saved
    /// as they are (a `<` hole needs a value to send), and ranges past the
    /// turn's end are cut there. A later call replaces the closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"NONCE 8f3a2c\n")?;
    /// // The six bytes after "NONCE " change from run to run.
    /// tape.holes_by(|turn| match turn.strip_prefix(b"NONCE ") {
    ///     Some(_) => vec![6..12],
    ///     None => vec![],
    /// });
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("nonce.tape");
    /// tape.save(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains(r#"> "NONCE {{_:6}}\n""#));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn holes_by(
        &self,
        f: impl Fn(&[u8]) -> Vec<Range<usize>> + Send + Sync + 'static,
    ) -> &Tape {
        self.lock().marks.holes_by = Some(Arc::new(f));
        self
    }

    /// The events of every file written from this tape, turn by turn: the
    /// file it was loaded from (while unchanged), or its events with the
    /// redactions and `holes_by` holes.
    pub(crate) fn file_turns(&self) -> Vec<Vec<FileEvent>> {
        let (events, redactions, holes_by) = {
            let state = self.lock();
            if let Some(doc) = state.loaded_doc() {
                return turns_of(&doc);
            }
            (
                state.events(),
                state.marks.redactions.clone(),
                state.marks.holes_by.clone(),
            )
        };
        mark(&events, &redactions, holes_by.as_deref())
    }

    /// [`file_turns`](Tape::file_turns), flattened.
    pub(crate) fn file_events(&self) -> Vec<FileEvent> {
        self.file_turns().into_iter().flatten().collect()
    }

    /// Remembers the file this (fresh) tape was loaded from.
    pub(crate) fn set_loaded(&self, doc: Vec<FileEvent>) {
        let mut state = self.lock();
        state.loaded = Some(Loaded {
            doc: doc.into(),
            epoch: state.epoch,
            written: state.written.bytes.len(),
            read: state.read.bytes.len(),
        });
    }

    /// The events of the file this tape was loaded from, with their holes,
    /// if the tape still holds exactly what was loaded.
    pub(crate) fn loaded_doc(&self) -> Option<Arc<[FileEvent]>> {
        self.lock().loaded_doc()
    }
}

impl super::State {
    fn loaded_doc(&self) -> Option<Arc<[FileEvent]>> {
        self.loaded
            .as_ref()
            .filter(|l| {
                l.epoch == self.epoch
                    && l.written == self.written.bytes.len()
                    && l.read == self.read.bytes.len()
            })
            .map(|l| l.doc.clone())
    }
}

/// File events grouped into turns.
pub(crate) fn turns_of(events: &[FileEvent]) -> Vec<Vec<FileEvent>> {
    let mut turns: Vec<Vec<FileEvent>> = Vec::new();
    for event in events {
        match turns.last_mut() {
            Some(turn) if turn[0].write == event.write => turn.push(event.clone()),
            _ => turns.push(vec![event.clone()]),
        }
    }
    turns
}

/// Who a byte of a turn belongs to.
const LITERAL: u32 = 0;
const SKIPPED: u32 = u32::MAX;

/// `events`, turn by turn, with `redactions` and `holes_by`'s ranges as
/// holes.
fn mark(
    events: &[Event],
    redactions: &[(Box<str>, Vec<u8>)],
    holes_by: Option<&HolesFn>,
) -> Vec<Vec<FileEvent>> {
    let mut out = Vec::new();
    let mut i = 0;
    // Longest first, so a value inside another is not redacted half-way.
    let mut redactions: Vec<&(Box<str>, Vec<u8>)> = redactions.iter().collect();
    redactions.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    while i < events.len() {
        let write = matches!(events[i], Event::Write(_));
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        while let Some(event) = events.get(i) {
            let b = match (event, write) {
                (Event::Write(b), true) | (Event::Read(b), false) => b,
                _ => break,
            };
            bytes.extend_from_slice(b);
            ends.push(bytes.len());
            i += 1;
        }
        let mut owner = vec![LITERAL; bytes.len()];
        if let (true, Some(f)) = (write, holes_by) {
            for range in f(&bytes) {
                let end = range.end.min(bytes.len());
                for o in owner.iter_mut().take(end).skip(range.start) {
                    *o = SKIPPED;
                }
            }
        }
        // Hole names by owner id (1-based), for redactions.
        let mut names: Vec<&str> = Vec::new();
        for (name, value) in &redactions {
            let mut at = 0;
            while let Some(p) = find(&bytes[at..], value) {
                let start = at + p;
                let end = start + value.len();
                let taken = owner[start..end]
                    .iter()
                    .any(|&o| o != LITERAL && o != SKIPPED);
                if !taken {
                    names.push(name);
                    let id = u32::try_from(names.len()).unwrap_or(SKIPPED - 1);
                    owner[start..end].fill(id);
                }
                at = if taken { start + 1 } else { end };
            }
        }
        out.push(split(write, &bytes, &ends, &owner, &names));
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One turn's bytes as file events split at `ends`, each run of bytes of
/// one owner other than `LITERAL` as one hole (in the event where it
/// starts).
fn split(
    write: bool,
    bytes: &[u8],
    ends: &[usize],
    owner: &[u32],
    names: &[&str],
) -> Vec<FileEvent> {
    let mut events = Vec::new();
    let mut at = 0;
    for &end in ends {
        let mut pieces: Vec<Piece> = Vec::new();
        while at < end {
            let o = owner[at];
            if o == LITERAL {
                let stop = (at..end).find(|&k| owner[k] != LITERAL).unwrap_or(end);
                pieces.push(Piece::Lit(bytes[at..stop].to_vec()));
                at = stop;
                continue;
            }
            let stop = (at..bytes.len())
                .find(|&k| owner[k] != o)
                .unwrap_or(bytes.len());
            pieces.push(Piece::Hole(if o == SKIPPED {
                Hole {
                    name: None,
                    len: Some(stop - at),
                }
            } else {
                Hole {
                    name: Some(names[o as usize - 1].into()),
                    len: None,
                }
            }));
            at = stop;
        }
        // An event whose bytes all went into a hole begun before it is
        // left out.
        if !pieces.is_empty() {
            events.push(FileEvent { write, pieces });
        }
    }
    events
}
