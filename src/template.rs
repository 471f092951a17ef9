//! Templates: byte strings with holes, shared by scripts
//! ([`Script::write_template`](crate::Script::write_template) and its
//! twins) and tape files (format version 2).
//!
//! - `{{name}}` matches bytes up to the first occurrence of the template's
//!   next literal byte, with no backtracking, and holds at most 64 KiB.
//! - `{{name:N}}` matches exactly `N` bytes.
//! - `{{_}}` and `{{_:N}}` match without keeping.
//! - `{{{{` is a literal `{{`, and a `{` right before a hole is literal:
//!   `{{{id}}` is `{` then the hole `{{id}}`.
//!
//! This file only parses, renders and (for golden files, where a turn's end
//! is known) fits whole byte strings; the streaming matcher of a running
//! script is in `script::matcher`. It imports nothing of the crate.

use std::fmt;

/// The most bytes a hole keeps or skips while it looks for its delimiter.
pub(crate) const MAX_HOLE: usize = 64 * 1024;

/// One part of a template.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Piece {
    /// Bytes that must be there as they are (never empty).
    Lit(Vec<u8>),
    /// A hole.
    Hole(Hole),
}

/// A hole: `{{name}}`, `{{name:N}}`, `{{_}}` or `{{_:N}}`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Hole {
    /// `None` for `_`.
    pub(crate) name: Option<Box<str>>,
    /// `Some(N)` for `:N`.
    pub(crate) len: Option<usize>,
}

impl fmt::Display for Hole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{{")?;
        f.write_str(self.name.as_deref().unwrap_or("_"))?;
        if let Some(n) = self.len {
            write!(f, ":{n}")?;
        }
        f.write_str("}}")
    }
}

/// Why a template is malformed, and the byte offset where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) at: usize,
    pub(crate) what: String,
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The hole whose text (between `{{` and `}}`) is `inner`, which starts at
/// byte `at` of the template.
fn hole(inner: &[u8], at: usize) -> Result<Hole, ParseError> {
    let bad = |what: String| ParseError { at, what };
    let (name, len) = match inner.iter().position(|&b| b == b':') {
        Some(colon) => (&inner[..colon], Some(&inner[colon + 1..])),
        None => (inner, None),
    };
    if name.is_empty() {
        return Err(bad(format!(
            "the hole `{{{{{}}}}}` has no name (use `_` for a hole that keeps nothing)",
            String::from_utf8_lossy(inner)
        )));
    }
    if let Some(&b) = name.iter().find(|&&b| !name_byte(b)) {
        return Err(bad(format!(
            "the hole `{{{{{}}}}}` has byte {:?} in its name (names are letters, digits, `_`, `-` and `.`; a literal `{{{{` is written `{{{{{{{{`)",
            String::from_utf8_lossy(inner),
            char::from(b)
        )));
    }
    let name = (name != b"_").then(|| {
        std::str::from_utf8(name)
            .expect("ASCII checked")
            .to_owned()
            .into_boxed_str()
    });
    let len = match len {
        None => None,
        Some(digits) => {
            let n = std::str::from_utf8(digits)
                .ok()
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    bad(format!(
                        "the hole `{{{{{}}}}}` needs a length of 1 or more after `:`",
                        String::from_utf8_lossy(inner)
                    ))
                })?;
            if name.is_some() && n > MAX_HOLE {
                return Err(bad(format!(
                    "the hole `{{{{{}}}}}` keeps {n} bytes, more than the 64 KiB a hole may keep",
                    String::from_utf8_lossy(inner)
                )));
            }
            Some(n)
        }
    };
    Ok(Hole { name, len })
}

fn push_lit(pieces: &mut Vec<Piece>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(Piece::Lit(lit)) => lit.extend_from_slice(bytes),
        _ => pieces.push(Piece::Lit(bytes.to_vec())),
    }
}

/// Parses a template. Adjacent literal bytes form one piece.
pub(crate) fn parse(t: &[u8]) -> Result<Vec<Piece>, ParseError> {
    let mut pieces = Vec::new();
    let mut i = 0;
    let mut lit_start = 0;
    while i < t.len() {
        let rest = &t[i..];
        if rest.starts_with(b"{{{{") {
            push_lit(&mut pieces, &t[lit_start..i]);
            push_lit(&mut pieces, b"{{");
            i += 4;
            lit_start = i;
        } else if rest.starts_with(b"{{{") {
            i += 1;
        } else if rest.starts_with(b"{{") {
            push_lit(&mut pieces, &t[lit_start..i]);
            let close = rest[2..]
                .windows(2)
                .position(|w| w == b"}}")
                .ok_or_else(|| ParseError {
                    at: i,
                    what:
                        "a `{{` opens a hole that no `}}` closes (a literal `{{` is written `{{{{`)"
                            .into(),
                })?;
            pieces.push(Piece::Hole(hole(&rest[2..2 + close], i)?));
            i += 2 + close + 2;
            lit_start = i;
        } else {
            i += 1;
        }
    }
    push_lit(&mut pieces, &t[lit_start..]);
    Ok(pieces)
}

/// Appends literal bytes as template text: `{{` becomes `{{{{`.
pub(crate) fn escape_into(out: &mut Vec<u8>, lit: &[u8]) {
    let mut i = 0;
    while i < lit.len() {
        if lit[i..].starts_with(b"{{") {
            out.extend_from_slice(b"{{{{");
            i += 2;
        } else {
            out.push(lit[i]);
            i += 1;
        }
    }
}

/// The template text of `pieces`, which [`parse`] reads back as the same
/// pieces.
pub(crate) fn render(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Lit(lit) => escape_into(&mut out, lit),
            Piece::Hole(h) => out.extend_from_slice(h.to_string().as_bytes()),
        }
    }
    out
}

/// Whether a literal holds `{{` (so a file holding it needs format v2).
pub(crate) fn has_braces(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"{{")
}

/// Values kept by name while fitting whole byte strings (golden files).
pub(crate) type Kept = Vec<(Box<str>, Vec<u8>)>;

fn kept<'a>(kept: &'a Kept, name: &str) -> Option<&'a [u8]> {
    kept.iter().find(|(n, _)| &**n == name).map(|(_, v)| &v[..])
}

/// Where `bytes` stops fitting `pieces`: the offset in `bytes` and why.
#[derive(Debug)]
pub(crate) struct Misfit {
    pub(crate) at: usize,
    pub(crate) why: String,
}

/// Fits all of `bytes` to `pieces`, as a script would match them, except
/// that the end of `bytes` also ends a hole. Named holes seen for the first
/// time are kept in `seen`; a name already there matches its value.
pub(crate) fn fit(pieces: &[Piece], bytes: &[u8], seen: &mut Kept) -> Result<(), Misfit> {
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let rest = &bytes[at..];
        match piece {
            Piece::Lit(lit) => {
                let n = lit.len().min(rest.len());
                if let Some(d) = (0..n).find(|&k| lit[k] != rest[k]) {
                    return Err(Misfit {
                        at: at + d,
                        why: format!("the literal part diverged at its byte {d}"),
                    });
                }
                if rest.len() < lit.len() {
                    return Err(Misfit {
                        at: bytes.len(),
                        why: format!("the bytes end {} bytes into a literal part", rest.len()),
                    });
                }
                at += lit.len();
            }
            Piece::Hole(h) => {
                if let Some(value) = h.name.as_deref().and_then(|n| kept(seen, n)) {
                    if !rest.starts_with(value) {
                        return Err(Misfit {
                            at,
                            why: format!("{h} does not hold the value it kept before"),
                        });
                    }
                    at += value.len();
                    continue;
                }
                let n = match (h.len, pieces.get(i + 1)) {
                    (Some(n), _) => {
                        if rest.len() < n {
                            return Err(Misfit {
                                at: bytes.len(),
                                why: format!("{h} needs {n} bytes, {} are left", rest.len()),
                            });
                        }
                        n
                    }
                    (None, Some(Piece::Lit(lit))) => {
                        rest.iter().position(|&b| b == lit[0]).unwrap_or(rest.len())
                    }
                    (None, _) => rest.len(),
                };
                if h.len.is_none() && n > MAX_HOLE {
                    return Err(Misfit {
                        at: at + MAX_HOLE,
                        why: format!("{h} holds more than 64 KiB"),
                    });
                }
                if let Some(name) = &h.name {
                    seen.push((name.clone(), rest[..n].to_vec()));
                }
                at += n;
            }
        }
    }
    if at < bytes.len() {
        return Err(Misfit {
            at,
            why: format!(
                "{} bytes are left after the template's end",
                bytes.len() - at
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(b: &[u8]) -> Piece {
        Piece::Lit(b.to_vec())
    }
    fn named(n: &str, len: Option<usize>) -> Piece {
        Piece::Hole(Hole {
            name: Some(n.into()),
            len,
        })
    }

    #[test]
    fn parses_holes_and_escapes() {
        assert_eq!(
            parse(b"a{{id}}b{{_:4}}{{{{c{{{x}}").unwrap(),
            vec![
                lit(b"a"),
                named("id", None),
                lit(b"b"),
                Piece::Hole(Hole {
                    name: None,
                    len: Some(4)
                }),
                lit(b"{{c{"),
                named("x", None),
            ]
        );
        for bad in [
            &b"{{"[..],
            b"{{}}",
            b"{{a b}}",
            b"{{a:}}",
            b"{{a:0}}",
            b"{{a:x}}",
            b"x{{a",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn render_round_trips() {
        for t in [
            &b"{{{{{{{a}}"[..],
            b"{",
            b"{{{{{{{{{",
            b"x{{y:3}}}}}",
            b"{{{{{{_}}",
        ] {
            let pieces = parse(t).unwrap();
            assert_eq!(parse(&render(&pieces)).unwrap(), pieces);
        }
        let lits: &[&[u8]] = &[b"{", b"{{", b"{{{", b"{{{{{"];
        for l in lits {
            let pieces = vec![lit(l), named("h", Some(2)), lit(l)];
            assert_eq!(parse(&render(&pieces)).unwrap(), pieces);
        }
    }

    #[test]
    fn fits_whole_strings() {
        let p = parse(b"id={{id}};echo={{id}};{{_:2}}{{rest}}").unwrap();
        let mut seen = Kept::new();
        fit(&p, b"id=42;echo=42;xxtail", &mut seen).unwrap();
        assert_eq!(kept(&seen, "rest"), Some(&b"tail"[..]));
        assert!(fit(&p, b"id=42;echo=43;xxtail", &mut Kept::new()).is_err());
    }
}
