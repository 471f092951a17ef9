//! [`Script`]: the list of steps, and how it becomes a running peer.

use std::fmt;
use std::io::{self, ErrorKind};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

use super::captures::{Captures, Responder, Template};
use super::clock::Clock;
use super::faults::WriteFaults;
use super::live::Live;
use super::peer::ScriptPeer;
use super::resolve::resolve;
use super::run::{Peer, ThreadWaker};
use super::state::Shared;
use super::step::Step;
use crate::clock::Hold;
use crate::hang::registry::{register_script, LiveScript};
use crate::hang::snapshot::Origin;
use crate::tape::file::FileEvent;
use crate::template::Piece;
use crate::{Event, PipeBuilder, PipeEnd, Tape};

/// A scripted peer: the other end of a connection, as a list of steps, so a
/// test needs no hand-written fake server.
///
/// Steps are written from the side of the code under test, as in
/// `tokio_test::io`: [`read`](Script::read) is what the code will read,
/// [`write`](Script::write) what it must write. [`build`](Script::build)
/// starts the peer and gives the code's end of the connection (an ordinary
/// [`PipeEnd`], with every door, halves, knobs and deadlines) and the
/// [`ScriptPeer`] that checks the script ran to its end. See the
/// [module docs](crate::script) for how the peer runs and keeps time.
///
/// # Examples
///
/// ```
/// use std::io::{BufRead, BufReader, ErrorKind, Write};
/// use pipetap::Script;
///
/// let (conn, peer) = Script::new()
///     .name("fake-smtp")
///     .read(b"220 ready\r\n")
///     .write(b"EHLO me\r\n")
///     .read(b"250 ok\r\n")
///     .read_error(ErrorKind::ConnectionReset)
///     .build();
/// let mut conn = BufReader::new(conn);
/// let mut line = String::new();
/// conn.read_line(&mut line)?;
/// assert_eq!(line, "220 ready\r\n");
/// conn.get_mut().write_all(b"EHLO me\r\n")?;
/// line.clear();
/// conn.read_line(&mut line)?;
/// assert_eq!(line, "250 ok\r\n");
/// let err = conn.read_line(&mut line).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ConnectionReset);
/// peer.finish();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use = "a script does nothing until it is built"]
pub struct Script {
    name: Option<String>,
    steps: Vec<Step>,
    binds: Vec<(String, Vec<u8>)>,
}

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Script::default()
    }

    /// Names the script: the name is in every message, and names the pipe
    /// (unless the [`PipeBuilder`] of [`build_with`](Script::build_with)
    /// has a name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    #[track_caller]
    fn push(mut self, step: Step) -> Self {
        if let Some(last) = self.steps.last().filter(|s| s.is_last()) {
            panic!(
                "Script::{}: no step may follow `{}`, which ends the script",
                step.kind(),
                last.kind()
            );
        }
        self.steps.push(step);
        self
    }

    /// The peer sends `bytes`; the step is done once the code under test has
    /// read them all.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset), which end
    /// the script.
    #[track_caller]
    pub fn read(self, bytes: impl AsRef<[u8]>) -> Self {
        self.push(Step::Read(bytes.as_ref().to_vec()))
    }

    /// The code under test must write exactly `bytes` next. Writes match as
    /// a byte stream: however the code splits or joins its writes, only the
    /// bytes and their order count.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn write(self, bytes: impl AsRef<[u8]>) -> Self {
        self.push(Step::Write(bytes.as_ref().to_vec()))
    }

    /// The code under test writes any bytes up to and including `delimiter`:
    /// for a part that changes from run to run, such as a nonce or a date
    /// header.
    ///
    /// # Panics
    ///
    /// If `delimiter` is empty, or after [`close`](Script::close) or
    /// [`reset`](Script::reset).
    #[track_caller]
    pub fn write_until(self, delimiter: impl AsRef<[u8]>) -> Self {
        let delimiter = delimiter.as_ref().to_vec();
        assert!(
            !delimiter.is_empty(),
            "Script::write_until: the delimiter is empty"
        );
        self.push(Step::write_until(delimiter))
    }

    /// The code under test writes any `n` bytes: for a part of known length
    /// that changes from run to run.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn write_any(self, n: usize) -> Self {
        self.push(Step::WriteAny(n))
    }

    /// The code under test must write bytes that fit `template`: its
    /// literal bytes exactly, and anything in its holes. Named holes keep
    /// what they matched, for later templates, [`read_template`](Script::read_template)
    /// and [`respond`](Script::respond).
    ///
    /// - `{{name}}` matches bytes up to the first occurrence of the
    ///   template's next literal byte, with no backtracking (so that byte
    ///   must not occur in the value). A literal byte must follow it, and it
    ///   holds at most 64 KiB, so a missing delimiter fails the script
    ///   instead of stalling it.
    /// - `{{name:N}}` matches exactly `N` bytes.
    /// - `{{_}}` and `{{_:N}}` match without keeping.
    /// - A name used again matches the value it kept, and a name given to
    ///   [`bind`](Script::bind) matches exactly its value (such a hole may
    ///   end the template).
    /// - `{{{{` is a literal `{{`, and a `{` right before a hole is literal
    ///   (`{{{id}}` is `{` then the hole `{{id}}`). Names are letters,
    ///   digits, `_`, `-` and `.`.
    ///
    /// Holes match as a stream, like [`write`](Script::write): however the
    /// code splits its writes, a hole ends at the same byte. A failure
    /// names the template, what each hole kept so far, and where the
    /// literal part diverged.
    ///
    /// # Panics
    ///
    /// If the template is malformed (naming it and the byte where), or
    /// after [`close`](Script::close) or [`reset`](Script::reset).
    /// [`build`](Script::build) panics if a hole without a length is not
    /// followed by a literal byte (unless its value is bound).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Script;
    ///
    /// let (mut conn, peer) = Script::new()
    ///     .write_template(br#"{"id":{{id}},"method":"ping"}"#)
    ///     .read_template(br#"{"id":{{id}},"result":"pong"}"#)
    ///     .build();
    /// conn.write_all(br#"{"id":7341,"method":"ping"}"#)?;
    /// let mut reply = String::new();
    /// conn.read_to_string(&mut reply)?;
    /// assert_eq!(reply, r#"{"id":7341,"result":"pong"}"#);
    /// peer.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn write_template(self, template: impl AsRef<[u8]>) -> Self {
        let t = Template::parse("write_template", template.as_ref());
        self.push(Step::WriteTemplate(t))
    }

    /// The peer sends `template` with each named hole filled with the value
    /// it kept in an earlier [`write_template`](Script::write_template), or
    /// the value given to [`bind`](Script::bind). The step is done once the
    /// code under test has read it all. The template rules are those of
    /// `write_template`.
    ///
    /// # Panics
    ///
    /// If the template is malformed, or after [`close`](Script::close) or
    /// [`reset`](Script::reset). [`build`](Script::build) panics if a hole
    /// has no value: a `_` hole, or a name that no earlier step keeps and
    /// `bind` does not bind.
    #[track_caller]
    pub fn read_template(self, template: impl AsRef<[u8]>) -> Self {
        let t = Template::parse("read_template", template.as_ref());
        self.push(Step::ReadTemplate(t))
    }

    /// The peer sends the bytes `f` computes from the values kept so far:
    /// a challenge-response, such as a websocket accept key or a SCRAM
    /// proof. `f` runs when the peer reaches the step, after every earlier
    /// step that takes writes has matched. See [`Captures`] for an example.
    /// A panic in `f` fails the script with its message.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn respond(self, f: impl Fn(&Captures) -> Vec<u8> + Send + 'static) -> Self {
        self.push(Step::Respond(Responder::new(f)))
    }

    /// Binds `name` to `value`, known up front: a hole of that name in a
    /// `write_template` matches exactly `value`, and in a `read_template`
    /// sends it. For a secret kept out of a tape file with
    /// [`Tape::redact`](crate::Tape::redact):
    /// `Script::from_file(path)?.bind("token", token)`. Binding a name again
    /// replaces its value.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Script;
    ///
    /// let (mut conn, peer) = Script::new()
    ///     .write_template(b"AUTH {{token}}\r\n")
    ///     .read_template(b"+OK {{token}}\r\n")
    ///     .bind("token", "s3cret")
    ///     .build();
    /// conn.write_all(b"AUTH s3cret\r\n")?;
    /// let mut reply = String::new();
    /// conn.read_to_string(&mut reply)?;
    /// assert_eq!(reply, "+OK s3cret\r\n");
    /// peer.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        let name = name.into();
        let value = value.as_ref().to_vec();
        match self.binds.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = value,
            None => self.binds.push((name, value)),
        }
        self
    }

    /// The peer pauses for `duration` (bytes the code writes meanwhile are
    /// still matched at once). Under a paused tokio clock it costs no wall
    /// time: see [Time](crate#time).
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn wait(self, duration: Duration) -> Self {
        self.push(Step::Wait(duration))
    }

    /// Once the bytes sent before it are read, the code's next read fails
    /// with `kind`. One-shot: later steps go on.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn read_error(self, kind: ErrorKind) -> Self {
        self.push(Step::ReadError(kind))
    }

    /// The code's first write after the bytes of the earlier `write` steps
    /// fails with `kind` (a write that crosses that point is cut short
    /// there). One-shot: later steps go on.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn write_error(self, kind: ErrorKind) -> Self {
        self.push(Step::WriteError(kind))
    }

    /// The peer half-closes: the code reads end-of-stream once it has read
    /// what was sent. The steps after it still expect the code's writes.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn shutdown_write(self) -> Self {
        self.push(Step::ShutdownWrite)
    }

    /// The peer closes the connection like [`PipeEnd::close`]: the code
    /// reads end-of-stream after the bytes already sent, and its writes fail
    /// with `BrokenPipe`. It is the last step.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn close(self) -> Self {
        self.push(Step::Close)
    }

    /// The peer resets the connection
    /// (`close_with_error(ErrorKind::ConnectionReset)`, which is sticky). It
    /// is the last step.
    ///
    /// # Panics
    ///
    /// After [`close`](Script::close) or [`reset`](Script::reset).
    #[track_caller]
    pub fn reset(self) -> Self {
        self.push(Step::Reset)
    }

    /// The name given by [`name`](Script::name), if any.
    pub(crate) fn given_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the script has no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The script that replays the peer of a recorded connection: the tape's
    /// reads (recorded with [`record_reads`](crate::Recording::record_reads))
    /// become `read` steps and its writes `write` steps, in the tape's event
    /// order, adjacent steps of one kind merged. A tape loaded from a file
    /// with holes ([`Tape::load`]), and still holding what was loaded,
    /// replays them as [`Script::from_file`] does. (A tape's
    /// [`redact`](Tape::redact) and [`holes_by`](Tape::holes_by) apply to
    /// the files written from it, not here.)
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{RecordExt, Script};
    ///
    /// // Record the code under test against a live peer...
    /// let (client, mut server) = pipetap::pipe();
    /// let (mut conn, tape) = client.record();
    /// let mut conn = conn.record_reads();
    /// conn.write_all(b"PING\r\n")?;
    /// server.write_all(b"+PONG\r\n")?;
    /// let mut reply = [0; 7];
    /// conn.read_exact(&mut reply)?;
    ///
    /// // ...then replay that peer with no server.
    /// let (mut conn, peer) = Script::from_tape(&tape).build();
    /// conn.write_all(b"PING\r\n")?;
    /// conn.read_exact(&mut reply)?;
    /// assert_eq!(&reply, b"+PONG\r\n");
    /// peer.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_tape(tape: &Tape) -> Script {
        if let Some(doc) = tape.loaded_doc() {
            return Script::from_doc(&doc);
        }
        let mut steps: Vec<Step> = Vec::new();
        for event in tape.events() {
            match (event, steps.last_mut()) {
                (Event::Read(b), Some(Step::Read(last))) => last.extend_from_slice(&b),
                (Event::Write(b), Some(Step::Write(last))) => last.extend_from_slice(&b),
                (Event::Read(b), _) => steps.push(Step::Read(b.to_vec())),
                (Event::Write(b), _) => steps.push(Step::Write(b.to_vec())),
            }
        }
        Script {
            name: None,
            steps,
            binds: Vec::new(),
        }
    }

    /// The script of a tape file's events: each turn (adjacent events of
    /// one direction) becomes a `write` or `read` step, or a template step
    /// if it holds a hole.
    pub(crate) fn from_doc(events: &[FileEvent]) -> Script {
        let mut turns: Vec<(bool, Vec<Piece>)> = Vec::new();
        for event in events {
            let turn = match turns.last_mut() {
                Some(turn) if turn.0 == event.write => turn,
                _ => {
                    turns.push((event.write, Vec::new()));
                    turns.last_mut().expect("pushed")
                }
            };
            for piece in &event.pieces {
                match (piece, turn.1.last_mut()) {
                    (Piece::Lit(b), Some(Piece::Lit(last))) => last.extend_from_slice(b),
                    _ => turn.1.push(piece.clone()),
                }
            }
        }
        let steps = turns
            .into_iter()
            .map(|(write, pieces)| {
                let t = Template::from_pieces(pieces);
                match (write, t.has_holes()) {
                    (true, true) => Step::WriteTemplate(t),
                    (false, true) => Step::ReadTemplate(t),
                    (true, false) => Step::Write(literal(&t.pieces)),
                    (false, false) => Step::Read(literal(&t.pieces)),
                }
            })
            .collect();
        Script {
            name: None,
            steps,
            binds: Vec::new(),
        }
    }

    /// The script that replays a tape file saved by [`Tape::save`], named
    /// after the file. A turn (adjacent lines of one direction) that holds
    /// a hole becomes a [`write_template`](Script::write_template) (`>`) or
    /// [`read_template`](Script::read_template) (`<`) step; give the values
    /// of redacted names with [`bind`](Script::bind).
    ///
    /// # Errors
    ///
    /// As [`Tape::load`]: the file's `io::Error`, or `InvalidData` with the
    /// line number of a malformed line (or hole).
    pub fn from_file(path: impl AsRef<Path>) -> io::Result<Script> {
        let path = path.as_ref();
        let doc = crate::tape::file::read_doc(path)?;
        Ok(Script::from_doc(&doc).name(path.display().to_string()))
    }

    /// Starts the peer on a default pipe ([`pipe()`](crate::pipe)).
    ///
    /// Returns the end for the code under test and the peer's handle.
    #[track_caller]
    pub fn build(self) -> (PipeEnd, ScriptPeer) {
        self.build_with(PipeBuilder::new())
    }

    /// Starts the peer on a pipe from `builder`: its capacity and knobs
    /// apply to both ends (the peer copes with any), and the per-end knob
    /// setters of the returned end work as usual.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start the peer's thread.
    #[track_caller]
    pub fn build_with(self, builder: PipeBuilder) -> (PipeEnd, ScriptPeer) {
        let (code, end) = builder.for_script(self.name.as_deref()).build();
        (code, self.start_on(end, None, Origin::here()))
    }

    /// Starts the peer on `end`, an end whose other side the code under
    /// test holds (a connection a [`Connector`](crate::Connector) made).
    /// `label` names the script in its messages when it has no name of its
    /// own; `origin` is where the hang report says it was built.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start the peer's thread.
    pub(crate) fn start_on(self, end: PipeEnd, label: Option<&str>, origin: Origin) -> ScriptPeer {
        let name: Option<Arc<str>> = self.name.as_deref().or(label).map(Arc::from);
        let end_id = end.pipe_and_side();
        let mut steps = self.steps;
        let captures = resolve(&mut steps, &self.binds);
        let steps: Arc<[Step]> = steps.into();
        let mut faults = WriteFaults::new(&steps);
        faults.arm_first(&end);
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let clock = Clock::here();
        // The peer's first turn is work in hand: hold a paused clock for it.
        let hold = Hold::on(clock.time());
        if let Some(hold) = &hold {
            hold.take();
        }
        let waker = Arc::new(ThreadWaker::new(hold));
        // A first wait starts here, on the caller's runtime, before the code
        // under test can go idle and let a paused clock run past it.
        let first_wait = match steps.first() {
            Some(Step::Wait(d)) => Some(clock.start(*d, &Waker::from(waker.clone()))),
            _ => None,
        };
        let peer = Peer {
            end,
            steps: steps.clone(),
            name: name.clone(),
            shared: shared.clone(),
            faults,
            clock,
            stop: stop.clone(),
            waker: waker.clone(),
            first_wait,
            captures,
        };
        let thread_name = match &name {
            Some(name) => format!("pipetap script {name}"),
            None => "pipetap script".to_owned(),
        };
        let exit = shared.clone();
        let thread = std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                let _exit = ExitGuard(exit);
                peer.run();
            })
            .expect("pipetap: cannot start the script's peer thread");
        let started = Instant::now();
        let live = Arc::new(Live {
            shared: shared.clone(),
            steps: steps.clone(),
            name: name.clone(),
            started,
            end: end_id,
            waker,
        });
        let weak: std::sync::Weak<dyn LiveScript> = Arc::downgrade(&live) as _;
        register_script(weak, origin);
        ScriptPeer {
            shared,
            stop,
            thread: Some(thread),
            steps,
            name,
            started,
            _live: live,
        }
    }
}

/// The bytes of pieces that hold no hole.
fn literal(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        if let Piece::Lit(b) = piece {
            out.extend_from_slice(b);
        }
    }
    out
}

/// Marks the peer's thread as ended, even if it panics.
struct ExitGuard(Arc<Shared>);

impl Drop for ExitGuard {
    fn drop(&mut self) {
        self.0.exit();
    }
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script")
            .field("name", &self.name)
            .field("steps", &self.steps)
            .field(
                "bound",
                &self.binds.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}
