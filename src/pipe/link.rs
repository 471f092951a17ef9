//! Live faults on a connection: the knob calls that [`PipeEnd`](crate::PipeEnd)
//! and [`Link`] share ([`Knobs`]), and [`Link`] / [`LinkDirection`], the
//! handles a test gets for connections whose ends it does not hold (the
//! client end in hyper's pool, the server end inside axum).

use std::fmt;
use std::io;
use std::task::Waker;
use std::time::Duration;

use super::faults::Cut;
use super::half::Shared;
use crate::addr::PipeAddr;
use crate::clock::Clock;
use crate::sync::Arc;

/// How a [`Link`] reaches its pipe: weakly, so a list of links does not
/// keep closed connections' buffers alive.
#[cfg(not(loom))]
type PipeRef = std::sync::Weak<Shared>;
#[cfg(loom)]
type PipeRef = Arc<Shared>;

#[cfg(not(loom))]
fn downgrade(shared: &Arc<Shared>) -> PipeRef {
    Arc::downgrade(shared)
}
#[cfg(loom)]
fn downgrade(shared: &Arc<Shared>) -> PipeRef {
    shared.clone()
}

#[cfg(not(loom))]
fn upgrade(pipe: &PipeRef) -> Option<Arc<Shared>> {
    pipe.upgrade()
}
#[cfg(loom)]
fn upgrade(pipe: &PipeRef) -> Option<Arc<Shared>> {
    Some(pipe.clone())
}

/// The knobs of one direction (`dir` carries what end `dir` writes).
pub(super) struct Knobs<'a> {
    pub(super) shared: &'a Arc<Shared>,
    pub(super) dir: usize,
}

impl Knobs<'_> {
    pub(super) fn hold(&self) -> io::Result<()> {
        self.shared.dir(self.dir).update(|c, w| c.hold(None, w));
        Ok(())
    }

    pub(super) fn release(&self) -> io::Result<()> {
        self.shared.dir(self.dir).update(|c, w| c.release_live(w));
        Ok(())
    }

    /// The hold ends `d` from now on the clock of the call (tokio's inside
    /// a paused runtime).
    pub(super) fn hold_for(&self, d: Duration) -> io::Result<()> {
        let clock = Clock::current();
        let until = clock.after(d);
        let dir = self.shared.dir(self.dir);
        let gen = dir.update(|c, w| c.hold(until, w));
        if let Some(until) = until {
            let alarm = clock.wake_at(&until, self.hold_timer(gen));
            dir.update(|c, _| c.keep_hold_alarm(gen, alarm));
        }
        Ok(())
    }

    pub(super) fn set_latency(&self, d: Option<Duration>) -> io::Result<()> {
        self.shared.dir(self.dir).update(|c, w| c.set_latency(d, w));
        Ok(())
    }

    pub(super) fn set_bandwidth(&self, bytes_per_s: Option<u64>) -> io::Result<()> {
        self.shared
            .dir(self.dir)
            .update(|c, w| c.set_bandwidth(bytes_per_s, w))
    }

    pub(super) fn cut_after(&self, n: usize, how: Cut) -> io::Result<()> {
        let hook = (how != Cut::Eof).then(|| self.cut_hook());
        self.shared
            .dir(self.dir)
            .update(|c, w| c.cut_after(n, how, hook, w));
        Ok(())
    }

    /// Ends hold `gen` of this direction when woken (a `hold_for` timer).
    fn hold_timer(&self, gen: u64) -> Waker {
        Waker::from(std::sync::Arc::new(Action {
            pipe: downgrade(self.shared),
            dir: self.dir,
            what: What::ReleaseHold(gen),
        }))
    }

    /// Closes the other direction when woken (a `Reset` or `Error` cut).
    fn cut_hook(&self) -> Waker {
        Waker::from(std::sync::Arc::new(Action {
            pipe: downgrade(self.shared),
            dir: self.dir,
            what: What::CloseOther,
        }))
    }
}

/// What a knob's waker does when woken.
enum What {
    ReleaseHold(u64),
    CloseOther,
}

/// A knob's timer or hook, as a waker: woken on the clock's thread or after a
/// direction's lock is released.
struct Action {
    pipe: PipeRef,
    dir: usize,
    what: What,
}

impl std::task::Wake for Action {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let Some(shared) = upgrade(&self.pipe) else {
            return;
        };
        match self.what {
            What::ReleaseHold(gen) => shared.dir(self.dir).update(|c, w| c.release_hold(gen, w)),
            // As `close_with_error` by the end whose bytes were cut: it
            // reads no more, and its peer's writes fail.
            What::CloseOther => shared.dir(1 - self.dir).update(|c, w| c.shut_read(w)),
        }
    }
}

/// A live connection of a [`Listener`](crate::Listener), from
/// [`Connector::connections`](crate::Connector::connections): the live-fault
/// knobs of both its directions, for a test that holds neither end (the
/// client end sits in hyper's pool, the server end inside axum).
///
/// The knobs on `Link` itself set both directions;
/// [`client_to_server`](Self::client_to_server) and
/// [`server_to_client`](Self::server_to_client) set one. They are those of
/// [`PipeEnd`](crate::PipeEnd) ([`hold`](crate::PipeEnd::hold),
/// [`set_latency`](crate::PipeEnd::set_latency), ...), with the same meaning.
/// On a connection whose two ends are gone they do nothing.
///
/// A `Link` does not keep its connection alive.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
///
/// let (listener, connector) = pipetap::listen();
/// let mut client = connector.connect_blocking()?;
/// let mut server = listener.accept_blocking()?;
///
/// let link = &connector.connections()[0];
/// assert_eq!(link.addr().to_string(), "pipe#1");
/// link.server_to_client().hold()?;          // the reply stalls
/// server.write_all(b"pong")?;
/// client.set_nonblocking(true)?;
/// assert_eq!(client.read(&mut [0; 4]).unwrap_err().kind(), ErrorKind::WouldBlock);
/// link.release()?;
/// client.set_nonblocking(false)?;
/// let mut buf = [0; 4];
/// client.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"pong");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Link {
    pipe: PipeRef,
    addr: PipeAddr,
}

/// One direction of a [`Link`]: [`Link::client_to_server`] or
/// [`Link::server_to_client`], with the knobs of that direction.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (_listener, connector) = pipetap::listen();
/// let _client = connector.connect_blocking()?;
/// let link = &connector.connections()[0];
/// link.client_to_server().set_latency(Some(Duration::from_millis(20)))?;
/// assert!(format!("{link:?}").contains("latency 20ms"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct LinkDirection {
    pipe: PipeRef,
    addr: PipeAddr,
    /// The end whose bytes this direction carries: 0 the client, 1 the server.
    dir: usize,
}

impl Link {
    /// The link of a listener's connection (end 0 is the client's).
    pub(super) fn new(shared: &Arc<Shared>, addr: PipeAddr) -> Self {
        // Whoever holds the link may release, cut or reset at any time: the
        // deadlock verdict never counts the pipe stuck.
        shared.reach_from_outside();
        Link {
            pipe: downgrade(shared),
            addr,
        }
    }

    /// The connection's address, `NAME#N`, as both ends'
    /// [`peer_addr`](crate::PipeEnd::peer_addr) give it.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_listener, connector) = pipetap::PipeBuilder::new().name("db").listen();
    /// let _conn = connector.connect_blocking()?;
    /// assert_eq!(connector.connections()[0].addr().to_string(), "db#1");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn addr(&self) -> &PipeAddr {
        &self.addr
    }

    /// Whether both ends of the connection are gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, connector) = pipetap::listen();
    /// let client = connector.connect_blocking()?;
    /// let server = listener.accept_blocking()?;
    /// let link = &connector.connections()[0];
    /// assert!(!link.is_closed());
    /// drop((client, server));
    /// assert!(link.is_closed());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        upgrade(&self.pipe).is_none()
    }

    /// Resets the connection from outside (`Net::down`): both directions'
    /// buffered, held and flying bytes are dropped, reads on both ends fail
    /// with `ConnectionReset` at once, writes with `BrokenPipe`. Nothing
    /// happens if both ends are gone.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn reset(&self) {
        if let Some(shared) = upgrade(&self.pipe) {
            for dir in 0..2 {
                shared.dir(dir).update(|chan, wake| chan.reset(wake));
            }
        }
    }

    /// The direction that carries what the client sends.
    pub fn client_to_server(&self) -> LinkDirection {
        self.direction(0)
    }

    /// The direction that carries what the server sends (its replies).
    pub fn server_to_client(&self) -> LinkDirection {
        self.direction(1)
    }

    fn direction(&self, dir: usize) -> LinkDirection {
        LinkDirection {
            pipe: self.pipe.clone(),
            addr: self.addr.clone(),
            dir,
        }
    }

    /// Runs `f` on both directions' knobs (nothing if the pipe is gone).
    fn both(&self, f: impl Fn(&Knobs<'_>) -> io::Result<()>) -> io::Result<()> {
        let Some(shared) = upgrade(&self.pipe) else {
            return Ok(());
        };
        for dir in 0..2 {
            f(&Knobs {
                shared: &shared,
                dir,
            })?;
        }
        Ok(())
    }

    /// Holds both directions: see [`PipeEnd::hold`](crate::PipeEnd::hold).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn hold(&self) -> io::Result<()> {
        self.both(|k| k.hold())
    }

    /// Releases both directions: see [`PipeEnd::release`](crate::PipeEnd::release).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn release(&self) -> io::Result<()> {
        self.both(|k| k.release())
    }

    /// Holds both directions for `d`: see [`PipeEnd::hold_for`](crate::PipeEnd::hold_for).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn hold_for(&self, d: Duration) -> io::Result<()> {
        self.both(|k| k.hold_for(d))
    }

    /// Sets the latency of both directions: see
    /// [`PipeEnd::set_latency`](crate::PipeEnd::set_latency).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_latency(&self, d: Option<Duration>) -> io::Result<()> {
        self.both(|k| k.set_latency(d))
    }

    /// Sets the bandwidth of both directions: see
    /// [`PipeEnd::set_bandwidth`](crate::PipeEnd::set_bandwidth).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(0)`.
    pub fn set_bandwidth(&self, bytes_per_s: Option<u64>) -> io::Result<()> {
        self.both(|k| k.set_bandwidth(bytes_per_s))
    }

    /// Cuts both directions, each after `n` more bytes: see
    /// [`PipeEnd::cut_after`](crate::PipeEnd::cut_after). With `Reset` or
    /// `Error`, the first direction to reach its cut closes both.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn cut_after(&self, n: usize, how: Cut) -> io::Result<()> {
        self.both(|k| k.cut_after(n, how))
    }
}

impl LinkDirection {
    /// Runs `f` on this direction's knobs (nothing if the pipe is gone).
    fn with(&self, f: impl FnOnce(&Knobs<'_>) -> io::Result<()>) -> io::Result<()> {
        match upgrade(&self.pipe) {
            Some(shared) => f(&Knobs {
                shared: &shared,
                dir: self.dir,
            }),
            None => Ok(()),
        }
    }

    /// Holds this direction: see [`PipeEnd::hold`](crate::PipeEnd::hold).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn hold(&self) -> io::Result<()> {
        self.with(|k| k.hold())
    }

    /// Releases this direction: see [`PipeEnd::release`](crate::PipeEnd::release).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn release(&self) -> io::Result<()> {
        self.with(|k| k.release())
    }

    /// Holds this direction for `d`: see [`PipeEnd::hold_for`](crate::PipeEnd::hold_for).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn hold_for(&self, d: Duration) -> io::Result<()> {
        self.with(|k| k.hold_for(d))
    }

    /// Sets this direction's latency: see
    /// [`PipeEnd::set_latency`](crate::PipeEnd::set_latency).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn set_latency(&self, d: Option<Duration>) -> io::Result<()> {
        self.with(|k| k.set_latency(d))
    }

    /// Sets this direction's bandwidth: see
    /// [`PipeEnd::set_bandwidth`](crate::PipeEnd::set_bandwidth).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `Some(0)`.
    pub fn set_bandwidth(&self, bytes_per_s: Option<u64>) -> io::Result<()> {
        self.with(|k| k.set_bandwidth(bytes_per_s))
    }

    /// Cuts this direction after `n` more bytes: see
    /// [`PipeEnd::cut_after`](crate::PipeEnd::cut_after).
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    pub fn cut_after(&self, n: usize, how: Cut) -> io::Result<()> {
        self.with(|k| k.cut_after(n, how))
    }

    /// The knobs and bytes of this direction, for `Debug`.
    fn state(&self) -> Option<(usize, Vec<String>)> {
        let shared = upgrade(&self.pipe)?;
        Some(
            shared
                .dir(self.dir)
                .inspect(|c| (c.unread_len(), c.describe_faults())),
        )
    }

    fn name(&self) -> &'static str {
        if self.dir == 0 {
            "client_to_server"
        } else {
            "server_to_client"
        }
    }
}

/// One direction's buffered bytes and knobs, for `Debug`.
struct DirState(Option<(usize, Vec<String>)>);

impl fmt::Debug for DirState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("closed"),
            Some((buffered, knobs)) => {
                write!(f, "{buffered} B buffered")?;
                for knob in knobs {
                    write!(f, ", {knob}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (self.client_to_server(), self.server_to_client());
        f.debug_struct("Link")
            .field("addr", &self.addr.to_string())
            .field(a.name(), &DirState(a.state()))
            .field(b.name(), &DirState(b.state()))
            .finish()
    }
}

impl fmt::Debug for LinkDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkDirection")
            .field("addr", &self.addr.to_string())
            .field("direction", &self.name())
            .field("state", &DirState(self.state()))
            .finish()
    }
}
