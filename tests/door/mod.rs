//! One pipe end driven through a chosen front door, so one test body runs
//! against the blocking, futures and tokio implementations alike.
#![allow(dead_code)]

use std::io::{self, Read, Write};

use pipetap::PipeEnd;

/// Which front door a test drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Blocking,
    Futures,
    Tokio,
}

pub const ALL: [Door; 3] = [Door::Blocking, Door::Futures, Door::Tokio];

/// A pipe end plus the door it is driven through. Async doors run each call to
/// completion on the calling thread (`futures::executor::block_on`, or a
/// current-thread tokio runtime without its timer: the pipe needs none), so the
/// call really goes through `Pending` and a wake-up when it has to wait.
pub struct Conn {
    pub end: PipeEnd,
    pub door: Door,
    rt: Option<tokio::runtime::Runtime>,
}

impl Conn {
    pub fn new(end: PipeEnd, door: Door) -> Self {
        let rt = (door == Door::Tokio).then(|| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime")
        });
        Conn { end, door, rt }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.door {
            Door::Blocking => self.end.read(buf),
            Door::Futures => {
                futures::executor::block_on(futures::AsyncReadExt::read(&mut self.end, buf))
            }
            Door::Tokio => {
                let end = &mut self.end;
                self.rt
                    .as_ref()
                    .unwrap()
                    .block_on(tokio::io::AsyncReadExt::read(end, buf))
            }
        }
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.door {
            Door::Blocking => self.end.write(buf),
            Door::Futures => {
                futures::executor::block_on(futures::AsyncWriteExt::write(&mut self.end, buf))
            }
            Door::Tokio => {
                let end = &mut self.end;
                self.rt
                    .as_ref()
                    .unwrap()
                    .block_on(tokio::io::AsyncWriteExt::write(end, buf))
            }
        }
    }

    pub fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self.door {
            Door::Blocking => self.end.write_vectored(bufs),
            Door::Futures => futures::executor::block_on(futures::AsyncWriteExt::write_vectored(
                &mut self.end,
                bufs,
            )),
            Door::Tokio => {
                let end = &mut self.end;
                self.rt
                    .as_ref()
                    .unwrap()
                    .block_on(tokio::io::AsyncWriteExt::write_vectored(end, bufs))
            }
        }
    }

    pub fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    pub fn read_exact(&mut self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => buf = &mut buf[n..],
            }
        }
        Ok(())
    }

    /// Reads to end-of-stream in `chunk`-sized reads.
    pub fn read_to_end(&mut self, chunk: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            match self.read(&mut buf)? {
                0 => return Ok(out),
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// Half-closes the writing side through the door (`poll_close` /
    /// `poll_shutdown` on the async doors).
    pub fn shutdown_write(&mut self) -> io::Result<()> {
        match self.door {
            Door::Blocking => self.end.shutdown(std::net::Shutdown::Write),
            Door::Futures => {
                futures::executor::block_on(futures::AsyncWriteExt::close(&mut self.end))
            }
            Door::Tokio => {
                let end = &mut self.end;
                self.rt
                    .as_ref()
                    .unwrap()
                    .block_on(tokio::io::AsyncWriteExt::shutdown(end))
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self.door {
            Door::Blocking => self.end.flush(),
            Door::Futures => {
                futures::executor::block_on(futures::AsyncWriteExt::flush(&mut self.end))
            }
            Door::Tokio => {
                let end = &mut self.end;
                self.rt
                    .as_ref()
                    .unwrap()
                    .block_on(tokio::io::AsyncWriteExt::flush(end))
            }
        }
    }
}
