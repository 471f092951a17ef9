//! A built script of templates runs its steps with no heap allocation
//! beyond the values its holes keep: counted across every thread (the peer
//! runs on its own), so this binary holds one test. Its holes skip (`_`) or
//! match a bound value, so they keep nothing.

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

/// The reply's literal part: 51 bytes after the 13-byte session id.
const TAIL: &str = ":reply-to-the-request-with-its-session-id-ok-------";

/// A request that fits the template, 64 bytes: 8 any, "literal!", 27
/// bytes for `{{_}}`, ';', the 13-byte session id, 7 for `write_any(7)`.
fn request(i: usize) -> [u8; 64] {
    let mut r = [b'-'; 64];
    r[..8].fill(i as u8 | 1);
    r[8..16].copy_from_slice(b"literal!");
    r[43] = b';';
    r[44..57].fill(b'S');
    r
}

#[test]
fn template_steps_allocate_nothing_once_built() {
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
    // 64 bytes each way: "{{_:8}}" + 8 literal + "{{_}}" (ends at ';') +
    // ";" + the bound session id; the reply sends the bound id back.
    let script = (0..STEPS)
        .fold(Script::new().name("alloc"), |s, _| {
            s.write_template("{{_:8}}literal!{{_}};{{sid}}")
                .write_any(7)
                .read_template(format!("{{{{sid}}}}{TAIL}"))
        })
        .bind("sid", [b'S'; 13]);
    assert_eq!(TAIL.len(), 51);
    let (mut conn, peer) = script.build();
    let mut buf = [0u8; 64];
    let mut during = 0;
    for i in 0..STEPS {
        if i == WARM_UP {
            ALLOCATIONS.store(0, Ordering::Relaxed);
            ON.store(true, Ordering::Relaxed);
        }
        conn.write_all(&request(i)).unwrap();
        conn.read_exact(&mut buf).unwrap();
        assert!(buf[..13] == [b'S'; 13] && buf[13..] == *TAIL.as_bytes());
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
