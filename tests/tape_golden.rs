//! Golden transcripts: `Tape::assert_matches_file`, its review step
//! (`FILE.new` beside a golden file that does not match, removed once the
//! test passes) and the `PIPETAP_UPDATE` / `CI` workflow. Every file is
//! written in a temporary folder that is removed. The environment is
//! process-wide, so every test here takes one lock.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pipetap::{RecordExt, Tape};
use tempfile::TempDir;

static ENV: Mutex<()> = Mutex::new(());

fn with_env<T>(update: Option<&str>, ci: Option<&str>, f: impl FnOnce() -> T) -> T {
    let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    for (name, value) in [("PIPETAP_UPDATE", update), ("CI", ci)] {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
    let out = f();
    std::env::remove_var("PIPETAP_UPDATE");
    std::env::remove_var("CI");
    out
}

/// A temporary folder (removed when dropped) and `name` in it.
fn golden(name: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    (dir, path)
}

fn new_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

const PING_PONG: &str = "pipetap-tape v1\n> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n";
const PING_PANG: &str = "pipetap-tape v1\n> \"PING\\r\\n\"\n< \"+PANG\\r\\n\"\n";

/// A PING/PONG exchange, recorded with the given write split.
fn exchange(split: usize) -> Tape {
    let (client, mut server) = pipetap::pipe();
    let (conn, tape) = client.record();
    let mut conn = conn.record_reads();
    conn.write_all(&b"PING\r\n"[..split]).unwrap();
    conn.write_all(&b"PING\r\n"[split..]).unwrap();
    let mut buf = [0; 6];
    server.read_exact(&mut buf).unwrap();
    server.write_all(b"+PONG\r\n").unwrap();
    let mut reply = [0; 7];
    conn.read_exact(&mut reply).unwrap();
    tape
}

#[test]
fn a_missing_file_fails_and_leaves_the_transcript_for_review() {
    let (_dir, path) = golden("ping.tape");
    let err = with_env(None, None, || exchange(6).try_assert_matches_file(&path)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("does not exist"), "{message}");
    let new = new_of(&path);
    assert!(
        message.contains(&format!(
            "this run's transcript is in {} for review; to accept it, rename it to ping.tape, \
             or rerun with PIPETAP_UPDATE=new (writes missing files only) or PIPETAP_UPDATE=1: \
             PIPETAP_UPDATE=new cargo test a_missing_file_fails_and_leaves_the_transcript_for_review",
            new.display()
        )),
        "{message}"
    );
    assert!(!path.exists());
    let text = std::fs::read_to_string(&new).unwrap();
    assert!(
        text.contains("> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n"),
        "{text}"
    );
    // Accepting is renaming; the test then passes.
    std::fs::rename(&new, &path).unwrap();
    with_env(None, None, || exchange(2).assert_matches_file(&path));
}

#[test]
fn a_different_transcript_fails_with_the_diff_and_how_to_accept_it() {
    let (_dir, path) = golden("ping.tape");
    std::fs::write(&path, PING_PANG).unwrap();
    let err = with_env(None, None, || exchange(3).try_assert_matches_file(&path)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("turn 2 (read (<) bytes) differs: file 7 bytes, tape 7 bytes, first difference at offset 2"), "{message}");
    assert!(
        message.contains("|+PANG..") && message.contains("|+PONG.."),
        "{message}"
    );
    assert!(
        message.contains("to accept it, rename it to ping.tape, or rerun with PIPETAP_UPDATE=1: PIPETAP_UPDATE=1 cargo test a_different_transcript_fails_with_the_diff_and_how_to_accept_it"),
        "{message}"
    );
    // The golden file is untouched; the run's tape waits beside it.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), PING_PANG);
    assert_eq!(std::fs::read_to_string(new_of(&path)).unwrap(), {
        let (_d, other) = golden("x.tape");
        exchange(3).save(&other).unwrap();
        std::fs::read_to_string(&other).unwrap()
    });
}

#[test]
fn the_message_names_every_pending_new_file_of_the_run() {
    let (dir, first) = golden("first.tape");
    let second = dir.path().join("second.tape");
    let message = with_env(None, None, || {
        assert!(exchange(6).try_assert_matches_file(&first).is_err());
        exchange(6)
            .try_assert_matches_file(&second)
            .unwrap_err()
            .to_string()
    });
    let listed = |p: &Path| {
        let p = std::path::absolute(new_of(p)).unwrap();
        format!("\n    {}", p.display())
    };
    assert!(
        message.contains("pending .new files of this run ("),
        "{message}"
    );
    assert!(message.contains(&listed(&first)), "{message}");
    assert!(message.contains(&listed(&second)), "{message}");

    // A pending file accepted (or removed) is no longer listed.
    std::fs::rename(new_of(&first), &first).unwrap();
    let message = with_env(None, None, || {
        exchange(6).assert_matches_file(&first);
        exchange(6)
            .try_assert_matches_file(&second)
            .unwrap_err()
            .to_string()
    });
    assert!(!message.contains(&listed(&first)), "{message}");
    assert!(message.contains(&listed(&second)), "{message}");
}

#[test]
fn the_new_file_is_redacted_and_keeps_the_golden_file_s_holes() {
    let (_dir, path) = golden("login.tape");
    // The golden file has a hole for the session id the server picks.
    std::fs::write(
        &path,
        "pipetap-tape v2\n> \"LOGIN token\\n\"\n< \"OK session={{_}}\\n\"\n",
    )
    .unwrap();
    let (client, mut server) = pipetap::pipe();
    let (conn, recorded) = client.record();
    let mut conn = conn.record_reads();
    conn.write_all(b"LOGIN s3cret\n").unwrap();
    server.read_exact(&mut [0; 13]).unwrap();
    server.write_all(b"OK session=42\n").unwrap();
    conn.read_exact(&mut [0; 14]).unwrap();
    recorded.redact("token", "s3cret");
    let err = with_env(None, None, || recorded.try_assert_matches_file(&path)).unwrap_err();
    assert!(err.to_string().contains("differs"), "{err}");
    let new = std::fs::read_to_string(new_of(&path)).unwrap();
    assert!(!new.contains("s3cret"), "{new}");
    assert!(new.contains("LOGIN {{token}}\\n"), "{new}");
    assert!(
        new.contains("OK session={{_}}\\n"),
        "the hole is kept: {new}"
    );
}

#[test]
fn a_passing_test_removes_its_stale_new_file() {
    let (_dir, path) = golden("ping.tape");
    std::fs::write(&path, PING_PONG).unwrap();
    let new = new_of(&path);
    std::fs::write(&new, "left by an earlier, failing run").unwrap();
    with_env(None, None, || exchange(6).assert_matches_file(&path));
    assert!(!new.exists());
    // An update that writes the file removes it too.
    std::fs::write(&path, PING_PANG).unwrap();
    std::fs::write(&new, "stale").unwrap();
    with_env(Some("1"), None, || exchange(6).assert_matches_file(&path));
    assert!(!new.exists());
    assert!(std::fs::read_to_string(&path).unwrap().contains("+PONG"));
}

#[test]
fn update_writes_the_file_and_folders_then_it_matches_turn_by_turn() {
    let (_dir, path) = golden("nested/deeper/ping.tape");
    with_env(Some("1"), None, || exchange(6).assert_matches_file(&path));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("> \"PING\\r\\n\"\n< \"+PONG\\r\\n\"\n"),
        "{text}"
    );
    // Without the variable it compares; another split of the same bytes is
    // the same turn.
    with_env(None, None, || {
        exchange(6).assert_matches_file(&path);
        exchange(2).assert_matches_file(&path);
    });
    assert!(!new_of(&path).exists());
}

#[test]
fn update_new_writes_only_missing_files() {
    let (dir, missing) = golden("missing/ping.tape");
    let differing = dir.path().join("differing.tape");
    std::fs::write(&differing, PING_PANG).unwrap();
    with_env(Some("new"), None, || {
        exchange(6).assert_matches_file(&missing);
        let err = exchange(6).try_assert_matches_file(&differing).unwrap_err();
        assert!(
            err.to_string().contains("PIPETAP_UPDATE=1 cargo test"),
            "{err}"
        );
    });
    assert!(std::fs::read_to_string(&missing).unwrap().contains("+PONG"));
    assert!(!new_of(&missing).exists());
    assert_eq!(std::fs::read_to_string(&differing).unwrap(), PING_PANG);
    assert!(std::fs::read_to_string(new_of(&differing))
        .unwrap()
        .contains("+PONG"));
}

#[test]
fn update_always_rewrites_differing_files() {
    for value in ["1", "always", "ALWAYS", "true"] {
        let (_dir, path) = golden("ping.tape");
        std::fs::write(&path, PING_PANG).unwrap();
        with_env(Some(value), None, || exchange(6).assert_matches_file(&path));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("+PONG"), "PIPETAP_UPDATE={value}: {text}");
        assert!(!new_of(&path).exists());
    }
}

#[test]
fn ci_never_writes() {
    let (_dir, path) = golden("ping.tape");
    let (_other, differing) = golden("differing.tape");
    std::fs::write(&differing, PING_PANG).unwrap();
    for ci in ["1", "true", "yes"] {
        for update in [Some("1"), Some("new"), None] {
            let err = with_env(update, Some(ci), || {
                exchange(6).try_assert_matches_file(&path)
            })
            .unwrap_err();
            assert!(
                err.to_string()
                    .contains("CI is set, so files are never written"),
                "{err}"
            );
            assert!(!path.exists());
            assert!(!new_of(&path).exists(), "no .new in CI");
            assert!(with_env(update, Some(ci), || exchange(6)
                .try_assert_matches_file(&differing))
            .is_err());
            assert!(!new_of(&differing).exists(), "no .new in CI");
        }
    }
    for ci in ["0", "false", ""] {
        with_env(Some("1"), Some(ci), || {
            exchange(6).assert_matches_file(&path)
        });
        assert!(path.exists(), "CI={ci:?} counts as unset");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn update_off_values_write_only_the_review_file() {
    for value in ["0", "false", ""] {
        let (_dir, path) = golden("ping.tape");
        assert!(with_env(Some(value), None, || exchange(6)
            .try_assert_matches_file(&path))
        .is_err());
        assert!(!path.exists());
        assert!(new_of(&path).exists());
    }
}

/// Run by [`update_says_so_on_the_real_stderr`] in a child process.
#[test]
#[ignore = "run as a child process by update_says_so_on_the_real_stderr"]
fn child_updates_a_file() {
    let path = std::env::var("PIPETAP_GOLDEN_CHILD_PATH").unwrap();
    exchange(6).assert_matches_file(path);
}

#[test]
fn update_says_so_on_the_real_stderr() {
    let (_dir, path) = golden("ping.tape");
    let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_updates_a_file", "--ignored"])
        .env("PIPETAP_UPDATE", "1")
        .env_remove("CI")
        .env("PIPETAP_GOLDEN_CHILD_PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "pipetap: wrote tape file {} (2 turns, 2 events) because PIPETAP_UPDATE is set",
            path.display()
        )),
        "the harness captured it: {stderr}"
    );
    assert!(path.exists());
}
