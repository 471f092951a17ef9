//! Mismatch messages for the tape assertions.
//!
//! Everything here runs only when an assertion fails, so it favours a readable
//! message over speed. The tape hands in plain slices plus the end offsets of
//! each recorded write (or read), so no lock is held while formatting.

use std::fmt::Write as _;

/// Bytes shown on each side of the first difference in the hex window.
const CONTEXT: usize = 16;
/// Bytes per hex row.
const ROW: usize = 16;
/// Longest side shown in full as escaped text; longer ones are cut around the
/// difference.
const TEXT_FULL: usize = 160;
/// Bytes of text shown on each side of the difference when cut.
const TEXT_CONTEXT: usize = 64;
/// Writes listed in full in a framing mismatch.
const LIST_MAX: usize = 16;
/// Bytes of each write previewed in a framing mismatch.
const PREVIEW: usize = 40;

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
    if a == b {
        return None;
    }
    let common = a.len().min(b.len());
    // Compare in blocks first so long equal prefixes are cheap.
    let mut at = 0;
    while at + 64 <= common && a[at..at + 64] == b[at..at + 64] {
        at += 64;
    }
    Some(
        a[at..common]
            .iter()
            .zip(&b[at..common])
            .position(|(x, y)| x != y)
            .map_or(common, |p| at + p),
    )
}

/// Whether `bytes` reads well as escaped text: at least 90% printable ASCII
/// or common whitespace.
fn mostly_printable(bytes: &[u8]) -> bool {
    let printable = bytes
        .iter()
        .filter(|&&b| (0x20..0x7f).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    printable * 10 >= bytes.len() * 9
}

/// `bytes` as a quoted, escaped string; cut around `around` when long.
fn escaped(bytes: &[u8], around: usize) -> String {
    if bytes.len() <= TEXT_FULL {
        return format!("\"{}\"", bytes.escape_ascii());
    }
    let start = around.saturating_sub(TEXT_CONTEXT).min(bytes.len());
    let end = (around + TEXT_CONTEXT).min(bytes.len());
    format!(
        "{}\"{}\"{} ({} bytes in all, showing {}..{})",
        if start > 0 { "..." } else { "" },
        bytes[start..end].escape_ascii(),
        if end < bytes.len() { "..." } else { "" },
        bytes.len(),
        start,
        end
    )
}

/// A short preview of `bytes` for one-line summaries.
pub(crate) fn preview(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= max {
        format!("\"{}\"", bytes.escape_ascii())
    } else {
        format!("\"{}\"...", bytes[..max].escape_ascii())
    }
}

/// One hex + ASCII row of `bytes`, covering `row_start..row_start + ROW`.
fn hex_row(out: &mut String, label: &str, bytes: &[u8], row_start: usize) {
    let _ = write!(out, "  {label:<8}  {row_start:08x}  ");
    for i in 0..ROW {
        if i == ROW / 2 {
            out.push(' ');
        }
        match bytes.get(row_start + i) {
            Some(b) => {
                let _ = write!(out, "{b:02x} ");
            }
            None => out.push_str("   "),
        }
    }
    if row_start >= bytes.len() {
        out.truncate(out.trim_end().len());
        out.push('\n');
        return;
    }
    out.push_str(" |");
    for i in 0..ROW {
        match bytes.get(row_start + i) {
            Some(&b) if (0x20..0x7f).contains(&b) => out.push(b as char),
            Some(_) => out.push('.'),
            None => break,
        }
    }
    out.push_str("|\n");
}

/// The marker row: `^^` under the differing byte in the hex column and `^`
/// under it in the ASCII column.
fn marker_row(out: &mut String, column: usize) {
    // "  " + label(8) + "  " + offset(8) + "  " = 22 characters before the hex.
    let mut line = " ".repeat(22);
    let hex_at = column * 3 + usize::from(column >= ROW / 2);
    line.push_str(&" ".repeat(hex_at));
    line.push_str("^^");
    // Hex area: 16 * 3 + 1 (gap) characters, then " |".
    let ascii_at = 22 + ROW * 3 + 1 + 2 + column;
    while line.len() < ascii_at {
        line.push(' ');
    }
    line.push('^');
    out.push_str(&line);
    out.push('\n');
}

/// A hex + ASCII window of `expected` and `actual` around `offset`, in aligned
/// rows: expected, actual, then a marker under the first difference.
pub(crate) fn hex_window(out: &mut String, expected: &[u8], actual: &[u8], offset: usize) {
    let longest = expected.len().max(actual.len());
    let first_row = offset.saturating_sub(CONTEXT) / ROW * ROW;
    let end = (offset + CONTEXT + 1).min(longest).max(offset + 1);
    let _ = writeln!(out, "  {:<8}  {:<8}  {:<49} |ascii|", "", "offset", "hex");
    let mut row = first_row;
    while row < end {
        hex_row(out, "expected", expected, row);
        hex_row(out, "actual", actual, row);
        if (row..row + ROW).contains(&offset) {
            marker_row(out, offset - row);
        }
        row += ROW;
    }
}

/// Describes where `offset` falls among the chunks of one side.
fn position_note(ends: &[usize], offset: usize, unit: &str) -> String {
    match locate(ends, offset) {
        Some((index, within)) => format!("{unit} #{index} at offset {within} of that {unit}"),
        None if ends.is_empty() => format!("past the end (nothing was recorded as a {unit})"),
        None => format!("past the end of the last {unit} (#{})", ends.len() - 1),
    }
}

/// Appends both sides as escaped text when they are mostly printable.
fn text_lines(out: &mut String, expected: &[u8], actual: &[u8], offset: usize) {
    if mostly_printable(expected) && mostly_printable(actual) {
        let _ = writeln!(out, "  expected (text): {}", escaped(expected, offset));
        let _ = writeln!(out, "  actual   (text): {}", escaped(actual, offset));
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
    out.push('\n');
    hex_window(&mut out, expected, actual, offset);
    out.push('\n');
    text_lines(&mut out, expected, actual, offset);
    Some(out.trim_end().to_owned())
}

/// "1 write", "3 writes".
fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `('A')`, `('\n')` and the like for a byte.
fn char_note(b: u8) -> String {
    format!("('{}')", [b].escape_ascii())
}

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
            out.push('\n');
            hex_window(&mut out, e, a, offset);
            out.push('\n');
            text_lines(&mut out, e, a, offset);
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

    #[test]
    fn marker_sits_under_the_byte() {
        let mut out = String::new();
        hex_window(&mut out, b"0123456789abcdefXYZ", b"0123456789abcdefXQZ", 17);
        let lines: Vec<&str> = out.lines().collect();
        let actual = lines
            .iter()
            .rposition(|l| l.trim_start().starts_with("actual"))
            .unwrap();
        let marker = lines[actual + 1];
        let caret = marker.find("^^").unwrap();
        assert_eq!(&lines[actual][caret..caret + 2], "51");
        let ascii_caret = marker.rfind('^').unwrap();
        assert_eq!(&lines[actual][ascii_caret..=ascii_caret], "Q");
    }
}
