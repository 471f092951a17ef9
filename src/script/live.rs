//! What a hang report ([`crate::within`]) shows of a scripted peer: the
//! step it is on and what it waits for, one line.

use std::sync::Arc;
use std::time::Instant;

use super::stall::stalled;
use super::state::Shared;
use super::step::Step;
use crate::hang::registry::LiveScript;

/// A running script, registered for hang reports while its
/// [`ScriptPeer`](crate::ScriptPeer) lives.
pub(crate) struct Live {
    pub(crate) shared: Arc<Shared>,
    pub(crate) steps: Arc<[Step]>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) started: Instant,
}

impl LiveScript for Live {
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
