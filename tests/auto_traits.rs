//! The auto traits (`Send`, `Sync`, `Unpin`) and the other marker and
//! standard traits users rely on, for every public type, checked at compile
//! time. Needs no feature: `cargo test --no-default-features` runs it too; the
//! async doors' trait impls are checked under their own feature.
//!
//! Each check is a generic function whose bounds are the claim; a type that
//! loses a trait stops this file from compiling.

use std::fmt::{Debug, Display};
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::TcpStream;

use pipetap::{
    Event, Mismatch, MultiWriter, PipeBuilder, PipeEnd, ReadHalf, Recording, ReuniteError, Tape,
    TeeReader, WaitFor, WriteHalf,
};

fn send_sync_unpin<T: Send + Sync + Unpin + 'static>() {}
fn debug<T: Debug>() {}
fn read<T: Read>() {}
fn buf_read<T: BufRead>() {}
fn write<T: Write>() {}

/// A type with no traits at all.
struct Bare;

#[test]
fn pipe_end_is_send_sync_unpin_and_debug() {
    send_sync_unpin::<PipeEnd>();
    debug::<PipeEnd>();
    read::<PipeEnd>();
    write::<PipeEnd>();
    // Like `&TcpStream`: a shared end reads and writes.
    read::<&PipeEnd>();
    write::<&PipeEnd>();
}

#[test]
fn halves_are_send_sync_unpin_static_and_debug() {
    send_sync_unpin::<ReadHalf>();
    send_sync_unpin::<WriteHalf>();
    debug::<ReadHalf>();
    debug::<WriteHalf>();
    read::<ReadHalf>();
    write::<WriteHalf>();
    read::<&ReadHalf>();
    write::<&WriteHalf>();
}

#[test]
fn reunite_error_is_a_send_sync_error() {
    // It gives the halves back, so it is as `Send`/`Sync` as they are.
    fn check<T: std::error::Error + Display + Debug + Send + Sync + Unpin + 'static>() {}
    check::<ReuniteError>();
}

#[test]
fn hang_report_is_a_send_sync_error_and_the_runners_are_futures() {
    fn error<T: std::error::Error + Display + Debug + Send + Sync + Unpin + 'static>() {}
    fn future<T: std::future::Future + Debug + Send + Sync + Unpin + 'static>() {}
    error::<pipetap::HangReport>();
    let _: fn(pipetap::HangReport) -> std::io::Error = Into::into;
    future::<pipetap::Within<std::future::Ready<()>>>();
    future::<pipetap::TryWithin<std::future::Ready<()>>>();
    // As `Send` as the future they bound, even one that is not `Unpin`.
    fn send<T: std::future::Future + Send>(_: &T) {}
    send(&pipetap::within_async(
        std::time::Duration::from_secs(1),
        async {},
    ));
}

#[test]
fn pipe_builder_is_a_plain_value() {
    fn check<T: Clone + Debug + Default + Send + Sync + Unpin + 'static>() {}
    check::<PipeBuilder>();
}

#[test]
fn multi_writer_is_send_sync_unpin_when_its_writers_are() {
    send_sync_unpin::<MultiWriter<Vec<u8>>>();
    fn send_unpin<T: Send + Unpin>() {}
    send_unpin::<MultiWriter<Box<dyn Write + Send>>>();
    // Debug and Default whatever the writers are.
    debug::<MultiWriter<Bare>>();
    fn default<T: Default>() {}
    default::<MultiWriter<Bare>>();
    write::<MultiWriter<Vec<u8>>>();
    write::<MultiWriter<Box<dyn Write>>>();
}

#[test]
fn tee_reader_is_send_sync_unpin_when_its_reader_and_writer_are() {
    send_sync_unpin::<TeeReader<&'static [u8], Vec<u8>>>();
    debug::<TeeReader<&[u8], Vec<u8>>>();
    read::<TeeReader<&[u8], Vec<u8>>>();
    buf_read::<TeeReader<BufReader<&[u8]>, Vec<u8>>>();
}

#[test]
fn recording_keeps_send_sync_unpin_and_io_traits_of_its_connection() {
    send_sync_unpin::<Recording<TcpStream>>();
    send_sync_unpin::<Recording<Vec<u8>>>();
    send_sync_unpin::<Recording<PipeEnd>>();
    debug::<Recording<Vec<u8>>>();
    read::<Recording<Cursor<Vec<u8>>>>();
    buf_read::<Recording<Cursor<Vec<u8>>>>();
    write::<Recording<Cursor<Vec<u8>>>>();
    write::<Recording<PipeEnd>>();
}

#[test]
fn tape_is_a_cheap_send_sync_handle() {
    fn check<T: Clone + Debug + Default + Send + Sync + Unpin + 'static>() {}
    check::<Tape>();
}

#[test]
fn event_is_a_plain_value() {
    fn check<T: Clone + Debug + Eq + Send + Sync + Unpin + 'static>() {}
    check::<Event>();
}

#[test]
fn mismatch_is_a_send_sync_error() {
    fn check<
        T: std::error::Error + Display + Debug + Clone + Eq + Send + Sync + Unpin + 'static,
    >() {
    }
    check::<Mismatch>();
}

#[test]
fn wait_for_is_a_send_unpin_future() {
    fn check<
        F: std::future::Future<Output = std::io::Result<()>> + Debug + Send + Unpin + 'static,
    >() {
    }
    check::<WaitFor>();
}

/// The async read and write traits of one door (`$io` is its `io` module)
/// on every type that has them.
#[cfg(any(feature = "futures", feature = "tokio"))]
macro_rules! door_traits {
    ($io:ident) => {{
        use $io::io::{AsyncBufRead, AsyncRead, AsyncWrite, BufReader};
        fn reads<T: AsyncRead>() {}
        fn buf_reads<T: AsyncBufRead>() {}
        fn writes<T: AsyncWrite>() {}
        reads::<PipeEnd>();
        writes::<PipeEnd>();
        reads::<ReadHalf>();
        writes::<WriteHalf>();
        writes::<MultiWriter<Vec<u8>>>();
        reads::<TeeReader<&[u8], Vec<u8>>>();
        buf_reads::<TeeReader<BufReader<&[u8]>, Vec<u8>>>();
        reads::<Recording<PipeEnd>>();
        writes::<Recording<PipeEnd>>();
        buf_reads::<Recording<BufReader<PipeEnd>>>();
    }};
}

#[cfg(feature = "futures")]
#[test]
fn futures_door_traits() {
    door_traits!(futures);
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_door_traits() {
    door_traits!(tokio);
}
