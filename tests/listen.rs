//! The in-memory listener: accept and connect over every door, connect
//! order, names and addresses, and the builder's settings carried to every
//! connection.

mod support;

use std::io::{self, ErrorKind, Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use pipetap::{Chunking, Connector, Listener, PipeBuilder, PipeEnd, DEFAULT_CAPACITY};
use rstest::rstest;
use support::{watchdog, Conn, Door};

/// `connect` through `door`: the blocking call, or the future on that door's
/// executor (futures' `block_on`, a current-thread tokio runtime).
fn connect(door: Door, connector: &Connector) -> io::Result<PipeEnd> {
    match door {
        Door::Blocking => connector.connect_blocking(),
        Door::Futures => futures::executor::block_on(connector.connect()),
        Door::Tokio => tokio_rt().block_on(connector.connect()),
    }
}

/// `accept` through `door`, likewise.
fn accept(door: Door, listener: &Listener) -> io::Result<PipeEnd> {
    match door {
        Door::Blocking => listener.accept_blocking(),
        Door::Futures => futures::executor::block_on(listener.accept()),
        Door::Tokio => tokio_rt().block_on(listener.accept()),
    }
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// An echo server over `door`: accepts until `NotConnected`, echoes each
/// connection to its end, and returns the addresses it served, in order.
fn echo_server(door: Door, listener: Listener) -> thread::JoinHandle<Vec<String>> {
    thread::spawn(move || {
        let mut served = Vec::new();
        loop {
            match accept(door, &listener) {
                Ok(end) => {
                    served.push(end.peer_addr().unwrap().to_string());
                    let mut conn = Conn::new(end, door);
                    let mut buf = [0; 256];
                    loop {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => conn.write_all(&buf[..n]).unwrap(),
                        }
                    }
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::NotConnected, "{e}");
                    return served;
                }
            }
        }
    })
}

#[rstest]
#[case::blocking(Door::Blocking, Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures, Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio, Door::Tokio))]
#[cfg_attr(
    feature = "tokio",
    case::blocking_server_tokio_client(Door::Blocking, Door::Tokio)
)]
#[cfg_attr(
    feature = "futures",
    case::futures_server_blocking_client(Door::Futures, Door::Blocking)
)]
fn clients_connect_and_talk_to_an_accept_loop(
    #[case] server: Door,
    #[case] client: Door,
    #[values(0, 1, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let (listener, connector) = PipeBuilder::new().capacity(capacity).listen();
        let server = echo_server(server, listener);
        for i in 1..=3u8 {
            let end = connect(client, &connector).unwrap();
            assert_eq!(end.peer_addr().unwrap().to_string(), format!("pipe#{i}"));
            let mut conn = Conn::new(end, client);
            let message = [i; 100];
            // In pieces the echo can answer one by one without both sides
            // waiting for room: at most the capacity (a rendezvous pipe hands
            // a piece straight to the waiting echo).
            let piece_len = if capacity == 0 { 10 } else { capacity.min(10) };
            for piece in message.chunks(piece_len) {
                conn.write_all(piece).unwrap();
                let mut echo = vec![0; piece.len()];
                conn.read_exact(&mut echo).unwrap();
                assert_eq!(echo, piece);
            }
            conn.close().unwrap();
        }
        drop(connector);
        assert_eq!(server.join().unwrap(), ["pipe#1", "pipe#2", "pipe#3"]);
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn connections_are_accepted_in_connect_order(#[case] door: Door) {
    watchdog(move || {
        let (listener, connector) = pipetap::listen();
        let clients: Vec<PipeEnd> = (0..5).map(|_| connect(door, &connector).unwrap()).collect();
        for (i, mut client) in clients.into_iter().enumerate() {
            client.write_all(&[i as u8]).unwrap();
            let mut server = accept(door, &listener).unwrap();
            assert_eq!(server.peer_addr(), client.peer_addr());
            let mut byte = [0];
            server.read_exact(&mut byte).unwrap();
            assert_eq!(byte[0], i as u8);
        }
    });
}

#[test]
fn ends_are_named_client_and_server_of_name_and_number() {
    let (listener, connector) = PipeBuilder::new().name("redis").listen();
    let _first = connector.connect_blocking().unwrap();
    let client = connector.connect_blocking().unwrap();
    let _ = listener.accept_blocking().unwrap();
    let server = listener.accept_blocking().unwrap();

    assert_eq!(client.name(), Some("redis#2"));
    assert_eq!((client.end_name(), server.end_name()), ("client", "server"));
    let addr = client.peer_addr().unwrap();
    assert_eq!((addr.name(), addr.connection()), ("redis", Some(2)));
    assert_eq!(server.peer_addr(), Some(addr.clone()));
    assert_eq!(format!("{addr:?}"), r#"PipeAddr("redis#2")"#);
    assert_eq!(listener.local_addr().to_string(), "redis");
    assert_eq!(connector.listener_addr(), listener.local_addr());
    assert!(format!("{client:?}").contains(r#"name: "redis#2", end: "client""#));
    assert!(format!("{server:?}").contains(r#"name: "redis#2", end: "server""#));

    // Both ends' errors name the connection and the end.
    server.set_read_deadline(Some(Instant::now())).unwrap();
    let err = (&server).read(&mut [0; 1]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(
        err.to_string().contains(r#"pipe "redis#2", server side"#),
        "{err}"
    );
    drop(server);
    let err = (&client).write(b"x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    assert!(
        err.to_string().contains(r#"pipe "redis#2", client side"#),
        "{err}"
    );
}

#[test]
fn the_default_name_is_pipe_and_plain_pipes_have_no_peer_addr() {
    let (listener, connector) = pipetap::listen();
    let client = connector.connect_blocking().unwrap();
    assert_eq!(client.name(), Some("pipe#1"));
    assert_eq!(listener.local_addr().to_string(), "pipe");
    let (a, b) = pipetap::pipe();
    assert_eq!((a.peer_addr(), b.peer_addr()), (None, None));
}

#[test]
fn end_names_from_the_builder_win() {
    let (listener, connector) = PipeBuilder::new().end_names("app", "db").listen();
    let client = connector.connect_blocking().unwrap();
    let server = listener.accept_blocking().unwrap();
    assert_eq!((client.end_name(), server.end_name()), ("app", "db"));
}

#[test]
fn a_rendezvous_listener_makes_rendezvous_connections() {
    let (listener, connector) = PipeBuilder::new().capacity(0).listen();
    for _ in 0..2 {
        let client = connector.connect_blocking().unwrap();
        let _server = listener.accept_blocking().unwrap();
        client.set_nonblocking(true).unwrap();
        // Nobody reads: there is nowhere for the byte to go.
        assert_eq!(
            (&client).write(b"x").unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    }
}

#[test]
fn capacity_and_max_read_len_carry_to_every_connection() {
    let (listener, connector) = PipeBuilder::new().capacity(8).max_read_len(3).listen();
    for _ in 0..3 {
        let client = connector.connect_blocking().unwrap();
        let server = listener.accept_blocking().unwrap();
        client.set_nonblocking(true).unwrap();
        assert_eq!((&client).write(&[1; 20]).unwrap(), 8); // capacity 8
        assert_eq!((&server).read(&mut [0; 20]).unwrap(), 3); // max_read_len 3
        (&server).write_all(b"abcdef").unwrap();
        assert_eq!((&client).read(&mut [0; 20]).unwrap(), 3); // both ends
    }
}

#[test]
fn max_write_len_and_a_seeded_chunking_carry_with_one_seed() {
    let (listener, connector) = PipeBuilder::new()
        .max_write_len(2)
        .chunking(Chunking::sizes(1..=1))
        .seed(77)
        .listen();
    for _ in 0..2 {
        let client = connector.connect_blocking().unwrap();
        let server = listener.accept_blocking().unwrap();
        assert_eq!((client.seed(), server.seed()), (77, 77));
        assert_eq!((&client).write(b"abc").unwrap(), 1);
        assert!(format!("{client:?}").contains("seed 77"));
    }
}

#[cfg(feature = "futures")]
#[test]
fn interleave_pending_carries_to_every_connection() {
    use futures::io::AsyncWrite;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    let (listener, connector) = PipeBuilder::new().interleave_pending(true).listen();
    let (counter, waker) = support::wakers::CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    for round in 1..=2 {
        let mut client = connector.connect_blocking().unwrap();
        let _server = listener.accept_blocking().unwrap();
        let mut client = Pin::new(&mut client);
        assert!(client.as_mut().poll_write(&mut cx, b"x").is_pending());
        assert_eq!(counter.count(), round); // it woke its own task
        assert!(matches!(
            client.poll_write(&mut cx, b"x"),
            Poll::Ready(Ok(1))
        ));
    }
}

#[test]
fn deadlines_work_on_listener_connections() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let client = connector.connect_blocking().unwrap();
        let server = listener.accept_blocking().unwrap();
        let deadline = Instant::now() + Duration::from_millis(20);
        client.set_read_deadline(Some(deadline)).unwrap();
        let err = (&client).read(&mut [0; 1]).unwrap_err();
        assert!(Instant::now() >= deadline);
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(
            err.to_string().contains(r#""pipe#1", client side"#),
            "{err}"
        );
        client.set_read_deadline(None).unwrap();
        (&server).write_all(b"late").unwrap();
        let mut buf = [0; 4];
        (&client).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"late");
    });
}

#[test]
fn listener_and_connector_debug_show_the_state() {
    let (listener, connector) = PipeBuilder::new().name("api").listen();
    let listener = listener.backlog(4).record_connections();
    let _client = connector.connect_blocking().unwrap();
    let shown = format!("{listener:?}");
    for part in [
        r#"Listener { name: "api""#,
        "backlog: 4",
        "queued: 1",
        "connections: 1",
        "tapes: 1",
    ] {
        assert!(shown.contains(part), "{shown}");
    }
    assert!(format!("{connector:?}").starts_with(r#"Connector { name: "api""#));
}

#[test]
#[should_panic(expected = "backlog must be at least 1")]
fn a_backlog_of_zero_panics() {
    let (listener, _connector) = pipetap::listen();
    let _ = listener.backlog(0);
}

#[test]
fn handles_are_send_sync_and_the_futures_static_and_unpin() {
    fn send_sync<T: Send + Sync>() {}
    fn send_static_unpin<T: Send + Unpin + 'static>() {}
    send_sync::<Listener>();
    send_sync::<Connector>();
    send_sync::<pipetap::PipeAddr>();
    send_static_unpin::<pipetap::Connect>();
    fn send<T: Send>(_: &T) {}
    let (listener, _connector) = pipetap::listen();
    send(&listener.accept());
}
