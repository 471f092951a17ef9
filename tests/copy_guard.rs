//! Every copy of a user's bytes goes through the crate's guard against glibc's
//! slow `memcpy` (sourceware bug 30994: a large copy whose `(dst - src) mod
//! 4096` is small runs ~10x slower on some AMD CPUs), on every door.
//!
//! The other end of each copy is a buffer inside pipetap (a pipe's ring, a
//! tape, a tee's held bytes) whose address a test cannot see, so each test
//! sweeps its own buffer through every 16-byte step of a page, 64 KiB per
//! copy. malloc aligns both buffers to 16 bytes, so exactly one step puts
//! the destination 16 bytes past the source (and its neighbours 32 and 48
//! bytes past). The guard must split the copy at those steps and at no
//! others: `__piecewise_copies()` (this thread's count of split copies) moves
//! at between 1 and 4 steps, all within one 64-byte window.
#![cfg(all(feature = "futures", feature = "tokio"))]

mod support;

use std::io::{self, BufRead, ErrorKind, IoSlice, IoSliceMut, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use pipetap::{MultiWriter, PipeBuilder, RecordExt, Recording, Tape, TeeReader};
use rstest::rstest;
use support::mock::Mock;
use support::{seeded_bytes, watchdog, Conn, Door};

/// The size of each copy: far above every `rep movsb` threshold.
const LEN: usize = 64 * 1024;
const PAGE: usize = 4096;

/// A buffer with room for `LEN` bytes at every offset of a page.
fn sweep_buffer() -> Vec<u8> {
    seeded_bytes(7, LEN + PAGE)
}

/// How many copies `f` split, on this thread.
fn splits(f: impl FnOnce()) -> usize {
    let before = pipetap::__piecewise_copies();
    f();
    pipetap::__piecewise_copies() - before
}

/// Runs `op(offset)` at every 16-byte offset of a page; `op` returns how many
/// of the copies it measured (with [`splits`]) were split. Returns the offsets
/// where any was.
fn split_at(mut op: impl FnMut(usize) -> usize) -> Vec<usize> {
    // One round first, uncounted: buffers that grow on first use (a tape's)
    // land at an address the allocator picks, which may itself be a short
    // distance away; after it they keep their place for the whole sweep.
    op(0);
    (0..PAGE).step_by(16).filter(|&off| op(off) > 0).collect()
}

/// The guard applied at the few placements at a short distance, and only there.
#[track_caller]
fn assert_guarded(what: &str, hits: &[usize]) {
    assert!(
        !hits.is_empty(),
        "{what}: no copy was split at any placement: the guard is not applied"
    );
    assert!(
        hits.len() <= 4,
        "{what}: copies split at {} placements {hits:?}: the guard is too wide",
        hits.len()
    );
    let window = hits
        .iter()
        .any(|&h0| hits.iter().all(|&h| (h + PAGE - h0) % PAGE < 64));
    assert!(
        window,
        "{what}: split placements {hits:?} are not one window"
    );
}

fn pipe_conns(door: Door) -> (Conn, Conn) {
    let (a, b) = PipeBuilder::new().capacity(LEN).build();
    (Conn::new(a, door), Conn::new(b, door))
}

// ----- the pipe: writer to ring, ring to reader -----

#[rstest]
fn pipe_write_is_guarded(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    let hits = watchdog(move || {
        let (mut tx, mut rx) = pipe_conns(door);
        let src = sweep_buffer();
        let mut sink = vec![0u8; LEN];
        split_at(|off| {
            let n = splits(|| tx.write_all(&src[off..off + LEN]).unwrap());
            rx.read_exact(&mut sink).unwrap();
            assert_eq!(sink, src[off..off + LEN]);
            n
        })
    });
    assert_guarded(&format!("{door:?} write"), &hits);
}

#[rstest]
fn pipe_vectored_write_is_guarded(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    let hits = watchdog(move || {
        let (mut tx, mut rx) = pipe_conns(door);
        let src = sweep_buffer();
        let mut sink = vec![0u8; LEN];
        split_at(|off| {
            let (a, b) = src[off..off + LEN].split_at(LEN / 2);
            let n = splits(|| {
                let bufs = [IoSlice::new(a), IoSlice::new(&[]), IoSlice::new(b)];
                assert_eq!(tx.write_vectored(&bufs).unwrap(), LEN);
            });
            rx.read_exact(&mut sink).unwrap();
            assert_eq!(sink, src[off..off + LEN]);
            n
        })
    });
    assert_guarded(&format!("{door:?} vectored write"), &hits);
}

/// The tokio door reads into a `ReadBuf`; the others into a slice.
#[rstest]
fn pipe_read_is_guarded(#[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door) {
    let hits = watchdog(move || {
        let (mut tx, mut rx) = pipe_conns(door);
        let src = seeded_bytes(3, LEN);
        let mut dst = sweep_buffer();
        split_at(|off| {
            tx.write_all(&src).unwrap();
            let got = &mut dst[off..off + LEN];
            let n = splits(|| rx.read_exact(got).unwrap());
            assert_eq!(got, &src[..]);
            n
        })
    });
    assert_guarded(&format!("{door:?} read"), &hits);
}

/// A tokio read into a `ReadBuf` over uninitialised memory (as `read_buf`
/// and `read_to_end` pass).
#[test]
fn pipe_read_into_uninit_read_buf_is_guarded() {
    let hits = watchdog(|| {
        let (mut tx, rx) = PipeBuilder::new().capacity(LEN).build();
        let mut rx = rx;
        let src = seeded_bytes(3, LEN);
        let mut store: Vec<std::mem::MaybeUninit<u8>> = Vec::with_capacity(LEN + PAGE);
        store.resize(LEN + PAGE, std::mem::MaybeUninit::uninit());
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        split_at(|off| {
            tx.write_all(&src).unwrap();
            let mut buf = tokio::io::ReadBuf::uninit(&mut store[off..off + LEN]);
            let n = splits(|| {
                let poll = tokio::io::AsyncRead::poll_read(Pin::new(&mut rx), &mut cx, &mut buf);
                assert!(matches!(poll, Poll::Ready(Ok(()))));
            });
            assert_eq!(buf.filled(), &src[..]);
            n
        })
    });
    assert_guarded("tokio read into an uninitialised ReadBuf", &hits);
}

// ----- Recording: the tape's copies -----

#[test]
fn recorded_write_is_guarded() {
    let (mut conn, tape) = io::sink().record();
    let src = sweep_buffer();
    let hits = split_at(|off| {
        let n = splits(|| conn.write_all(&src[off..off + LEN]).unwrap());
        assert_eq!(tape.len(), LEN);
        tape.clear();
        n
    });
    assert_guarded("recorded write", &hits);
}

#[test]
fn recorded_vectored_write_is_guarded() {
    let (mut conn, tape) = io::sink().record();
    let src = sweep_buffer();
    let hits = split_at(|off| {
        let (a, b) = src[off..off + LEN].split_at(LEN / 2);
        let n = splits(|| {
            let bufs = [IoSlice::new(a), IoSlice::new(b)];
            assert_eq!(conn.write_vectored(&bufs).unwrap(), LEN);
        });
        assert_eq!(tape.len(), LEN);
        tape.clear();
        n
    });
    assert_guarded("recorded vectored write", &hits);
}

#[test]
fn recorded_read_is_guarded() {
    let src = seeded_bytes(5, LEN);
    let tape = Tape::new();
    let mut dst = sweep_buffer();
    let hits = split_at(|off| {
        let mut conn = Recording::with_tape(&src[..], tape.clone()).record_reads();
        let got = &mut dst[off..off + LEN];
        // The reader's own copy into `got` is not pipetap's; the tape's is.
        let n = splits(|| conn.read_exact(got).unwrap());
        assert_eq!(tape.read_bytes(), &src[..]);
        tape.clear();
        n
    });
    assert_guarded("recorded read", &hits);
}

#[test]
fn recorded_vectored_read_is_guarded() {
    let src = seeded_bytes(5, LEN);
    let tape = Tape::new();
    let mut dst = sweep_buffer();
    let hits = split_at(|off| {
        let mut conn = Recording::with_tape(&src[..], tape.clone()).record_reads();
        let (a, b) = dst[off..off + LEN].split_at_mut(LEN / 2);
        let n = splits(|| {
            let mut bufs = [IoSliceMut::new(a), IoSliceMut::new(b)];
            assert_eq!(conn.read_vectored(&mut bufs).unwrap(), LEN);
        });
        assert_eq!(tape.read_bytes(), &src[..]);
        tape.clear();
        n
    });
    assert_guarded("recorded vectored read", &hits);
}

/// `fill_buf` keeps a copy of the inner buffer, so `consume` can record it.
#[test]
fn recorded_fill_buf_is_guarded() {
    let src = sweep_buffer();
    let mut conn: Recording<&[u8]> = Recording::new(&[][..]).record_reads();
    let tape = conn.tape();
    let hits = split_at(|off| {
        *conn.get_mut() = &src[off..off + LEN];
        let n = splits(|| assert_eq!(conn.fill_buf().unwrap().len(), LEN));
        conn.consume(LEN);
        assert_eq!(tape.read_bytes(), &src[off..off + LEN]);
        tape.clear();
        n
    });
    assert_guarded("recorded fill_buf", &hits);
}

// ----- the tee writers' held bytes -----

/// A blocking call's result as a poll (`WouldBlock` is `Pending`), so each door
/// is polled once and each step's copies can be counted on their own.
fn as_poll<T>(r: io::Result<T>) -> Poll<io::Result<T>> {
    match r {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Poll::Pending,
        r => Poll::Ready(r),
    }
}

fn noop_cx() -> Context<'static> {
    Context::from_waker(futures::task::noop_waker_ref())
}

fn mw_write(door: Door, w: &mut MultiWriter<Mock>, buf: &[u8]) -> Poll<io::Result<usize>> {
    let cx = &mut noop_cx();
    match door {
        Door::Blocking => as_poll(w.write(buf)),
        Door::Futures => futures::io::AsyncWrite::poll_write(Pin::new(w), cx, buf),
        Door::Tokio => tokio::io::AsyncWrite::poll_write(Pin::new(w), cx, buf),
    }
}

fn mw_flush(door: Door, w: &mut MultiWriter<Mock>) -> Poll<io::Result<()>> {
    let cx = &mut noop_cx();
    match door {
        Door::Blocking => as_poll(w.flush()),
        Door::Futures => futures::io::AsyncWrite::poll_flush(Pin::new(w), cx),
        Door::Tokio => tokio::io::AsyncWrite::poll_flush(Pin::new(w), cx),
    }
}

/// The second writer is `Pending` (or `WouldBlock`) once per round, so every
/// write holds its round: the bytes are copied into the held buffer.
#[rstest]
fn multi_writer_held_round_is_guarded(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    let stalls = Mock::new()
        .hiccups(vec![true, false, false])
        .blocking_hiccup(ErrorKind::WouldBlock);
    let mut w = MultiWriter::new([Mock::new(), stalls]);
    let src = sweep_buffer();
    let hits = split_at(|off| {
        let buf = &src[off..off + LEN];
        let n = splits(|| assert!(matches!(mw_write(door, &mut w, buf), Poll::Ready(Ok(LEN)))));
        assert_eq!(w.held_len(), LEN);
        assert!(matches!(mw_flush(door, &mut w), Poll::Ready(Ok(()))));
        for writer in w.get_mut() {
            assert_eq!(writer.written, buf);
            writer.written.clear();
        }
        n
    });
    assert_guarded(&format!("{door:?} MultiWriter held round"), &hits);
}

fn tee_read(door: Door, r: &mut TeeReader<&[u8], Mock>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
    let cx = &mut noop_cx();
    match door {
        Door::Blocking => as_poll(r.read(buf)),
        Door::Futures => futures::io::AsyncRead::poll_read(Pin::new(r), cx, buf),
        Door::Tokio => {
            let mut rb = tokio::io::ReadBuf::new(buf);
            tokio::io::AsyncRead::poll_read(Pin::new(r), cx, &mut rb).map_ok(|()| rb.filled().len())
        }
    }
}

/// `W` stalls once per read, so the bytes read are held, then handed to the
/// caller on the next read: two copies between the caller's buffer and the
/// held one, one each way, each counted on its own.
#[rstest]
fn tee_reader_held_bytes_are_guarded(
    #[values(Door::Blocking, Door::Futures, Door::Tokio)] door: Door,
) {
    let src = seeded_bytes(9, LEN);
    let stalls = Mock::new()
        .hiccups(vec![true, false])
        .blocking_hiccup(ErrorKind::WouldBlock);
    let mut r = TeeReader::new(&[][..], stalls);
    let mut dst = sweep_buffer();
    let (mut holds, mut gives) = (Vec::new(), Vec::new());
    for off in (0..PAGE).step_by(16) {
        *r.get_mut().0 = &src[..];
        let buf = &mut dst[off..off + LEN];
        if splits(|| assert!(tee_read(door, &mut r, buf).is_pending())) > 0 {
            holds.push(off);
        }
        assert_eq!(r.held_len(), LEN);
        if splits(|| assert!(matches!(tee_read(door, &mut r, buf), Poll::Ready(Ok(LEN))))) > 0 {
            gives.push(off);
        }
        assert_eq!(buf, &src[..]);
        assert_eq!(r.get_ref().1.written, src);
        r.get_mut().1.written.clear();
    }
    assert_guarded(&format!("{door:?} TeeReader holding bytes"), &holds);
    assert_guarded(&format!("{door:?} TeeReader giving held bytes"), &gives);
}
