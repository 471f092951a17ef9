//! turmoil, the network simulator, for users who outgrow a single pipe: a
//! two-host simulation (an echo server and a client) on simulated TCP.
//!
//! The client's `turmoil::net::TcpStream` is recorded with
//! `pipetap::Recording::with_tape` onto a `pipetap::Tape`: the same recording
//! API that wraps a pipe wraps any connection type.
#![cfg(feature = "tokio")]

mod support;

use std::time::Duration;

use pipetap::{Recording, Tape};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use turmoil::net::{TcpListener, TcpStream};

const PORT: u16 = 7878;

/// Echo server: each connection gets back everything it sends, until it
/// half-closes.
async fn echo_server() -> turmoil::Result {
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let (stream, _peer) = listener.accept().await?;
        tokio::spawn(async move {
            let (mut rd, mut wr) = stream.into_split();
            tokio::io::copy(&mut rd, &mut wr).await.expect("echo");
            wr.shutdown().await.expect("echo shutdown");
        });
    }
}

/// Two hosts, simulated latency; the client writes two messages, half-closes,
/// and reads the echo to end-of-stream. The tape outlives the simulation and
/// holds exactly what the client sent and (with reads recorded) received.
#[test]
fn echo_between_two_simulated_hosts_with_recorded_client() {
    let tape = Tape::new();
    let client_tape = tape.clone();
    support::watchdog(move || {
        let mut sim = turmoil::Builder::new()
            .min_message_latency(Duration::from_millis(2))
            .max_message_latency(Duration::from_millis(20))
            .simulation_duration(Duration::from_secs(30))
            .build();
        sim.host("server", echo_server);
        sim.client("client", async move {
            let stream = TcpStream::connect(("server", PORT)).await?;
            let mut conn = Recording::with_tape(stream, client_tape).record_reads();

            conn.write_all(b"PING 1\r\n").await?;
            conn.write_all(b"PING 2\r\n").await?;
            conn.shutdown().await?;

            let mut echoed = Vec::new();
            conn.read_to_end(&mut echoed).await?;
            assert_eq!(echoed, b"PING 1\r\nPING 2\r\n");
            Ok(())
        });
        sim.run().expect("simulation");
    });

    // After the simulation, from outside it.
    tape.assert_written(b"PING 1\r\nPING 2\r\n");
    assert_eq!(tape.writes(), [&b"PING 1\r\n"[..], &b"PING 2\r\n"[..]]);
    tape.assert_read(b"PING 1\r\nPING 2\r\n");
}

/// Several clients against the one server host, each with its own tape:
/// recordings do not mix across connections.
#[test]
fn each_simulated_client_records_only_its_own_connection() {
    const CLIENTS: usize = 3;
    let tapes: Vec<Tape> = (0..CLIENTS).map(|_| Tape::new()).collect();
    let for_sim = tapes.clone();
    support::watchdog(move || {
        let mut sim = turmoil::Builder::new().build();
        sim.host("server", echo_server);
        for (i, tape) in for_sim.into_iter().enumerate() {
            sim.client(format!("client{i}"), async move {
                let stream = TcpStream::connect(("server", PORT)).await?;
                let mut conn = Recording::with_tape(stream, tape);
                let msg = format!("hello from {i}\n");
                conn.write_all(msg.as_bytes()).await?;
                conn.shutdown().await?;
                let mut back = String::new();
                conn.read_to_string(&mut back).await?;
                assert_eq!(back, msg);
                Ok(())
            });
        }
        sim.run().expect("simulation");
    });
    for (i, tape) in tapes.iter().enumerate() {
        tape.assert_written(format!("hello from {i}\n"));
    }
}
