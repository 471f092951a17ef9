//! TeeReader's buffered doors (`BufRead` / `AsyncBufRead`): teed at fill
//! time, at most one buffer ahead of what the caller consumed; lines through
//! each door, fill_buf / consume / read mixed, writers that short-write, block
//! or fail, poll-level wake-ups, and a property test over interleaved
//! fill_buf / consume / read.

mod support;

use std::io::{self, ErrorKind, Read};

use pipetap::TeeReader;
use rstest::rstest;
use support::mock::{Mock, Scripted};
use support::{watchdog, Door};

/// Lines of text, some empty, the last one without a newline.
fn text(lines: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..lines {
        for _ in 0..(i * 7) % 23 {
            out.push(b'a' + (i % 26) as u8);
        }
        out.push(b'\n');
    }
    out.extend_from_slice(b"no newline at the end");
    out
}

/// A writer taking 1 byte per call, hiccuping (`Pending`, or `WouldBlock`
/// for blocking callers) on alternate calls.
fn stingy_writer() -> Mock {
    Mock::new()
        .max_write(1)
        .alternate()
        .blocking_hiccup(ErrorKind::WouldBlock)
}

/// One async door's arm of [`buffered_lines_via`]: they differ only in the
/// door's `BufReader`, its `read_until` and the executor.
#[cfg(any(feature = "futures", feature = "tokio"))]
macro_rules! async_lines {
    ($watchdog:path, $($buf_reader:ident)::+, $ext:path, $capacity:ident, $reader:ident) => {
        $watchdog(move || async move {
            use $ext as _;
            let mut r = TeeReader::new(
                $($buf_reader)::+::with_capacity($capacity, $reader),
                stingy_writer(),
            );
            let mut lines = Vec::new();
            loop {
                let mut line = Vec::new();
                if r.read_until(b'\n', &mut line).await.unwrap() == 0 {
                    break;
                }
                lines.push(line);
                check(&lines, &r.get_ref().1.written, $capacity);
            }
            (lines, r.into_inner().1.written)
        })
    };
}

/// Reads `data` line by line with `read_until` through
/// `TeeReader<BufReader<Mock>, stingy_writer()>` on `door`; after every
/// line, `W` has exactly the bytes returned so far plus at most one buffer of
/// bytes shown but not consumed. Returns the lines and `W`'s copy.
fn buffered_lines_via(
    door: Door,
    data: Vec<u8>,
    capacity: usize,
    read_limit: usize,
) -> (Vec<Vec<u8>>, Vec<u8>) {
    fn check(lines: &[Vec<u8>], copy: &[u8], capacity: usize) {
        let out = lines.concat();
        assert!(copy.starts_with(&out), "W lacks returned bytes");
        assert!(
            copy.len() <= out.len() + capacity,
            "W ran ahead of the buffer"
        );
    }
    let reader = Mock::reading(data).max_read(read_limit);
    match door {
        Door::Blocking => watchdog(move || {
            use std::io::BufRead;
            let mut r = TeeReader::new(
                io::BufReader::with_capacity(capacity, reader),
                stingy_writer(),
            );
            let mut lines = Vec::new();
            let mut line = Vec::new();
            loop {
                // `read_until` keeps what it read before an error, so a
                // `WouldBlock` retry continues the same line.
                match r.read_until(b'\n', &mut line) {
                    Ok(0) => break,
                    Ok(_) if line.ends_with(b"\n") => {
                        lines.push(std::mem::take(&mut line));
                        check(&lines, &r.get_ref().1.written, capacity);
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
            if !line.is_empty() {
                lines.push(line);
            }
            (lines, r.into_inner().1.written)
        }),
        #[cfg(feature = "futures")]
        Door::Futures => async_lines!(
            support::futures_watchdog,
            futures::io::BufReader,
            futures::io::AsyncBufReadExt,
            capacity,
            reader
        ),
        #[cfg(feature = "tokio")]
        Door::Tokio => async_lines!(
            support::tokio_watchdog,
            tokio::io::BufReader,
            tokio::io::AsyncBufReadExt,
            capacity,
            reader
        ),
        #[allow(unreachable_patterns)]
        _ => door.missing(),
    }
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn read_until_through_a_buffered_tee_with_a_stingy_writer(
    #[case] door: Door,
    #[values(1, 5, 64, 8192)] capacity: usize,
    #[values(1, 7, usize::MAX)] read_limit: usize,
) {
    watchdog(move || {
        let data = text(60);
        let (lines, copy) = buffered_lines_via(door, data.clone(), capacity, read_limit);
        let expected: Vec<Vec<u8>> = data
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(lines, expected);
        assert!(copy == data, "W's copy differs from the input");
    });
}

#[test]
fn read_line_and_lines_through_a_tee_over_a_cursor() {
    watchdog(move || {
        use std::io::BufRead;
        let mut r = TeeReader::new(
            io::Cursor::new("first\nsecond\r\nthird"),
            Mock::new().max_write(1).alternate(),
        );
        let mut line = String::new();
        assert_eq!(r.read_line(&mut line).unwrap(), 6);
        assert_eq!(line, "first\n");
        // The cursor's whole buffer was shown, so W has all of it already.
        assert_eq!(r.get_ref().1.written, b"first\nsecond\r\nthird");
        let rest: Vec<String> = (&mut r).lines().map(Result::unwrap).collect();
        assert_eq!(rest, ["second", "third"]);
        assert_eq!(
            r.get_ref().1.written,
            b"first\nsecond\r\nthird",
            "nothing teed twice"
        );
    });
}

/// Each door's own `lines()` through `TeeReader<BufReader<Mock>,
/// stingy_writer()>`: the lines and `W`'s copy.
fn lines_via(door: Door, data: Vec<u8>) -> (Vec<String>, Vec<u8>) {
    let reader = Mock::reading(data).max_read(3);
    match door {
        Door::Blocking => watchdog(move || {
            use std::io::BufRead;
            // std's `lines` retries `Interrupted`, not `WouldBlock`.
            let writer = stingy_writer().blocking_hiccup(ErrorKind::Interrupted);
            let mut r = TeeReader::new(io::BufReader::with_capacity(4, reader), writer);
            let got = (&mut r).lines().map(Result::unwrap).collect();
            (got, r.into_inner().1.written)
        }),
        #[cfg(feature = "futures")]
        Door::Futures => support::futures_watchdog(move || async move {
            use futures::{io::AsyncBufReadExt, StreamExt};
            let mut r = TeeReader::new(
                futures::io::BufReader::with_capacity(4, reader),
                stingy_writer(),
            );
            let mut lines = (&mut r).lines();
            let mut got = Vec::new();
            while let Some(line) = lines.next().await {
                got.push(line.unwrap());
            }
            (got, r.into_inner().1.written)
        }),
        #[cfg(feature = "tokio")]
        Door::Tokio => support::tokio_watchdog(move || async move {
            use tokio::io::AsyncBufReadExt;
            let r = TeeReader::new(
                tokio::io::BufReader::with_capacity(4, reader),
                stingy_writer(),
            );
            let mut lines = r.lines();
            let mut got = Vec::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                got.push(line);
            }
            (got, lines.into_inner().into_inner().1.written)
        }),
        #[allow(unreachable_patterns)]
        _ => door.missing(),
    }
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn lines_through_a_buffered_tee(#[case] door: Door) {
    watchdog(move || {
        let data = text(30);
        let (got, copy) = lines_via(door, data.clone());
        let expected: Vec<&str> = std::str::from_utf8(&data).unwrap().lines().collect();
        assert_eq!(got, expected);
        assert!(copy == data, "W's copy differs from the input");
    });
}

#[test]
fn fill_buf_tees_once_however_often_it_is_called() {
    watchdog(move || {
        use std::io::BufRead;
        let data = b"abcdefghijklmnopqrstuvwxyz".to_vec();
        let mut r = TeeReader::new(
            io::BufReader::with_capacity(8, Mock::reading(data)),
            Vec::new(),
        );
        assert_eq!(r.fill_buf().unwrap(), b"abcdefgh");
        assert_eq!(r.fill_buf().unwrap(), b"abcdefgh");
        assert_eq!(r.get_ref().1, b"abcdefgh");
        // Partial consumes: the rest of the buffer is already in W.
        r.consume(3);
        assert_eq!(r.fill_buf().unwrap(), b"defgh");
        r.consume(0);
        r.consume(4);
        assert_eq!(r.fill_buf().unwrap(), b"h");
        assert_eq!(r.get_ref().1, b"abcdefgh");
        r.consume(1);
        // Buffer used up: the next fill reads R and tees the new bytes.
        assert_eq!(r.fill_buf().unwrap(), b"ijklmnop");
        assert_eq!(r.get_ref().1, b"abcdefghijklmnop");
        r.consume(8);
        assert_eq!(r.fill_buf().unwrap(), b"qrstuvwx");
        r.consume(8);
        assert_eq!(r.fill_buf().unwrap(), b"yz");
        r.consume(2);
        assert_eq!(r.fill_buf().unwrap(), b"");
        assert_eq!(r.get_ref().1, b"abcdefghijklmnopqrstuvwxyz");
    });
}

#[test]
fn fill_buf_returns_what_the_writer_has_and_resumes_where_it_stopped() {
    watchdog(move || {
        use std::io::BufRead;
        let mut r = TeeReader::new(
            io::BufReader::with_capacity(8, &b"abcdefghij"[..]),
            Scripted::new([
                Err(ErrorKind::WouldBlock),
                Ok(3),
                Err(ErrorKind::WouldBlock),
                Ok(2),
                Err(ErrorKind::WouldBlock),
            ]),
        );
        // W took nothing: nothing to return.
        assert_eq!(r.fill_buf().unwrap_err().kind(), ErrorKind::WouldBlock);
        assert!(r.get_ref().1.written.is_empty());
        // W took 3: those are returned, R's buffer is untouched.
        assert_eq!(r.fill_buf().unwrap(), b"abc");
        assert_eq!(r.get_ref().0.buffer(), b"abcdefgh");
        // No consume: W gets the next bytes, not the first ones again.
        assert_eq!(r.fill_buf().unwrap(), b"abcde");
        r.consume(4);
        assert_eq!(r.fill_buf().unwrap(), b"efgh");
        assert_eq!(r.get_ref().1.written, b"abcdefgh");
        assert_eq!(r.get_ref().1.calls, 6);
    });
}

#[test]
fn mixing_reads_with_fill_buf_and_consume() {
    watchdog(move || {
        use std::io::BufRead;
        let data = b"abcdefghijklmnopqrstuvwxyz".to_vec();
        let mut r = TeeReader::new(
            io::BufReader::with_capacity(8, Mock::reading(data)),
            Vec::new(),
        );
        assert_eq!(r.fill_buf().unwrap(), b"abcdefgh");
        r.consume(3);
        // A read gets the bytes W already has first, and does not tee them again.
        let mut two = [0u8; 2];
        assert_eq!(r.read(&mut two).unwrap(), 2);
        assert_eq!(&two, b"de");
        assert_eq!(r.get_ref().1, b"abcdefgh");
        let mut ten = [0u8; 10];
        let n = r.read(&mut ten).unwrap();
        assert_eq!(&ten[..n], b"fgh");
        assert_eq!(r.get_ref().1, b"abcdefgh");
        // Past them, reads tee as usual.
        let n = r.read(&mut ten).unwrap();
        assert_eq!(&ten[..n], b"ijklmnopqr");
        assert_eq!(r.get_ref().1, b"abcdefghijklmnopqr");
        // And fill_buf again after a read.
        assert_eq!(r.fill_buf().unwrap(), b"stuvwxyz");
        r.consume(2);
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "uvwxyz");
        assert_eq!(r.get_ref().1, b"abcdefghijklmnopqrstuvwxyz");
    });
}

#[test]
fn fill_buf_delivers_held_bytes_before_anything_new() {
    watchdog(move || {
        use std::io::BufRead;
        let data = b"abcdefghijklmnop".to_vec();
        let mut r = TeeReader::new(
            io::BufReader::with_capacity(8, Mock::reading(data)),
            Scripted::new([
                Ok(2),
                Err(ErrorKind::WouldBlock),
                Ok(1),
                Err(ErrorKind::WouldBlock),
            ]),
        );
        // Smaller than the BufReader's capacity, so the read goes through its buffer.
        let mut buf = [0u8; 6];
        // R gave "abcdef" (its buffer keeps "gh"), W took "ab": "cdef" is held.
        assert_eq!(r.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"ab");
        assert_eq!(r.held_len(), 4);
        // fill_buf drives the held bytes to W and returns those W has.
        assert_eq!(r.fill_buf().unwrap(), b"c");
        r.consume(1);
        assert_eq!(r.fill_buf().unwrap(), b"def");
        assert_eq!(r.get_ref().1.written, b"abcdef");
        r.consume(2);
        assert_eq!(r.held_len(), 1);
        // Consuming more than the held bytes never reaches into R.
        r.consume(100);
        assert_eq!(r.held_len(), 0);
        assert_eq!(r.get_ref().0.buffer(), b"gh", "R's buffer untouched");
        assert_eq!(r.fill_buf().unwrap(), b"gh");
        r.consume(2);
        assert_eq!(r.fill_buf().unwrap(), b"ijklmnop");
        assert_eq!(r.get_ref().1.written, b"abcdefghijklmnop");
    });
}

#[test]
fn erroring_writer_fails_fill_buf_and_nothing_is_duplicated_after_retry() {
    watchdog(move || {
        use std::io::BufRead;
        let data = b"hello\nworld\n".to_vec();
        let mut r = TeeReader::new(
            io::BufReader::new(Mock::reading(data.clone())),
            Scripted::new([
                Err(ErrorKind::ConnectionReset),
                Ok(2),
                // Swallowed: fill_buf returns the "he" W took.
                Err(ErrorKind::BrokenPipe),
                Err(ErrorKind::BrokenPipe),
                Err(ErrorKind::BrokenPipe),
            ]),
        );
        // W fails before taking anything: the error is fill_buf's.
        let mut line = Vec::new();
        let err = r.read_until(b'\n', &mut line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert!(line.is_empty());
        assert!(r.get_ref().1.written.is_empty());
        // W takes "he" and fails: read_until consumes "he", then its next
        // fill_buf (W still failing, nothing new in it) returns the error.
        let err = r.read_until(b'\n', &mut line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert_eq!(line, b"he");
        // A failing fill_buf consumed nothing; the retry resumes where W stopped.
        assert_eq!(r.fill_buf().unwrap_err().kind(), ErrorKind::BrokenPipe);
        r.read_until(b'\n', &mut line).unwrap();
        assert_eq!(line, b"hello\n");
        line.clear();
        r.read_until(b'\n', &mut line).unwrap();
        assert_eq!(line, b"world\n");
        assert_eq!(r.get_ref().1.written, data);
    });
}

#[rstest]
#[case::claims_more(Ok(100), ErrorKind::InvalidData)]
#[case::accepts_nothing(Ok(0), ErrorKind::WriteZero)]
fn misbehaving_writer_fails_fill_buf(
    #[case] behaviour: Result<usize, ErrorKind>,
    #[case] expected: ErrorKind,
) {
    use std::io::BufRead;
    watchdog(move || {
        let mut r = TeeReader::new(io::Cursor::new(b"xyz"), Scripted::new([behaviour]));
        assert_eq!(r.fill_buf().unwrap_err().kind(), expected);
        assert_eq!(r.get_ref().0.position(), 0, "nothing consumed");
        assert_eq!(r.fill_buf().unwrap(), b"xyz");
    });
}

#[test]
fn debug_shows_bytes_teed_ahead() {
    watchdog(move || {
        use std::io::BufRead;
        let mut r = TeeReader::new(io::Cursor::new(b"abc"), Vec::new());
        r.fill_buf().unwrap();
        r.consume(1);
        assert!(format!("{r:?}").contains("teed_ahead: 2"));
    });
}

#[cfg(any(feature = "futures", feature = "tokio"))]
mod buffered_poll_level {
    use super::*;
    use support::mock::{Gate, GateWriter};
    use tokio_test::task::Spawn;
    use tokio_test::{assert_pending, assert_ready_ok};

    #[rstest]
    #[cfg_attr(feature = "futures", case::futures(Door::Futures))]
    #[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
    fn pending_writer_holds_fill_buf(#[case] door: Door) {
        watchdog(move || {
            let gate = Gate::default();
            // `R` serves all of "hello world" as one buffer.
            let r = Mock::reading(b"hello world".to_vec());
            let mut task = tokio_test::task::spawn(TeeReader::new(r, gate.writer()));
            let fill = |task: &mut Spawn<TeeReader<Mock, GateWriter>>| {
                task.enter(|cx, r| door.poll_fill_buf(r.get_mut(), cx).map_ok(<[u8]>::to_vec))
            };
            assert_pending!(fill(&mut task));
            assert!(gate.data().is_empty());
            assert_pending!(fill(&mut task));
            gate.open();
            assert!(task.is_woken(), "W becoming ready wakes the reader");
            assert_eq!(assert_ready_ok!(fill(&mut task)), b"hello world");
            assert_eq!(gate.data(), b"hello world");
            let calls = gate.write_calls();
            task.enter(|_, r| door.consume(r.get_mut(), 6));
            assert_eq!(assert_ready_ok!(fill(&mut task)), b"world");
            assert_eq!(gate.write_calls(), calls, "W already had them");
            // W failing does not matter while it has everything shown.
            gate.fail_next(ErrorKind::ConnectionReset);
            assert_eq!(assert_ready_ok!(fill(&mut task)), b"world");
            task.enter(|_, r| door.consume(r.get_mut(), 5));
            assert_eq!(assert_ready_ok!(fill(&mut task)), b"");
            assert_eq!(gate.data(), b"hello world");
        });
    }
}

mod buffered_props {
    use super::*;
    use proptest::prelude::*;
    use std::io::BufRead;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::pin::Pin;
    use std::task::Poll;
    #[cfg(any(feature = "futures", feature = "tokio"))]
    use std::task::{Context, Waker};
    use support::door::would_block_as_pending;

    /// One door's `fill_buf` / `consume` / `read` on a buffered tee, as `Poll`s
    /// (blocking `WouldBlock` is `Pending`).
    trait BufTee {
        fn fill(&mut self) -> Poll<io::Result<Vec<u8>>>;
        fn consume(&mut self, amt: usize);
        fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    }

    fn unblock<T>(r: io::Result<T>) -> Poll<io::Result<T>> {
        would_block_as_pending(Poll::Ready(r))
    }

    #[cfg(any(feature = "futures", feature = "tokio"))]
    fn cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    impl BufTee for TeeReader<io::BufReader<Mock>, Mock> {
        fn fill(&mut self) -> Poll<io::Result<Vec<u8>>> {
            unblock(self.fill_buf().map(<[u8]>::to_vec))
        }
        fn consume(&mut self, amt: usize) {
            BufRead::consume(self, amt);
        }
        fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            unblock(Read::read(self, buf))
        }
    }

    #[cfg(feature = "futures")]
    impl BufTee for TeeReader<futures::io::BufReader<Mock>, Mock> {
        fn fill(&mut self) -> Poll<io::Result<Vec<u8>>> {
            futures::io::AsyncBufRead::poll_fill_buf(Pin::new(self), &mut cx())
                .map_ok(<[u8]>::to_vec)
        }
        fn consume(&mut self, amt: usize) {
            futures::io::AsyncBufRead::consume(Pin::new(self), amt);
        }
        fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            futures::io::AsyncRead::poll_read(Pin::new(self), &mut cx(), buf)
        }
    }

    #[cfg(feature = "tokio")]
    impl BufTee for TeeReader<tokio::io::BufReader<Mock>, Mock> {
        fn fill(&mut self) -> Poll<io::Result<Vec<u8>>> {
            tokio::io::AsyncBufRead::poll_fill_buf(Pin::new(self), &mut cx()).map_ok(<[u8]>::to_vec)
        }
        fn consume(&mut self, amt: usize) {
            tokio::io::AsyncBufRead::consume(Pin::new(self), amt);
        }
        fn read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            let mut rb = tokio::io::ReadBuf::new(buf);
            tokio::io::AsyncRead::poll_read(Pin::new(self), &mut cx(), &mut rb)
                .map_ok(|()| rb.filled().len())
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Fill,
        /// Consume this percentage (rounded up) of what the last `fill_buf`
        /// showed; `fill_buf` first if it showed nothing.
        Consume(usize),
        Read(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Fill),
            (1usize..=100).prop_map(Op::Consume),
            (1usize..40).prop_map(Op::Read),
        ]
    }

    /// Ops that always get somewhere: at least one that takes bytes.
    fn ops() -> impl Strategy<Value = Vec<Op>> {
        proptest::collection::vec(op(), 1..20).prop_map(|mut ops| {
            if ops.iter().all(|op| matches!(op, Op::Fill)) {
                ops.push(Op::Consume(100));
            }
            ops
        })
    }

    fn pattern() -> impl Strategy<Value = Vec<bool>> {
        proptest::collection::vec(any::<bool>(), 0..5).prop_map(|mut h| {
            if !h.is_empty() {
                h.push(false);
            }
            h
        })
    }

    /// Runs `ops` (cycled) until EOF. The model: `out` is every byte the
    /// caller received (returned by a read, or shown by `fill_buf` and then
    /// consumed), `shown` what the last `fill_buf` returned that was neither
    /// consumed nor read since. After every step `W` starts with
    /// `out ++ shown` and has nothing more but held bytes; at the end `W`,
    /// `out` and the input are equal.
    fn run<R>(mut tee: TeeReader<R, Mock>, data: &[u8], ops: &[Op]) -> Result<(), TestCaseError>
    where
        TeeReader<R, Mock>: BufTee,
    {
        let mut out = Vec::new();
        let mut shown: Vec<u8> = Vec::new();
        let mut buf = [0u8; 40];
        let mut stalls = 0;
        for &op in ops.iter().cycle() {
            let progressed = match op {
                Op::Consume(pct) if !shown.is_empty() => {
                    let amt = (shown.len() * pct).div_ceil(100);
                    tee.consume(amt);
                    out.extend(shown.drain(..amt));
                    true
                }
                Op::Fill | Op::Consume(_) => match tee.fill() {
                    Poll::Ready(Ok(b)) if b.is_empty() => break,
                    Poll::Ready(Ok(b)) => {
                        prop_assert!(b.starts_with(&shown), "fill_buf changed shown bytes");
                        let grew = b.len() > shown.len();
                        shown = b;
                        grew
                    }
                    Poll::Ready(Err(e)) => panic!("unexpected error {e}"),
                    Poll::Pending => false,
                },
                Op::Read(len) => match tee.read(&mut buf[..len]) {
                    Poll::Ready(Ok(0)) => break,
                    Poll::Ready(Ok(n)) => {
                        let k = n.min(shown.len());
                        prop_assert_eq!(&buf[..k], &shown[..k], "read skipped shown bytes");
                        shown.drain(..k);
                        out.extend_from_slice(&buf[..n]);
                        true
                    }
                    Poll::Ready(Err(e)) => panic!("unexpected error {e}"),
                    Poll::Pending => false,
                },
            };
            // W has every byte the caller received or was shown, in order, and
            // beyond them only held bytes (a read gives W all the held bytes
            // it can, even when the caller's buffer takes fewer); with nothing
            // held, W has exactly what the caller received or was shown.
            let seen = out.len() + shown.len();
            let copy = &tee.get_ref().1.written;
            prop_assert!(out[..] == data[..out.len()], "caller's bytes out of order");
            prop_assert!(
                shown[..] == data[out.len()..seen],
                "shown bytes out of order"
            );
            prop_assert!(copy == &data[..copy.len()], "W's copy out of order");
            prop_assert!(
                copy.len() >= seen && copy.len() - seen <= tee.held_len(),
                "W has {} bytes; the caller received {} and was shown {} more; {} held",
                copy.len(),
                out.len(),
                shown.len(),
                tee.held_len()
            );
            if progressed {
                stalls = 0;
            } else {
                stalls += 1;
                prop_assert!(stalls < 1000, "no progress");
            }
        }
        prop_assert!(shown.is_empty());
        prop_assert_eq!(tee.held_len(), 0);
        prop_assert!(out == data, "caller's bytes differ from the input");
        prop_assert!(
            tee.get_ref().1.written == data,
            "W's copy differs from the input"
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(support::proptest_config(200))]
        #[test]
        fn interleaved_fill_consume_read_tee_exactly_what_the_caller_received(
            data in proptest::collection::vec(any::<u8>(), 0..1500),
            capacity in 1usize..64,
            read_limit in 1usize..100,
            write_limit in 1usize..50,
            read_hiccups in pattern(),
            write_hiccups in pattern(),
            ops in ops(),
            door in proptest::sample::select(Door::compiled()),
        ) {
            watchdog(move || -> Result<(), TestCaseError> {
                let reader = {
                    let mut m = Mock::reading(data.clone()).max_read(read_limit).hiccups(read_hiccups);
                    m.blocking_hiccup = ErrorKind::WouldBlock;
                    m
                };
                let writer = Mock::new()
                    .max_write(write_limit)
                    .hiccups(write_hiccups)
                    .blocking_hiccup(ErrorKind::WouldBlock);
                // Each door's own `BufReader` under the tee.
                match door {
                    Door::Blocking => run(TeeReader::new(io::BufReader::with_capacity(capacity, reader), writer), &data, &ops)?,
                    #[cfg(feature = "futures")]
                    Door::Futures => run(TeeReader::new(futures::io::BufReader::with_capacity(capacity, reader), writer), &data, &ops)?,
                    #[cfg(feature = "tokio")]
                    Door::Tokio => run(TeeReader::new(tokio::io::BufReader::with_capacity(capacity, reader), writer), &data, &ops)?,
                    #[allow(unreachable_patterns)]
                    _ => door.missing(),
                }
                Ok(())
            })?;
        }
    }
}
