//! The blocking door: `std::io::Read` and `Write` for ends and halves (and
//! their shared references), each a one-line call into the core.

use std::io::{self, IoSlice, Read, Write};

use super::end::PipeEnd;
use super::half::{ReadHalf, WriteHalf};
use crate::source::Source;

macro_rules! blocking_read {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        impl Read for $ty {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let $s = &*self;
                $half.read_blocking(buf)
            }
        }
    )*};
}

macro_rules! blocking_write {
    ($($ty:ty => |$s:ident| $half:expr;)*) => {$(
        impl Write for $ty {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let $s = &*self;
                $half.write_blocking(Source::One(buf))
            }
            fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                let $s = &*self;
                $half.write_slices_blocking(bufs)
            }
            fn flush(&mut self) -> io::Result<()> {
                let $s = &*self;
                $half.flush_now()
            }
        }
    )*};
}

blocking_read! {
    PipeEnd => |end| end.read_half();
    &PipeEnd => |end| end.read_half();
    ReadHalf => |half| half;
    &ReadHalf => |half| *half;
}

blocking_write! {
    PipeEnd => |end| end.write_half();
    &PipeEnd => |end| end.write_half();
    WriteHalf => |half| half;
    &WriteHalf => |half| *half;
}
