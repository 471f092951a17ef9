//! Hang reports that point at the test and read as data: a listener's
//! connections and a script's pipe show the test's line (not one inside
//! pipetap), a listener's tapes are labelled with their connection,
//! `try_within` names itself, waiters are worded one way whatever the door,
//! and `pipes()` / `tapes()` give the same facts as values.
//!
//! Tests in this binary run at the same time: each names its pipes and
//! looks only at its own.

use std::io::{Read, Write};
use std::thread;
use std::time::Duration;

use pipetap::report::PipeState;
use pipetap::{HangReport, PipeBuilder, Script};

const LIMIT: Duration = Duration::from_millis(60);

fn pipe_named(report: &HangReport, name: &str) -> PipeState {
    report
        .pipes()
        .into_iter()
        .find(|p| p.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no pipe {name:?} in:\n{report}"))
}

/// A connection made on another thread (as inside a framework's accept
/// loop) shows the line that created the listener, and its number.
#[test]
fn a_listener_connection_shows_the_listener_line_and_its_number() {
    let (listener, connector) = PipeBuilder::new().name("origin-api").listen();
    let line = line!() - 1;
    let listener = listener.record_connections();
    let conns: Vec<_> = thread::spawn(move || {
        (0..2)
            .map(|_| connector.connect_blocking().unwrap())
            .collect()
    })
    .join()
    .unwrap();
    let report = HangReport::capture();
    let text = report.to_string();
    let at = format!("tests/hang_report_data.rs:{line}:");
    for n in 1..=2 {
        let head = text
            .lines()
            .find(|l| l.starts_with(&format!("pipe \"origin-api#{n}\"")))
            .unwrap_or_else(|| panic!("no connection #{n} in:\n{text}"));
        assert!(
            head.contains(&format!("connection #{n} of the listener created at {at}")),
            "{head}"
        );
        assert!(!head.contains("src/listen"), "{head}");
        let pipe = pipe_named(&report, &format!("origin-api#{n}"));
        assert!(pipe.created_at.starts_with(&at), "{}", pipe.created_at);
        // The connection's tape too.
        let tape = text
            .lines()
            .find(|l| l.starts_with(&format!("tape \"origin-api#{n}\"")))
            .unwrap_or_else(|| panic!("no tape of connection #{n} in:\n{text}"));
        assert!(
            tape.contains(&format!("connection #{n} of the listener created at {at}")),
            "{tape}"
        );
    }
    drop((conns, listener));
}

/// The tapes of a listener's connections carry their label.
#[test]
fn a_listener_connection_tape_is_labelled() {
    let (listener, connector) = PipeBuilder::new().name("label-api").listen();
    let listener = listener.record_connections();
    let mut one = connector.connect_blocking().unwrap();
    let _two = connector.connect_blocking().unwrap();
    one.write_all(b"GET /").unwrap();
    let tapes = listener.tapes();
    assert_eq!(tapes[0].label().as_deref(), Some("label-api#1"));
    assert_eq!(tapes[1].label().as_deref(), Some("label-api#2"));
    assert!(format!("{:?}", tapes[0]).starts_with(r#"Tape { label: "label-api#1", "#));
    let report = HangReport::capture();
    let tape = report
        .tapes()
        .into_iter()
        .find(|t| t.label.as_deref() == Some("label-api#1"))
        .expect("the tape of connection #1");
    assert_eq!((tape.written, tape.len()), (5, 5));
    assert_eq!(pipetap::Tape::new().label(), None);
}

/// A script's pipe shows the line that built the script.
#[test]
fn a_script_pipe_shows_the_line_that_built_the_script() {
    let (conn, peer) = Script::new().name("origin-script").write(b"x").build();
    let line = line!() - 1;
    let report = HangReport::capture();
    let pipe = pipe_named(&report, "origin-script");
    assert!(
        pipe.created_at
            .starts_with(&format!("tests/hang_report_data.rs:{line}:")),
        "{}",
        pipe.created_at
    );
    let mut conn = conn;
    conn.write_all(b"x").unwrap();
    peer.finish();
}

/// `try_within`'s report names `try_within`; `within`'s names `within`.
#[test]
fn try_within_names_itself() {
    let report = pipetap::try_within(LIMIT, thread::park).unwrap_err();
    assert!(
        report
            .to_string()
            .starts_with("pipetap::try_within(60ms) at tests/hang_report_data.rs:"),
        "{report}"
    );
}

/// One wording for waiters, whatever the door: `1 thread waiting for`,
/// `1 task waiting for`; and the same facts as data.
#[cfg(feature = "futures")]
#[test]
fn waiters_read_the_same_on_every_door_and_as_data() {
    // A thread waits on one pipe, a task on the other.
    let (a, _b) = PipeBuilder::new().name("wording-thread").build();
    let (mut c, _d) = PipeBuilder::new().name("wording-task").build();
    let waiting_thread = thread::spawn(move || {
        let mut a = a;
        Read::read(&mut a, &mut [0; 8])
    });
    // The thread is asleep before the bound starts.
    let asleep = std::time::Instant::now();
    while pipe_named(&HangReport::capture(), "wording-thread").directions[1]
        .reader
        .threads
        == 0
    {
        assert!(
            asleep.elapsed() < Duration::from_secs(10),
            "the thread never slept"
        );
        thread::yield_now();
    }
    let report = futures::executor::block_on(pipetap::try_within_async(LIMIT, async move {
        let mut buf = [0; 8];
        futures::AsyncReadExt::read(&mut c, &mut buf).await
    }))
    .unwrap_err();
    let text = report.to_string();
    let line = |head: &str| -> String {
        let mut lines = text.lines().skip_while(|l| !l.starts_with(head));
        lines
            .find(|l| l.contains(" reads: "))
            .unwrap_or_else(|| panic!("no {head} in:\n{text}"))
            .to_owned()
    };
    assert!(
        line("pipe \"wording-thread\"").starts_with("    a reads: 1 thread waiting for "),
        "{text}"
    );
    assert!(
        line("pipe \"wording-task\"").starts_with("    a reads: 1 task waiting for "),
        "{text}"
    );

    let thread_side = pipe_named(&report, "wording-thread").directions[1]
        .reader
        .clone();
    assert_eq!((thread_side.threads, thread_side.tasks), (1, 0));
    assert!(thread_side.threads_for.is_some());
    let task = pipe_named(&report, "wording-task");
    let task_side = &task.directions[1];
    assert_eq!((task_side.from.as_str(), task_side.to.as_str()), ("b", "a"));
    assert_eq!((task_side.reader.threads, task_side.reader.tasks), (0, 1));
    assert!(task_side.reader.tasks_for.unwrap() >= LIMIT / 2);
    assert!(task_side.writer.is_empty());
    assert!(!report.is_deadlock());
    drop(waiting_thread);
}
