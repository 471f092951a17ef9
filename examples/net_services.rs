//! Two services on one in-memory network, no ports: an axum "api" that calls
//! an axum "users" service by URL (`http://users/users`) through hyper-util's
//! client, both served with `axum::serve` over listeners of a `pipetap::Net`,
//! and called from outside by URL too. Then "users" is taken down (its
//! connections reset, connects refused) and the api answers 503; brought up,
//! the api recovers. Every connection is recorded and printed by address.
//!
//! Run it with `cargo run --example net_services --features axum,hyper`.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pipetap::{Listener, Net};

type HttpClient = Client<Net, Empty<Bytes>>;

/// The "users" service.
fn users() -> Router {
    Router::new().route("/users", get(|| async { "ann, bob" }))
}

/// The "api" service: lists the users it gets from "users", or says 503.
fn api(users: HttpClient) -> Router {
    async fn list(State(users): State<HttpClient>) -> (StatusCode, String) {
        let answer = async {
            let response = users.get("http://users/users".parse()?).await?;
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(body)
        };
        match answer.await {
            Ok(body) => (
                StatusCode::OK,
                format!("users: {}", String::from_utf8_lossy(&body)),
            ),
            Err(e) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("users unreachable: {e}"),
            ),
        }
    }
    Router::new().route("/", get(list)).with_state(users)
}

/// Serves `app` on `listener` until `stop` fires.
fn serve(
    listener: Listener,
    app: Router,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        let mut stop = stop;
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop.changed().await.ok();
            })
            .await
    })
}

async fn call(
    client: &HttpClient,
    url: &str,
) -> Result<(StatusCode, String), Box<dyn std::error::Error>> {
    let response = client.get(url.parse()?).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let net = Net::new().record_connections();
    let client = || -> HttpClient { Client::builder(TokioExecutor::new()).build(net.clone()) };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let servers = [
        serve(net.listen("users:80")?, users(), stopped.clone()),
        serve(net.listen("api:80")?, api(client()), stopped),
    ];
    let outside = client();

    let (status, body) = call(&outside, "http://api/").await?;
    println!("GET http://api/ -> {status} {body}");
    assert_eq!((status, body.as_str()), (StatusCode::OK, "users: ann, bob"));

    net.down("users:80")?;
    println!("net.down(\"users:80\")");
    let (status, body) = call(&outside, "http://api/").await?;
    println!("GET http://api/ -> {status} {body}");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    net.up("users:80")?;
    println!("net.up(\"users:80\")");
    let (status, body) = call(&outside, "http://api/").await?;
    println!("GET http://api/ -> {status} {body}");
    assert_eq!((status, body.as_str()), (StatusCode::OK, "users: ann, bob"));

    println!("--- every connection on the net, in connect order ---");
    for tape in net.tapes() {
        let sent = tape.to_string_lossy();
        let first_line = sent.lines().next().unwrap_or("");
        let label = tape.label().unwrap_or_default();
        println!("{label:<12} {first_line:?} ({} bytes sent)", tape.len());
    }
    println!("{net:?}");

    stop.send(true)?;
    drop(outside);
    for server in servers {
        tokio::time::timeout(Duration::from_secs(5), server).await???;
    }
    Ok(())
}
