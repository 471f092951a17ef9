//! `PIPETAP_SEED` replays a run's random chunking, and a test that panics
//! with a randomly chunked pipe prints the seed to replay it. Each case runs
//! this test binary again as a child process, so the environment variable is
//! set before pipetap first reads it (once per process).

use std::io::{Read, Write};
use std::process::Command;

use pipetap::{Chunking, PipeBuilder};

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

/// Prints the seed and the read sizes of one chunked exchange.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_prints_its_chunks() {
    let (mut a, mut b) = PipeBuilder::new().chunking(Chunking::sizes(1..=16)).build();
    a.write_all(&[0; 400]).unwrap();
    let mut sizes = Vec::new();
    let mut left = 400;
    while left > 0 {
        let n = b.read(&mut [0; 64]).unwrap();
        sizes.push(n);
        left -= n;
    }
    println!("seed={} sizes={sizes:?}", a.seed());
}

/// Fails with a chunked pipe alive.
#[test]
#[ignore = "run as a child process by the tests below"]
fn child_fails_with_a_chunked_pipe() {
    let (_a, _b) = PipeBuilder::new()
        .name("db")
        .chunking(Chunking::sizes(1..=16))
        .build();
    panic!("the code under test got it wrong");
}

fn chunks_line(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.find("seed=").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no chunks printed:\n{text}"))
}

#[test]
fn pipetap_seed_replays_the_same_chunks() {
    let (ok, first) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "4242")]);
    assert!(ok, "{first}");
    let (_, again) = child("child_prints_its_chunks", &[("PIPETAP_SEED", "4242")]);
    assert!(chunks_line(&first).starts_with("seed=4242 "), "{first}");
    assert_eq!(chunks_line(&first), chunks_line(&again));
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
    assert!(
        text.contains(
            "pipetap: pipe \"db\" chunked at random with seed 77; replay with PIPETAP_SEED=77"
        ),
        "{text}"
    );
}
