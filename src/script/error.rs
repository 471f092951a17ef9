//! [`ScriptError`]: why a script failed, in words a test author can act on.

use std::fmt;

use super::step::Step;

/// What went wrong with a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptErrorKind {
    /// The code under test wrote a byte that differs from a `write` step.
    Mismatch,
    /// The code under test wrote bytes after the last step that takes
    /// writes.
    Unexpected,
    /// A step can no longer be met: the code under test closed its side of
    /// the connection while a step still needed it.
    Unmet,
    /// A step did not complete within the finish bound.
    Stalled,
}

/// Why a script failed: from [`ScriptPeer::try_finish`](crate::ScriptPeer::try_finish)
/// and its twins, and in the panic of [`ScriptPeer::finish`](crate::ScriptPeer::finish).
///
/// Its message names the script, the step (counted from 1, "step 2 of 5")
/// and its kind, and, for written bytes, the offset of the first differing
/// byte within the step and within everything written, with the hex + ASCII
/// diff of the tape assertions.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::time::Duration;
/// use pipetap::{Script, ScriptErrorKind};
///
/// let (mut conn, peer) = Script::new().name("fake-smtp").write(b"EHLO me\r\n").build();
/// conn.write_all(b"HELO me\r\n")?;           // the wrong greeting
/// let err = peer.try_finish_within(Duration::from_secs(5)).unwrap_err();
/// assert_eq!(err.kind(), ScriptErrorKind::Mismatch);
/// assert_eq!(err.step(), Some(1));
/// let message = err.to_string();
/// assert!(message.starts_with(r#"script "fake-smtp" failed at step 1 of 1 (write "EHLO me\r\n" (9 bytes))"#));
/// assert!(message.contains("offset 0 within the step, offset 0 of all bytes written"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct ScriptError(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ScriptErrorKind,
    name: Option<String>,
    /// 0-based; `None` past the last step.
    step: Option<usize>,
    steps: usize,
    step_text: String,
    /// The step's kind (`write`), for the one-line summary.
    step_kind: &'static str,
    headline: String,
    /// Where and what, in one line, for the summary: the offset and short
    /// excerpts of what was expected and what came.
    excerpt: String,
    detail: String,
}

/// Bytes of expected and written data in the one-line summary.
pub(crate) const EXCERPT: usize = 60;

impl ScriptError {
    /// An error at step `step` (0-based) of `steps`.
    pub(crate) fn new(
        kind: ScriptErrorKind,
        name: Option<&str>,
        steps: &[Step],
        step: Option<usize>,
        headline: String,
        detail: String,
    ) -> Self {
        ScriptError(Box::new(Inner {
            kind,
            name: name.map(str::to_owned),
            step,
            steps: steps.len(),
            step_text: step
                .and_then(|i| steps.get(i))
                .map(ToString::to_string)
                .unwrap_or_default(),
            step_kind: step.and_then(|i| steps.get(i)).map_or("", Step::kind),
            headline,
            excerpt: String::new(),
            detail,
        }))
    }

    /// Adds where and what to the one-line summary (`at offset 4 of the
    /// step ...: expected "..", got ".."`).
    pub(crate) fn with_excerpt(mut self, excerpt: String) -> Self {
        self.0.excerpt = excerpt;
        self
    }

    /// The verdict in one line, as the code under test sees it in the
    /// errors of its connection: the script, the step and its kind, the
    /// offset and short excerpts of what was expected and what came.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use pipetap::Script;
    ///
    /// let (mut conn, peer) = Script::new().name("fake-smtp").write(b"EHLO me\r\n").build();
    /// conn.write_all(b"HELO me\r\n")?;
    /// let err = peer.try_finish_within(Duration::from_secs(5)).unwrap_err();
    /// assert_eq!(
    ///     err.summary(),
    ///     r#"script "fake-smtp" failed at step 1 of 1 (write): the code under test wrote a byte that differs from the step, at offset 0 of the step (0 of all bytes written): expected "EHLO me\r\n", got "HELO me\r\n"; ScriptPeer::finish shows the full diff"#
    /// );
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn summary(&self) -> String {
        use fmt::Write as _;
        let this = &self.0;
        let mut out = match &this.name {
            Some(name) => format!("script {name:?}"),
            None => "script".to_owned(),
        };
        let verb = if this.kind == ScriptErrorKind::Stalled {
            "stalled"
        } else {
            "failed"
        };
        let _ = match this.step {
            Some(i) => write!(
                out,
                " {verb} at step {} of {} ({}): {}",
                i + 1,
                this.steps,
                this.step_kind,
                this.headline
            ),
            None => write!(
                out,
                " {verb} after its last step (of {}): {}",
                this.steps, this.headline
            ),
        };
        if !this.excerpt.is_empty() {
            let _ = write!(out, ", {}", this.excerpt);
        }
        out.push_str("; ScriptPeer::finish shows the full diff");
        out
    }

    /// The script's error behind an io::Error of the connection it failed
    /// (the error the code under test gets after the script failed), if
    /// there is one: the error's inner error itself or that error's
    /// `source()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use pipetap::{Script, ScriptError, ScriptErrorKind};
    ///
    /// let (mut conn, peer) = Script::new().name("fake-smtp").write(b"EHLO me\r\n").build();
    /// conn.write_all(b"HELO me\r\n")?;
    /// let err = conn.read(&mut [0; 16]).unwrap_err();  // the script reset the connection
    /// let script = ScriptError::from_io_error(&err).expect("the script's error");
    /// assert_eq!(script.kind(), ScriptErrorKind::Mismatch);
    /// assert_eq!(script.step(), Some(1));
    /// # drop(peer.try_finish());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_io_error(error: &std::io::Error) -> Option<&ScriptError> {
        let inner = error.get_ref()?;
        if let Some(script) = inner.downcast_ref::<ScriptError>() {
            return Some(script);
        }
        inner.source()?.downcast_ref::<ScriptError>()
    }

    /// The verdict carried into the errors of the connection.
    pub(crate) fn verdict(&self) -> crate::pipe::Verdict {
        crate::pipe::Verdict {
            line: self.summary().into(),
            cause: std::sync::Arc::new(self.clone()),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ScriptErrorKind {
        self.0.kind
    }

    /// The script's name, if it has one ([`Script::name`](crate::Script::name)).
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The step that failed, counted from 1; `None` when the failure came
    /// after the last step (bytes written after it).
    pub fn step(&self) -> Option<usize> {
        self.0.step.map(|i| i + 1)
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = &self.0;
        match &this.name {
            Some(name) => write!(f, "script {name:?}")?,
            None => f.write_str("script")?,
        }
        let verb = if this.kind == ScriptErrorKind::Stalled {
            "stalled"
        } else {
            "failed"
        };
        match this.step {
            Some(i) => write!(
                f,
                " {verb} at step {} of {} ({}): {}",
                i + 1,
                this.steps,
                this.step_text,
                this.headline
            )?,
            None => write!(
                f,
                " {verb} after its last step (of {}): {}",
                this.steps, this.headline
            )?,
        }
        if !this.detail.is_empty() {
            write!(f, "\n{}", this.detail.trim_end())?;
        }
        Ok(())
    }
}

impl fmt::Debug for ScriptError {
    /// The message itself, so `unwrap()` and `assert!(.. Ok)` print it
    /// readably.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ScriptError {}
