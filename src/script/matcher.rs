//! The code under test's written bytes, matched as one stream against the
//! script's `write` and `write_until` steps.
//!
//! The matcher runs ahead of the peer's own steps: bytes the code writes
//! while the peer is still on a `read` or `wait` step are matched at once
//! against the next steps that take writes, as `tokio_test::io` does. It
//! keeps no copy of the stream, only where it is (a step and an offset in
//! it) and, for a `write_until`, how much of the delimiter it has seen, so
//! matching allocates nothing.

use std::fmt::Write as _;

use super::captures::{Captures, Part, Template};
use super::error::{ScriptError, ScriptErrorKind, EXCERPT};
use super::step::Step;
use crate::tape::diff;
use crate::tape::hexdump::preview;
use crate::template::{Piece, MAX_HOLE};

/// Bytes after a mismatch shown on the actual side of its diff.
const AFTER: usize = 32;

/// Where the code's written stream is in the script.
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    /// The step the next written byte belongs to.
    pub(crate) pos: usize,
    /// Bytes of that step already written.
    pub(crate) offset: usize,
    /// `write_until`: bytes of the delimiter matched so far.
    kmp: usize,
    /// `write_template`: the part the next byte belongs to, and bytes of
    /// that part already written.
    part: usize,
    part_offset: usize,
    /// Bytes written in all.
    pub(crate) total: u64,
}

impl Matcher {
    /// Moves past the steps that take no writes (so early bytes go on to
    /// the next `write`), calling `on_fault` with the index of each
    /// `write_error` passed. Stops at a step that takes writes, at `close`
    /// or `reset`, or at the end.
    pub(crate) fn skip(&mut self, steps: &[Step], on_fault: &mut impl FnMut(usize)) {
        while let Some(step) = steps.get(self.pos) {
            match step {
                _ if step.takes_bytes() => return,
                Step::Close | Step::Reset => return,
                Step::WriteError(_) => on_fault(self.pos),
                _ => {}
            }
            self.next();
        }
    }

    fn next(&mut self) {
        self.pos += 1;
        self.offset = 0;
        self.kmp = 0;
        self.part = 0;
        self.part_offset = 0;
    }

    /// Whether a step at or after the matcher's still expects bytes.
    pub(crate) fn wants_more(&self, steps: &[Step]) -> bool {
        steps[self.pos.min(steps.len())..]
            .iter()
            .any(Step::takes_bytes)
    }

    /// Matches `bytes`, the next bytes the code wrote.
    pub(crate) fn feed(
        &mut self,
        name: Option<&str>,
        steps: &[Step],
        caps: &mut Captures,
        mut bytes: &[u8],
        on_fault: &mut impl FnMut(usize),
    ) -> Result<(), ScriptError> {
        while !bytes.is_empty() {
            self.skip(steps, on_fault);
            match steps.get(self.pos) {
                Some(Step::Write(expected)) => {
                    let want = &expected[self.offset..];
                    let n = want.len().min(bytes.len());
                    if let Some(at) = diff::first_difference(&want[..n], &bytes[..n]) {
                        return Err(self.mismatch(name, steps, expected, bytes, at));
                    }
                    self.advance(n);
                    bytes = &bytes[n..];
                    if self.offset == expected.len() {
                        self.next();
                    }
                }
                Some(Step::WriteUntil { delimiter, table }) => {
                    let mut used = 0;
                    let mut found = false;
                    for &b in bytes {
                        used += 1;
                        while self.kmp > 0 && delimiter[self.kmp] != b {
                            self.kmp = table[self.kmp - 1];
                        }
                        if delimiter[self.kmp] == b {
                            self.kmp += 1;
                        }
                        if self.kmp == delimiter.len() {
                            found = true;
                            break;
                        }
                    }
                    self.advance(used);
                    bytes = &bytes[used..];
                    if found {
                        self.next();
                    }
                }
                Some(Step::WriteAny(n)) => {
                    let k = (n - self.offset).min(bytes.len());
                    self.advance(k);
                    bytes = &bytes[k..];
                    if self.offset == *n {
                        self.next();
                    }
                }
                Some(Step::WriteTemplate(t)) => {
                    let used = self.feed_template(name, steps, t, caps, bytes)?;
                    bytes = &bytes[used..];
                }
                _ => return Err(self.unexpected(name, steps, bytes)),
            }
        }
        self.skip(steps, on_fault);
        Ok(())
    }

    /// Matches the start of `bytes` against the template the matcher is
    /// in; returns how many bytes it took (all of them, or up to the
    /// template's end, where it moves on to the next step).
    fn feed_template(
        &mut self,
        name: Option<&str>,
        steps: &[Step],
        t: &Template,
        caps: &mut Captures,
        bytes: &[u8],
    ) -> Result<usize, ScriptError> {
        let mut used = 0;
        loop {
            let Some(part) = t.parts.get(self.part) else {
                self.next();
                return Ok(used);
            };
            let rest = &bytes[used..];
            let taken = match part {
                Part::Lit(_) | Part::Value { .. } => {
                    let want = match part {
                        Part::Lit(lit) => &lit[..],
                        Part::Value { slot } => caps.value(*slot),
                        _ => unreachable!(),
                    };
                    let want = &want[self.part_offset..];
                    if want.is_empty() {
                        self.end_part();
                        continue;
                    }
                    let n = want.len().min(rest.len());
                    if let Some(at) = diff::first_difference(&want[..n], &rest[..n]) {
                        return Err(self.template_mismatch(name, steps, t, caps, rest, at));
                    }
                    n
                }
                Part::Skip(Some(len)) | Part::Keep { len: Some(len), .. } => {
                    let n = (len - self.part_offset).min(rest.len());
                    if let Part::Keep { slot, .. } = part {
                        caps.extend(*slot, &rest[..n]);
                    }
                    n
                }
                Part::Skip(None) | Part::Keep { len: None, .. } => {
                    let Some(Part::Lit(next)) = t.parts.get(self.part + 1) else {
                        unreachable!("build checks that a literal follows a hole")
                    };
                    let room = MAX_HOLE - self.part_offset;
                    let (n, found) = match rest.iter().position(|&b| b == next[0]) {
                        Some(p) if p <= room => (p, true),
                        _ if rest.len() > room => {
                            return Err(self.hole_overflow(name, steps, t, caps, next))
                        }
                        _ => (rest.len(), false),
                    };
                    if let Part::Keep { slot, .. } = part {
                        caps.extend(*slot, &rest[..n]);
                    }
                    self.advance(n);
                    self.part_offset += n;
                    used += n;
                    if found {
                        self.end_part_with(part, caps);
                        continue;
                    }
                    return Ok(used);
                }
            };
            if taken == 0 {
                return Ok(used);
            }
            self.advance(taken);
            self.part_offset += taken;
            used += taken;
            let len = match part {
                Part::Lit(lit) => lit.len(),
                Part::Value { slot } => caps.value(*slot).len(),
                Part::Skip(n) | Part::Keep { len: n, .. } => n.unwrap_or(usize::MAX),
            };
            if self.part_offset == len {
                self.end_part_with(part, caps);
            }
        }
    }

    fn end_part(&mut self) {
        self.part += 1;
        self.part_offset = 0;
    }

    fn end_part_with(&mut self, part: &Part, caps: &mut Captures) {
        if let Part::Keep { slot, .. } = part {
            caps.finish(*slot);
        }
        self.end_part();
    }

    fn advance(&mut self, n: usize) {
        self.offset += n;
        self.total += n as u64;
    }

    /// The code wrote `chunk[at]` where the step expects another byte.
    fn mismatch(
        &self,
        name: Option<&str>,
        steps: &[Step],
        expected: &[u8],
        chunk: &[u8],
        at: usize,
    ) -> ScriptError {
        let in_step = self.offset + at;
        let mut actual = expected[..self.offset].to_vec();
        let shown = (expected.len() - self.offset + AFTER).min(chunk.len());
        actual.extend_from_slice(&chunk[..shown]);
        let mut detail = String::new();
        let _ = writeln!(
            detail,
            "  first difference at offset {in_step} within the step, offset {} of all bytes written",
            self.total + at as u64
        );
        let _ = writeln!(
            detail,
            "  expected byte 0x{:02x}, written byte 0x{:02x}",
            expected[in_step], chunk[at]
        );
        diff::explain(&mut detail, expected, &actual, None);
        ScriptError::new(
            ScriptErrorKind::Mismatch,
            name,
            steps,
            Some(self.pos),
            "the code under test wrote a byte that differs from the step".into(),
            detail,
        )
        .with_excerpt(excerpts(expected, &actual, in_step, self.total + at as u64))
    }

    /// The code wrote `rest[at]` where the template's literal part (or a
    /// hole's value from before) expects another byte.
    fn template_mismatch(
        &self,
        name: Option<&str>,
        steps: &[Step],
        t: &Template,
        caps: &Captures,
        rest: &[u8],
        at: usize,
    ) -> ScriptError {
        let (what, expected) = match &t.parts[self.part] {
            Part::Lit(lit) => ("the literal part".to_owned(), &lit[..]),
            Part::Value { slot } => {
                let hole = match &t.pieces[self.part] {
                    Piece::Hole(h) => h.to_string(),
                    Piece::Lit(_) => String::new(),
                };
                (format!("the value of {hole}"), caps.value(*slot))
            }
            _ => unreachable!("only literal bytes and known values can differ"),
        };
        let in_part = self.part_offset + at;
        let mut detail = String::new();
        let _ = writeln!(detail, "  template: {}", preview(&t.text, 160));
        let kept = t.describe_kept(caps);
        if !kept.is_empty() {
            let _ = writeln!(detail, "  holes so far:");
            detail.push_str(&kept);
        }
        let _ = writeln!(
            detail,
            "  {what} {} diverged at its byte {in_part}: offset {} within the step, offset {} of all bytes written",
            preview(expected, 60),
            self.offset + at,
            self.total + at as u64
        );
        let _ = writeln!(
            detail,
            "  expected byte 0x{:02x}, written byte 0x{:02x}",
            expected[in_part], rest[at]
        );
        let mut actual = expected[..self.part_offset].to_vec();
        let shown = (expected.len() - self.part_offset + AFTER).min(rest.len());
        actual.extend_from_slice(&rest[..shown]);
        diff::explain(&mut detail, expected, &actual, None);
        ScriptError::new(
            ScriptErrorKind::Mismatch,
            name,
            steps,
            Some(self.pos),
            "the code under test wrote bytes that do not fit the template".into(),
            detail,
        )
        .with_excerpt(
            // The excerpt is of the literal part; its offset, of the step.
            excerpts(expected, &actual, in_part, self.total + at as u64).replacen(
                &format!("at offset {in_part} of the step"),
                &format!("at offset {} of the step", self.offset + at),
                1,
            ),
        )
    }

    /// A hole took 64 KiB without seeing the literal byte that ends it.
    fn hole_overflow(
        &self,
        name: Option<&str>,
        steps: &[Step],
        t: &Template,
        caps: &Captures,
        next: &[u8],
    ) -> ScriptError {
        let hole = match &t.pieces[self.part] {
            Piece::Hole(h) => h.to_string(),
            Piece::Lit(_) => String::new(),
        };
        let mut detail = String::new();
        let _ = writeln!(detail, "  template: {}", preview(&t.text, 160));
        let kept = t.describe_kept(caps);
        if !kept.is_empty() {
            let _ = writeln!(detail, "  holes so far:");
            detail.push_str(&kept);
        }
        let _ = writeln!(
            detail,
            "  the hole starts at offset {} within the step; the byte that ends it is 0x{:02x}, the first of {}",
            self.offset - self.part_offset,
            next[0],
            preview(next, 40)
        );
        ScriptError::new(
            ScriptErrorKind::Mismatch,
            name,
            steps,
            Some(self.pos),
            format!("the hole {hole} took 64 KiB without seeing the literal byte that ends it"),
            detail,
        )
    }

    /// The code wrote `extra` where no step takes writes.
    fn unexpected(&self, name: Option<&str>, steps: &[Step], extra: &[u8]) -> ScriptError {
        let mut detail = String::new();
        let _ = writeln!(
            detail,
            "  {} written at offset {} of all bytes written, where the script expects none",
            diff::count(extra.len(), "byte"),
            self.total
        );
        diff::recorded(&mut detail, "unexpected", extra, 1, "write");
        let step = (self.pos < steps.len()).then_some(self.pos);
        let headline = match step {
            Some(_) => "the code under test wrote bytes where the script ends the connection",
            None => "the code under test wrote bytes after the last step",
        };
        ScriptError::new(
            ScriptErrorKind::Unexpected,
            name,
            steps,
            step,
            headline.into(),
            detail,
        )
        .with_excerpt(format!(
            "at offset {} of all bytes written: got {}",
            self.total,
            preview(extra, EXCERPT)
        ))
    }
}

/// The one-line summary's part of a mismatch at offset `at` of a step
/// (`total` of the stream): where, and what was expected and written there,
/// about [`EXCERPT`] bytes each from a little before the difference.
fn excerpts(expected: &[u8], actual: &[u8], at: usize, total: u64) -> String {
    let start = at.saturating_sub(EXCERPT / 4);
    let cut = |bytes: &[u8]| {
        let shown = &bytes[start.min(bytes.len())..];
        let text = preview(shown, EXCERPT);
        if start > 0 {
            format!("...{text}")
        } else {
            text
        }
    };
    format!(
        "at offset {at} of the step ({total} of all bytes written): expected {}, got {}",
        cut(expected),
        cut(actual)
    )
}
