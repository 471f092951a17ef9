//! Live faults on a listener's connections (API.md section 7):
//! `Connector::connections()` and its `Link`s, `refuse_next` and
//! `set_connect_delay`, on every door, against plain peers and against an
//! axum app called by hyper-util's pooled client, whose timeouts, retries and
//! reconnects must react as they should.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use pipetap::{Cut, PipeBuilder, PipeEnd};
use rstest::rstest;
use support::{watchdog, Conn, Door};

const MS: Duration = Duration::from_millis(1);

/// A connect through `door`'s way of connecting: blocking, on the futures
/// executor, or on a tokio runtime.
fn connect(connector: &pipetap::Connector, door: Door) -> std::io::Result<PipeEnd> {
    match door {
        Door::Blocking => connector.connect_blocking(),
        Door::Futures => futures::executor::block_on(connector.connect()),
        Door::Tokio => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(connector.connect()),
    }
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn connections_are_links_in_connect_order(#[case] door: Door) {
    watchdog(move || {
        let (listener, connector) = PipeBuilder::new().name("db").listen();
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(Conn::new(connect(&connector, door).unwrap(), door));
        }
        let links = connector.connections();
        let names: Vec<String> = links.iter().map(|l| l.addr().to_string()).collect();
        assert_eq!(names, ["db#1", "db#2", "db#3"]);

        // Stall what the server of db#2 sends; db#1 is untouched.
        links[1].server_to_client().hold().unwrap();
        let mut servers: Vec<Conn> = (0..3)
            .map(|_| Conn::new(listener.accept_blocking().unwrap(), door))
            .collect();
        for server in &mut servers {
            server.write_all(b"hi").unwrap();
        }
        let mut buf = [0; 2];
        clients[0].read_exact(&mut buf).unwrap();
        clients[1].io.set_nonblocking(true).unwrap();
        assert_eq!(
            (&clients[1].io).read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        clients[1].io.set_nonblocking(false).unwrap();
        assert!(format!("{:?}", links[1]).contains("held"), "{:?}", links[1]);
        // The other direction of db#2 still flows.
        clients[1].write_all(b"ping").unwrap();
        let mut ping = [0; 4];
        servers[1].read_exact(&mut ping).unwrap();
        links[1].release().unwrap();
        clients[1].read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");

        // A link does not keep its connection alive.
        assert!(!links[2].is_closed());
        drop((clients.pop(), servers.pop()));
        assert!(links[2].is_closed());
        links[2].hold().unwrap(); // harmless
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn link_knobs_on_both_directions(#[case] door: Door) {
    watchdog(move || {
        let (listener, connector) = pipetap::listen();
        let mut client = Conn::new(connect(&connector, door).unwrap(), door);
        let mut server = Conn::new(listener.accept_blocking().unwrap(), door);
        let link = &connector.connections()[0];
        link.set_latency(Some(10 * MS)).unwrap();
        link.set_bandwidth(Some(1_000_000)).unwrap();
        let start = Instant::now();
        client.write_all(b"ping").unwrap();
        let mut buf = [0; 4];
        server.read_exact(&mut buf).unwrap();
        server.write_all(b"pong").unwrap();
        client.read_exact(&mut buf).unwrap();
        assert!(start.elapsed() >= 20 * MS, "{:?}", start.elapsed());
        let debug = format!("{link:?}");
        assert!(
            debug.contains("latency 10ms") && debug.contains("bandwidth"),
            "{debug}"
        );
        link.set_latency(None).unwrap();
        link.set_bandwidth(None).unwrap();

        link.hold_for(10 * MS).unwrap();
        let start = Instant::now();
        server.write_all(b"late").unwrap();
        client.read_exact(&mut buf).unwrap();
        assert!(start.elapsed() >= 10 * MS);

        link.cut_after(2, Cut::Reset).unwrap();
        assert_eq!(server.write(b"abc").unwrap(), 2);
        let mut two = [0; 2];
        client.read_exact(&mut two).unwrap();
        assert_eq!(
            client.read(&mut buf).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(
            client.write(b"x").unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn refuse_next_refuses_that_many_connects(#[case] door: Door) {
    watchdog(move || {
        let (listener, connector) = pipetap::listen();
        connector.refuse_next(2).unwrap();
        assert!(format!("{connector:?}").contains("refuse_next: 2"));
        let other = connector.clone(); // every clone counts
        for c in [&connector, &other] {
            let err = connect(c, door).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
            assert!(err.to_string().contains("refuse_next"), "{err}");
        }
        let client = connect(&connector, door).unwrap();
        assert_eq!(client.peer_addr().unwrap().to_string(), "pipe#1");
        assert_eq!(
            listener.accept_blocking().unwrap().peer_addr(),
            client.peer_addr()
        );
        assert_eq!(
            connector.connections().len(),
            1,
            "refused connects make no connection"
        );
    });
}

#[rstest]
#[case::blocking(Door::Blocking)]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn a_connect_delay_delays_every_connect(#[case] door: Door) {
    watchdog(move || {
        let (_listener, connector) = pipetap::listen();
        connector.set_connect_delay(Some(15 * MS)).unwrap();
        assert!(format!("{connector:?}").contains("connect_delay: 15ms"));
        let start = Instant::now();
        let _conn = connect(&connector, door).unwrap();
        assert!(start.elapsed() >= 15 * MS);
        connector.set_connect_delay(None).unwrap();
        let _quick = connect(&connector, door).unwrap();
    });
}

#[test]
fn a_listener_built_with_knobs_gives_them_to_every_connection() {
    watchdog(|| {
        let (listener, connector) = PipeBuilder::new().cut_after(3, Cut::Eof).listen();
        for _ in 0..2 {
            let mut client = connector.connect_blocking().unwrap();
            let mut server = listener.accept_blocking().unwrap();
            assert_eq!(client.write(b"abcd").unwrap(), 3);
            let mut got = Vec::new();
            server.read_to_end(&mut got).unwrap();
            assert_eq!(got, b"abc");
        }
    });
}

#[cfg(all(feature = "axum", feature = "hyper"))]
mod http {
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use pipetap::{Connector, Cut, PipeAddr};

    use super::support::tokio_watchdog;

    fn app() -> Router {
        Router::new().route("/hello", get(|| async { "hello, world" }))
    }

    /// An axum app over the listener, and hyper-util's pooled client.
    fn serve(connector: Connector, listener: pipetap::Listener) -> Client<Connector, Full<Bytes>> {
        tokio::spawn(async move {
            axum::serve(
                listener,
                app().into_make_service_with_connect_info::<PipeAddr>(),
            )
            .await
        });
        Client::builder(TokioExecutor::new()).build(connector)
    }

    async fn get_hello(client: &Client<Connector, Full<Bytes>>) -> Result<String, String> {
        let response = client
            .get("http://app/hello".parse().unwrap())
            .await
            .map_err(|e| format!("{e:?}"))?;
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(String::from_utf8(body.to_bytes().to_vec()).unwrap())
    }

    #[test]
    fn a_hyper_util_client_s_timeout_fires_on_a_held_reply() {
        tokio_watchdog(|| async {
            let (listener, connector) = pipetap::listen();
            let client = serve(connector.clone(), listener);
            assert_eq!(get_hello(&client).await.unwrap(), "hello, world");
            // Stall the reply direction of the connection the pool opened.
            let links = connector.connections();
            assert_eq!(links.len(), 1);
            links[0].server_to_client().hold().unwrap();
            let stalled =
                tokio::time::timeout(Duration::from_millis(100), get_hello(&client)).await;
            assert!(stalled.is_err(), "the client's timeout fires: {stalled:?}");
            // Released, the pipe delivers the reply that was held; the next
            // request on a fresh connection gets its answer.
            links[0].release().unwrap();
            assert_eq!(get_hello(&client).await.unwrap(), "hello, world");
        });
    }

    #[test]
    fn a_retry_succeeds_after_refuse_next_2() {
        tokio_watchdog(|| async {
            let (listener, connector) = pipetap::listen();
            connector.refuse_next(2).unwrap();
            let client = serve(connector.clone(), listener);
            // The code under test: a client that retries failed requests.
            let mut attempts = 0;
            let body = loop {
                attempts += 1;
                match get_hello(&client).await {
                    Ok(body) => break body,
                    Err(e) if attempts < 5 => {
                        assert!(e.contains("ConnectionRefused"), "{e}");
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    Err(e) => panic!("gave up: {e}"),
                }
            };
            assert_eq!(body, "hello, world");
            assert_eq!(attempts, 3);
            assert_eq!(connector.connections().len(), 1);
        });
    }

    #[test]
    fn a_reconnect_follows_a_cut_with_reset() {
        tokio_watchdog(|| async {
            let (listener, connector) = pipetap::PipeBuilder::new().name("app").listen();
            let client = serve(connector.clone(), listener);
            assert_eq!(get_hello(&client).await.unwrap(), "hello, world");
            // The pooled connection dies 10 bytes into the next reply.
            connector.connections()[0]
                .server_to_client()
                .cut_after(10, Cut::Reset)
                .unwrap();
            let err = get_hello(&client).await.unwrap_err();
            assert!(
                err.contains("ConnectionReset") || err.contains("reset"),
                "{err}"
            );
            // The client drops the dead connection and opens a new one.
            assert_eq!(get_hello(&client).await.unwrap(), "hello, world");
            let links = connector.connections();
            assert_eq!(links.len(), 2, "a second connection");
            assert_eq!(links[1].addr().to_string(), "app#2");
        });
    }

    #[test]
    fn latency_on_every_connection_slows_each_request() {
        tokio_watchdog(|| async {
            let (listener, connector) = pipetap::PipeBuilder::new()
                .latency(Duration::from_millis(5))
                .listen();
            let client = serve(connector.clone(), listener);
            let start = std::time::Instant::now();
            for _ in 0..3 {
                assert_eq!(get_hello(&client).await.unwrap(), "hello, world");
            }
            // One round trip each: 10 ms per request.
            assert!(
                start.elapsed() >= Duration::from_millis(30),
                "{:?}",
                start.elapsed()
            );
        });
    }
}
