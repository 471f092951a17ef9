//! Zero allocations per write in steady state, for MultiWriter and TeeReader
//! on every front door compiled in, counted by a global allocator (per
//! thread, so the test harness and other threads cannot disturb the count).

mod support;

use std::io::{BufRead, ErrorKind, IoSlice, Read, Write};
use std::task::{Context, Poll, Waker};

use pipetap::{MultiWriter, TeeReader};
use rstest::rstest;
use support::alloc::{allocations, assert_steady_state, Counting};
use support::door::would_block_as_pending;
use support::mock::Mock;
use support::{watchdog, Door};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: usize = 2_000;

#[test]
fn the_counter_counts() {
    assert_eq!(
        allocations(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(10)))),
        1
    );
}

#[rstest]
fn blocking_multi_writer(#[values(64, 16 * 1024)] size: usize) {
    watchdog(move || {
        let data = vec![0xA5u8; size];
        let mut w =
            MultiWriter::new([Vec::with_capacity(64 * size), Vec::with_capacity(64 * size)]);
        assert_steady_state(
            &format!("blocking MultiWriter, {size}-byte writes"),
            1,
            || {
                for i in 0..ROUNDS {
                    if i % 32 == 0 {
                        w.get_mut().iter_mut().for_each(Vec::clear);
                    }
                    w.write_all(&data).unwrap();
                    let half = size / 2;
                    let n = w
                        .write_vectored(&[IoSlice::new(&data[..half]), IoSlice::new(&data[half..])])
                        .unwrap();
                    assert_eq!(n, size);
                }
                w.flush().unwrap();
            },
        );
    });
}

/// A writer that takes at most `limit` bytes a call and hiccups on
/// alternate calls (`Pending`, or `WouldBlock` on the blocking door), with
/// room reserved for `reserve` bytes.
fn stingy(limit: usize, reserve: usize) -> Mock {
    let mut m = Mock::new()
        .max_write(limit)
        .alternate()
        .blocking_hiccup(ErrorKind::WouldBlock);
    m.written.reserve(reserve);
    m
}

/// Writers that are `Pending` on alternate calls and take short writes, so
/// every write holds a round in the internal buffer; driven by polls with a
/// no-op waker through `door`.
#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn multi_writer_with_pending_writers(#[case] door: Door, #[values(64, 16 * 1024)] size: usize) {
    watchdog(move || {
        let data = vec![0x5Au8; size];
        let reserve = 64 * size;
        let mut w = MultiWriter::new([
            stingy(usize::MAX, reserve),
            stingy(size / 3 + 1, reserve),
            stingy(usize::MAX, reserve),
        ]);
        let cx = &mut Context::from_waker(Waker::noop());
        let flush = |w: &mut MultiWriter<Mock>, cx: &mut Context<'_>| {
            while would_block_as_pending(door.poll_flush(w, cx)).is_pending() {}
        };
        // The warm-up round grows the held buffer to its size.
        assert_steady_state(
            &format!("{door:?} MultiWriter, {size}-byte writes"),
            1,
            || {
                for i in 0..ROUNDS {
                    if i % 32 == 0 {
                        flush(&mut w, cx);
                        w.get_mut().iter_mut().for_each(Mock::clear_written);
                    }
                    let mut pos = 0;
                    while pos < data.len() {
                        let p = would_block_as_pending(door.poll_write(&mut w, cx, &data[pos..]));
                        if let Poll::Ready(r) = p {
                            pos += r.unwrap();
                        }
                    }
                }
                flush(&mut w, cx);
            },
        );
    });
}

#[rstest]
fn tee_reader(#[values(64, 16 * 1024)] size: usize) {
    watchdog(move || {
        let data = vec![0x3Cu8; 64 * size];
        let mut buf = vec![0u8; size];
        let w = stingy(size / 3 + 1, 2 * data.len()).hiccups(vec![false, true]);
        let mut tee = TeeReader::new(Mock::reading(data), w);
        assert_steady_state(&format!("TeeReader, {size}-byte reads"), 1, || {
            tee.get_mut().0.pos = 0;
            tee.get_mut().1.clear_written();
            loop {
                match tee.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
        });
    });
}

/// `fill_buf` / `consume` mixed with reads through a buffered tee whose
/// writer short-writes and would block on alternate calls.
#[rstest]
fn buffered_tee_reader(#[values(64, 16 * 1024)] size: usize) {
    watchdog(move || {
        let data = vec![0x7Eu8; 64 * size];
        let mut buf = vec![0u8; size / 2];
        let w = stingy(size / 3 + 1, 2 * data.len()).hiccups(vec![false, true]);
        let mut tee = TeeReader::new(
            std::io::BufReader::with_capacity(size, Mock::reading(data)),
            w,
        );
        assert_steady_state(
            &format!("buffered TeeReader, {size}-byte buffer"),
            1,
            || {
                tee.get_mut().0.get_mut().pos = 0;
                tee.get_mut().1.clear_written();
                for i in 0.. {
                    let step = if i % 3 == 2 {
                        tee.read(&mut buf)
                    } else {
                        tee.fill_buf().map(|b| b.len().div_ceil(2))
                    };
                    match step {
                        Ok(0) => break,
                        Ok(n) if i % 3 != 2 => tee.consume(n),
                        Ok(_) => {}
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            },
        );
    });
}
