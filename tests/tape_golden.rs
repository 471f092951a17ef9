//! Golden transcripts: `Tape::assert_matches_file` and the
//! `PIPETAP_UPDATE=1` workflow. The environment is process-wide, so every
//! test here takes one lock.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use pipetap::{RecordExt, Tape};

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

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipetap-golden-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

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
fn a_missing_file_says_how_to_create_it() {
    let path = dir("missing").join("ping.tape");
    let err = with_env(None, None, || exchange(6).try_assert_matches_file(&path)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("does not exist"), "{message}");
    assert!(
        message.contains(
            "to create it, run: PIPETAP_UPDATE=1 cargo test a_missing_file_says_how_to_create_it"
        ),
        "{message}"
    );
    assert!(!path.exists());
}

#[test]
fn update_writes_the_file_and_folders_then_it_matches_turn_by_turn() {
    let path = dir("update").join("nested/deeper/ping.tape");
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
}

#[test]
fn a_different_transcript_fails_with_the_diff_and_the_command() {
    let path = dir("differ").join("ping.tape");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "pipetap-tape v1\n> \"PING\\r\\n\"\n< \"+PANG\\r\\n\"\n",
    )
    .unwrap();
    let err = with_env(None, None, || exchange(3).try_assert_matches_file(&path)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("turn 2 (read (<) bytes) differs: file 7 bytes, tape 7 bytes, first difference at offset 2"), "{message}");
    assert!(
        message.contains("|+PANG..") && message.contains("|+PONG.."),
        "{message}"
    );
    assert!(
        message.contains("to accept the new transcript, run: PIPETAP_UPDATE=1 cargo test"),
        "{message}"
    );
}

#[test]
fn ci_never_writes() {
    let path = dir("ci").join("ping.tape");
    for ci in ["1", "true", "yes"] {
        let err = with_env(Some("1"), Some(ci), || {
            exchange(6).try_assert_matches_file(&path)
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("CI is set, so files are never written"),
            "{err}"
        );
        assert!(!path.exists());
    }
    for ci in ["0", "false"] {
        with_env(Some("1"), Some(ci), || {
            exchange(6).assert_matches_file(&path)
        });
        assert!(path.exists(), "CI={ci} counts as unset");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn update_off_values_do_not_write() {
    let path = dir("off").join("ping.tape");
    for value in ["0", "false", ""] {
        assert!(with_env(Some(value), None, || exchange(6)
            .try_assert_matches_file(&path))
        .is_err());
        assert!(!path.exists());
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
    let path = dir("stderr").join("ping.tape");
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
