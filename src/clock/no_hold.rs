//! Without the `tokio` feature there is no paused clock to hold: [`Hold`]
//! has no value, so every use of it compiles away.

use super::Clock;

/// No clock to hold (see `hold.rs` for the `tokio` feature's).
#[derive(Debug, Clone)]
pub(crate) enum Hold {}

impl Hold {
    pub(crate) fn on(_clock: &Clock) -> Option<Hold> {
        None
    }

    pub(crate) fn take(&self) {
        match *self {}
    }

    pub(crate) fn begin_turn(&self) {
        match *self {}
    }

    pub(crate) fn release(&self) -> bool {
        match *self {}
    }

    pub(crate) fn close(&self) {
        match *self {}
    }
}
