//! [`NetConnect`]: the future of [`Net::connect`](super::Net::connect).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::table::{Route, Table};
use crate::listen::Connect;
use crate::pipe::PipeEnd;

/// The future of [`Net::connect`](crate::Net::connect): the new
/// connection's client end. `'static`, `Send` and `Unpin`; dropping it
/// before it finishes makes no connection.
#[must_use = "futures do nothing unless polled"]
pub struct NetConnect {
    state: State,
}

enum State {
    /// The address was refused when the connect started.
    Refused(Option<io::Error>),
    Connecting {
        connect: Connect,
        route: Route,
        table: Arc<Table>,
    },
}

impl NetConnect {
    pub(super) fn new(table: &Arc<Table>, addr: &str) -> Self {
        let state = match table.route(addr) {
            Ok(route) => State::Connecting {
                connect: route.connector.connect(),
                route,
                table: table.clone(),
            },
            Err(e) => State::Refused(Some(e)),
        };
        NetConnect { state }
    }
}

impl Future for NetConnect {
    type Output = io::Result<PipeEnd>;

    /// # Panics
    ///
    /// If polled again after an address refused at the start was reported.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Refused(e) => Poll::Ready(Err(e
                .take()
                .expect("pipetap: NetConnect polled after it finished"))),
            State::Connecting {
                connect,
                route,
                table,
            } => match Pin::new(connect).poll(cx) {
                Poll::Ready(Ok(client)) => Poll::Ready(table.connected(route, client)),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl fmt::Debug for NetConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Refused(e) => f.debug_tuple("NetConnect").field(e).finish(),
            State::Connecting { connect, route, .. } => f
                .debug_struct("NetConnect")
                .field("addr", &route.addr)
                .field("connect", connect)
                .finish(),
        }
    }
}
