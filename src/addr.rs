//! [`PipeAddr`]: the address of an in-memory listener or of one of its
//! connections.

use std::fmt;
use std::sync::Arc;

/// The address of an in-memory [`Listener`](crate::Listener) (its name), or of
/// one of its connections (the name and the connection's number, counted from
/// 1 in connect order).
///
/// It displays as the listener's name, `pipe` unless
/// [`PipeBuilder::name`](crate::PipeBuilder::name) gave another, followed by
/// `#N` for a connection: `pipe#3` is the third connection to the listener
/// `pipe`. It is what [`Listener::local_addr`](crate::Listener::local_addr)
/// and [`PipeEnd::peer_addr`](crate::PipeEnd::peer_addr) return, and, with
/// the `axum` feature, what a handler extracts as `ConnectInfo<PipeAddr>`.
///
/// # Examples
///
/// ```
/// let (listener, connector) = pipetap::listen();
/// assert_eq!(listener.local_addr().to_string(), "pipe");
///
/// let client = connector.connect_blocking()?;
/// let server = listener.accept_blocking()?;
/// let addr = client.peer_addr().expect("a listener's connection");
/// assert_eq!(addr.to_string(), "pipe#1");
/// assert_eq!(addr.name(), "pipe");
/// assert_eq!(addr.connection(), Some(1));
/// assert_eq!(server.peer_addr(), Some(addr));      // the same on both ends
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipeAddr {
    name: Arc<str>,
    connection: Option<u64>,
}

impl PipeAddr {
    /// The address of the listener `name` itself.
    pub(crate) fn listener(name: Arc<str>) -> Self {
        PipeAddr {
            name,
            connection: None,
        }
    }

    /// The address of connection `n` of the listener `name`.
    pub(crate) fn connection_of(name: Arc<str>, n: u64) -> Self {
        PipeAddr {
            name,
            connection: Some(n),
        }
    }

    /// The listener's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, _connector) = pipetap::PipeBuilder::new().name("api").listen();
    /// assert_eq!(listener.local_addr().name(), "api");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection's number (from 1, in connect order), or `None` for the
    /// address of the listener itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, _connector) = pipetap::listen();
    /// assert_eq!(listener.local_addr().connection(), None);
    /// ```
    pub fn connection(&self) -> Option<u64> {
        self.connection
    }
}

impl fmt::Display for PipeAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.connection {
            Some(n) => write!(f, "{}#{n}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl fmt::Debug for PipeAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PipeAddr(\"{self}\")")
    }
}
