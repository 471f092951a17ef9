//! Live faults at poll level: a task waiting on a held, delayed or cut
//! direction is woken exactly when it can make progress (by a release, by
//! its clock, by a cut of either direction), and not before. The knobs are
//! turned through the connection's `Link`, as a test does when the ends
//! belong to the code under test.
#![cfg(any(feature = "futures", feature = "tokio"))]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use pipetap::{Cut, Link, PipeBuilder, PipeEnd};
use rstest::rstest;
use support::{wait_until, watchdog, Door};
use tokio_test::task::spawn;
use tokio_test::{assert_pending, assert_ready};

/// A listener connection of `builder`'s: client end, server end, link.
fn connection(builder: PipeBuilder) -> (PipeEnd, PipeEnd, Link) {
    let (listener, connector) = builder.listen();
    let client = connector.connect_blocking().unwrap();
    let server = listener.accept_blocking().unwrap();
    let link = connector.connections().pop().unwrap();
    (client, server, link)
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn release_wakes_a_read_pending_on_held_bytes(#[case] door: Door) {
    watchdog(move || {
        let (mut client, mut server, link) = connection(PipeBuilder::new());
        link.server_to_client().hold().unwrap();
        server.write_all(b"held").unwrap();
        let mut buf = [0; 8];
        let mut task = spawn(door.read(&mut client, &mut buf));
        assert_pending!(task.poll());
        assert!(!task.is_woken(), "woken while held");
        link.release().unwrap();
        assert!(task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 4);
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn release_wakes_a_rendezvous_write_pending_on_a_hold(#[case] door: Door) {
    watchdog(move || {
        let (mut client, server, link) = connection(PipeBuilder::new().capacity(0));
        link.client_to_server().hold().unwrap();
        let reader = std::thread::spawn(move || {
            let mut server = server;
            let mut buf = [0; 1];
            server.read_exact(&mut buf).map(|()| buf)
        });
        // The reader waits: without the hold the write would go through.
        wait_until(|| format!("{link:?}").contains("client_to_server: 0 B buffered, held"));
        wait_until(|| format!("{client:?}").contains("reader_waiting: \"thread\""));
        let data = *b"x";
        let mut task = spawn(door.write(&mut client, &data));
        assert_pending!(task.poll());
        assert!(!task.is_woken(), "woken while held");
        link.release().unwrap();
        assert!(task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 1);
        drop(task);
        assert_eq!(&reader.join().unwrap().unwrap(), b"x");
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn the_clock_wakes_a_read_pending_on_delayed_bytes(
    #[case] door: Door,
    #[values(false, true)] paced: bool,
) {
    watchdog(move || {
        let (mut client, mut server, link) = connection(PipeBuilder::new());
        if paced {
            link.server_to_client().set_bandwidth(Some(200)).unwrap(); // 5 ms per byte
        } else {
            link.server_to_client()
                .set_latency(Some(Duration::from_millis(20)))
                .unwrap();
        }
        server.write_all(b"late").unwrap();
        let mut buf = [0; 8];
        let mut task = spawn(door.read(&mut client, &mut buf));
        if !paced {
            assert_pending!(task.poll());
            assert!(!task.is_woken(), "woken before the bytes arrived");
        }
        let mut got = 0;
        while got < 4 {
            match task.poll() {
                std::task::Poll::Ready(n) => {
                    got += n.unwrap();
                    drop(task);
                    task = spawn(door.read(&mut client, &mut buf));
                }
                std::task::Poll::Pending => wait_until(|| task.is_woken()),
            }
        }
        assert_eq!(got, 4);
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn a_rendezvous_write_is_woken_for_its_delayed_hand_over(#[case] door: Door) {
    watchdog(move || {
        let (mut client, server, link) = connection(PipeBuilder::new().capacity(0));
        link.set_latency(Some(Duration::from_millis(20))).unwrap();
        let reader = std::thread::spawn(move || {
            let mut server = server;
            let mut buf = [0; 2];
            server.read_exact(&mut buf).map(|()| buf)
        });
        let data = *b"hi";
        let mut task = spawn(door.write(&mut client, &data));
        assert_pending!(task.poll());
        let mut sent = 0;
        while sent < 2 {
            wait_until(|| task.is_woken());
            if let std::task::Poll::Ready(n) = task.poll() {
                sent += n.unwrap();
            }
        }
        drop(task);
        assert_eq!(&reader.join().unwrap().unwrap(), b"hi");
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn hold_for_wakes_a_read_pending_on_held_bytes_when_it_ends(#[case] door: Door) {
    watchdog(move || {
        let (mut client, mut server, link) = connection(PipeBuilder::new());
        link.server_to_client()
            .hold_for(Duration::from_millis(20))
            .unwrap();
        server.write_all(b"held").unwrap();
        let mut buf = [0; 8];
        let mut task = spawn(door.read(&mut client, &mut buf));
        assert_pending!(task.poll());
        assert!(!task.is_woken());
        wait_until(|| task.is_woken());
        assert_eq!(assert_ready!(task.poll()).unwrap(), 4);
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[cfg_attr(feature = "tokio", case::tokio(Door::Tokio))]
fn a_reset_cut_wakes_reads_pending_on_both_directions(#[case] door: Door) {
    watchdog(move || {
        let (client, server, link) = connection(PipeBuilder::new());
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        link.server_to_client().cut_after(2, Cut::Reset).unwrap();
        let (mut buf_c, mut buf_s) = ([0; 8], [0; 8]);
        let mut on_client = spawn(door.read(&mut client_read, &mut buf_c));
        let mut on_server = spawn(door.read(&mut server_read, &mut buf_s));
        assert_pending!(on_client.poll());
        assert_pending!(on_server.poll());
        // The server's reply reaches the cut: the client's read gets the two
        // bytes, the server's own read (on the other direction) is closed.
        assert_eq!(server_write.write(b"abc").unwrap(), 2);
        assert!(on_client.is_woken() && on_server.is_woken());
        assert_eq!(assert_ready!(on_client.poll()).unwrap(), 2);
        assert_eq!(assert_ready!(on_server.poll()).unwrap(), 0);
        drop((on_client, on_server));
        assert_eq!(
            client_read.read(&mut buf_c).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(
            client_write.write(b"x").unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );
    });
}
