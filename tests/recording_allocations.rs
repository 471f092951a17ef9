//! Recording a write allocates nothing once the tape has grown.
//!
//! A counting global allocator counts allocations made by the current thread
//! (other test threads are not counted).

mod support;

use std::io::{IoSlice, Read, Write};

use pipetap::{RecordExt, Recording, Tape};
use support::alloc::{allocations, assert_steady_state, Counting};
use support::mock::Mock;
use support::watchdog;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn workload(conn: &mut Recording<Vec<u8>>, tape: &Tape, rounds: usize) {
    static LARGE: [u8; 16 * 1024] = [9; 16 * 1024];
    let small = [7u8; 64];
    let large = &LARGE[..];
    for _ in 0..rounds {
        for _ in 0..100 {
            conn.write_all(&small).unwrap();
        }
        conn.write_all(large).unwrap();
        let n = conn
            .write_vectored(&[IoSlice::new(&small), IoSlice::new(large)])
            .unwrap();
        assert_eq!(n, small.len() + large.len());
        tape.clear();
        conn.get_mut().clear();
    }
}

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
    // The tape grows while it is young.
    let (mut conn, _tape) = Vec::new().record();
    assert!(allocations(|| conn.write_all(b"first").unwrap()) >= 1);
}

#[test]
fn steady_state_writes_do_not_allocate() {
    watchdog(|| {
        let (mut conn, tape) = Vec::new().record();
        // Warm up: the tape and the inner Vec grow to their working size.
        workload(&mut conn, &tape, 2);
        let count = allocations(|| workload(&mut conn, &tape, 50));
        assert_eq!(count, 0, "{count} allocations in 50 rounds of 102 writes");
    });
}

#[test]
fn steady_state_reads_and_writes_do_not_allocate() {
    watchdog(|| {
        let tape = Tape::new();
        let mut conn =
            Recording::with_tape(Mock::reading(vec![1u8; 4096]), tape.clone()).record_reads();
        let mut buf = [0u8; 64];
        let mut round = || {
            conn.get_mut().pos = 0;
            for _ in 0..64 {
                conn.write_all(b"request").unwrap();
                conn.read_exact(&mut buf).unwrap();
            }
            tape.clear();
            conn.get_mut().clear_written();
        };
        // Two warm-up rounds (the tape and the buffers grow to their
        // working size; `assert_steady_state` runs the second), then 50
        // counted ones.
        round();
        assert_steady_state("recording reads and writes", 50, round);
    });
}
