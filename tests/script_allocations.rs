//! A built script runs its steps with no heap allocation: counted across
//! every thread (the peer runs on its own), so this binary holds one test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pipetap::Script;

struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    if ON.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged.
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

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn steps_allocate_nothing_once_built() {
    const STEPS: usize = 2_000;
    const WARM_UP: usize = 10;
    // The pipe's lock (parking_lot) sizes its table of sleeping threads as
    // threads first sleep, and never shrinks it: let a few threads sleep at
    // once before counting, so that neither this thread's first sleep nor
    // the peer thread's (under load, a contended lock sleeps) grows it.
    let sleepers: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(|| {
                let (idle, _other) = pipetap::pipe();
                idle.set_read_timeout(Some(std::time::Duration::from_millis(20)))
                    .unwrap();
                let slept = (&idle).read(&mut [0; 1]).unwrap_err();
                assert_eq!(slept.kind(), std::io::ErrorKind::TimedOut);
            })
        })
        .collect();
    for sleeper in sleepers {
        sleeper.join().unwrap();
    }
    let (idle, _other) = pipetap::pipe();
    idle.set_read_timeout(Some(std::time::Duration::from_millis(1)))
        .unwrap();
    assert!((&idle).read(&mut [0; 1]).is_err());
    let script = (0..STEPS).fold(Script::new().name("alloc"), |s, i| {
        s.write([i as u8; 64]).read([!(i as u8); 64])
    });
    let (mut conn, peer) = script.build();
    let mut buf = [0u8; 64];
    let mut during = 0;
    for i in 0..STEPS {
        if i == WARM_UP {
            ALLOCATIONS.store(0, Ordering::Relaxed);
            ON.store(true, Ordering::Relaxed);
        }
        conn.write_all(&[i as u8; 64]).unwrap();
        conn.read_exact(&mut buf).unwrap();
        assert!(buf == [!(i as u8); 64]);
        if i == STEPS - WARM_UP {
            ON.store(false, Ordering::Relaxed);
            during = ALLOCATIONS.load(Ordering::Relaxed);
        }
    }
    peer.finish();
    assert_eq!(
        during,
        0,
        "allocations on any thread during {} steps",
        2 * (STEPS - 2 * WARM_UP)
    );
}
