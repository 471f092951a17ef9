//! A net's tapes saved into a folder and replayed with no listener:
//! `Net::save_tapes` and `Net::replay_dir`, each address from its own files.

mod support;

use std::io::{ErrorKind, Read, Write};

use pipetap::Net;
use support::watchdog;

/// One exchange over a fresh connection to `addr`: `ask` then `reply`.
fn exchange(net: &Net, listener: &pipetap::Listener, addr: &str, ask: &str, reply: &str) {
    let mut client = net.connect_blocking(addr).unwrap();
    client.write_all(ask.as_bytes()).unwrap();
    let mut server = listener.accept_blocking().unwrap();
    let mut got = vec![0; ask.len()];
    server.read_exact(&mut got).unwrap();
    server.write_all(reply.as_bytes()).unwrap();
    let mut back = vec![0; reply.len()];
    client.read_exact(&mut back).unwrap();
}

fn ask(net: &Net, addr: &str, ask: &str) -> std::io::Result<String> {
    let mut conn = net.connect_blocking(addr)?;
    conn.write_all(ask.as_bytes())?;
    let mut reply = String::new();
    conn.read_to_string(&mut reply)?;
    Ok(reply)
}

#[test]
fn each_address_replays_from_its_own_files() {
    watchdog(|| {
        let dir = tempfile::tempdir().unwrap();
        let net = Net::new().record_connections();
        let db = net.listen("db:5432").unwrap();
        let api = net.listen("API:80").unwrap();
        exchange(&net, &db, "db:5432", "SELECT 1\n", "1\n");
        exchange(&net, &api, "api:80", "GET /a\n", "a\n");
        exchange(&net, &db, "db:5432", "SELECT 2\n", "2\n");
        net.save_tapes(dir.path()).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(files, ["api_80-1.tape", "db_5432-1.tape", "db_5432-2.tape"]);

        let (replay, peers) = Net::replay_dir(dir.path()).unwrap();
        // The order across addresses is free; within one, it is the recorded one.
        assert_eq!(ask(&replay, "api:80", "GET /a\n").unwrap(), "a\n");
        assert_eq!(ask(&replay, "db:5432", "SELECT 1\n").unwrap(), "1\n");
        assert_eq!(ask(&replay, "DB:5432", "SELECT 2\n").unwrap(), "2\n");
        let unknown = replay.connect_blocking("cache:6379").unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::ConnectionRefused);
        assert!(
            unknown
                .to_string()
                .contains(r#"listening: "api:80", "db:5432""#),
            "{unknown}"
        );
        peers.finish();
    });
}

#[test]
fn a_connection_beyond_an_address_s_files_and_a_script_that_never_ran_are_reported() {
    watchdog(|| {
        let dir = tempfile::tempdir().unwrap();
        let net = Net::new().record_connections();
        let db = net.listen("db:5432").unwrap();
        let api = net.listen("api:80").unwrap();
        exchange(&net, &db, "db:5432", "SELECT 1\n", "1\n");
        exchange(&net, &api, "api:80", "GET /a\n", "a\n");
        net.save_tapes(dir.path()).unwrap();

        let (replay, peers) = Net::replay_dir(dir.path()).unwrap();
        assert_eq!(ask(&replay, "db:5432", "SELECT 1\n").unwrap(), "1\n");
        let err = ask(&replay, "db:5432", "SELECT 1\n").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(
            err.to_string()
                .contains("connection db:5432#2: no script is left"),
            "{err}"
        );
        let verdict = peers.try_finish().unwrap_err();
        let message = verdict.to_string();
        assert!(
            message.starts_with(
                r#"replay through scripted net ("api:80", "db:5432") failed (2 problems with 2 scripts):"#
            ),
            "{message}"
        );
        assert_eq!(verdict.beyond_last(), ["db:5432#2"]);
        assert_eq!(verdict.never_ran(), 1);
        assert!(message.contains("api_80-1.tape"), "{message}");
    });
}

#[test]
fn save_tapes_and_replay_dir_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let err = Net::new().save_tapes(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("record_connections"), "{err}");

    let err = Net::replay_dir(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    std::fs::write(dir.path().join("api-1.tape"), "pipetap-tape v1\n> \"x\"\n").unwrap();
    let err = Net::replay_dir(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("api-N.tape is not named after an address"),
        "{err}"
    );
}

/// One hyper-util client reaches two services by URL, recorded over a net
/// and replayed from the folder with no app at all.
#[cfg(all(feature = "axum", feature = "hyper"))]
#[test]
fn one_client_replays_two_services_by_url() {
    use axum::routing::get;
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    async fn calls(net: &Net) -> Vec<String> {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build::<_, Empty<Bytes>>(net.clone());
        let mut out = Vec::new();
        for url in ["http://users/u/1", "http://orders/o/2", "http://users/u/3"] {
            let response = client.get(url.parse().unwrap()).await.unwrap();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            out.push(String::from_utf8(body.to_vec()).unwrap());
        }
        out
    }

    support::tokio_watchdog(|| async {
        let dir = tempfile::tempdir().unwrap();
        let net = Net::new().record_connections();
        let users = net.listen("users:80").unwrap();
        let orders = net.listen("orders:80").unwrap();
        tokio::spawn(async move {
            axum::serve(
                users,
                axum::Router::new().route("/u/{id}", get(|| async { "user" })),
            )
            .await
        });
        tokio::spawn(async move {
            axum::serve(
                orders,
                axum::Router::new().route("/o/{id}", get(|| async { "order" })),
            )
            .await
        });
        assert_eq!(calls(&net).await, ["user", "order", "user"]);
        net.save_tapes(dir.path()).unwrap();

        let (replay, peers) = Net::replay_dir(dir.path()).unwrap();
        assert_eq!(calls(&replay).await, ["user", "order", "user"]);
        peers.finished().await.unwrap();
    });
}
