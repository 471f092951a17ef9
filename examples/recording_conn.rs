//! A client and a server talking over a connection, the client's side
//! recorded, then assertions on exactly what the client sent and received.
//!
//! This is the classic Go test set-up (`net.Pipe()` plus a wrapper that
//! records), in Rust: the two ends of a `pipetap::pipe()`, the client's end
//! wrapped in a `Recording`. The same `record()` works on a `TcpStream`, a
//! TLS stream or a mock.
//!
//! Run it with `cargo run --example recording_conn`.

use std::io::{self, BufRead, BufReader, Write};
use std::thread;
use std::time::Duration;

use pipetap::RecordExt;

/// The code under test: a tiny line-based client. It knows nothing about
/// recording; it takes any connection.
fn greet<C: io::Read + Write>(conn: C, name: &str) -> io::Result<String> {
    let mut conn = BufReader::new(conn);
    conn.get_mut()
        .write_all(format!("HELLO {name}\r\n").as_bytes())?;
    let mut reply = String::new();
    conn.read_line(&mut reply)?;
    conn.get_mut().write_all(b"QUIT\r\n")?;
    Ok(reply.trim_end().to_owned())
}

/// The other end: answers HELLO with a greeting, stops at QUIT.
fn serve<C: io::Read + Write>(conn: C) -> io::Result<()> {
    let mut conn = BufReader::new(conn);
    let mut line = String::new();
    while conn.read_line(&mut line)? > 0 {
        match line.trim_end().split_once(' ') {
            Some(("HELLO", name)) => conn
                .get_mut()
                .write_all(format!("+OK welcome, {name}\r\n").as_bytes())?,
            _ if line.trim_end() == "QUIT" => break,
            _ => conn.get_mut().write_all(b"-ERR unknown command\r\n")?,
        }
        line.clear();
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let (client_end, server_end) = pipetap::pipe();

    // Wrap the client's end: `conn` goes to the code under test, `tape` stays here.
    let (conn, tape) = client_end.record();
    let conn = conn.record_reads();

    let server = thread::spawn(move || serve(server_end));
    let client = thread::spawn(move || greet(conn, "gopher"));

    let reply = client.join().expect("client thread panicked")?;
    server.join().expect("server thread panicked")?;
    println!("client got: {reply}");

    // Exactly what went over the wire, write by write.
    tape.assert_writes(["HELLO gopher\r\n", "QUIT\r\n"]);
    tape.assert_written(b"HELLO gopher\r\nQUIT\r\n");
    tape.assert_read(b"+OK welcome, gopher\r\n");
    // Already there, so this returns at once; in a test that races with the
    // client it would block until the bytes arrive.
    tape.wait_for_blocking("QUIT\r\n", Duration::from_secs(5))?;

    println!("recorded events:");
    for event in tape.events() {
        println!("  {event:?}");
    }

    // A failing assertion explains itself; here we only print the message.
    if let Err(mismatch) = tape.try_assert_written(b"HELLO gopher\nQUIT\n") {
        println!("\nwhat a failed assertion would print:\n{mismatch}");
    }
    Ok(())
}
