//! A reference model of one pipe (two byte queues plus their flags) and a
//! runner that drives the same operations against a real pipe and the model,
//! checking every result: byte counts, the exact bytes, end-of-stream, error
//! kinds, the introspection calls, and at the end that every accepted byte was
//! read exactly once, in order (or dropped by the reader's own shutdown).
//!
//! Shared by `tests/pipe_model.rs` (proptest, through `mod support`) and
//! `fuzz/fuzz_targets/pipe_ops.rs` (cargo-fuzz, through `tests/model/mod.rs`,
//! which includes this file and `door.rs` with `#[path]`), so it uses nothing
//! of `support` but `super::door`. The including crate decides which async
//! doors exist through its `futures` / `tokio` features.
//!
//! Nothing here ever blocks: the blocking door is only called when the model
//! says the call can finish at once or the end is in nonblocking mode, and the
//! async doors are polled once with a no-op waker (`Pending` is the async
//! twin of `WouldBlock`). A pipe that blocks where the model says it cannot
//! is a finding too (the caller runs this under a watchdog or a fuzz timeout).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, ErrorKind, IoSlice, Read, Write};
use std::net::Shutdown;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, PipeEnd};

/// Error kinds used for injected faults and `close_with_error`.
pub const KINDS: [ErrorKind; 5] = [
    ErrorKind::ConnectionReset,
    ErrorKind::ConnectionAborted,
    ErrorKind::TimedOut,
    ErrorKind::Other,
    ErrorKind::UnexpectedEof,
];

/// The most a rendezvous (capacity 0) pipe stages for a waiting reader.
pub const RENDEZVOUS_STAGE: usize = 64 * 1024;

/// How far ahead a "future" deadline is: far enough never to pass during a
/// run, near enough that the timer thread's queue does not grow without bound
/// under fuzzing.
const FUTURE: Duration = Duration::from_secs(120);

pub use super::door::Door;

/// The doors compiled in.
pub fn doors() -> Vec<Door> {
    Door::compiled()
}

/// A deadline setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `None`: cleared.
    Clear,
    /// `Some(now)`: already passed.
    Past,
    /// Far in the future.
    Future,
}

/// Which deadline(s) a deadline op sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Read,
    Write,
    Both,
}

/// One operation on end `end` (0 or 1) of the pipe.
#[derive(Clone, Debug)]
pub enum Op {
    /// Offer `len` bytes; `split` makes it a vectored write of three slices
    /// cut at those points (some may be empty).
    Write {
        end: usize,
        len: usize,
        door: Door,
        split: Option<(usize, usize)>,
    },
    /// Read into a buffer of `len` bytes.
    Read {
        end: usize,
        len: usize,
        door: Door,
    },
    Flush {
        end: usize,
        door: Door,
    },
    /// `shutdown(how)`; a `Write` shutdown through an async door is
    /// `poll_close` / `poll_shutdown`.
    Shutdown {
        end: usize,
        how: Shutdown,
        door: Door,
    },
    Close {
        end: usize,
    },
    CloseWithError {
        end: usize,
        kind: ErrorKind,
    },
    Drop {
        end: usize,
    },
    Deadline {
        end: usize,
        which: Which,
        when: When,
    },
    /// `set_read_timeout` / `set_write_timeout`; `secs` 0 is the invalid
    /// `Some(Duration::ZERO)`.
    Timeout {
        end: usize,
        read: bool,
        secs: Option<u8>,
    },
    FailNextRead {
        end: usize,
        kind: ErrorKind,
    },
    FailNextWrite {
        end: usize,
        kind: ErrorKind,
    },
    Nonblocking {
        end: usize,
        on: bool,
    },
}

/// How the pipe is built.
#[derive(Clone, Debug)]
pub struct Setup {
    pub capacity: usize,
    pub max_read_len: Option<usize>,
    pub max_write_len: Option<usize>,
    pub interleave_pending: bool,
    pub name: Option<&'static str>,
}

/// A pipe and what to do with it.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub setup: Setup,
    pub ops: Vec<Op>,
}

/// Reads bytes for [`Scenario::decode`]; zeros once the input runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }
    fn end(&mut self) -> usize {
        self.below(2)
    }
    fn door(&mut self) -> Door {
        let doors = doors();
        doors[self.below(doors.len())]
    }
    fn kind(&mut self) -> ErrorKind {
        KINDS[self.below(KINDS.len())]
    }
    fn len(&mut self) -> usize {
        // Mostly small, sometimes 0, sometimes large.
        match self.byte() {
            0..=15 => 0,
            16..=239 => 1 + self.below(24),
            _ => 1 + self.byte() as usize * 4,
        }
    }
}

impl Scenario {
    /// Decodes arbitrary bytes (a fuzz input) into a scenario.
    pub fn decode(data: &[u8]) -> Scenario {
        let mut b = Bytes(data);
        let capacity = match b.byte() {
            0..=63 => 0,
            64..=239 => b.below(17),
            240..=247 => 1 + b.byte() as usize,
            _ => pipetap::DEFAULT_CAPACITY,
        };
        let knob = |v: u8| (v >= 128).then_some(1 + (v as usize % 8));
        let max_read_len = knob(b.byte());
        let max_write_len = knob(b.byte());
        let flags = b.byte();
        let setup = Setup {
            capacity,
            max_read_len,
            max_write_len,
            interleave_pending: flags & 1 != 0,
            name: (flags & 2 != 0).then_some("fuzzed"),
        };
        let mut ops = Vec::new();
        while !b.0.is_empty() && ops.len() < 256 {
            let end = b.end();
            let op = match b.byte() % 32 {
                0..=9 => {
                    let len = b.len();
                    let door = b.door();
                    let split = (b.byte() % 4 == 0).then(|| {
                        let x = b.below(len + 1);
                        let y = b.below(len + 1);
                        (x.min(y), x.max(y))
                    });
                    Op::Write {
                        end,
                        len,
                        door,
                        split,
                    }
                }
                10..=19 => Op::Read {
                    end,
                    len: b.len(),
                    door: b.door(),
                },
                20 => Op::Flush {
                    end,
                    door: b.door(),
                },
                21 => Op::Shutdown {
                    end,
                    how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][b.below(3)],
                    door: b.door(),
                },
                22 => match b.below(3) {
                    0 => Op::Close { end },
                    1 => Op::CloseWithError {
                        end,
                        kind: b.kind(),
                    },
                    _ => Op::Drop { end },
                },
                23..=25 => Op::Deadline {
                    end,
                    which: [Which::Read, Which::Write, Which::Both][b.below(3)],
                    when: [When::Clear, When::Past, When::Future][b.below(3)],
                },
                26 => Op::Timeout {
                    end,
                    read: b.byte() % 2 == 0,
                    secs: [None, Some(0), Some(5)][b.below(3)],
                },
                27 => Op::FailNextRead {
                    end,
                    kind: b.kind(),
                },
                28 => Op::FailNextWrite {
                    end,
                    kind: b.kind(),
                },
                _ => Op::Nonblocking {
                    end,
                    on: b.byte() % 4 != 0,
                },
            };
            ops.push(op);
        }
        Scenario { setup, ops }
    }

    /// Runs the scenario against a real pipe and the model; panics with a
    /// description of the first difference.
    pub fn run(&self) {
        Runner::new(&self.setup).run(&self.ops);
    }
}

/// The byte at stream position `pos` of direction `dir`: every position has
/// its own value pattern, so a lost, duplicated or reordered byte shows.
pub fn stream_byte(dir: usize, pos: u64) -> u8 {
    let mut z = pos
        .wrapping_add(dir as u64 * 0x5851_F42D_4C95_7F2D)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u8
}

/// How the peer of a direction's writer ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shut {
    Eof,
    Error(ErrorKind),
}

/// One side (reader or writer) of a direction in the model.
#[derive(Default, Debug)]
struct Side {
    deadline_passed: bool,
    fault: Option<ErrorKind>,
    nonblocking: bool,
    /// `interleave_pending`: the current async call has yielded once.
    yielded: bool,
    timeout: Option<Duration>,
}

/// One direction in the model: the bytes in flight and the flags.
#[derive(Default, Debug)]
struct Dir {
    queue: VecDeque<u8>,
    write_shut: Option<Shut>,
    read_shut: bool,
    /// Rendezvous only: how much a pending async reader asked for.
    demand: usize,
    reader: Side,
    writer: Side,
    /// Stream position of the next byte offered.
    next_pos: u64,
    /// Ledger: bytes accepted by writes, read, and dropped by `shutdown(Read)`.
    accepted: u64,
    read: u64,
    dropped: u64,
}

/// What a call does in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// Finishes with a count (the bytes are checked separately) or an error.
    Done(Result<usize, ErrorKind>),
    /// Must wait: `Pending` on an async door, `WouldBlock` in nonblocking
    /// mode, and not attempted through a blocking door in blocking mode.
    Wait,
}

/// How a call waits, as the core sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiter {
    Task,
    Nonblocking,
}

struct Config {
    capacity: usize,
    max_read_len: usize,
    max_write_len: usize,
    interleave: bool,
}

impl Dir {
    fn space(&self, cfg: &Config) -> usize {
        if cfg.capacity > 0 {
            cfg.capacity - self.queue.len()
        } else {
            self.demand.saturating_sub(self.queue.len())
        }
    }

    /// The model of `Channel::read`; returns the result and the bytes read.
    fn read(&mut self, cfg: &Config, room: usize, waiter: Waiter) -> (Step, Vec<u8>) {
        if room == 0 {
            return (Step::Done(Ok(0)), Vec::new());
        }
        let mut bytes = Vec::new();
        let result = if let Some(kind) = self.reader.fault.take() {
            Err(kind)
        } else if self.read_shut {
            Ok(0)
        } else if self.reader.deadline_passed {
            Err(ErrorKind::TimedOut)
        } else if !self.queue.is_empty() {
            let n = room.min(cfg.max_read_len).min(self.queue.len());
            bytes.extend(self.queue.drain(..n));
            self.read += n as u64;
            Ok(n)
        } else {
            match self.write_shut {
                None => match waiter {
                    Waiter::Nonblocking => Err(ErrorKind::WouldBlock),
                    Waiter::Task => {
                        if cfg.capacity == 0 {
                            let want = room.min(cfg.max_read_len).min(RENDEZVOUS_STAGE);
                            self.demand = self.demand.max(want);
                        }
                        return (Step::Wait, bytes);
                    }
                },
                Some(Shut::Eof) => Ok(0),
                Some(Shut::Error(kind)) => Err(kind),
            }
        };
        self.demand = 0;
        (Step::Done(result), bytes)
    }

    /// The model of `Channel::write`; `offered` are the bytes offered.
    fn write(&mut self, cfg: &Config, offered: &[u8], waiter: Waiter) -> Step {
        let empty = offered.is_empty();
        if empty && self.write_shut.is_none() && !self.read_shut {
            return Step::Done(Ok(0));
        }
        if !empty {
            if let Some(kind) = self.writer.fault.take() {
                return Step::Done(Err(kind));
            }
        }
        if self.write_shut.is_some() || self.read_shut {
            return Step::Done(Err(ErrorKind::BrokenPipe));
        }
        if self.writer.deadline_passed {
            return Step::Done(Err(ErrorKind::TimedOut));
        }
        let space = self.space(cfg);
        if space == 0 {
            return match waiter {
                Waiter::Nonblocking => Step::Done(Err(ErrorKind::WouldBlock)),
                Waiter::Task => Step::Wait,
            };
        }
        let n = space.min(cfg.max_write_len).min(offered.len());
        self.queue.extend(&offered[..n]);
        self.next_pos += n as u64;
        self.accepted += n as u64;
        Step::Done(Ok(n))
    }

    fn shut_write(&mut self, how: Shut) {
        self.write_shut.get_or_insert(how);
    }

    fn shut_read(&mut self) {
        self.read_shut = true;
        self.dropped += self.queue.len() as u64;
        self.queue.clear();
        self.demand = 0;
    }

    fn unread_len(&self) -> usize {
        if self.read_shut {
            0
        } else {
            self.queue.len()
        }
    }

    /// An async call's first step with `interleave_pending`.
    fn interleave(side: &mut Side, cfg: &Config) -> bool {
        if cfg.interleave && !side.yielded {
            side.yielded = true;
            true
        } else {
            false
        }
    }
}

/// What a real call returned.
type Real = Poll<io::Result<usize>>;

struct Runner {
    ends: [Option<PipeEnd>; 2],
    /// `dirs[d]` carries the bytes written by end `d`.
    dirs: [Dir; 2],
    cfg: Config,
    name: Option<&'static str>,
    log: Vec<String>,
}

impl Runner {
    fn new(setup: &Setup) -> Self {
        let mut builder = PipeBuilder::new().capacity(setup.capacity);
        if let Some(n) = setup.max_read_len {
            builder = builder.max_read_len(n);
        }
        if let Some(n) = setup.max_write_len {
            builder = builder.max_write_len(n);
        }
        builder = builder.interleave_pending(setup.interleave_pending);
        if let Some(name) = setup.name {
            builder = builder.name(name);
        }
        let (a, b) = builder.build();
        Runner {
            ends: [Some(a), Some(b)],
            dirs: Default::default(),
            cfg: Config {
                capacity: setup.capacity,
                max_read_len: setup.max_read_len.unwrap_or(usize::MAX),
                max_write_len: setup.max_write_len.unwrap_or(usize::MAX),
                interleave: setup.interleave_pending,
            },
            name: setup.name,
            log: vec![format!("{setup:?}")],
        }
    }

    fn fail(&self, what: fmt::Arguments<'_>) -> ! {
        panic!(
            "pipe and model disagree: {what}\n--- operations so far ---\n{}",
            self.log.join("\n")
        );
    }

    fn run(mut self, ops: &[Op]) {
        for op in ops {
            self.log.push(format!("{op:?}"));
            self.step(op);
            self.check_introspection();
        }
        self.drain();
    }

    /// Checks an error from the pipe: its kind, and that the pipe's name is
    /// in the message of every error the pipe makes itself.
    fn check_err(&self, what: &str, got: &io::Error, want: ErrorKind) {
        if got.kind() != want {
            self.fail(format_args!(
                "{what}: got error {got:?}, model says {want:?}"
            ));
        }
        if let Some(name) = self.name {
            let own = !matches!(want, ErrorKind::WouldBlock | ErrorKind::InvalidInput);
            if own && !got.to_string().contains(name) {
                self.fail(format_args!("{what}: error {got} does not name the pipe"));
            }
        }
    }

    /// Compares a real call with the model's step.
    fn compare(&self, what: &str, real: Real, want: Step) {
        match (real, want) {
            (Poll::Pending, Step::Wait) => {}
            (Poll::Ready(Ok(n)), Step::Done(Ok(m))) if n == m => {}
            (Poll::Ready(Err(e)), Step::Done(Err(k))) => self.check_err(what, &e, k),
            (real, want) => self.fail(format_args!("{what}: pipe gave {real:?}, model {want:?}")),
        }
    }

    fn step(&mut self, op: &Op) {
        let end = match *op {
            Op::Write { end, .. }
            | Op::Read { end, .. }
            | Op::Flush { end, .. }
            | Op::Shutdown { end, .. }
            | Op::Close { end }
            | Op::CloseWithError { end, .. }
            | Op::Drop { end }
            | Op::Deadline { end, .. }
            | Op::Timeout { end, .. }
            | Op::FailNextRead { end, .. }
            | Op::FailNextWrite { end, .. }
            | Op::Nonblocking { end, .. } => end,
        };
        if self.ends[end].is_none() {
            self.log.push("  (end dropped: skipped)".into());
            return;
        }
        let (inc, out) = (1 - end, end); // incoming / outgoing direction
        match *op {
            Op::Write {
                len, door, split, ..
            } => self.write(end, len, door, split),
            Op::Read { len, door, .. } => self.read(end, len, door),
            Op::Flush { door, .. } => {
                // A pipe holds nothing back: flush always succeeds, as on a
                // socket, even after the peer has gone.
                let real = flush(self.ends[end].as_mut().unwrap(), door);
                self.compare_unit("flush", real, Ok(()));
            }
            Op::Shutdown { how, door, .. } => {
                let real = shutdown(self.ends[end].as_mut().unwrap(), how, door);
                self.compare_unit("shutdown", real, Ok(()));
                if matches!(how, Shutdown::Write | Shutdown::Both) {
                    self.dirs[out].shut_write(Shut::Eof);
                }
                if matches!(how, Shutdown::Read | Shutdown::Both) {
                    self.dirs[inc].shut_read();
                }
            }
            Op::Close { .. } => {
                let real = self.ends[end].as_ref().unwrap().close();
                self.compare_unit("close", real, Ok(()));
                self.dirs[out].shut_write(Shut::Eof);
                self.dirs[inc].shut_read();
            }
            Op::CloseWithError { kind, .. } => {
                let real = self.ends[end].as_ref().unwrap().close_with_error(kind);
                self.compare_unit("close_with_error", real, Ok(()));
                self.dirs[out].shut_write(Shut::Error(kind));
                self.dirs[inc].shut_read();
            }
            Op::Drop { .. } => {
                let dropped = self.ends[end].take().unwrap();
                if let Some(name) = self.name {
                    if !format!("{dropped:?}").contains(name) {
                        self.fail(format_args!("Debug output does not show the name"));
                    }
                }
                drop(dropped);
                self.dirs[out].shut_write(Shut::Eof);
                self.dirs[inc].shut_read();
            }
            Op::Deadline { which, when, .. } => {
                let at = match when {
                    When::Clear => None,
                    When::Past => Some(Instant::now()),
                    When::Future => Some(Instant::now() + FUTURE),
                };
                let e = self.ends[end].as_ref().unwrap();
                let real = match which {
                    Which::Read => e.set_read_deadline(at),
                    Which::Write => e.set_write_deadline(at),
                    Which::Both => e.set_deadline(at),
                };
                self.compare_unit("set deadline", real, Ok(()));
                let passed = when == When::Past;
                if matches!(which, Which::Read | Which::Both) {
                    self.dirs[inc].reader.deadline_passed = passed;
                }
                if matches!(which, Which::Write | Which::Both) {
                    self.dirs[out].writer.deadline_passed = passed;
                }
            }
            Op::Timeout { read, secs, .. } => {
                let value = secs.map(|s| Duration::from_secs(s.into()));
                let e = self.ends[end].as_ref().unwrap();
                let real = if read {
                    e.set_read_timeout(value)
                } else {
                    e.set_write_timeout(value)
                };
                let side = if read {
                    &mut self.dirs[inc].reader
                } else {
                    &mut self.dirs[out].writer
                };
                let want = if secs == Some(0) {
                    Err(ErrorKind::InvalidInput)
                } else {
                    side.timeout = value;
                    Ok(())
                };
                let expected = side.timeout;
                self.compare_unit("set timeout", real, want);
                let e = self.ends[end].as_ref().unwrap();
                let got = if read {
                    e.read_timeout()
                } else {
                    e.write_timeout()
                };
                if got.ok() != Some(expected) {
                    self.fail(format_args!("timeout getter: model {expected:?}"));
                }
            }
            Op::FailNextRead { kind, .. } => {
                self.ends[end].as_ref().unwrap().fail_next_read(kind);
                self.dirs[inc].reader.fault = Some(kind);
            }
            Op::FailNextWrite { kind, .. } => {
                self.ends[end].as_ref().unwrap().fail_next_write(kind);
                self.dirs[out].writer.fault = Some(kind);
            }
            Op::Nonblocking { on, .. } => {
                let real = self.ends[end].as_ref().unwrap().set_nonblocking(on);
                self.compare_unit("set_nonblocking", real, Ok(()));
                self.dirs[inc].reader.nonblocking = on;
                self.dirs[out].writer.nonblocking = on;
            }
        }
    }

    fn compare_unit(&self, what: &str, real: io::Result<()>, want: Result<(), ErrorKind>) {
        match (real, want) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err(k)) => self.check_err(what, &e, k),
            (real, want) => self.fail(format_args!("{what}: pipe gave {real:?}, model {want:?}")),
        }
    }

    fn write(&mut self, end: usize, len: usize, door: Door, split: Option<(usize, usize)>) {
        let cfg = &self.cfg;
        let dir = &mut self.dirs[end];
        let offered: Vec<u8> = (0..len as u64)
            .map(|i| stream_byte(end, dir.next_pos + i))
            .collect();
        let want = if door == Door::Blocking {
            let waiter = if dir.writer.nonblocking {
                Waiter::Nonblocking
            } else {
                Waiter::Task
            };
            // A blocking write in blocking mode that would wait is not made.
            let snapshot = (dir.writer.fault, dir.queue.len());
            let step = dir.write(cfg, &offered, waiter);
            if step == Step::Wait {
                debug_assert_eq!(snapshot, (dir.writer.fault, dir.queue.len()));
                self.log.push("  (would block: not made)".into());
                return;
            }
            step
        } else if len > 0 && Dir::interleave(&mut dir.writer, cfg) {
            // An empty call finishes at once, knob or not.
            Step::Wait
        } else {
            let step = dir.write(cfg, &offered, Waiter::Task);
            if matches!(step, Step::Done(_)) {
                dir.writer.yielded = false;
            }
            step
        };
        let e = self.ends[end].as_mut().unwrap();
        let real = match split {
            None => write(e, &offered, door),
            Some((x, y)) => {
                let (x, y) = (x.min(len), y.min(len).max(x.min(len)));
                let slices = [
                    IoSlice::new(&offered[..x]),
                    IoSlice::new(&offered[x..y]),
                    IoSlice::new(&offered[y..]),
                ];
                write_vectored(e, &slices, door)
            }
        };
        self.log.push(format!("  -> {real:?}"));
        self.compare("write", real, want);
    }

    fn read(&mut self, end: usize, len: usize, door: Door) {
        let cfg = &self.cfg;
        let dir = &mut self.dirs[1 - end];
        let (want, expected) = if door == Door::Blocking {
            let waiter = if dir.reader.nonblocking {
                Waiter::Nonblocking
            } else {
                Waiter::Task
            };
            let before = (dir.reader.fault, dir.demand);
            let (step, bytes) = dir.read(cfg, len, waiter);
            if step == Step::Wait {
                // A blocking read in blocking mode that would wait is not made
                // (and so registers no demand).
                (dir.reader.fault, dir.demand) = before;
                self.log.push("  (would block: not made)".into());
                return;
            }
            (step, bytes)
        } else if len > 0 && Dir::interleave(&mut dir.reader, cfg) {
            (Step::Wait, Vec::new())
        } else {
            let (step, bytes) = dir.read(cfg, len, Waiter::Task);
            if matches!(step, Step::Done(_)) {
                dir.reader.yielded = false;
            }
            (step, bytes)
        };
        const CANARY: u8 = 0xA5;
        let mut buf = vec![CANARY; len];
        let e = self.ends[end].as_mut().unwrap();
        let real = read(e, &mut buf, door);
        self.log.push(format!("  -> {real:?}"));
        self.compare("read", real, want);
        let n = expected.len();
        if buf[..n] != expected[..] {
            self.fail(format_args!(
                "read: got bytes {:?}, model expects {:?}",
                &buf[..n],
                expected
            ));
        }
        if buf[n..].iter().any(|&b| b != CANARY) {
            self.fail(format_args!("read wrote past the {n} bytes it returned"));
        }
    }

    fn check_introspection(&self) {
        for (end, e) in self.ends.iter().enumerate() {
            let Some(e) = e else { continue };
            let (inc, out) = (&self.dirs[1 - end], &self.dirs[end]);
            let got = (e.unread_len(), e.unsent_len(), e.is_peer_closed());
            let want = (inc.unread_len(), out.unread_len(), inc.write_shut.is_some());
            if got != want {
                self.fail(format_args!(
                    "end {end}: (unread_len, unsent_len, is_peer_closed) = {got:?}, model {want:?}"
                ));
            }
        }
    }

    /// Ends the scenario: every live writer shuts down, every live reader
    /// drains what is left; then every byte accepted by a write has been read
    /// exactly once (in order: each read was checked) or dropped by the
    /// reader's own shutdown.
    fn drain(mut self) {
        self.log.push("--- drain ---".into());
        for end in 0..2 {
            self.log
                .push(format!("Shutdown {{ end: {end}, how: Write }}"));
            self.step(&Op::Shutdown {
                end,
                how: Shutdown::Write,
                door: Door::Blocking,
            });
        }
        for end in 0..2 {
            if self.ends[end].is_none() {
                continue;
            }
            self.step(&Op::Deadline {
                end,
                which: Which::Read,
                when: When::Clear,
            });
            self.step(&Op::Nonblocking { end, on: true });
            let mut left = self.dirs[1 - end].queue.len() + 2;
            while left > 0 {
                left -= 1;
                let before = self.dirs[1 - end].read;
                let had_fault = self.dirs[1 - end].reader.fault.is_some();
                self.log
                    .push(format!("Read {{ end: {end}, len: 4096, door: Blocking }}"));
                self.read(end, 4096, Door::Blocking);
                if self.dirs[1 - end].read == before && !had_fault {
                    break;
                }
            }
            if !self.dirs[1 - end].queue.is_empty() {
                self.fail(format_args!("drain of end {end} left bytes unread"));
            }
        }
        for (d, dir) in self.dirs.iter().enumerate() {
            let left = dir.queue.len() as u64;
            if dir.accepted != dir.read + dir.dropped + left || dir.next_pos != dir.accepted {
                self.fail(format_args!(
                    "direction {d}: accepted {} != read {} + dropped {} + left {left}",
                    dir.accepted, dir.read, dir.dropped
                ));
            }
        }
    }
}

fn cx() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// The blocking door goes through `&PipeEnd` (like `&TcpStream`); the async
/// doors are polled once with a no-op waker.
fn write(e: &mut PipeEnd, buf: &[u8], door: Door) -> Real {
    match door {
        Door::Blocking => Poll::Ready((&*e).write(buf)),
        door => door.poll_write(e, &mut cx(), buf),
    }
}

fn write_vectored(e: &mut PipeEnd, bufs: &[IoSlice<'_>], door: Door) -> Real {
    match door {
        Door::Blocking => Poll::Ready((&*e).write_vectored(bufs)),
        door => door.poll_write_vectored(e, &mut cx(), bufs),
    }
}

fn read(e: &mut PipeEnd, buf: &mut [u8], door: Door) -> Real {
    match door {
        Door::Blocking => Poll::Ready((&*e).read(buf)),
        door => door.poll_read(e, &mut cx(), buf),
    }
}

fn ready(call: &str, p: Poll<io::Result<()>>) -> io::Result<()> {
    match p {
        Poll::Ready(r) => r,
        Poll::Pending => panic!("{call} returned Pending"),
    }
}

fn flush(e: &mut PipeEnd, door: Door) -> io::Result<()> {
    match door {
        Door::Blocking => (&*e).flush(),
        door => ready("flush", door.poll_flush(e, &mut cx())),
    }
}

/// A `Write` shutdown through an async door is `poll_close` /
/// `poll_shutdown`; every other one is `PipeEnd::shutdown`.
fn shutdown(e: &mut PipeEnd, how: Shutdown, door: Door) -> io::Result<()> {
    match (how, door) {
        (Shutdown::Write, door) if door.is_async() => ready("close", door.poll_close(e, &mut cx())),
        _ => e.shutdown(how),
    }
}
