//! One clock: under a paused tokio clock, every async timer of pipetap
//! (pipe deadlines, bounded tape waits, connect timeouts) runs on tokio's
//! time, and `tokio::time::advance` moves it; blocking calls and the hang
//! guards stay on the wall clock; a runtime that is not paused keeps the wall
//! clock.
#![cfg(feature = "tokio")]

mod support;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use rstest::rstest;
use support::{watchdog, Door};
use tokio::runtime::{Builder, Runtime};
use tokio_test::{assert_pending, assert_ready};

/// A long deadline: on the wall clock it would stall the test.
const LONG: Duration = Duration::from_secs(30);

fn paused() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

/// Lets the runtime run the timer tasks that an `advance` made due.
async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

/// Runs `body` on a fresh paused runtime under the watchdog (wall clock).
fn on_paused<F: std::future::Future<Output = ()>>(body: impl FnOnce() -> F + Send + 'static) {
    watchdog(move || paused().block_on(body()));
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn an_idle_read_fails_at_its_deadline_on_tokio_time(#[case] door: Door) {
    on_paused(move || async move {
        let (mut a, _b) = pipetap::pipe();
        let start = tokio::time::Instant::now();
        a.set_read_deadline(Some(Instant::now() + LONG)).unwrap();
        let err = door.read(&mut a, &mut [0; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let waited = start.elapsed();
        assert!(
            waited >= LONG && waited < LONG + Duration::from_secs(1),
            "{waited:?}"
        );
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn a_full_write_fails_at_its_deadline_on_tokio_time(#[case] door: Door) {
    on_paused(move || async move {
        let (mut a, _b) = pipetap::PipeBuilder::new().capacity(4).build();
        let start = tokio::time::Instant::now();
        a.set_write_deadline(Some(Instant::now() + LONG)).unwrap();
        door.write_all(&mut a, b"1234").await.unwrap();
        let err = door.write_all(&mut a, b"5").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(start.elapsed() >= LONG);
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn advance_moves_a_deadline(#[case] door: Door) {
    on_paused(move || async move {
        let (mut a, _b) = pipetap::pipe();
        a.set_read_deadline(Some(Instant::now() + Duration::from_secs(3)))
            .unwrap();
        let mut buf = [0; 1];
        let mut read = tokio_test::task::spawn(door.read(&mut a, &mut buf));
        assert_pending!(read.poll());
        tokio::time::advance(Duration::from_millis(2_900)).await;
        assert_pending!(read.poll());
        tokio::time::advance(Duration::from_millis(200)).await;
        settle().await;
        // The deadline's timer woke the task.
        assert!(read.is_woken());
        let err = assert_ready!(read.poll()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.to_string().contains("passed"), "{err}");
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn bytes_before_the_deadline_win(#[case] door: Door) {
    on_paused(move || async move {
        let (mut a, mut b) = pipetap::pipe();
        a.set_read_deadline(Some(Instant::now() + LONG)).unwrap();
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(10)).await;
            tokio::io::AsyncWriteExt::write_all(&mut b, b"late")
                .await
                .unwrap();
            b
        });
        let mut buf = [0; 4];
        door.read_exact(&mut a, &mut buf).await.unwrap();
        assert_eq!(&buf, b"late");
        drop(writer.await.unwrap());
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn a_cleared_deadline_leaves_no_timer_to_jump_to(#[case] door: Door) {
    on_paused(move || async move {
        let metrics = tokio::runtime::Handle::current().metrics();
        let (mut a, _b) = pipetap::pipe();
        a.set_read_deadline(Some(Instant::now() + LONG)).unwrap();
        let mut buf = [0; 1];
        let mut read = tokio_test::task::spawn(door.read(&mut a, &mut buf));
        assert_pending!(read.poll());
        drop(read);
        tokio::task::yield_now().await;
        assert_eq!(metrics.num_alive_tasks(), 1, "the deadline's timer");
        a.set_read_deadline(None).unwrap();
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(metrics.num_alive_tasks(), 0, "a stale timer is left");
    });
}

#[test]
fn a_blocking_read_stays_on_the_wall_clock() {
    on_paused(|| async {
        let (mut a, _b) = pipetap::pipe();
        let start = (Instant::now(), tokio::time::Instant::now());
        a.set_read_deadline(Some(start.0 + Duration::from_millis(50)))
            .unwrap();
        let err = std::io::Read::read(&mut a, &mut [0; 1]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(start.0.elapsed() >= Duration::from_millis(50));
        assert_eq!(start.1.elapsed(), Duration::ZERO, "tokio's clock moved");
    });
}

#[rstest]
#[cfg_attr(feature = "futures", case::futures(Door::Futures))]
#[case::tokio(Door::Tokio)]
fn a_deadline_set_outside_the_runtime_stays_on_the_wall_clock(#[case] door: Door) {
    watchdog(move || {
        let (mut a, _b) = pipetap::pipe();
        let deadline = Instant::now() + Duration::from_millis(50);
        a.set_read_deadline(Some(deadline)).unwrap();
        paused().block_on(async move {
            let err = door.read(&mut a, &mut [0; 1]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut);
            assert!(Instant::now() >= deadline);
        });
    });
}

/// A runtime that is not paused: deadlines are on the wall clock, as ever.
#[rstest]
fn a_running_runtime_keeps_the_wall_clock(
    #[values(Door::Tokio, Door::Futures)] door: Door,
    #[values(0, 1, 2)] workers: usize,
) {
    watchdog(move || {
        let rt = match workers {
            0 => Builder::new_current_thread().enable_all().build(),
            n => Builder::new_multi_thread()
                .worker_threads(n)
                .enable_all()
                .build(),
        }
        .unwrap();
        rt.block_on(async move {
            let (mut a, _b) = pipetap::pipe();
            let deadline = Instant::now() + Duration::from_millis(50);
            a.set_read_deadline(Some(deadline)).unwrap();
            let err = door.read(&mut a, &mut [0; 1]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut);
            assert!(Instant::now() >= deadline);
        });
    });
}

#[test]
fn a_bounded_tape_wait_runs_on_tokio_time() {
    on_paused(|| async {
        use pipetap::RecordExt;
        let (_conn, tape) = Vec::<u8>::new().record();
        let start = tokio::time::Instant::now();
        let err = tape.wait_for("never").within(LONG).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(start.elapsed() >= LONG);
    });
}

#[test]
fn a_bounded_tape_wait_moves_with_advance() {
    on_paused(|| async {
        use pipetap::RecordExt;
        let (_conn, tape) = Vec::<u8>::new().record();
        let mut wait = tokio_test::task::spawn(tape.wait_for("never").within(LONG));
        assert_pending!(wait.poll());
        tokio::time::advance(LONG - Duration::from_millis(1)).await;
        assert_pending!(wait.poll());
        tokio::time::advance(Duration::from_millis(1)).await;
        settle().await;
        assert!(wait.is_woken());
        assert_eq!(
            assert_ready!(wait.poll()).unwrap_err().kind(),
            ErrorKind::TimedOut
        );
    });
}

#[test]
fn a_connect_timeout_runs_on_tokio_time() {
    on_paused(|| async {
        let (listener, connector) = pipetap::listen();
        let _listener = listener.backlog(1).connect_timeout(LONG);
        let _first = connector.connect().await.unwrap();
        let start = tokio::time::Instant::now();
        let err = connector.connect().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(start.elapsed() >= LONG);
    });
}

/// A paused clock neither shrinks a hang guard's bound (tokio jumps an
/// hour ahead meanwhile) nor stretches it (the guard ends on the wall clock).
#[test]
fn the_hang_guards_stay_on_the_wall_clock() {
    on_paused(|| async {
        let start = (Instant::now(), tokio::time::Instant::now());
        let bound = Duration::from_millis(50);
        let guard = pipetap::try_within_async(bound, std::future::pending::<()>());
        let hour = tokio::time::sleep(Duration::from_secs(3600));
        let (guarded, ()) = tokio::join!(guard, hour);
        assert!(guarded.is_err());
        assert!(start.0.elapsed() >= bound);
        assert!(start.1.elapsed() >= Duration::from_secs(3600));
    });
}
