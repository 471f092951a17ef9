//! [`Blueprint`]: a [`PipeBuilder`](crate::PipeBuilder)'s settings, kept to
//! build many pipes alike: the connections of one listener.

use std::sync::Arc;

use super::channel::Config;
use super::end::PipeEnd;
use crate::addr::PipeAddr;
use crate::hang::snapshot::Origin;
use crate::tape::Tape;

/// The settings of every connection of one listener.
pub(crate) struct Blueprint {
    config: Config,
    name: Arc<str>,
    /// The first end's name (the client's), then the second's.
    end_names: [Arc<str>; 2],
    /// Where (and on which thread) the listener was made: its connections
    /// show it in hang reports, with their number.
    origin: Origin,
}

impl Blueprint {
    #[track_caller]
    pub(super) fn new(config: Config, name: Arc<str>, end_names: [Arc<str>; 2]) -> Self {
        Blueprint {
            config,
            name,
            end_names,
            origin: Origin::here(),
        }
    }

    /// The label of connection `n`: `NAME#n`, its pipe's name.
    pub(crate) fn label(&self, n: u64) -> Arc<str> {
        PipeAddr::connection_of(self.name.clone(), n)
            .to_string()
            .into()
    }

    /// Where connection `n` shows it was made: the line that made the
    /// listener, and its number.
    pub(crate) fn origin(&self, n: u64) -> Origin {
        self.origin.connection(n)
    }

    /// The listener's name.
    pub(crate) fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The capacity of each direction (for `Debug`).
    pub(crate) fn capacity(&self) -> usize {
        self.config.capacity
    }

    /// Connection `n`: a pipe named `NAME#n`, its first end (the client's)
    /// recording onto `tape` if one is given. Allocates only what any named
    /// pipe does, plus its name.
    pub(crate) fn connection(&self, n: u64, tape: Option<Tape>) -> (PipeEnd, PipeEnd) {
        let addr = PipeAddr::connection_of(self.name.clone(), n);
        let pipe_name: Arc<str> = addr.to_string().into();
        let mut config = self.config.clone();
        if config.seeds.is_some() {
            // Derived from the listener's own, wherever the connection is
            // made; a seed fixed by `PipeBuilder::seed` serves them all.
            config.seed = crate::seed::derive(config.seed, n);
        }
        let (mut client, server) = PipeEnd::pair(
            config,
            Some(pipe_name),
            self.end_names.clone(),
            Some(addr),
            self.origin(n),
        );
        PipeEnd::cut_both(&client, &server, self.config.faults.cut);
        if let Some(tape) = tape {
            client.record_onto(tape);
        }
        (client, server)
    }
}
