//! [`HangReport`]: the state of every live pipe and tape, taken at one
//! moment, and its layout.

use std::fmt::{self, Write as _};
use std::io;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::data::{DirectionState, PipeState, TapeState, TapeWait, Waiters};
use super::registry;
use super::snapshot::{
    DirectionSnapshot, Origin, PipeSnapshot, SideSnapshot, TapeSnapshot, WaitSnapshot,
};
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
/// other threads". Each says where it was created, in the test's code: a
/// script's pipe, the line that built the script; a listener's connection
/// (often made inside a framework), `connection #N of the listener created
/// at <line>`, on the thread that created the listener; its tape, when the
/// listener records, is labelled `NAME#N` ([`Tape::label`](crate::Tape::label)).
///
/// # Waiters, in one wording
///
/// Whatever the door, waiters are counted the same way: `1 thread waiting
/// for 50ms` (threads asleep in a blocking call; `2 threads` when several
/// are, counted from the first), `1 task waiting for 3ms` (a task whose
/// pending poll left its waker), joined by `, and ` when both wait, and
/// `nobody waiting`. A tape's pending waits read the same:
/// `wait_for "+OK": 1 task waiting for 20ms (bound 1s)`. A task that is
/// woken and waits again starts a new count; a task that started waiting
/// before any bounded runner ran reads `1 task waiting since before the
/// bound began`. A dropped future's waker stays with the pipe until the
/// next call on that side, so it still shows as a task. The same facts are
/// data: [`pipes`](Self::pipes) and [`tapes`](Self::tapes).
///
/// # Deadlocks: what the verdict can and cannot see
///
/// A report from [`within`](crate::within) or its twins starts `deadlock:`
/// ([`is_deadlock`](Self::is_deadlock)) when the bounded code was found
/// waiting in a set of pipes that can never move again, before its limit;
/// it then lists who waits on whom (`thread `t` (the closure) reads end a
/// of pipe "p" (nothing buffered) and waits for b to write, which thread
/// `peer` holds`), and the usual listing follows. The verdict sees:
///
/// - threads asleep in a pipe call through an owned end or half (`&mut`);
/// - scripted peers: one on a `write`-like step (or done) with nothing to
///   do counts as a reader; one on a `read` step with bytes unsent, or in
///   a `wait`, as pending;
/// - tasks, only in `within_async` on a paused tokio clock, once tokio has
///   auto-advanced to a timer at the bound (every task idle), confirmed a
///   year later on tokio's clock; a task waiting on several pipes chains
///   them into the set;
/// - what is pending on each pipe: a deadline or per-call timeout on any
///   side, held writes (`hold`, `hold_for`), bytes in flight (latency,
///   bandwidth).
///
/// It cannot see, and so never counts as stuck:
///
/// - a wait through a shared `&PipeEnd`, `&ReadHalf` or `&WriteHalf`
///   (another thread may hold the same reference);
/// - an end or half that no pipe call holds: kept by a thread that is busy,
///   asleep, or blocked on anything else (a lock, a channel, a `join`, a
///   listener's `accept`), or waiting in a listener's backlog;
/// - a pipe something outside its ends can act on: a listener's
///   connection (its [`Link`](crate::Link) can release or cut it) or a
///   [`Net`](crate::Net)'s (the net can reset it);
/// - bounded code that waits on anything but a pipe (say, it joins the
///   threads that are stuck), tape waits, and tasks on a running clock, on
///   another executor or on a multi-thread runtime.
///
/// In all of these the limit runs out as before, and the report lists the
/// state then. A plain thread that will wake a task (through a channel) is
/// invisible to tokio's paused clock: start it with `spawn_blocking`.
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
        let mut out = waiters(&self.waiters(side));
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
        match &tape.label {
            Some(label) => writeln!(f, "tape {label:?}, {}: {recordings}", created(origin))?,
            None => writeln!(f, "tape, {}: {recordings}", created(origin))?,
        }
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
            write!(
                f,
                "  wait_for {}: {}",
                wait.pattern,
                waiters(&self.tape_waiters(wait))
            )?;
            match wait.within {
                Some(bound) => writeln!(f, " (bound {bound:?})")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }

    /// Who waits on one side, as data.
    fn waiters(&self, side: &SideSnapshot) -> Waiters {
        Waiters {
            threads: side.threads,
            threads_for: (side.threads > 0)
                .then(|| side.threads_since.map_or(Duration::ZERO, |at| self.ago(at))),
            tasks: usize::from(side.task),
            tasks_for: side.task_since.filter(|_| side.task).map(|at| self.ago(at)),
        }
    }

    /// Who waits in one `wait_for`, as data.
    fn tape_waiters(&self, wait: &WaitSnapshot) -> Waiters {
        let mut w = Waiters::default();
        let waited = Some(self.ago(wait.since));
        if wait.task {
            (w.tasks, w.tasks_for) = (1, waited);
        } else {
            (w.threads, w.threads_for) = (1, waited);
        }
        w
    }

    /// Every live pipe in the report, in creation order, those created on
    /// the caller's thread first (as the text lists them).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (mut a, _b) = pipetap::PipeBuilder::new().name("doc-pipes").build();
    /// a.write_all(b"hi")?;
    /// let report = pipetap::HangReport::capture();
    /// let pipe = report.pipes().into_iter().find(|p| p.name.as_deref() == Some("doc-pipes")).unwrap();
    /// assert_eq!(pipe.ends, ["a".to_string(), "b".to_string()]);
    /// assert_eq!(pipe.directions[0].buffered, 2);             // a -> b
    /// assert!(pipe.directions[0].reader.is_empty());          // nobody waits
    /// assert!(pipe.created_at.contains(".rs:"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn pipes(&self) -> Vec<PipeState> {
        let ours = self.lists.pipes.iter().filter(|(o, _)| self.is_ours(o));
        let others = self.lists.pipes.iter().filter(|(o, _)| !self.is_ours(o));
        ours.chain(others)
            .map(|(origin, pipe)| {
                let direction = |writer: usize| {
                    let dir = &pipe.directions[writer];
                    DirectionState {
                        from: pipe.ends[writer].to_string(),
                        to: pipe.ends[1 - writer].to_string(),
                        buffered: dir.buffered,
                        reader: self.waiters(&dir.reader),
                        writer: self.waiters(&dir.writer),
                    }
                };
                PipeState {
                    name: pipe.name.as_deref().map(str::to_owned),
                    ends: [pipe.ends[0].to_string(), pipe.ends[1].to_string()],
                    capacity: pipe.capacity,
                    created_at: origin.site.to_string(),
                    directions: [direction(0), direction(1)],
                }
            })
            .collect()
    }

    /// Every live tape in the report, in creation order, those created on
    /// the caller's thread first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use pipetap::RecordExt;
    ///
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"+OK")?;
    /// let report = pipetap::try_within_async(Duration::from_millis(20), tape.wait_for("-ERR"));
    /// let report = futures::executor::block_on(report).unwrap_err();
    /// let tape = report.tapes().into_iter().find(|t| t.written == 3).unwrap();
    /// assert_eq!(tape.label, None);
    /// assert_eq!(tape.waits[0].pattern, r#""-ERR""#);
    /// assert_eq!(tape.waits[0].waiters.tasks, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn tapes(&self) -> Vec<TapeState> {
        let ours = self.lists.tapes.iter().filter(|(o, _)| self.is_ours(o));
        let others = self.lists.tapes.iter().filter(|(o, _)| !self.is_ours(o));
        ours.chain(others)
            .map(|(_, tape)| TapeState {
                label: tape.label.as_deref().map(str::to_owned),
                written: tape.written,
                read: tape.read,
                waits: tape
                    .waits
                    .iter()
                    .map(|wait| TapeWait {
                        pattern: wait.pattern.clone(),
                        waiters: self.tape_waiters(wait),
                        within: wait.within,
                    })
                    .collect(),
            })
            .collect()
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
    let at = match origin.connection {
        Some(n) => format!("connection #{n} of the listener created at {}", origin.site),
        None => format!("created at {}", origin.site),
    };
    match &origin.thread {
        Some(name) => format!("{at} on thread `{name}`"),
        None => format!("{at} on an unnamed thread"),
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

/// Who waits, in the report's one wording: `1 thread waiting for 50ms`,
/// `1 task waiting for 3ms` (or `since before the bound began`), both
/// joined by `, and `; `nobody waiting`.
fn waiters(w: &Waiters) -> String {
    let mut out = String::new();
    if w.threads > 0 {
        let _ = write!(
            out,
            "{} waiting for {}",
            count(w.threads, "thread"),
            ms(w.threads_for.unwrap_or_default())
        );
    }
    if w.tasks > 0 {
        if !out.is_empty() {
            out.push_str(", and ");
        }
        let _ = match w.tasks_for {
            Some(d) => write!(out, "{} waiting for {}", count(w.tasks, "task"), ms(d)),
            None => write!(
                out,
                "{} waiting since before the bound began",
                count(w.tasks, "task")
            ),
        };
    }
    if out.is_empty() {
        out.push_str("nobody waiting");
    }
    out
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
