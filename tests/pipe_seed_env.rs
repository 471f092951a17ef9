//! `PIPETAP_SEED` replays a run's random chunking, every pipe of the test,
//! and a test that panics after using randomly chunked pipes prints the
//! seed to replay it, once, whatever became of its pipes. Each case runs
//! this test binary again as a child process, so the environment variable is
//! set before pipetap first reads it (once per process).

use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

use pipetap::{Chunking, PipeBuilder, PipeEnd};

/// Runs the ignored test `name` of this binary in a child process with
/// `env`, and returns its combined output.
fn child(name: &str, env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        name,
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd.env_remove("PIPETAP_SEED");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run the test binary");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The read sizes of one chunked exchange of 400 bytes over `(a, b)`; the
/// pipe is dropped on return, as a helper that returns its result does.
fn exchange((mut a, mut b): (PipeEnd, PipeEnd)) -> Vec<usize> {
    a.write_all(&[0; 400]).unwrap();
    let mut sizes = Vec::new();
    let mut left = 400;
    while left > 0 {
        let n = b.read(&mut [0; 64]).unwrap();
        sizes.push(n);
        left -= n;
    }
    sizes
}

fn chunked() -> PipeBuilder {
    PipeBuilder::new().chunking(Chunking::sizes(1..=16))
}

/// Prints the pipe's seed and the read sizes of one chunked exchange.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_prints_its_chunks() {
    let (a, b) = chunked().build();
    let seed = a.seed();
    println!("seed={seed} sizes={:?}", exchange((a, b)));
}

/// Fails with a chunked pipe alive.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_fails_with_a_chunked_pipe() {
    let (_a, _b) = chunked().name("db").build();
    panic!("the code under test got it wrong");
}

/// Two pipes, a listener's connection made on another thread and a pipe
/// made inside `within`, each used by a helper that drops it; then the
/// test's assertion fails.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_fails_after_its_helpers_dropped_their_pipes() {
    let first = exchange(chunked().build());
    let second = exchange(chunked().build());
    let (listener, connector) = chunked().name("api").listen();
    let connecting = std::thread::spawn(move || connector.connect_blocking().unwrap());
    let server = listener.accept_blocking().unwrap();
    let client = connecting.join().unwrap();
    let connection = exchange((client, server));
    drop(listener);
    let within = pipetap::within(Duration::from_secs(10), || exchange(chunked().build()));
    println!("sizes {first:?} {second:?} {connection:?} {within:?}");
    assert_ne!(first, second, "two pipes, two seeds");
    assert_eq!(first.len(), 0, "the assertion after the helpers");
}

/// Panics that the test catches and handles: many, on one thread and in
/// `within`'s thread, with chunked pipes alive each time; then it passes.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_catches_many_panics() {
    for round in 0..10 {
        let caught = std::panic::catch_unwind(|| {
            let (_a, _b) = chunked().build();
            panic!("case {round} fails, the runner shrinks it");
        });
        assert!(caught.is_err());
        let caught = std::panic::catch_unwind(|| {
            pipetap::within(Duration::from_secs(10), move || {
                let (_a, _b) = chunked().build();
                panic!("case {round} fails in within");
            })
        });
        assert!(caught.is_err());
    }
    // proptest's own runner, shrinking a failing case.
    let mut runner = proptest::test_runner::TestRunner::default();
    let result = runner.run(&(0usize..1000), |n| {
        let sizes = exchange(chunked().build());
        assert!(n < 10 || sizes.is_empty(), "fails for n >= 10");
        Ok(())
    });
    assert!(result.is_err(), "proptest found the failing case");
}

fn chunks_line(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.find("sizes").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no chunks printed:\n{text}"))
}

fn seed_of(text: &str, which: &str) -> String {
    text.lines()
        .find_map(|l| l.find(which).map(|at| &l[at + which.len()..]))
        .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {which}:\n{text}"))
}

/// The lines that tell how to replay.
fn replay_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("PIPETAP_SEED="))
        .collect()
}

#[test]
fn pipetap_seed_replays_the_same_chunks() {
    let (ok, first) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "4242")]);
    assert!(ok, "{first}");
    let (_, again) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "4242")]);
    assert_eq!(chunks_line(&first), chunks_line(&again));
    assert_eq!(seed_of(&first, "seed="), seed_of(&again, "seed="));
    let (_, hex) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "0x1092")]);
    assert_eq!(chunks_line(&hex), chunks_line(&first), "0x1092 is 4242");
    let (_, other) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "4243")]);
    assert_ne!(chunks_line(&other), chunks_line(&first));
}

#[test]
fn without_pipetap_seed_each_run_draws_a_fresh_seed() {
    let (_, one) = child("child_prints_its_chunks", &[]);
    let (_, two) = child("child_prints_its_chunks", &[]);
    assert_ne!(chunks_line(&one), chunks_line(&two));
}

#[test]
fn a_failing_test_prints_the_seed_to_replay_it() {
    let (ok, text) = child("child_fails_with_a_chunked_pipe", &[("PIPETAP_SEED", "77")]);
    assert!(!ok, "the child test fails");
    assert_eq!(
        replay_lines(&text),
        ["pipetap: this test's pipes chunked at random from seed 77 (thread 'child_fails_with_a_chunked_pipe'); replay them with PIPETAP_SEED=77"],
        "{text}"
    );
}

/// The shape of the docs' `get(seed)` example: helpers drop their pipes
/// before the assertion fails. The seed is printed all the same, once, and
/// it replays every pipe of the test: two plain pipes, a listener's
/// connection made on another thread, and a pipe made inside `within`.
#[test]
fn the_printed_seed_replays_every_pipe_of_the_test_whatever_became_of_them() {
    let (ok, first) = child("child_fails_after_its_helpers_dropped_their_pipes", &[]);
    assert!(!ok, "the child test fails");
    let lines = replay_lines(&first);
    assert_eq!(lines.len(), 1, "one line:\n{first}");
    let seed = seed_of(
        lines[0],
        "pipetap: this test's pipes chunked at random from seed ",
    );
    assert!(
        lines[0].ends_with(&format!("; replay them with PIPETAP_SEED={seed}")),
        "{first}"
    );
    let (ok, again) = child(
        "child_fails_after_its_helpers_dropped_their_pipes",
        &[("PIPETAP_SEED", &seed)],
    );
    assert!(!ok);
    assert_eq!(
        chunks_line(&again),
        chunks_line(&first),
        "every pipe replays"
    );
    assert_eq!(replay_lines(&again), lines);
}

#[test]
fn panics_caught_and_handled_print_at_most_one_line() {
    let (ok, text) = child("child_catches_many_panics", &[]);
    assert!(ok, "{text}");
    assert!(replay_lines(&text).len() <= 1, "{text}");
}
