//! `pipetap::Net`: listeners by address, connects over every door, the
//! address rules (in use, freed, unknown, malformed), `down` and `up` with
//! their wake-ups, names and tapes.
// Drives the pipe through its futures door too.
#![cfg(all(not(loom), feature = "futures"))]

mod support;

use std::io::{self, ErrorKind, Read, Write};
use std::thread;

use pipetap::{Listener, Net, PipeBuilder, PipeEnd, DEFAULT_CAPACITY};
use rstest::rstest;
use support::{wait_until, watchdog, Conn, Door};
use tokio_test::task::spawn;
use tokio_test::{assert_pending, assert_ready_err, assert_ready_ok};

/// `Net::connect` through `door`: the blocking call, or the future on that
/// door's executor (futures' `block_on`, a current-thread tokio runtime).
fn connect(door: Door, net: &Net, addr: &str) -> io::Result<PipeEnd> {
    match door {
        Door::Blocking => net.connect_blocking(addr),
        Door::Futures => futures::executor::block_on(net.connect(addr)),
        Door::Tokio => tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("tokio runtime")
            .block_on(net.connect(addr)),
    }
}

/// A server that answers each line of each connection with `name: line`,
/// one thread per connection, until the net is gone.
fn serve(listener: Listener, name: &'static str) -> thread::JoinHandle<io::Error> {
    thread::spawn(move || loop {
        match listener.accept_blocking() {
            Ok(conn) => {
                thread::spawn(move || {
                    let mut buf = [0; 64];
                    while let Ok(n @ 1..) = (&conn).read(&mut buf) {
                        let reply = format!("{name}: {}", String::from_utf8_lossy(&buf[..n]));
                        if (&conn).write_all(reply.as_bytes()).is_err() {
                            break;
                        }
                    }
                });
            }
            Err(e) => return e,
        }
    })
}

fn ask(conn: &mut Conn, question: &str, reply_len: usize) -> String {
    conn.write_all(question.as_bytes()).unwrap();
    let mut reply = vec![0; reply_len];
    conn.read_exact(&mut reply).unwrap();
    String::from_utf8(reply).unwrap()
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn clients_reach_several_services_by_address(
    #[case] door: Door,
    #[values(16, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let net = Net::new();
        let builder = || PipeBuilder::new().capacity(capacity);
        let db = serve(net.listen_with("db:5432", builder()).unwrap(), "db");
        let cache = serve(net.listen_with("cache:6379", builder()).unwrap(), "cache");
        for n in 1..=2 {
            for (addr, name) in [("db:5432", "db"), ("cache:6379", "cache")] {
                let end = connect(door, &net, addr).unwrap();
                assert_eq!(end.peer_addr().unwrap().to_string(), format!("{addr}#{n}"));
                let mut conn = Conn::new(end, door);
                assert_eq!(
                    ask(&mut conn, "ping", name.len() + 6),
                    format!("{name}: ping")
                );
            }
        }
        drop(net); // every clone gone: the accept loops end
        for server in [db, cache] {
            assert_eq!(server.join().unwrap().kind(), ErrorKind::NotConnected);
        }
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn a_connect_to_an_unknown_address_is_refused_at_once_naming_the_known_ones(#[case] door: Door) {
    watchdog(move || {
        let net = Net::new();
        let err = connect(door, &net, "db:5432").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(
            err.to_string(),
            r#"pipetap net: connection refused: nothing listens on "db:5432" (nothing listens on this net)"#
        );

        let _db = net.listen("db:5432").unwrap();
        let _api = net.listen("api:80").unwrap();
        let err = connect(door, &net, "db:5433").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(
            err.to_string(),
            r#"pipetap net: connection refused: nothing listens on "db:5433" (listening: "api:80", "db:5432")"#
        );
    });
}

#[test]
fn a_second_listen_on_a_taken_address_fails_with_addr_in_use() {
    let net = Net::new();
    let _db = net.listen("db:5432").unwrap();
    for addr in ["db:5432", "DB:5432", "db:05432"] {
        let err = net.listen(addr).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{addr}");
        assert!(err.to_string().contains(r#""db:5432""#), "{err}");
    }
    // Through another clone: the same network.
    let err = net.clone().listen("db:5432").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
    // Another port on the same host is another address.
    let _db2 = net.listen("db:5433").unwrap();
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn a_dropped_listener_frees_its_address(#[case] door: Door) {
    watchdog(move || {
        let net = Net::new();
        let db = net.listen("db:5432").unwrap();
        let _api = net.listen("api:80").unwrap();
        let queued = connect(door, &net, "db:5432").unwrap();
        drop(db);
        // Its queued connection is reset, as a listener's drop does.
        let mut buf = [0; 1];
        assert_eq!(
            (&queued).read(&mut buf).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        // Connects are refused, naming what is left.
        let err = connect(door, &net, "db:5432").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(
            err.to_string().contains(r#"(listening: "api:80")"#),
            "{err}"
        );
        assert!(!format!("{net:?}").contains("db:5432"), "{net:?}");
        // A new listener takes the address, and numbers from 1 again.
        let db = net.listen("db:5432").unwrap();
        let client = connect(door, &net, "db:5432").unwrap();
        assert_eq!(client.peer_addr().unwrap().to_string(), "db:5432#1");
        assert_eq!(
            db.accept_blocking().unwrap().peer_addr(),
            client.peer_addr()
        );
    });
}

#[test]
fn malformed_addresses_fail_with_invalid_input_everywhere() {
    let net = Net::new();
    let _db = net.listen("db:5432").unwrap();
    for addr in ["db", "db:", ":5432", "db:port", "db:70000", "::1:80"] {
        let kinds = [
            net.listen(addr).unwrap_err().kind(),
            net.connect_blocking(addr).unwrap_err().kind(),
            futures::executor::block_on(net.connect(addr))
                .unwrap_err()
                .kind(),
            net.down(addr).unwrap_err().kind(),
            net.up(addr).unwrap_err().kind(),
        ];
        assert_eq!(kinds, [ErrorKind::InvalidInput; 5], "{addr}");
    }
    let err = net.listen("db").unwrap_err().to_string();
    assert!(err.contains(r#""db" is not an address"#), "{err}");
    assert!(err.contains("host:port"), "{err}");
}

#[test]
fn hosts_ignore_case_and_ports_are_numbers() {
    let net = Net::new();
    let listener = net.listen("Db.Internal:5432").unwrap();
    assert_eq!(listener.local_addr().to_string(), "db.internal:5432");
    for addr in ["db.internal:5432", "DB.INTERNAL:5432", "db.internal:005432"] {
        net.connect_blocking(addr).unwrap();
    }
    let _v6 = net.listen("[::1]:80").unwrap();
    let conn = net.connect_blocking("[::1]:80").unwrap();
    assert_eq!(conn.peer_addr().unwrap().to_string(), "[::1]:80#1");
}

#[test]
fn connections_are_labelled_by_address_unless_the_builder_has_a_name() {
    let net = Net::new();
    let db = net
        .listen_with("db:5432", PipeBuilder::new().max_read_len(2))
        .unwrap();
    let api = net
        .listen_with("api:80", PipeBuilder::new().name("gateway"))
        .unwrap();
    assert_eq!(db.local_addr().to_string(), "db:5432");
    assert_eq!(api.local_addr().to_string(), "gateway");

    let mut client = net.connect_blocking("db:5432").unwrap();
    let mut server = db.accept_blocking().unwrap();
    assert!(format!("{server:?}").contains(r#"name: "db:5432#1", end: "server""#));
    client.write_all(b"hello").unwrap();
    assert_eq!(server.read(&mut [0; 8]).unwrap(), 2); // the builder's knob

    let client = net.connect_blocking("api:80").unwrap();
    assert_eq!(client.peer_addr().unwrap().to_string(), "gateway#1");
    assert_eq!(client.end_name(), "client");
    let err = (&client).write(b"x").and_then(|_| {
        drop(api); // the queued server end is reset
        (&client).read(&mut [0; 1])
    });
    let err = err.unwrap_err().to_string();
    assert!(err.contains(r#"pipe "gateway#1", client side"#), "{err}");
}

/// Puts `bytes` in flight both ways on a connection to `addr` and returns
/// its ends, nothing read.
fn busy_connection(net: &Net, listener: &Listener, addr: &str) -> (PipeEnd, PipeEnd) {
    let mut client = net.connect_blocking(addr).unwrap();
    let mut server = listener.accept_blocking().unwrap();
    client.write_all(b"request").unwrap();
    server.write_all(b"response").unwrap();
    (client, server)
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn down_resets_live_connections_at_once_and_refuses_connects_until_up(
    #[case] door: Door,
    #[values(0, 64, DEFAULT_CAPACITY)] capacity: usize,
) {
    watchdog(move || {
        let net = Net::new();
        let db = net
            .listen_with("db:5432", PipeBuilder::new().capacity(capacity))
            .unwrap();
        let cache = net.listen("cache:6379").unwrap();
        let (client, server) = if capacity == 0 {
            // Nothing can be buffered in a rendezvous pipe.
            let client = net.connect_blocking("db:5432").unwrap();
            (client, db.accept_blocking().unwrap())
        } else {
            busy_connection(&net, &db, "db:5432")
        };
        let (other, _other_server) = busy_connection(&net, &cache, "cache:6379");

        net.down("db:5432").unwrap();
        net.down("db:5432").unwrap(); // idempotent
        let mut client = Conn::new(client, door);
        let mut server = Conn::new(server, door);
        let mut buf = [0; 16];
        // The buffered bytes are gone: the reads fail at once, every time.
        for _ in 0..2 {
            let err = client.read(&mut buf).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
            assert!(err.to_string().contains("Net::down"), "{err}");
            assert_eq!(
                server.read(&mut buf).unwrap_err().kind(),
                ErrorKind::ConnectionReset
            );
        }
        assert_eq!(client.io.unread_len(), 0);
        let err = client.write(b"more").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        assert!(err.to_string().contains("reset"), "{err}");
        assert_eq!(
            server.write(b"more").unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
        // Connects are refused; other addresses are not touched.
        let err = connect(door, &net, "db:5432").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(
            err.to_string()
                .contains(r#""db:5432" refused: the address is down"#),
            "{err}"
        );
        assert_eq!(other.unread_len(), "response".len());
        assert!(
            format!("{net:?}").contains(r#""db:5432": down, 1 connection"#),
            "{net:?}"
        );

        net.up("db:5432").unwrap();
        net.up("db:5432").unwrap(); // idempotent
        let again = connect(door, &net, "db:5432").unwrap();
        assert_eq!(again.peer_addr().unwrap().to_string(), "db:5432#2");
        let mut again = Conn::new(again, door);
        let mut accepted = Conn::new(db.accept_blocking().unwrap(), door);
        if capacity > 0 {
            again.write_all(b"hi").unwrap();
            let mut hi = [0; 2];
            accepted.read_exact(&mut hi).unwrap();
            assert_eq!(&hi, b"hi");
        }
        // The reset connection stays reset.
        assert_eq!(
            client.read(&mut buf).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
    });
}

#[test]
fn down_wakes_a_blocked_reader_and_a_pending_task_on_both_ends() {
    watchdog(|| {
        let net = Net::new();
        let db = net.listen("db:5432").unwrap();
        let client = net.connect_blocking("db:5432").unwrap();
        let server = db.accept_blocking().unwrap();
        let (server_read, server_write) = server.into_split();

        let blocked = thread::spawn(move || (&client).read(&mut [0; 4]).map_err(|e| e.kind()));
        let mut server_read = server_read;
        let mut buf = [0; 4];
        let mut pending = spawn(futures::io::AsyncReadExt::read(&mut server_read, &mut buf));
        assert_pending!(pending.poll());
        // The thread is asleep in its read (the server writes towards it).
        wait_until(|| format!("{server_write:?}").contains(r#"reader_waiting: "thread""#));
        assert!(!pending.is_woken());

        net.down("db:5432").unwrap();
        assert!(pending.is_woken());
        assert_eq!(
            assert_ready_err!(pending.poll()).kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(blocked.join().unwrap(), Err(ErrorKind::ConnectionReset));
    });
}

#[test]
fn a_connect_that_finishes_after_the_address_went_down_is_refused_and_its_connection_reset() {
    let net = Net::new();
    let db = net.listen("db:5432").unwrap().backlog(1);
    let _first = net.connect_blocking("db:5432").unwrap(); // fills the backlog
    let mut waiting = spawn(net.connect("db:5432"));
    assert_pending!(waiting.poll());

    net.down("db:5432").unwrap();
    net.up("db:5432").unwrap(); // up again before the connect gets its place
    let _ = db.accept_blocking().unwrap(); // room: the connect goes through
    assert!(waiting.is_woken());
    let err = assert_ready_err!(waiting.poll());
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert!(
        err.to_string()
            .contains("went down while the connect was made"),
        "{err}"
    );
    // Its server end was queued meanwhile, and is reset.
    let server = db.accept_blocking().unwrap();
    assert_eq!(
        (&server).read(&mut [0; 1]).unwrap_err().kind(),
        ErrorKind::ConnectionReset
    );
    // Later connects are not affected.
    let mut next = spawn(net.connect("db:5432"));
    assert_eq!(
        assert_ready_ok!(next.poll())
            .peer_addr()
            .unwrap()
            .to_string(),
        "db:5432#3"
    );
}

#[test]
fn down_and_up_name_the_known_addresses_when_nothing_listens() {
    let net = Net::new();
    let _db = net.listen("db:5432").unwrap();
    for err in [net.down("db:5433"), net.up("db:5433")] {
        let err = err.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(
            err.to_string()
                .contains(r#"nothing listens on "db:5433" (listening: "db:5432")"#),
            "{err}"
        );
    }
}

#[test]
fn a_new_listener_on_a_freed_address_starts_up() {
    let net = Net::new();
    let db = net.listen("db:5432").unwrap();
    net.down("db:5432").unwrap();
    drop(db);
    let _db = net.listen("db:5432").unwrap();
    net.connect_blocking("db:5432").unwrap();
}

#[test]
fn tapes_cover_every_address_in_connect_order_and_outlive_the_listeners() {
    let net = Net::new();
    let early = net.listen("early:1").unwrap(); // before recording started
    let net = net.record_connections();
    let db = net.listen("db:5432").unwrap();
    let api = net
        .listen_with("api:80", PipeBuilder::new().name("gateway"))
        .unwrap();
    let clone = net.clone();
    net.connect_blocking("db:5432")
        .unwrap()
        .write_all(b"one")
        .unwrap();
    clone
        .connect_blocking("api:80")
        .unwrap()
        .write_all(b"two")
        .unwrap();
    net.connect_blocking("early:1")
        .unwrap()
        .write_all(b"three")
        .unwrap();
    let mut reply = net.connect_blocking("db:5432").unwrap();
    let _first = db.accept_blocking().unwrap();
    let mut server = db.accept_blocking().unwrap();
    server.write_all(b"four").unwrap();
    reply.read_exact(&mut [0; 4]).unwrap();
    drop((db, api, early));

    let tapes = clone.tapes();
    let labels: Vec<_> = tapes.iter().map(|t| t.label().unwrap()).collect();
    assert_eq!(labels, ["db:5432#1", "gateway#1", "early:1#1", "db:5432#2"]);
    tapes[0].assert_written(b"one");
    tapes[1].assert_written(b"two");
    tapes[2].assert_written(b"three");
    tapes[3].assert_read(b"four");
    assert!(format!("{net:?}").contains("tapes: 4"), "{net:?}");
}

#[test]
fn the_futures_are_static_send_and_unpin_and_net_is_send_sync() {
    fn is_static_send_unpin<T: Send + Unpin + 'static>(_: &T) {}
    fn is_send_sync<T: Send + Sync + Clone + std::fmt::Debug>(_: &T) {}
    let net = Net::new();
    let connect = net.connect("db:5432");
    is_static_send_unpin(&connect);
    is_send_sync(&net);
    assert!(format!("{connect:?}").starts_with("NetConnect(Some(Custom"));
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn hold_stalls_every_connection_to_an_address_both_ways_until_release(#[case] door: Door) {
    watchdog(move || {
        let net = Net::new();
        let db = net.listen("db:5432").unwrap();
        let cache = net.listen("cache:6379").unwrap();
        let (old, old_server) = busy_connection(&net, &db, "db:5432"); // bytes in flight
        net.hold("db:5432").unwrap();
        let new = connect(door, &net, "db:5432").unwrap(); // held from the start
        let new_server = db.accept_blocking().unwrap();
        (&new_server).write_all(b"greeting").unwrap();
        (&new).write_all(b"hello").unwrap();
        let (other, _other_server) = busy_connection(&net, &cache, "cache:6379");

        for end in [&old, &old_server, &new, &new_server] {
            end.set_nonblocking(true).unwrap();
            let err = (&mut &*end).read(&mut [0; 16]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::WouldBlock, "{end:?}");
            end.set_nonblocking(false).unwrap();
        }
        assert_eq!(other.unread_len(), "response".len()); // not held
        assert!(
            format!("{net:?}").contains(r#""db:5432": up, held, 2 connections"#),
            "{net:?}"
        );

        net.release("db:5432").unwrap();
        let read = |end: PipeEnd, len: usize| {
            let mut conn = Conn::new(end, door);
            let mut buf = vec![0; len];
            conn.read_exact(&mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(read(old, 8), "response");
        assert_eq!(read(old_server, 7), "request");
        assert_eq!(read(new, 8), "greeting");
        assert_eq!(read(new_server, 5), "hello");
        // Later connections start released.
        let mut later = net.connect_blocking("db:5432").unwrap();
        let mut later_server = db.accept_blocking().unwrap();
        later.write_all(b"x").unwrap();
        later_server.read_exact(&mut [0; 1]).unwrap();
    });
}

#[test]
fn a_release_wakes_a_pending_read_on_a_held_connection() {
    let net = Net::new();
    let db = net.listen("db:5432").unwrap();
    let mut client = net.connect_blocking("db:5432").unwrap();
    let server = db.accept_blocking().unwrap();
    net.hold("db:5432").unwrap();
    let mut buf = [0; 4];
    let mut read = spawn(futures::io::AsyncReadExt::read(&mut client, &mut buf));
    assert_pending!(read.poll());
    (&server).write_all(b"pong").unwrap();
    assert_pending!(read.poll()); // the bytes are held
    net.release("db:5432").unwrap();
    assert!(read.is_woken());
    assert_eq!(assert_ready_ok!(read.poll()), 4);
    drop(read);
    assert_eq!(&buf, b"pong");
}

#[test]
fn down_drops_held_bytes_and_a_held_address_still_resets() {
    watchdog(|| {
        let net = Net::new();
        let db = net.listen("db:5432").unwrap();
        net.hold("db:5432").unwrap();
        let (client, server) = busy_connection(&net, &db, "db:5432");
        net.down("db:5432").unwrap();
        for end in [&client, &server] {
            let err = (&mut &*end).read(&mut [0; 16]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{end:?}");
            assert_eq!(end.unread_len(), 0);
        }
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn refuse_next_refuses_the_next_connects_then_lets_one_through(#[case] door: Door) {
    watchdog(move || {
        let net = Net::new();
        let _db = net.listen("db:5432").unwrap();
        let _api = net.listen("api:80").unwrap();
        net.refuse_next("db:5432", 2).unwrap();
        for left in [1, 0] {
            let err = connect(door, &net, "db:5432").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
            assert!(err.to_string().contains(r#""db:5432""#), "{err}");
            assert!(
                err.to_string()
                    .contains(&format!("refuse_next: {left} more")),
                "{err}"
            );
            connect(door, &net, "api:80").unwrap(); // another address: not refused
        }
        let conn = connect(door, &net, "db:5432").unwrap();
        assert_eq!(conn.peer_addr().unwrap().to_string(), "db:5432#1");
        let err = net.refuse_next("db:5433", 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn connections_give_a_link_per_connection_in_connect_order() {
    watchdog(|| {
        let net = Net::new();
        let db = net.listen("db:5432").unwrap();
        let _api = net
            .listen_with("api:80", PipeBuilder::new().name("gateway"))
            .unwrap();
        let _a = net.connect_blocking("db:5432").unwrap();
        let b = net.connect_blocking("api:80").unwrap();
        let mut c = net.clone().connect_blocking("db:5432").unwrap();
        drop(b);
        let links = net.connections();
        let addrs: Vec<String> = links.iter().map(|l| l.addr().to_string()).collect();
        assert_eq!(addrs, ["db:5432#1", "gateway#1", "db:5432#2"]);
        assert!(!links[0].is_closed());
        // The knobs reach the connection: the second db connection's replies stall.
        links[2].server_to_client().hold().unwrap();
        let _first = db.accept_blocking().unwrap();
        let mut server = db.accept_blocking().unwrap();
        server.write_all(b"late").unwrap();
        c.set_nonblocking(true).unwrap();
        assert_eq!(
            c.read(&mut [0; 4]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        links[2].release().unwrap();
        c.set_nonblocking(false).unwrap();
        c.read_exact(&mut [0; 4]).unwrap();
    });
}

#[test]
fn hold_release_and_refuse_next_name_the_known_addresses_when_nothing_listens() {
    let net = Net::new();
    let _db = net.listen("db:5432").unwrap();
    for (call, err) in [
        ("hold", net.hold("db:1")),
        ("release", net.release("db:1")),
        ("refuse_next", net.refuse_next("db:1", 1)),
    ] {
        let err = err.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            format!(
                r#"pipetap net: {call} failed: nothing listens on "db:1" (listening: "db:5432")"#
            )
        );
    }
}
