//! Recording a write allocates nothing once the tape has grown.
//!
//! A counting global allocator counts allocations made by the current thread
//! while counting is switched on (other test threads are not counted).

mod alloc_counter;

use std::io::{IoSlice, Write};

use alloc_counter::allocations;
use pipetap::{RecordExt, Recording, Tape};

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
    let (mut conn, tape) = Vec::new().record();
    // Warm up: the tape and the inner Vec grow to their working size.
    workload(&mut conn, &tape, 2);
    let count = allocations(|| workload(&mut conn, &tape, 50));
    assert_eq!(count, 0, "{count} allocations in 50 rounds of 102 writes");
}

#[test]
fn steady_state_reads_and_writes_do_not_allocate() {
    let input = std::io::Cursor::new(vec![1u8; 4096]);
    let tape = Tape::new();
    let mut conn = Recording::with_tape(
        Rw {
            input,
            output: Vec::new(),
        },
        tape.clone(),
    )
    .record_reads();
    let mut buf = [0u8; 64];
    let mut round = |conn: &mut Recording<Rw>| {
        conn.get_mut().input.set_position(0);
        for _ in 0..64 {
            conn.write_all(b"request").unwrap();
            std::io::Read::read_exact(conn, &mut buf).unwrap();
        }
        tape.clear();
        conn.get_mut().output.clear();
    };
    round(&mut conn);
    round(&mut conn);
    let count = allocations(|| {
        for _ in 0..50 {
            round(&mut conn);
        }
    });
    assert_eq!(
        count, 0,
        "{count} allocations while recording reads and writes"
    );
}

struct Rw {
    input: std::io::Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl std::io::Read for Rw {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Rw {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.output.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
