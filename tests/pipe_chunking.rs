//! Fault knobs per end and per direction, and seeded random chunking: sizes
//! within the range, `Pending` at random on the async doors, the same chunks
//! for the same seed, and a real short-read bug found with it.

mod support;

use std::io::{self, BufRead, BufReader, Read, Write};

use pipetap::{Chunking, PipeBuilder, PipeEnd};
use rstest::rstest;
use support::watchdog;

/// The sizes of successive reads of `total` buffered bytes into a 64-byte
/// buffer.
fn read_sizes(reader: &mut PipeEnd, total: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut buf = [0; 64];
    let mut left = total;
    while left > 0 {
        let n = reader.read(&mut buf).unwrap();
        sizes.push(n);
        left -= n;
    }
    sizes
}

#[test]
fn knobs_on_one_end_leave_the_other_alone() {
    let (mut client, mut server) = pipetap::pipe();
    client
        .set_read_chunking(Some(Chunking::sizes(1..=16)))
        .unwrap();
    server.write_all(&[1; 640]).unwrap();
    let sizes = read_sizes(&mut client, 640);
    assert!(sizes.iter().all(|n| (1..=16).contains(n)), "{sizes:?}");
    client.write_all(&[2; 640]).unwrap();
    assert_eq!(
        read_sizes(&mut server, 640),
        vec![64; 10],
        "the server reads whole"
    );
    // And off again, while in use.
    client.set_read_chunking(None).unwrap();
    server.write_all(&[3; 64]).unwrap();
    assert_eq!(client.read(&mut [0; 64]).unwrap(), 64);
}

#[test]
fn write_chunking_splits_writes_within_the_range() {
    let (mut a, _b) = pipetap::pipe();
    a.set_write_chunking(Some(Chunking::sizes(3..=5))).unwrap();
    let sizes: Vec<usize> = (0..100).map(|_| a.write(&[0; 64]).unwrap()).collect();
    assert!(sizes.iter().all(|n| (3..=5).contains(n)), "{sizes:?}");
    assert!(
        (3..=5).all(|n| sizes.contains(&n)),
        "every size shows up: {sizes:?}"
    );
}

#[test]
fn chunking_never_exceeds_max_read_len() {
    let (mut a, mut b) = PipeBuilder::new()
        .max_read_len(2)
        .chunking(Chunking::sizes(1..=16))
        .build();
    a.write_all(&[0; 100]).unwrap();
    assert!(read_sizes(&mut b, 100).iter().all(|&n| n <= 2));
}

#[rstest]
fn the_same_seed_gives_the_same_chunks(#[values(1, 7, 0xDEAD_BEEF)] seed: u64) {
    let run = |seed| {
        let (mut a, mut b) = PipeBuilder::new()
            .chunking(Chunking::sizes(1..=16))
            .seed(seed)
            .build();
        let writes: Vec<usize> = (0..20).map(|_| a.write(&[0; 64]).unwrap()).collect();
        let total = writes.iter().sum();
        (writes, read_sizes(&mut b, total))
    };
    assert_eq!(run(seed), run(seed));
    assert_ne!(run(seed), run(seed + 1));
}

#[cfg(feature = "tokio")]
#[test]
fn pending_at_random_on_the_async_doors_only() {
    use std::task::{Context, Poll};
    let (mut a, mut b) = PipeBuilder::new()
        .chunking(Chunking::sizes(64..=64).with_pending(50))
        .seed(11)
        .build();
    a.write_all(&[0; 64 * 1000]).unwrap();
    let (woken, waker) = support::wakers::CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut pendings = 0;
    let mut reads = 0;
    while reads < 500 {
        match tokio::io::AsyncRead::poll_read(
            std::pin::Pin::new(&mut b),
            &mut cx,
            &mut tokio::io::ReadBuf::new(&mut [0; 64]),
        ) {
            Poll::Pending => pendings += 1,
            Poll::Ready(r) => {
                r.unwrap();
                reads += 1;
            }
        }
    }
    assert!((150..350).contains(&pendings), "about half: {pendings}");
    assert_eq!(woken.count(), pendings, "every Pending wakes its task");
    // Blocking reads never see it.
    for _ in 0..400 {
        assert_eq!(b.read(&mut [0; 64]).unwrap(), 64);
    }
}

// ---- a real bug: a mini-Redis client that reads a bulk string with one `read` ----

/// Reads one RESP bulk string (`$<len>\r\n<bytes>\r\n`). `buggy` reads the
/// body with a single `read`, assuming it all arrives at once.
fn read_bulk(conn: &mut BufReader<PipeEnd>, buggy: bool) -> io::Result<Vec<u8>> {
    let mut header = String::new();
    conn.read_line(&mut header)?;
    let len: usize = header
        .trim_end()
        .strip_prefix('$')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, header.clone()))?;
    let mut body = vec![0; len + 2];
    if buggy {
        let n = conn.read(&mut body)?;
        body.truncate(n);
    } else {
        conn.read_exact(&mut body)?;
    }
    if !body.ends_with(b"\r\n") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bulk string cut short: {} of {} bytes", body.len(), len + 2),
        ));
    }
    body.truncate(len);
    Ok(body)
}

/// `GET key` against a scripted reply, with the client's reads chunked at
/// random from `seed`.
fn get(seed: u64, buggy: bool) -> io::Result<Vec<u8>> {
    let value = b"a value of forty bytes, give or take..".to_vec();
    let (client, mut server) = PipeBuilder::new().seed(seed).build();
    client
        .set_read_chunking(Some(Chunking::sizes(1..=16)))
        .unwrap();
    let mut client = BufReader::with_capacity(64, client);
    client
        .get_mut()
        .write_all(b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")?;
    let mut request = [0; 22];
    server.read_exact(&mut request)?;
    server.write_all(format!("${}\r\n", value.len()).as_bytes())?;
    server.write_all(&value)?;
    server.write_all(b"\r\n")?;
    let got = read_bulk(&mut client, buggy)?;
    assert_eq!(got, value);
    Ok(got)
}

#[test]
fn random_chunking_finds_the_short_read_bug_and_its_seed_replays_it() {
    watchdog(|| {
        // Without chunking the bug hides: one read gets the whole body.
        let (client, mut server) = pipetap::pipe();
        let mut client = BufReader::new(client);
        server.write_all(b"$3\r\nabc\r\n").unwrap();
        assert_eq!(read_bulk(&mut client, true).unwrap(), b"abc");
        // With chunking in 1..=16 it shows up within a few seeds...
        let failing = (0..50)
            .find(|&seed| get(seed, true).is_err())
            .expect("random chunking finds the short read");
        let err = get(failing, true).unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
        // ... the seed replays it exactly, every time ...
        for _ in 0..5 {
            assert_eq!(get(failing, true).unwrap_err().to_string(), err.to_string());
        }
        // ... and the fixed client passes on every seed.
        for seed in 0..200 {
            get(seed, false).unwrap();
        }
    });
}
