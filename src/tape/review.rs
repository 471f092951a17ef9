//! The review step of golden files: what `PIPETAP_UPDATE` and `CI` allow
//! [`Tape::assert_matches_file`](super::Tape::assert_matches_file) to write,
//! the pending `FILE.new` files a mismatch leaves for a reviewer, and the
//! words that say how to accept them.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The variable that makes [`Tape::assert_matches_file`](super::Tape::assert_matches_file)
/// write its file.
pub(crate) const UPDATE_VAR: &str = "PIPETAP_UPDATE";

/// The `.new` files this process wrote and has not removed, for the
/// failure messages (they name every pending file of the run).
static PENDING: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// What the environment allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `CI` is set (to anything but empty, `0` or `false`): nothing is
    /// written, whatever `PIPETAP_UPDATE` says.
    Ci,
    /// No update: a mismatch writes `FILE.new` for review.
    Review,
    /// `PIPETAP_UPDATE=new`: missing files are written; a differing one
    /// gets its `FILE.new`.
    Missing,
    /// `PIPETAP_UPDATE=1` (or `always`, or any other value but empty, `0`
    /// and `false`): missing and differing files are written.
    Always,
}

/// An environment variable's value, trimmed, unless it is unset, empty,
/// `0` or `false`.
fn value(name: &str) -> Option<String> {
    let v = std::env::var_os(name)?;
    let v = v.to_string_lossy().trim().to_owned();
    (!(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))).then_some(v)
}

impl Mode {
    pub(crate) fn from_env() -> Mode {
        if value("CI").is_some() {
            return Mode::Ci;
        }
        match value(UPDATE_VAR) {
            None => Mode::Review,
            Some(v) if v.eq_ignore_ascii_case("new") => Mode::Missing,
            Some(_) => Mode::Always,
        }
    }

    /// Whether the golden file itself may be written: `missing` says it
    /// does not exist yet.
    pub(crate) fn writes_golden(self, missing: bool) -> bool {
        match self {
            Mode::Always => true,
            Mode::Missing => missing,
            Mode::Ci | Mode::Review => false,
        }
    }
}

/// `FILE.new`, beside `path`.
pub(crate) fn new_path(path: &Path) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

fn pending() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Says something on the process's real stderr, past the test harness's
/// capture (which only catches `print!`/`eprint!`).
pub(crate) fn tell(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(message.as_bytes());
    let _ = stderr.flush();
}

/// The golden file at `path` matches (or was just written): its stale
/// `FILE.new`, if any, is removed (never in CI, where nothing is written).
pub(crate) fn passed(path: &Path, mode: Mode) {
    if mode == Mode::Ci {
        return;
    }
    let new = new_path(path);
    pending().remove(&absolute(&new));
    if std::fs::remove_file(&new).is_ok() {
        tell(&format!(
            "pipetap: removed {}: tape file {} matches now\n",
            new.display(),
            path.display()
        ));
    }
}

/// The test that runs on this thread, as `cargo test` filters it; empty if
/// the thread is not a test's.
fn test_name() -> String {
    std::thread::current()
        .name()
        // libtest names each test's thread after the test (`module::name`);
        // any other thread name would not filter anything.
        .filter(|n| {
            *n != "main"
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        })
        .map(|n| format!(" {n}"))
        .unwrap_or_default()
}

/// The end of a failure message: writes the run's transcript `contents`
/// to `FILE.new` for review (except in CI), and says how to accept it and
/// which `.new` files of the run are pending. `missing` says the golden
/// file does not exist yet.
pub(crate) fn fail(path: &Path, mode: Mode, missing: bool, contents: &str) -> String {
    let test = test_name();
    if mode == Mode::Ci {
        return format!(
            "  (CI is set, so files are never written here; run `{UPDATE_VAR}=1 cargo test{test}` \
             locally, review the file and commit it)"
        );
    }
    let new = new_path(path);
    let mut out = match std::fs::write(&new, contents) {
        Ok(()) => {
            pending().insert(absolute(&new));
            let rerun = if missing {
                format!(
                    "rerun with {UPDATE_VAR}=new (writes missing files only) or {UPDATE_VAR}=1: \
                     {UPDATE_VAR}=new cargo test{test}"
                )
            } else {
                format!("rerun with {UPDATE_VAR}=1: {UPDATE_VAR}=1 cargo test{test}")
            };
            format!(
                "  this run's transcript is in {} for review; to accept it, rename it to {}, \
                 or {rerun}",
                new.display(),
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string())
            )
        }
        Err(e) => format!(
            "  could not write this run's transcript to {} for review ({e}); to accept it, \
             run: {UPDATE_VAR}=1 cargo test{test}",
            new.display()
        ),
    };
    let mut pending = pending();
    pending.retain(|p| p.exists());
    if !pending.is_empty() {
        out.push_str(&format!(
            "\n  pending .new files of this run ({}):",
            pending.len()
        ));
        for p in pending.iter() {
            out.push_str(&format!("\n    {}", p.display()));
        }
    }
    out
}
