//! A hang that reports who waits on what: `within` / `within_async` return
//! what the code under test returns, or fail with a `HangReport` of every
//! live pipe and tape once their limit passes.
//!
//! Tests in this binary run at the same time, so each names its pipes and
//! looks only at its own part of the report.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use pipetap::{HangReport, PipeBuilder, RecordExt};
use rstest::rstest;
use support::{wait_until, watchdog};

const LIMIT: Duration = Duration::from_millis(100);

/// The lines of the report from the one starting with `head` to the next
/// blank line (the section of one pipe or tape).
fn section(report: &str, head: &str) -> String {
    section_where(report, |line| line.starts_with(head))
}

/// The section whose first line `is_head`.
fn section_where(report: &str, is_head: impl Fn(&str) -> bool) -> String {
    let mut lines = report.lines().skip_while(|l| !is_head(l)).peekable();
    assert!(
        lines.peek().is_some(),
        "no such section in the report:\n{report}"
    );
    lines
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The milliseconds in `text` right after `before`.
fn ms_after(text: &str, before: &str) -> u128 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no {before:?} in:\n{text}"))
        + before.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        text[at + digits.len()..].starts_with("ms"),
        "no milliseconds after {before:?} in:\n{text}"
    );
    digits.parse().unwrap()
}

/// `text` with every run of digits before `ms` replaced by `N`, and every
/// `hang.rs:LINE:COLUMN` by `hang.rs:L:C`, so a layout can be compared.
fn normalized(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            let tail = &rest[digits..];
            if tail.starts_with("ms") {
                out.push('N');
            } else {
                out.push_str(&rest[..digits]);
            }
            rest = tail;
        } else if let Some(tail) = rest.strip_prefix("hang.rs:") {
            let skip = tail
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .count();
            out.push_str("hang.rs:L:C");
            rest = &tail[skip..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn blocking_read_nobody_writes_to_reports_the_waiting_thread() {
    let (mut a, b) = PipeBuilder::new().name("hang-blocking").build();
    a.write_all(b"abc").unwrap(); // buffered a -> b, never read
    let (started, when) = mpsc::channel();
    let start = Instant::now();
    let report = pipetap::try_within(LIMIT, move || {
        started.send(Instant::now()).unwrap();
        a.read(&mut [0; 8]) // b never writes
    })
    .unwrap_err();
    let read_at = when.recv().unwrap();
    assert!(start.elapsed() >= LIMIT);
    assert_eq!(report.limit(), Some(LIMIT));

    let text = report.to_string();
    assert!(
        text.starts_with("pipetap::try_within(100ms) at tests/hang.rs:"),
        "{text}"
    );
    let pipe = section(&text, r#"pipe "hang-blocking""#);
    assert!(pipe.contains("(ends a, b; capacity 65536)"), "{pipe}");
    assert!(
        pipe.contains("  a -> b: 3 bytes buffered, nobody waiting\n"),
        "{pipe}"
    );
    assert!(pipe.contains("  b -> a: 0 bytes buffered\n"), "{pipe}");
    assert!(pipe.contains("    b writes: nobody waiting"), "{pipe}");
    // The thread waits from just after `read_at` until the report, at the
    // limit: the wait lasted the limit, less what the thread took to start.
    let waited = ms_after(&pipe, "    a reads: 1 thread waiting for ");
    let late = read_at.duration_since(start).as_millis();
    assert!(
        waited + late + 20 >= LIMIT.as_millis(),
        "{waited} + {late}: {pipe}"
    );
    assert!(waited <= start.elapsed().as_millis(), "{pipe}");
    drop(b); // the read ends: the detached thread finishes
}

#[test]
#[should_panic(expected = "pipetap::within(50ms) at tests/hang.rs:")]
fn within_panics_with_the_report_naming_the_caller() {
    let (mut a, _b) = PipeBuilder::new().name("hang-panics").build();
    let _ = pipetap::within(Duration::from_millis(50), move || a.read(&mut [0; 1]));
}

#[test]
fn closure_that_finishes_returns_its_value() {
    let (mut a, mut b) = pipetap::pipe();
    let got = pipetap::within(Duration::from_secs(10), move || {
        a.write_all(b"ping").unwrap();
        let mut buf = [0; 4];
        b.read_exact(&mut buf).unwrap();
        buf
    });
    assert_eq!(&got, b"ping");
    assert_eq!(
        pipetap::try_within(Duration::from_secs(10), || 42).unwrap(),
        42
    );
}

#[test]
#[should_panic(expected = "boom in the closure")]
fn closure_panic_is_resumed_on_the_caller() {
    pipetap::within(Duration::from_secs(10), || panic!("boom in the closure"));
}

#[test]
fn report_converts_to_timed_out_io_error() {
    let (mut a, _b) = PipeBuilder::new().name("hang-io-error").build();
    let err: std::io::Error =
        pipetap::try_within(Duration::from_millis(20), move || a.read(&mut [0; 1]))
            .unwrap_err()
            .into();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(err.to_string().contains(r#"pipe "hang-io-error""#));
}

#[test]
fn dropped_pipes_and_tapes_do_not_appear() {
    let (a, b) = PipeBuilder::new().name("hang-dropped").build();
    let (kept, _kept_peer) = PipeBuilder::new().name("hang-kept").build();
    let ((conn, tape), line) = (Vec::<u8>::new().record(), line!());
    drop((a, b, conn, tape));
    let text = HangReport::capture().to_string();
    assert!(!text.contains("hang-dropped"), "{text}");
    assert!(text.contains(r#"pipe "hang-kept""#), "{text}");
    // Only the other tests' tapes are left: none from that line.
    assert!(!text.contains(&format!("tests/hang.rs:{line}:")), "{text}");
    drop((kept, _kept_peer));
    assert!(!HangReport::capture().to_string().contains("hang-kept"));
}

#[test]
fn nothing_waiting_says_so() {
    let (parked, thread) = mpsc::channel();
    let report = pipetap::try_within(Duration::from_millis(20), move || {
        parked.send(thread::current()).unwrap();
        thread::park();
    })
    .unwrap_err();
    thread.recv().unwrap().unpark();
    let text = report.to_string();
    assert!(
        text.contains("nothing waits on the pipes and tapes created on thread `nothing_waiting_says_so`: the code is stuck elsewhere"),
        "{text}"
    );
}

/// The async runner on one executor.
#[derive(Clone, Copy, Debug)]
enum Executor {
    Futures,
    TokioCurrentThread,
}

fn run<F: std::future::Future>(executor: Executor, future: F) -> F::Output {
    match executor {
        Executor::Futures => futures::executor::block_on(future),
        Executor::TokioCurrentThread => tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future),
    }
}

#[cfg(feature = "futures")]
#[rstest]
fn async_read_nobody_writes_to_reports_the_waiting_task(
    #[values(Executor::Futures, Executor::TokioCurrentThread)] executor: Executor,
) {
    use futures::AsyncReadExt;

    let name = format!("hang-async-{executor:?}");
    let text = watchdog(move || {
        let (mut a, _b) = PipeBuilder::new().name(name.clone()).build();
        a.write_all(b"abc").unwrap(); // buffered a -> b, never read
        run(executor, async {
            let mut buf = [0; 8];
            let read = AsyncReadExt::read(&mut a, &mut buf); // b never writes
            let report = pipetap::try_within_async(LIMIT, read).await.unwrap_err();
            report.to_string()
        })
    });
    assert!(
        text.starts_with("pipetap::try_within_async(100ms) at tests/hang.rs:"),
        "{text}"
    );
    let pipe = section(&text, &format!("pipe \"hang-async-{executor:?}\""));
    assert!(
        pipe.contains("  a -> b: 3 bytes buffered, nobody waiting\n"),
        "{pipe}"
    );
    assert!(pipe.contains("  b -> a: 0 bytes buffered\n"), "{pipe}");
    let waited = ms_after(&pipe, "    a reads: 1 task waiting for ");
    assert!(waited <= LIMIT.as_millis() + 1000, "{pipe}");
}

#[cfg(feature = "tokio")]
#[tokio::test]
async fn tokio_door_task_waiting_shows_in_the_report() {
    use tokio::io::AsyncReadExt;

    let (mut a, _b) = PipeBuilder::new().name("hang-tokio").build();
    let mut buf = [0; 4];
    let read = AsyncReadExt::read(&mut a, &mut buf);
    let report = pipetap::try_within_async(LIMIT, read).await.unwrap_err();
    let text = report.to_string();
    let pipe = section(&text, r#"pipe "hang-tokio""#);
    assert!(pipe.contains("    a reads: 1 task waiting for "), "{pipe}");
    // Created on this test's thread: listed first, before other tests'.
    let ours = text.find("pipe \"hang-tokio\"").unwrap();
    assert!(
        text.find("on other threads:")
            .is_none_or(|others| ours < others),
        "{text}"
    );
}

#[rstest]
fn async_future_that_finishes_returns_its_value(
    #[values(Executor::Futures, Executor::TokioCurrentThread)] executor: Executor,
) {
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"+OK\r\n").unwrap();
    let got = watchdog(move || {
        run(executor, async move {
            pipetap::within_async(Duration::from_secs(10), tape.wait_for("+OK")).await
        })
    });
    got.unwrap();
}

#[test]
#[should_panic(expected = "pipetap::within_async(30ms) at tests/hang.rs:")]
fn within_async_panics_with_the_report() {
    let (conn, tape) = Vec::<u8>::new().record();
    futures::executor::block_on(pipetap::within_async(
        Duration::from_millis(30),
        tape.wait_for("never-written"),
    ))
    .unwrap();
    drop(conn);
}

#[rstest]
fn pending_tape_wait_shows_its_pattern_and_the_last_bytes(
    #[values(Executor::Futures, Executor::TokioCurrentThread)] executor: Executor,
) {
    let pattern = format!("PONG-{executor:?}");
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"PING\r\n").unwrap();
    conn.write_all(b"+O").unwrap();
    let text = watchdog(move || {
        run(executor, async move {
            let wait = tape
                .wait_for(pattern.as_bytes())
                .within(Duration::from_secs(30));
            let report = pipetap::try_within_async(LIMIT, wait).await.unwrap_err();
            report.to_string()
        })
    });
    let tape = section(&text, "tape, created at tests/hang.rs:");
    assert!(
        tape.contains(": 1 live recording writing to it\n"),
        "{tape}"
    );
    assert!(
        tape.contains("  written: 8 bytes in 2 writes, \"PING\\r\\n+O\"\n"),
        "{tape}"
    );
    assert!(tape.contains("  read: nothing\n"), "{tape}");
    let wait = format!("  wait_for \"PONG-{executor:?}\": 1 task waiting for ");
    let waited = ms_after(&tape, &wait);
    assert!(waited <= LIMIT.as_millis() + 1000, "{tape}");
    assert!(tape.contains("ms (bound 30s)"), "{tape}");
    drop(conn);
}

#[test]
fn blocking_tape_wait_shows_a_thread_and_ends_when_done() {
    let (mut conn, tape) = Vec::new().record();
    let text = {
        let tape = tape.clone();
        pipetap::try_within(LIMIT, move || {
            tape.wait_for_blocking("hang-blocking-wait", Duration::from_secs(5))
        })
        .unwrap_err()
        .to_string()
    };
    assert!(
        text.contains("  wait_for \"hang-blocking-wait\": 1 thread waiting for "),
        "{text}"
    );
    assert!(text.contains("ms (bound 5s)"), "{text}");
    // The pattern arrives: the detached wait ends and leaves the report.
    conn.write_all(b"hang-blocking-wait").unwrap();
    wait_until(|| {
        !HangReport::capture()
            .to_string()
            .contains("\"hang-blocking-wait\": a")
    });
}

#[test]
fn report_layout_snapshot() {
    let (mut a, mut b) = PipeBuilder::new()
        .name("hang-layout")
        .capacity(16)
        .max_read_len(1)
        .seed(7)
        .build();
    a.write_all(b"hello").unwrap();
    a.set_write_deadline(Some(Instant::now())).unwrap();
    b.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    b.set_write_chunking(Some(pipetap::Chunking::sizes(1..=4)))
        .unwrap();
    let (mut conn, tape) = Vec::new().record();
    conn.write_all(b"EHLO me\r\n").unwrap();
    let me = thread::current().name().unwrap().to_owned();
    watchdog(move || {
        // Someone waits on each: a thread on the pipe, another on the tape.
        let reader = thread::spawn(move || {
            let n = a.read(&mut [0; 4]);
            (n.map_err(|e| e.kind()), a)
        });
        let waiter = {
            let tape = tape.clone();
            thread::spawn(move || tape.wait_for_blocking("250 ok", Duration::from_secs(30)))
        };
        wait_until(|| format!("{b:?}").contains("reader_waiting: \"thread\""));
        wait_until(|| format!("{tape:?}").contains("waiting: 1"));
        let text = HangReport::capture().to_string();
        let pipe = normalized(&section(&text, r#"pipe "hang-layout""#));
        assert_eq!(
            pipe,
            format!(
                "pipe \"hang-layout\" (ends a, b; capacity 16), created at tests/hang.rs:L:C on thread `{me}`\n\
                 \x20 a -> b: 5 bytes buffered\n\
                 \x20   b reads: nobody waiting, max_read_len 1, timeout 30s\n\
                 \x20   a writes: nobody waiting, deadline passed Nms ago\n\
                 \x20 b -> a: 0 bytes buffered\n\
                 \x20   a reads: 1 thread waiting for Nms, max_read_len 1\n\
                 \x20   b writes: nobody waiting, chunking 1..=4, seed 7"
            )
        );
        let tape_text = normalized(&section_where(&text, |l| {
            l.starts_with("tape, created at tests/hang.rs:") && l.contains(&format!("`{me}`"))
        }));
        assert_eq!(
            tape_text,
            format!(
                "tape, created at tests/hang.rs:L:C on thread `{me}`: 1 live recording writing to it\n\
                 \x20 written: 9 bytes in 1 write, \"EHLO me\\r\\n\"\n\
                 \x20 read: nothing\n\
                 \x20 wait_for \"250 ok\": 1 thread waiting for Nms (bound 30s)"
            )
        );
        b.write_all(b"x").unwrap();
        let (n, _a) = reader.join().unwrap();
        assert_eq!(n, Ok(1));
        conn.write_all(b"250 ok").unwrap();
        waiter.join().unwrap().unwrap();
    });
}

/// A task that began waiting before any bounded runner ran (so no clock was
/// read for it, unless another test's runner was running then) still shows
/// as waiting in a later report.
#[cfg(feature = "futures")]
#[test]
fn task_waiting_from_before_the_bound_still_shows() {
    use futures::AsyncReadExt;

    let (mut a, _b) = PipeBuilder::new().name("hang-before").build();
    let mut buf = [0; 4];
    let mut read = AsyncReadExt::read(&mut a, &mut buf);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(std::future::Future::poll(std::pin::Pin::new(&mut read), &mut cx).is_pending());
    // The closure hangs on a channel that this test keeps open.
    let (_keep, never) = mpsc::channel::<()>();
    let report = pipetap::try_within(LIMIT, move || never.recv())
        .expect_err("the closure waits past the limit");
    let text = report.to_string();
    let pipe = section(&text, r#"pipe "hang-before""#);
    assert!(
        pipe.contains("    a reads: 1 task waiting since before the bound began")
            || pipe.contains("    a reads: 1 task waiting for "),
        "{pipe}"
    );
}
