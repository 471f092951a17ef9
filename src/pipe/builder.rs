//! `PipeBuilder`: capacity, fault knobs and name of a new pipe.

use std::fmt;

use super::blueprint::Blueprint;
use super::channel::{knob, Config};
use super::chunking::Chunking;
use super::end::PipeEnd;
use super::faults::{Cut, FaultConfig};
use crate::seed::ThreadSeeds;

/// The default capacity of each direction of a pipe: 64 KiB.
///
/// # Examples
///
/// ```
/// use std::io::Write;
///
/// let (mut a, _b) = pipetap::pipe();
/// a.set_nonblocking(true)?;
/// let n = a.write(&vec![0; 2 * pipetap::DEFAULT_CAPACITY])?;
/// assert_eq!(n, pipetap::DEFAULT_CAPACITY);        // the rest must wait for a reader
/// # Ok::<(), std::io::Error>(())
/// ```
pub const DEFAULT_CAPACITY: usize = 64 * 1024;

/// Configures and builds a pipe: capacity, fault knobs and a name.
///
/// Every setting applies to both directions. All fault knobs are off by default.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (mut a, mut b) = pipetap::PipeBuilder::new()
///     .capacity(16)        // at most 16 bytes in flight each way
///     .max_write_len(3)    // every write accepts at most 3 bytes
///     .name("client")
///     .build();
///
/// assert_eq!(a.write(b"hello")?, 3);   // a short write, as a socket may do
/// let mut buf = [0; 8];
/// assert_eq!(b.read(&mut buf)?, 3);
/// assert_eq!(&buf[..3], b"hel");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PipeBuilder {
    config: Config,
    name: Option<String>,
    seed: Option<u64>,
    end_names: Option<[String; 2]>,
}

impl Default for PipeBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for PipeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeBuilder")
            .field("capacity", &self.config.capacity)
            .field("max_read_len", &knob(self.config.max_read_len))
            .field("max_write_len", &knob(self.config.max_write_len))
            .field("interleave_pending", &self.config.interleave_pending)
            .field("cooperative", &self.config.cooperative)
            .field("chunking", &self.config.chunking)
            .field("held", &self.config.faults.held)
            .field("latency", &self.config.faults.latency)
            .field("bandwidth", &self.config.faults.bandwidth)
            .field("cut_after", &self.config.faults.cut)
            .field("seed", &self.seed)
            .field("name", &self.name)
            .field("end_names", &self.end_names)
            .finish()
    }
}

impl PipeBuilder {
    /// A builder with the defaults: 64 KiB per direction, no fault knobs, no name.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pipetap::PipeBuilder::new().build();
    /// # drop((a, b));
    /// ```
    pub fn new() -> Self {
        PipeBuilder {
            config: Config {
                capacity: DEFAULT_CAPACITY,
                max_read_len: usize::MAX,
                max_write_len: usize::MAX,
                interleave_pending: false,
                chunking: None,
                seed: 0,
                seeds: None,
                cooperative: true,
                faults: FaultConfig::default(),
            },
            name: None,
            seed: None,
            end_names: None,
        }
    }

    /// Bytes each direction can hold before a write waits. `0` makes a
    /// *rendezvous* pipe, like Go's `net.Pipe`: a write waits for a reader and
    /// hands it at most what that reader asked for, with no buffer between.
    ///
    /// In a rendezvous pipe the bytes a write hands over are held only for a
    /// reader that is waiting. An async read cannot tell the pipe that its
    /// future was dropped, so a pending read that is abandoned leaves its
    /// request standing: a later write may hand over up to that many bytes,
    /// which then wait for the next read (they are never lost or duplicated).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    ///
    /// let (mut a, _b) = pipetap::PipeBuilder::new().capacity(0).build();
    /// a.set_nonblocking(true)?;
    /// // Nobody is reading, so there is nowhere for the bytes to go.
    /// assert_eq!(a.write(b"x").unwrap_err().kind(), ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn capacity(mut self, bytes: usize) -> Self {
        self.config.capacity = bytes;
        self
    }

    /// Fault knob: every read returns at most `n` bytes, however many are
    /// buffered, to catch code that assumes one read is one message.
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0 (a read of 0 bytes would look like end-of-stream).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (mut a, mut b) = pipetap::PipeBuilder::new().max_read_len(1).build();
    /// a.write_all(b"abc")?;
    /// let mut buf = [0; 8];
    /// assert_eq!(b.read(&mut buf)?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn max_read_len(mut self, n: usize) -> Self {
        assert!(n > 0, "pipetap: max_read_len must be at least 1");
        self.config.max_read_len = n;
        self
    }

    /// Fault knob: every write accepts at most `n` bytes, to catch code that
    /// ignores short writes (uses `write` where it needs `write_all`).
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0 (a write of 0 bytes would make `write_all` fail).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (mut a, _b) = pipetap::PipeBuilder::new().max_write_len(2).build();
    /// assert_eq!(a.write(b"abc")?, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn max_write_len(mut self, n: usize) -> Self {
        assert!(n > 0, "pipetap: max_write_len must be at least 1");
        self.config.max_write_len = n;
        self
    }

    /// Fault knob: on the async doors every read and write first returns
    /// `Pending` once (having woken its own task), to catch futures that
    /// mishandle `Pending`. Blocking calls are not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let (mut a, mut b) = pipetap::PipeBuilder::new().interleave_pending(true).build();
    /// futures::executor::block_on(async {
    ///     a.write_all(b"ping").await?;
    ///     let mut buf = [0; 4];
    ///     b.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"ping");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn interleave_pending(mut self, on: bool) -> Self {
        self.config.interleave_pending = on;
        self
    }

    /// Whether async calls take part in task budgets, so that a task looping
    /// over an always-ready pipe still yields (on by default):
    ///
    /// - the tokio door consumes tokio's task budget (`tokio::task::coop`)
    ///   like tokio's own IO and `tokio::io::duplex`: once the budget is
    ///   spent, a call returns `Pending` (with the task woken) and the runtime
    ///   runs other tasks and timers, so a `tokio::time::timeout` around busy
    ///   code fires. Outside a tokio runtime the budget is unlimited.
    /// - the futures door has no runtime budget to ask, so it keeps its own:
    ///   after 128 ready calls in a row by the same task (told apart by its
    ///   waker, as `Waker::will_wake` does) on one side of a direction, the
    ///   next call returns `Pending` once and wakes the task at once. So
    ///   `futures::select!` and timeout-style code on any executor gets its
    ///   turn. A call that waits, or a call from another task, starts the
    ///   count again; a test that polls a few times never sees it.
    ///
    /// Blocking calls are not affected. `false` turns both off: every ready
    /// call is `Ready`, as in pipetap before 0.1 (tokio's `unconstrained`
    /// does the same for one future).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use std::task::{Context, Poll};
    /// use futures::io::AsyncWrite;
    ///
    /// let (mut a, _b) = pipetap::PipeBuilder::new().cooperative(false).build();
    /// let mut cx = Context::from_waker(std::task::Waker::noop());
    /// for _ in 0..1000 {
    ///     // Never `Pending`: the run limit is off.
    ///     assert!(std::pin::Pin::new(&mut a).poll_write(&mut cx, b"x").is_ready());
    /// }
    /// # }
    /// ```
    pub fn cooperative(mut self, on: bool) -> Self {
        self.config.cooperative = on;
        self
    }

    /// Fault knob: seeded random chunking on every side of both ends: each
    /// read and write moves a random number of bytes within `chunking`'s
    /// sizes (and within `max_read_len` / `max_write_len`), and async calls
    /// return `Pending` at random if [`Chunking::with_pending`] asks for it.
    /// Less hostile than one-byte calls (which some libraries reject as an
    /// attack) and more varied. Set it per end and direction with
    /// [`PipeEnd::set_read_chunking`] / [`PipeEnd::set_write_chunking`].
    ///
    /// Every draw comes from the pipe's seed ([`PipeEnd::seed`]). There is
    /// one seed per test thread (`PIPETAP_SEED` if set, else a fresh one),
    /// and each pipe derives its own from it and its creation index on the
    /// thread, unless [`seed`](Self::seed) fixes it. A listener takes one
    /// index and derives its connections' seeds from its own, wherever they
    /// are made; [`within`](crate::within) runs its closure with the
    /// caller's seeds. So `PIPETAP_SEED=<seed> cargo test <name>` replays
    /// every pipe of the test as it ran.
    ///
    /// When a thread whose pipes chunked at random panics, one line is
    /// printed to the test's output, whatever became of the pipes:
    ///
    /// ```text
    /// pipetap: this test's pipes chunked at random from seed 1234 (thread 'get_city'); replay them with PIPETAP_SEED=1234
    /// ```
    ///
    /// It is printed once per thread, so panics that a test catches and
    /// handles (proptest's shrinking, `within`'s report) add at most that
    /// line. (A panic hook prints it, chained to the hook in place when the
    /// first pipe is built; a hook set later replaces it.) The pipe's own
    /// errors carry the seed too, and the end's `Debug` shows it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{Chunking, PipeBuilder};
    ///
    /// let (mut a, mut b) = PipeBuilder::new().chunking(Chunking::sizes(1..=4)).build();
    /// a.write_all(b"hello world")?;
    /// let mut got = vec![0; 11];
    /// b.read_exact(&mut got)?;                 // read_exact loops over short reads
    /// assert_eq!(got, b"hello world");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// [`PipeEnd::seed`]: crate::PipeEnd::seed
    /// [`PipeEnd::set_read_chunking`]: crate::PipeEnd::set_read_chunking
    /// [`PipeEnd::set_write_chunking`]: crate::PipeEnd::set_write_chunking
    pub fn chunking(mut self, chunking: Chunking) -> Self {
        self.config.chunking = Some(chunking);
        self
    }

    /// Live fault: both directions start held, as if each end had called
    /// [`PipeEnd::hold`] (release them with [`PipeEnd::release`], or through
    /// a listener connection's [`Link`](crate::Link)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    ///
    /// let (mut a, mut b) = pipetap::PipeBuilder::new().held(true).build();
    /// a.write_all(b"hi")?;
    /// b.set_nonblocking(true)?;
    /// assert_eq!(b.read(&mut [0; 2]).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// a.release()?;
    /// assert_eq!(b.read(&mut [0; 2])?, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn held(mut self, on: bool) -> Self {
        self.config.faults.held = on;
        self
    }

    /// Live fault: both directions deliver each write's bytes `d` after the
    /// write (see [`PipeEnd::set_latency`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, _b) = pipetap::PipeBuilder::new().latency(Duration::from_millis(2)).build();
    /// assert!(format!("{a:?}").contains("latency 2ms"));
    /// ```
    pub fn latency(mut self, d: std::time::Duration) -> Self {
        self.config.faults.latency = Some(d).filter(|d| !d.is_zero());
        self
    }

    /// Live fault: both directions carry at most `bytes_per_s` bytes per
    /// second (see [`PipeEnd::set_bandwidth`]).
    ///
    /// # Panics
    ///
    /// Panics if `bytes_per_s` is 0 (nothing would ever arrive).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::PipeBuilder::new().bandwidth(1_000_000).build();
    /// assert!(format!("{a:?}").contains("bandwidth 1000000 B/s"));
    /// ```
    #[track_caller]
    pub fn bandwidth(mut self, bytes_per_s: u64) -> Self {
        assert!(
            bytes_per_s > 0,
            "pipetap: a bandwidth must be at least 1 byte per second"
        );
        self.config.faults.bandwidth = Some(bytes_per_s);
        self
    }

    /// Live fault: each direction carries `n` bytes, then ends as `how`
    /// says (see [`PipeEnd::cut_after`]). On a listener, every connection
    /// is cut so.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    /// use pipetap::Cut;
    ///
    /// let (mut a, mut b) = pipetap::PipeBuilder::new().cut_after(2, Cut::Reset).build();
    /// assert_eq!(a.write(b"abc")?, 2);
    /// let mut buf = [0; 4];
    /// assert_eq!(b.read(&mut buf)?, 2);
    /// assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::ConnectionReset);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn cut_after(mut self, n: usize, how: Cut) -> Self {
        self.config.faults.cut = Some((n, how));
        self
    }

    /// Fixes the seed of this pipe's random chunking (of every connection,
    /// for a listener), instead of deriving it from the test thread's seed
    /// (see [`chunking`](Self::chunking)). The pipe still takes its creation
    /// index, so the other pipes of the test keep their seeds.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::PipeBuilder::new().seed(42).build();
    /// assert_eq!(a.seed(), 42);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Names the two ends (`a` and `b` by default), as shown in `Debug` and
    /// in the pipe's errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let (client, _server) = pipetap::PipeBuilder::new().end_names("client", "server").build();
    /// assert_eq!(client.end_name(), "client");
    /// ```
    pub fn end_names(mut self, first: impl Into<String>, second: impl Into<String>) -> Self {
        self.end_names = Some([first.into(), second.into()]);
        self
    }

    /// Names the pipe; the name is shown by `Debug` and in the messages of the
    /// pipe's own errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pipetap::PipeBuilder::new().name("client").build();
    /// assert!(format!("{a:?}").contains("client"));
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// For a scripted peer: names the pipe after the script and its ends
    /// `code` and `script`, unless the caller named them already.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn for_script(mut self, name: Option<&str>) -> Self {
        if self.name.is_none() {
            self.name = name.map(str::to_owned);
        }
        if self.end_names.is_none() {
            self.end_names = Some(["code".into(), "script".into()]);
        }
        self
    }

    /// Builds the pipe: two connected ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (mut a, mut b) = pipetap::PipeBuilder::new().build();
    /// a.write_all(b"hi")?;
    /// let mut buf = [0; 2];
    /// b.read_exact(&mut buf)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "dropping the ends closes the pipe"]
    #[track_caller]
    pub fn build(self) -> (PipeEnd, PipeEnd) {
        let mut config = self.config;
        (config.seed, config.seeds) = draw_seed(self.seed);
        let [a, b] = self.end_names.unwrap_or_else(|| ["a".into(), "b".into()]);
        let cut = config.faults.cut;
        let (a, b) = PipeEnd::pair(
            config,
            self.name.map(Into::into),
            [a.into(), b.into()],
            None,
            crate::hang::snapshot::Origin::here(),
        );
        PipeEnd::cut_both(&a, &b, cut);
        (a, b)
    }

    /// The settings every connection of a listener is built from: the
    /// pipe's name (`default_name` if none was given), its end names
    /// (`default_ends` if none were given) and a seed drawn now, on the
    /// thread that makes the listener.
    #[track_caller]
    pub(crate) fn blueprint(self, default_name: &str, default_ends: [&str; 2]) -> Blueprint {
        let mut config = self.config;
        (config.seed, config.seeds) = draw_seed(self.seed);
        let name = self.name.as_deref().unwrap_or(default_name).into();
        let ends = self
            .end_names
            .map_or(default_ends.map(Into::into), |ends| ends.map(Into::into));
        Blueprint::new(config, name, ends)
    }
}

/// The seed of a new pipe (or listener) on this thread: `fixed`, or the
/// next of the thread's seeds (then with them). Either way it takes the
/// next creation index.
fn draw_seed(fixed: Option<u64>) -> (u64, Option<std::sync::Arc<ThreadSeeds>>) {
    let seeds = crate::seed::current();
    let derived = seeds.next_pipe();
    match fixed {
        Some(seed) => (seed, None),
        None => (derived, Some(seeds)),
    }
}

/// Creates a pipe with the defaults: full duplex, 64 KiB buffered each way.
///
/// Use [`PipeBuilder`] for a rendezvous pipe, another capacity, a name or the
/// fault knobs.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
///
/// let (mut client, mut server) = pipetap::pipe();
/// client.write_all(b"ping")?;
/// let mut buf = [0; 4];
/// server.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "dropping the ends closes the pipe"]
#[track_caller]
pub fn pipe() -> (PipeEnd, PipeEnd) {
    PipeBuilder::new().build()
}
