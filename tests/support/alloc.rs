//! A counting global allocator for the zero-allocation tests. It counts the
//! allocations made by the current thread only, so the test harness and other
//! threads cannot disturb a measurement. A test binary installs it with
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: support::alloc::Counting = support::alloc::Counting;
//! ```
//!
//! (installing it here would put it into every test binary).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The counting allocator: [`System`], plus a per-thread count.
pub struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call to the system allocator unchanged; the
// thread-local counter is const-initialised and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn counted() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Allocations made by `f` on this thread.
///
/// # Panics
///
/// If [`Counting`] is not the binary's global allocator (nothing would be
/// counted, and every measurement would pass).
#[track_caller]
pub fn allocations(f: impl FnOnce()) -> usize {
    let before = counted();
    drop(std::hint::black_box(Box::new(0u8)));
    assert!(
        counted() > before,
        "install support::alloc::Counting as the #[global_allocator]"
    );
    let before = counted();
    f();
    counted() - before
}

/// Runs `round` once to warm up (buffers grow to their working size), then
/// `rounds` more times, and asserts those allocate nothing.
#[track_caller]
pub fn assert_steady_state(what: &str, rounds: usize, mut round: impl FnMut()) {
    round();
    let n = allocations(|| {
        for _ in 0..rounds {
            round();
        }
    });
    assert_eq!(n, 0, "{what}: {n} allocations in {rounds} rounds");
}
