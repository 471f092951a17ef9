//! The paused-clock rule on every kind of runtime, and deadlines on both
//! clocks.

use std::time::{Duration, Instant};

use rstest::rstest;
use tokio::runtime::{Builder, Runtime};

use super::{Clock, Deadline};

fn current_thread(paused: bool) -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .start_paused(paused)
        .build()
        .unwrap()
}

fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn no_runtime_is_the_wall_clock() {
    assert!(!Clock::current().is_paused());
}

#[test]
fn a_paused_current_thread_runtime_is_detected() {
    let clock = current_thread(true).block_on(async { Clock::current() });
    assert!(clock.is_paused());
}

#[test]
fn a_running_current_thread_runtime_is_not_paused() {
    let clock = current_thread(false).block_on(async { Clock::current() });
    assert!(!clock.is_paused());
}

#[test]
fn pause_and_resume_are_followed() {
    current_thread(false).block_on(async {
        tokio::time::pause();
        assert!(Clock::current().is_paused());
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(Clock::current().is_paused());
        tokio::time::resume();
        // Resumed 30 s ahead of the wall clock: running, so not paused.
        assert!(!Clock::current().is_paused());
    });
}

#[test]
fn a_runtime_entered_from_another_thread_is_detected() {
    let rt = current_thread(true);
    let _enter = rt.enter();
    assert!(Clock::current().is_paused());
}

#[rstest]
fn a_multi_thread_runtime_is_never_paused(#[values(1, 2)] workers: usize) {
    let rt = multi_thread(workers);
    for _ in 0..100 {
        let clock = rt.block_on(async { tokio::spawn(async { Clock::current() }).await.unwrap() });
        assert!(!clock.is_paused());
        assert!(!rt.block_on(async { Clock::current() }).is_paused());
    }
}

#[test]
fn a_wall_deadline_set_in_a_paused_runtime_falls_as_far_after_its_now() {
    current_thread(true).block_on(async {
        let clock = Clock::current();
        let deadline = clock.deadline(Instant::now() + Duration::from_secs(3));
        assert!(!clock.reached(&deadline));
        tokio::time::advance(Duration::from_millis(2_900)).await;
        assert!(!clock.reached(&deadline));
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(clock.reached(&deadline));
        let ago = clock.passed(&deadline).unwrap();
        // 100 ms, plus the moment between `Instant::now()` and the mapping.
        assert!(ago >= Duration::from_millis(100), "{ago:?}");
        assert!(ago < Duration::from_millis(150), "{ago:?}");
        // On the wall clock it has not come: blocking calls keep their meaning.
        assert!(!Clock::Wall.reached(&deadline));
    });
}

#[test]
fn a_deadline_in_the_past_stays_passed_on_a_paused_clock() {
    current_thread(true).block_on(async {
        let clock = Clock::current();
        let deadline = clock.deadline(Instant::now() - Duration::from_millis(5));
        assert!(clock.passed(&deadline).unwrap() >= Duration::from_millis(5));
        assert!(Clock::Wall.reached(&deadline));
    });
}

#[test]
fn a_wall_deadline_is_read_on_the_wall_clock_even_in_a_paused_runtime() {
    let deadline = Deadline::wall(Instant::now() + Duration::from_secs(3600));
    current_thread(true).block_on(async {
        assert!(!deadline.clock().is_paused());
        tokio::time::advance(Duration::from_secs(7200)).await;
        assert!(!Clock::current().reached(&deadline));
    });
}

#[tokio::test(start_paused = true)]
async fn an_alarm_on_the_paused_clock_wakes_at_its_time_and_moves_the_clock() {
    let start = tokio::time::Instant::now();
    let clock = Clock::current();
    let deadline = clock.after(Duration::from_secs(30)).unwrap();
    let waker = std::task::Waker::noop().clone();
    let _alarm = clock.wake_at(&deadline, waker);
    // The alarm's timer is what lets the idle runtime jump to it.
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert!(clock.reached(&deadline));
    assert_eq!(start.elapsed(), Duration::from_secs(31));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_alarm_leaves_no_timer_behind() {
    let clock = Clock::current();
    let metrics = tokio::runtime::Handle::current().metrics();
    let deadline = clock.after(Duration::from_secs(30)).unwrap();
    let alarm = clock.wake_at(&deadline, std::task::Waker::noop().clone());
    tokio::task::yield_now().await;
    assert_eq!(metrics.num_alive_tasks(), 1);
    drop(alarm);
    for _ in 0..10 {
        if metrics.num_alive_tasks() == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(metrics.num_alive_tasks(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_hold_is_let_go_only_by_a_turn_with_no_new_work() {
    let hold = super::Hold::on(&Clock::current()).expect("a paused clock");
    hold.take();
    hold.begin_turn();
    hold.take(); // work handed over during the turn
    assert!(!hold.release(), "let go with work in hand");
    hold.begin_turn();
    assert!(hold.release());
    hold.close();
    hold.take(); // closed: never holds again
    hold.begin_turn();
    assert!(hold.release());
}

#[test]
fn no_hold_off_a_paused_clock() {
    assert!(super::Hold::on(&Clock::Wall).is_none());
    let clock = current_thread(false).block_on(async { Clock::current() });
    assert!(super::Hold::on(&clock).is_none());
}
