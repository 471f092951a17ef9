//! Cooperative scheduling at poll level: the futures door's run limit (128
//! ready calls in a row by one task, then `Pending` once with the task woken)
//! and the tokio door's use of tokio's task budget.
#![cfg(feature = "futures")]

use std::pin::Pin;
use std::task::{Context, Poll};

mod support;

use std::sync::Arc;

use futures::io::{AsyncRead, AsyncWrite};
use pipetap::{PipeBuilder, PipeEnd};
use support::wakers::CountingWaker;

fn counting_waker() -> (Arc<CountingWaker>, std::task::Waker) {
    CountingWaker::new()
}

fn write1(end: &mut PipeEnd, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
    Pin::new(end).poll_write(cx, b"x")
}

/// The number of ready writes before the first `Pending`, up to `max`.
fn ready_run(end: &mut PipeEnd, cx: &mut Context<'_>, max: usize) -> usize {
    (0..max).take_while(|_| write1(end, cx).is_ready()).count()
}

#[test]
fn a_long_run_of_ready_calls_by_one_task_yields_once_and_wakes_it() {
    let (mut a, _b) = pipetap::pipe();
    let (woken, w) = counting_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(ready_run(&mut a, &mut cx, 1000), 128);
    assert_eq!(woken.count(), 1, "the yield wakes the task at once");
    // The next call goes through, and a new run of 128 starts.
    assert_eq!(ready_run(&mut a, &mut cx, 1000), 128);
    assert_eq!(a.unsent_len(), 256, "a yielded call accepts nothing");
}

#[test]
fn a_test_that_polls_a_few_times_never_sees_the_yield() {
    let (mut a, mut b) = pipetap::pipe();
    let mut cx = Context::from_waker(std::task::Waker::noop());
    for _ in 0..10 {
        assert!(write1(&mut a, &mut cx).is_ready());
    }
    let mut buf = [0; 1];
    for _ in 0..10 {
        assert!(matches!(
            Pin::new(&mut b).poll_read(&mut cx, &mut buf),
            Poll::Ready(Ok(1))
        ));
    }
}

#[test]
fn calls_from_another_task_start_the_count_again() {
    let (mut a, _b) = pipetap::pipe();
    let (_c1, w1) = counting_waker();
    let (_c2, w2) = counting_waker();
    for i in 0..1000 {
        let w = if i % 100 < 50 { &w1 } else { &w2 };
        assert!(
            write1(&mut a, &mut Context::from_waker(w)).is_ready(),
            "call {i}"
        );
    }
}

#[test]
fn a_call_that_waits_ends_the_run() {
    let (mut a, mut b) = PipeBuilder::new().capacity(100).build();
    let (_c, w) = counting_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(ready_run(&mut a, &mut cx, 1000), 100, "the pipe is full");
    // The pending write ended the run: had it not, the run would reach 128
    // after 28 more writes and yield.
    let mut sink = vec![0; 100];
    std::io::Read::read_exact(&mut b, &mut sink).unwrap();
    assert_eq!(ready_run(&mut a, &mut cx, 1000), 100);
}

#[test]
fn reads_and_writes_count_separately() {
    let (mut a, mut b) = pipetap::pipe();
    let (_c, w) = counting_waker();
    let mut cx = Context::from_waker(&w);
    let mut buf = [0; 1];
    for i in 0..128 {
        assert!(write1(&mut a, &mut cx).is_ready(), "write {i}");
        assert!(
            Pin::new(&mut b).poll_read(&mut cx, &mut buf).is_ready(),
            "read {i}"
        );
    }
    assert!(write1(&mut a, &mut cx).is_pending());
    assert!(Pin::new(&mut b).poll_read(&mut cx, &mut buf).is_pending());
}

#[test]
fn empty_calls_never_yield() {
    let (mut a, mut b) = pipetap::pipe();
    let (_c, w) = counting_waker();
    let mut cx = Context::from_waker(&w);
    for _ in 0..1000 {
        assert!(Pin::new(&mut a).poll_write(&mut cx, b"").is_ready());
        assert!(Pin::new(&mut b).poll_read(&mut cx, &mut []).is_ready());
    }
}

#[test]
fn cooperative_false_turns_the_run_limit_off() {
    let (mut a, _b) = PipeBuilder::new().cooperative(false).build();
    let (woken, w) = counting_waker();
    assert_eq!(ready_run(&mut a, &mut Context::from_waker(&w), 1000), 1000);
    assert_eq!(woken.count(), 0);
}

#[cfg(feature = "tokio")]
mod tokio_door {
    use super::*;

    fn tokio_write1(end: &mut PipeEnd, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        tokio::io::AsyncWrite::poll_write(Pin::new(end), cx, b"x")
    }

    #[test]
    fn outside_a_runtime_the_budget_is_unlimited() {
        let (mut a, _b) = pipetap::pipe();
        let (_c, w) = counting_waker();
        let mut cx = Context::from_waker(&w);
        for i in 0..1000 {
            assert!(tokio_write1(&mut a, &mut cx).is_ready(), "call {i}");
        }
    }

    /// Inside a runtime, the door spends tokio's budget (128 units per task
    /// poll) and then returns `Pending` with the task woken, accepting nothing.
    #[rstest::rstest]
    fn inside_a_runtime_it_spends_tokios_budget(#[values(true, false)] cooperative: bool) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (mut a, _b) = PipeBuilder::new().cooperative(cooperative).build();
        let (ready, pending, unsent) = rt.block_on(async move {
            std::future::poll_fn(|cx| {
                let mut ready = 0;
                while ready < 1000 && tokio_write1(&mut a, cx).is_ready() {
                    ready += 1;
                }
                Poll::Ready((ready, ready < 1000, a.unsent_len()))
            })
            .await
        });
        if cooperative {
            assert!(pending, "the budget ran out");
            assert_eq!(ready, 128);
            assert_eq!(unsent, 128);
        } else {
            assert!(!pending);
            assert_eq!(ready, 1000);
        }
    }
}
