//! The message for a framing mismatch ([`Tape::assert_writes`](super::Tape::assert_writes)):
//! which write differs first, the aligned diff of that write (from
//! [`super::diff`]), and the writes of both sides.

use std::fmt::Write as _;

use super::diff::{count, explain, first_difference, preview};

/// Writes listed in full in a framing mismatch.
const LIST_MAX: usize = 16;
/// Bytes of each write previewed in a framing mismatch.
const PREVIEW: usize = 40;

/// The message for a framing mismatch between the expected writes and the
/// recorded ones (`actual` split at `ends`), or `None` if they match.
pub(crate) fn chunks_mismatch(
    unit: &str,
    expected: &[&[u8]],
    actual: &[u8],
    ends: &[usize],
) -> Option<String> {
    let chunk = |i: usize| -> &[u8] {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &actual[start..ends[i]]
    };
    let common = expected.len().min(ends.len());
    let differing = (0..common).find(|&i| expected[i] != chunk(i));
    if differing.is_none() && expected.len() == ends.len() {
        return None;
    }
    let expected_total: usize = expected.iter().map(|e| e.len()).sum();
    let mut out = String::new();
    let _ = writeln!(out, "{unit}s differ from the expected {unit}s");
    let _ = writeln!(
        out,
        "  expected: {} ({} bytes), actual: {} ({} bytes)",
        count(expected.len(), unit),
        expected_total,
        count(ends.len(), unit),
        actual.len()
    );
    match differing {
        Some(i) => {
            let (e, a) = (expected[i], chunk(i));
            let offset = first_difference(e, a).unwrap_or(0);
            let start = if i == 0 { 0 } else { ends[i - 1] };
            let _ = writeln!(
                out,
                "  first differing {unit}: #{i} (the {unit}s before it match)"
            );
            let _ = writeln!(
                out,
                "    expected {unit} #{i}: {} bytes {}",
                e.len(),
                preview(e, PREVIEW)
            );
            let _ = writeln!(
                out,
                "    actual   {unit} #{i}: {} bytes {}",
                a.len(),
                preview(a, PREVIEW)
            );
            let _ = writeln!(
                out,
                "    first difference at offset {offset} of {unit} #{i} \
                 (offset {} of all bytes)",
                start + offset
            );
            explain(&mut out, e, a, None);
        }
        None if expected.len() > ends.len() => {
            let _ = writeln!(
                out,
                "  the first {common} {unit}s match; {} expected {unit}(s) missing, \
                 the first being #{common}: {}",
                expected.len() - common,
                preview(expected[common], PREVIEW)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  the first {common} {unit}s match; {} extra {unit}(s), \
                 the first being #{common}: {}",
                ends.len() - common,
                preview(chunk(common), PREVIEW)
            );
        }
    }
    let concatenated_equal = expected_total == actual.len() && {
        let mut at = 0;
        expected.iter().all(|e| {
            let ok = actual[at..at + e.len()] == **e;
            at += e.len();
            ok
        })
    };
    if concatenated_equal {
        let _ = writeln!(
            out,
            "  note: all bytes are equal; only the {unit} boundaries differ"
        );
    }
    list(&mut out, "expected", unit, expected.iter().copied());
    list(&mut out, "actual", unit, (0..ends.len()).map(chunk));
    Some(out.trim_end().to_owned())
}

/// One line per chunk (up to [`LIST_MAX`]), for a framing mismatch.
fn list<'a>(
    out: &mut String,
    label: &str,
    unit: &str,
    chunks: impl ExactSizeIterator<Item = &'a [u8]>,
) {
    let count = chunks.len();
    let _ = writeln!(out, "  {label} {unit}s:");
    for (i, c) in chunks.take(LIST_MAX).enumerate() {
        let _ = writeln!(
            out,
            "    #{i:<3} {:>6} bytes  {}",
            c.len(),
            preview(c, PREVIEW)
        );
    }
    if count > LIST_MAX {
        let _ = writeln!(out, "    ... and {} more", count - LIST_MAX);
    }
}
