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

use super::error::{ScriptError, ScriptErrorKind, EXCERPT};
use super::step::Step;
use crate::tape::diff;
use crate::tape::hexdump::preview;

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
                Step::Write(bytes) if !bytes.is_empty() => return,
                Step::WriteUntil { .. } | Step::Close | Step::Reset => return,
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
    }

    /// Whether a step at or after the matcher's still expects bytes.
    pub(crate) fn wants_more(&self, steps: &[Step]) -> bool {
        steps[self.pos.min(steps.len())..]
            .iter()
            .any(|s| s.takes_writes() && !matches!(s, Step::Write(b) if b.is_empty()))
    }

    /// Matches `bytes`, the next bytes the code wrote.
    pub(crate) fn feed(
        &mut self,
        name: Option<&str>,
        steps: &[Step],
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
                _ => return Err(self.unexpected(name, steps, bytes)),
            }
        }
        self.skip(steps, on_fault);
        Ok(())
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
