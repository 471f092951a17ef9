//! Holes in a script's steps: the templates as steps hold them, the values
//! holes keep ([`Captures`]), `respond` closures, and how `build` resolves
//! every hole to a slot (checking what can be checked before the peer runs).

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use crate::tape::hexdump::preview;
use crate::template::{self, Piece};

/// Bytes of a value shown in a message.
const SHOWN: usize = 40;

/// A template as a step holds it: its text, its pieces, and (once `build`
/// has resolved its holes) its parts.
#[derive(Clone)]
pub(crate) struct Template {
    pub(crate) text: Arc<[u8]>,
    pub(crate) pieces: Vec<Piece>,
    pub(crate) parts: Vec<Part>,
}

/// A piece with its hole resolved.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    Lit(Vec<u8>),
    /// `{{_}}` (`None`) or `{{_:N}}`.
    Skip(Option<usize>),
    /// The first `{{name}}` / `{{name:N}}` of an unbound name: keeps.
    Keep {
        slot: usize,
        len: Option<usize>,
    },
    /// A name bound or kept before: matches (or sends) its value.
    Value {
        slot: usize,
    },
}

impl Template {
    /// Parses `text`; panics naming the template if it is malformed.
    #[track_caller]
    pub(crate) fn parse(method: &str, text: &[u8]) -> Template {
        match template::parse(text) {
            Ok(pieces) => Template {
                text: text.into(),
                pieces,
                parts: Vec::new(),
            },
            Err(e) => panic!(
                "Script::{method}: malformed template {} at byte {}: {}",
                preview(text, 80),
                e.at,
                e.what
            ),
        }
    }

    /// A template from pieces (a tape file's turn).
    pub(crate) fn from_pieces(pieces: Vec<Piece>) -> Template {
        Template {
            text: template::render(&pieces).into(),
            pieces,
            parts: Vec::new(),
        }
    }

    /// Whether the template has a hole.
    pub(crate) fn has_holes(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Hole(_)))
    }

    /// The holes of the template with what they kept so far, for messages:
    /// `{{id}} = "42"`, `{{_:4}} (skipped)`.
    pub(crate) fn describe_kept(&self, caps: &Captures) -> String {
        let mut out = String::new();
        for (piece, part) in self.pieces.iter().zip(&self.parts) {
            let Piece::Hole(hole) = piece else { continue };
            let _ = match part {
                Part::Skip(_) => writeln!(out, "    {hole}: keeps nothing"),
                Part::Keep { slot, .. } | Part::Value { slot } => {
                    let (value, done) = (&caps.values[*slot], caps.done[*slot]);
                    let state = match (done, matches!(part, Part::Value { .. })) {
                        (_, true) => "holds its value from before",
                        (true, false) => "kept",
                        (false, false) if value.is_empty() => "kept nothing yet",
                        (false, false) => "kept so far",
                    };
                    writeln!(
                        out,
                        "    {hole}: {state} {} ({} bytes)",
                        preview(value, SHOWN),
                        value.len()
                    )
                }
                Part::Lit(_) => Ok(()),
            };
        }
        out
    }
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.pieces == other.pieces
    }
}

impl Eq for Template {}

/// The values kept by holes (and bound with
/// [`Script::bind`](crate::Script::bind)), as a
/// [`respond`](crate::Script::respond) closure sees them.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use pipetap::Script;
///
/// let (mut conn, peer) = Script::new()
///     .write_template(b"HELLO {{nonce}}\n")
///     .respond(|kept| {
///         let mut nonce = kept.get("nonce").unwrap_or_default().to_vec();
///         nonce.reverse();
///         [&b"PROOF "[..], &nonce, b"\n"].concat()
///     })
///     .build();
/// conn.write_all(b"HELLO abc123\n")?;
/// let mut reply = [0; 13];
/// conn.read_exact(&mut reply)?;
/// assert_eq!(&reply, b"PROOF 321cba\n");
/// peer.finish();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Default, Clone)]
pub struct Captures {
    /// Slots by name.
    index: HashMap<Box<str>, usize>,
    names: Vec<Box<str>>,
    values: Vec<Vec<u8>>,
    done: Vec<bool>,
}

impl Captures {
    /// The value a hole named `name` kept (or that was bound to it), once
    /// the hole is complete; `None` for a name not kept yet.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let slot = *self.index.get(name)?;
        self.done[slot].then(|| &self.values[slot][..])
    }

    /// The slot of `name`, added if it is new.
    pub(crate) fn slot(&mut self, name: &str) -> usize {
        match self.index.get(name) {
            Some(&slot) => slot,
            None => {
                self.index.insert(name.into(), self.names.len());
                self.names.push(name.into());
                self.values.push(Vec::new());
                self.done.push(false);
                self.names.len() - 1
            }
        }
    }

    /// Binds `slot` to `value` (complete from the start).
    pub(crate) fn bind(&mut self, slot: usize, value: &[u8]) {
        self.values[slot].clear();
        self.values[slot].extend_from_slice(value);
        self.done[slot] = true;
    }

    /// The number of slots.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the value in `slot` is complete.
    pub(crate) fn is_done(&self, slot: usize) -> bool {
        self.done[slot]
    }

    /// The value in `slot` (complete or not).
    pub(crate) fn value(&self, slot: usize) -> &[u8] {
        &self.values[slot]
    }

    /// Appends to the value a hole keeps.
    pub(crate) fn extend(&mut self, slot: usize, bytes: &[u8]) {
        self.values[slot].extend_from_slice(bytes);
    }

    /// The hole in `slot` is complete.
    pub(crate) fn finish(&mut self, slot: usize) {
        self.done[slot] = true;
    }
}

impl fmt::Debug for Captures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for ((name, value), done) in self.names.iter().zip(&self.values).zip(&self.done) {
            if *done {
                map.entry(name, &format_args!("{}", preview(value, SHOWN)));
            }
        }
        map.finish()
    }
}

type RespondFn = dyn Fn(&Captures) -> Vec<u8> + Send;

/// A `respond` step's closure (behind a lock, so steps stay `Sync`).
#[derive(Clone)]
pub(crate) struct Responder(Arc<Mutex<Box<RespondFn>>>);

impl Responder {
    pub(crate) fn new(f: impl Fn(&Captures) -> Vec<u8> + Send + 'static) -> Self {
        Responder(Arc::new(Mutex::new(Box::new(f))))
    }

    /// Calls the closure; `Err` with its panic message if it panics.
    pub(crate) fn call(&self, caps: &Captures) -> Result<Vec<u8>, String> {
        let f = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        catch_unwind(AssertUnwindSafe(|| f(caps))).map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into())
        })
    }
}

impl PartialEq for Responder {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Responder {}
