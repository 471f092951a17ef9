//! [`HangReport`]: the state of every live pipe and tape, taken at one
//! moment, and its layout.

use std::fmt::{self, Write as _};
use std::io;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::registry;
use super::snapshot::{DirectionSnapshot, Origin, PipeSnapshot, SideSnapshot, TapeSnapshot};
use super::verdict::Deadlock;

/// At most this many pipes, and as many tapes, are shown per group.
const SHOWN: usize = 32;

/// What a report was taken for.
#[derive(Clone, Copy)]
pub(crate) enum Cause {
    /// [`within`](crate::within) or [`try_within`](crate::try_within)
    /// (`called`) ran out of time or found a deadlock.
    Closure {
        limit: Duration,
        called: &'static str,
    },
    /// [`within_async`](crate::within_async) or
    /// [`try_within_async`](crate::try_within_async) (`called`) did.
    Future {
        limit: Duration,
        called: &'static str,
    },
    /// [`HangReport::capture`].
    Capture,
}

/// The state of every live pipe and tape in the process at one moment: what
/// [`within`](crate::within) and [`within_async`](crate::within_async) fail
/// with when the code under test runs out of time, and what
/// [`HangReport::capture`] takes on demand.
///
/// Its `Display` (and its `Debug`, so that `unwrap` shows it too) is the
/// report. For each live pipe: its name, ends and capacity, where and on
/// which thread it was created, and per direction the bytes buffered, who
/// waits on each side (threads in a blocking call or a task with a pending
/// poll) and for how long, the deadline and the knobs set. For each live
/// tape: what was written and read last, how many recordings write to it,
/// and every pending [`wait_for`](crate::Tape::wait_for) or
/// [`wait_for_blocking`](crate::Tape::wait_for_blocking) with its pattern.
///
/// Pipes and tapes are listed in creation order, those created on the
/// caller's thread first (under `cargo test`, the thread is named after the
/// test): tests running at the same time show up too, after them, under "on
/// other threads".
///
/// "Waiting for" counts from when a side started to wait: a thread that went
/// to sleep in a blocking call (the first one, when several sleep), or a
/// task whose poll left its waker with the pipe; a task that is woken and
/// waits again starts a new count. A dropped future's waker stays with the
/// pipe until the next call on that side, so it still shows as a task.
///
/// # Examples
///
/// ```
/// use std::io::Write;
///
/// let (mut a, _b) = pipetap::PipeBuilder::new().name("doc-report").build();
/// a.write_all(b"hi")?;
/// let report = pipetap::HangReport::capture().to_string();
/// assert!(report.contains(r#"pipe "doc-report" (ends a, b; capacity 65536)"#));
/// assert!(report.contains("a -> b: 2 bytes buffered"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct HangReport {
    cause: Cause,
    site: &'static Location<'static>,
    taken: Instant,
    /// The caller's thread: its pipes and tapes come first.
    thread: Option<Arc<str>>,
    /// The pipes, tapes and scripts (boxed, so the report stays small as
    /// an error).
    lists: Box<Lists>,
    /// The deadlock found before the bound ran out, and when.
    deadlock: Option<Box<(Deadlock, Duration)>>,
}

/// What a report lists.
struct Lists {
    pipes: Vec<(Origin, PipeSnapshot)>,
    tapes: Vec<(Origin, TapeSnapshot)>,
    /// Scripted peers: one line each.
    scripts: Vec<(Origin, String)>,
}

impl HangReport {
    /// The state of every live pipe and tape right now, for a test that
    /// wants to print it without waiting for a hang.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_a, _b) = pipetap::PipeBuilder::new().name("doc-capture").build();
    /// let report = pipetap::HangReport::capture();
    /// assert_eq!(report.limit(), None);
    /// assert!(report.to_string().contains(r#"pipe "doc-capture""#));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn capture() -> HangReport {
        HangReport::take(Cause::Capture, Location::caller(), current_thread())
    }

    /// Takes a report now: the registry's live entries, each snapshot
    /// taken under its own lock, one at a time.
    pub(crate) fn take(
        cause: Cause,
        site: &'static Location<'static>,
        thread: Option<Arc<str>>,
    ) -> HangReport {
        let pipes = registry::live_pipes()
            .into_iter()
            .map(|(pipe, origin)| (origin, pipe.snapshot()))
            .collect();
        let tapes = registry::live_tapes()
            .into_iter()
            .map(|(tape, origin)| (origin, tape.snapshot()))
            .collect();
        let scripts = registry::live_scripts()
            .into_iter()
            .map(|(script, origin)| (origin, script.snapshot()))
            .collect();
        let lists = Box::new(Lists {
            pipes,
            tapes,
            scripts,
        });
        HangReport {
            cause,
            site,
            taken: Instant::now(),
            thread,
            lists,
            deadlock: None,
        }
    }

    /// Marks the report as a deadlock verdict, found `after` the start.
    pub(crate) fn set_deadlock(&mut self, deadlock: Deadlock, after: Duration) {
        self.deadlock = Some(Box::new((deadlock, after)));
    }

    /// Whether the bounded code was found in a deadlock before its bound
    /// ran out (the report then starts with `deadlock:`), rather than
    /// running out of time.
    ///
    /// The verdict is given only when pipetap sees every side of every
    /// pipe involved blocked for good (see [`within`](crate::within)); a
    /// report that is not a deadlock may still describe one pipetap could
    /// not prove.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::Duration;
    ///
    /// let (a, b) = pipetap::PipeBuilder::new().name("both-read").build();
    /// let peer = std::thread::spawn(move || {
    ///     let mut b = b;
    ///     b.read(&mut [0; 8])                       // reads first...
    /// });
    /// let report = pipetap::try_within(Duration::from_secs(60), move || {
    ///     let mut a = a;
    ///     a.read(&mut [0; 8])                       // ...and so does this
    /// })
    /// .unwrap_err();                                // at once, not after 60 s
    /// assert!(report.is_deadlock());
    /// assert!(report.to_string().starts_with("deadlock: "));
    /// # drop(peer);
    /// ```
    #[must_use]
    pub fn is_deadlock(&self) -> bool {
        self.deadlock.is_some()
    }

    /// The time limit that ran out, or `None` for a report from
    /// [`capture`](HangReport::capture).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let report = pipetap::try_within(Duration::from_millis(10), || {
    ///     std::thread::park();                  // never unparked: a hang
    /// })
    /// .unwrap_err();
    /// assert_eq!(report.limit(), Some(Duration::from_millis(10)));
    /// ```
    #[must_use]
    pub fn limit(&self) -> Option<Duration> {
        match self.cause {
            Cause::Closure { limit, .. } | Cause::Future { limit, .. } => Some(limit),
            Cause::Capture => None,
        }
    }

    fn is_ours(&self, origin: &Origin) -> bool {
        self.thread.is_none() || origin.thread == self.thread
    }

    /// Lists the pipes and tapes of one group.
    fn group(&self, f: &mut fmt::Formatter<'_>, ours: bool) -> fmt::Result {
        let pipes = self
            .lists
            .pipes
            .iter()
            .filter(|(o, _)| self.is_ours(o) == ours);
        let tapes = self
            .lists
            .tapes
            .iter()
            .filter(|(o, _)| self.is_ours(o) == ours);
        let (mut shown_pipes, mut shown_tapes) = (0, 0);
        for (origin, pipe) in pipes {
            shown_pipes += 1;
            if shown_pipes <= SHOWN {
                writeln!(f)?;
                self.pipe(f, origin, pipe)?;
            }
        }
        if shown_pipes > SHOWN {
            writeln!(f, "\n... and {} more live pipes", shown_pipes - SHOWN)?;
        }
        for (origin, script) in self
            .lists
            .scripts
            .iter()
            .filter(|(o, _)| self.is_ours(o) == ours)
        {
            writeln!(f, "\n{script}\n  {}", created(origin))?;
        }
        for (origin, tape) in tapes {
            shown_tapes += 1;
            if shown_tapes <= SHOWN {
                writeln!(f)?;
                self.tape(f, origin, tape)?;
            }
        }
        if shown_tapes > SHOWN {
            writeln!(f, "\n... and {} more live tapes", shown_tapes - SHOWN)?;
        }
        Ok(())
    }

    fn pipe(
        &self,
        f: &mut fmt::Formatter<'_>,
        origin: &Origin,
        pipe: &PipeSnapshot,
    ) -> fmt::Result {
        match &pipe.name {
            Some(name) => write!(f, "pipe {name:?}")?,
            None => write!(f, "pipe (unnamed)")?,
        }
        let [a, b] = &pipe.ends;
        write!(f, " (ends {a}, {b}; capacity {}", pipe.capacity)?;
        if pipe.capacity == 0 {
            write!(f, ", rendezvous")?;
        }
        writeln!(f, "), {}", created(origin))?;
        for (writer, dir) in pipe.directions.iter().enumerate() {
            let (from, to) = (&pipe.ends[writer], &pipe.ends[1 - writer]);
            self.direction(f, from, to, dir)?;
        }
        Ok(())
    }

    fn direction(
        &self,
        f: &mut fmt::Formatter<'_>,
        from: &str,
        to: &str,
        dir: &DirectionSnapshot,
    ) -> fmt::Result {
        write!(f, "  {from} -> {to}: {}", count(dir.buffered, "byte"))?;
        write!(f, " buffered")?;
        if let Some(how) = &dir.writer_shut {
            write!(f, ", {from} {how}")?;
        }
        if dir.reader_shut {
            write!(f, ", {to} shut down its reading side")?;
        }
        if dir.reader.is_plain() && dir.writer.is_plain() {
            return writeln!(f, ", nobody waiting");
        }
        writeln!(f)?;
        writeln!(f, "    {to} reads: {}", self.side(&dir.reader))?;
        writeln!(f, "    {from} writes: {}", self.side(&dir.writer))
    }

    /// Who waits on one side, its deadline and knobs, in words.
    fn side(&self, side: &SideSnapshot) -> String {
        let mut out = String::new();
        let since = |at: Option<Instant>| at.map_or(Duration::ZERO, |at| self.ago(at));
        match side.threads {
            0 => {}
            1 => out.push_str("1 thread"),
            n => {
                let _ = write!(out, "{n} threads");
            }
        }
        if side.threads > 0 {
            let _ = write!(out, " waiting for {}", ms(since(side.threads_since)));
        }
        if side.task {
            if !out.is_empty() {
                out.push_str(", and ");
            }
            let _ = match side.task_since {
                Some(at) => write!(out, "a task waiting for {}", ms(self.ago(at))),
                None => write!(out, "a task waiting since before the bound began"),
            };
        }
        if out.is_empty() {
            out.push_str("nobody waiting");
        }
        if let Some(at) = side.deadline {
            let _ = match at.checked_duration_since(self.taken) {
                Some(left) => write!(out, ", deadline in {}", ms(left)),
                None => write!(out, ", deadline passed {} ago", ms(self.ago(at))),
            };
        }
        for knob in &side.knobs {
            let _ = write!(out, ", {knob}");
        }
        out
    }

    fn tape(
        &self,
        f: &mut fmt::Formatter<'_>,
        origin: &Origin,
        tape: &TapeSnapshot,
    ) -> fmt::Result {
        let recordings = match (tape.recordings, tape.attached) {
            (0, false) => "no recording attached yet".to_owned(),
            (0, true) => "every recording is gone".to_owned(),
            (n, _) => format!("{} writing to it", count(n, "live recording")),
        };
        writeln!(f, "tape, {}: {recordings}", created(origin))?;
        record(
            f,
            "written",
            tape.written,
            tape.writes,
            "write",
            &tape.written_tail,
        )?;
        record(f, "read", tape.read, tape.reads, "read", &tape.read_tail)?;
        for wait in &tape.waits {
            let who = if wait.task { "a task" } else { "a thread" };
            write!(
                f,
                "  waiting for {}: {who}, for {}",
                wait.pattern,
                ms(self.ago(wait.since))
            )?;
            match wait.within {
                Some(bound) => writeln!(f, " (bound {bound:?})")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }

    fn ago(&self, at: Instant) -> Duration {
        self.taken.saturating_duration_since(at)
    }

    /// Whether anything of the caller's group waits.
    fn any_waiting(&self) -> bool {
        let pipe_waits = self.lists.pipes.iter().any(|(o, p)| {
            self.is_ours(o)
                && p.directions
                    .iter()
                    .any(|d| d.reader.is_waiting() || d.writer.is_waiting())
        });
        pipe_waits
            || self
                .lists
                .tapes
                .iter()
                .any(|(o, t)| self.is_ours(o) && !t.waits.is_empty())
    }
}

/// One recorded direction of a tape.
fn record(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    len: usize,
    chunks: usize,
    unit: &str,
    tail: &str,
) -> fmt::Result {
    if len == 0 {
        return writeln!(f, "  {what}: nothing");
    }
    write!(
        f,
        "  {what}: {} in {}, ",
        count(len, "byte"),
        count(chunks, unit)
    )?;
    if len <= super::snapshot::TAIL {
        writeln!(f, "{tail}")
    } else {
        writeln!(f, "the last {}: {tail}", super::snapshot::TAIL)
    }
}

fn created(origin: &Origin) -> String {
    match &origin.thread {
        Some(name) => format!("created at {} on thread `{name}`", origin.site),
        None => format!("created at {} on an unnamed thread", origin.site),
    }
}

/// `n unit` or `n units`.
fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// A duration in whole milliseconds, or tenths of seconds from 10 s on.
fn ms(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The current thread's name.
pub(crate) fn current_thread() -> Option<Arc<str>> {
    std::thread::current().name().map(Arc::from)
}

impl fmt::Display for HangReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Layout(self).to_string();
        f.write_str(text.trim_end())
    }
}

/// The report with its trailing newline, which `Display` trims.
struct Layout<'a>(&'a HangReport);

impl fmt::Display for Layout<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.0;
        report.layout(f)
    }
}

impl HangReport {
    fn layout(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.cause {
            Cause::Closure { .. } => "the closure",
            Cause::Future { .. } => "the future",
            Cause::Capture => "",
        };
        if let Some(deadlock) = &self.deadlock {
            let (deadlock, after) = &**deadlock;
            let (Cause::Closure { limit, called } | Cause::Future { limit, called }) = self.cause
            else {
                unreachable!("only a bounded runner finds a deadlock")
            };
            write!(
                f,
                "deadlock: pipetap::{called}({limit:?}) at {} stopped after {} of its bound: \
                 {what} waits on pipes that can never move again",
                self.site,
                ms(*after),
            )?;
            for line in &deadlock.lines {
                write!(f, "\n  {line}")?;
            }
            writeln!(f)?;
        } else {
            match self.cause {
                Cause::Closure { limit, called } | Cause::Future { limit, called } => write!(
                    f,
                    "pipetap::{called}({limit:?}) at {}: {what} did not finish in time",
                    self.site
                )?,
                Cause::Capture => write!(f, "pipetap::HangReport::capture() at {}", self.site)?,
            }
        }
        let ours = |o: &Origin| self.is_ours(o);
        let own_pipes = self.lists.pipes.iter().filter(|(o, _)| ours(o)).count();
        let own_tapes = self.lists.tapes.iter().filter(|(o, _)| ours(o)).count();
        let others = self.lists.pipes.len() + self.lists.tapes.len() - own_pipes - own_tapes;
        write!(
            f,
            "\n{} and {}",
            count(own_pipes, "live pipe"),
            count(own_tapes, "live tape")
        )?;
        match &self.thread {
            Some(name) => write!(f, " created on thread `{name}`")?,
            None => write!(f, " in the process")?,
        }
        if others > 0 {
            write!(f, " ({others} more on other threads, listed after them)")?;
        }
        writeln!(f)?;
        self.group(f, true)?;
        if others > 0 {
            writeln!(f, "\non other threads:")?;
            self.group(f, false)?;
        }
        if !self.any_waiting() && !matches!(self.cause, Cause::Capture) {
            match &self.thread {
                Some(name) => write!(
                    f,
                    "\nnothing waits on the pipes and tapes created on thread `{name}`"
                )?,
                None => write!(f, "\nnothing waits on a pipe or a tape")?,
            }
            writeln!(
                f,
                ": the code is stuck elsewhere (a lock, a channel, a loop that never yields?)"
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for HangReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for HangReport {}

impl From<HangReport> for io::Error {
    /// An error of kind [`io::ErrorKind::TimedOut`] whose message is the
    /// report, so that `?` works in a test that returns `io::Result`.
    fn from(report: HangReport) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, report)
    }
}
