//! The listener's backlog and closing rules, each outcome with its
//! `ErrorKind`, and the wake-ups behind them (at poll level).

mod support;

use std::io::{ErrorKind, Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use pipetap::{Listener, PipeEnd};
use support::{futures_watchdog, wait_until, watchdog};
use tokio_test::task::spawn;
use tokio_test::{assert_pending, assert_ready, assert_ready_err, assert_ready_ok};

fn number(end: &PipeEnd) -> u64 {
    end.peer_addr().unwrap().connection().unwrap()
}

fn waiting(listener: &Listener, n: usize) -> bool {
    format!("{listener:?}").contains(&format!("waiting: {n}"))
}

#[test]
fn a_blocking_connect_beyond_the_backlog_waits_for_an_accept() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let listener = listener.backlog(2);
        let first = connector.connect_blocking().unwrap();
        let _second = connector.connect_blocking().unwrap();
        let third = thread::spawn(move || connector.connect_blocking().map(|c| number(&c)));
        wait_until(|| waiting(&listener, 1));
        assert_eq!(
            listener.accept_blocking().unwrap().peer_addr(),
            first.peer_addr()
        );
        assert_eq!(third.join().unwrap().unwrap(), 3);
        assert_eq!(number(&listener.accept_blocking().unwrap()), 2);
        assert_eq!(number(&listener.accept_blocking().unwrap()), 3);
    });
}

#[test]
fn an_async_connect_beyond_the_backlog_is_woken_by_an_accept() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.backlog(1);
    let _first = connector.connect_blocking().unwrap();
    let mut connect = spawn(connector.connect());
    assert_pending!(connect.poll());
    assert!(!connect.is_woken());
    let _accepted = listener.accept_blocking().unwrap();
    assert!(connect.is_woken());
    assert_eq!(number(&assert_ready_ok!(connect.poll())), 2);
}

#[test]
fn connects_waiting_in_line_keep_their_order_and_newcomers_queue_behind() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.backlog(1);
    let _first = connector.connect_blocking().unwrap();
    let mut a = spawn(connector.connect());
    let mut b = spawn(connector.connect());
    assert_pending!(a.poll());
    assert_pending!(b.poll());
    assert!(waiting(&listener, 2));

    let _ = listener.accept_blocking().unwrap(); // #1: one place is free
    let mut newcomer = spawn(connector.connect());
    assert_pending!(newcomer.poll()); // it may not jump the line
    assert_pending!(b.poll()); // nor may the second in line
    assert_eq!(number(&assert_ready_ok!(a.poll())), 2);

    let _ = listener.accept_blocking().unwrap(); // #2
    assert!(b.is_woken());
    assert_pending!(newcomer.poll());
    assert_eq!(number(&assert_ready_ok!(b.poll())), 3);
    let _ = listener.accept_blocking().unwrap(); // #3
    assert_eq!(number(&assert_ready_ok!(newcomer.poll())), 4);
}

#[test]
fn a_dropped_connect_leaves_the_line_and_makes_no_connection() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.backlog(1);
    let _first = connector.connect_blocking().unwrap();
    let mut a = spawn(connector.connect());
    let mut b = spawn(connector.connect());
    assert_pending!(a.poll());
    assert_pending!(b.poll());
    drop(a);
    assert!(waiting(&listener, 1));
    let _ = listener.accept_blocking().unwrap();
    assert!(b.is_woken());
    assert_eq!(number(&assert_ready_ok!(b.poll())), 2);
}

#[test]
fn a_timed_out_connect_that_is_never_polled_again_does_not_hold_up_the_line() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let listener = listener
            .backlog(1)
            .connect_timeout(Duration::from_millis(20));
        let _first = connector.connect_blocking().unwrap();
        let mut stalled = spawn(connector.connect());
        assert_pending!(stalled.poll());
        let listener = listener.connect_timeout(Duration::from_secs(10));
        let mut behind = spawn(connector.connect());
        assert_pending!(behind.poll());
        wait_until(|| stalled.is_woken()); // its deadline passed (the timer woke it)
        let _ = listener.accept_blocking().unwrap();
        assert!(behind.is_woken());
        assert_eq!(number(&assert_ready_ok!(behind.poll())), 2);
        assert_eq!(
            assert_ready_err!(stalled.poll()).kind(),
            ErrorKind::TimedOut
        );
    });
}

#[test]
fn raising_the_backlog_lets_waiting_connects_in() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.backlog(1);
    let _first = connector.connect_blocking().unwrap();
    let mut waiting_connect = spawn(connector.connect());
    assert_pending!(waiting_connect.poll());
    let listener = listener.backlog(2);
    assert!(waiting_connect.is_woken());
    assert_ready_ok!(waiting_connect.poll());
    drop(listener);
}

#[test]
fn a_blocking_connect_times_out_naming_the_listener_and_its_backlog() {
    watchdog(|| {
        let (listener, connector) = pipetap::PipeBuilder::new().name("api").listen();
        let timeout = Duration::from_millis(30);
        let listener = listener.backlog(1).connect_timeout(timeout);
        let _first = connector.connect_blocking().unwrap();
        let started = Instant::now();
        let err = connector.connect_blocking().unwrap_err();
        assert!(started.elapsed() >= timeout, "TimedOut before the timeout");
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let msg = err.to_string();
        assert!(msg.contains(r#"listener "api""#), "{msg}");
        assert!(msg.contains("backlog of 1 connections"), "{msg}");
        assert!(msg.contains("30ms"), "{msg}");
        // No connection was made: the next one is #2.
        let _ = listener.accept_blocking().unwrap();
        assert_eq!(number(&connector.connect_blocking().unwrap()), 2);
    });
}

#[test]
fn an_async_connect_times_out_without_any_runtime() {
    futures_watchdog(|| async {
        let (listener, connector) = pipetap::listen();
        let timeout = Duration::from_millis(30);
        let listener = listener.backlog(1).connect_timeout(timeout);
        let _first = connector.connect().await.unwrap();
        let started = Instant::now();
        let err = connector.connect().await.unwrap_err();
        assert!(started.elapsed() >= timeout);
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(waiting(&listener, 0));
    });
}

#[test]
fn a_zero_connect_timeout_fails_at_once_when_the_backlog_is_full() {
    let (listener, connector) = pipetap::listen();
    let _listener = listener.backlog(1).connect_timeout(Duration::ZERO);
    let _first = connector.connect_blocking().unwrap();
    let mut connect = spawn(connector.connect());
    assert_eq!(
        assert_ready_err!(connect.poll()).kind(),
        ErrorKind::TimedOut
    );
}

#[test]
fn dropping_the_listener_resets_queued_connections_only() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let accepted_client = connector.connect_blocking().unwrap();
        let accepted = listener.accept_blocking().unwrap();
        let mut queued = connector.connect_blocking().unwrap();
        drop(listener);

        let err = queued.read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert_eq!(
            queued.read(&mut [0; 8]).unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        assert_eq!(
            queued.write(b"x").unwrap_err().kind(),
            ErrorKind::BrokenPipe
        );

        // The accepted connection is not touched.
        (&accepted_client).write_all(b"still here").unwrap();
        let mut buf = [0; 10];
        (&accepted).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"still here");
        (&accepted).write_all(b"ok").unwrap();
        (&accepted_client).read_exact(&mut buf[..2]).unwrap();
    });
}

#[test]
fn a_blocked_client_read_on_a_queued_connection_is_reset_when_the_listener_goes() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let queued = std::sync::Arc::new(connector.connect_blocking().unwrap());
        let reader = {
            let queued = queued.clone();
            thread::spawn(move || (&*queued).read(&mut [0; 8]).unwrap_err().kind())
        };
        wait_until(|| format!("{queued:?}").contains(r#"reader_waiting: "thread""#));
        drop(listener);
        assert_eq!(reader.join().unwrap(), ErrorKind::ConnectionReset);
    });
}

#[test]
fn connects_after_the_listener_is_gone_are_refused() {
    let (listener, connector) = pipetap::listen();
    drop(listener);
    let err = connector.connect_blocking().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert!(err.to_string().contains(r#"listener "pipe""#), "{err}");
    let mut connect = spawn(connector.connect());
    assert_eq!(
        assert_ready_err!(connect.poll()).kind(),
        ErrorKind::ConnectionRefused
    );
}

#[test]
fn connects_waiting_for_room_are_refused_when_the_listener_goes() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let listener = listener.backlog(1);
        let _first = connector.connect_blocking().unwrap();
        let mut task = spawn(connector.connect());
        assert_pending!(task.poll());
        let blocking = {
            let connector = connector.clone();
            thread::spawn(move || connector.connect_blocking().unwrap_err().kind())
        };
        wait_until(|| waiting(&listener, 2));
        drop(listener);
        assert!(task.is_woken());
        assert_eq!(
            assert_ready_err!(task.poll()).kind(),
            ErrorKind::ConnectionRefused
        );
        assert_eq!(blocking.join().unwrap(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn accept_drains_the_queue_then_fails_not_connected_once_connectors_are_gone() {
    let (listener, connector) = pipetap::listen();
    let other = connector.clone();
    let _one = connector.connect_blocking().unwrap();
    let _two = other.connect_blocking().unwrap();
    drop(connector);
    drop(other);
    assert_eq!(number(&listener.accept_blocking().unwrap()), 1);
    assert_eq!(number(&listener.accept_blocking().unwrap()), 2);
    let err = listener.accept_blocking().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConnected);
    assert!(err.to_string().contains("every Connector is gone"), "{err}");
    let mut accept = spawn(listener.accept());
    assert_eq!(
        assert_ready_err!(accept.poll()).kind(),
        ErrorKind::NotConnected
    );
}

#[test]
fn a_pending_accept_is_woken_by_a_connect_and_by_the_last_connector_going() {
    let (listener, connector) = pipetap::listen();
    let mut accept = spawn(listener.accept());
    assert_pending!(accept.poll());
    let _client = connector.connect_blocking().unwrap();
    assert!(accept.is_woken());
    assert_ready_ok!(accept.poll());

    let mut accept = spawn(listener.accept());
    assert_pending!(accept.poll());
    let clone = connector.clone();
    drop(connector);
    assert!(!accept.is_woken()); // a clone still lives
    drop(clone);
    assert!(accept.is_woken());
    assert_eq!(
        assert_ready_err!(accept.poll()).kind(),
        ErrorKind::NotConnected
    );
}

#[test]
fn a_blocking_accept_returns_not_connected_when_the_last_connector_goes() {
    watchdog(|| {
        let (listener, connector) = pipetap::listen();
        let server = thread::spawn(move || listener.accept_blocking().unwrap_err().kind());
        drop(connector);
        assert_eq!(server.join().unwrap(), ErrorKind::NotConnected);
    });
}

#[test]
fn a_dropped_accept_loses_no_connection() {
    let (listener, connector) = pipetap::listen();
    let mut accept = spawn(listener.accept());
    assert_pending!(accept.poll());
    drop(accept);
    let client = connector.connect_blocking().unwrap();
    let mut accept = spawn(listener.accept());
    assert_eq!(
        assert_ready_ok!(accept.poll()).peer_addr(),
        client.peer_addr()
    );
}

#[test]
fn a_pending_connect_holds_its_connector() {
    let (listener, connector) = pipetap::listen();
    let listener = listener.backlog(1);
    let _first = connector.connect_blocking().unwrap();
    let mut connect = spawn(connector.connect());
    assert_pending!(connect.poll());
    drop(connector);
    let _ = listener.accept_blocking().unwrap();
    assert_ready_ok!(connect.poll());
    drop(connect);
    assert_eq!(number(&listener.accept_blocking().unwrap()), 2);
    assert_eq!(
        listener.accept_blocking().unwrap_err().kind(),
        ErrorKind::NotConnected
    );
}

#[cfg(feature = "futures")]
#[test]
fn the_stream_yields_connections_then_ends_with_none() {
    use futures::StreamExt;
    futures_watchdog(|| async {
        let (mut listener, connector) = pipetap::listen();
        let clients: Vec<_> = (0..3)
            .map(|_| connector.connect_blocking().unwrap())
            .collect();
        drop(connector);
        let mut numbers = Vec::new();
        while let Some(conn) = listener.next().await {
            numbers.push(number(&conn.unwrap()));
        }
        assert_eq!(numbers, [1, 2, 3]);
        assert!(listener.next().await.is_none());
        drop(clients);
    });
}

#[cfg(feature = "futures")]
#[test]
fn a_pending_stream_is_woken_by_a_connect() {
    use futures::Stream;
    let (listener, connector) = pipetap::listen();
    let mut listener = spawn(listener);
    assert_pending!(listener.enter(|cx, l| l.poll_next(cx)));
    let _client = connector.connect_blocking().unwrap();
    assert!(listener.is_woken());
    let next = assert_ready!(listener.enter(|cx, l| l.poll_next(cx)));
    assert!(matches!(next, Some(Ok(_))));
    drop(connector);
    assert!(assert_ready!(listener.enter(|cx, l| l.poll_next(cx))).is_none());
}
