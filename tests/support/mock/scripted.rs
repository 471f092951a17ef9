//! [`Scripted`], a writer whose every call's result is scripted, and
//! [`SharedSink`], a writer the test keeps a handle on after moving it.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Write};
use std::sync::{Arc, Mutex};

/// A blocking writer that behaves according to a script of per-call results:
/// `Ok(n)` claims `n` bytes (and stores `min(n, len)` of them), `Err(kind)`
/// fails. After the script it accepts everything.
#[derive(Debug, Default, Clone)]
pub struct Scripted {
    pub script: VecDeque<Result<usize, ErrorKind>>,
    pub written: Vec<u8>,
    pub calls: usize,
}

impl Scripted {
    pub fn new(script: impl IntoIterator<Item = Result<usize, ErrorKind>>) -> Self {
        Self {
            script: script.into_iter().collect(),
            ..Self::default()
        }
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        match self.script.pop_front() {
            None => {
                self.written.extend_from_slice(buf);
                Ok(buf.len())
            }
            Some(Ok(n)) => {
                self.written.extend_from_slice(&buf[..n.min(buf.len())]);
                Ok(n)
            }
            Some(Err(kind)) => Err(kind.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A shared in-memory sink, so a test can keep a handle on a writer it moved.
#[derive(Debug, Clone, Default)]
pub struct SharedSink(pub Arc<Mutex<Vec<u8>>>);

impl SharedSink {
    pub fn data(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl Write for SharedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
