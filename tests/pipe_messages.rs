//! The pipe's own errors say which pipe, which end, which call and what
//! ended it; an end's `Debug` shows the knobs set on it.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use pipetap::{Chunking, PipeBuilder};
use support::watchdog;

fn named() -> (pipetap::PipeEnd, pipetap::PipeEnd) {
    PipeBuilder::new()
        .name("redis")
        .end_names("client", "server")
        .build()
}

#[test]
fn a_read_timeout_names_the_pipe_the_end_the_call_and_the_wait() {
    watchdog(|| {
        let (mut client, _server) = named();
        client
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let err = client.read(&mut [0; 4]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(
            err.to_string(),
            "pipetap pipe \"redis\", client side: read timed out after waiting 20ms (set_read_timeout)"
        );
    });
}

#[test]
fn a_write_timeout_names_the_writing_end() {
    watchdog(|| {
        let (_client, mut server) = PipeBuilder::new()
            .capacity(1)
            .name("redis")
            .end_names("client", "server")
            .build();
        server
            .set_write_timeout(Some(Duration::from_millis(10)))
            .unwrap();
        server.write_all(b"x").unwrap();
        let err = server.write(b"y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "pipetap pipe \"redis\", server side: write timed out after waiting 10ms (set_write_timeout)"
        );
    });
}

#[test]
fn a_deadline_says_it_was_a_deadline_and_how_long_ago_it_passed() {
    let (mut client, _server) = named();
    client
        .set_read_deadline(Some(Instant::now() - Duration::from_secs(1)))
        .unwrap();
    let msg = client.read(&mut [0; 4]).unwrap_err().to_string();
    assert!(
        msg.starts_with(
            "pipetap pipe \"redis\", client side: read timed out: the deadline set by set_read_deadline passed 1."
        ),
        "{msg}"
    );
    assert!(msg.ends_with("s ago"), "{msg}");
}

#[test]
fn broken_pipes_say_whose_side_is_shut() {
    let (mut client, server) = named();
    server.shutdown(Shutdown::Read).unwrap();
    assert_eq!(
        client.write(b"x").unwrap_err().to_string(),
        "pipetap pipe \"redis\", client side: write failed, broken pipe: the peer has closed its read side"
    );
    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(
        client.write(b"x").unwrap_err().to_string(),
        "pipetap pipe \"redis\", client side: write failed, broken pipe: this end's write side is shut down"
    );
}

#[test]
fn injected_errors_name_the_knob_and_the_async_call() {
    let (mut client, _server) = named();
    client.fail_next_write(ErrorKind::ConnectionReset);
    assert_eq!(
        client.write(b"x").unwrap_err().to_string(),
        "pipetap pipe \"redis\", client side: write failed with an injected error (fail_next_write)"
    );
    #[cfg(feature = "futures")]
    {
        use futures::io::AsyncRead;
        use std::task::{Context, Poll};
        client.fail_next_read(ErrorKind::TimedOut);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let Poll::Ready(Err(err)) = std::pin::Pin::new(&mut client).poll_read(&mut cx, &mut [0; 4])
        else {
            panic!("the injected error fires at once");
        };
        assert_eq!(
            err.to_string(),
            "pipetap pipe \"redis\", client side: poll_read failed with an injected error (fail_next_read)"
        );
    }
}

#[test]
fn a_reset_says_which_end_closed_with_an_error() {
    let (mut client, server) = named();
    server.close_with_error(ErrorKind::ConnectionReset).unwrap();
    let err = client.read(&mut [0; 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert_eq!(
        err.to_string(),
        "pipetap pipe \"redis\", client side: read failed: the server side closed the pipe with an error (close_with_error)"
    );
}

#[test]
fn an_unnamed_pipe_still_names_the_end() {
    let (mut a, b) = pipetap::pipe();
    drop(b);
    assert_eq!(
        a.write(b"x").unwrap_err().to_string(),
        "pipetap pipe, end a: write failed, broken pipe: the peer has closed its read side"
    );
}

#[test]
fn errors_of_a_randomly_chunked_side_carry_the_seed() {
    let (mut a, b) = PipeBuilder::new()
        .chunking(Chunking::sizes(1..=16))
        .seed(1234)
        .build();
    drop(b);
    assert_eq!(
        a.write(b"x").unwrap_err().to_string(),
        "pipetap pipe, end a: write failed, broken pipe: the peer has closed its read side \
         [random chunking 1..=16, seed 1234 fixed by PipeBuilder::seed]"
    );
    // A derived seed names the test's seed, which replays it.
    let (mut a, b) = PipeBuilder::new().chunking(Chunking::sizes(1..=16)).build();
    drop(b);
    let message = a.write(b"x").unwrap_err().to_string();
    let note = format!(
        "[random chunking 1..=16, pipe seed {}: replay with PIPETAP_SEED=",
        a.seed()
    );
    assert!(message.contains(&note), "{message}");
}

#[test]
fn debug_shows_the_knobs_set_on_this_end_only() {
    let (client, server) = PipeBuilder::new()
        .name("redis")
        .end_names("client", "server")
        .max_write_len(3)
        .seed(5)
        .build();
    client.set_max_read_len(Some(1)).unwrap();
    client
        .set_write_chunking(Some(Chunking::sizes(2..=8).with_pending(10)))
        .unwrap();
    client.fail_next_read(ErrorKind::TimedOut);
    let shown = format!("{client:?}");
    for part in [
        "name: \"redis\"",
        "end: \"client\"",
        "max_read_len: 1",
        "max_write_len: 3",
        "fail_next_read: TimedOut",
        "chunking: 2..=8 with 10% Pending, seed 5",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown}");
    }
    let peer = format!("{server:?}");
    assert!(!peer.contains("max_read_len"), "{peer}");
    assert!(!peer.contains("chunking"), "{peer}");
    assert!(
        peer.contains("max_write_len: 3"),
        "the builder's knob is on both ends: {peer}"
    );
}

#[test]
fn a_zero_length_knob_is_invalid_input() {
    let (a, _b) = pipetap::pipe();
    assert_eq!(
        a.set_max_read_len(Some(0)).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        a.set_max_write_len(Some(0)).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}
