//! Property tests: random sequences of operations on both ends of a pipe
//! (writes and reads of random sizes including 0, vectored writes, half and
//! full closes, `close_with_error`, deadlines in the past / cleared / far,
//! timeouts, injected faults, nonblocking mode), on every front door compiled
//! in, across capacities 0..=16 and the default, with the `max_read_len`,
//! `max_write_len` and `interleave_pending` knobs, checked step by step
//! against a model of two byte queues and their flags (`support/model.rs`).
//!
//! Each step compares the exact result (count, bytes, end-of-stream, error
//! kind), and each scenario ends by draining the pipe and checking that every
//! byte accepted by a write was read exactly once, in order.
//!
//! `PROPTEST_CASES` raises the case count (default 256 per property).

mod support;

use std::io::ErrorKind;
use std::net::Shutdown;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::model::{doors, Door, Op, Scenario, Setup, When, Which, KINDS};

fn door() -> impl Strategy<Value = Door> {
    proptest::sample::select(doors())
}

fn kind() -> impl Strategy<Value = ErrorKind> {
    proptest::sample::select(KINDS.to_vec())
}

fn len() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 0..=8usize, 5 => 1..=24usize, 1 => 25..=300usize]
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop_oneof![4 => 0..=16usize, 1 => Just(pipetap::DEFAULT_CAPACITY)],
        proptest::option::weighted(0.4, 1..=8usize),
        proptest::option::weighted(0.4, 1..=8usize),
        proptest::bool::weighted(0.3),
        proptest::option::weighted(0.2, Just("model")),
    )
        .prop_map(
            |(capacity, max_read_len, max_write_len, interleave_pending, name)| Setup {
                capacity,
                max_read_len,
                max_write_len,
                interleave_pending,
                name,
            },
        )
}

fn write_op() -> impl Strategy<Value = Op> {
    (
        0..2usize,
        len(),
        door(),
        proptest::option::weighted(0.25, (0..=300usize, 0..=300usize)),
    )
        .prop_map(|(end, len, door, split)| Op::Write {
            end,
            len,
            door,
            split: split.map(|(x, y)| (x.min(y), x.max(y))),
        })
}

fn read_op() -> impl Strategy<Value = Op> {
    (0..2usize, len(), door()).prop_map(|(end, len, door)| Op::Read { end, len, door })
}

fn op() -> impl Strategy<Value = Op> {
    let end = || 0..2usize;
    let when = || proptest::sample::select(vec![When::Clear, When::Past, When::Future]);
    prop_oneof![
        10 => write_op(),
        10 => read_op(),
        1 => (end(), door()).prop_map(|(end, door)| Op::Flush { end, door }),
        1 => (
            end(),
            proptest::sample::select(vec![Shutdown::Read, Shutdown::Write, Shutdown::Both]),
            door()
        )
            .prop_map(|(end, how, door)| Op::Shutdown { end, how, door }),
        1 => end().prop_map(|end| Op::Close { end }),
        1 => (end(), kind()).prop_map(|(end, kind)| Op::CloseWithError { end, kind }),
        1 => end().prop_map(|end| Op::Drop { end }),
        3 => (
            end(),
            proptest::sample::select(vec![Which::Read, Which::Write, Which::Both]),
            when()
        )
            .prop_map(|(end, which, when)| Op::Deadline { end, which, when }),
        1 => (end(), any::<bool>(), proptest::sample::select(vec![None, Some(0u8), Some(5)]))
            .prop_map(|(end, read, secs)| Op::Timeout { end, read, secs }),
        2 => (end(), kind()).prop_map(|(end, kind)| Op::FailNextRead { end, kind }),
        2 => (end(), kind()).prop_map(|(end, kind)| Op::FailNextWrite { end, kind }),
        3 => (end(), proptest::bool::weighted(0.75))
            .prop_map(|(end, on)| Op::Nonblocking { end, on }),
    ]
}

fn scenario(ops: impl Strategy<Value = Op>, max_ops: usize) -> impl Strategy<Value = Scenario> {
    (setup(), proptest::collection::vec(ops, 0..max_ops))
        .prop_map(|(setup, ops)| Scenario { setup, ops })
}

/// Runs a property on the watchdog's thread, so a pipe that blocks where the
/// model says it cannot fails the test instead of hanging it.
fn check<S: Strategy<Value = Scenario> + 'static>(strategy: fn() -> S) {
    support::watchdog_for(std::time::Duration::from_secs(120), move || {
        let strategy = strategy();
        let mut runner = TestRunner::new(Config {
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strategy, |scenario| {
                scenario.run();
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    });
}

/// Everything mixed: every operation, every door, every knob.
#[test]
fn pipe_matches_model() {
    check(|| scenario(op(), 80));
}

/// Only writes and reads of arbitrary sizes on any door: the content arrives
/// whole and in order under arbitrary chunking, capacities and knobs.
#[test]
fn content_survives_arbitrary_chunking() {
    check(|| scenario(prop_oneof![write_op(), read_op()], 120));
}

/// Closes and faults dominate: the outcome after every kind of close matches.
#[test]
fn closes_and_faults_match_model() {
    check(|| scenario(closing_op(), 40));
}

fn closing_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => write_op(),
        3 => read_op(),
        1 => (0..2usize, kind()).prop_map(|(end, kind)| Op::CloseWithError { end, kind }),
        1 => (0..2usize, kind()).prop_map(|(end, kind)| Op::FailNextRead { end, kind }),
        1 => (0..2usize, kind()).prop_map(|(end, kind)| Op::FailNextWrite { end, kind }),
        1 => (0..2usize, proptest::sample::select(vec![Shutdown::Read, Shutdown::Write]), door())
            .prop_map(|(end, how, door)| Op::Shutdown { end, how, door }),
        1 => (0..2usize).prop_map(|end| Op::Nonblocking { end, on: true }),
    ]
}

/// Fixed regressions and corner cases, run every time.
#[test]
fn model_corner_cases() {
    // A pipe that blocks where the model says it cannot fails instead of
    // hanging.
    support::watchdog(|| {
        let all_doors = doors();
        for &door in &all_doors {
            for capacity in [0, 1, 3] {
                let setup = Setup {
                    capacity,
                    max_read_len: None,
                    max_write_len: None,
                    interleave_pending: false,
                    name: Some("corner"),
                };
                let ops = vec![
                    // Async reader waits (rendezvous: it asks for 4 bytes) ...
                    Op::Read {
                        end: 1,
                        len: 4,
                        door,
                    },
                    Op::Nonblocking { end: 0, on: true },
                    // ... a write hands over (what the reader asked for, or what fits) ...
                    Op::Write {
                        end: 0,
                        len: 10,
                        door: Door::Blocking,
                        split: None,
                    },
                    Op::Read {
                        end: 1,
                        len: 10,
                        door,
                    },
                    // ... empty writes and reads on an open pipe ...
                    Op::Write {
                        end: 0,
                        len: 0,
                        door,
                        split: None,
                    },
                    Op::Read {
                        end: 1,
                        len: 0,
                        door,
                    },
                    // ... a past deadline fails even with data ready, then clears ...
                    Op::Deadline {
                        end: 1,
                        which: Which::Read,
                        when: When::Past,
                    },
                    Op::Read {
                        end: 1,
                        len: 4,
                        door,
                    },
                    Op::Deadline {
                        end: 1,
                        which: Which::Read,
                        when: When::Clear,
                    },
                    // ... an injected fault, then a reset on demand.
                    Op::FailNextWrite {
                        end: 0,
                        kind: ErrorKind::ConnectionReset,
                    },
                    Op::Write {
                        end: 0,
                        len: 3,
                        door,
                        split: Some((1, 1)),
                    },
                    Op::CloseWithError {
                        end: 0,
                        kind: ErrorKind::ConnectionReset,
                    },
                    Op::Read {
                        end: 1,
                        len: 8,
                        door,
                    },
                    Op::Read {
                        end: 1,
                        len: 8,
                        door,
                    },
                    Op::Read {
                        end: 1,
                        len: 8,
                        door,
                    },
                    Op::Write {
                        end: 1,
                        len: 2,
                        door,
                        split: None,
                    },
                    Op::Write {
                        end: 0,
                        len: 0,
                        door,
                        split: None,
                    },
                ];
                Scenario { setup, ops }.run();
            }
        }
    });
}
