//! Mismatch messages for the tape assertions, and the dump of what was
//! recorded that the waits print when they fail.
//!
//! Everything here runs only when an assertion or a wait fails, so it favours
//! a readable message over speed. The tape hands in plain slices plus the end
//! offsets of each recorded write (or read), so no lock is held while
//! formatting. The alignment comes from [`super::align`], the hex rows and
//! escaping from [`super::hexdump`].

use std::fmt::Write as _;
use std::ops::Range;

use super::align::{align, Alignment, Region};
use super::hexdump::{all_rows, block, escape, quoted, window, Side};

pub(crate) use super::hexdump::preview;

/// Bytes of context shown on each side of a differing region in the hex.
const CONTEXT: usize = 16;
/// Sides up to this long are shown whole, in hex and as text.
const FULL: usize = 256;
/// Bytes of a long region shown in its hex window.
const REGION_SHOWN: usize = 64;
/// Differing regions listed (and shown in hex) before "N more regions".
const REGIONS_MAX: usize = 8;
/// Bytes of text shown on each side of the first difference when cut.
const TEXT_CONTEXT: usize = 64;
/// Bytes of each region previewed in the list of regions.
const REGION_PREVIEW: usize = 24;

/// The index of the chunk (write or read) holding byte `offset`, and the
/// offset within that chunk. `None` if `offset` is past the last chunk.
fn locate(ends: &[usize], offset: usize) -> Option<(usize, usize)> {
    let index = ends.partition_point(|&end| end <= offset);
    if index == ends.len() {
        return None;
    }
    let start = if index == 0 { 0 } else { ends[index - 1] };
    Some((index, offset - start))
}

/// The offset of the first byte where `a` and `b` differ, or the shorter
/// length if one is a prefix of the other; `None` if they are equal.
pub(crate) fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    (a != b).then(|| a.iter().zip(b).take_while(|(x, y)| x == y).count())
}

/// `bytes` as one quoted, escaped string; cut around `around` when longer
/// than [`FULL`].
fn escaped(bytes: &[u8], around: usize) -> String {
    if bytes.len() <= FULL {
        return quoted(bytes);
    }
    let start = around.saturating_sub(TEXT_CONTEXT).min(bytes.len());
    let end = (around + TEXT_CONTEXT).min(bytes.len());
    format!(
        "{}{}{} ({} bytes in all, showing {}..{})",
        if start > 0 { "..." } else { "" },
        quoted(&bytes[start..end]),
        if end < bytes.len() { "..." } else { "" },
        bytes.len(),
        start,
        end
    )
}

/// "1 byte", "3 bytes".
pub(crate) fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `('A')`, `('\n')` and the like for a byte.
fn char_note(b: u8) -> String {
    format!("('{}')", escape(&[b]))
}

/// Describes where `offset` falls among the chunks of one side.
fn position_note(ends: &[usize], offset: usize, unit: &str) -> String {
    match locate(ends, offset) {
        Some((index, within)) => format!("{unit} #{index} at offset {within} of that {unit}"),
        None if ends.is_empty() => format!("past the end (nothing was recorded as a {unit})"),
        None => format!("past the end of the last {unit} (#{})", ends.len() - 1),
    }
}

/// One line of the list of regions.
fn describe(out: &mut String, n: usize, r: &Region, e: &[u8], a: &[u8], chunks: Chunks<'_>) {
    let (e_part, a_part) = (&e[r.expected.clone()], &a[r.actual.clone()]);
    let _ = write!(out, "    {n}. offset {}", r.expected.start);
    if r.actual.start != r.expected.start {
        let _ = write!(out, " (actual offset {})", r.actual.start);
    }
    let (ep, ap) = (
        preview(e_part, REGION_PREVIEW),
        preview(a_part, REGION_PREVIEW),
    );
    let _ = match (e_part.is_empty(), a_part.is_empty()) {
        (false, true) => write!(out, ": {} missing {ep}", count(e_part.len(), "byte")),
        (true, false) => write!(out, ": {} extra {ap}", count(a_part.len(), "byte")),
        _ => write!(
            out,
            ": expected {} {ep}, actual {} {ap}",
            count(e_part.len(), "byte"),
            count(a_part.len(), "byte")
        ),
    };
    if let Some((ends, unit)) = chunks {
        match locate(ends, r.actual.start) {
            Some((index, within)) => {
                let _ = write!(out, "; {unit} #{index} at offset {within}");
            }
            None => {
                if let Some(last) = ends.len().checked_sub(1) {
                    let _ = write!(out, "; after the last {unit} (#{last})");
                }
            }
        }
    }
    out.push('\n');
}

/// The recorded chunk boundaries of the actual side and their unit, when
/// regions should say which write (or read) holds them.
pub(crate) type Chunks<'a> = Option<(&'a [usize], &'a str)>;

/// The aligned diff of two differing sides: the list of differing regions,
/// their hex (both sides whole when short, a window per region otherwise)
/// and both sides as escaped text.
pub(crate) fn explain(out: &mut String, e: &[u8], a: &[u8], chunks: Chunks<'_>) {
    let Alignment {
        regions,
        unaligned_from,
    } = align(e, a);
    let _ = writeln!(
        out,
        "  {} (aligned: inserted or deleted bytes shift the rest):",
        count(regions.len(), "differing region")
    );
    for (i, region) in regions.iter().take(REGIONS_MAX).enumerate() {
        describe(out, i + 1, region, e, a, chunks);
    }
    if regions.len() > REGIONS_MAX {
        let _ = writeln!(
            out,
            "    ... and {} more regions",
            regions.len() - REGIONS_MAX
        );
    }
    if let Some((e_at, a_at)) = unaligned_from {
        let _ = writeln!(
            out,
            "    ... and more from offset {e_at} (actual offset {a_at}) on, not aligned: \
             the differing middle is longer than 64 KiB"
        );
    }
    let marks = |side: fn(&Region) -> Range<usize>, all: &[Region]| -> Vec<Range<usize>> {
        all.iter().map(side).collect()
    };
    if e.len() <= FULL && a.len() <= FULL {
        out.push('\n');
        let (e_marks, a_marks) = (
            marks(|r| r.expected.clone(), &regions),
            marks(|r| r.actual.clone(), &regions),
        );
        block(
            out,
            &[
                Side {
                    label: "expected",
                    bytes: e,
                    rows: all_rows(e.len()),
                    marked: &e_marks,
                },
                Side {
                    label: "actual",
                    bytes: a,
                    rows: all_rows(a.len()),
                    marked: &a_marks,
                },
            ],
        );
    } else {
        windows(out, e, a, &regions[..regions.len().min(REGIONS_MAX)]);
    }
    out.push('\n');
    let first = regions.first().map_or(0, |r| r.expected.start);
    let _ = writeln!(out, "  expected (text): {}", escaped(e, first));
    let _ = writeln!(out, "  actual   (text): {}", escaped(a, first));
}

/// One hex block per group of regions whose windows overlap.
fn windows(out: &mut String, e: &[u8], a: &[u8], regions: &[Region]) {
    let win = |len, r: &Range<usize>| window(len, r, CONTEXT, REGION_SHOWN);
    let mut at = 0;
    while at < regions.len() {
        let (mut e_rows, mut a_rows) = (
            win(e.len(), &regions[at].expected),
            win(a.len(), &regions[at].actual),
        );
        let mut end = at + 1;
        while let Some(next) = regions.get(end) {
            let (ne, na) = (win(e.len(), &next.expected), win(a.len(), &next.actual));
            if ne.start > e_rows.end || na.start > a_rows.end {
                break;
            }
            e_rows.end = e_rows.end.max(ne.end);
            a_rows.end = a_rows.end.max(na.end);
            end += 1;
        }
        let group = &regions[at..end];
        let e_marks: Vec<_> = group.iter().map(|r| r.expected.clone()).collect();
        let a_marks: Vec<_> = group.iter().map(|r| r.actual.clone()).collect();
        out.push('\n');
        let shown = |r: &Region| r.expected.len().max(r.actual.len()) > REGION_SHOWN;
        if group.iter().any(shown) {
            let _ = writeln!(
                out,
                "  (regions longer than {REGION_SHOWN} bytes: their first {REGION_SHOWN} bytes)"
            );
        }
        block(
            out,
            &[
                Side {
                    label: "expected",
                    bytes: e,
                    rows: e_rows,
                    marked: &e_marks,
                },
                Side {
                    label: "actual",
                    bytes: a,
                    rows: a_rows,
                    marked: &a_marks,
                },
            ],
        );
        at = end;
    }
}

/// The message for a byte-stream mismatch, or `None` if the bytes are equal.
///
/// `what` names the stream ("written", "read"), `unit` one chunk of it
/// ("write", "read"), and `ends` holds the end offset of each recorded chunk of
/// `actual`.
pub(crate) fn stream_mismatch(
    what: &str,
    unit: &str,
    expected: &[u8],
    actual: &[u8],
    ends: &[usize],
) -> Option<String> {
    let offset = first_difference(expected, actual)?;
    let mut out = String::new();
    let _ = writeln!(out, "{what} bytes differ from the expected bytes");
    let _ = writeln!(
        out,
        "  expected: {} bytes, actual: {} bytes ({})",
        expected.len(),
        actual.len(),
        count(ends.len(), unit)
    );
    let _ = write!(out, "  first difference at offset {offset}");
    if offset < actual.len() {
        let _ = write!(out, ", in {}", position_note(ends, offset, unit));
    } else if let Some(last) = ends.len().checked_sub(1) {
        let _ = write!(out, ", just after the last {unit} (#{last})");
    }
    out.push('\n');
    if offset == actual.len() {
        let _ = writeln!(
            out,
            "  the actual bytes end there: they are a prefix of the expected bytes \
             ({} missing)",
            expected.len() - offset
        );
    } else if offset == expected.len() {
        let _ = writeln!(
            out,
            "  the expected bytes end there: {} extra bytes were {what}",
            actual.len() - offset
        );
    } else {
        let _ = writeln!(
            out,
            "  expected byte 0x{:02x} {}, actual byte 0x{:02x} {}",
            expected[offset],
            char_note(expected[offset]),
            actual[offset],
            char_note(actual[offset])
        );
    }
    explain(&mut out, expected, actual, Some((ends, unit)));
    Some(out.trim_end().to_owned())
}

/// What a wait saw when it failed: how many bytes and chunks, then their hex
/// (whole when short, else the last [`FULL`] bytes) and the escaped text.
pub(crate) fn recorded(out: &mut String, label: &str, bytes: &[u8], chunks: usize, unit: &str) {
    let len = bytes.len();
    let _ = writeln!(
        out,
        "  {} {label} so far ({})",
        count(len, "byte"),
        count(chunks, unit)
    );
    if len == 0 {
        return;
    }
    out.push('\n');
    let rows = if len <= FULL {
        all_rows(len)
    } else {
        let first = (len - FULL) / 16 * 16;
        let _ = writeln!(out, "  (the last {} of {len} bytes)", len - first);
        first..all_rows(len).end
    };
    block(
        out,
        &[Side {
            label,
            bytes,
            rows,
            marked: &[],
        }],
    );
    out.push('\n');
    let text = if len <= FULL {
        quoted(bytes)
    } else {
        format!("...{}", quoted(&bytes[len - 2 * TEXT_CONTEXT..]))
    };
    let _ = writeln!(out, "  {label} (text): {text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_chunk_and_offset() {
        let ends = [3, 5, 9];
        assert_eq!(locate(&ends, 0), Some((0, 0)));
        assert_eq!(locate(&ends, 2), Some((0, 2)));
        assert_eq!(locate(&ends, 3), Some((1, 0)));
        assert_eq!(locate(&ends, 8), Some((2, 3)));
        assert_eq!(locate(&ends, 9), None);
    }

    #[test]
    fn first_difference_cases() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"ab", b"abc"), Some(2));
        let long: Vec<u8> = (0..200u8).collect();
        let mut other = long.clone();
        other[150] = 0;
        assert_eq!(first_difference(&long, &other), Some(150));
    }
}
