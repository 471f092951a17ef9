//! A scripted peer vs a hand-written peer thread: 1,000 request/response
//! steps, 64 B each way, over a default pipe; and the same exchange as a
//! script of templates (each request's first 8 bytes kept by a named hole
//! and sent back at the start of its response).
//!
//! Both sides start a thread per run; the script's steps are made in the
//! (unmeasured) setup, so the figure is what running a built script costs
//! next to the same exchange with a peer written by hand.

use std::hint::black_box;
use std::io::{Read, Write};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pipetap::Script;

const STEPS: usize = 1_000;
const SIZE: usize = 64;

fn request(i: usize) -> [u8; SIZE] {
    [i as u8; SIZE]
}

fn response(i: usize) -> [u8; SIZE] {
    [!(i as u8); SIZE]
}

/// The code under test: writes a request, reads the response, 1,000 times.
fn client(mut conn: pipetap::PipeEnd) -> pipetap::PipeEnd {
    let mut buf = [0u8; SIZE];
    for i in 0..STEPS {
        conn.write_all(&request(i)).unwrap();
        conn.read_exact(&mut buf).unwrap();
        black_box(&buf);
    }
    conn
}

fn exchange(c: &mut Criterion) {
    let mut group = c.benchmark_group("request_response_1000x64B");
    group.throughput(Throughput::Elements(STEPS as u64));

    group.bench_function("hand_written_peer", |b| {
        b.iter(|| {
            let (conn, mut server) = pipetap::pipe();
            let peer = std::thread::spawn(move || {
                let mut buf = [0u8; SIZE];
                for i in 0..STEPS {
                    server.read_exact(&mut buf).unwrap();
                    assert_eq!(buf, request(i));
                    server.write_all(&response(i)).unwrap();
                }
            });
            drop(client(conn));
            peer.join().unwrap();
        });
    });

    group.bench_function("script", |b| {
        b.iter_batched(
            || (0..STEPS).fold(Script::new(), |s, i| s.write(request(i)).read(response(i))),
            |script| {
                let (conn, peer) = script.build();
                let conn = client(conn);
                peer.finish();
                drop(conn);
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("script_of_templates", |b| {
        b.iter_batched(
            || {
                (0..STEPS).fold(Script::new(), |s, i| {
                    let mut write = format!("{{{{id{i}:8}}}}").into_bytes();
                    escape(&mut write, &request(i)[8..]);
                    let mut read = format!("{{{{id{i}}}}}").into_bytes();
                    escape(&mut read, &response(i)[8..]);
                    s.write_template(write).read_template(read)
                })
            },
            |script| {
                let (conn, peer) = script.build();
                let conn = client(conn);
                peer.finish();
                drop(conn);
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// Appends `bytes` to a template as literal bytes (`{{` is `{{{{`).
fn escape(template: &mut Vec<u8>, bytes: &[u8]) {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            template.extend_from_slice(b"{{{{");
            i += 2;
        } else {
            template.push(bytes[i]);
            i += 1;
        }
    }
}

criterion_group!(benches, exchange);
criterion_main!(benches);
