use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
fn main() {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let data = [7u8; 64];
    let mut buf = [0u8; 64];
    let n: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(5_000_000);
    for round in 0..3 {
        let (mut a, mut b) = pipetap::pipe();
        let t = Instant::now();
        for _ in 0..n {
            let Poll::Ready(Ok(_)) =
                tokio::io::AsyncWrite::poll_write(Pin::new(&mut a), &mut cx, &data)
            else {
                panic!()
            };
            let mut rb = tokio::io::ReadBuf::new(&mut buf);
            let Poll::Ready(Ok(())) =
                tokio::io::AsyncRead::poll_read(Pin::new(&mut b), &mut cx, &mut rb)
            else {
                panic!()
            };
        }
        let p = t.elapsed() / n;
        let (mut a, mut b) = tokio::io::duplex(65536);
        let t = Instant::now();
        for _ in 0..n {
            let Poll::Ready(Ok(_)) =
                tokio::io::AsyncWrite::poll_write(Pin::new(&mut a), &mut cx, &data)
            else {
                panic!()
            };
            let mut rb = tokio::io::ReadBuf::new(&mut buf);
            let Poll::Ready(Ok(())) =
                tokio::io::AsyncRead::poll_read(Pin::new(&mut b), &mut cx, &mut rb)
            else {
                panic!()
            };
        }
        println!(
            "round {round}: pipetap {:?} tokio {:?} per write+read",
            p,
            t.elapsed() / n
        );
    }
}
