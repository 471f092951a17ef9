//! `Listener::record_connections`: one tape per connection, from the
//! client's side, in connect order, with the ends left plain `PipeEnd`s.

mod support;

use std::io::{Read, Write};
use std::time::Duration;

use pipetap::{Event, PipeEnd};
use rstest::rstest;
use support::{watchdog, Conn, Door};

/// Serves one request per connection: reads a line, answers `OK <line>`.
fn answer(server: &mut PipeEnd) {
    let mut line = Vec::new();
    let mut byte = [0];
    while server.read(&mut byte).unwrap() == 1 {
        line.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    server.write_all(b"OK ").unwrap();
    server.write_all(&line).unwrap();
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn each_connection_gets_a_tape_in_connect_order_on_every_door(#[case] door: Door) {
    watchdog(move || {
        let (listener, connector) = pipetap::listen();
        let listener = listener.record_connections();
        for i in 0..3 {
            let mut client = Conn::new(connector.connect_blocking().unwrap(), door);
            let mut server = listener.accept_blocking().unwrap();
            client.write_all(format!("GET {i}\n").as_bytes()).unwrap();
            answer(&mut server);
            let mut reply = vec![0; 9];
            client.read_exact(&mut reply).unwrap();
            assert_eq!(reply, format!("OK GET {i}\n").as_bytes());
        }
        let tapes = listener.tapes();
        assert_eq!(tapes.len(), 3);
        for (i, tape) in tapes.iter().enumerate() {
            tape.assert_written(format!("GET {i}\n").as_bytes());
            tape.assert_read(format!("OK GET {i}\n").as_bytes());
        }
        // The connector sees the same tapes.
        let same = connector.tapes();
        assert_eq!(same.len(), 3);
        assert_eq!(same[2].bytes(), tapes[2].bytes());
    });
}

#[test]
fn writes_and_reads_are_events_in_order_with_exact_framing() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.record_connections();
    let mut client = connector.connect_blocking().unwrap();
    let mut server = listener.accept_blocking().unwrap();
    client.write_all(b"HELO").unwrap();
    client.write_all(b" x\r\n").unwrap();
    let mut buf = [0; 8];
    server.read_exact(&mut buf).unwrap();
    server.write_all(b"250").unwrap();
    client.read_exact(&mut buf[..3]).unwrap();
    client.write_all(b"QUIT\r\n").unwrap();

    let tape = &listener.tapes()[0];
    tape.assert_writes([&b"HELO"[..], b" x\r\n", b"QUIT\r\n"]);
    assert_eq!(
        tape.events(),
        [
            Event::Write("HELO".into()),
            Event::Write(" x\r\n".into()),
            Event::Read("250".into()),
            Event::Write("QUIT\r\n".into()),
        ]
    );
}

#[test]
fn short_writes_are_recorded_as_accepted() {
    let (listener, connector) = pipetap::PipeBuilder::new().max_write_len(2).listen();
    let listener = listener.record_connections();
    let mut client = connector.connect_blocking().unwrap();
    assert_eq!(client.write(b"abcdef").unwrap(), 2);
    client.set_nonblocking(true).unwrap();
    let tape = &listener.tapes()[0];
    tape.assert_writes([b"ab"]);
    drop(listener);
}

#[test]
fn split_halves_still_record() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.record_connections();
    let (mut rd, mut wr) = connector.connect_blocking().unwrap().into_split();
    let mut server = listener.accept_blocking().unwrap();
    wr.write_all(b"ping").unwrap();
    server.write_all(b"pong").unwrap();
    rd.read_exact(&mut [0; 4]).unwrap();
    let tape = &listener.tapes()[0];
    tape.assert_written(b"ping");
    tape.assert_read(b"pong");
}

#[test]
fn only_connections_made_while_recording_have_tapes() {
    let (listener, connector) = pipetap::listen();
    let _before = connector.connect_blocking().unwrap();
    let listener = listener.record_connections();
    let mut after = connector.connect_blocking().unwrap();
    after.write_all(b"2").unwrap();
    let tapes = listener.tapes();
    assert_eq!(tapes.len(), 1);
    tapes[0].assert_written(b"2");
}

#[test]
fn a_tape_s_wait_ends_once_the_client_end_is_gone() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let listener = listener.record_connections();
        let mut client = connector.connect_blocking().unwrap();
        client.write_all(b"partial").unwrap();
        let tape = listener.tapes().remove(0);
        tape.wait_for_blocking(b"partial", Duration::from_secs(5))
            .unwrap();
        drop(client);
        let err = tape
            .wait_for_blocking(b"never", Duration::from_secs(5))
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    });
}

#[test]
fn an_unrecorded_listener_has_no_tapes() {
    let (listener, connector) = pipetap::listen();
    connector
        .connect_blocking()
        .unwrap()
        .write_all(b"x")
        .unwrap();
    assert!(listener.tapes().is_empty());
    assert!(connector.tapes().is_empty());
}
