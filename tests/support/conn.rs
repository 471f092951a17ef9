//! [`Conn`]: an I/O object driven call by call through one door, each call
//! run to completion on the calling thread. The async doors really go through
//! `Pending` and a wake-up when a call has to wait: the futures door under
//! `futures::executor::block_on`, the tokio door on a current-thread runtime
//! of the `Conn`'s own (without a timer: pipetap needs none).

use std::future::Future;
use std::io::{self, IoSlice};
use std::net::Shutdown;

use pipetap::PipeEnd;

use super::door::{Door, DoorBufRead, DoorRead, DoorWrite};

/// `io` plus the door every call goes through. Reach `io` directly for calls
/// that should bypass the door (control calls, a blocking probe).
pub struct Conn<T = PipeEnd> {
    pub io: T,
    pub door: Door,
    rt: Option<tokio::runtime::Runtime>,
}

impl<T> Conn<T> {
    pub fn new(io: T, door: Door) -> Self {
        let rt = (door == Door::Tokio).then(|| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("tokio runtime")
        });
        Conn { io, door, rt }
    }

    pub fn into_inner(self) -> T {
        self.io
    }

    fn run<F: Future>(rt: &Option<tokio::runtime::Runtime>, call: F) -> F::Output {
        match rt {
            Some(rt) => rt.block_on(call),
            None => futures::executor::block_on(call),
        }
    }
}

impl<T: DoorRead> Conn<T> {
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Self::run(&self.rt, self.door.read(&mut self.io, buf))
    }

    pub fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        Self::run(&self.rt, self.door.read_exact(&mut self.io, buf))
    }

    /// The door's own `read_to_end`.
    pub fn read_to_end(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        Self::run(&self.rt, self.door.read_to_end(&mut self.io, out))
    }

    /// Reads to end-of-stream in `chunk`-sized reads.
    pub fn read_chunked(&mut self, chunk: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            match self.read(&mut buf)? {
                0 => return Ok(out),
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    }
}

impl<T: DoorBufRead> Conn<T> {
    pub fn read_line(&mut self, line: &mut String) -> io::Result<usize> {
        Self::run(&self.rt, self.door.read_line(&mut self.io, line))
    }

    pub fn read_until(&mut self, byte: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        Self::run(&self.rt, self.door.read_until(&mut self.io, byte, out))
    }
}

impl<T: DoorWrite> Conn<T> {
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Self::run(&self.rt, self.door.write(&mut self.io, buf))
    }

    pub fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        Self::run(&self.rt, self.door.write_all(&mut self.io, buf))
    }

    pub fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Self::run(&self.rt, self.door.write_vectored(&mut self.io, bufs))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        Self::run(&self.rt, self.door.flush(&mut self.io))
    }

    /// [`Door::close`]: nothing on the blocking door.
    pub fn close(&mut self) -> io::Result<()> {
        Self::run(&self.rt, self.door.close(&mut self.io))
    }
}

impl Conn<PipeEnd> {
    /// Half-closes the writing side through the door: `shutdown(Write)` on
    /// the blocking door, `poll_close` / `poll_shutdown` on the async ones.
    pub fn shutdown_write(&mut self) -> io::Result<()> {
        match self.door {
            Door::Blocking => self.io.shutdown(Shutdown::Write),
            _ => self.close(),
        }
    }
}
