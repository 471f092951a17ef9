//! Reading the record back: the written bytes ([`Tape::bytes`],
//! [`Tape::len`], [`Tape::is_empty`], [`Tape::writes`],
//! [`Tape::to_string_lossy`]), their read-side twins ([`Tape::read_bytes`],
//! ...), both in order ([`Tape::events`]), and clearing ([`Tape::clear`],
//! [`Tape::take`], [`Tape::take_reads`], [`Tape::take_events`]).

use bytes::Bytes;

use super::{Event, Tape};

impl Tape {
    /// All written bytes, in order. Reads are not included: see
    /// [`read_bytes`](Tape::read_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"ab")?;
    /// conn.write_all(b"cd")?;
    /// assert_eq!(tape.bytes(), "abcd");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn bytes(&self) -> Bytes {
        Bytes::copy_from_slice(&self.lock().written.bytes)
    }

    /// All read bytes, in order (empty unless reads are recorded, see
    /// [`Recording::record_reads`](crate::Recording::record_reads)). The
    /// read-side twin of [`bytes`](Tape::bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"hello"[..]).record_reads();
    /// let mut text = String::new();
    /// conn.read_to_string(&mut text)?;
    /// assert_eq!(conn.tape().read_bytes(), "hello");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn read_bytes(&self) -> Bytes {
        Bytes::copy_from_slice(&self.lock().read.bytes)
    }

    /// The number of written bytes. Reads do not count: see
    /// [`read_len`](Tape::read_len).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"abc")?;
    /// assert_eq!(tape.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().written.bytes.len()
    }

    /// The number of read bytes (0 unless reads are recorded). The read-side
    /// twin of [`len`](Tape::len).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(std::io::Cursor::new(b"reply".to_vec())).record_reads();
    /// let mut reply = [0; 5];
    /// conn.read_exact(&mut reply)?;
    /// conn.write_all(b"ask")?; // a `Cursor` reads and writes
    /// assert_eq!(conn.tape().read_len(), 5);
    /// assert_eq!(conn.tape().len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn read_len(&self) -> usize {
        self.lock().read.bytes.len()
    }

    /// Whether no byte has been written. Reads do not count, so this is true
    /// on a tape that holds only reads: see
    /// [`read_is_empty`](Tape::read_is_empty), or
    /// [`events`](Tape::events) for both.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// assert!(tape.is_empty());
    /// conn.write_all(b"x")?;
    /// assert!(!tape.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().written.bytes.is_empty()
    }

    /// Whether no byte has been read (always true unless reads are
    /// recorded). The read-side twin of [`is_empty`](Tape::is_empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"x"[..]).record_reads();
    /// assert!(conn.tape().read_is_empty());
    /// conn.read_exact(&mut [0; 1])?;
    /// assert!(!conn.tape().read_is_empty());
    /// assert!(conn.tape().is_empty()); // nothing written
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn read_is_empty(&self) -> bool {
        self.lock().read.bytes.is_empty()
    }

    /// The written bytes, one `Bytes` per accepted write, so framing can be
    /// checked. A write the connection accepted only in part appears with
    /// just the accepted bytes; writes that accepted nothing do not appear.
    /// Reads are not included: see [`reads`](Tape::reads).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"len=5;")?;
    /// conn.write_all(b"hello")?;
    /// assert_eq!(tape.writes(), ["len=5;", "hello"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn writes(&self) -> Vec<Bytes> {
        self.lock().written.split()
    }

    /// The read bytes, one `Bytes` per recorded read (empty unless reads are
    /// recorded). Through `BufRead`/`AsyncBufRead`, one `consume` is one read.
    /// The read-side twin of [`writes`](Tape::writes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::BufRead;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"one\ntwo\n"[..]).record_reads();
    /// let mut line = String::new();
    /// conn.read_line(&mut line)?;
    /// assert_eq!(conn.tape().reads(), ["one\n"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn reads(&self) -> Vec<Bytes> {
        self.lock().read.split()
    }

    /// Every recorded write and read, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    /// use pipetap::{Event, Recording};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (conn, mut server) = UnixStream::pair()?;
    /// let mut conn = Recording::new(conn).record_reads();
    /// conn.write_all(b"PING\r\n")?;
    /// server.write_all(b"+OK\r\n")?;
    /// let mut reply = [0; 5];
    /// conn.read_exact(&mut reply)?;
    /// assert_eq!(
    ///     conn.tape().events(),
    ///     [Event::Write("PING\r\n".into()), Event::Read("+OK\r\n".into())]
    /// );
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn events(&self) -> Vec<Event> {
        self.lock().events()
    }

    /// The written bytes as text, with invalid UTF-8 replaced by `U+FFFD`.
    /// Reads are not included.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"caf\xc3\xa9 \xff")?;
    /// assert_eq!(tape.to_string_lossy(), "café \u{fffd}");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.lock().written.bytes).into_owned()
    }

    /// Forgets everything recorded so far (writes, reads and their order),
    /// keeping the allocated capacity for what comes next.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"handshake")?;
    /// tape.clear();
    /// conn.write_all(b"request")?;
    /// tape.assert_written(b"request");
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear(&self) {
        self.lock().reset();
    }

    /// Returns the written bytes and clears the *whole* tape, as
    /// [`clear`](Tape::clear) does, in one step (no write can slip in
    /// between).
    ///
    /// The recorded reads are cleared too, and not returned: to keep them,
    /// use [`take_events`](Tape::take_events), which returns both directions
    /// in order. [`take_reads`](Tape::take_reads) is the read-side twin.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"first")?;
    /// assert_eq!(tape.take(), "first");
    /// conn.write_all(b"second")?;
    /// assert_eq!(tape.take(), "second");
    /// assert!(tape.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "take returns the written bytes; to drop them, call `clear`"]
    pub fn take(&self) -> Bytes {
        let mut state = self.lock();
        let bytes = Bytes::copy_from_slice(&state.written.bytes);
        state.reset();
        bytes
    }

    /// Returns the read bytes and clears the *whole* tape, writes included,
    /// in one step. The read-side twin of [`take`](Tape::take); to keep both
    /// directions, use [`take_events`](Tape::take_events).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(std::io::Cursor::new(b"+OK".to_vec())).record_reads();
    /// let mut reply = [0; 3];
    /// conn.read_exact(&mut reply)?;
    /// conn.write_all(b"QUIT")?;
    /// let tape = conn.tape();
    /// assert_eq!(tape.take_reads(), "+OK");
    /// assert!(tape.read_is_empty());
    /// assert!(tape.is_empty()); // the write is gone as well
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "take_reads returns the read bytes; to drop them, call `clear`"]
    pub fn take_reads(&self) -> Bytes {
        let mut state = self.lock();
        let bytes = Bytes::copy_from_slice(&state.read.bytes);
        state.reset();
        bytes
    }

    /// Returns every recorded write and read, in order (as
    /// [`events`](Tape::events) does), and clears the whole tape, in one
    /// step: nothing recorded is lost, and nothing slips in between.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{Event, Recording};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(std::io::Cursor::new(b"hi".to_vec())).record_reads();
    /// let mut greeting = [0; 2];
    /// conn.read_exact(&mut greeting)?;
    /// conn.write_all(b"hello")?;
    /// let tape = conn.tape();
    /// assert_eq!(
    ///     tape.take_events(),
    ///     [Event::Read("hi".into()), Event::Write("hello".into())]
    /// );
    /// assert!(tape.events().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "take_events returns what was recorded; to drop it, call `clear`"]
    pub fn take_events(&self) -> Vec<Event> {
        let mut state = self.lock();
        let events = state.events();
        state.reset();
        events
    }
}
