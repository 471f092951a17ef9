//! How `build` resolves every hole of a script to a slot of its
//! [`Captures`], checking what can be checked before the peer runs.

use super::captures::{Captures, Part};
use super::step::Step;
use crate::tape::hexdump::preview;
use crate::template::Piece;

/// Resolves every hole of `steps` to a slot of the returned captures (with
/// `binds` in them), panicking on what cannot run: a hole that keeps with
/// no literal byte after it to end it, and a `read_template` hole that
/// nothing keeps or binds before it.
#[track_caller]
pub(crate) fn resolve(steps: &mut [Step], binds: &[(String, Vec<u8>)]) -> Captures {
    let mut caps = Captures::default();
    for (name, value) in binds {
        let slot = caps.slot(name);
        caps.bind(slot, value);
    }
    // Names whose value is known from here on (bound or kept earlier).
    let mut known: Vec<bool> = (0..caps.len()).map(|s| caps.is_done(s)).collect();
    for step in steps.iter_mut() {
        let (t, write) = match step {
            Step::WriteTemplate(t) => (t, true),
            Step::ReadTemplate(t) => (t, false),
            _ => continue,
        };
        let method = if write {
            "write_template"
        } else {
            "read_template"
        };
        let mut parts = Vec::with_capacity(t.pieces.len());
        for (i, piece) in t.pieces.iter().enumerate() {
            let hole = match piece {
                Piece::Lit(lit) => {
                    parts.push(Part::Lit(lit.clone()));
                    continue;
                }
                Piece::Hole(hole) => hole,
            };
            let slot = hole.name.as_deref().map(|n| caps.slot(n));
            known.resize(caps.len(), false);
            let part = match slot {
                Some(slot) if known[slot] => Part::Value { slot },
                _ if !write => panic!(
                    "Script::read_template {}: the hole {hole} has no value to send: {}",
                    preview(&t.text, 80),
                    if slot.is_none() {
                        "a `_` hole keeps nothing".to_owned()
                    } else {
                        "nothing keeps it in an earlier write_template, and Script::bind does not bind it".to_owned()
                    }
                ),
                Some(slot) => {
                    known[slot] = true;
                    Part::Keep {
                        slot,
                        len: hole.len,
                    }
                }
                None => Part::Skip(hole.len),
            };
            if hole.len.is_none()
                && !matches!(part, Part::Value { .. })
                && !matches!(t.pieces.get(i + 1), Some(Piece::Lit(_)))
            {
                panic!(
                    "Script::{method} {}: the hole {hole} {}: a hole without a length ends at the template's next literal byte, so one must follow it (or give it a length, `{{{{name:N}}}}`, or bind its value)",
                    preview(&t.text, 80),
                    if i + 1 == t.pieces.len() {
                        "ends the template"
                    } else {
                        "is followed by another hole"
                    }
                );
            }
            parts.push(part);
        }
        t.parts = parts;
    }
    caps
}
