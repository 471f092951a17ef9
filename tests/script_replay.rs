//! Record, then replay: record the code under test against a real peer,
//! save the tape, replay it with `Script::from_file`, and the code gets the
//! same answers with no peer at all; the script finishes clean.

mod support;

use std::io::{BufRead, BufReader, Write};

use pipetap::{RecordExt, Script};

/// A file in a temporary folder of its own, removed when it is dropped.
fn temp(name: &str) -> support::temp::TempFile {
    support::temp::temp_file(name)
}

#[test]
fn from_tape_merges_adjacent_events_of_one_kind() {
    let (client, mut server) = pipetap::pipe();
    let (conn, tape) = client.record();
    let mut conn = conn.record_reads();
    conn.write_all(b"GE").unwrap();
    conn.write_all(b"T\n").unwrap();
    server.write_all(b"A").unwrap();
    let mut one = [0; 1];
    std::io::Read::read_exact(&mut conn, &mut one).unwrap();
    server.write_all(b"B\n").unwrap();
    let mut two = [0; 2];
    std::io::Read::read_exact(&mut conn, &mut two).unwrap();
    assert_eq!(tape.events().len(), 4);
    let script = Script::from_tape(&tape);
    assert_eq!(script, Script::new().write(b"GET\n").read(b"AB\n"));
}

// ---- a blocking line protocol ----

/// The code under test: a blocking key-value client.
fn get_all<C: std::io::Read + Write>(conn: C, keys: &[&str]) -> std::io::Result<Vec<String>> {
    let mut conn = BufReader::new(conn);
    let mut values = Vec::new();
    for key in keys {
        writeln!(conn.get_mut(), "GET {key}")?;
        let mut line = String::new();
        conn.read_line(&mut line)?;
        values.push(line.trim_end().to_owned());
    }
    writeln!(conn.get_mut(), "QUIT")?;
    Ok(values)
}

/// A real server for it, on a thread.
fn serve_lines(conn: pipetap::PipeEnd) {
    let mut conn = BufReader::new(conn);
    let mut line = String::new();
    while conn.read_line(&mut line).unwrap() > 0 {
        match line.trim_end().split_once(' ') {
            Some(("GET", key)) => writeln!(conn.get_mut(), "VALUE {}", key.to_uppercase()).unwrap(),
            _ => break,
        }
        line.clear();
    }
}

#[test]
fn a_blocking_line_client_replays_from_a_tape_file() {
    support::watchdog(|| {
        let keys = ["alpha", "beta", "gamma"];
        let (client, server) = pipetap::pipe();
        let server = std::thread::spawn(move || serve_lines(server));
        let (conn, tape) = client.record();
        let live = get_all(conn.record_reads(), &keys).unwrap();
        server.join().unwrap();
        assert_eq!(live, ["VALUE ALPHA", "VALUE BETA", "VALUE GAMMA"]);

        let path = temp("lines.tape");
        tape.save(&path).unwrap();
        let (conn, peer) = Script::from_file(&path).unwrap().build();
        let replayed = get_all(conn, &keys).unwrap();
        assert_eq!(replayed, live);
        peer.finish();

        // A client that asks for something else fails the replay, naming
        // the file and the step.
        let (conn, peer) = Script::from_file(&path).unwrap().build();
        assert!(get_all(conn, &["alpha", "delta"]).is_err());
        let message = peer.try_finish().unwrap_err().to_string();
        assert!(
            message.starts_with(&format!(
                "script {:?} failed at step 3 of 7 (write \"GET beta\\n\"",
                path.display().to_string()
            )),
            "{message}"
        );
    });
}

// ---- hyper 1.x, client and server ----

#[cfg(feature = "tokio")]
mod http {
    use std::convert::Infallible;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty, Full};
    use hyper::body::Incoming;
    use hyper::{Request, Response};
    use hyper_util::rt::TokioIo;
    use pipetap::{RecordExt, Script};

    /// The code under test: a hyper client that fetches one page.
    async fn fetch<C>(conn: C) -> (u16, Vec<(String, String)>, Bytes)
    where
        C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(conn))
            .await
            .unwrap();
        let driver = tokio::spawn(connection);
        let request = Request::get("/greeting")
            .header("host", "example.test")
            .body(Empty::<Bytes>::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        drop(sender);
        driver.await.unwrap().unwrap();
        (status, headers, body)
    }

    async fn greet(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        Ok(Response::builder()
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from_static(b"hello from the real server")))
            .unwrap())
    }

    #[test]
    fn a_hyper_client_replays_a_recorded_hyper_server() {
        super::support::tokio_watchdog(|| async {
            let (client, server) = pipetap::pipe();
            let server = tokio::spawn(async move {
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(server), hyper::service::service_fn(greet))
                    .await
            });
            let (conn, tape) = client.record();
            let live = fetch(conn.record_reads()).await;
            server.await.unwrap().unwrap();
            assert_eq!(live.0, 200);
            assert_eq!(&live.2[..], b"hello from the real server");

            let path = super::temp("hyper.tape");
            tape.save(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains("> \"GET /greeting HTTP/1.1\\r\\n\"\n"),
                "{text}"
            );
            assert!(text.contains("< \"HTTP/1.1 200 OK\\r\\n\"\n"), "{text}");

            // No server now: the script plays it.
            let (conn, peer) = Script::from_file(&path).unwrap().build();
            let replayed = fetch(conn).await;
            assert_eq!(
                replayed, live,
                "same status, headers (date included) and body"
            );
            peer.finished().await.unwrap();
            tape.assert_matches_file(&path);
        });
    }
}
