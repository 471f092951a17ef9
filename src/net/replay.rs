//! A net's tapes in a folder: [`Net::save_tapes`] writes one file per
//! recorded connection, and [`Net::replay_dir`] serves every address from
//! its own files.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::path::Path;
use std::sync::Arc;

use super::host::normalize;
use super::Net;
use crate::listen::tape_dir;
use crate::listen::ScriptedPeers;
use crate::pipe::PipeBuilder;
use crate::tape::Tape;

impl Net {
    /// Writes the tape of every recorded connection (see
    /// [`record_connections`](Self::record_connections)) into `dir`, one
    /// file per connection named after its label: `db:5432#2` is
    /// `db_5432-2.tape` (every character other than an ASCII letter, digit,
    /// `.`, `-` or `_` becomes `_`). The folder is created if missing; each
    /// name's other numbered files (left by an earlier recording) are
    /// removed, and other files are left alone. [`Net::replay_dir`] replays
    /// the folder.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the net does not record its connections; the error
    /// of creating the folder, or of writing or removing a file, naming it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let net = pipetap::Net::new().record_connections();
    /// let _db = net.listen("db:5432")?;
    /// let _api = net.listen("api:80")?;
    /// net.connect_blocking("db:5432")?.write_all(b"SELECT 1")?;
    /// net.connect_blocking("db:5432")?.write_all(b"SELECT 2")?;
    /// net.connect_blocking("api:80")?.write_all(b"GET /")?;
    /// net.save_tapes(dir.path())?;
    /// for file in ["db_5432-1.tape", "db_5432-2.tape", "api_80-1.tape"] {
    ///     assert!(dir.path().join(file).exists());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save_tapes(&self, dir: impl AsRef<Path>) -> io::Result<()> {
        let (record, tapes) = self.table.labelled_tapes();
        if !record {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "pipetap net: save_tapes: its connections are not recorded (call \
                 Net::record_connections before connecting)",
            ));
        }
        let mut by_name: BTreeMap<Arc<str>, Vec<(u64, Tape)>> = BTreeMap::new();
        for (name, n, tape) in tapes {
            by_name.entry(name).or_default().push((n, tape));
        }
        for (name, mut tapes) in by_name {
            tapes.sort_by_key(|(n, _)| *n);
            tape_dir::save(dir.as_ref(), &name, &tapes)?;
        }
        Ok(())
    }

    /// A net that replays a folder written by
    /// [`save_tapes`](Self::save_tapes), with no listener at all: each
    /// address is served from its own files, the N-th connection to it by
    /// its N-th file in numeric order (`db_5432-2.tape` before
    /// `db_5432-10.tape`), as [`Connector::replay_dir`](crate::Connector::replay_dir)
    /// does for one listener. `db_5432-N.tape` serves `db:5432`.
    ///
    /// The net routes as any net does (with the `hyper` feature, by a URI's
    /// host and port), and the one [`ScriptedPeers`] checks every address's
    /// scripts. A connect to an address with no files fails with
    /// `ConnectionRefused`, naming the addresses there are; a connect beyond
    /// an address's last file fails too, naming the connection and saying no
    /// script is left. Concurrent connects to one address have no recorded
    /// order: make a replay's requests to an address one after another.
    ///
    /// # Errors
    ///
    /// - The folder's or a file's `io::Error`, naming the path;
    ///   `InvalidData` for a malformed file, with its line number.
    /// - `NotFound` if the folder holds no `NAME-N.tape` file.
    /// - `InvalidInput` if a file's name is not an address (`api-1.tape`,
    ///   from a listener given a name of its own: replay it with
    ///   `Connector::replay_dir`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let dir = tempfile::tempdir()?;
    /// // Record...
    /// let net = pipetap::Net::new().record_connections();
    /// let db = net.listen("db:5432")?;
    /// let mut client = net.connect_blocking("db:5432")?;
    /// client.write_all(b"SELECT 1\n")?;
    /// let mut server = db.accept_blocking()?;
    /// server.read_exact(&mut [0; 9])?;
    /// server.write_all(b"1\n")?;
    /// client.read_exact(&mut [0; 2])?;
    /// net.save_tapes(dir.path())?;
    ///
    /// // ...and replay with no database.
    /// let (net, peers) = pipetap::Net::replay_dir(dir.path())?;
    /// let mut client = net.connect_blocking("db:5432")?;
    /// client.write_all(b"SELECT 1\n")?;
    /// let mut reply = [0; 2];
    /// client.read_exact(&mut reply)?;
    /// assert_eq!(&reply, b"1\n");
    /// peers.finish();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn replay_dir(dir: impl AsRef<Path>) -> io::Result<(Net, ScriptedPeers)> {
        let dir = dir.as_ref();
        let by_stem = tape_dir::list(dir)?;
        if by_stem.is_empty() {
            return Err(io::Error::new(
                ErrorKind::NotFound,
                format!(
                    "pipetap: tape folder {} holds no connection tape file (ADDR-N.tape, as \
                     save_tapes writes them)",
                    dir.display()
                ),
            ));
        }
        let net = Net::new();
        let mut addrs = Vec::new();
        let mut all = Vec::new();
        for (stem, files) in by_stem {
            let addr = tape_dir::name_of_stem(&stem);
            let addr = match normalize(&addr) {
                Ok(addr) => addr.into_owned(),
                Err(_) => {
                    return Err(io::Error::new(
                        ErrorKind::InvalidInput,
                        format!(
                            "pipetap net: tape folder {}: {stem}-N.tape is not named after an \
                             address (host:port, saved as host_port-N.tape); a listener with a \
                             name of its own replays with Connector::replay_dir",
                            dir.display()
                        ),
                    ))
                }
            };
            let scripts = tape_dir::scripts(&files)?;
            let (connector, peers) = PipeBuilder::new().name(addr.clone()).scripted(scripts);
            net.table.serve(&addr, connector)?;
            addrs.push(format!("{addr:?}"));
            all.push(peers);
        }
        let what = format!("scripted net ({})", addrs.join(", "));
        Ok((net, ScriptedPeers::merge(what, all)))
    }
}
