//! The building blocks of every tape message: escaped text, and hex + ASCII
//! rows with marker rows under chosen bytes.
//!
//! A hex row looks like this (22 characters of label and offset, 16 bytes in
//! two groups of 8, then the bytes as ASCII):
//!
//! ```text
//!   actual    00000010  48 6f 73 74 3a 20 65 78  61 6d 70 6c 65 2e 63 6f  |Host: example.co|
//!                                                           ^^                          ^
//! ```

use std::fmt::Write as _;
use std::ops::Range;

/// Bytes per hex row.
pub(crate) const ROW: usize = 16;
/// Characters before the first hex digit: "  " + label(8) + "  " + offset(8) + "  ".
const LEAD: usize = 22;
/// Where the ASCII column starts: the hex area (16 * 3 + 1 for the gap) and " |".
const ASCII_AT: usize = LEAD + ROW * 3 + 1 + 2;

/// `bytes` as text with every byte that is not printable ASCII escaped:
/// `\0`, `\t`, `\r`, `\n`, `\\`, `\"` and `\xNN` for the rest.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            0 => out.push_str("\\0"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
}

/// `bytes` escaped and in double quotes.
pub(crate) fn quoted(bytes: &[u8]) -> String {
    format!("\"{}\"", escape(bytes))
}

/// A short quoted preview of `bytes` for one-line summaries: at most `max`
/// bytes, then `...`.
pub(crate) fn preview(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= max {
        quoted(bytes)
    } else {
        format!("{}...", quoted(&bytes[..max]))
    }
}

/// The column titles above a block of hex rows.
pub(crate) fn header(out: &mut String) {
    let _ = writeln!(out, "  {:<8}  {:<8}  {:<49} |ascii|", "", "offset", "hex");
}

/// One hex + ASCII row of `bytes`, covering `start..start + ROW`. A row past
/// the end of `bytes` shows only its label and offset.
pub(crate) fn row(out: &mut String, label: &str, bytes: &[u8], start: usize) {
    let line_start = out.len();
    let _ = write!(out, "  {label:<8}  {start:08x}  ");
    for i in 0..ROW {
        if i == ROW / 2 {
            out.push(' ');
        }
        match bytes.get(start + i) {
            Some(b) => {
                let _ = write!(out, "{b:02x} ");
            }
            None => out.push_str("   "),
        }
    }
    if start >= bytes.len() {
        let kept = out[line_start..].trim_end().len();
        out.truncate(line_start + kept);
        out.push('\n');
        return;
    }
    out.push_str(" |");
    for i in 0..ROW {
        match bytes.get(start + i) {
            Some(&b) if (0x20..0x7f).contains(&b) => out.push(char::from(b)),
            Some(_) => out.push('.'),
            None => out.push(' '),
        }
    }
    out.push_str("|\n");
}

/// The marker row under the row that starts at `start`: `^^` under each
/// marked byte in the hex column and `^` under it in the ASCII column.
/// Nothing if no byte of the row is marked.
pub(crate) fn marker(out: &mut String, start: usize, marked: &[Range<usize>]) {
    let row = start..start + ROW;
    let mut line = vec![b' '; ASCII_AT + ROW];
    let mut any = false;
    for range in marked {
        let from = range.start.max(row.start);
        let to = range.end.min(row.end);
        for offset in from..to {
            let column = offset - start;
            let hex = LEAD + column * 3 + usize::from(column >= ROW / 2);
            line[hex] = b'^';
            line[hex + 1] = b'^';
            line[ASCII_AT + column] = b'^';
            any = true;
        }
    }
    if any {
        let text = String::from_utf8_lossy(&line);
        out.push_str(text.trim_end());
        out.push('\n');
    }
}

/// One side's rows (row starts from `rows`), each followed by its marker
/// row. `rows` counts in bytes and is walked a row at a time.
pub(crate) struct Side<'a> {
    pub(crate) label: &'a str,
    pub(crate) bytes: &'a [u8],
    pub(crate) rows: Range<usize>,
    pub(crate) marked: &'a [Range<usize>],
}

impl Side<'_> {
    fn row_count(&self) -> usize {
        self.rows.len().div_ceil(ROW)
    }

    fn render(&self, out: &mut String, index: usize) {
        if index < self.row_count() {
            let start = self.rows.start + index * ROW;
            row(out, self.label, self.bytes, start);
            marker(out, start, self.marked);
        }
    }
}

/// A block of hex rows: the header, then the sides' rows interleaved, row by
/// row (with a marker row under each row that holds a marked byte).
pub(crate) fn block(out: &mut String, sides: &[Side<'_>]) {
    header(out);
    let rows = sides.iter().map(Side::row_count).max().unwrap_or(0);
    for index in 0..rows {
        for side in sides {
            side.render(out, index);
        }
    }
}

/// The row starts (as a byte range, row-aligned) that show `range` of a side
/// `len` bytes long with `context` bytes around it, at most `max` bytes of
/// `range` itself. Always at least one row, even for an empty range at the
/// end.
pub(crate) fn window(len: usize, range: &Range<usize>, context: usize, max: usize) -> Range<usize> {
    let first = range.start.saturating_sub(context) / ROW * ROW;
    let shown_end = range.start + range.len().min(max);
    let end = (shown_end + context).min(len).max(range.start + 1);
    first..end.div_ceil(ROW) * ROW
}

/// Every row of a side `len` bytes long (one row if it is empty).
pub(crate) fn all_rows(len: usize) -> Range<usize> {
    0..len.max(1).div_ceil(ROW) * ROW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_cases() {
        assert_eq!(
            escape(b"a\0b\r\n\t\\\"'\x7f\xff~ "),
            r#"a\0b\r\n\t\\\"'\x7f\xff~ "#
        );
    }

    #[test]
    fn marker_sits_under_each_marked_byte() {
        let bytes = b"0123456789abcdefXYZ";
        let mut out = String::new();
        row(&mut out, "actual", bytes, 0);
        marker(&mut out, 0, std::slice::from_ref(&(7..9)));
        row(&mut out, "actual", bytes, 16);
        marker(&mut out, 16, &[7..9, 17..18]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        for (row, marker, expected) in [(0, 1, ["37", "38"]), (2, 3, ["59", "59"])] {
            let hex: Vec<usize> = lines[marker][..ASCII_AT]
                .match_indices("^^")
                .map(|(i, _)| i)
                .collect();
            assert_eq!(&lines[row][hex[0]..hex[0] + 2], expected[0], "{out}");
            assert_eq!(
                &lines[row][hex[hex.len() - 1]..hex[hex.len() - 1] + 2],
                expected[1]
            );
        }
        // Columns 7 and 8 straddle the gap between the two groups of 8.
        let ascii: Vec<usize> = lines[1]
            .rmatch_indices('^')
            .map(|(i, _)| i)
            .take(2)
            .collect();
        assert_eq!(&lines[0][ascii[1]..=ascii[0]], "78");
        let ascii = lines[3].rfind('^').unwrap();
        assert_eq!(&lines[2][ascii..=ascii], "Y");
    }

    #[test]
    fn windows_are_row_aligned_and_never_empty() {
        assert_eq!(window(100, &(40..41), 16, 64), 16..64);
        assert_eq!(window(100, &(0..0), 16, 64), 0..16);
        assert_eq!(window(10, &(10..10), 16, 64), 0..16);
        assert_eq!(window(1000, &(100..900), 16, 64), 80..192);
        assert_eq!(all_rows(0), 0..16);
        assert_eq!(all_rows(33), 0..48);
    }
}
