//! Replay behind a connector: [`Connector::scripted`] and
//! [`Connector::replay_dir`] serve each connection with the next script,
//! and [`ScriptedPeers`] checks them all at the end.

use std::fmt;
use std::future::Future;
use std::io::{self, ErrorKind};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::connector::Connector;
use super::hub::{Hub, Serve};
use super::{tape_dir, DEFAULT_NAME};
use crate::hang::snapshot::Origin;
use crate::pipe::{PipeBuilder, PipeEnd};
use crate::script::{Finished, Script, ScriptError, ScriptPeer, DEFAULT_FINISH_WITHIN};

/// The ends of a scripted connection: the client's (returned by
/// `connect`), then the script's.
const END_NAMES: [&str; 2] = ["client", "script"];

/// What the connector's hub and the [`ScriptedPeers`] share.
struct Ledger {
    name: Arc<str>,
    origin: Origin,
    state: Mutex<LedgerState>,
}

struct LedgerState {
    /// The scripts by connection number - 1, each taken when served.
    scripts: Vec<Option<Script>>,
    /// Every script's name, for the ones that never ran.
    names: Vec<Option<String>>,
    /// The running peers: connection number, label, peer.
    peers: Vec<(u64, String, ScriptPeer)>,
    /// Connections made beyond the last script.
    beyond: Vec<String>,
    /// Until the `ScriptedPeers` is finished or dropped.
    open: bool,
}

impl Ledger {
    fn lock(&self) -> MutexGuard<'_, LedgerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the ledger (later connects are refused) and takes what it
    /// holds: the peers in connect order, the scripts that never ran, the
    /// connections beyond the last script.
    fn close(&self) -> Taken {
        let mut state = self.lock();
        state.open = false;
        let mut peers = std::mem::take(&mut state.peers);
        peers.sort_by_key(|(n, _, _)| *n);
        let unused: Vec<usize> = state
            .scripts
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.is_some().then_some(i))
            .collect();
        state.scripts.iter_mut().for_each(|s| *s = None);
        let never_ran = unused
            .into_iter()
            .map(|i| {
                let name = match &state.names[i] {
                    Some(name) => format!(" ({name:?})"),
                    None => String::new(),
                };
                format!(
                    "script {} of {}{name} never ran: no connection #{} was made for it",
                    i + 1,
                    state.names.len(),
                    i + 1
                )
            })
            .collect();
        Taken {
            peers: peers
                .into_iter()
                .map(|(_, label, peer)| (label, peer))
                .collect(),
            error: ReplayError {
                what: format!("scripted connector {:?}", self.name),
                scripts: state.names.len(),
                failed: Vec::new(),
                never_ran,
                beyond: std::mem::take(&mut state.beyond),
            },
        }
    }
}

/// What [`Ledger::close`] takes.
struct Taken {
    peers: Vec<(String, ScriptPeer)>,
    /// Everything but the verdicts of the peers, still to come.
    error: ReplayError,
}

/// The hub's [`Serve`]: connection N gets script N.
struct Scripts(Arc<Ledger>);

impl Serve for Scripts {
    fn serve(&self, n: u64, server: PipeEnd) -> io::Result<()> {
        let ledger = &self.0;
        let label = format!("{}#{n}", ledger.name);
        let mut state = ledger.lock();
        let refused = |why: String| {
            io::Error::new(
                ErrorKind::ConnectionRefused,
                format!(
                    "pipetap scripted connector {:?}: connection {label}: {why}",
                    ledger.name
                ),
            )
        };
        if !state.open {
            return Err(refused(
                "the replay is over (its ScriptedPeers was finished or dropped)".to_owned(),
            ));
        }
        let index = usize::try_from(n - 1).unwrap_or(usize::MAX);
        let Some(script) = state.scripts.get_mut(index).and_then(Option::take) else {
            state.beyond.push(label.clone());
            let total = state.scripts.len();
            return Err(refused(format!(
                "no script is left (the connector has {total} script{}, for connection{} {})",
                if total == 1 { "" } else { "s" },
                if total == 1 { "" } else { "s" },
                match total {
                    0 => "none".to_owned(),
                    1 => "#1".to_owned(),
                    _ => format!("#1 to #{total}"),
                }
            )));
        };
        // Started under the lock, so a finish that closes the ledger sees
        // every peer.
        let name = script.given_name().map(|name| format!("{label} ({name})"));
        let script = match name {
            Some(name) => script.name(name),
            None => script,
        };
        let peer = script.start_on(server, Some(&label), ledger.origin.clone());
        state.peers.push((n, label, peer));
        Ok(())
    }

    fn debug(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        let state = self.0.lock();
        d.field("scripts", &state.scripts.len())
            .field("served", &state.peers.len())
            .field("beyond_last", &state.beyond.len());
    }
}

impl Connector {
    /// A connector whose connections are served by scripts instead of a
    /// listener: the N-th connection made through it, in connect order, is
    /// served by the N-th script (its peer runs on the server end of that
    /// connection), so a client that dials (hyper-util's `Client`, tonic, a
    /// pool, any code that takes a connector) can be replayed without its
    /// server. Connections are named `pipe#N` with ends `client` and
    /// `script`; [`PipeBuilder::scripted`] gives them a name, a capacity
    /// and knobs.
    ///
    /// [`ScriptedPeers::finish`] then checks that every script ran to its
    /// end and that no connection was made beyond the last script. A
    /// connect beyond the last script fails with `ConnectionRefused`; its
    /// message names the connection and says no script is left.
    ///
    /// The connector keeps every integration of an ordinary one: with the
    /// `hyper` feature it is the connector of hyper-util's legacy `Client`
    /// and of tonic's `Endpoint::connect_with_connector`.
    ///
    /// **Connection pools**: connections take scripts in the order they are
    /// made, and concurrent connects have no recorded order, so make the
    /// requests of a replay one after another. hyper-util's pool keeps one
    /// connection for several requests: record and replay with the same
    /// pool settings (`pool_max_idle_per_host(0)` gives one connection per
    /// request).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{Connector, Script};
    ///
    /// let (connector, peers) = Connector::scripted([
    ///     Script::new().write(b"PING\r\n").read(b"+PONG\r\n"),
    ///     Script::new().write(b"QUIT\r\n"),
    /// ]);
    /// let mut first = connector.connect_blocking()?;
    /// first.write_all(b"PING\r\n")?;
    /// let mut reply = [0; 7];
    /// first.read_exact(&mut reply)?;
    /// assert_eq!(&reply, b"+PONG\r\n");
    /// connector.connect_blocking()?.write_all(b"QUIT\r\n")?;
    ///
    /// let err = connector.connect_blocking().unwrap_err(); // a third connection
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// assert!(err.to_string().contains("connection pipe#3: no script is left"));
    ///
    /// let verdict = peers.try_finish().unwrap_err().to_string();
    /// assert!(verdict.contains("connection pipe#3 was made beyond the last script"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn scripted(scripts: impl IntoIterator<Item = Script>) -> (Connector, ScriptedPeers) {
        PipeBuilder::new().scripted(scripts)
    }

    /// [`scripted`](Self::scripted) from the tape files of a folder, as
    /// [`save_tapes`](Self::save_tapes) writes them: connection N gets the
    /// N-th file of the folder's name in numeric order (`api-2.tape` before
    /// `api-10.tape`), replayed as by [`Script::from_file`]. The connector
    /// is named after the files (`db_5432-1.tape`: `db:5432`, so
    /// connections are `db:5432#1`, ...). Other files are ignored
    /// (`api-1.tape.new`, notes).
    ///
    /// # Errors
    ///
    /// - The folder's or a file's `io::Error` (`NotFound` for a missing
    ///   folder), naming the path; `InvalidData` for a malformed file, with
    ///   its line number.
    /// - `NotFound` if the folder holds no `NAME-N.tape` file.
    /// - `InvalidInput` if it holds the files of more than one name (a
    ///   connector replays one; [`Net::replay_dir`](crate::Net::replay_dir)
    ///   replays a network).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let dir = tempfile::tempdir()?;
    /// // Record...
    /// let (listener, connector) = pipetap::PipeBuilder::new().name("kv").listen();
    /// let listener = listener.record_connections();
    /// let mut client = connector.connect_blocking()?;
    /// let mut server = listener.accept_blocking()?;
    /// client.write_all(b"GET a\n")?;
    /// server.read_exact(&mut [0; 6])?;
    /// server.write_all(b"1\n")?;
    /// client.read_exact(&mut [0; 2])?;
    /// listener.save_tapes(dir.path())?;           // kv-1.tape
    ///
    /// // ...and replay without the server.
    /// let (connector, peers) = pipetap::Connector::replay_dir(dir.path())?;
    /// let mut client = connector.connect_blocking()?;
    /// client.write_all(b"GET a\n")?;
    /// let mut reply = [0; 2];
    /// client.read_exact(&mut reply)?;
    /// assert_eq!(&reply, b"1\n");
    /// peers.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn replay_dir(dir: impl AsRef<Path>) -> io::Result<(Connector, ScriptedPeers)> {
        let dir = dir.as_ref();
        let (stem, files) = tape_dir::only_stem(dir)?;
        let scripts = tape_dir::scripts(&files)?;
        Ok(PipeBuilder::new()
            .name(tape_dir::name_of_stem(&stem))
            .scripted(scripts))
    }
}

impl PipeBuilder {
    /// [`Connector::scripted`] with every connection built from this
    /// builder's settings (name, capacity, knobs): connection N, named
    /// `NAME#N`, is served by the N-th script.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::{PipeBuilder, Script};
    ///
    /// let (connector, peers) = PipeBuilder::new()
    ///     .name("db:5432")
    ///     .capacity(16)
    ///     .scripted([Script::new().write(b"hello")]);
    /// let mut conn = connector.connect_blocking()?;
    /// assert_eq!(conn.peer_addr().unwrap().to_string(), "db:5432#1");
    /// conn.write_all(b"hello")?;
    /// peers.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn scripted(self, scripts: impl IntoIterator<Item = Script>) -> (Connector, ScriptedPeers) {
        let scripts: Vec<Option<Script>> = scripts.into_iter().map(Some).collect();
        let blueprint = self.blueprint(DEFAULT_NAME, END_NAMES);
        let ledger = Arc::new(Ledger {
            name: blueprint.name().clone(),
            origin: Origin::here(),
            state: Mutex::new(LedgerState {
                names: scripts
                    .iter()
                    .map(|s| s.as_ref().and_then(|s| s.given_name().map(str::to_owned)))
                    .collect(),
                scripts,
                peers: Vec::new(),
                beyond: Vec::new(),
                open: true,
            }),
        });
        let hub = Hub::serving(blueprint, Box::new(Scripts(ledger.clone())));
        let peers = ScriptedPeers {
            what: format!("scripted connector {:?}", ledger.name),
            ledgers: vec![ledger],
            finished: false,
        };
        (Connector::new(Arc::new(hub)), peers)
    }
}

/// The scripts behind a [`Connector::scripted`] or
/// [`Connector::replay_dir`]: [`finish`](Self::finish) checks that every
/// script ran to its end and that no connection was made beyond the last
/// script.
///
/// Once finished (or dropped), the replay is over: later connects fail with
/// `ConnectionRefused`. Dropping it without finishing finishes it, and
/// panics if the replay failed. If the thread is already panicking, it
/// neither waits nor panics again: it prints the replay's verdict to the
/// test's output, once.
#[must_use = "finish() checks that every script ran to its end"]
pub struct ScriptedPeers {
    /// What the scripts serve, for the headline of a [`ReplayError`].
    what: String,
    /// One per scripted connector (a net's replay has one per address).
    ledgers: Vec<Arc<Ledger>>,
    finished: bool,
}

impl ScriptedPeers {
    /// Waits (up to 5 s in all) until every script has run to its end.
    ///
    /// # Panics
    ///
    /// With every failing script's verdict ([`ReplayError`]): a script
    /// that failed or stalled (each [`ScriptError`], with its connection),
    /// a script no connection was made for, and each connection made beyond
    /// the last script.
    #[track_caller]
    pub fn finish(self) {
        self.finish_within(DEFAULT_FINISH_WITHIN);
    }

    /// [`finish`](Self::finish) with another bound.
    ///
    /// # Panics
    ///
    /// As [`finish`](Self::finish).
    #[track_caller]
    pub fn finish_within(self, bound: Duration) {
        if let Err(error) = self.try_finish_within(bound) {
            panic!("{error}");
        }
    }

    /// Waits (up to 5 s in all) until every script has run to its end.
    ///
    /// # Errors
    ///
    /// The [`ReplayError`] with every failing script's verdict.
    pub fn try_finish(self) -> Result<(), ReplayError> {
        self.try_finish_within(DEFAULT_FINISH_WITHIN)
    }

    /// [`try_finish`](Self::try_finish) with another bound.
    ///
    /// # Errors
    ///
    /// As [`try_finish`](Self::try_finish).
    pub fn try_finish_within(mut self, bound: Duration) -> Result<(), ReplayError> {
        self.complete(Instant::now().checked_add(bound))
    }

    /// The async twin of [`try_finish`](Self::try_finish): a future (any
    /// executor, no runtime needed) that resolves once every script has run
    /// to its end, or with the error, within the same 5 s bound (on the
    /// wall clock). Use it where blocking the thread would stall the code
    /// under test on that same thread, as in a current-thread
    /// `#[tokio::test]`.
    pub fn finished(self) -> FinishedAll {
        self.finished_within(DEFAULT_FINISH_WITHIN)
    }

    /// [`finished`](Self::finished) with another bound.
    pub fn finished_within(mut self, bound: Duration) -> FinishedAll {
        let (peers, error) = match self.close() {
            Some(Taken { peers, error }) => (peers, Some(error)),
            None => (Vec::new(), None),
        };
        FinishedAll {
            pending: peers
                .into_iter()
                .map(|(label, peer)| (label, Some(peer.finished_within(bound))))
                .collect(),
            error,
        }
    }

    /// Several replays checked as one: a net's, one per address.
    pub(crate) fn merge(what: String, all: Vec<ScriptedPeers>) -> ScriptedPeers {
        let mut ledgers = Vec::new();
        for mut peers in all {
            ledgers.append(&mut peers.ledgers);
            peers.finished = true;
        }
        ScriptedPeers {
            what,
            ledgers,
            finished: false,
        }
    }

    /// Closes every ledger (later connects are refused) and takes what they
    /// hold, once.
    fn close(&mut self) -> Option<Taken> {
        if std::mem::replace(&mut self.finished, true) {
            return None;
        }
        let mut all = Taken {
            peers: Vec::new(),
            error: ReplayError {
                what: self.what.clone(),
                scripts: 0,
                failed: Vec::new(),
                never_ran: Vec::new(),
                beyond: Vec::new(),
            },
        };
        for ledger in &self.ledgers {
            let Taken { mut peers, error } = ledger.close();
            all.peers.append(&mut peers);
            all.error.scripts += error.scripts;
            all.error.never_ran.extend(error.never_ran);
            all.error.beyond.extend(error.beyond);
        }
        Some(all)
    }

    fn complete(&mut self, deadline: Option<Instant>) -> Result<(), ReplayError> {
        let Some(Taken { peers, mut error }) = self.close() else {
            return Ok(());
        };
        for (label, peer) in peers {
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if let Err(e) = peer.try_finish_within(left) {
                error.failed.push((label, e));
            }
        }
        error.into_result()
    }
}

impl Drop for ScriptedPeers {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The test failed elsewhere first: the peers stop without
            // waiting or a second panic, and their verdict goes to the
            // test's output, once.
            if let Err(error) = self.complete(Some(Instant::now())) {
                eprintln!(
                    "pipetap: the thread panicked with ScriptedPeers not finished; their verdict:\n{error}"
                );
            }
            return;
        }
        if let Err(error) = self.complete(Instant::now().checked_add(DEFAULT_FINISH_WITHIN)) {
            panic!("{error}");
        }
    }
}

// The handle holds no state a panic could leave half-changed.
impl std::panic::UnwindSafe for ScriptedPeers {}
impl std::panic::RefUnwindSafe for ScriptedPeers {}

impl fmt::Debug for ScriptedPeers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ScriptedPeers");
        d.field("serving", &self.what);
        if self.finished {
            d.field("finished", &true);
        } else {
            let (mut scripts, mut served, mut beyond) = (0, 0, 0);
            for ledger in &self.ledgers {
                let state = ledger.lock();
                scripts += state.scripts.len();
                served += state.peers.len();
                beyond += state.beyond.len();
            }
            d.field("scripts", &scripts)
                .field("served", &served)
                .field("beyond_last", &beyond);
        }
        d.finish()
    }
}

/// The future of [`ScriptedPeers::finished`]: `Ok(())` once every script
/// has run to its end, or the [`ReplayError`].
#[must_use = "a future does nothing unless polled"]
pub struct FinishedAll {
    pending: Vec<(String, Option<Finished>)>,
    /// `None` once resolved (or for a `ScriptedPeers` already finished).
    error: Option<ReplayError>,
}

impl Future for FinishedAll {
    type Output = Result<(), ReplayError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut waiting = false;
        for (label, slot) in &mut this.pending {
            if let Some(finished) = slot {
                match Pin::new(finished).poll(cx) {
                    Poll::Pending => waiting = true,
                    Poll::Ready(result) => {
                        *slot = None;
                        if let (Err(e), Some(error)) = (result, &mut this.error) {
                            error.failed.push((label.clone(), e));
                        }
                    }
                }
            }
        }
        if waiting {
            return Poll::Pending;
        }
        match this.error.take() {
            Some(error) => Poll::Ready(error.into_result()),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl fmt::Debug for FinishedAll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FinishedAll")
            .field(
                "waiting",
                &self.pending.iter().filter(|(_, s)| s.is_some()).count(),
            )
            .finish()
    }
}

/// Why a replay behind a connector failed, from
/// [`ScriptedPeers::try_finish`] and its twins, and in the panic of
/// [`ScriptedPeers::finish`]: every failing script's verdict, one after
/// another.
///
/// - a script that failed or stalled: its connection (`NAME#N`) and its
///   [`ScriptError`] (the step, the offsets, the hex diff);
/// - a script no connection was made for;
/// - a connection made beyond the last script.
#[derive(Clone)]
pub struct ReplayError {
    /// `scripted connector "api"`, or a net's addresses.
    what: String,
    scripts: usize,
    failed: Vec<(String, ScriptError)>,
    never_ran: Vec<String>,
    beyond: Vec<String>,
}

impl ReplayError {
    fn into_result(self) -> Result<(), ReplayError> {
        if self.failed.is_empty() && self.never_ran.is_empty() && self.beyond.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// The scripts that failed or stalled: each one's connection (`NAME#N`)
    /// and error, in connect order.
    pub fn failed(&self) -> impl Iterator<Item = (&str, &ScriptError)> {
        self.failed.iter().map(|(label, e)| (label.as_str(), e))
    }

    /// How many scripts never ran: fewer connections were made than there
    /// are scripts.
    pub fn never_ran(&self) -> usize {
        self.never_ran.len()
    }

    /// The connections (`NAME#N`) made beyond the last script.
    pub fn beyond_last(&self) -> &[String] {
        &self.beyond
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = self.failed.len() + self.never_ran.len() + self.beyond.len();
        write!(
            f,
            "replay through {} failed ({problems} problem{} with {} script{}):",
            self.what,
            if problems == 1 { "" } else { "s" },
            self.scripts,
            if self.scripts == 1 { "" } else { "s" },
        )?;
        for (label, error) in &self.failed {
            let text = error.to_string();
            let mut lines = text.lines();
            write!(
                f,
                "\n- connection {label}: {}",
                lines.next().unwrap_or_default()
            )?;
            for line in lines {
                write!(f, "\n  {line}")?;
            }
        }
        for line in &self.never_ran {
            write!(f, "\n- {line}")?;
        }
        for label in &self.beyond {
            write!(
                f,
                "\n- connection {label} was made beyond the last script: no script is left \
                 for it, and its connect failed"
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReplayError {
    /// The message itself, so `unwrap()` prints it readably.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ReplayError {}
