//! What a hang report ([`crate::within`]) shows of a scripted peer: the
//! step it is on and what it waits for, one line.

use std::sync::Arc;
use std::time::Instant;

use super::run::ThreadWaker;
use super::stall::stalled;
use super::state::Shared;
use super::step::Step;
use crate::hang::registry::{LiveScript, ScriptParty};

/// A running script, registered for hang reports while its
/// [`ScriptPeer`](crate::ScriptPeer) lives.
pub(crate) struct Live {
    pub(crate) shared: Arc<Shared>,
    pub(crate) steps: Arc<[Step]>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) started: Instant,
    /// Its end: the pipe and which end (see [`ScriptParty`]).
    pub(crate) end: (usize, usize),
    pub(crate) waker: Arc<ThreadWaker>,
}

impl LiveScript for Live {
    fn party(&self) -> ScriptParty {
        let state = self.shared.lock();
        let stuck_reading = match state.parked {
            Some((wakes, true)) if state.failure.is_none() && !state.exited => {
                // No wake-up since the turn before it parked began.
                (self.waker.wakes() == wakes).then_some(wakes)
            }
            _ => None,
        };
        let step = state.progress.step;
        drop(state);
        let at = match self.steps.get(step) {
            Some(kind) => format!(
                "step {} of {} ({})",
                step + 1,
                self.steps.len(),
                kind.kind()
            ),
            None => format!("all {} steps ran", self.steps.len()),
        };
        ScriptParty {
            pipe: self.end.0,
            side: self.end.1,
            stuck_reading,
            name: self.name.as_deref().map(str::to_owned),
            at,
        }
    }

    fn snapshot(&self) -> String {
        let state = self.shared.lock();
        let first_line = |text: String| text.lines().next().unwrap_or_default().to_owned();
        if let Some(failure) = &state.failure {
            return first_line(failure.to_string());
        }
        let name = match &self.name {
            Some(name) => format!("script {name:?}"),
            None => "script".to_owned(),
        };
        if state.progress.done {
            return format!("{name}: all {} steps ran", self.steps.len());
        }
        let progress = state.progress;
        drop(state);
        let error = stalled(
            self.name.as_deref(),
            &self.steps,
            &progress,
            self.started.elapsed(),
        );
        first_line(error.to_string()).replacen(" stalled at step ", " waits at step ", 1)
    }
}
