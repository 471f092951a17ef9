//! The blocking door: `std::io::Read` and `Write` for ends and halves (and
//! their shared references), each a one-line call into the core.

use std::io::{self, IoSlice, Read, Write};

use super::call::Access;
use super::end::PipeEnd;
use super::half::{ReadHalf, WriteHalf};
use crate::source::Source;

macro_rules! blocking_read {
    ($($ty:ty => |$s:ident| $half:expr, $access:expr;)*) => {$(
        impl Read for $ty {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let $s = &*self;
                $half.read_blocking(buf, $access)
            }
        }
    )*};
}

macro_rules! blocking_write {
    ($($ty:ty => |$s:ident| $half:expr, $access:expr;)*) => {$(
        impl Write for $ty {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let $s = &*self;
                $half.write_blocking(Source::One(buf), $access)
            }
            fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                let $s = &*self;
                $half.write_slices_blocking(bufs, $access)
            }
            fn flush(&mut self) -> io::Result<()> {
                let $s = &*self;
                $half.flush_now()
            }
        }
    )*};
}

// Only a call through `&mut` an owned end or half has its handle to itself:
// the deadlock verdict counts no other wait (see `Access`).
blocking_read! {
    PipeEnd => |end| end.read_half(), Access::Exclusive;
    &PipeEnd => |end| end.read_half(), Access::Shared;
    ReadHalf => |half| half, Access::Exclusive;
    &ReadHalf => |half| *half, Access::Shared;
}

blocking_write! {
    PipeEnd => |end| end.write_half(), Access::Exclusive;
    &PipeEnd => |end| end.write_half(), Access::Shared;
    WriteHalf => |half| half, Access::Exclusive;
    &WriteHalf => |half| *half, Access::Shared;
}
