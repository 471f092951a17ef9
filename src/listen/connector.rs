//! [`Connector`]: the connecting side of an in-memory listener, and its
//! [`Connect`] future.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::hub::{ConnectState, Hub};
use crate::addr::PipeAddr;
use crate::clock::{Alarm, Clock, Deadline};
use crate::pipe::{Link, PipeEnd};
use crate::tape::Tape;

/// The connecting side of an in-memory listener: each
/// [`connect`](Self::connect) makes a new connection, returns its client end
/// and queues its server end for [`Listener::accept`](crate::Listener::accept),
/// like a `TcpStream::connect` to the listener's address.
///
/// It is `Clone` (every clone connects to the same listener); once every
/// clone is dropped and the queue is drained, the listener's `accept` fails
/// with `NotConnected` and its stream ends. See
/// [`listen`](crate::listen()) for every outcome with its `ErrorKind`.
///
/// # Examples
///
/// ```
/// let (listener, connector) = pipetap::listen();
/// let other = connector.clone();
/// let first = connector.connect_blocking()?;
/// let second = other.connect_blocking()?;
/// assert_eq!(first.peer_addr().unwrap().to_string(), "pipe#1");
/// assert_eq!(second.peer_addr().unwrap().to_string(), "pipe#2");
/// assert_eq!(listener.accept_blocking()?.peer_addr(), first.peer_addr());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Connector {
    hub: Arc<Hub>,
}

impl Connector {
    pub(super) fn new(hub: Arc<Hub>) -> Self {
        Connector { hub }
    }

    /// Connects: makes the next connection and returns its client end once
    /// its server end is queued for `accept`. Works on any executor; needs
    /// no runtime (its timeout too).
    ///
    /// The future owns a clone of the connector, so it is `'static`, `Send`
    /// and `Unpin`. Dropping it before it finishes makes no connection.
    ///
    /// # Errors
    ///
    /// - `TimedOut` if the backlog stays full (no `accept` takes a
    ///   connection) for the listener's connect timeout; the message names
    ///   the listener and its backlog.
    /// - `ConnectionRefused` if the listener is gone, or goes while this
    ///   connect waits for room.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use std::io::ErrorKind;
    ///
    /// let (listener, connector) = pipetap::listen();
    /// drop(listener);
    /// let err = futures::executor::block_on(connector.connect()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// # }
    /// ```
    pub fn connect(&self) -> Connect {
        Connect {
            connector: self.clone(),
            at: ConnectState::default(),
            timer: None,
            begun: false,
            delay_timer: None,
            delay_until: None,
        }
    }

    /// Connects, blocking the thread while the backlog is full; see
    /// [`connect`](Self::connect).
    ///
    /// # Errors
    ///
    /// `TimedOut` and `ConnectionRefused`, as for [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (listener, connector) = pipetap::listen();
    /// let mut client = connector.connect_blocking()?;
    /// let mut server = listener.accept_blocking()?;
    /// client.write_all(b"hello")?;
    /// let mut buf = [0; 5];
    /// server.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"hello");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_blocking(&self) -> io::Result<PipeEnd> {
        self.hub.connect_blocking()
    }

    /// The tapes of the recorded connections, in connect order; the same as
    /// [`Listener::tapes`](crate::Listener::tapes), and still there once the
    /// listener is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let (listener, connector) = pipetap::listen();
    /// let listener = listener.record_connections();
    /// connector.connect_blocking()?.write_all(b"one")?;
    /// connector.connect_blocking()?.write_all(b"two")?;
    /// drop(listener);
    /// let tapes = connector.tapes();
    /// tapes[0].assert_written(b"one");
    /// tapes[1].assert_written(b"two");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tapes(&self) -> Vec<Tape> {
        self.hub.tapes()
    }

    /// Writes the tape of every recorded connection into `dir`, one file
    /// per connection named after its label; the same as
    /// [`Listener::save_tapes`](crate::Listener::save_tapes), and still
    /// there once the listener is gone.
    ///
    /// # Errors
    ///
    /// As [`Listener::save_tapes`](crate::Listener::save_tapes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let (listener, connector) = pipetap::PipeBuilder::new().name("db:5432").listen();
    /// let listener = listener.record_connections();
    /// connector.connect_blocking()?.write_all(b"one")?;
    /// drop(listener);
    /// connector.save_tapes(dir.path())?;
    /// assert!(dir.path().join("db_5432-1.tape").exists());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_tapes(&self, dir: impl AsRef<std::path::Path>) -> io::Result<()> {
        self.hub.save_tapes(dir.as_ref())
    }

    /// Whether the listener is still alive (a [`Net`](crate::Net) frees the
    /// address of a dropped one).
    pub(crate) fn is_listening(&self) -> bool {
        self.hub.is_listening()
    }

    /// Records every connection made from now on, as
    /// [`Listener::record_connections`](crate::Listener::record_connections).
    pub(crate) fn record_connections(&self) {
        self.hub.record_connections();
    }

    /// A [`Link`] for each connection made so far, in connect order (the
    /// first is `NAME#1`), closed ones included: the live-fault knobs of
    /// connections whose ends the test does not hold, such as the one
    /// hyper-util's pool opened to an axum app.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (_listener, connector) = pipetap::listen();
    /// let _first = connector.connect_blocking()?;
    /// let _second = connector.connect_blocking()?;
    /// let links = connector.connections();
    /// assert_eq!(links[1].addr().to_string(), "pipe#2");
    /// links[1].server_to_client().set_latency(Some(Duration::from_millis(5)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connections(&self) -> Vec<Link> {
        self.hub.connections()
    }

    /// Connect fault: the next `n` connects (from any clone of this
    /// connector, on any door) fail at once with `ConnectionRefused`, as
    /// against a server that is not up yet. Replaces an earlier count;
    /// `0` refuses none.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let (_listener, connector) = pipetap::listen();
    /// connector.refuse_next(2)?;
    /// for _ in 0..2 {
    ///     let err = connector.connect_blocking().unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// }
    /// assert!(connector.connect_blocking().is_ok());     // the retry succeeds
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn refuse_next(&self, n: usize) -> io::Result<()> {
        self.hub.refuse_next(n);
        Ok(())
    }

    /// Connect fault: every later connect completes `d` after it is made
    /// (`None` or zero: at once). An async connect waits on the clock of the
    /// call: tokio's inside a tokio runtime (a paused clock costs no wall
    /// time), else the wall clock; `connect_blocking` sleeps its thread.
    /// The listener's connect timeout counts from the end of the delay.
    ///
    /// # Errors
    ///
    /// Never fails; the `Result` mirrors the other control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let (_listener, connector) = pipetap::listen();
    /// connector.set_connect_delay(Some(Duration::from_millis(10)))?;
    /// let start = Instant::now();
    /// let _conn = connector.connect_blocking()?;
    /// assert!(start.elapsed() >= Duration::from_millis(10));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_connect_delay(&self, d: Option<Duration>) -> io::Result<()> {
        self.hub.set_connect_delay(d);
        Ok(())
    }

    /// The address of the listener this connector connects to.
    ///
    /// # Examples
    ///
    /// ```
    /// let (listener, connector) = pipetap::listen();
    /// assert_eq!(connector.listener_addr(), listener.local_addr());
    /// ```
    pub fn listener_addr(&self) -> PipeAddr {
        PipeAddr::listener(self.hub.name().clone())
    }
}

impl Clone for Connector {
    fn clone(&self) -> Self {
        self.hub.add_connector();
        Connector {
            hub: self.hub.clone(),
        }
    }
}

impl Drop for Connector {
    /// The last connector gone (and the queue drained), `accept` fails with
    /// `NotConnected`.
    fn drop(&mut self) {
        self.hub.drop_connector();
    }
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.hub.debug(f, "Connector")
    }
}

/// The future of [`Connector::connect`]: the new connection's client end.
/// `'static`, `Send` and `Unpin`; dropping it before it finishes makes no
/// connection.
#[must_use = "futures do nothing unless polled"]
pub struct Connect {
    connector: Connector,
    at: ConnectState,
    /// The waker the deadline's clock was last asked to wake, and the
    /// wake-up (cancelled when dropped).
    timer: Option<(Waker, Alarm)>,
    /// The connect has started: it was not refused, and its delay is set.
    begun: bool,
    /// The connect delay ends then, on the clock of the call.
    delay_until: Option<Deadline>,
    /// The waker the delay's clock was last asked to wake, and the wake-up.
    delay_timer: Option<(Waker, Alarm)>,
}

impl Connect {
    /// The connect's start: `refuse_next`, then `set_connect_delay`.
    fn poll_begin(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.begun {
            let delay = self.connector.hub.begin_connect()?;
            self.begun = true;
            // Timed on the clock of the call: tokio's inside a paused
            // runtime, where the delay costs no wall time.
            self.delay_until = delay.and_then(|d| Clock::current().after(d));
        }
        if let Some(until) = self.delay_until {
            let clock = until.clock();
            if !clock.reached(&until) {
                let armed = self.delay_timer.as_ref();
                if !armed.is_some_and(|(w, _)| w.will_wake(cx.waker())) {
                    let alarm = clock.wake_at(&until, cx.waker().clone());
                    self.delay_timer = Some((cx.waker().clone(), alarm));
                }
                return Poll::Pending;
            }
            self.delay_until = None;
            self.delay_timer = None;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_connect(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<PipeEnd>> {
        if let Err(e) = std::task::ready!(self.poll_begin(cx)) {
            return Poll::Ready(Err(e));
        }
        let hub = &self.connector.hub;
        match hub.try_connect(&mut self.at, Some(cx.waker())) {
            Some(result) => Poll::Ready(result),
            None => {
                // Waiting for room: the timer wakes the task at the deadline,
                // without any runtime.
                let armed = self.timer.as_ref();
                if !armed.is_some_and(|(w, _)| w.will_wake(cx.waker())) {
                    if let Some(deadline) = &self.at.deadline {
                        let alarm = deadline.clock().wake_at(deadline, cx.waker().clone());
                        self.timer = Some((cx.waker().clone(), alarm));
                    }
                }
                Poll::Pending
            }
        }
    }
}

impl Future for Connect {
    type Output = io::Result<PipeEnd>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_connect(cx)
    }
}

impl Drop for Connect {
    fn drop(&mut self) {
        self.connector.hub.forget_connect(&mut self.at);
    }
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("listener", &self.connector.hub.name())
            .field("waiting", &self.at.slot.is_some())
            .finish()
    }
}
