//! The deadlock verdict of `within` / `try_within`: a closure stuck in a
//! set of pipes that nothing can move again is reported at once, with who
//! waits on whom; anything that may still move is never called a deadlock
//! (the bound runs out as before, or the code finishes).
//!
//! Tests in this binary run at the same time: each names its pipes, and the
//! stuck pipes some of them leave behind must not disturb the others (that
//! is one of the cases).
// Drives the pipe through its futures door too.
#![cfg(feature = "futures")]

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use pipetap::{PipeBuilder, Script};

/// A bound no test here should come near: a verdict comes at once, and a
/// case that is not a deadlock finishes in about 300 ms.
const BOUND: Duration = Duration::from_secs(30);
/// How long a verdict may take at most, well under the bound.
const AT_ONCE: Duration = Duration::from_secs(3);
/// How long a busy side works before it writes.
const BUSY: Duration = Duration::from_millis(300);

/// Two threads, each owning one end, both read first.
#[test]
fn both_read_first_is_a_deadlock_reported_at_once() {
    let (a, b) = PipeBuilder::new().name("verdict-both-read").build();
    let _peer = thread::Builder::new()
        .name("verdict-peer".into())
        .spawn(move || {
            let mut b = b;
            b.read(&mut [0; 8])
        })
        .unwrap();
    let started = Instant::now();
    let report = pipetap::try_within(BOUND, move || {
        let mut a = a;
        a.read(&mut [0; 8])
    })
    .unwrap_err();
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert!(report.is_deadlock());
    let text = report.to_string();
    assert!(
        text.starts_with("deadlock: pipetap::try_within(30s) at tests/hang_verdict.rs:"),
        "{text}"
    );
    assert!(
        text.contains(
            "(the closure) reads end a of pipe \"verdict-both-read\" (nothing buffered) \
             and waits for b to write, which thread `verdict-peer` holds"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "thread `verdict-peer` reads end b of pipe \"verdict-both-read\" (nothing buffered) \
             and waits for a to write, which thread `"
        ),
        "{text}"
    );
}

/// `within` panics with the same report.
#[test]
fn within_panics_with_the_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-within").build();
    let _peer = thread::spawn(move || {
        let mut b = b;
        b.read(&mut [0; 8])
    });
    let started = Instant::now();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipetap::within(BOUND, move || {
            let mut a = a;
            a.read(&mut [0; 8])
        })
    }))
    .unwrap_err();
    assert!(started.elapsed() < AT_ONCE);
    let text = panic.downcast_ref::<String>().unwrap();
    assert!(
        text.starts_with("deadlock: pipetap::within(30s) at "),
        "{text}"
    );
}

/// Both write into full buffers.
#[test]
fn both_write_into_full_buffers_is_a_deadlock() {
    let (a, b) = PipeBuilder::new()
        .name("verdict-both-write")
        .capacity(4)
        .build();
    let _peer = thread::spawn(move || {
        let mut b = b;
        b.write_all(&[1; 16])
    });
    let report = pipetap::try_within(BOUND, move || {
        let mut a = a;
        a.write_all(&[2; 16])
    })
    .unwrap_err();
    let text = report.to_string();
    assert!(report.is_deadlock(), "{text}");
    assert!(
        text.contains("writes to end a of pipe \"verdict-both-write\" (buffer full, 4 bytes)"),
        "{text}"
    );
}

/// The code under test and a script both read: the script is on a `write`
/// step (it waits for the code to write), the code reads.
#[test]
fn a_thread_and_a_script_both_reading_is_a_deadlock() {
    let (conn, peer) = Script::new()
        .name("verdict-script")
        .write(b"PING\r\n")
        .read(b"+PONG\r\n")
        .build();
    let started = Instant::now();
    let report = pipetap::try_within(BOUND, move || {
        let mut conn = conn;
        conn.read(&mut [0; 8])
    })
    .unwrap_err();
    assert!(started.elapsed() < AT_ONCE);
    let text = report.to_string();
    assert!(report.is_deadlock(), "{text}");
    assert!(
        text.contains(
            "reads end code of pipe \"verdict-script\" (nothing buffered) and waits for \
             script to write, which script \"verdict-script\" (at step 1 of 2 (write)) holds"
        ),
        "{text}"
    );
    assert!(peer.try_finish_within(Duration::ZERO).is_err());
}

/// The peer works for a while, then writes: not a deadlock.
#[test]
fn a_side_that_sleeps_then_writes_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-sleeper").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        thread::sleep(BUSY);
        b.write_all(b"late")
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 4];
        a.read_exact(&mut buf).map(|()| buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"late");
    peer.join().unwrap().unwrap();
}

/// An end shared as `&PipeEnd`: one thread waits through it while another,
/// busy for a while, then writes through it. A wait through a shared
/// reference never counts.
#[test]
fn an_end_shared_by_reference_with_a_busy_thread_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-shared").build();
    let b = Arc::new(b);
    let reader = {
        let b = b.clone();
        thread::spawn(move || (&*b).read(&mut [0; 8]))
    };
    let writer = {
        let b = b.clone();
        thread::spawn(move || {
            thread::sleep(BUSY);
            (&*b).write_all(b"hi")
        })
    };
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 2];
        a.read_exact(&mut buf)?;
        a.write_all(b"bye")?;
        Ok::<_, std::io::Error>(buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    writer.join().unwrap().unwrap();
    assert_eq!(reader.join().unwrap().unwrap(), 3);
}

/// The peer's reading half waits, its idle writing half is held by another
/// thread that writes later.
#[test]
fn an_idle_write_half_held_elsewhere_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-idle-half").build();
    let (mut rb, mut wb) = b.into_split();
    let reader = thread::spawn(move || rb.read(&mut [0; 8]));
    let writer = thread::spawn(move || {
        thread::sleep(BUSY);
        wb.write_all(b"hi")
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 2];
        a.read_exact(&mut buf)?;
        a.write_all(b"ok")?;
        Ok::<_, std::io::Error>(buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    writer.join().unwrap().unwrap();
    assert_eq!(reader.join().unwrap().unwrap(), 2);
}

/// A read future polled once and dropped leaves its task's waker on the
/// pipe: a blocking `within` never counts a task, and the end's holder,
/// busy for a while, then writes.
#[test]
fn a_dropped_read_future_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-dropped-future").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        {
            let mut buf = [0; 8];
            let mut read = futures::AsyncReadExt::read(&mut b, &mut buf);
            let waker = futures::task::noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let poll = std::future::Future::poll(std::pin::Pin::new(&mut read), &mut cx);
            assert!(poll.is_pending());
        }
        thread::sleep(BUSY);
        std::io::Write::write_all(&mut b, b"hi")
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 2];
        a.read_exact(&mut buf).map(|()| buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    peer.join().unwrap().unwrap();
}

/// A stuck pipe of another test running at the same time (its two threads
/// read first for good) does not stop this test's `within`, whose own peer
/// is only slow.
#[test]
fn a_stuck_pipe_of_another_test_is_not_this_tests_deadlock() {
    // The other test: really stuck, and its own `try_within` says so.
    let (x, y) = PipeBuilder::new().name("verdict-other-test").build();
    let other = thread::Builder::new()
        .name("verdict-other-test".into())
        .spawn(move || {
            let _peer = thread::spawn(move || {
                let mut y = y;
                y.read(&mut [0; 8])
            });
            pipetap::try_within(BOUND, move || {
                let mut x = x;
                x.read(&mut [0; 8])
            })
            .map(|_| ())
        })
        .unwrap();
    let other = other.join().unwrap().unwrap_err();
    assert!(other.is_deadlock(), "{other}");
    // This test: its peer is slow, not stuck.
    let (a, b) = PipeBuilder::new().name("verdict-this-test").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        thread::sleep(BUSY);
        b.write_all(b"hi")
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 2];
        a.read_exact(&mut buf).map(|()| buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    peer.join().unwrap().unwrap();
}

/// A script in a `wait` step will send once the wait ends.
#[test]
fn a_script_in_a_wait_step_is_not_a_deadlock() {
    let (conn, peer) = Script::new()
        .name("verdict-script-wait")
        .wait(BUSY)
        .read(b"hi")
        .build();
    let got = pipetap::try_within(BOUND, move || {
        let mut conn = conn;
        let mut buf = [0; 2];
        conn.read_exact(&mut buf).map(|()| buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    peer.finish();
}

/// A deadline pending on the pipe ends the wait: the code sees `TimedOut`,
/// and it is not a deadlock.
#[test]
fn a_pending_deadline_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-deadline").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        b.read(&mut [0; 8])
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        a.set_read_deadline(Some(Instant::now() + BUSY))?;
        a.read(&mut [0; 8])
    })
    .expect("not a deadlock");
    assert_eq!(got.unwrap_err().kind(), ErrorKind::TimedOut);
    // The closure dropped `a`: the peer reads end-of-stream.
    assert_eq!(peer.join().unwrap().unwrap(), 0);
}

/// A per-call timeout is a timer too.
#[test]
fn a_read_timeout_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-timeout").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        b.read(&mut [0; 8])
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        a.set_read_timeout(Some(BUSY))?;
        a.read(&mut [0; 8])
    })
    .expect("not a deadlock");
    assert_eq!(got.unwrap_err().kind(), ErrorKind::TimedOut);
    assert_eq!(peer.join().unwrap().unwrap(), 0);
}

/// When the closure waits elsewhere (here on a thread it joins), the
/// verdict does not guess: the bound runs out as before.
#[test]
fn a_closure_that_waits_outside_pipetap_gets_no_verdict() {
    let (a, b) = PipeBuilder::new().name("verdict-join").build();
    let _peer = thread::spawn(move || {
        let mut b = b;
        b.read(&mut [0; 8])
    });
    let report = pipetap::try_within(Duration::from_millis(300), move || {
        thread::spawn(move || {
            let mut a = a;
            a.read(&mut [0; 8])
        })
        .join()
    })
    .unwrap_err();
    assert!(!report.is_deadlock(), "{report}");
    assert!(report
        .to_string()
        .starts_with("pipetap::try_within(300ms) at tests/hang_verdict.rs:"));
}

/// A `hold_for` pending on what the peer sent: the bytes arrive when it
/// runs out, so the reader is not stuck, even though the peer then reads.
#[test]
fn a_pending_hold_for_is_not_a_deadlock() {
    let (a, b) = PipeBuilder::new().name("verdict-hold-for").build();
    let peer = thread::spawn(move || {
        let mut b = b;
        b.hold_for(BUSY)?;
        b.write_all(b"hi")?;
        b.read(&mut [0; 8])
    });
    let got = pipetap::try_within(BOUND, move || {
        let mut a = a;
        let mut buf = [0; 2];
        a.read_exact(&mut buf).map(|()| buf)
    })
    .expect("not a deadlock");
    assert_eq!(&got.unwrap(), b"hi");
    assert_eq!(peer.join().unwrap().unwrap(), 0);
}

/// Tasks under a paused tokio clock: the verdict comes once tokio has
/// auto-advanced to the bound with nothing left to run.
#[cfg(feature = "tokio")]
mod paused_tokio {
    use std::thread;
    use std::time::{Duration, Instant};

    use pipetap::{PipeBuilder, Script};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::{AT_ONCE, BOUND, BUSY};

    /// Two tasks both read first.
    #[tokio::test(start_paused = true)]
    async fn both_tasks_read_first_is_a_deadlock_reported_at_once() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-tasks").build();
        let started = Instant::now();
        let report = pipetap::try_within_async(Duration::from_secs(60), async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            let got = a.read(&mut [0; 8]).await;
            let _ = peer.await;
            got
        })
        .await
        .unwrap_err();
        assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
        let text = report.to_string();
        assert!(report.is_deadlock(), "{text}");
        assert!(
            text.starts_with("deadlock: pipetap::try_within_async(60s) at tests/hang_verdict.rs:"),
            "{text}"
        );
        assert!(
            text.contains(
                "the bounded future's task reads end a of pipe \"verdict-tasks\" (nothing buffered) \
                 and waits for b to write, which a task holds"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "a task reads end b of pipe \"verdict-tasks\" (nothing buffered) and waits for a \
                 to write, which the bounded future's task holds"
            ),
            "{text}"
        );
    }

    /// `within_async(..).without_verdict()` waits out its bound.
    #[tokio::test(start_paused = true)]
    async fn without_verdict_waits_out_the_bound() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-tasks-waits").build();
        let report = pipetap::try_within_async(Duration::from_millis(300), async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            let got = a.read(&mut [0; 8]).await;
            let _ = peer.await;
            got
        })
        .without_verdict()
        .await
        .unwrap_err();
        assert!(!report.is_deadlock(), "{report}");
    }

    /// A chain across two pipes: the bounded task reads `a`; a proxy task
    /// copies between `b` and `c` (reading both); a server task reads `d`.
    #[tokio::test(start_paused = true)]
    async fn a_chain_across_two_pipes_is_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-chain-front").build();
        let (mut c, mut d) = PipeBuilder::new().name("verdict-chain-back").build();
        let report = pipetap::try_within_async(Duration::from_secs(60), async move {
            let proxy =
                tokio::spawn(async move { tokio::io::copy_bidirectional(&mut b, &mut c).await });
            let server = tokio::spawn(async move { d.read(&mut [0; 8]).await });
            let got = a.read(&mut [0; 8]).await;
            let _ = (proxy.await, server.await);
            got
        })
        .await
        .unwrap_err();
        let text = report.to_string();
        assert!(report.is_deadlock(), "{text}");
        for line in [
            "the bounded future's task reads end a of pipe \"verdict-chain-front\" (nothing buffered) and waits for b to write, which a task holds",
            "a task reads end b of pipe \"verdict-chain-front\" (nothing buffered) and waits for a to write, which the bounded future's task holds",
            "a task reads end a of pipe \"verdict-chain-back\" (nothing buffered) and waits for b to write, which a task holds",
            "a task reads end b of pipe \"verdict-chain-back\" (nothing buffered) and waits for a to write, which a task holds",
        ] {
            assert!(text.contains(line), "no {line:?} in:\n{text}");
        }
    }

    /// A task that sleeps (on tokio's clock) and then writes.
    #[tokio::test(start_paused = true)]
    async fn a_task_that_sleeps_then_writes_is_not_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-task-sleeper").build();
        let got = pipetap::try_within_async(BOUND, async move {
            let peer = tokio::spawn(async move {
                tokio::time::sleep(BUSY).await;
                b.write_all(b"hi").await
            });
            let mut buf = [0; 2];
            a.read_exact(&mut buf).await?;
            peer.await.unwrap()?;
            Ok::<_, std::io::Error>(buf)
        })
        .await
        .expect("not a deadlock");
        assert_eq!(&got.unwrap(), b"hi");
    }

    /// A task waits on a timer that fires after the bound (on tokio's
    /// clock), then writes: at the bound everything looks stuck, and the
    /// confirmation timer is what keeps it from being called a deadlock.
    #[tokio::test(start_paused = true)]
    async fn a_task_asleep_past_the_bound_is_not_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-past-bound").build();
        let got = pipetap::try_within_async(Duration::from_secs(60), async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            // The read is dropped after 10 ms of tokio time, and its waker
            // stays on the pipe: the task then sleeps past the bound.
            let timed_out = tokio::time::timeout(Duration::from_millis(10), a.read(&mut [0; 8]))
                .await
                .is_err();
            tokio::time::sleep(Duration::from_secs(90)).await;
            a.write_all(b"late").await?;
            Ok::<_, std::io::Error>((timed_out, peer.await.unwrap()?))
        })
        .await
        .expect("not a deadlock");
        assert_eq!(got.unwrap(), (true, 4));
    }

    /// A dropped read future leaves its waker on the pipe; the task then
    /// waits for a `spawn_blocking` thread (tokio counts it as work).
    #[tokio::test(start_paused = true)]
    async fn a_dropped_read_future_is_not_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-task-dropped").build();
        let got = pipetap::try_within_async(BOUND, async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            {
                let mut buf = [0; 8];
                let read = a.read(&mut buf);
                tokio::pin!(read);
                let poll = futures::poll!(read.as_mut());
                assert!(poll.is_pending());
            }
            tokio::task::spawn_blocking(|| thread::sleep(BUSY))
                .await
                .unwrap();
            a.write_all(b"hi").await?;
            peer.await.unwrap()
        })
        .await
        .expect("not a deadlock");
        assert_eq!(got.unwrap(), 2);
    }

    /// `select!` between a pipe read and a channel that another thread
    /// feeds (started with `spawn_blocking`, which tokio counts as work).
    #[tokio::test(start_paused = true)]
    async fn a_select_with_a_channel_fed_by_a_thread_is_not_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-select").build();
        let got = pipetap::try_within_async(BOUND, async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            let (tx, mut rx) = tokio::sync::mpsc::channel(1);
            let feeder = tokio::task::spawn_blocking(move || {
                thread::sleep(BUSY);
                tx.blocking_send(7u8)
            });
            let mut buf = [0; 8];
            let got = tokio::select! {
                r = a.read(&mut buf) => r.map(|_| 0),
                m = rx.recv() => Ok(m.unwrap()),
            };
            feeder.await.unwrap().unwrap();
            drop(a);
            let _ = peer.await;
            got
        })
        .await
        .expect("not a deadlock");
        assert_eq!(got.unwrap(), 7);
    }

    /// The same `select!` on a running clock with a plain thread: tasks
    /// never count there.
    #[tokio::test]
    async fn a_select_on_a_running_clock_is_not_a_deadlock() {
        let (mut a, mut b) = PipeBuilder::new().name("verdict-select-running").build();
        let got = pipetap::try_within_async(BOUND, async move {
            let peer = tokio::spawn(async move { b.read(&mut [0; 8]).await });
            let (tx, mut rx) = tokio::sync::mpsc::channel(1);
            let feeder = thread::spawn(move || {
                thread::sleep(BUSY);
                tx.blocking_send(7u8)
            });
            let mut buf = [0; 8];
            let got = tokio::select! {
                r = a.read(&mut buf) => r.map(|_| 0),
                m = rx.recv() => Ok(m.unwrap()),
            };
            feeder.join().unwrap().unwrap();
            drop(a);
            let _ = peer.await;
            got
        })
        .await
        .expect("not a deadlock");
        assert_eq!(got.unwrap(), 7);
    }

    /// A script in a `wait` step, built in the paused runtime.
    #[tokio::test(start_paused = true)]
    async fn a_script_in_a_wait_step_is_not_a_deadlock() {
        let (mut conn, peer) = Script::new()
            .name("verdict-task-script-wait")
            .wait(Duration::from_secs(90))
            .read(b"hi")
            .build();
        let got = pipetap::try_within_async(Duration::from_secs(60), async move {
            let mut buf = [0; 2];
            conn.read_exact(&mut buf).await.map(|_| buf)
        })
        .await
        .expect("not a deadlock");
        assert_eq!(&got.unwrap(), b"hi");
        peer.finished().await.unwrap();
    }
}
