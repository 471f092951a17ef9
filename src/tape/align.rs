//! Aligning the expected bytes with the actual ones: the regions where they
//! differ, with insertions and deletions found as such, so a byte inserted
//! early does not make everything after it look different.
//!
//! The alignment is a Myers diff over bytes from the `similar` crate (the diff
//! library insta uses; zero dependencies of its own with its default features
//! off). Around it this file trims the common prefix and suffix first (so the
//! first region starts exactly at the first differing byte), bounds the work
//! (at most [`ALIGN_MAX`] bytes per side and [`TIME_LIMIT`] of time: this runs
//! only when an assertion fails, and a failure must never hang), and merges
//! changes separated by fewer than [`MERGE_GAP`] equal bytes, so that a
//! replaced word is one region rather than a handful of one-byte ones.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

/// The longest differing middle (after the common prefix and suffix) aligned
/// on each side; past it, the rest is reported as not aligned.
const ALIGN_MAX: usize = 64 * 1024;
/// The time the alignment may take before it settles for a coarser result.
const TIME_LIMIT: Duration = Duration::from_millis(200);
/// Changes closer than this many equal bytes form one region.
const MERGE_GAP: usize = 4;

/// One region where the sides differ: `expected[expected]` stands where
/// `actual[actual]` is. One of the two is empty for a pure deletion (bytes
/// missing from the actual side) or insertion (extra actual bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) expected: Range<usize>,
    pub(crate) actual: Range<usize>,
}

/// The differing regions of two byte strings, in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Alignment {
    pub(crate) regions: Vec<Region>,
    /// When the differing middle was too long to align whole: the offsets
    /// (expected, actual) from which the sides were not aligned.
    pub(crate) unaligned_from: Option<(usize, usize)>,
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let common = a.len().min(b.len());
    // Compare in blocks first so long equal prefixes are cheap.
    let mut at = 0;
    while at + 64 <= common && a[at..at + 64] == b[at..at + 64] {
        at += 64;
    }
    a[at..common]
        .iter()
        .zip(&b[at..common])
        .position(|(x, y)| x != y)
        .map_or(common, |p| at + p)
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Aligns `expected` with `actual`. No regions if they are equal.
pub(crate) fn align(expected: &[u8], actual: &[u8]) -> Alignment {
    let prefix = common_prefix(expected, actual);
    if prefix == expected.len() && prefix == actual.len() {
        return Alignment::default();
    }
    let suffix = common_suffix(&expected[prefix..], &actual[prefix..]);
    let e_mid = prefix..expected.len() - suffix;
    let a_mid = prefix..actual.len() - suffix;
    if e_mid.is_empty() || a_mid.is_empty() {
        // A pure insertion or deletion: nothing to align.
        return Alignment {
            regions: vec![Region {
                expected: e_mid,
                actual: a_mid,
            }],
            unaligned_from: None,
        };
    }
    let truncated = e_mid.len() > ALIGN_MAX || a_mid.len() > ALIGN_MAX;
    let e_win = prefix..prefix + e_mid.len().min(ALIGN_MAX);
    let a_win = prefix..prefix + a_mid.len().min(ALIGN_MAX);
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &expected[e_win.clone()],
        &actual[a_win.clone()],
        Instant::now().checked_add(TIME_LIMIT),
    );
    let mut regions: Vec<Region> = Vec::new();
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        let region = Region {
            expected: old.start + prefix..old.end + prefix,
            actual: new.start + prefix..new.end + prefix,
        };
        match regions.last_mut() {
            // The equal gap is the same length on both sides.
            Some(last) if region.expected.start - last.expected.end < MERGE_GAP => {
                last.expected.end = region.expected.end;
                last.actual.end = region.actual.end;
            }
            _ => regions.push(region),
        }
    }
    let mut unaligned_from = None;
    if truncated {
        // The windows end at arbitrary points of each side, so a region that
        // reaches the end of either window is an artefact of the cut.
        let cut = match regions.last() {
            Some(last) if last.expected.end == e_win.end || last.actual.end == a_win.end => {
                regions.pop().map(|r| (r.expected.start, r.actual.start))
            }
            _ => None,
        };
        unaligned_from = Some(cut.unwrap_or((e_win.end, a_win.end)));
    }
    Alignment {
        regions,
        unaligned_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(e: &[u8], a: &[u8]) -> Vec<(Range<usize>, Range<usize>)> {
        let alignment = align(e, a);
        assert_eq!(alignment.unaligned_from, None);
        alignment
            .regions
            .into_iter()
            .map(|r| (r.expected, r.actual))
            .collect()
    }

    #[test]
    fn equal_sides_have_no_region() {
        assert_eq!(align(b"abc", b"abc"), Alignment::default());
        assert_eq!(align(b"", b""), Alignment::default());
    }

    #[test]
    fn insertions_and_deletions_are_found_as_such() {
        assert_eq!(regions(b"abcdef", b"abcXdef"), [(3..3, 3..4)]);
        assert_eq!(regions(b"abcXdef", b"abcdef"), [(3..4, 3..3)]);
        assert_eq!(regions(b"abc", b"abcde"), [(3..3, 3..5)]);
        assert_eq!(regions(b"", b"ab"), [(0..0, 0..2)]);
        // One byte changed early, one inserted later: two regions, and the
        // bytes between them are not reported although they shifted.
        assert_eq!(
            regions(b"0123456789abcdefghij", b"0X23456789abcd+efghij"),
            [(1..2, 1..2), (14..14, 14..15)]
        );
    }

    #[test]
    fn the_first_region_starts_at_the_first_difference() {
        // "aab" -> "aaab": the inserted 'a' could be placed anywhere in the
        // run; it is reported where the bytes first differ.
        assert_eq!(regions(b"aab", b"aaab"), [(2..2, 2..3)]);
    }

    #[test]
    fn nearby_changes_merge_into_one_region() {
        assert_eq!(regions(b"name=charlie;", b"name=alice;"), [(5..11, 5..9)]);
        assert_eq!(regions(b"id=alice;", b"id=bob;"), [(3..8, 3..6)]);
    }

    #[test]
    fn overlong_middles_are_aligned_up_to_the_limit() {
        let expected = vec![b'x'; ALIGN_MAX * 2];
        let mut actual = expected.clone();
        actual[10] = b'!';
        actual[ALIGN_MAX + 100] = b'?';
        let alignment = align(&expected, &actual);
        assert_eq!(
            alignment.regions,
            [Region {
                expected: 10..11,
                actual: 10..11
            }]
        );
        let (e, a) = alignment.unaligned_from.unwrap();
        assert!(e > 11 && a > 11, "{e} {a}");
    }
}
