//! A pipe as the hang report sees it: [`Shared::new`] registers it once, and
//! this copies its state on demand (who waits on each side and since when,
//! buffered bytes, deadlines and knobs). Nothing here runs on a read or a
//! write.

use std::sync::Arc as StdArc;

use super::call::Op;
use super::channel::{Channel, DebugState, Shut, Waits};
use super::half::Shared;
use crate::hang::registry::LivePipe;
use crate::hang::snapshot::{DirectionSnapshot, PipeSnapshot, SideSnapshot};

impl LivePipe for Shared {
    fn snapshot(&self) -> PipeSnapshot {
        let end = |side: usize| StdArc::<str>::from(self.end_name(side));
        let mut capacity = 0;
        let mut direction = |side: usize| {
            let (state, read, write, cap, room, pending) =
                self.dir(side).inspect(|chan: &Channel| {
                    (
                        chan.debug_state(),
                        chan.waits(Op::Read),
                        chan.waits(Op::Write),
                        chan.capacity(),
                        chan.room(),
                        chan.faults_pending(),
                    )
                });
            capacity = cap;
            let mut direction = to_direction(&state, read, write);
            direction.room = room;
            direction.faults_pending = pending;
            direction
        };
        let directions = [direction(0), direction(1)];
        PipeSnapshot {
            id: self.id(),
            split: [self.is_split(0), self.is_split(1)],
            outside: self.is_reached_from_outside(),
            name: self.name().map(StdArc::from),
            ends: [end(0), end(1)],
            capacity,
            directions,
        }
    }
}

fn to_direction(state: &DebugState, read: Waits, write: Waits) -> DirectionSnapshot {
    let mut knobs = Vec::new();
    if let Some(n) = state.max_read_len {
        knobs.push(format!("max_read_len {n}"));
    }
    if state.read_interleave {
        knobs.push("interleave_pending".into());
    }
    if let Some(c) = &state.read_chunking {
        knobs.push(format!("chunking {c}, seed {}", state.seed));
    }
    if let Some(kind) = state.read_fault {
        knobs.push(format!("fail_next_read {kind:?}"));
    }
    let reader = side(read, knobs);
    let mut knobs = Vec::new();
    if let Some(n) = state.max_write_len {
        knobs.push(format!("max_write_len {n}"));
    }
    if state.write_interleave {
        knobs.push("interleave_pending".into());
    }
    if let Some(c) = &state.write_chunking {
        knobs.push(format!("chunking {c}, seed {}", state.seed));
    }
    if let Some(kind) = state.write_fault {
        knobs.push(format!("fail_next_write {kind:?}"));
    }
    knobs.extend(state.faults.iter().cloned());
    let writer = side(write, knobs);
    DirectionSnapshot {
        buffered: state.buffered,
        room: 0,
        faults_pending: false,
        writer_shut: state.write_shut.map(|how| match how {
            Shut::Eof => "shut down its writing side".to_owned(),
            Shut::Error(kind) => format!("closed its writing side with {kind:?}"),
            Shut::Reset => "was reset (its address went down)".to_owned(),
        }),
        reader_shut: state.read_shut,
        reader,
        writer,
    }
}

/// One side: who waits, and `knobs` followed by its timeout and mode.
fn side(waits: Waits, mut knobs: Vec<String>) -> SideSnapshot {
    if let Some(t) = waits.timeout {
        knobs.push(format!("timeout {t:?}"));
    }
    if waits.nonblocking {
        knobs.push("nonblocking".into());
    }
    SideSnapshot {
        threads: waits.threads,
        threads_since: waits.threads_since,
        task: waits.task,
        task_since: waits.task_since,
        deadline: waits.deadline,
        knobs,
        sleeper: waits.sleeper,
        waker: waits.waker,
        parked_on: waits.parked_on,
        seq: waits.seq,
        timeout: waits.timeout,
        pending: waits.pending,
    }
}
