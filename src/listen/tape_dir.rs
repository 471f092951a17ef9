//! Folders of tape files, one file per connection, named after the
//! connection's label: `save_tapes` writes them, `replay_dir` reads them
//! back by label, in connection order.
//!
//! Connection `db:5432#2` is saved as `db_5432-2.tape`: in the name, every
//! byte other than an ASCII letter, digit, `.`, `-` or `_` becomes `_`, and
//! `#N` becomes `-N`. Reading back, a trailing `_PORT` (digits) stands for
//! `:PORT`, so a listener named `db:5432` replays as `db:5432`.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

#[cfg(not(loom))]
use crate::script::Script;
use crate::tape::Tape;

/// The extension of a connection's tape file.
const EXTENSION: &str = ".tape";

/// The part of a file name that stands for a listener's (or address's)
/// name: `db:5432` → `db_5432`.
pub(crate) fn stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.chars().all(|c| c == '.') {
        // "", "." and ".." are no file names.
        stem.replace('.', "_") + "_"
    } else {
        stem
    }
}

/// The file name of connection `n` of `name`: `db:5432`, 2 →
/// `db_5432-2.tape`.
pub(crate) fn file_name(name: &str, n: u64) -> String {
    format!("{}-{n}{EXTENSION}", stem(name))
}

/// The name a stem stands for: `db_5432` → `db:5432` (a trailing `_PORT`
/// was `:PORT`); any other stem stands for itself.
pub(crate) fn name_of_stem(stem: &str) -> String {
    match stem.rsplit_once('_') {
        Some((host, port))
            if !host.is_empty()
                && !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{host}:{port}")
        }
        _ => stem.to_owned(),
    }
}

/// The stem and number of a connection's tape file name, if it is one
/// (`api-2.tape` → `("api", 2)`); anything else (`api-2.tape.new`,
/// `notes.txt`) is not.
fn parse_file_name(file: &str) -> Option<(&str, u64)> {
    let base = file.strip_suffix(EXTENSION)?;
    let (stem, n) = base.rsplit_once('-')?;
    if stem.is_empty() || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = n.parse().ok()?;
    (n > 0).then_some((stem, n))
}

/// The connection tape files of `dir`, by stem, each stem's files in
/// numeric order (2 before 10).
///
/// # Errors
///
/// The error of reading the folder.
pub(crate) fn list(dir: &Path) -> io::Result<BTreeMap<String, Vec<(u64, PathBuf)>>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("pipetap: cannot read tape folder {}: {e}", dir.display()),
        )
    })?;
    let mut by_stem: BTreeMap<String, Vec<(u64, PathBuf)>> = BTreeMap::new();
    for entry in entries {
        let entry = entry?;
        let file = entry.file_name();
        let Some((stem, n)) = file.to_str().and_then(parse_file_name) else {
            continue;
        };
        if entry.file_type()?.is_dir() {
            continue;
        }
        by_stem
            .entry(stem.to_owned())
            .or_default()
            .push((n, entry.path()));
    }
    for files in by_stem.values_mut() {
        files.sort_by_key(|(n, _)| *n);
    }
    Ok(by_stem)
}

/// Writes the tapes of `name`'s connections, each with its number, into
/// `dir` (created if missing), and removes that name's other numbered files
/// (left from an earlier recording), so the folder replays this one.
///
/// # Errors
///
/// The error of creating the folder, or of writing or removing a file,
/// naming the path.
pub(crate) fn save(dir: &Path, name: &str, tapes: &[(u64, Tape)]) -> io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("pipetap: cannot create tape folder {}: {e}", dir.display()),
        )
    })?;
    for (n, tape) in tapes {
        let path = dir.join(file_name(name, *n));
        tape.save(&path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("pipetap: cannot write tape file {}: {e}", path.display()),
            )
        })?;
    }
    let stale = list(dir)?.remove(&stem(name)).unwrap_or_default();
    for (n, path) in stale {
        if !tapes.iter().any(|(saved, _)| *saved == n) {
            std::fs::remove_file(&path).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "pipetap: cannot remove stale tape file {}: {e}",
                        path.display()
                    ),
                )
            })?;
        }
    }
    Ok(())
}

/// The scripts of `files` (one stem's, in order), each named after its
/// file.
///
/// # Errors
///
/// As [`Script::from_file`]: a file's `io::Error`, or `InvalidData` with
/// the line of a malformed one.
#[cfg(not(loom))]
pub(crate) fn scripts(files: &[(u64, PathBuf)]) -> io::Result<Vec<Script>> {
    files
        .iter()
        .map(|(_, path)| Script::from_file(path))
        .collect()
}

/// The one stem of the tape files in `dir`, with its files: the folder of
/// a [`Connector::replay_dir`](crate::Connector::replay_dir).
///
/// # Errors
///
/// `NotFound` if the folder holds no connection tape file, `InvalidInput`
/// if it holds the files of more than one name.
pub(crate) fn only_stem(dir: &Path) -> io::Result<(String, Vec<(u64, PathBuf)>)> {
    let mut by_stem = list(dir)?;
    if by_stem.len() > 1 {
        let names: Vec<String> = by_stem.keys().map(|s| format!("{s}-N.tape")).collect();
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!(
                "pipetap: tape folder {} holds the tapes of {} names ({}); a Connector replays \
                 one: keep one name's files per folder, or replay them all with Net::replay_dir",
                dir.display(),
                by_stem.len(),
                names.join(", ")
            ),
        ));
    }
    by_stem.pop_first().ok_or_else(|| {
        io::Error::new(
            ErrorKind::NotFound,
            format!(
                "pipetap: tape folder {} holds no connection tape file (NAME-N.tape, as \
                 save_tapes writes them)",
                dir.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(file_name("db:5432", 2), "db_5432-2.tape");
        assert_eq!(file_name("api", 10), "api-10.tape");
        assert_eq!(file_name("fake smtp/1", 1), "fake_smtp_1-1.tape");
        assert_eq!(file_name("..", 1), "___-1.tape");
        assert_eq!(file_name("", 1), "_-1.tape");
        assert_eq!(name_of_stem("db_5432"), "db:5432");
        assert_eq!(name_of_stem("api"), "api");
        assert_eq!(name_of_stem("_80"), "_80");
        assert_eq!(parse_file_name("db_5432-2.tape"), Some(("db_5432", 2)));
        assert_eq!(parse_file_name("my-api-12.tape"), Some(("my-api", 12)));
        assert_eq!(parse_file_name("api-2.tape.new"), None);
        assert_eq!(parse_file_name("api-0.tape"), None);
        assert_eq!(parse_file_name("api-.tape"), None);
        assert_eq!(parse_file_name("-1.tape"), None);
        assert_eq!(parse_file_name("api-x.tape"), None);
    }
}
