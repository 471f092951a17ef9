//! A listener connection allocates nothing beyond the new pipe's own: a
//! connect, an accept and a first round trip allocate no more than building
//! a pipe of the same names and making the same round trip, counted by a
//! per-thread counting allocator. (Here: 6 against 10; the builder's pipe
//! also allocates its two end names, which a listener's connections share.)

mod support;

use std::io::{Read, Write};
use std::task::Context;

use pipetap::{Connector, Listener, PipeBuilder, PipeEnd};
use support::alloc::{allocations, Counting};
use support::wakers::CountingWaker;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn round_trip(client: &mut PipeEnd, server: &mut PipeEnd) {
    let mut buf = [0u8; 16];
    client.write_all(b"ping").unwrap();
    server.read_exact(&mut buf[..4]).unwrap();
    server.write_all(b"pong").unwrap();
    client.read_exact(&mut buf[..4]).unwrap();
}

/// What a plain pipe named like connection `n` costs: building it, a round
/// trip, dropping it.
fn named_pipe_allocations(n: u64) -> usize {
    allocations(|| {
        let (mut client, mut server) = PipeBuilder::new()
            .name(format!("pipe#{n}"))
            .end_names("client", "server")
            .build();
        round_trip(&mut client, &mut server);
    })
}

fn warmed_up() -> (Listener, Connector) {
    let (listener, connector) = pipetap::listen();
    // The first connections grow the queue and the registries.
    for _ in 0..64 {
        let _ = connector.connect_blocking().unwrap();
        let _ = listener.accept_blocking().unwrap();
    }
    (listener, connector)
}

#[test]
fn connect_accept_and_a_round_trip_cost_only_the_new_pipe() {
    let (listener, connector) = warmed_up();
    for n in 65..70 {
        let pipe = named_pipe_allocations(n);
        let listened = allocations(|| {
            let mut client = connector.connect_blocking().unwrap();
            let mut server = listener.accept_blocking().unwrap();
            round_trip(&mut client, &mut server);
        });
        assert!(
            listened <= pipe,
            "a listener connection made {listened} allocations, a plain named pipe {pipe}"
        );
    }
}

#[test]
fn an_accept_that_waits_first_costs_only_the_new_pipe_too() {
    let (listener, connector) = warmed_up();
    let (_, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut listener = listener;
    // Warm the waiting tasks' list.
    assert!(listener.poll_accept(&mut cx).is_pending());
    let _ = connector.connect_blocking().unwrap();
    let _ = listener.poll_accept(&mut cx);
    for n in 66..70 {
        let pipe = named_pipe_allocations(n);
        let listened = allocations(|| {
            assert!(listener.poll_accept(&mut cx).is_pending());
            let mut client = connector.connect().poll_once(&mut cx);
            let std::task::Poll::Ready(Ok(mut server)) = listener.poll_accept(&mut cx) else {
                panic!("the connection was not queued");
            };
            round_trip(&mut client, &mut server);
        });
        assert!(
            listened <= pipe,
            "a listener connection made {listened} allocations, a plain named pipe {pipe}"
        );
    }
}

/// Polls a connect once: with room in the backlog it is ready at once.
trait PollOnce {
    fn poll_once(self, cx: &mut Context<'_>) -> PipeEnd;
}

impl PollOnce for pipetap::Connect {
    fn poll_once(mut self, cx: &mut Context<'_>) -> PipeEnd {
        match std::future::Future::poll(std::pin::Pin::new(&mut self), cx) {
            std::task::Poll::Ready(result) => result.unwrap(),
            std::task::Poll::Pending => panic!("a connect with room waited"),
        }
    }
}
