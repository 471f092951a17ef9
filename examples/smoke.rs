use std::io::{Read, Write};
fn main() {
    let (mut a, mut b) = pipetap::PipeBuilder::new().capacity(0).build();
    let t = std::thread::spawn(move || {
        let mut got = Vec::new();
        b.read_to_end(&mut got).unwrap();
        got.len()
    });
    let data = vec![7u8; 1 << 20];
    a.write_all(&data).unwrap();
    drop(a);
    println!("{}", t.join().unwrap());
    let (a, b) = pipetap::pipe();
    let t0 = std::time::Instant::now();
    let n = 100_000;
    let t = std::thread::spawn(move || {
        let mut b = b;
        let mut buf = [0u8; 64];
        for _ in 0..n {
            b.read_exact(&mut buf).unwrap();
            b.write_all(&buf).unwrap();
        }
    });
    let mut a = a;
    let mut buf = [0u8; 64];
    for _ in 0..n {
        a.write_all(&buf).unwrap();
        a.read_exact(&mut buf).unwrap();
    }
    t.join().unwrap();
    println!("rt {:?}", t0.elapsed() / n);
    println!("{a:?}");
}
