//! The tape's assertions ([`Tape::assert_written`], [`Tape::assert_read`],
//! [`Tape::assert_writes`] and their `try_` twins) and the [`Mismatch`] they
//! report. The messages themselves are built in [`super::diff`].

use std::fmt;

use super::{diff, framing, Tape};

/// The error returned by the `try_assert_*` methods of [`Tape`] when the
/// recorded bytes differ from the expected ones.
///
/// Its `Display` (and, so that `.unwrap()` prints something readable, its
/// `Debug`) is the full multi-line message the panicking assertions print:
/// both lengths, the offset of the first difference and the write (or read)
/// that holds it, then an aligned diff: every region where the sides differ
/// (insertions and deletions found as such, so what follows them is not
/// reported as different), up to 8 and then "N more regions", with a hex +
/// ASCII view that marks the differing bytes (both sides whole when each is
/// at most 256 bytes, else a window around each region), and both sides as
/// escaped text (`\0`, `\r`, `\n`, `\xNN`), cut around the first difference
/// when long.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use pipetap::RecordExt;
///
/// # fn main() -> std::io::Result<()> {
/// let (mut conn, tape) = Vec::new().record();
/// conn.write_all(b"HELLO\r\n")?;
/// let err = tape.try_assert_written(b"HELLO\n").unwrap_err();
/// let message = err.to_string();
/// assert!(message.contains("first difference at offset 5"));
/// assert!(message.contains("write #0"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Mismatch {
    message: String,
}

impl Mismatch {
    pub(super) fn new(message: String) -> Self {
        Mismatch { message }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message is multi-line; an escaped string would hide its layout.
        write!(f, "Mismatch:\n{}", self.message)
    }
}

impl std::error::Error for Mismatch {}

impl Tape {
    /// Asserts that the written bytes are exactly `expected`.
    ///
    /// # Panics
    ///
    /// Panics if they differ, with a message giving both lengths, the offset
    /// of the first differing byte, the write that holds it and the offset
    /// within that write, every differing region of an aligned diff with a
    /// hex + ASCII view of it, and both sides as escaped text (see
    /// [`Mismatch`]). The panic points at the
    /// caller. [`try_assert_written`](Tape::try_assert_written) returns the
    /// message instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"HELLO\r\n")?;
    /// tape.assert_written(b"HELLO\r\n");
    /// tape.assert_written("HELLO\r\n");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_written(&self, expected: impl AsRef<[u8]>) {
        if let Err(mismatch) = self.try_assert_written(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the written bytes are exactly `expected`.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] describing the differences (see
    /// [`assert_written`](Tape::assert_written)) if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"HELLO")?;
    /// assert!(tape.try_assert_written(b"HELLO").is_ok());
    /// assert!(tape.try_assert_written(b"HELL").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_assert_written(&self, expected: impl AsRef<[u8]>) -> Result<(), Mismatch> {
        let expected = expected.as_ref();
        let state = self.lock();
        if state.written.bytes == expected {
            return Ok(());
        }
        let (actual, ends) = (state.written.bytes.clone(), state.written.ends.clone());
        drop(state);
        match diff::stream_mismatch("written", "write", expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }

    /// Asserts that the read bytes are exactly `expected` (reads are recorded
    /// only after [`record_reads`](crate::Recording::record_reads)).
    ///
    /// # Panics
    ///
    /// Panics if they differ, with a message like that of
    /// [`assert_written`](Tape::assert_written), naming the read that holds
    /// the first differing byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use pipetap::Recording;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut conn = Recording::new(&b"+OK\r\n"[..]).record_reads();
    /// let mut reply = Vec::new();
    /// conn.read_to_end(&mut reply)?;
    /// conn.tape().assert_read(b"+OK\r\n");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_read(&self, expected: impl AsRef<[u8]>) {
        if let Err(mismatch) = self.try_assert_read(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the read bytes are exactly `expected`.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] describing the differences if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// let tape = pipetap::Tape::new();
    /// assert!(tape.try_assert_read(b"").is_ok());
    /// assert!(tape.try_assert_read(b"x").is_err());
    /// ```
    pub fn try_assert_read(&self, expected: impl AsRef<[u8]>) -> Result<(), Mismatch> {
        let expected = expected.as_ref();
        let state = self.lock();
        if state.read.bytes == expected {
            return Ok(());
        }
        let (actual, ends) = (state.read.bytes.clone(), state.read.ends.clone());
        drop(state);
        match diff::stream_mismatch("read", "read", expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }

    /// Asserts that the writes are exactly `expected`, write by write: the
    /// same bytes *and* the same boundaries.
    ///
    /// `expected` is anything iterable over byte strings: `["a", "bc"]`,
    /// `&[b"ab", b"cd"]`, `&[&b"GET"[..], b"\r\n"]`, a `Vec<Vec<u8>>`, ...
    ///
    /// # Panics
    ///
    /// Panics if they differ, saying how many writes each side has, which
    /// write differs first and where within it (with the aligned diff of
    /// that write),
    /// whether the bytes are equal and only the boundaries differ, and a list
    /// of the writes on both sides.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"GET")?;
    /// conn.write_all(b"\r\n")?;
    /// tape.assert_writes(["GET", "\r\n"]);
    /// tape.assert_writes(&[&b"GET"[..], b"\r\n"]);
    /// tape.assert_writes(vec![b"GET".to_vec(), b"\r\n".to_vec()]);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_writes<I, B>(&self, expected: I)
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        if let Err(mismatch) = self.try_assert_writes(expected) {
            panic!("{mismatch}");
        }
    }

    /// Checks that the writes are exactly `expected`, write by write.
    ///
    /// # Errors
    ///
    /// Returns a [`Mismatch`] naming the first differing write (or the count
    /// mismatch) if they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use pipetap::RecordExt;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (mut conn, tape) = Vec::new().record();
    /// conn.write_all(b"GET\r\n")?;
    /// let err = tape.try_assert_writes(["GET", "\r\n"]).unwrap_err();
    /// assert!(err.to_string().contains("only the write boundaries differ"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_assert_writes<I, B>(&self, expected: I) -> Result<(), Mismatch>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        // Run the caller's iterator and `as_ref` before taking the lock.
        let owned: Vec<B> = expected.into_iter().collect();
        let expected: Vec<&[u8]> = owned.iter().map(AsRef::as_ref).collect();
        let state = self.lock();
        let (actual, ends) = (state.written.bytes.clone(), state.written.ends.clone());
        drop(state);
        match framing::chunks_mismatch("write", &expected, &actual, &ends) {
            Some(message) => Err(Mismatch::new(message)),
            None => Ok(()),
        }
    }
}
