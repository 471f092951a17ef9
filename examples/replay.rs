//! Record once against the real thing, replay everywhere without it.
//!
//! 1. A small real server (a key-value store speaking a line protocol) runs
//!    on a thread; the client under test talks to it over a pipe, recorded
//!    in both directions, and the transcript is saved to
//!    `examples/tapes/kv.tape` (commit it next to your tests) unless the file
//!    already holds the same session.
//! 2. The same client then runs against `Script::from_file`: no server, the
//!    script plays its side and checks every byte the client writes.
//!
//! Run with `cargo run --example replay`.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use pipetap::{RecordExt, Script};

/// The code under test: sets a key, reads it back, says goodbye.
fn client<C: Read + Write>(conn: C) -> io::Result<String> {
    let mut conn = BufReader::new(conn);
    let mut line = String::new();
    conn.read_line(&mut line)?; // the greeting
    writeln!(conn.get_mut(), "SET city Lisbon")?;
    line.clear();
    conn.read_line(&mut line)?; // OK
    writeln!(conn.get_mut(), "GET city")?;
    line.clear();
    conn.read_line(&mut line)?;
    let value = line.trim_end().to_owned();
    writeln!(conn.get_mut(), "QUIT")?;
    Ok(value)
}

/// The real server.
fn server(conn: pipetap::PipeEnd) -> io::Result<()> {
    let mut store = HashMap::new();
    let mut conn = BufReader::new(conn);
    conn.get_mut().write_all(b"+kv ready\n")?;
    let mut line = String::new();
    while conn.read_line(&mut line)? > 0 {
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words.as_slice() {
            ["SET", key, value] => {
                store.insert(key.to_string(), value.to_string());
                "+OK\n".to_owned()
            }
            ["GET", key] => match store.get(*key) {
                Some(value) => format!("${value}\n"),
                None => "-not found\n".to_owned(),
            },
            ["QUIT"] => break,
            _ => "-what?\n".to_owned(),
        };
        conn.get_mut().write_all(reply.as_bytes())?; // one write per reply
        line.clear();
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/tapes/kv.tape");

    // 1. Record against the real server.
    let (client_end, server_end) = pipetap::pipe();
    let real = std::thread::spawn(move || server(server_end));
    let (conn, tape) = client_end.record();
    let live = client(conn.record_reads())?;
    real.join().expect("server thread")?;
    // Keep the committed transcript unless the session changed (compared
    // turn by turn, so where reads happened to split does not count).
    if tape.try_assert_matches_file(&path).is_err() {
        tape.save(&path)?;
        // The failed comparison left kv.tape.new beside it for review; the
        // file is saved now, so comparing again passes and removes it.
        tape.assert_matches_file(&path);
    }
    println!("recorded against the real server: {live:?}");
    println!(
        "saved {}:\n{}",
        path.display(),
        std::fs::read_to_string(&path)?
    );

    // 2. Replay without it.
    let (conn, peer) = Script::from_file(&path)?.build();
    let replayed = client(conn)?;
    peer.finish(); // every step ran, every written byte matched
    println!("replayed without the server: {replayed:?}");
    assert_eq!(replayed, live);
    Ok(())
}
