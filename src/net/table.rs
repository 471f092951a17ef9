//! [`Table`]: what every clone of a [`Net`](super::Net) shares, and every
//! rule of the network: who listens where, which addresses are down or
//! held, the connections made (to reach them by address), and the tapes.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, ErrorKind};
use std::sync::Arc;

use super::host::normalize;
use crate::listen::{Connector, Listener};
use crate::pipe::{Link, PipeBuilder, PipeEnd};
use crate::sync::{lock, Mutex};
use crate::tape::Tape;

/// The network's state, behind one lock. No user code runs under it (the
/// knobs it turns on connections wake tasks and threads, nothing more).
pub(super) struct Table {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Whether listeners record their connections.
    record: bool,
    /// The listeners, by address (the address of one that was dropped stays
    /// until something looks it up, and counts as free).
    hosts: BTreeMap<Arc<str>, Host>,
    /// Every connection, with the id of the listener it went to, in the
    /// order the connects finished.
    links: Vec<(u64, Link)>,
    /// Every recorded connection's tape, in the same order, with its
    /// connection's name and number (`db:5432`, 2).
    tapes: Vec<(Arc<str>, u64, Tape)>,
    /// Bumped by every `listen` and `down`: a connect that finishes under
    /// another generation than it started in was overtaken by them.
    generation: u64,
}

/// One address's listener, as the net sees it.
struct Host {
    /// The map's key, shared with every connect's route.
    addr: Arc<str>,
    /// Tells this listener's connections from those of an earlier one at
    /// the same address (the generation of its `listen`).
    id: u64,
    /// Keeps the listener's `accept` waiting while the net lives.
    connector: Arc<Connector>,
    up: bool,
    /// `hold`: every connection holds both ways, new ones from the start.
    held: bool,
    generation: u64,
    /// Connections made so far.
    made: u64,
}

impl Host {
    fn is_listening(&self) -> bool {
        self.connector.is_listening()
    }
}

/// A connect's way to a listener, found when it starts.
pub(super) struct Route {
    pub(super) connector: Arc<Connector>,
    pub(super) addr: Arc<str>,
    generation: u64,
}

impl State {
    /// Puts a new host at `addr`, served by `connector`, in a generation of
    /// its own (so connects that started before it are told apart).
    fn place(&mut self, addr: Arc<str>, connector: Connector) {
        self.generation += 1;
        let host = Host {
            addr: addr.clone(),
            id: self.generation,
            connector: Arc::new(connector),
            up: true,
            held: false,
            generation: self.generation,
            made: 0,
        };
        self.hosts.insert(addr, host);
    }
}

impl Table {
    pub(super) fn new() -> Self {
        Table {
            state: Mutex::new(State::default()),
        }
    }

    pub(super) fn record_connections(&self) {
        let mut state = lock(&self.state);
        state.record = true;
        for host in state.hosts.values() {
            host.connector.record_connections();
        }
    }

    pub(super) fn tapes(&self) -> Vec<Tape> {
        lock(&self.state)
            .tapes
            .iter()
            .map(|(_, _, tape)| tape.clone())
            .collect()
    }

    /// Whether connections are recorded, and the recorded tapes with their
    /// connections' names and numbers.
    pub(super) fn labelled_tapes(&self) -> (bool, Vec<(Arc<str>, u64, Tape)>) {
        let state = lock(&self.state);
        (state.record, state.tapes.clone())
    }

    /// Puts `connector` (a scripted one) at `addr`, as a listener there
    /// would be.
    ///
    /// # Errors
    ///
    /// As [`listen`](Self::listen): `AddrInUse`, `InvalidInput`.
    pub(super) fn serve(&self, addr: &str, connector: Connector) -> io::Result<()> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        if state.hosts.get(&*addr).is_some_and(Host::is_listening) {
            return Err(io::Error::new(
                ErrorKind::AddrInUse,
                format!("pipetap net: cannot serve {addr:?}: the address is in use"),
            ));
        }
        let addr: Arc<str> = addr.into();
        state.place(addr, connector);
        Ok(())
    }

    pub(super) fn connections(&self) -> Vec<Link> {
        let state = lock(&self.state);
        state.links.iter().map(|(_, link)| link.clone()).collect()
    }

    /// A listener on `addr`, its connections built by `builder`, named after
    /// the address unless the builder has a name.
    #[track_caller]
    pub(super) fn listen(&self, addr: &str, builder: PipeBuilder) -> io::Result<Listener> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        if let Some(host) = state.hosts.get(&*addr) {
            if host.is_listening() {
                return Err(io::Error::new(
                    ErrorKind::AddrInUse,
                    format!(
                        "pipetap net: cannot listen on {addr:?}: the address is in use \
                         (a Listener is there; dropping it frees the address)"
                    ),
                ));
            }
        }
        let addr: Arc<str> = addr.into();
        let (listener, connector) = builder.listen_named_or(&addr);
        let listener = if state.record {
            listener.record_connections()
        } else {
            listener
        };
        state.place(addr, connector);
        Ok(listener)
    }

    /// The way to `addr`'s listener, or why a connect there is refused.
    pub(super) fn route(&self, addr: &str) -> io::Result<Route> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        let host = state.listening(&addr, "connect")?;
        if !host.up {
            return Err(io::Error::new(
                ErrorKind::ConnectionRefused,
                format!(
                    "pipetap net: connection to {addr:?} refused: the address is down (Net::down)"
                ),
            ));
        }
        Ok(Route {
            connector: host.connector.clone(),
            addr: host.addr.clone(),
            generation: host.generation,
        })
    }

    /// A connect along `route` made `client`: the net keeps its link (held
    /// if the address is) and its tape. If the address went down (or its
    /// listener was replaced) meanwhile, the connection is reset and the
    /// connect refused.
    pub(super) fn connected(&self, route: &Route, client: PipeEnd) -> io::Result<PipeEnd> {
        let link = client.link().expect("a listener's connection has a link");
        let mut state = lock(&self.state);
        let State {
            hosts,
            links,
            tapes,
            ..
        } = &mut *state;
        let host = hosts
            .get_mut(&route.addr)
            .filter(|host| host.generation == route.generation && host.up);
        let Some(host) = host else {
            drop(state);
            link.reset();
            return Err(io::Error::new(
                ErrorKind::ConnectionRefused,
                format!(
                    "pipetap net: connection to {:?} refused: the address went down while \
                     the connect was made",
                    route.addr
                ),
            ));
        };
        if host.held {
            // Bytes the server wrote before this are held too: the client
            // has read none yet.
            link.hold()?;
        }
        host.made += 1;
        links.push((host.id, link));
        if let Some(tape) = client.tape() {
            let (name, n) = match client.peer_addr() {
                Some(addr) => (
                    Arc::from(addr.name()),
                    addr.connection().unwrap_or(host.made),
                ),
                None => (host.addr.clone(), host.made),
            };
            tapes.push((name, n, tape));
        }
        Ok(client)
    }

    /// `down(addr)`: connects are refused, and every live connection is
    /// reset.
    pub(super) fn down(&self, addr: &str) -> io::Result<()> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        state.generation += 1;
        let generation = state.generation;
        let host = state.listening(&addr, "down")?;
        host.up = false;
        host.generation = generation;
        let id = host.id;
        state.each_link(id, |link| {
            link.reset();
            Ok(())
        })
    }

    /// `up(addr)`: connects are accepted again.
    pub(super) fn up(&self, addr: &str) -> io::Result<()> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        state.listening(&addr, "up")?.up = true;
        Ok(())
    }

    /// `hold(addr)` (`on`) or `release(addr)`: every connection to it, and
    /// every later one until released, holds both ways.
    pub(super) fn hold(&self, addr: &str, on: bool) -> io::Result<()> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        let host = state.listening(&addr, if on { "hold" } else { "release" })?;
        host.held = on;
        let id = host.id;
        state.each_link(id, |link| if on { link.hold() } else { link.release() })
    }

    /// `refuse_next(addr, n)`: the next `n` connects to it are refused.
    pub(super) fn refuse_next(&self, addr: &str, n: usize) -> io::Result<()> {
        let addr = normalize(addr)?;
        let mut state = lock(&self.state);
        state
            .listening(&addr, "refuse_next")?
            .connector
            .refuse_next(n)
    }

    pub(super) fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Hosts<'a>(&'a BTreeMap<Arc<str>, Host>);
        impl fmt::Debug for Hosts<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (addr, host) in self.0.iter().filter(|(_, host)| host.is_listening()) {
                    let up = if host.up { "up" } else { "down" };
                    let held = if host.held { ", held" } else { "" };
                    let s = if host.made == 1 { "" } else { "s" };
                    map.entry(
                        addr,
                        &format_args!("{up}{held}, {} connection{s}", host.made),
                    );
                }
                map.finish()
            }
        }
        let state = lock(&self.state);
        let mut d = f.debug_struct("Net");
        d.field("addresses", &Hosts(&state.hosts));
        if state.record {
            d.field("tapes", &state.tapes.len());
        }
        d.finish()
    }
}

impl State {
    /// The live listener on `addr`, or the error of a `call` to an address
    /// where nothing listens: `ConnectionRefused` for a connect, `NotFound`
    /// for a control call, naming the addresses that exist.
    fn listening(&mut self, addr: &str, call: &str) -> io::Result<&mut Host> {
        if self.hosts.get(addr).is_some_and(Host::is_listening) {
            return Ok(self.hosts.get_mut(addr).expect("just found"));
        }
        // A dropped listener frees its address.
        self.hosts.retain(|_, host| host.is_listening());
        let known: Vec<String> = self.hosts.keys().map(|a| format!("{a:?}")).collect();
        let known = if known.is_empty() {
            "nothing listens on this net".to_owned()
        } else {
            format!("listening: {}", known.join(", "))
        };
        let (kind, what) = if call == "connect" {
            (
                ErrorKind::ConnectionRefused,
                "connection refused".to_owned(),
            )
        } else {
            (ErrorKind::NotFound, format!("{call} failed"))
        };
        Err(io::Error::new(
            kind,
            format!("pipetap net: {what}: nothing listens on {addr:?} ({known})"),
        ))
    }

    /// Runs `f` on the link of every open connection made to listener `id`.
    fn each_link(&self, id: u64, f: impl Fn(&Link) -> io::Result<()>) -> io::Result<()> {
        for (_, link) in self.links.iter().filter(|(to, _)| *to == id) {
            if !link.is_closed() {
                f(link)?;
            }
        }
        Ok(())
    }
}
