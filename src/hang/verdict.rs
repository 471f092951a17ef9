//! The deadlock verdict: whether the bounded code waits in a set of pipes
//! that nothing can move again, and who waits on whom there.
//!
//! The rules (the contract's, `API.md` section 6):
//! - the bounded code itself waits in the set (its thread is asleep in a
//!   pipe call, or its task's waker sits on a pipe);
//! - every live part of each pipe in the set (each end's reading and writing
//!   side, unless shut) is held by a wait with exclusive access: a thread
//!   asleep in a call through an owned end or half, a counted task, or a
//!   scripted peer parked on a step that only waits for the code to write.
//!   A wait through a whole (unsplit) end holds both of its sides;
//! - each of those waits is one nothing in the set can satisfy (a read with
//!   nothing buffered and the writer still there, a write with no room);
//! - nothing pending on any of the pipes can change it: no deadline, no
//!   per-call timeout, no hold;
//! - a task that waits in the set also waits nowhere else outside it;
//! - tasks count only when the caller says so (a paused tokio clock that
//!   auto-advanced to the bound), and only those polled on the caller's
//!   thread (the runtime's).
//!
//! The state is read twice, one pipe at a time; the verdict holds only if
//! nothing any waiter in the set depends on changed between the reads
//! (every side's wait counter, buffered bytes, room and shut flags, and
//! each script's wake-up count). Every waiter was then asleep over the
//! moment between the two reads, so the second read is what everyone saw,
//! and stays so: nothing outside the set can reach a part that an
//! exclusive wait holds.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::task::Waker;
use std::thread::ThreadId;

use super::registry::{self, ScriptParty};
use super::snapshot::{Origin, PipeSnapshot, SideSnapshot};

/// The bounded code, as the verdict looks for it.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) enum Bounded<'a> {
    /// The thread that runs [`within`](crate::within)'s closure.
    Thread(ThreadId),
    /// The task that polls [`within_async`](crate::within_async)'s future,
    /// on the runtime whose thread is `runtime` (tasks then count).
    Task { waker: &'a Waker, runtime: ThreadId },
}

/// Who holds a part of a pipe.
#[derive(Clone)]
enum Party {
    Thread(std::thread::Thread),
    Task(Waker),
    Script(usize),
}

/// One read of every live pipe and scripted peer.
struct Scan {
    pipes: Vec<(Origin, PipeSnapshot)>,
    scripts: Vec<ScriptParty>,
}

fn scan() -> Scan {
    let pipes = registry::live_pipes()
        .into_iter()
        .map(|(pipe, origin)| (origin, pipe.snapshot()))
        .collect();
    let scripts = registry::live_scripts()
        .into_iter()
        .map(|(script, _)| script.party())
        .collect();
    Scan { pipes, scripts }
}

/// A deadlock found: who waits on whom, one line each.
#[derive(Debug, Clone)]
pub(crate) struct Deadlock {
    pub(crate) lines: Vec<String>,
}

/// Whether the bounded code looks stuck now, by one read of the pipes (a
/// cheap first look; [`find`] is the verdict).
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn looks_stuck(bounded: &Bounded<'_>) -> bool {
    let scan = scan();
    !starts(&scan, bounded).is_empty() && stuck_set(&scan, bounded).is_some()
}

/// The verdict now: `Some` only if the bounded code waits in a set of pipes
/// that can never move again (see the module docs).
pub(crate) fn find(bounded: &Bounded<'_>) -> Option<Deadlock> {
    let first = scan();
    // The common case, cheaply: the bounded code waits on no pipe.
    if starts(&first, bounded).is_empty() {
        return None;
    }
    let (set, _) = stuck_set(&first, bounded)?;
    let second = scan();
    let (set2, lines) = stuck_set(&second, bounded)?;
    if set != set2 {
        return None;
    }
    for id in &set {
        let a = first.pipes.iter().find(|(_, p)| p.id == *id)?;
        let b = second.pipes.iter().find(|(_, p)| p.id == *id)?;
        if fingerprint(&a.1) != fingerprint(&b.1) {
            return None;
        }
        let scripts = |scan: &Scan| -> Vec<ScriptParty> {
            let mut v: Vec<_> = scan
                .scripts
                .iter()
                .filter(|s| s.pipe == *id)
                .cloned()
                .collect();
            v.sort_by_key(|s| s.side);
            v
        };
        if scripts(&first) != scripts(&second) {
            return None;
        }
    }
    Some(Deadlock { lines })
}

/// What must not change between the two reads of a pipe.
fn fingerprint(pipe: &PipeSnapshot) -> Vec<u64> {
    let mut out = vec![u64::from(pipe.split[0]), u64::from(pipe.split[1])];
    for dir in &pipe.directions {
        out.extend([
            dir.buffered as u64,
            dir.room as u64,
            u64::from(dir.writer_shut.is_some()),
            u64::from(dir.reader_shut),
        ]);
        for side in [&dir.reader, &dir.writer] {
            out.extend([
                u64::from(side.seq),
                side.threads as u64,
                u64::from(side.task),
            ]);
        }
    }
    out
}

/// The pipes the bounded code waits on.
fn starts(scan: &Scan, bounded: &Bounded<'_>) -> Vec<usize> {
    let mut out = Vec::new();
    for (_, pipe) in &scan.pipes {
        let waits = pipe.directions.iter().any(|d| {
            [&d.reader, &d.writer]
                .into_iter()
                .any(|side| match bounded {
                    Bounded::Thread(id) => side.sleeper.as_ref().is_some_and(|t| t.id() == *id),
                    Bounded::Task { waker, runtime } => {
                        side.parked_on == Some(*runtime)
                            && side.waker.as_ref().is_some_and(|w| w.will_wake(waker))
                    }
                })
        });
        if waits {
            out.push(pipe.id);
        }
    }
    out
}

/// One wait in the set.
struct Wait {
    party: Party,
    pipe: usize,
    /// The end it waits through, and whether it reads.
    end: usize,
    reads: bool,
}

/// The stuck set reached from the bounded code, with its description, or
/// `None` if anything in it can still move.
fn stuck_set(scan: &Scan, bounded: &Bounded<'_>) -> Option<(BTreeSet<usize>, Vec<String>)> {
    let runtime = match bounded {
        Bounded::Thread(_) => None,
        Bounded::Task { runtime, .. } => Some(*runtime),
    };
    let mut todo = starts(scan, bounded);
    let mut set = BTreeSet::new();
    let mut waits: Vec<Wait> = Vec::new();
    let mut holders: Vec<(usize, usize, [Option<Party>; 2])> = Vec::new();
    while let Some(id) = todo.pop() {
        if !set.insert(id) {
            continue;
        }
        let (_, pipe) = scan.pipes.iter().find(|(_, p)| p.id == id)?;
        for end in 0..2 {
            let script = scan.scripts.iter().find(|s| s.pipe == id && s.side == end);
            let hold = holder(pipe, end, script, runtime)?;
            for (reads, party) in &hold.waits {
                check_wait(pipe, end, *reads)?;
                waits.push(Wait {
                    party: party.clone(),
                    pipe: id,
                    end,
                    reads: *reads,
                });
                if let Party::Task(waker) = party {
                    // A task that waits here may be woken from any pipe it
                    // waits on: those must be stuck too.
                    for (_, other) in &scan.pipes {
                        if task_waits_on(other, waker) {
                            todo.push(other.id);
                        }
                    }
                }
            }
            holders.push((id, end, hold.holds));
        }
    }
    let lines = describe(scan, bounded, &waits, &holders);
    Some((set, lines))
}

/// Whether `waker`'s task waits on `pipe`.
fn task_waits_on(pipe: &PipeSnapshot, waker: &Waker) -> bool {
    pipe.directions.iter().any(|d| {
        [&d.reader, &d.writer]
            .into_iter()
            .any(|s| s.waker.as_ref().is_some_and(|w| w.will_wake(waker)))
    })
}

/// The sides of end `end`: its reading side (of the direction the other
/// end writes) and its writing side.
fn sides(pipe: &PipeSnapshot, end: usize) -> [(bool, &SideSnapshot, bool); 2] {
    let incoming = &pipe.directions[1 - end];
    let outgoing = &pipe.directions[end];
    [
        (true, &incoming.reader, incoming.reader_shut),
        (false, &outgoing.writer, outgoing.writer_shut.is_some()),
    ]
}

/// How one end of a pipe is held in the set.
struct EndHold {
    /// The waits on it: whether each reads, and who waits.
    waits: Vec<(bool, Party)>,
    /// Who holds its reading side and its writing side (`None`: shut).
    holds: [Option<Party>; 2],
}

/// How end `end` of `pipe` is held, or `None` if a live side of it is not
/// held by a wait that counts, or anything on it is pending.
fn holder(
    pipe: &PipeSnapshot,
    end: usize,
    script: Option<&ScriptParty>,
    runtime: Option<ThreadId>,
) -> Option<EndHold> {
    if pipe.outside || pipe.directions.iter().any(|d| d.faults_pending) {
        return None;
    }
    let sides = sides(pipe, end);
    for (_, side, _) in &sides {
        if side.deadline.is_some() || side.timeout.is_some() || side.pending {
            return None;
        }
    }
    if let Some(script) = script {
        script.stuck_reading?;
        let party = Party::Script(pipe.id);
        let waits = if sides[0].2 {
            Vec::new()
        } else {
            vec![(true, party.clone())]
        };
        return Some(EndHold {
            waits,
            holds: [Some(party.clone()), Some(party)],
        });
    }
    let party_of = |side: &SideSnapshot| -> Option<Party> {
        if let Some(thread) = &side.sleeper {
            return Some(Party::Thread(thread.clone()));
        }
        let runtime = runtime?;
        let waker = side.waker.as_ref()?;
        (side.parked_on == Some(runtime)).then(|| Party::Task(waker.clone()))
    };
    let parties = sides.map(|(reads, side, shut)| (reads, (!shut).then(|| party_of(side)), shut));
    let waits: Vec<(bool, Party)> = parties
        .iter()
        .filter_map(|(reads, p, _)| Some((*reads, p.clone()??)))
        .collect();
    let holds = if pipe.split[end] {
        // Each live half needs a wait of its own: whoever has an idle one
        // may still act.
        let mut holds = [None, None];
        for (i, (_, p, shut)) in parties.iter().enumerate() {
            if !shut {
                holds[i] = Some(p.clone()??);
            }
        }
        holds
    } else {
        // A wait through the whole end holds both of its sides.
        if parties.iter().all(|(_, _, shut)| *shut) {
            return Some(EndHold {
                waits,
                holds: [None, None],
            });
        }
        let first = waits.first()?.1.clone();
        let hold = |i: usize| (!parties[i].2).then(|| first.clone());
        [hold(0), hold(1)]
    };
    Some(EndHold { waits, holds })
}

/// Whether a wait on `end` can never be satisfied by the pipe as read.
fn check_wait(pipe: &PipeSnapshot, end: usize, reads: bool) -> Option<()> {
    if reads {
        let dir = &pipe.directions[1 - end];
        (dir.buffered == 0 && dir.writer_shut.is_none() && !dir.reader_shut).then_some(())
    } else {
        let dir = &pipe.directions[end];
        (dir.room == 0 && dir.writer_shut.is_none()).then_some(())
    }
}

/// The lines of the verdict: each wait, whom it waits for.
fn describe(
    scan: &Scan,
    bounded: &Bounded<'_>,
    waits: &[Wait],
    holders: &[(usize, usize, [Option<Party>; 2])],
) -> Vec<String> {
    let mut lines = Vec::new();
    for wait in waits {
        let Some((_, pipe)) = scan.pipes.iter().find(|(_, p)| p.id == wait.pipe) else {
            continue;
        };
        let me = &pipe.ends[wait.end];
        let peer = &pipe.ends[1 - wait.end];
        let pipe_name = match &pipe.name {
            Some(name) => format!("pipe {name:?}"),
            None => "an unnamed pipe".to_owned(),
        };
        let who = party_name(scan, bounded, &wait.party);
        let mut line = String::new();
        if wait.reads {
            let _ = write!(
                line,
                "{who} reads end {me} of {pipe_name} (nothing buffered) and waits for {peer} to write"
            );
        } else {
            let dir = &pipe.directions[wait.end];
            let why = if pipe.capacity == 0 {
                "no reader waiting on the rendezvous".to_owned()
            } else {
                format!("buffer full, {} bytes", dir.buffered)
            };
            let _ = write!(
                line,
                "{who} writes to end {me} of {pipe_name} ({why}) and waits for {peer} to read"
            );
        }
        // A reader waits for the peer's writing side, a writer for its
        // reading side.
        let held = holders
            .iter()
            .find(|(id, end, _)| *id == wait.pipe && *end == 1 - wait.end)
            .and_then(|(_, _, holds)| holds[usize::from(wait.reads)].as_ref());
        match held {
            Some(party) => {
                let _ = write!(line, ", which {} holds", party_name(scan, bounded, party));
            }
            None => {
                let _ = write!(line, ", which is gone");
            }
        }
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

fn party_name(scan: &Scan, bounded: &Bounded<'_>, party: &Party) -> String {
    match party {
        Party::Thread(thread) => {
            let mut name = match thread.name() {
                Some(name) => format!("thread `{name}`"),
                None => format!("an unnamed thread ({:?})", thread.id()),
            };
            if matches!(bounded, Bounded::Thread(id) if *id == thread.id()) {
                name.push_str(" (the closure)");
            }
            name
        }
        Party::Task(waker) => match bounded {
            Bounded::Task { waker: w, .. } if w.will_wake(waker) => {
                "the bounded future's task".to_owned()
            }
            _ => "a task".to_owned(),
        },
        Party::Script(pipe) => {
            let script = scan.scripts.iter().find(|s| s.pipe == *pipe);
            match script {
                Some(s) => match &s.name {
                    Some(name) => format!("script {name:?} (at {})", s.at),
                    None => format!("a script (at {})", s.at),
                },
                None => "a script".to_owned(),
            }
        }
    }
}
