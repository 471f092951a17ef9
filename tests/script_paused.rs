//! A scripted peer under tokio's paused clock: the peer's thread holds the
//! clock back while it has work in hand, so a timeout in the code under test
//! that is longer than the script's waits before the reply never fires
//! first, and a shorter one always does. Each case repeats the exchange
//! 1,000 times; one wrong outcome fails it.
#![cfg(feature = "tokio")]

mod support;

use std::time::Duration;

use pipetap::Script;
use rstest::rstest;
use support::Door;

/// Times each case runs the exchange.
const REPEAT: usize = 1_000;

const ASK: &[u8] = b"ask\n";

/// What the code under test saw first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Reply,
    TimedOut,
}

/// One exchange: the code writes `ASK` and reads the reply under a tokio
/// `timeout`; the script waits `waits` (one step each) before replying.
/// After a timeout the code reads the reply anyway, so the script ends.
async fn exchange(door: Door, waits: &[Duration], reply: &[u8], timeout: Duration) -> Outcome {
    let mut script = Script::new().write(ASK);
    for &wait in waits {
        script = script.wait(wait);
    }
    let (mut conn, peer) = script.read(reply).build();
    door.write_all(&mut conn, ASK).await.unwrap();
    let mut got = vec![0; reply.len()];
    let outcome = match tokio::time::timeout(timeout, door.read_exact(&mut conn, &mut got)).await {
        Ok(read) => {
            read.unwrap();
            Outcome::Reply
        }
        Err(_) => {
            door.read_exact(&mut conn, &mut got).await.unwrap();
            Outcome::TimedOut
        }
    };
    assert!(got == reply, "the reply arrived changed");
    peer.finished().await.unwrap();
    outcome
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[rstest]
#[case::no_wait_small(&[], 16, 1, Outcome::Reply)]
#[case::no_wait_1mib(&[], 1 << 20, 1, Outcome::Reply)]
#[case::wait_small(&[10], 16, 20, Outcome::Reply)]
#[case::wait_1mib(&[10], 1 << 20, 20, Outcome::Reply)]
#[case::two_waits(&[3, 4], 16, 8, Outcome::Reply)]
#[case::shorter_small(&[10], 16, 5, Outcome::TimedOut)]
#[case::shorter_1mib(&[10], 1 << 20, 5, Outcome::TimedOut)]
#[case::shorter_than_two_waits(&[3, 4], 16, 6, Outcome::TimedOut)]
fn a_timeout_in_the_code_under_test_fires_only_when_shorter(
    #[values(Door::Futures, Door::Tokio)] door: Door,
    #[case] waits: &'static [u64],
    #[case] reply_len: usize,
    #[case] timeout: u64,
    #[case] want: Outcome,
) {
    if !door.is_compiled() {
        return;
    }
    let waits: Vec<Duration> = waits.iter().map(|&s| secs(s)).collect();
    let timeout = secs(timeout);
    let reply = support::seeded_bytes(7, reply_len);
    support::watchdog_for(Duration::from_secs(120), move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(async move {
                let mut wrong = Vec::new();
                for i in 0..REPEAT {
                    let outcome = exchange(door, &waits, &reply, timeout).await;
                    if outcome != want {
                        wrong.push(i);
                    }
                }
                assert!(
                    wrong.is_empty(),
                    "{} of {REPEAT} exchanges saw {:?} first (runs {:?}...)",
                    wrong.len(),
                    if want == Outcome::Reply {
                        Outcome::TimedOut
                    } else {
                        Outcome::Reply
                    },
                    &wrong[..wrong.len().min(10)]
                );
            });
    });
}
